"""Issue 14 item 4: intake as the receipt records it. A receive names the
components handed in (by their number in `procedures`), the applicant's
address and e-mail and the number of sets; a dossier missing a required
component is received only with an explicit reason."""
import unittest
import uuid

from itest import (B_DOSSIER_REPLY, B_ERROR, B_HELLO_REPLY, Raw, citizen_id, cli, f_bytes,
                   f_varint, receive_body, unwrap)

UNIT = "18496"
PROC = "1.001193"  # đăng ký khai sinh: required 1, 2, 5 (tests/storage checks the seed)


def receive(*extra):
    return cli(UNIT, "receive", "--procedure", PROC, "--name", "Trần Thị Nhận",
               "--id", citizen_id(), "--phone", "0912345678", *extra)


class TestIntake(unittest.TestCase):
    def test_receive_with_components(self):
        r = receive("--address", "Thôn 3, xã Hương Bình", "--email", "nhan@example.vn",
                    "--sets", "2", "--component", "1", "--component", "2:1:certified",
                    "--component", "5", "--component", "3:1:original")
        self.assertEqual(r.rc, 0, r)
        d = unwrap(r.doc, "dossier")
        self.assertEqual(d["status"], 2, r)
        s = cli(UNIT, "show", d["code"])
        self.assertEqual(s.rc, 0, s)
        shown = unwrap(s.doc, "dossier")
        self.assertEqual(shown["address"], "Thôn 3, xã Hương Bình", shown)
        self.assertEqual(shown["email"], "nhan@example.vn", shown)
        self.assertEqual(shown["sets"], 2, shown)
        self.assertIsNone(shown["missing_reason"], shown)
        self.assertEqual(shown["components_received"], [
            {"ordinal": 1, "count": 1, "form": "original"},
            {"ordinal": 2, "count": 1, "form": "certified"},
            {"ordinal": 3, "count": 1, "form": "original"},
            {"ordinal": 5, "count": 1, "form": "present_only"}], shown)

    def test_missing_required_is_refused_without_reason(self):
        r = receive("--component", "1", "--component", "5")  # no 2: giấy chứng sinh
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("missing_reason", r.out + r.err, r)

    def test_missing_required_with_reason(self):
        reason = "Giấy chứng sinh bị mất, có người làm chứng bổ sung sau"
        r = receive("--component", "1", "--component", "5", "--missing-reason", reason)
        self.assertEqual(r.rc, 0, r)
        s = cli(UNIT, "show", unwrap(r.doc, "dossier")["code"])
        shown = unwrap(s.doc, "dossier")
        self.assertEqual(shown["missing_reason"], reason, shown)
        self.assertEqual([c["ordinal"] for c in shown["components_received"]], [1, 5], shown)
        self.assertEqual(shown["sets"], 1, shown)
        self.assertIsNone(shown["address"], shown)

    def test_unknown_component_is_refused(self):
        r = receive("--component", "1", "--component", "2", "--component", "5",
                    "--component", "9")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("components", r.out + r.err, r)

    def test_bad_values_are_usage_errors(self):
        for args in (("--sets", "0"), ("--sets", "21"), ("--component", "0"),
                     ("--component", "1:0"), ("--component", "1:1:photo"),
                     ("--component", "x")):
            r = receive(*args)
            self.assertEqual(r.rc, 2, (args, r))

    def test_bad_email_is_refused(self):
        r = receive("--email", "not an address")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("email", r.out + r.err, r)


class TestIntakeWire(unittest.TestCase):
    """The peer's intake fields are bounded before use (proto/domain.h)."""

    def setUp(self):
        self.c = Raw(UNIT)
        self.addCleanup(self.c.close)
        self.assertEqual(self.c.hello().body_field, B_HELLO_REPLY)
        self.rid = 10

    def send(self, extra=b"", components=None):
        self.rid += 1
        body = receive_body("itest-" + uuid.uuid4().hex, PROC, "Lê Văn Biên", citizen_id(),
                            components=components) + extra
        return self.c.call(self.rid, 12, body)

    def refused(self, detail, **kw):
        r = self.send(**kw)
        self.assertEqual(r.body_field, B_ERROR, r)
        self.assertEqual((r.error_code, r.error_detail), ("invalid", detail), r)

    def test_bounds(self):
        ok = self.send(f_bytes(6, "a" * 255) + f_bytes(7, "a@b") + f_varint(8, 20))
        self.assertEqual(ok.body_field, B_DOSSIER_REPLY, ok)
        self.refused("address", extra=f_bytes(6, "a" * 256))
        self.refused("address", extra=f_bytes(6, "dòng 1\ndòng 2"))
        self.refused("email", extra=f_bytes(7, "a" * 250 + "@b.vn"))
        self.refused("email", extra=f_bytes(7, "không@có dấu"))
        self.refused("sets", extra=f_varint(8, 21))
        self.refused("components", components=range(1, 34))       # 33 > MC_LIM_COMPONENTS
        self.refused("components", components=(1, 2, 5, 2))       # twice the same
        self.refused("components", components=(1, 2, 5, 33))      # out of range
        self.refused("missing_reason", extra=f_bytes(10, "x" * 512))
        bad_count = f_bytes(9, f_varint(1, 3) + f_varint(2, 21), always=True)
        self.refused("components", extra=bad_count)
        bad_form = f_bytes(9, f_varint(1, 3) + f_varint(3, 6), always=True)
        self.refused("components", extra=bad_form)


if __name__ == "__main__":
    unittest.main()
