"""Issue 14 item 4: intake as the receipt records it. A receive names the
components handed in (by their number in `procedures`), the applicant's
address and e-mail and the number of sets; a dossier missing a required
component is received only with an explicit reason."""
import unittest

from itest import citizen_id, cli, unwrap

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
        self.assertEqual(unwrap(r.doc, "dossier")["status"], 2, r)

    def test_missing_required_is_refused_without_reason(self):
        r = receive("--component", "1", "--component", "5")  # no 2: giấy chứng sinh
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("missing_reason", r.out + r.err, r)

    def test_missing_required_with_reason(self):
        r = receive("--component", "1", "--component", "5",
                    "--missing-reason", "Giấy chứng sinh bị mất, có người làm chứng bổ sung sau")
        self.assertEqual(r.rc, 0, r)

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


if __name__ == "__main__":
    unittest.main()
