"""ping for each kind of unit; the procedure catalogue."""
import unittest

from itest import DISTRICT, cli, unwrap

UNIT = "18496"


class TestPing(unittest.TestCase):
    def ping(self, unit):
        r = cli(unit, "ping")
        self.assertEqual(r.rc, 0, r)
        self.assertIsNone(r.json_error, r)
        self.assertIsInstance(r.doc, dict, r)
        self.assertNotIn("error", r.doc, r)
        return r

    def test_ping_commune(self):
        self.ping(UNIT)

    def test_ping_district(self):
        self.ping(DISTRICT)

    def test_ping_admin(self):
        self.ping("admin")

    def test_whoami_comes_from_certificate(self):
        for unit, role in ((UNIT, "commune"), (DISTRICT, "district"), ("admin", "admin")):
            r = cli(unit, "whoami")
            self.assertEqual(r.rc, 0, r)
            text = r.out
            self.assertIn('"%s"' % unit, text, r)
            self.assertIn(role, text, r)

    def test_human_output_is_not_json(self):
        r = cli(UNIT, "ping", json_out=False)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.strip(), r)


class TestProcedures(unittest.TestCase):
    def test_catalogue(self):
        r = cli(UNIT, "procedures")
        self.assertEqual(r.rc, 0, r)
        procs = unwrap(r.doc, "procedures")
        self.assertIsInstance(procs, list, r)
        self.assertGreaterEqual(len(procs), 12, r)
        levels = set()
        codes = set()
        for p in procs:
            for k in ("code", "name", "level", "sector", "limit_value", "limit_unit"):
                self.assertIn(k, p, p)
            self.assertTrue(p["code"] and p["name"] and p["sector"], p)
            self.assertIn(p["level"], ("commune", "district"), p)
            self.assertIsInstance(p["limit_value"], int, p)
            self.assertGreater(p["limit_value"], 0, p)
            self.assertIn(p["limit_unit"],
                          ("hours", "working_days", "calendar_days", "months"), p)
            levels.add(p["level"])
            codes.add(p["code"])
        self.assertEqual(levels, {"commune", "district"})
        self.assertEqual(len(codes), len(procs), "duplicate procedure codes")

    def test_published_file(self):
        # issue 14: every procedure carries its components (thành phần hồ sơ),
        # its legal limit as published, fees, sets, and what stays unconfirmed
        procs = unwrap(cli(UNIT, "procedures").doc, "procedures")
        forms = ("original", "copy", "certified", "original_or_copy", "present_only")
        for p in procs:
            for k in ("limit_text", "verified", "fee", "sets", "source", "components"):
                self.assertIn(k, p, p)
            self.assertTrue(p["limit_text"] and p["fee"] and p["source"], p)
            self.assertEqual(p["sets"], 1, p)
            if not p["verified"]:
                self.assertIn("(cần xác minh)", p["note"], p)
            comps = p["components"]
            self.assertTrue(any(c["required"] for c in comps), p)
            self.assertEqual([c["ordinal"] for c in comps], list(range(1, len(comps) + 1)), p)
            for c in comps:
                self.assertIn(c["form"], forms, c)
                self.assertGreaterEqual(c["count"], 1, c)
                self.assertTrue(c["name"], c)
        codes = {p["code"] for p in procs}
        self.assertTrue({"1.001612", "2.000720", "1.013978"} <= codes, codes)
        self.assertFalse({"2.000575", "1.004222"} & codes, codes)
        for lang, words in (("vi", ("Thành phần hồ sơ", "bắt buộc", "Thời hạn theo quy định",
                                    "chưa xác minh")),
                            ("en", ("Documents of the dossier", "required", "Legal time limit",
                                    "unconfirmed"))):
            r = cli(UNIT, "--lang", lang, "procedures", json_out=False)
            self.assertEqual(r.rc, 0, r)
            for w in words:
                self.assertIn(w, r.out, (lang, w))

    def test_same_catalogue_for_every_unit(self):
        a = cli(UNIT, "procedures")
        b = cli(DISTRICT, "procedures")
        self.assertEqual(a.rc, 0, a)
        self.assertEqual(b.rc, 0, b)
        ca = sorted(p["code"] for p in unwrap(a.doc, "procedures"))
        cb = sorted(p["code"] for p in unwrap(b.doc, "procedures"))
        self.assertEqual(ca, cb)


if __name__ == "__main__":
    unittest.main()
