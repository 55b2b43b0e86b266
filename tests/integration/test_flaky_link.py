"""A commune desk on a bad rural link (issue: reliability, item 4).

Topology (built for real, torn down at the end even on failure):

    namespace mcflN (the commune desk)                root namespace (the centre)
    motcua CLI --> flaky_relay.py 10.200.Y.2:R    ==veth==> motcua-server 10.200.Y.1:P
                   (delay, jitter, stalls, cuts)    tbf 256 kbit/s each way

  - a network namespace and a veth pair with addresses 10.200.Y.1/24 (root
    side, where the server listens: `listen_host` is rewritten in the
    throwaway deployment's server.conf) and 10.200.Y.2/24 (namespace side);
  - the impairment asked for is netem "5% loss, 300 ms delay, 256 kbit/s".
    The test tries `tc qdisc add ... netem delay 300ms loss 5% rate 256kbit`
    on both veth ends first. When the kernel has no sch_netem (this CI
    machine: "Specified qdisc kind is unknown", no modules to load), it
    emulates it with what the kernel has:
      * bandwidth: a tbf qdisc (rate 256kbit, burst 1600, latency 400ms) on
        the egress of both veth ends, i.e. 256 kbit/s each way;
      * delay and loss: flaky_relay.py, a userspace TCP relay inside the
        namespace between the desk and the veth: every chunk is held 300 ms
        (+ 0-50 ms jitter, order kept) in each direction; once per second,
        with probability 5%, a stall (nothing forwarded for 1-3 s: what
        retransmission timeouts look like to the application) or a cut
        (every connection reset: what persistent loss ends in). Loss itself
        is not emulated packet by packet: TCP would hide it except as these
        stalls and drops, which is what the desk's software must survive.
        Besides the random events, one cut is forced when a connection has
        carried 295 000 bytes upstream, i.e. in the middle of the scan
        upload after its first 256 KiB chunk was committed, so that the
        resume path runs in every run. The relay also paces its own writes
        at 240 kbit/s (under tbf's rate) so that the bytes it counts are
        bytes the server has, not bytes queued in a socket buffer.
The desk (unit 18499 of a throwaway deployment, client config with host =
the relay's veth address) then:
  1. receives N dossiers over the link;
  2. attaches a ~300 KB scan to the first one; an interrupted attach is
     re-run as the CLI's help says, and must resume (resumed_from > 0);
  3. with the link down (relay stopped: connection refused) receives K more,
     which the outbox queues; with the link back, `motcua sync` (re-run while
     items are pending) delivers them, and a second sync delivers nothing.
Then, over an unimpaired path (a second client config straight to
10.200.Y.1 from the root namespace) and in the database: the unit holds
exactly the N + K expected dossiers, each once, with the codes the desk was
told; `files` lists the scan exactly once and it downloads with the right
SHA-256. A receive that exited 3 (link died with the request in flight)
without being queued leaves the desk not knowing whether the dossier exists:
reported as a failure.
"""
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from itest import CLI, Result, with_components
from files_util import make_file
from itest_env import free_ports
from reliability_util import Deployment, sha256_path

HERE = os.path.dirname(os.path.abspath(__file__))
RELAY = os.path.join(HERE, "flaky_relay.py")
UNIT = "18499"
N_RECEIVE = 6
K_QUEUED = 4
SCAN_BYTES = 300 * 1024
# the relay listens in the test's own namespace, where nothing else runs; its
# port is still a free one, like everything the suite starts (no fixed port)
RELAY_PORT, = free_ports(1)
# one forced cut when a connection has carried this many bytes upstream: past the
# first 256 KiB chunk of the scan (committed), before its end
CUT_AT = 295000
# the relay paces its writes at 240 kbit/s, just under tbf's 256 kbit/s, so that
# what it counts as sent has reached the server instead of queueing in a socket
# buffer behind tbf (the forced cut would otherwise land earlier than meant)
RELAY_RATE = 30000
# fixed by default so that CI runs are comparable; MOTCUA_FLAKY_SEED=N replays
# another run, MOTCUA_FLAKY_SEED=random picks one
_seed = os.environ.get("MOTCUA_FLAKY_SEED", "") or "1"
SEED = random.randrange(1, 1 << 30) if _seed == "random" else int(_seed)


def sh(*args, check=True):
    p = subprocess.run(list(args), capture_output=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(args), p.stderr.decode()[-1000:]))
    return p


