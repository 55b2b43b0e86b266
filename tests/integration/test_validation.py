"""Field limits enforced by the server (docs/PROTOCOL.md "Limits on fields"),
sent with a raw client because the CLI validates before sending. Each bad
field gets Error{ERR_INVALID}; the connection stays usable."""
import unittest
import uuid

from itest import (B_DOSSIER_REPLY, B_ERROR, B_HELLO_REPLY, B_PING, B_PONG, B_RECEIVE, B_SHOW,
                   Raw, citizen_id, f_bytes, ping_body, procedure_of_level, receive_body)

UNIT = "18526"  # used only by this file


def key():
    return "itest-" + uuid.uuid4().hex


class TestValidation(unittest.TestCase):
    def setUp(self):
        self.c = Raw(UNIT)
        self.addCleanup(self.c.close)
        self.assertEqual(self.c.hello().body_field, B_HELLO_REPLY)
        self.proc = procedure_of_level("commune")
        self.rid = 100

    def call(self, body_field, body):
        self.rid += 1
        return self.c.call(self.rid, body_field, body)

    def refused(self, name=None, cid=None, phone="0912345678", proc=None):
        r = self.call(B_RECEIVE, receive_body(key(), proc or self.proc,
                                              name if name is not None else "Tên Hợp Lệ",
                                              cid if cid is not None else citizen_id(), phone))
        self.assertEqual(r.body_field, B_ERROR, r)
        self.assertEqual(r.error_code, "invalid", r)
        # still usable afterwards
        p = self.call(B_PING, ping_body(5))
        self.assertEqual(p.body_field, B_PONG, p)
        return r

    def test_control_valid(self):
        r = self.call(B_RECEIVE, receive_body(key(), self.proc, "Tên Hợp Lệ", citizen_id()))
        self.assertEqual(r.body_field, B_DOSSIER_REPLY, r)
        r = self.call(B_RECEIVE, receive_body(key(), self.proc, "Tên CMND", "123456789"))
        self.assertEqual(r.body_field, B_DOSSIER_REPLY, r)  # 9-digit old id card

    def test_citizen_id(self):
        for bad in ("12345", "1234567890", "12345678901a", "0123456789012", "12345678 9"):
            self.refused(cid=bad)

    def test_name(self):
        self.refused(name="")
        self.refused(name="Tên\x01Điều khiển")
        self.refused(name="Tên\nxuống dòng")
        self.refused(name="a" * 160)
        self.refused(name="ộ" * 54)  # 54 characters but 162 bytes

    def test_phone(self):
        self.refused(phone="0912-345-678")
        self.refused(phone="1" * 16)

    def test_procedure_code(self):
        r = self.call(B_RECEIVE, receive_body(key(), "P" * 60, "Tên Hợp Lệ", citizen_id()))
        self.assertEqual(r.body_field, B_ERROR, r)
        self.assertIn(r.error_code, ("invalid", "not_found"), r)

    def test_show_malformed_code(self):
        for bad in ("", "x" * 60, "../../etc", "H30-1-1"):
            r = self.call(B_SHOW, f_bytes(1, bad))
            self.assertEqual(r.body_field, B_ERROR, (bad, r))
            self.assertIn(r.error_code, ("invalid", "not_found"), (bad, r))


if __name__ == "__main__":
    unittest.main()
