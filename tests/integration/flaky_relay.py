#!/usr/bin/env python3
"""A userspace impairment relay for TCP (used by test_flaky_link.py when the
kernel has no sch_netem).

    flaky_relay.py --listen HOST:PORT --target HOST:PORT [options]

Every accepted connection is relayed to --target. In each direction, every
chunk read is held back --delay-ms (+ uniform 0..--jitter-ms, never
reordering the stream), then written no faster than --rate-bps bytes per
second (0 = no cap in the relay; the test puts a tbf qdisc on the veth for
that). Once per second, with probability --event-prob, the link has a fault:
half the time a *stall* (nothing forwarded either way for 1-3 s), half the
time a *cut* (every relayed connection reset, as when a rural link drops).
--cut-at-bytes N resets a connection once, the first time one connection has
carried N bytes upstream (a deterministic mid-upload drop). This is what
packet loss does to a TCP stream as seen by the application: retransmission
stalls, and, when loss persists, a dead connection. Events are printed on
stdout, one line each (seeded with --seed, so a run can be replayed).
"""
import argparse
import asyncio
import random
import socket
import struct
import sys
import time


def hostport(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


class Relay:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.conns = set()
        self.stalled_until = 0.0
        self.forced_cut_done = a.cut_at_bytes <= 0
        self.events = 0

    def log(self, *parts):
        print("%.3f" % time.time(), *parts, flush=True)

    async def pump(self, reader, writer, conn, upstream):
        q = asyncio.Queue()
        loop = asyncio.get_running_loop()

        async def read_side():
            try:
                while True:
                    data = await reader.read(4096)
                    if not data:
                        break
                    q.put_nowait((loop.time(), data))
            except (ConnectionError, OSError):
                pass
            q.put_nowait((loop.time(), None))

        async def write_side():
            last_due = 0.0
            sent = 0
            try:
                while True:
                    t, data = await q.get()
                    due = max(last_due, t + (self.a.delay_ms +
                                             self.rng.uniform(0, self.a.jitter_ms)) / 1000.0)
                    last_due = due
                    while True:
                        now = loop.time()
                        wait = max(due - now, self.stalled_until - time.time())
                        if wait <= 0:
                            break
                        await asyncio.sleep(wait)
                    if data is None:
                        if writer.can_write_eof():
                            writer.write_eof()
                        break
                    if self.a.rate_bps > 0:
                        await asyncio.sleep(len(data) / float(self.a.rate_bps))
                    writer.write(data)
                    await writer.drain()
                    sent += len(data)
                    if upstream:
                        conn["up"] += len(data)
                        if not self.forced_cut_done and conn["up"] >= self.a.cut_at_bytes:
                            self.forced_cut_done = True
                            self.log("cut-forced", conn["id"], conn["up"])
                            self.reset(conn)
                            return
            except (ConnectionError, OSError):
                pass

        r = asyncio.ensure_future(read_side())
        try:
            await write_side()
        finally:
            r.cancel()

    def reset(self, conn):
        for w in (conn["cw"], conn["sw"]):
            try:
                sock = w.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                w.transport.abort()
            except Exception:
                pass

    async def handle(self, cr, cw):
        try:
            sr, sw = await asyncio.open_connection(*self.a.target)
        except OSError as e:
            self.log("upstream-fail", repr(e))
            cw.transport.abort()
            return
        conn = {"id": id(cw), "cw": cw, "sw": sw, "up": 0}
        self.conns.add(id(cw))
        self.conns_map[id(cw)] = conn
        self.log("open", conn["id"])
        try:
            await asyncio.gather(self.pump(cr, sw, conn, True), self.pump(sr, cw, conn, False))
        finally:
            self.conns.discard(id(cw))
            self.conns_map.pop(id(cw), None)
            for w in (cw, sw):
                try:
                    w.close()
                except Exception:
                    pass
            self.log("close", conn["id"], conn["up"])

    async def faults(self):
        while True:
            await asyncio.sleep(1.0)
            if self.rng.random() >= self.a.event_prob:
                continue
            self.events += 1
            if self.rng.random() < 0.5:
                d = self.rng.uniform(1.0, 3.0)
                self.stalled_until = time.time() + d
                self.log("stall", "%.1fs" % d)
            else:
                self.log("cut", len(self.conns_map))
                for conn in list(self.conns_map.values()):
                    self.reset(conn)

    async def main(self):
        self.conns_map = {}
        srv = await asyncio.start_server(self.handle, *self.a.listen, reuse_address=True)
        self.log("listening", self.a.listen)
        asyncio.ensure_future(self.faults())
        async with srv:
            await srv.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", type=hostport, required=True)
    p.add_argument("--target", type=hostport, required=True)
    p.add_argument("--delay-ms", type=float, default=300)
    p.add_argument("--jitter-ms", type=float, default=50)
    p.add_argument("--rate-bps", type=float, default=0)
    p.add_argument("--event-prob", type=float, default=0.05)
    p.add_argument("--cut-at-bytes", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    try:
        asyncio.run(Relay(a).main())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
