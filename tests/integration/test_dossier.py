"""receive / show / list at one commune; per-unit per-day sequence numbers."""
import datetime
import unittest

from itest import (CODE_RE, VN, cli, cli_popen, citizen_id, dossier_list, parse_time,
                   procedure_of_level, receive, today_vn, unwrap)

UNIT = "18505"  # used only by this file


def seq(code):
    return int(CODE_RE.match(code).group(2))


class TestReceive(unittest.TestCase):
    def check_dossier(self, d, cid, name, proc, level):
        self.assertIsInstance(d, dict, d)
        code = d.get("code")
        self.assertIsNotNone(code, d)
        m = CODE_RE.match(code)
        self.assertIsNotNone(m, "dossier code %r does not match the pattern" % code)
        # receipt date in Vietnam time (allow a run across midnight)
        self.assertIn(m.group(1), (today_vn(),
                                   (datetime.datetime.now(VN) - datetime.timedelta(minutes=2)).strftime("%y%m%d")))
        self.assertEqual(d["status"], 2, d)
        self.assertTrue(d.get("status_name"), d)
        self.assertEqual(d["unit"], UNIT, d)
        self.assertTrue(d.get("unit_name"), d)
        self.assertEqual(d["procedure"], proc, d)
        self.assertTrue(d.get("procedure_name"), d)
        self.assertEqual(d["level"], level, d)
        self.assertEqual(d["applicant"]["id"], cid, d)
        self.assertEqual(d["applicant"]["name"], name, d)
        self.assertEqual(d["applicant"]["phone"], "0912345678", d)
        self.assertEqual(d["channel"], "direct", d)
        self.assertEqual(d["holder_unit"], UNIT, d)
        self.assertIsNone(d.get("forwarded_to"), d)
        self.assertIsNone(d.get("forwarded_at"), d)
        rec, due = parse_time(d["received_at"]), parse_time(d["due_at"])
        self.assertIsNotNone(rec.utcoffset(), "received_at without an offset: %r" % d)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - rec).total_seconds()), 120, d)
        self.assertGreater(due, rec, d)
        return code

    def test_receive_show_list(self):
        proc = procedure_of_level("commune")
        name = "Lê Thị Kiểm Thử"
        r, cid = receive(UNIT, name=name, proc=proc)
        self.assertEqual(r.rc, 0, r)
        d = unwrap(r.doc, "dossier")
        code = self.check_dossier(d, cid, name, proc, "commune")

        s = cli(UNIT, "show", code)
        self.assertEqual(s.rc, 0, s)
        sd = unwrap(s.doc, "dossier")
        self.check_dossier(sd, cid, name, proc, "commune")
        self.assertEqual(sd["code"], code)
        for k in ("received_at", "due_at", "unit_name", "procedure_name"):
            self.assertEqual(sd[k], d[k], k)

        lr, lst = dossier_list(UNIT)
        self.assertEqual(lr.rc, 0, lr)
        self.assertIn(code, [x["code"] for x in lst])
        self.assertTrue(all(x["unit"] == UNIT or x.get("holder_unit") == UNIT for x in lst))

        fr, flst = dossier_list(UNIT, "--status", "2")
        self.assertEqual(fr.rc, 0, fr)
        self.assertIn(code, [x["code"] for x in flst])
        self.assertTrue(all(x["status"] == 2 for x in flst), flst)
        nr, nlst = dossier_list(UNIT, "--status", "10")
        self.assertEqual(nr.rc, 0, nr)
        self.assertNotIn(code, [x["code"] for x in nlst])

    def test_district_level_receive(self):
        proc = procedure_of_level("district")
        r, cid = receive(UNIT, proc=proc, name="Phan Văn Huyện")
        self.assertEqual(r.rc, 0, r)
        self.check_dossier(unwrap(r.doc, "dossier"), cid, "Phan Văn Huyện", proc, "district")

    def test_list_newest_first_and_limit(self):
        codes = []
        for _ in range(3):
            r, _cid = receive(UNIT)
            self.assertEqual(r.rc, 0, r)
            codes.append(unwrap(r.doc, "dossier")["code"])
        r = cli(UNIT, "list", "--limit", "2")
        self.assertEqual(r.rc, 0, r)
        lst = unwrap(r.doc, "dossiers")
        self.assertEqual([x["code"] for x in lst], [codes[2], codes[1]])

    def test_consecutive_sequence(self):
        a, _ = receive(UNIT)
        b, _ = receive(UNIT)
        self.assertEqual(a.rc, 0, a)
        self.assertEqual(b.rc, 0, b)
        ca, cb = unwrap(a.doc, "dossier")["code"], unwrap(b.doc, "dossier")["code"]
        pa, pb = ca.rsplit("-", 1)[0], cb.rsplit("-", 1)[0]
        self.assertEqual(pa, pb)  # same unit, same day
        self.assertEqual(seq(cb), seq(ca) + 1, (ca, cb))

    def test_concurrent_receives(self):
        n = 20
        procs = [cli_popen(UNIT, "receive", "--procedure", procedure_of_level("commune"),
                           "--name", "Người Song Song %d" % i, "--id", citizen_id())
                 for i in range(n)]
        codes = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, (out, err))
            import json
            codes.append(unwrap(json.loads(out), "dossier")["code"])
        self.assertEqual(len(set(codes)), n, codes)
        seqs = sorted(seq(c) for c in codes)
        # nobody else receives at this unit meanwhile: no gaps, no repeats
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + n)), seqs)

    def test_unknown_procedure_refused(self):
        r = cli(UNIT, "receive", "--procedure", "9.999999", "--name", "Không Có",
                "--id", citizen_id())
        self.assertEqual(r.rc, 1, r)
        self.assertIn(r.error_code, ("not_found", "invalid"), r)

    def test_show_unknown_code(self):
        r = cli(UNIT, "show", "H30.44.99-010101-9999")
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "not_found", r)
        self.assertIn("message", r.doc["error"], r)


if __name__ == "__main__":
    unittest.main()