def can_netns():
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("tc") is None:
        return False
    return True


@unittest.skipUnless(can_netns(), "needs root, ip and tc (network namespaces)")
class TestFlakyLink(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        n = os.getpid() % 10000
        cls.ns = "mcfl%d" % n
        cls.va, cls.vb = "mcfl%da" % n, "mcfl%db" % n
        used = sh("ip", "-o", "addr").stdout.decode()
        cls.y = next(y for y in [os.getpid() % 200 + 20] + list(range(20, 250))
                     if " 10.200.%d." % y not in used)
        cls.server_ip, cls.desk_ip = "10.200.%d.1" % cls.y, "10.200.%d.2" % cls.y
        cls.relay = None
        cls.relay_log = None
        cls.dep = Deployment("motcua-flaky-")
        cls.addClassCleanup(cls.cleanup)
        cls.dep.up()
        cls.make_topology()
        cls.emulation = cls.impair()
        print("link emulation: %s; seed %d (MOTCUA_FLAKY_SEED to replay)" % (cls.emulation,
                                                                                SEED), flush=True)
        # the server listens on the root side of the veth only
        conf = os.path.join(cls.dep.dir, "server.conf")
        with open(conf) as f:
            text = f.read()
        text = re.sub(r"(?m)^listen_host\s*=.*$", "listen_host = %s" % cls.server_ip, text)
        with open(conf, "w") as f:
            f.write(text)
        cls.dep.local("stop-server", cls.dep.dir, timeout=120)
        cls.dep.start_server()
        # the desk (in the namespace) talks to the relay; the checker (root
        # namespace) talks to the server straight over the veth address
        cls.desk_conf = cls.client_conf("flaky-desk", cls.desk_ip, RELAY_PORT)
        cls.direct_conf = cls.client_conf("flaky-direct", cls.server_ip, cls.dep.port)

    @classmethod
    def make_topology(cls):
        sh("ip", "netns", "add", cls.ns)
        sh("ip", "link", "add", cls.va, "type", "veth", "peer", "name", cls.vb)
        sh("ip", "link", "set", cls.vb, "netns", cls.ns)
        sh("ip", "addr", "add", cls.server_ip + "/24", "dev", cls.va)
        sh("ip", "link", "set", cls.va, "up")
        sh("ip", "netns", "exec", cls.ns, "ip", "addr", "add", cls.desk_ip + "/24", "dev", cls.vb)
        sh("ip", "netns", "exec", cls.ns, "ip", "link", "set", cls.vb, "up")
        sh("ip", "netns", "exec", cls.ns, "ip", "link", "set", "lo", "up")

    @classmethod
    def impair(cls):
        netem = ["netem", "delay", "300ms", "50ms", "loss", "5%", "rate", "256kbit"]
        p1 = sh("tc", "qdisc", "add", "dev", cls.va, "root", *netem, check=False)
        if p1.returncode == 0:
            sh("ip", "netns", "exec", cls.ns, "tc", "qdisc", "add", "dev", cls.vb, "root", *netem)
            cls.start_relay(delay=0, jitter=0, prob=0.0)  # plain relay: netem does the rest
            return "kernel netem (delay 300ms 50ms, loss 5%, rate 256kbit) on both veth ends"
        why = p1.stderr.decode().strip()
        tbf = ["tbf", "rate", "256kbit", "burst", "1600", "latency", "400ms"]
        sh("tc", "qdisc", "add", "dev", cls.va, "root", *tbf)
        sh("ip", "netns", "exec", cls.ns, "tc", "qdisc", "add", "dev", cls.vb, "root", *tbf)
        cls.start_relay(delay=300, jitter=50, prob=0.05, cut_at=CUT_AT, rate=RELAY_RATE)
        return ("no netem (%s): tbf 256kbit on both veth ends + userspace relay "
                "(300 ms + 0-50 ms jitter each way, 5%%/s stall 1-3 s or cut)" % why)

    @classmethod
    def start_relay(cls, delay=300, jitter=50, prob=0.05, cut_at=0, rate=0, seed=None):
        cls.relay_args = (delay, jitter, prob, 0, rate)
        if cls.relay_log is None:
            cls.relay_log = open(os.path.join(cls.dep.dir, "relay.log"), "a")
        cls.relay = subprocess.Popen(
            ["ip", "netns", "exec", cls.ns, "python3", RELAY,
             "--listen", "%s:%d" % (cls.desk_ip, RELAY_PORT),
             "--target", "%s:%d" % (cls.server_ip, cls.dep.port),
             "--delay-ms", str(delay), "--jitter-ms", str(jitter), "--event-prob", str(prob),
             "--cut-at-bytes", str(cut_at), "--rate-bps", str(rate),
             "--seed", str(seed if seed is not None else SEED)],
            stdout=cls.relay_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            out = sh("ip", "netns", "exec", cls.ns, "ss", "-ltn", check=False).stdout.decode()
            if ":%d " % RELAY_PORT in out:
                return
            if cls.relay.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("relay did not start (see %s)" % cls.relay_log.name)

    @classmethod
    def stop_relay(cls):
        if cls.relay is not None and cls.relay.poll() is None:
            cls.relay.send_signal(signal.SIGTERM)
            try:
                cls.relay.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.relay.kill()
                cls.relay.wait(timeout=10)
        cls.relay = None

    @classmethod
    def client_conf(cls, name, host, port):
        with open(cls.dep.conf(UNIT)) as f:
            text = f.read()
        text = re.sub(r"(?m)^host\s*=.*$", "host = %s" % host, text)
        text = re.sub(r"(?m)^port\s*=.*$", "port = %d" % port, text)
        text = re.sub(r"(?m)^timeout_s\s*=.*$", "timeout_s = 30", text)
        path = os.path.join(cls.dep.dir, "units", "%s.conf" % name)
        with open(path, "w") as f:
            f.write(text)
        return path

    @classmethod
    def cleanup(cls):
        try:
            cls.stop_relay()
        finally:
            if cls.relay_log is not None:
                cls.relay_log.close()
                try:
                    with open(cls.relay_log.name) as f:
                        print("relay events:\n" + "".join(
                            l for l in f if " open " not in l and " close " not in l))
                except OSError:
                    pass
            sh("ip", "link", "del", cls.va, check=False)
            sh("ip", "netns", "del", cls.ns, check=False)
            cls.dep.down()

    # ---- helpers -------------------------------------------------------------

    def desk(self, *args, timeout=180):
        cmd = ["ip", "netns", "exec", self.ns, CLI, "-c", self.desk_conf, "--json"] + with_components(args)
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))

    def direct(self, *args, timeout=120):
        return self.dep.cli(UNIT, *args, conf=self.direct_conf, timeout=timeout)

    def receive(self, name):
        cid = "0%011d" % random.randrange(10 ** 11)
        t0 = time.time()
        r = self.desk("receive", "--procedure", self.proc, "--name", name, "--id", cid)
        doc = r.doc if isinstance(r.doc, dict) else {}
        if r.rc == 0 and doc.get("queued") is True:
            out = ("queued", doc.get("provisional"))
        elif r.rc == 0 and doc.get("code"):
            out = ("acked", doc["code"])
        else:
            out = ("lost" if r.rc == 3 else "failed", (r.out + r.err)[-500:])
        print("  receive %s: %s %s (%.1fs)" % (name, out[0], out[1] if out[0] != "lost" else
                                               "", time.time() - t0), flush=True)
        return out

    # ---- the test --------------------------------------------------------------

    def test_receive_attach_sync_over_bad_link(self):
        r = self.direct("procedures")
        self.assertEqual(r.rc, 0, r)
        self.proc = next(p["code"] for p in r.doc if p.get("level") == "commune")
        # The link itself drops now and then (that is the point): the desk
        # must get through within a few tries, as a clerk would retry.
        for _ in range(5):
            r = self.desk("ping")
            if r.rc == 0:
                break
            time.sleep(1)
        self.assertEqual(r.rc, 0, "ping over the impaired link: %r" % r)
        print("ping over the link: rtt %s ms" % r.doc.get("rtt_ms"), flush=True)

        expected = {}  # applicant name -> code the desk was told
        queued = {}    # applicant name -> provisional number
        lost, failed = [], []
        for i in range(N_RECEIVE):
            name = "Võ Thị Mạng Yếu %d" % i
            kind, val = self.receive(name)
            if kind == "acked":
                expected[name] = val
            elif kind == "queued":
                queued[name] = val
            elif kind == "lost":
                lost.append((name, val))
            else:
                failed.append((name, val))
        self.assertEqual(failed, [], "receives refused over the link")
        self.assertTrue(expected, "no receive got through the link")

        # ---- a ~300 KB scan --------------------------------------------------
        code = next(iter(expected.values()))
        path = make_file(SCAN_BYTES, dirname=self.dep.dir)
        sha = sha256_path(path)
        tries, resumed, t0 = 0, 0, time.time()
        while True:
            tries += 1
            a = self.desk("attach", code, path, timeout=300)
            if a.rc == 0:
                break
            self.assertEqual(a.rc, 3, "attach refused: %r" % a)
            self.assertLess(tries, 8, "attach never completed: %r" % a)
        self.assertEqual(a.doc.get("sha256"), sha, a)
        resumed = a.doc.get("resumed_from", 0)
        print("  attach %d bytes: %d run(s), resumed_from %s, %.1fs" % (
            SCAN_BYTES, tries, resumed, time.time() - t0), flush=True)
        if tries > 1 and "relay" in self.emulation:
            self.assertGreater(resumed + (1 if a.doc.get("deduplicated") else 0), 0,
                               "an interrupted attach started again from zero: %r" % a.doc)

        # ---- link down: the outbox queues; link back: sync ------------------------
        self.stop_relay()
        for i in range(K_QUEUED):
            name = "Võ Thị Hàng Đợi %d" % i
            kind, val = self.receive(name)
            self.assertEqual(kind, "queued", "with the link down: %s %r" % (kind, val))
            queued[name] = val
        self.start_relay(*self.relay_args, seed=SEED + 1)
        delivered = {}
        for attempt in range(6):
            s = self.desk("sync", timeout=300)
            self.assertIn(s.rc, (0, 3), s)
            for it in (s.doc or {}).get("items", []):
                if it.get("outcome") == "delivered" and it.get("provisional"):
                    delivered[it["provisional"]] = it["code"]
            print("  sync %d: rc %d, delivered %s, pending %s" % (
                attempt + 1, s.rc, (s.doc or {}).get("delivered"), (s.doc or {}).get("pending")),
                flush=True)
            if s.rc == 0 and (s.doc or {}).get("pending") == 0:
                break
        self.assertEqual(s.rc, 0, "the outbox never emptied over the link: %r" % s)
        again = self.desk("sync", timeout=300)
        self.assertEqual(again.rc, 0, again)
        self.assertEqual(again.doc.get("delivered"), 0, again)
        for name, prov in queued.items():
            self.assertIn(prov, delivered, "queued %s (%s) never delivered" % (name, prov))
            expected[name] = delivered[prov]

        # ---- what the server holds ------------------------------------------------
        r = self.direct("list", "--limit", "1000")
        self.assertEqual(r.rc, 0, r)
        listed = r.doc["dossiers"] if isinstance(r.doc, dict) else r.doc
        codes = [d["code"] for d in listed]
        self.assertEqual(len(codes), len(set(codes)), "duplicate codes in the list")
        lost_names = [n for n, _ in lost]
        rows = self.dep.sql("SELECT applicant_name, code FROM dossiers WHERE unit_code = '%s'"
                            " ORDER BY id" % UNIT)
        by_name = {}
        for name, c in rows:
            by_name.setdefault(name, []).append(c)
        for name, c in expected.items():
            self.assertEqual(by_name.get(name), [c], "dossier %s on the server" % name)
        extra = {n: c for n, c in by_name.items() if n not in expected and n not in lost_names}
        self.assertEqual(extra, {}, "dossiers nobody was told about")
        for n in lost_names:
            self.assertLessEqual(len(by_name.get(n, [])), 1, "duplicate for %s" % n)
        self.assertEqual(sorted(codes), sorted(c for cs in by_name.values() for c in cs))

        f = self.direct("files", code)
        self.assertEqual(f.rc, 0, f)
        self.assertEqual([x["sha256"] for x in f.doc], [sha], "files of %s" % code)
        out = tempfile.mkdtemp(dir=self.dep.dir)
        d = self.direct("download", code, "--out", out)
        self.assertEqual(d.rc, 0, d)
        got = [sha256_path(os.path.join(out, code, n))  # DIR/CODE/NAME (B1)
               for n in os.listdir(os.path.join(out, code))]
        self.assertEqual(got, [sha])
        self.assertIsNone(self.dep.sanitizer_report())

        self.assertEqual(
            lost, [], "receive exited 3 over the flaky link and was NOT put in the outbox "
            "(%d of %d exist on the server): the desk cannot know, a retry by hand makes a "
            "duplicate" % (sum(1 for n in lost_names if by_name.get(n)), len(lost)))


if __name__ == "__main__":
    unittest.main()
