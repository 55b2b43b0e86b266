"""The link monitor (docs/MONITOR.md): monitor --json with three watch
clients, /metrics through a strict text-format check, /healthz, /readyz,
/api/units, the dashboard rendered by headless Chromium, the link history in
PostgreSQL, and a revoked unit's session closed within 5 s of the reload.

Runs its own throwaway deployment (deploy/local.sh on free ports, heartbeat
every 2 s, torn down at the end): revoking a certificate must not touch the
shared fixture.
"""
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from itest import BIN_DIR, CLI, HERE, LOCAL_SH, with_components
from itest_env import SANITIZER_MARKS, free_ports

WATCHED = ("18499", "18502", "18505")
REVOKED = "18502"
UNITS = 22  # 21 communes + the district centre


def system_python():
    for p in ("/usr/bin/python3", sys.executable):
        if subprocess.run([p, "-c", "import prometheus_client"], capture_output=True).returncode == 0:
            return p
    return None


class Tiles(html.parser.HTMLParser):
    """data-unit / data-state of the dashboard's tiles in a DOM dump."""

    def __init__(self):
        super().__init__()
        self.tiles, self.loaded = {}, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-unit" in a and "tile" in (a.get("class") or ""):
            self.tiles[a["data-unit"]] = a.get("data-state")
        if tag == "body" and a.get("data-loaded") == "1":
            self.loaded = True


