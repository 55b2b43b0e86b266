"""Hostile input on many connections at once (redis protocol.tcl / mosquitto
style): slowloris handshakes, half frames, garbage, a flood of requests.
While it happens the server's memory stays bounded, other units keep being
served, and the per-unit connection and request-rate limits answer with
clear errors."""
import os
import socket
import ssl
import threading
import time
import unittest

from itest import (B_ERROR, B_HELLO_REPLY, B_LIST, B_LIST_REPLY, Raw, cli, envelope, frame, list_body,
                   server_pid, server_port, tls_context, unit_cert, wait_server_ok)

UNIT = "18541"      # Hương Vĩnh: used only by this file
VICTIM = "18544"    # Hương Xuân: the unit that must keep being served
ERR_BUSY = "busy"  # Reply.error_code is the error name


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


HOSTILE = "127.0.0.2"  # hostile connections come from another address than the units'


def tcp(source=None):
    s = socket.create_connection(("127.0.0.1", server_port()), timeout=10,
                                 source_address=(source, 0) if source else None)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class TestHostile(unittest.TestCase):
    def setUp(self):
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass

    def victim_served(self):
        t0 = time.time()
        r = cli(VICTIM, "list", "--limit", "1")
        self.assertEqual(r.rc, 0, r)
        return time.time() - t0

    def hostile(self, opener):
        """One hostile connection from HOSTILE; False if the server refused it
        (its pre-auth budget per address is full: closed at accept)."""
        try:
            self.socks.append(opener())
            return True
        except OSError:  # reset, broken pipe, TLS EOF: refused
            return False

    def test_slowloris_and_garbage_many_connections(self):
        pid = server_pid()
        self.assertIsNotNone(pid)
        before = rss_kib(pid)
        # From another address than the units': 150 plain TCP connections
        # trickling a fake ClientHello, 150 sending garbage, 100 TLS links
        # that stop half-way through a frame. The pre-auth budget per source
        # address refuses most of them at accept.
        def slowloris():
            s = tcp(HOSTILE)
            self.socks.append(s)
            s.sendall(b"\x16\x03\x01\x02")  # a TLS record header, then nothing
            return self.socks.pop()

        def garbage():
            s = tcp(HOSTILE)
            self.socks.append(s)
            s.sendall(os.urandom(512))
            return self.socks.pop()

        ctx = tls_context(*unit_cert(UNIT))

        def half_frame():
            s = ctx.wrap_socket(tcp(HOSTILE), server_hostname="motcua-server")
            self.socks.append(s)
            s.sendall(frame(b"\x00" * 10)[:4] + b"\x00" * 2)  # header + 2 of 10 bytes
            return self.socks.pop()

        held = sum(self.hostile(slowloris) for _ in range(150))
        held += sum(self.hostile(garbage) for _ in range(150))
        held += sum(self.hostile(half_frame) for _ in range(100))
        print("hostile connections kept open by the server at first: %d of 400" % held,
              flush=True)
        # Trickle one more byte on the slowloris sockets for a few seconds
        # while another unit works normally.
        for _ in range(3):
            for s in self.socks[:150]:
                try:
                    s.send(b"\x00")
                except OSError:
                    pass
            self.victim_served()
            time.sleep(0.5)
        after = rss_kib(pid)
        # 400 hostile connections must not cost more than ~64 KiB each.
        self.assertLess(after - before, 400 * 64, "RSS grew from %d to %d KiB" % (before, after))
        wait_server_ok(self, VICTIM)

    def test_rate_limit_answers_busy_and_keeps_the_link(self):
        c = Raw(UNIT)
        self.addCleanup(c.close)
        self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
        n = 400
        c.send(b"".join(frame(envelope(i + 10, B_LIST, list_body(limit=1))) for i in range(n)))
        busy = ok = 0
        for _ in range(n):
            r = c.recv(timeout=30)
            if r.body_field == B_ERROR and r.error_code == ERR_BUSY:
                busy += 1
            elif r.body_field == B_LIST_REPLY:
                ok += 1
        self.assertGreater(busy, 0, "400 pipelined requests never hit the rate limit")
        self.assertGreater(ok, 0)
        # after a pause the same link is served again
        time.sleep(2.5)
        r = c.call(9999, B_LIST, list_body(limit=1))
        self.assertEqual(r.body_field, B_LIST_REPLY, r)

    def test_connections_per_unit_are_capped(self):
        links, refused = [], 0
        self.addCleanup(lambda: [c.close() for c in links])
        for i in range(40):  # the default cap is 32 links per unit
            c = Raw(UNIT)
            links.append(c)
            r = c.hello()
            if r.body_field == B_ERROR:
                self.assertEqual(r.error_code, ERR_BUSY, r)
                refused += 1
        self.assertGreater(refused, 0, "40 links of one unit were all accepted")
        self.assertLessEqual(refused, 40 - 20, "fewer than 20 links of a unit were accepted")
        wait_server_ok(self, VICTIM)


if __name__ == "__main__":
    unittest.main()
