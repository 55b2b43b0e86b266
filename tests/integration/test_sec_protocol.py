"""Issue 12, protocol findings P1, P2 and P4 (docs/SECURITY.md). P3
(pipelined pings) is in test_sec_flood.py.

P1  The same idempotency key with a different body returns the first
    dossier.
    FAILS TODAY: a second ReceiveRequest with the key of the first and
    another applicant gets DossierReply with the first dossier instead of
    Error{ERR_CONFLICT}.
P2  No Hello timeout: a TLS link that never sends Hello is kept until the
    idle timeout (90 s).
    FAILS TODAY: such a link is still open 15 s after the handshake.
P4  The Error for a malformed envelope carries request id 0 although the id
    was readable; `busy` messages name the wrong limit; the monitor refusal
    names the wrong role.
    FAILS TODAY: id 0; the per-unit link cap is answered "too many requests
    in flight" (proto/error.c's text for ERR_BUSY); a commune's
    MonitorRequest is refused with "only district staff may do this".
    Also here: a request with id 0 is refused (ERR_INVALID, "request_id"),
    a Pong or ClientStatus with id 0 is not.

Its own throwaway deployment (max_connections_per_unit = 4), torn down at
the end. Registered DISABLED under the label "security".
"""
import os
import socket
import time
import unittest

from itest import (B_DOSSIER_REPLY, B_ERROR, B_HELLO_REPLY, B_PING, B_PONG, B_PROCEDURES,
                   B_RECEIVE, Closed, f_bytes, f_varint, frame, ping_body, receive_body)
from sec_util import B_MONITOR, B_MONITOR_REPLY, Deployment

B_CLIENT_STATUS = 42

DEP = None
UNIT, CAPPED, COMMUNE = "18526", "18529", "18532"
PER_UNIT = 4


def setUpModule():
    global DEP
    DEP = Deployment("motcua-secproto-",
                     {("limits", "max_connections_per_unit"): PER_UNIT}).up()


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


def cid():
    return "0%011d" % (int.from_bytes(os.urandom(5), "big") % 10 ** 11)


class TestP1IdempotencyConflict(unittest.TestCase):
    def test_same_key_different_body_conflicts(self):
        c = DEP.raw(UNIT)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            proc = DEP.procedure()
            key = "sec-" + os.urandom(8).hex()
            first = cid()
            r1 = c.call(10, B_RECEIVE, receive_body(key, proc, "Lê Văn Một", first))
            self.assertEqual(r1.body_field, B_DOSSIER_REPLY, r1)
            # the same body again: the same dossier (control, passes today)
            r1b = c.call(11, B_RECEIVE, receive_body(key, proc, "Lê Văn Một", first))
            self.assertEqual(r1b.body_field, B_DOSSIER_REPLY, r1b)
            self.assertEqual(r1b.dossier()[1][0], r1.dossier()[1][0])
            other = cid()
            r2 = c.call(12, B_RECEIVE, receive_body(key, proc, "Trần Thị Hai", other))
            self.assertEqual(r2.body_field, B_ERROR,
                             "the key of dossier %s reused with another applicant was answered "
                             "with dossier %s" % (
                                 r1.dossier()[1][0].decode(),
                                 r2.dossier().get(1, [b"?"])[0].decode()
                                 if r2.body_field == B_DOSSIER_REPLY else r2))
            self.assertEqual(r2.error_code, "conflict", r2)
        finally:
            c.close()


class TestP2HelloTimeout(unittest.TestCase):
    BOUND_S = 15

    def test_link_without_hello_closed(self):
        c = DEP.raw(UNIT)
        t0 = time.time()
        try:
            closed = None
            while time.time() - t0 < self.BOUND_S + 1:
                try:
                    c.recv(timeout=1)
                except socket.timeout:
                    continue
                except Closed:
                    closed = time.time() - t0
                    break
            self.assertIsNotNone(closed, "a TLS link that never sent Hello was still open "
                                         "%d s after the handshake" % (self.BOUND_S + 1))
        finally:
            c.close()


class TestP4ErrorDetails(unittest.TestCase):
    def test_malformed_body_error_carries_request_id(self):
        c = DEP.raw(UNIT)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            # request_id 77, then a ReceiveRequest (field 12) whose inner
            # field 1 claims 127 bytes but has 3
            payload = f_varint(1, 77) + f_bytes(12, b"\x0a\x7fabc")
            c.send(frame(payload))
            try:
                r = c.recv(timeout=10)
            except Closed:
                self.fail("closed without an Error for a malformed body")
            self.assertEqual(r.body_field, B_ERROR, r)
            self.assertEqual(r.request_id, 77, "the Error for a malformed body carries id %d, "
                                               "not the readable id 77 (%s / %s)" % (
                                                   r.request_id, r.error_message, r.error_detail))
        finally:
            c.close()

    def test_link_cap_busy_names_the_link_limit(self):
        links, refused = [], None
        try:
            for _ in range(PER_UNIT + 2):
                c = DEP.raw(CAPPED)
                links.append(c)
                try:
                    r = c.hello()
                except Closed:
                    continue
                if r.body_field == B_ERROR:
                    refused = r
                    break
            self.assertIsNotNone(refused, "%d links of one unit were all accepted (cap %d)" % (
                len(links), PER_UNIT))
            self.assertEqual(refused.error_code, "busy", refused)
            text = refused.error_message + " / " + refused.error_detail
            self.assertNotIn("in flight", text.lower(),
                             "the per-unit link cap is explained as %r" % text)
        finally:
            for c in links:
                c.close()

    def test_request_id_zero_refused(self):
        """docs/PROTOCOL.md: a request with id 0 is refused with
        Error{ERR_INVALID, detail="request_id"}; the messages without reply
        (Pong to the server's Ping, ClientStatus) may carry id 0."""
        c = DEP.raw(UNIT)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            c.send_env(0, B_PROCEDURES)
            r = c.recv(timeout=10)
            self.assertEqual(r.body_field, B_ERROR, "a request with id 0 was answered: %r" % r)
            self.assertEqual((r.request_id, r.error_code, r.error_detail),
                             (0, "invalid", "request_id"), r)
            c.send_env(0, B_PONG, ping_body(1))          # no reply, no refusal
            c.send_env(0, B_CLIENT_STATUS, f_varint(1, 0))
            r = c.call(9, B_PING, ping_body())
            self.assertEqual(r.body_field, B_PONG, "after a Pong and a ClientStatus with "
                             "id 0 the link answered %r" % r)
        finally:
            c.close()

    def test_monitor_refusal_names_the_admin_role(self):
        c = DEP.raw(COMMUNE)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            r = c.call(3, B_MONITOR, b"")
            self.assertNotEqual(r.body_field, B_MONITOR_REPLY, "a commune read the monitor")
            self.assertEqual(r.body_field, B_ERROR, r)
            self.assertEqual(r.error_code, "forbidden", r)
            text = r.error_message + " / " + r.error_detail
            self.assertNotIn("only district staff", text,
                             "a commune's monitor refusal says %r (the monitor is for "
                             "IT staff, not district staff)" % text)
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
