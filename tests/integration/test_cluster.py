"""Issue 18: several motcua-server instances on a replicated PostgreSQL.

One throwaway cluster (deploy/cluster.sh: etcd, Patroni with a primary and a
synchronous standby, pgBackRest, two servers, HAProxy), each piece on free
ports of 127.0.0.1, brought up once for the class and torn down at the end.
The tests run in order (their names are numbered): the ones that kill a
piece come last.

  1. an event made on instance 1 reaches a `watch` on instance 2;
  1b. the IT monitor of each instance shows the links of every instance
     with the instance's name (/api/units and `motcua monitor`); after a
     SIGKILL of instance 2 its links leave instance 1's view within the
     lease (live_links, migrations 021 and 031);
  1c. a report is answered through the reports' own pool
     (db_report_conninfo, target_session_attrs=prefer-standby), whose
     connections are all to the standby (the server logs PostgreSQL's
     in_hot_standby for each connection);
  2. a holiday added through instance 1 is applied by instance 2 (a
     reschedule to that day through instance 2 is refused) without SIGHUP;
  3. concurrent receives for one unit through both instances: no deadlock,
     no repeated dossier number; one idempotency key used on both
     instances makes one dossier; an upload begun on instance 1, which
     dies mid-way, resumes on instance 2 from what was committed;
  4. both servers killed: a desk keeps receiving into its outbox; one server
     back: `sync` delivers each queued dossier exactly once through HAProxy;
  5. the PostgreSQL primary killed under a stream of receives: Patroni
     promotes the standby, the servers reconnect by themselves; the time
     from the kill to the first successful receive is printed; every
     acknowledged dossier is in the database afterwards;
  6. a pgBackRest backup restored to a point in time into a scratch
     cluster holds exactly the dossiers acknowledged before that time.
"""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import itest as D

CLUSTER = os.path.join(D.SRC, "deploy", "cluster.sh")
PROC_COMMUNE = "2.000815"   # commune level: the desk resolves it itself
PROC_DISTRICT = "1.001776"  # district level: forwarded to the centre
WAIT = 60
LIVE_LEASE_S = 10  # server/monitor/monitor_server.c: a dead instance's rows expire


def have_cluster_tools():
    return all(shutil.which(t) for t in ("patroni", "etcd", "haproxy", "pgbackrest"))


def sh(*args, timeout=300, check=True):
    env = dict(os.environ, MOTCUA_BIN_DIR=D.BIN_DIR)
    p = subprocess.run([CLUSTER] + list(args), capture_output=True, timeout=timeout, env=env)
    out = p.stdout.decode("utf-8", "replace")
    if check and p.returncode != 0:
        raise AssertionError("cluster.sh %s failed (%d): %s %s" % (
            " ".join(args), p.returncode, out, p.stderr.decode("utf-8", "replace")[-2000:]))
    return out


