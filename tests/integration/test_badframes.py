"""Malformed input after a good TLS handshake (mosquitto's
01-bad-initial-packets style). After each case the server must still serve
a CLI ping and its process must be alive."""
import os
import random
import socket
import struct
import unittest

from itest import (B_ERROR, B_HELLO, B_HELLO_REPLY, B_LIST, B_PING, B_PONG, Closed, Raw,
                   decode, envelope, f_varint, frame, hello, list_body, ping_body,
                   wait_server_ok)

UNIT = "18517"  # used only by this file


class TestBadFrames(unittest.TestCase):
    def conn(self):
        c = Raw(UNIT)
        self.addCleanup(c.close)
        return c

    def good(self):
        c = self.conn()
        h = c.hello()
        self.assertEqual(h.body_field, B_HELLO_REPLY, h)
        return c

    def expect_error_or_close(self, c, codes=None, must_close=True):
        """Either an Error reply (with one of codes) and then a close, or a
        close straight away. Anything else fails."""
        try:
            r = c.recv(timeout=10)
        except Closed:
            return None
        except socket.timeout:
            self.fail("server neither answered nor closed")
        self.assertEqual(r.body_field, B_ERROR, "expected an Error, got %r" % r)
        if codes:
            self.assertIn(r.error_code, codes, r)
        if must_close:
            self.assertTrue(c.closed_by_peer(10), "server kept a broken stream open")
        return r

    def tearDown(self):
        wait_server_ok(self, UNIT)

    # -- controls: the raw client itself works ------------------------------
    def test_control_hello_and_pings(self):
        c = self.conn()
        h = c.hello()
        self.assertEqual(h.body_field, B_HELLO_REPLY, h)
        self.assertEqual(h.request_id, 1)
        self.assertEqual(h.body[1][0], 1)                 # protocol_version
        self.assertEqual(h.body[3][0].decode(), UNIT)     # unit_code from the cert
        self.assertEqual(h.body[5][0], 1)                 # ROLE_COMMUNE
        self.assertIn(8, h.body)                          # max_frame
        # 50 pings pipelined in one write: 50 pongs, ids and payloads echoed
        c.send(b"".join(frame(envelope(100 + i, B_PING, ping_body(1000 + i)))
                        for i in range(50)))
        seen = {}
        while len(seen) < 50:
            r = c.recv()
            if r.request_id == 0:
                continue
            self.assertEqual(r.body_field, B_PONG, r)
            seen[r.request_id] = r.body.get(1, [0])[0]
        self.assertEqual(seen, {100 + i: 1000 + i for i in range(50)})

    # -- bad input ---------------------------------------------------------
    def test_truncated_frame_then_close(self):
        c = self.good()
        c.send(struct.pack(">I", 100) + b"\x08\x01" + b"x" * 8)
        c.close()

    def test_truncated_frame_then_silence(self):
        """Half a frame, then nothing: the server may wait (idle timeout), but
        must not block others meanwhile (checked in tearDown)."""
        c = self.good()
        c.send(struct.pack(">I", 100) + b"\x08\x01")

    def test_oversize_declared_length(self):
        c = self.good()
        c.send(struct.pack(">I", 0x7FFFFFFF) + b"\x00" * 16)
        self.expect_error_or_close(c, ("too_big",))

    def test_over_max_frame_by_one(self):
        c = self.good()
        c.send(struct.pack(">I", 1048577))
        self.expect_error_or_close(c, ("too_big",))

    def test_zero_length_frame(self):
        c = self.good()
        c.send(struct.pack(">I", 0))
        self.expect_error_or_close(c, ("protocol",))

    def test_random_bytes(self):
        rnd = random.Random(4444)
        for i in range(5):
            c = self.good()
            n = rnd.randrange(1, 400)
            payload = bytes(rnd.randrange(256) for _ in range(n))
            c.send(struct.pack(">I", n) + payload)
            # random payload: an Error + close, or (if it happens to decode) any reply
            try:
                r = c.recv(timeout=10)
            except Closed:
                continue
            if r.body_field == B_ERROR:
                self.assertIsNotNone(r.error_code, r)

    def test_random_stream(self):
        c = self.good()
        c.send(os.urandom(4096))
        self.expect_error_or_close(c)

    def test_envelope_without_body(self):
        c = self.good()
        c.send(frame(f_varint(1, 77)))
        self.expect_error_or_close(c, ("protocol",))

    def test_request_before_hello(self):
        c = self.conn()
        c.send(frame(envelope(5, B_PING, ping_body())))
        r = self.expect_error_or_close(c, ("protocol",))
        self.assertIsNotNone(r, "no Error reply for a request before Hello")
        self.assertEqual(r.error_code, "protocol")
        self.assertEqual(r.request_id, 5)

    def test_list_before_hello(self):
        c = self.conn()
        c.send(frame(envelope(6, B_LIST, list_body())))
        r = self.expect_error_or_close(c, ("protocol",))
        self.assertIsNotNone(r, "no Error reply for a request before Hello")
        # and no data came with it
        self.assertNotEqual(r.body_field, 17)

    def test_hello_bad_version(self):
        c = self.conn()
        c.send(frame(envelope(1, B_HELLO, hello(999))))
        # docs/PROTOCOL.md: Error{ERR_VERSION} with both versions, then close
        r = self.expect_error_or_close(c, ("version",))
        self.assertIsNotNone(r, "no Error reply for protocol_version 999")
        self.assertEqual(r.error_code, "version")
        self.assertEqual(r.request_id, 1)
        # both versions are named (PROTOCOL.md says "in the message"; the
        # server puts them in detail: either is accepted)
        text = r.error_message + " " + r.error_detail
        self.assertIn("999", text)
        self.assertIn("1", text.replace("999", ""))

    def test_second_hello(self):
        c = self.good()
        c.send(frame(envelope(2, B_HELLO, hello())))
        try:
            r = c.recv(timeout=10)
        except Closed:
            return
        self.assertEqual(r.body_field, B_ERROR, r)
        self.assertEqual(r.error_code, "protocol", r)

    def test_server_only_message_from_client(self):
        c = self.good()
        # a HelloReply (body 4) sent by a client is nonsense
        c.send(frame(envelope(3, B_HELLO_REPLY, f_varint(1, 1))))
        try:
            r = c.recv(timeout=10)
        except Closed:
            return
        self.assertEqual(r.body_field, B_ERROR, r)
        self.assertIn(r.error_code, ("protocol", "invalid"), r)

    def test_many_bad_connections(self):
        for _ in range(20):
            c = self.good()
            c.send(struct.pack(">I", 0x7FFFFFFF))
            c.close()


if __name__ == "__main__":
    unittest.main()
