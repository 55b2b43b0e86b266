"""Issue 12, findings B3, B4 and P3 (docs/SECURITY.md): floods by a stranger
(no certificate) and by one certified link. Bounded: a few hundred sockets,
100,000 pings, under a minute each; everything is closed at the end. The
strangers connect from 127.0.0.2 (another address of the loopback), the
certified units from 127.0.0.1, so that a per-address limit can tell them
apart as it would on a real network.

B3  A stranger locks every desk out: about 2,050 idle TCP sockets with no
    certificate made 51 of 54 `motcua ping` fail: connections that have not
    finished the TLS handshake count against max_connections, with no
    per-address limit.
    FAILS TODAY: with max_connections = 100 and 150 idle sockets held, every
    `motcua ping` of a certified unit fails (server/session.c counts every
    accepted socket in nsessions and closes the ones over the limit).

B4  The admin HTTP listener dies until restart: open 70 idle sockets to it
    and close them: /healthz never answers again; 64 slowloris sockets keep
    it down; any Host header is answered (DNS rebinding reaches /api/units).
    FAILS TODAY: server/http.c caps MHD at 64 connections with no timeout
    and answers every Host.

P3  100,000 pipelined pings on one link stall the other units (ping is
    exempt from the request rate).
    FAILS TODAY if another unit's ping p99 goes above 200 ms meanwhile, or
    the server's RSS grows by more than 64 MiB.

Its own throwaway deployment (max_connections = 100), torn down at the end.
Registered DISABLED under the labels "security" and "slow".
"""
import multiprocessing
import os
import socket
import threading
import time
import unittest

from itest import B_HELLO_REPLY, B_PING, B_PONG, Closed, envelope, frame, ping_body, varint
from sec_util import Deployment, http_get

MAX_CONN = 100
STRANGER = "127.0.0.2"    # the stranger's address (loopback alias)
DEP = None
UNIT, VICTIM, FLOODER = "18505", "18508", "18514"


def setUpModule():
    global DEP
    if os.environ.get("MOTCUA_SANITIZE") == "1":
        # P3 bounds the server's RSS growth: under ASan the quarantine of
        # freed blocks (256 MiB by default) would count as growth; 16 MiB
        # keeps use-after-free detection and measures the server itself.
        opts = os.environ.get("ASAN_OPTIONS", "")
        os.environ["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "quarantine_size_mb=16"
    # the per-address share at its production default (local.sh raises it,
    # since all of a local deployment's units share 127.0.0.1)
    DEP = Deployment("motcua-secflood-", {("server", "max_connections"): MAX_CONN,
                                          ("limits", "max_preauth_per_addr"): 16}).up()


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


def idle_sockets(port, n, source=STRANGER):
    out = []
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=5,
                                         source_address=(source, 0))
            out.append(s)
    except OSError:
        close_all(out)
        raise
    return out


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


class TestB3StrangerLockout(unittest.TestCase):
    def timed_ping(self, unit):
        t0 = time.time()
        r = DEP.cli(unit, "--timeout_s=5", "ping", timeout=20)
        return r, time.time() - t0

    def test_control_ping_without_flood(self):
        r, took = self.timed_ping(UNIT)
        self.assertEqual(r.rc, 0, r)
        self.assertLess(took, 1.5, r)

    def test_certified_unit_served_while_strangers_hold_sockets(self):
        n = MAX_CONN + 50
        socks = idle_sockets(DEP.port, n)
        try:
            time.sleep(0.3)  # let the server accept them all
            results = []
            for _ in range(5):  # within the handshake timeout (10 s) of the flood
                r, took = self.timed_ping(UNIT)
                results.append((r.rc, round(took, 2), r.error_code))
                time.sleep(0.3)
            failed = [x for x in results if x[0] != 0 or x[1] > 2.0]
            self.assertEqual(failed, [], "with %d unauthenticated idle sockets open "
                             "(max_connections=%d) `motcua ping` of a certified unit "
                             "failed or took > 2 s: %r" % (n, MAX_CONN, results))
        finally:
            close_all(socks)


