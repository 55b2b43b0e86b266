"""Helpers for the monitor/IT tests of issue 13 (tests/integration/test_mon_*.py).

MonDeployment: a throwaway deploy/local.sh deployment on free ports (under
/var/tmp, torn down by down()), optionally with a short heartbeat, plus the
admin HTTP listener (/api/units, /metrics, /), `motcua monitor`, and resident
`motcua watch` processes. Python 3 stdlib only (prometheus_client is imported
only by the /metrics test, through metric_families()).

Traffic goes to 127.0.0.1 only; every loop here is bounded by a deadline.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request

from itest import CLI, with_components
from reliability_util import Deployment


def wait_until(pred, timeout, interval=0.2):
    """pred() until it returns something truthy, at most timeout seconds;
    returns that value or None."""
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() >= deadline:
            return None
        time.sleep(interval)


def display_width(s):
    """Terminal columns of s: combining marks 0, East Asian wide/full 2, else 1."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(s):
    return ANSI.sub("", s)


class MonDeployment(Deployment):
    """deploy/local.sh up on free ports; heartbeat_s rewritten before the
    server first starts when heartbeat is given."""

    def __init__(self, prefix="motcua-mon-", heartbeat=None):
        super().__init__(prefix)
        self.heartbeat = heartbeat
        self.http = None
        self.watchers = []

    def up(self):
        from itest_env import free_ports
        p, h, g = free_ports(3)
        self.port, self.http = p, h
        if self.heartbeat is None:
            self.local("up", self.dir, "--port", str(p), "--http-port", str(h),
                       "--pg-port", str(g))
            return
        self.local("up", self.dir, "--port", str(p), "--http-port", str(h), "--pg-port", str(g),
                   "--no-server")
        conf = os.path.join(self.dir, "server.conf")
        with open(conf) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^heartbeat_s = \d+$", "heartbeat_s = %d" % self.heartbeat, text)
        if n != 1:
            raise AssertionError("no heartbeat_s line in %s" % conf)
        with open(conf, "w") as f:
            f.write(text)
        self.local("up", self.dir)

    def down(self):
        self.stop_watchers()
        super().down()

    # ---- the admin HTTP listener ---------------------------------------------
    def get(self, path, timeout=10):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.http, path))
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8")

    def api_units(self):
        status, body = self.get("/api/units")
        if status != 200:
            raise AssertionError("/api/units: HTTP %d %s" % (status, body[:500]))
        return json.loads(body)

    def unit(self, code):
        for u in self.api_units()["units"]:
            if u["unit"] == code:
                return u
        raise AssertionError("unit %s not in /api/units" % code)

    def metrics(self):
        status, body = self.get("/metrics")
        if status != 200:
            raise AssertionError("/metrics: HTTP %d %s" % (status, body[:500]))
        return body

    # ---- CLI -----------------------------------------------------------------
    def run(self, unit, *args, lang=None, json_out=False, timeout=60):
        """motcua -c UNIT.conf [--lang L] [--json] ARGS -> CompletedProcess (text)."""
        cmd = [CLI, "-c", self.conf(unit)]
        if lang:
            cmd += ["--lang", lang]
        if json_out:
            cmd.append("--json")
        cmd += with_components(args)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def monitor_text(self, lang=None):
        p = self.run("admin", "monitor", "--once", lang=lang, timeout=30)
        if p.returncode != 0:
            raise AssertionError("monitor --once exit %d: %s" % (p.returncode, p.stderr))
        return strip_ansi(p.stdout)

    @staticmethod
    def row(text, code):
        """The table row of unit CODE in a monitor --once text."""
        for line in text.splitlines():
            if line.split(" ", 1)[0] == code:
                return line
        raise AssertionError("no row for %s in:\n%s" % (code, text))

    # ---- resident links --------------------------------------------------------
    def start_watch(self, unit, conf=None, stderr_path=None):
        """motcua watch (the resident link) in the background; its stdout and
        stderr go to one file (stderr_path or DIR/watch-UNIT-N.err) so that it
        never blocks; watch_stderr(p) reads it."""
        path = stderr_path or os.path.join(self.dir, "watch-%s-%d.err" % (unit, len(self.watchers)))
        errf = open(path, "wb")
        p = subprocess.Popen([CLI, "-c", conf or self.conf(unit), "watch"],
                             stdout=errf, stderr=errf, start_new_session=True)
        errf.close()
        p.err_path = path
        self.watchers.append(p)
        return p

    @staticmethod
    def watch_stderr(p):
        try:
            with open(p.err_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop_watchers(self):
        for p in self.watchers:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in self.watchers:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.watchers = []

    def wait_online(self, code, timeout=20, pred=None):
        """/api/units shows CODE online (and pred(unit) if given): the unit, or None."""
        def ok():
            u = self.unit(code)
            return u if u["online"] and (pred is None or pred(u)) else None
        return wait_until(ok, timeout)

    def wait_offline(self, code, timeout=20):
        def ok():
            u = self.unit(code)
            return u if not u["online"] else None
        return wait_until(ok, timeout)


PARSE = r"""
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [[s.name, s.labels, s.value] for s in f.samples]})
print(json.dumps(out))
"""


def prometheus_python():
    """A python3 that has prometheus_client (Debian python3-prometheus-client
    lives in /usr/bin/python3's dist-packages)."""
    for p in ("/usr/bin/python3", sys.executable):
        if subprocess.run([p, "-c", "import prometheus_client"],
                          capture_output=True).returncode == 0:
            return p
    raise AssertionError("python3-prometheus-client is not installed")


def metric_families(text):
    """{family name: {"type", "help", "samples": [(name, labels, value)]}} of a
    /metrics text, parsed by prometheus_client.parser (raises on a parse error)."""
    p = subprocess.run([prometheus_python(), "-c", PARSE], input=text, capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("prometheus_client could not parse /metrics: " + p.stderr[-2000:])
    return {f["name"]: {"type": f["type"], "help": f["help"],
                        "samples": [(n, l, v) for n, l, v in f["samples"]]}
            for f in json.loads(p.stdout)}


def sample_value(families, name, **labels):
    """The value of sample NAME{labels} (labels matched exactly) in
    metric_families() output, or None."""
    for fam in families.values():
        for n, l, v in fam["samples"]:
            if n == name and l == labels:
                return v
    return None
