"""forward (chuyển liên thông) from a commune to the district."""
import time
import unittest

from itest import (B_DOSSIER_EVENT, B_HELLO_REPLY, DISTRICT, Raw, cli, decode, dossier_list,
                   parse_time, receive, unwrap)

UNIT = "18508"   # used only by this file
OTHER = "18535"  # another commune, used only by this file


class TestForward(unittest.TestCase):
    def received(self, level):
        r, cid = receive(UNIT, level=level)
        self.assertEqual(r.rc, 0, r)
        return unwrap(r.doc, "dossier"), cid

    def test_forward_district_level(self):
        d, cid = self.received("district")
        code = d["code"]
        # not visible to the district before it is forwarded
        _, lst0 = dossier_list(DISTRICT)
        self.assertNotIn(code, [x["code"] for x in lst0 or []])

        f = cli(UNIT, "forward", code)
        self.assertEqual(f.rc, 0, f)
        fd = unwrap(f.doc, "dossier")
        self.assertEqual(fd["code"], code)            # the code never changes
        self.assertEqual(fd["unit"], UNIT)            # nor the receiving unit
        self.assertEqual(fd["holder_unit"], DISTRICT, fd)
        self.assertEqual(fd["forwarded_to"], DISTRICT, fd)
        self.assertIsNotNone(fd["forwarded_at"], fd)
        self.assertGreaterEqual(parse_time(fd["forwarded_at"]), parse_time(fd["received_at"]))
        # moving between levels is not a status
        self.assertEqual(fd["status"], d["status"], fd)
        self.assertEqual(fd["due_at"], d["due_at"], fd)

        lr, lst = dossier_list(DISTRICT)
        self.assertEqual(lr.rc, 0, lr)
        self.assertIn(code, [x["code"] for x in lst])
        s = cli(DISTRICT, "show", code)
        self.assertEqual(s.rc, 0, s)
        sd = unwrap(s.doc, "dossier")
        self.assertEqual(sd["code"], code)
        self.assertEqual(sd["unit"], UNIT)
        self.assertEqual(sd["holder_unit"], DISTRICT)
        self.assertEqual(sd["applicant"]["id"], cid)

        # the receiving commune still sees its dossier
        s2 = cli(UNIT, "show", code)
        self.assertEqual(s2.rc, 0, s2)
        self.assertEqual(unwrap(s2.doc, "dossier")["holder_unit"], DISTRICT)
        _, own = dossier_list(UNIT)
        self.assertIn(code, [x["code"] for x in own])

        # twice: refused, nothing changes
        again = cli(UNIT, "forward", code)
        self.assertEqual(again.rc, 1, again)
        self.assertEqual(again.error_code, "bad_state", again)
        s3 = cli(DISTRICT, "show", code)
        self.assertEqual(unwrap(s3.doc, "dossier")["forwarded_at"], fd["forwarded_at"])

    def test_district_sessions_get_a_forwarded_event(self):
        watcher = Raw(DISTRICT)
        self.addCleanup(watcher.close)
        self.assertEqual(watcher.hello().body_field, B_HELLO_REPLY)
        d, _ = self.received("district")
        f = cli(UNIT, "forward", d["code"])
        self.assertEqual(f.rc, 0, f)
        deadline = time.time() + 10
        while True:
            r = watcher.recv(timeout=max(0.1, deadline - time.time()))
            if r.body_field != B_DOSSIER_EVENT:
                continue  # e.g. a heartbeat Ping
            self.assertEqual(r.request_id, 0)
            kind = r.body.get(1, [b""])[0].decode()
            code = decode(r.body[2][0])[1][0].decode() if 2 in r.body else None
            if code == d["code"]:
                self.assertEqual(kind, "forward")
                break

    def test_forward_commune_level_refused(self):
        d, _ = self.received("commune")
        f = cli(UNIT, "forward", d["code"])
        self.assertEqual(f.rc, 1, f)
        self.assertEqual(f.error_code, "wrong_level", f)
        s = cli(UNIT, "show", d["code"])
        sd = unwrap(s.doc, "dossier")
        self.assertEqual(sd["holder_unit"], UNIT, sd)
        self.assertIsNone(sd.get("forwarded_at"), sd)
        _, lst = dossier_list(DISTRICT)
        self.assertNotIn(d["code"], [x["code"] for x in lst or []])

    def test_other_commune_cannot_forward(self):
        d, cid = self.received("district")
        f = cli(OTHER, "forward", d["code"])
        self.assertEqual(f.rc, 1, f)
        self.assertEqual(f.error_code, "not_found", f)  # cannot probe other units' codes
        self.assertNotIn(cid, f.out + f.err)
        s = cli(UNIT, "show", d["code"])
        self.assertIsNone(unwrap(s.doc, "dossier").get("forwarded_at"))

    def test_forward_unknown_code(self):
        f = cli(UNIT, "forward", "H30.44.99-010101-9999")
        self.assertEqual(f.rc, 1, f)
        self.assertEqual(f.error_code, "not_found", f)


if __name__ == "__main__":
    unittest.main()