class MonitorTest(unittest.TestCase):
    env = None
    watchers = {}

    @classmethod
    def local(cls, *args, timeout=180):
        env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        return subprocess.run([LOCAL_SH] + list(args), capture_output=True, text=True,
                              timeout=timeout, env=env)

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="motcua-mon-", dir="/tmp")
        cls.addClassCleanup(cls.down)  # even if set-up fails half-way
        cls.port, cls.http, pg = free_ports(3)
        r = cls.local("up", cls.dir, "--port", str(cls.port), "--http-port", str(cls.http),
                      "--pg-port", str(pg), "--no-server")
        if r.returncode != 0:
            raise AssertionError("local.sh up --no-server failed: %s" % r.stderr[-3000:])
        conf = os.path.join(cls.dir, "server.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:  # pings every 2 s: RTTs within seconds
            f.write(re.sub(r"(?m)^heartbeat_s = \d+$", "heartbeat_s = 2", text))
        r = cls.local("up", cls.dir)
        if r.returncode != 0:
            raise AssertionError("local.sh up failed: %s" % r.stderr[-3000:])

    @classmethod
    def down(cls):
        for p in cls.watchers.values():
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in cls.watchers.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.stdout.close()
        cls.local("down", cls.dir, timeout=120)
        log = os.path.join(cls.dir, "server.log")
        text = ""
        if os.path.exists(log):
            with open(log, encoding="utf-8", errors="replace") as f:
                text = f.read()
        shutil.rmtree(cls.dir, ignore_errors=True)
        hits = [m for m in SANITIZER_MARKS if m in text]
        if hits:
            raise AssertionError("sanitizer report in the monitor test's server log:\n" +
                                 text[text.find(hits[0]) - 500:][:5000])

    # ---- helpers ------------------------------------------------------------
    def conf(self, unit):
        return os.path.join(self.dir, "units", "%s.conf" % unit)

    def cli(self, unit, *args, timeout=30):
        p = subprocess.run([CLI, "-c", self.conf(unit)] + with_components(args), capture_output=True,
                           text=True, timeout=timeout)
        return p

    def snapshot(self):
        p = self.cli("admin", "--json", "monitor")
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def get(self, path, method="GET"):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.http, path), method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode("utf-8")

    def start_watchers(self):
        for u in WATCHED:
            if u not in self.watchers:
                self.watchers[u] = subprocess.Popen(
                    [CLI, "-c", self.conf(u), "--json", "watch"], stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, text=True)

    def wait_three_online(self, timeout=20):
        self.start_watchers()
        deadline, doc = time.time() + timeout, None
        while time.time() < deadline:
            doc = self.snapshot()
            on = {u["unit"]: u for u in doc["units"] if u["online"]}
            if set(on) == set(WATCHED) and all(u["rtt_ms"] is not None for u in on.values()):
                return doc
            time.sleep(0.5)
        self.fail("three watched units not online with an RTT: %r" %
                  [(u["unit"], u["online"], u["rtt_ms"]) for u in doc["units"] if u["online"]])

    # ---- tests ---------------------------------------------------------------
    def test_01_monitor_json_three_online(self):
        doc = self.wait_three_online()
        self.assertEqual(len(doc["units"]), UNITS)
        self.assertEqual(len({u["unit"] for u in doc["units"]}), UNITS)
        for u in doc["units"]:
            for k in ("unit", "name", "online", "since", "rtt_ms", "bytes_in", "bytes_out",
                      "last_seen", "outbox_depth"):
                self.assertIn(k, u)
            if u["unit"] in WATCHED:
                self.assertTrue(u["online"])
                self.assertIsInstance(u["rtt_ms"], int)
                self.assertGreaterEqual(u["rtt_ms"], 0)
                self.assertGreater(u["bytes_in"], 0)
                self.assertGreater(u["bytes_out"], 0)
                self.assertTrue(u["last_seen"])
                self.assertTrue(u["tls_version"].startswith("TLSv1."), u)
                self.assertEqual(u["outbox_depth"], 0)
            else:
                # issue 13: a unit no resident link ever came from has never
                # connected (not "offline" since the server's start)
                self.assertFalse(u["online"], u)
                self.assertEqual(u["state"], "never", u)
        # the human table ends by itself under --once, the units not online named
        p = self.cli("admin", "--lang", "en", "monitor", "--once", timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Online 3/22", p.stdout)
        p = self.cli("admin", "monitor", "--once", timeout=20)
        # "chưa từng kết nối" once the CLI renders the state "never" (issue 13)
        self.assertRegex(p.stdout, "chưa từng kết nối|mất kết nối")

    def test_02_admin_only(self):
        p = self.cli("18499", "--json", "monitor")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "forbidden")

    def test_03_metrics_strict_parse(self):
        self.wait_three_online()
        p = self.cli("18499", "--json", "receive", "--procedure", "1.001193", "--name",
                     "Lê Thị Mai", "--id", "042190001234", "--phone", "0912345678")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        status, headers, body = self.get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("text/plain", headers["Content-Type"])
        py = system_python()
        self.assertIsNotNone(py, "python3-prometheus-client is not installed")
        p = subprocess.run([py, os.path.join(HERE, "promcheck.py"), "-"], input=body,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for u in WATCHED:
            self.assertIn('motcua_unit_online{unit="%s"} 1\n' % u, body)
            self.assertRegex(body, r'motcua_unit_rtt_seconds\{unit="%s"\} \d' % u)
        self.assertIn('motcua_connections{state="online"} 3\n', body)
        self.assertEqual(len(re.findall(r"(?m)^motcua_unit_online\{", body)), UNITS)
        self.assertRegex(body, r"(?m)^motcua_db_connections_up [1-9]")
        self.assertRegex(body, r"(?m)^motcua_db_queued \d+$")
        batches = int(re.search(r"(?m)^motcua_db_receive_batches_total (\d+)$", body).group(1))
        batched = int(re.search(r"(?m)^motcua_db_batched_receives_total (\d+)$", body).group(1))
        self.assertGreaterEqual(batches, 1)
        self.assertGreaterEqual(batched, batches)
        lanes = int(re.search(r"(?m)^motcua_db_receive_lanes (\d+)$", body).group(1))
        self.assertTrue(2 <= lanes <= 16, lanes)  # db_receive_lanes = 0: the CPUs, 2..16

    def test_04_health_ready_api(self):
        status, _, body = self.get("/healthz")
        self.assertEqual((status, body), (200, "ok\n"))
        status, _, body = self.get("/readyz")
        self.assertEqual(status, 200, body)
        status, headers, body = self.get("/api/units")
        self.assertEqual(status, 200)
        self.assertIn("application/json", headers["Content-Type"])
        api = json.loads(body)
        cli_doc = self.snapshot()
        self.assertEqual([u["unit"] for u in api["units"]], [u["unit"] for u in cli_doc["units"]])
        self.assertEqual(set(api["units"][0]), set(cli_doc["units"][0]))
        self.assertEqual(self.get("/nope")[0], 404)
        self.assertEqual(self.get("/metrics", method="POST")[0], 405)

    def test_05_dashboard_in_chromium(self):
        self.wait_three_online()
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        self.assertIsNotNone(browser, "chromium is not installed (deploy/packages.txt)")
        profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        try:
            p = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                 "--virtual-time-budget=4000", "--window-size=390,1200", "--dump-dom",
                 "http://127.0.0.1:%d/" % self.http],
                capture_output=True, text=True, timeout=90)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        tiles = Tiles()
        tiles.feed(p.stdout)
        self.assertTrue(tiles.loaded, "the page's script did not render the snapshot")
        self.assertEqual(len(tiles.tiles), UNITS, tiles.tiles)
        for unit, state in tiles.tiles.items():
            if unit in WATCHED:
                self.assertIn(state, ("online", "degraded"), unit)
            else:
                self.assertEqual(state, "never", unit)
        self.assertIn("Mất kết nối", p.stdout)
        self.assertNotRegex(p.stdout, r'(src|href)="https?://', "external resource")

    def test_06_link_history(self):
        self.wait_three_online()
        r = self.local("psql", self.dir, "-At", "-c",
                       "SELECT unit FROM link_events WHERE kind = 'connect' ORDER BY unit")
        self.assertEqual(r.returncode, 0, r.stderr)
        for u in WATCHED:
            self.assertIn(u, r.stdout.split())
        r = self.local("psql", self.dir, "-At", "-c",
                       "SELECT count(*) FROM link_uptime(current_date - 1, current_date, 420)")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(int(r.stdout.strip()), 2 * UNITS)

    def test_07_revoked_unit_closed_within_5s(self):
        self.wait_three_online()
        before = {u["unit"]: u for u in self.snapshot()["units"]}
        t0 = time.time()
        r = self.local("revoke", self.dir, REVOKED)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc, closed_at = None, None
        while time.time() - t0 < 10:
            doc = self.snapshot()
            u = {x["unit"]: x for x in doc["units"]}
            if not u[REVOKED]["online"]:
                closed_at = time.time()
                break
            time.sleep(0.2)
        self.assertIsNotNone(closed_at, "revoked unit still online after 10 s")
        self.assertLess(closed_at - t0, 5.0)
        u = {x["unit"]: x for x in doc["units"]}
        self.assertEqual(u[REVOKED]["last_close_reason"], "cert_revoked")
        reasons = [c["reason"] for c in doc["recent_closed"] if c["unit"] == REVOKED]
        self.assertIn("cert_revoked", reasons)
        # the others kept their connection (same since, still online)
        for other in set(WATCHED) - {REVOKED}:
            self.assertTrue(u[other]["online"], other)
            self.assertEqual(u[other]["since"], before[other]["since"], other)
        # a new connection with the revoked certificate is refused; the desk is told
        # so (issue 13: exit 4, "cert_revoked", not a TLS error)
        p = self.cli(REVOKED, "--json", "ping")
        self.assertEqual(p.returncode, 4, p.stdout)
        self.assertEqual(json.loads(p.stdout)["error"]["code"], "cert_revoked", p.stdout)
        time.sleep(1)
        doc = self.snapshot()
        self.assertFalse({x["unit"]: x for x in doc["units"]}[REVOKED]["online"])
        self.assertIn("tls_failure", [c["reason"] for c in doc["recent_closed"]])
        r = self.local("psql", self.dir, "-At", "-c",
                       "SELECT reason FROM link_events WHERE unit = '%s' AND kind = 'disconnect'"
                       % REVOKED)
        self.assertIn("cert_revoked", r.stdout.split())
        # migration 027: the server wrote the disconnect with its connect's time
        r = self.local("psql", self.dir, "-At", "-c",
                       "SELECT count(*), count(c.id) FROM link_events d LEFT JOIN link_events c "
                       "ON c.boot_ms = d.boot_ms AND c.conn_id = d.conn_id AND c.kind = 'connect' "
                       "AND c.at = d.connected_at WHERE d.unit = '%s' AND d.kind = 'disconnect' "
                       "AND d.reason = 'cert_revoked'" % REVOKED)
        n, matched = (int(x) for x in r.stdout.strip().split("|"))
        self.assertGreaterEqual(n, 1, r.stdout)
        self.assertEqual(matched, n, "a disconnect without its connect's time")


if __name__ == "__main__":
    unittest.main()