class TestB4AdminHttp(unittest.TestCase):
    def healthz_ok(self, timeout=2.0):
        try:
            status, body = http_get(DEP.http_port, "/healthz", timeout=timeout)
            return status == 200
        except (OSError, ValueError):
            return False

    def setUp(self):
        # one test may leave the listener dead (the finding): start clean
        if not self.healthz_ok(3.0):
            DEP.restart_server()
        self.assertTrue(self.healthz_ok(3.0), "/healthz does not answer before the test")

    def answers_within(self, seconds, per_try=2.0):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.healthz_ok(per_try):
                return True
            time.sleep(0.2)
        return False

    def test_healthz_after_70_idle_sockets_closed(self):
        """70 idle sockets (over MHD's 64), one request while they are held
        (it may fail: the listener is full), then all closed: /healthz must
        answer again. Three rounds: the dead listener of today is a race that
        a single round misses now and then."""
        for round_ in range(3):
            socks = idle_sockets(DEP.http_port, 70)
            try:
                time.sleep(0.5)
                self.healthz_ok(1.0)
            finally:
                close_all(socks)
            self.assertTrue(self.answers_within(5.0),
                            "round %d: /healthz gives no answer within 5 s after 70 idle "
                            "sockets to the admin listener were opened and closed" % round_)

    def test_healthz_under_slowloris(self):
        socks = idle_sockets(DEP.http_port, 64)
        try:
            for s in socks:
                try:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                except OSError:
                    pass
            slow = []
            for round_ in range(4):  # ~ 12 s: a header byte every 3 s
                t0 = time.time()
                ok = self.answers_within(3.0)
                slow.append((round_, ok, round(time.time() - t0, 2)))
                for s in socks:
                    try:
                        s.sendall(b"X")
                    except OSError:
                        pass
                time.sleep(max(0.0, 3.0 - (time.time() - t0)))
            self.assertEqual([x for x in slow if not x[1]], [],
                             "/healthz did not answer within 3 s while 64 slowloris sockets "
                             "trickled headers: %r" % slow)
        finally:
            close_all(socks)

    def test_host_header_checked(self):
        for host in ("127.0.0.1:%d" % DEP.http_port, "localhost:%d" % DEP.http_port):
            status, _ = http_get(DEP.http_port, "/api/units", host=host, timeout=5)
            self.assertEqual(status, 200, "Host %s" % host)
        for host in ("evil.example", "evil.example:%d" % DEP.http_port):
            status, body = http_get(DEP.http_port, "/api/units", host=host, timeout=5)
            self.assertTrue(400 <= status < 500,
                            "GET /api/units with Host: %s answered %d (%d bytes): DNS "
                            "rebinding reaches the admin API" % (host, status, len(body)))


SENTINEL = 999999999


def ping_flood(port_ready, done, n=100000):
    """Child process (no GIL shared with the measuring test): one link of
    FLOODER writes n pipelined pings in one go, then a last ping whose Pong
    tells that the server has worked through all of them (done)."""
    flood = DEP.raw(FLOODER)
    try:
        if flood.hello().body_field != B_HELLO_REPLY:
            return
        stop = threading.Event()

        mark = b"\x08" + varint(SENTINEL)   # Envelope.request_id = SENTINEL

        def drainer():
            # read as fast as the server writes (a slow reader would only
            # push back on the flood); find the sentinel's Pong in the bytes
            tail = flood.buf
            flood.s.settimeout(1)
            while not stop.is_set():
                try:
                    chunk = flood.s.recv(1 << 16)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                tail = tail[-16:] + chunk
                if mark in tail:
                    done.set()
                    break

        t = threading.Thread(target=drainer, daemon=True)
        t.start()
        data = b"".join(frame(envelope(1000 + i, B_PING, ping_body(i))) for i in range(n))
        data += frame(envelope(SENTINEL, B_PING, ping_body(0)))
        port_ready.set()
        try:
            flood.s.sendall(data)
        except OSError:
            pass
        t.join(60)
        stop.set()
    finally:
        flood.close()


class TestP3PipelinedPings(unittest.TestCase):
    def test_pipelined_pings_do_not_stall_other_units(self):
        victim = DEP.raw(VICTIM)
        ctx = multiprocessing.get_context("fork")
        ready, done = ctx.Event(), ctx.Event()
        child = ctx.Process(target=ping_flood, args=(ready, done), daemon=True)
        try:
            self.assertEqual(victim.hello().body_field, B_HELLO_REPLY)
            # baseline: the victim's own ping without a flood
            base = []
            for i in range(20):
                t0 = time.time()
                victim.call(10 + i, B_PING, ping_body(), timeout=5)
                base.append(time.time() - t0)
            rss0 = DEP.rss_kib()
            child.start()
            self.assertTrue(ready.wait(20), "flooder did not start")
            rtts, rss_max, deadline = [], rss0, time.time() + 60
            rid = 100
            while time.time() < deadline and (not done.is_set() or len(rtts) < 50):
                t0 = time.time()
                rid += 1
                try:
                    r = victim.call(rid, B_PING, ping_body(), timeout=5)
                    self.assertEqual(r.body_field, B_PONG, r)
                    rtts.append(time.time() - t0)
                except (socket.timeout, Closed):
                    rtts.append(5.0)
                rss_max = max(rss_max, DEP.rss_kib())   # back to back: one ping always
                time.sleep(0.01)  # overlaps a stall; ~100/s stays under the ping rate (200/s)
            flooded = done.is_set()
            rtts.sort()
            p99 = rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))]
            self.assertTrue(flooded, "the server did not answer the flooder's last ping "
                                     "within 60 s")
            self.assertLess(p99, 0.200, "another unit's ping p99 = %.0f ms (max %.0f ms, %d "
                            "samples; %.1f ms max without the flood) while one link pipelined "
                            "100000 pings" % (p99 * 1000, rtts[-1] * 1000, len(rtts),
                                              max(base) * 1000))
            self.assertLess(rss_max - rss0, 64 * 1024,
                            "server RSS grew from %d to %d KiB" % (rss0, rss_max))
        finally:
            victim.close()
            if child.is_alive():
                child.join(15)
            if child.is_alive():
                child.terminate()
                child.join(5)


if __name__ == "__main__":
    unittest.main()