@unittest.skipUnless(have_cluster_tools(), "patroni, etcd, haproxy or pgbackrest missing")
class TestCluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="motcua-cluster-")
        try:
            sh("up", cls.dir, timeout=600)
        except Exception:
            cls.tearDownClass()
            raise
        env = {}
        with open(os.path.join(cls.dir, "cluster.env")) as f:
            for line in f:
                if "=" in line and not line.startswith("#"):
                    k, v = line.strip().split("=", 1)
                    env[k] = v
        cls.ports = [int(p) for p in env["SERVER_PORTS"].split(",")]
        cls.front = int(env["FRONT_PORT"])
        cls.pg_root = env.get("PG_ROOT", "")
        cls.http = [int(p) for p in env["HTTP_PORTS"].split(",")]

    @classmethod
    def tearDownClass(cls):
        try:
            sh("down", cls.dir, timeout=300, check=False)
        finally:
            if os.environ.get("MOTCUA_KEEP_CLUSTER") != "1":
                shutil.rmtree(cls.dir, ignore_errors=True)
                # PostgreSQL's directories outside DIR (cluster.sh puts them in
                # /var/tmp/mcc-<hash> when the postgres user cannot reach DIR)
                root = getattr(cls, "pg_root", "")
                if root.startswith("/var/tmp/mcc-"):
                    shutil.rmtree(root, ignore_errors=True)

    # ---- helpers -----------------------------------------------------------

    def conf(self, unit):
        return os.path.join(self.dir, "units", "%s.conf" % unit)

    def cli(self, unit, *args, instance=None, timeout=D.TIMEOUT):
        """The CLI of unit through HAProxy, or straight to instance 1 or 2."""
        extra = () if instance is None else ("--port=%d" % self.ports[instance - 1],)
        return D.cli(unit, *(extra + args), conf=self.conf(unit), timeout=timeout)

    def receive(self, unit, cid, instance=None, proc=PROC_COMMUNE):
        return self.cli(unit, "receive", "--procedure", proc, "--name", "Nguyễn Thị Cụm",
                        "--id", cid, "--phone", "0912345678", instance=instance)

    def psql(self, sql):
        return sh("psql", self.dir, "-Atc", sql).strip()

    def count_code(self, code):
        return int(self.psql("SELECT count(*) FROM dossiers WHERE code = '%s'" % code))

    # ---- 1. events ---------------------------------------------------------

    def test_1_event_reaches_a_watch_on_the_other_instance(self):
        district = "444"
        watch = subprocess.Popen(
            [D.CLI, "-c", self.conf(district), "--port=%d" % self.ports[1], "--json", "watch"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        lines = []

        def reader():
            for line in watch.stdout:
                lines.append(line.decode("utf-8", "replace"))

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            deadline = time.time() + WAIT
            while not any('"connected"' in l for l in lines) and time.time() < deadline:
                time.sleep(0.1)
            self.assertTrue(any('"connected"' in l for l in lines), "watch did not connect")
            r = self.receive("18496", D.citizen_id(), instance=1, proc=PROC_DISTRICT)
            self.assertEqual(r.rc, 0, r)
            code = r.doc["code"]
            f = self.cli("18496", "forward", code, instance=1)
            self.assertEqual(f.rc, 0, f)
            deadline = time.time() + 10
            got = None
            while got is None and time.time() < deadline:
                for l in lines:
                    if code in l and '"forward"' in l:
                        got = json.loads(l)
                time.sleep(0.1)
            self.assertIsNotNone(got, "the forward made on instance 1 never reached instance 2's "
                                 "watch: %r" % lines[-3:])
            self.assertEqual(got["dossier"]["holder_unit"], district)
        finally:
            watch.terminate()
            watch.wait(timeout=10)
            watch.stdout.close()

    # ---- 1b. the cluster-wide monitor --------------------------------------

    def api_units(self, instance):
        url = "http://127.0.0.1:%d/api/units" % self.http[instance - 1]
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))

    def links_of(self, doc, unit):
        return [(l["instance"], l["resident"]) for l in doc["links"] if l["unit"] == unit]

    def wait_view(self, instance, pred, seconds):
        deadline, doc = time.time() + seconds, None
        while time.time() < deadline:
            doc = self.api_units(instance)
            if pred(doc):
                return doc
            time.sleep(0.25)
        return doc

    def watch(self, unit, instance):
        p = subprocess.Popen([D.CLI, "-c", self.conf(unit), "--port=%d" % self.ports[instance - 1],
                              "--json", "watch"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: p.poll() is None and (p.terminate(), p.wait(timeout=10)))
        return p

    def test_1b_monitor_shows_every_instance_links(self):
        a, b = "18523", "18526"   # a desk on instance 1, another on instance 2
        self.watch(a, 1)
        self.watch(b, 2)

        def both(doc):
            return (("s1", True) in self.links_of(doc, a) and
                    ("s2", True) in self.links_of(doc, b))

        for inst in (1, 2):
            doc = self.wait_view(inst, both, WAIT)
            self.assertTrue(both(doc), "instance %d: %r %r" % (
                inst, self.links_of(doc, a), self.links_of(doc, b)))
            self.assertEqual(doc["instance"], "s%d" % inst)
            self.assertTrue(doc["cluster_view"])
            units = {u["unit"]: u for u in doc["units"]}
            self.assertEqual((units[a]["instance"], units[a]["online"]), ("s1", True))
            self.assertEqual((units[b]["instance"], units[b]["online"]), ("s2", True))
        # the admin CLI's table data (MonitorReply) says the same
        mon = self.cli("admin", "monitor", "--json", instance=1)
        self.assertEqual(mon.rc, 0, mon)
        self.assertEqual(mon.doc["instance"], "s1")
        units = {u["unit"]: u for u in mon.doc["units"]}
        self.assertEqual(units[b]["instance"], "s2")
        self.assertTrue(units[b]["online"])
        # instance 2 dies: its links leave instance 1's view within the lease
        sh("kill-server", self.dir, "2")
        killed_at = time.monotonic()
        try:
            gone = lambda doc: not any(i == "s2" for i, _ in self.links_of(doc, b))
            doc = self.wait_view(1, gone, LIVE_LEASE_S + 5)
            self.assertTrue(gone(doc), self.links_of(doc, b))
            print("\nmonitor: instance 2's links left instance 1's view %.1f s after its SIGKILL "
                  "(lease %d s)" % (time.monotonic() - killed_at, LIVE_LEASE_S))
            units = {u["unit"]: u for u in doc["units"]}
            self.assertFalse(units[b]["online"])
            self.assertIn(("s1", True), self.links_of(doc, a))
            # instance 1's next publication (every 2 s) deletes the expired
            # instance, its links with it (migration 031)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and int(self.psql(
                    "SELECT count(*) FROM live_links WHERE instance = 's2'")) > 0:
                time.sleep(0.25)
            self.assertEqual(int(self.psql(
                "SELECT count(*) FROM live_links WHERE instance = 's2'")), 0)
            self.assertEqual(int(self.psql(
                "SELECT count(*) FROM live_instances WHERE instance = 's2'")), 0)
        finally:
            sh("start-server", self.dir, "2")

    # ---- 1b'. a clean stop withdraws at once ---------------------------------

    def test_1b_stop_withdraws_links_at_once(self):
        """SIGTERM: instance 2's last publication withdraws its links before
        it exits (its pools close one loop turn after), not the lease."""
        unit = "18529"
        self.watch(unit, 2)
        has = lambda doc: ("s2", True) in self.links_of(doc, unit)
        self.assertTrue(has(self.wait_view(1, has, WAIT)), "instance 2's watch never showed")
        self.assertGreater(int(self.psql(
            "SELECT count(*) FROM live_links WHERE instance = 's2'")), 0)
        pidf = os.path.join(self.dir, "servers", "2", "server.pid")
        with open(pidf) as f:
            pid = int(f.read().split()[0])
        try:
            os.kill(pid, 15)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            self.assertEqual(int(self.psql(
                "SELECT count(*) FROM live_links WHERE instance = 's2'")), 0,
                "instance 2 exited leaving its links to the lease")
        finally:
            sh("start-server", self.dir, "2")

    # ---- 1c. reports from the standby --------------------------------------

    def test_1c_report_answered_by_the_standby(self):
        unit = "18529"
        r = self.receive(unit, D.citizen_id(), instance=1)
        self.assertEqual(r.rc, 0, r)
        day = datetime.date.today().isoformat()
        rep = self.cli(unit, "report", "--from", day, "--to", day, instance=1)
        self.assertEqual(rep.rc, 0, rep)
        self.assertIn("total", rep.doc)
        with open(os.path.join(self.dir, "servers", "1", "server.log"), encoding="utf-8") as f:
            lines = [l for l in f if "storage connection up pool=reports" in l]
        self.assertTrue(lines, "the reports' pool never connected")
        self.assertTrue(all("standby=on" in l for l in lines), lines)
        with open(os.path.join(self.dir, "servers", "1", "server.log"), encoding="utf-8") as f:
            main = [l for l in f if "storage connection up pool=main" in l]
        self.assertTrue(main and all("standby=off" in l for l in main), main[-3:])

    # ---- 2. configuration --------------------------------------------------

    def test_2_holiday_added_on_one_instance_applies_on_the_other(self):
        unit = "18499"
        codes = []
        for _ in range(2):
            r = self.receive(unit, D.citizen_id(), instance=2)
            self.assertEqual(r.rc, 0, r)
            codes.append(r.doc["code"])
        due = D.parse_time(r.doc["due_at"])
        # two Wednesdays well after the due time, off the seeded calendar
        # (Tết falls ~2 months ahead in winter); the first becomes a holiday
        day = (due + datetime.timedelta(days=150)).date()
        day += datetime.timedelta(days=(2 - day.weekday()) % 7)
        other = day + datetime.timedelta(days=7)
        cal = self.cli("444", "holidays", "list", "--year", str(day.year), instance=2)
        self.assertEqual(cal.rc, 0, cal)
        self.assertNotIn(day.isoformat(), cal.out)
        self.assertNotIn(other.isoformat(), cal.out)
        # the premise: instance 2 takes an ordinary Wednesday
        ok = self.cli(unit, "reschedule", codes[0], "--to", other.strftime("%d/%m/%Y"),
                      "--reason", "thử lịch cụm", instance=2)
        self.assertEqual(ok.rc, 0, ok)
        h = self.cli("admin", "holidays", "add", day.isoformat(), "--name", "Ngày nghỉ thử cụm",
                     instance=1)
        self.assertEqual(h.rc, 0, h)
        # the bound: such a change reaches every instance within
        # seconds, without a signal (an accepted reschedule cannot be retried)
        time.sleep(3)
        r = self.cli(unit, "reschedule", codes[1], "--to", day.strftime("%d/%m/%Y"),
                     "--reason", "thử lịch cụm", instance=2)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("invalid", r.error_code or "", r)

    # ---- 3. concurrency and idempotency -------------------------------------

    def test_3_concurrent_receives_on_two_instances(self):
        unit = "18502"
        results = []
        lock = threading.Lock()

        def worker(instance, n):
            for _ in range(n):
                r = self.receive(unit, D.citizen_id(), instance=instance)
                with lock:
                    results.append(r)

        threads = [threading.Thread(target=worker, args=(1 + i % 2, 10)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        self.assertEqual(len(results), 60)
        bad = [r for r in results if r.rc != 0]
        self.assertEqual(bad, [], "receives failed: %r" % bad[:3])
        codes = [r.doc["code"] for r in results]
        self.assertEqual(len(set(codes)), 60, "a dossier number was repeated")
        # one idempotency key on both instances: one dossier
        key = "cluster-%d" % time.time_ns()
        cid = D.citizen_id()
        body = D.receive_body(key, PROC_COMMUNE, "Lê Văn Khóa", cid)
        got = []
        for port in self.ports:
            c = D.Raw(unit=unit, port=port, ca=os.path.join(self.dir, "pki", "ca.crt"),
                      cert=os.path.join(self.dir, "pki", "units", unit + ".crt"),
                      key=os.path.join(self.dir, "pki", "units", unit + ".key"),
                      token=D.session_token(unit, env_dir=self.dir))
            try:
                c.hello()
                m = c.call(7, D.B_RECEIVE, body)
                d = m.dossier()
                got.append(d[1][0].decode() if 1 in d else repr(m))
            finally:
                c.close()
        self.assertEqual(len(set(got)), 1, got)
        self.assertIsNotNone(got[0])
        self.assertEqual(int(self.psql(
            "SELECT count(*) FROM dossiers WHERE code = '%s'" % got[0])), 1)

    # ---- 3b. an upload begun on one instance resumes on the other -----------

    def test_3b_upload_resumes_on_the_other_instance(self):
        from files_util import make_file, sha256_file
        unit = "18517"
        r = self.receive(unit, D.citizen_id(), instance=1)
        self.assertEqual(r.rc, 0, r)
        code = r.doc["code"]
        tmp = tempfile.mkdtemp(prefix="motcua-cluster-upload-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = make_file(30 * 1024 * 1024, dirname=tmp)
        tmpdir = os.path.join(self.dir, "data", "tmp")
        before = set(os.listdir(tmpdir)) if os.path.isdir(tmpdir) else set()
        env = dict(os.environ, MOTCUA_RATE_LIMIT=str(5 * 1024 * 1024))
        p = subprocess.Popen([D.CLI, "-c", self.conf(unit), "--port=%d" % self.ports[0], "--json",
                              "attach", code, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.communicate()))
        grown, deadline = 0, time.time() + 60
        while time.time() < deadline and grown < 8 * 1024 * 1024 and p.poll() is None:
            new = [os.path.join(tmpdir, n) for n in set(os.listdir(tmpdir)) - before] \
                if os.path.isdir(tmpdir) else []
            grown = max([os.path.getsize(f) for f in new if os.path.exists(f)] or [0])
            time.sleep(0.05)
        self.assertIsNone(p.poll(), "upload ended before it could be interrupted")
        sh("kill-server", self.dir, "1")        # instance 1 dies mid-upload
        p.kill()
        p.communicate()
        try:
            r = self.cli(unit, "attach", code, path, instance=2, timeout=180)
            self.assertEqual(r.rc, 0, r)
            self.assertGreater(r.doc["resumed_from"], 0, r)
            files = self.cli(unit, "files", code, instance=2)
            self.assertEqual([f["sha256"] for f in files.doc], [sha256_file(path)], files)
        finally:
            sh("start-server", self.dir, "1")

    # ---- 4. servers killed: outbox through HAProxy ---------------------------

    def test_4_outbox_delivered_once_after_servers_die(self):
        unit = "18505"
        sh("kill-server", self.dir, "1")
        sh("kill-server", self.dir, "2")
        try:
            queued = []
            for _ in range(3):
                r = self.receive(unit, D.citizen_id())
                self.assertEqual(r.rc, 0, r)          # taken offline, provisional number
                self.assertTrue(r.doc.get("provisional") or r.doc["code"].startswith("TAM"), r)
                queued.append(r.doc)
        finally:
            sh("start-server", self.dir, "2")
        # HAProxy takes the instance back after two good checks (~2 s); until
        # then a link through it is closed at once, and the desk tries again
        # (each try is idempotent: the outbox's keys)
        deadline = time.time() + 30
        while True:
            s = self.cli(unit, "sync")
            if s.rc == 0 or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(s.rc, 0, s)
        ob = self.cli(unit, "outbox", "--all").doc
        real = [it.get("code") for it in ob["items"] if it.get("code")]
        self.assertEqual(len(real), 3, ob)
        for code in real:
            self.assertEqual(self.count_code(code), 1, code)
        # a second sync sends nothing again
        self.assertEqual(self.cli(unit, "sync").rc, 0)
        for code in real:
            self.assertEqual(self.count_code(code), 1, code)
        sh("start-server", self.dir, "1")

    # ---- 5. the primary killed -----------------------------------------------

    def test_5_primary_killed_nothing_acknowledged_is_lost(self):
        unit = "18508"
        acked = []
        before = sh("leader", self.dir).strip()
        for _ in range(5):
            r = self.receive(unit, D.citizen_id())
            self.assertEqual(r.rc, 0, r)
            acked.append(r.doc["code"])
        killed_at = time.monotonic()
        victim = sh("kill-primary", self.dir).strip()
        self.assertEqual(victim, before)
        first_ok = None
        queued = 0
        while time.monotonic() - killed_at < 120:
            r = self.receive(unit, D.citizen_id())
            code = r.doc.get("code") if r.rc == 0 and isinstance(r.doc, dict) else None
            if code:
                acked.append(code)
                if first_ok is None:
                    first_ok = time.monotonic()
                if len(acked) >= 10:
                    break
                continue
            queued += r.rc == 0  # taken into the outbox while the database was away
            time.sleep(0.2)
        self.assertIsNotNone(first_ok, "no receive succeeded within 120 s of the kill")
        print("\nfailover: first successful receive %.1f s after the primary was killed "
              "(new primary %s)" % (first_ok - killed_at, sh("leader", self.dir).strip()))
        self.assertNotEqual(sh("leader", self.dir).strip(), victim)
        for code in acked:
            self.assertEqual(self.count_code(code), 1, "acknowledged %s lost" % code)
        # what the desk queued meanwhile is delivered, each once
        self.assertEqual(self.cli(unit, "sync").rc, 0)
        items = self.cli(unit, "outbox", "--all").doc["items"]
        self.assertEqual(len([it for it in items if it.get("code")]), queued, items)
        for it in items:
            self.assertEqual(self.count_code(it["code"]), 1, it)
        sh("start-node", self.dir, victim)

    # ---- 6. backup and restore ------------------------------------------------

    def test_6_backup_restored_to_a_point_in_time(self):
        unit = "18514"
        for _ in range(2):
            self.assertEqual(self.receive(unit, D.citizen_id()).rc, 0)
        sh("backup", self.dir, "full", timeout=600)
        for _ in range(2):
            self.assertEqual(self.receive(unit, D.citizen_id()).rc, 0)
        time.sleep(1.1)
        at = datetime.datetime.now(datetime.timezone.utc)
        n_at = int(self.psql("SELECT count(*) FROM dossiers"))
        time.sleep(1.1)
        for _ in range(2):
            self.assertEqual(self.receive(unit, D.citizen_id()).rc, 0)
        self.psql("SELECT pg_switch_wal()")
        out = sh("restore-drill", self.dir, at.strftime("%Y-%m-%d %H:%M:%S+00"), timeout=600)
        self.assertIn("dossiers=%d" % n_at, out)


if __name__ == "__main__":
    unittest.main()
