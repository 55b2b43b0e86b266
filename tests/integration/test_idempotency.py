"""The same receive sent twice with one idempotency key yields one dossier.
Uses a raw TLS client: the CLI generates a fresh key per call."""
import os
import unittest
import uuid

from itest import (B_DOSSIER_REPLY, B_ERROR, B_FORWARD, B_HELLO_REPLY, B_LIST, B_LIST_REPLY,
                   B_RECEIVE, CODE_RE, Raw, citizen_id, cli, decode, dossier_list, f_bytes,
                   list_body, procedure_of_level, receive_body)


def forward_body(key, code, officer="itest"):
    return f_bytes(1, key) + f_bytes(2, code) + f_bytes(3, officer)

UNIT = "18514"   # used only by this file
UNIT2 = "18529"  # used only by this file


def dossier_code(reply):
    return reply.dossier()[1][0].decode()


class TestIdempotency(unittest.TestCase):
    def open(self, unit=UNIT):
        c = Raw(unit)
        h = c.hello()
        self.assertEqual(h.body_field, B_HELLO_REPLY, h)
        self.assertEqual(h.body[3][0].decode(), unit)  # unit from the certificate
        self.addCleanup(c.close)
        return c

    def count_in_list(self, cid, unit=UNIT):
        r, lst = dossier_list(unit)
        self.assertEqual(r.rc, 0, r)
        return len(lst), sum(1 for x in lst if x["applicant"]["id"] == cid)

    def test_same_key_twice(self):
        proc = procedure_of_level("commune")
        cid = citizen_id()
        key = "itest-" + uuid.uuid4().hex
        body = receive_body(key, proc, "Đỗ Văn Lặp", cid)
        total0, _ = self.count_in_list(cid)

        c = self.open()
        r1 = c.call(10, B_RECEIVE, body)
        self.assertEqual(r1.body_field, B_DOSSIER_REPLY, r1)
        code1 = dossier_code(r1)
        self.assertRegex(code1, CODE_RE)
        r2 = c.call(11, B_RECEIVE, body)
        self.assertEqual(r2.body_field, B_DOSSIER_REPLY, r2)
        self.assertEqual(dossier_code(r2), code1)

        # a new connection (e.g. a retry after a link drop) gets the same answer
        c2 = self.open()
        r3 = c2.call(1, B_RECEIVE, body)
        self.assertEqual(r3.body_field, B_DOSSIER_REPLY, r3)
        self.assertEqual(dossier_code(r3), code1)

        total1, mine = self.count_in_list(cid)
        self.assertEqual(mine, 1)
        if total0 < 999:
            self.assertEqual(total1, total0 + 1)

        # and over the raw protocol the unit's list holds it exactly once
        lr = c.call(12, B_LIST, list_body(0, 1000))
        self.assertEqual(lr.body_field, B_LIST_REPLY, lr)
        codes = [decode(x)[1][0].decode() for x in lr.body.get(1, [])]
        self.assertEqual(codes.count(code1), 1)

    def test_retries_in_parallel(self):
        """Five connections race with the same key: one dossier."""
        import threading
        proc = procedure_of_level("commune")
        cid = citizen_id()
        key = "itest-par-" + uuid.uuid4().hex
        body = receive_body(key, proc, "Đỗ Văn Đua", cid)
        conns = [self.open() for _ in range(5)]
        results = [None] * 5

        def go(i):
            try:
                results[i] = conns[i].call(7, B_RECEIVE, body)
            except Exception as e:  # reported below
                results[i] = e

        ts = [threading.Thread(target=go, args=(i,)) for i in range(5)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        codes = set()
        for r in results:
            self.assertFalse(isinstance(r, Exception), r)
            self.assertEqual(r.body_field, B_DOSSIER_REPLY, r)
            codes.add(dossier_code(r))
        self.assertEqual(len(codes), 1, codes)
        _, mine = self.count_in_list(cid)
        self.assertEqual(mine, 1)

    def test_key_is_per_unit(self):
        proc = procedure_of_level("commune")
        key = "itest-shared-" + uuid.uuid4().hex
        a = self.open(UNIT).call(3, B_RECEIVE, receive_body(key, proc, "Người A", citizen_id()))
        b = self.open(UNIT2).call(3, B_RECEIVE, receive_body(key, proc, "Người B", citizen_id()))
        self.assertEqual(a.body_field, B_DOSSIER_REPLY, a)
        self.assertEqual(b.body_field, B_DOSSIER_REPLY, b)
        self.assertNotEqual(dossier_code(a), dossier_code(b))

    def test_different_keys_different_dossiers(self):
        proc = procedure_of_level("commune")
        cid = citizen_id()
        c = self.open()
        r1 = c.call(1, B_RECEIVE, receive_body("itest-" + uuid.uuid4().hex, proc, "Hai Lần", cid))
        r2 = c.call(2, B_RECEIVE, receive_body("itest-" + uuid.uuid4().hex, proc, "Hai Lần", cid))
        self.assertEqual(r1.body_field, B_DOSSIER_REPLY, r1)
        self.assertEqual(r2.body_field, B_DOSSIER_REPLY, r2)
        self.assertNotEqual(dossier_code(r1), dossier_code(r2))


class TestIdempotencyRules(unittest.TestCase):
    """docs/PROTOCOL.md "Idempotency"."""

    def open(self):
        c = Raw(UNIT)
        self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
        self.addCleanup(c.close)
        return c

    def test_key_reused_for_another_action_is_conflict(self):
        c = self.open()
        key = "itest-" + uuid.uuid4().hex
        r = c.call(1, B_RECEIVE, receive_body(key, procedure_of_level("district"), "Xung Đột",
                                              citizen_id()))
        self.assertEqual(r.body_field, B_DOSSIER_REPLY, r)
        code = dossier_code(r)
        f = c.call(2, B_FORWARD, forward_body(key, code))
        self.assertEqual(f.body_field, B_ERROR, f)
        self.assertEqual(f.error_code, "conflict", f)
        s = cli(UNIT, "show", code)
        self.assertEqual(s.rc, 0, s)
        self.assertIsNone(s.doc.get("forwarded_at") if "code" in s.doc
                          else s.doc["dossier"].get("forwarded_at"), s)

    def test_forward_replayed(self):
        c = self.open()
        r = c.call(1, B_RECEIVE, receive_body("itest-" + uuid.uuid4().hex,
                                              procedure_of_level("district"), "Chuyển Lại",
                                              citizen_id()))
        code = dossier_code(r)
        key = "itest-fw-" + uuid.uuid4().hex
        f1 = c.call(2, B_FORWARD, forward_body(key, code))
        self.assertEqual(f1.body_field, B_DOSSIER_REPLY, f1)
        # the same forward again (a retry) is answered like the first time,
        # not refused as bad_state
        f2 = c.call(3, B_FORWARD, forward_body(key, code))
        self.assertEqual(f2.body_field, B_DOSSIER_REPLY, f2)
        self.assertEqual(f2.dossier().get(13), f1.dossier().get(13))  # forwarded_at_ms

    def test_bad_keys_invalid(self):
        c = self.open()
        proc = procedure_of_level("commune")
        for i, key in enumerate(("short", "x" * 64, "has space-123", "ké-unicode-1", "")):
            r = c.call(10 + i, B_RECEIVE, receive_body(key, proc, "Khóa Sai", citizen_id()))
            self.assertEqual(r.body_field, B_ERROR, (key, r))
            self.assertEqual(r.error_code, "invalid", (key, r))
        # 8 and 63 characters are the bounds; fresh keys each run (the shared
        # fixture outlives a ctest run, and a key used again with another
        # citizen is a conflict, not a new dossier)
        run = uuid.uuid4().hex
        for key in (run[:8], (run * 2)[:63], "A_b-" + run[:10]):
            r = c.call(30, B_RECEIVE, receive_body(key, proc, "Khóa Đúng", citizen_id()))
            self.assertEqual(r.body_field, B_DOSSIER_REPLY, (key, r))


if __name__ == "__main__":
    unittest.main()
