"""A test deployment comes up while something else holds the default ports
(issue 13: `deploy/demo.sh` then `tests/run.sh`, the README's two commands,
must work together).

The default ports of deploy/local.sh (server 7443, HTTP 7480, PostgreSQL
15432) are held for the whole file: a listening socket on 127.0.0.1 each,
or, if one is already taken (the demo is running, say), whatever holds it.
Then:
  - a deployment made the way the suite makes them (itest_env.free_ports,
    `local.sh up DIR --port --http-port --pg-port`) comes up, answers a CLI
    ping, takes a dossier and serves /healthz on its HTTP port; after
    `down` nothing of it is left running;
  - `local.sh up` on the defaults fails at once, naming the taken ports,
    and starts nothing (no PostgreSQL cluster);
  - an `up` whose server exits at start-up (a motcua-server that fails the
    way one does on a taken port) stops the PostgreSQL cluster it started:
    nothing is left running, and `down` still works on the half-made DIR.
Every deployment is removed by a cleanup registered before its `up`.
"""
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import unittest
import urllib.request

from itest import BIN_DIR, LOCAL_SH, SERVER, citizen_id
from reliability_util import Deployment

UNIT = "18499"


def default_ports():
    """{option: port} from deploy/local.sh's DEF_* lines."""
    with open(LOCAL_SH) as f:
        text = f.read()
    out = {}
    for opt, var in (("--port", "DEF_PORT"), ("--http-port", "DEF_HTTP_PORT"),
                     ("--pg-port", "DEF_PG_PORT")):
        m = re.search(r"(?m)^%s=(\d+)$" % var, text)
        if m is None:
            raise AssertionError("no %s= line in %s" % (var, LOCAL_SH))
        out[opt] = int(m.group(1))
    return out


def hold(port):
    """A listening socket on 127.0.0.1:port, or None if the port is already
    taken by someone else (which is as good for this test)."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        s.listen(8)
        return s
    except OSError:
        s.close()
        return None


def running_under(d):
    """Processes whose command line mentions directory d (its PostgreSQL
    postmaster and backends, its motcua-server), as 'pid cmdline'."""
    d = os.path.realpath(d)
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if d in cmd and state != "Z" and int(pid) != os.getpid():
            out.append("%s %s" % (pid, cmd.strip()))
    return out


class TestDefaultPortsTaken(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.defaults = default_ports()
        cls.held = {}
        for opt, port in cls.defaults.items():
            s = hold(port)
            cls.held[opt] = s
            if s is not None:
                cls.addClassCleanup(s.close)
        print("default ports %s: %s" % (
            cls.defaults, ", ".join("%d %s" % (p, "held by this test" if cls.held[o] else
                                                "already taken")
                                    for o, p in cls.defaults.items())), flush=True)

    def assertNothingRunning(self, d, when):
        # a process on its way out may need a moment after pg_ctl returns
        left = running_under(d)
        deadline = time.time() + 10
        while left and time.time() < deadline:
            time.sleep(0.2)
            left = running_under(d)
        self.assertEqual(left, [], "%s: still running from %s" % (when, d))

    def test_suite_deployment_beside_the_defaults(self):
        dep = Deployment("motcua-ports-")
        self.addCleanup(dep.down)  # even if "up" fails half-way
        dep.up()
        self.assertNotIn(dep.port, self.defaults.values())
        with open(os.path.join(dep.dir, "local.env")) as f:
            env = dict(line.rstrip("\n").split("=", 1) for line in f
                       if "=" in line and not line.startswith("#"))
        ports = {int(env["MOTCUA_PORT"]), int(env["MOTCUA_HTTP_PORT"]),
                 int(env["MOTCUA_PG_PORT"])}
        self.assertEqual(ports & set(self.defaults.values()), set(), env)

        r = dep.cli(UNIT, "ping")
        self.assertEqual(r.rc, 0, r)
        r = dep.cli(UNIT, "procedures")
        self.assertEqual(r.rc, 0, r)
        proc = next(p["code"] for p in r.doc if p.get("level") == "commune")
        r = dep.cli(UNIT, "receive", "--procedure", proc, "--name", "Phan Thị Cổng Bận",
                    "--id", citizen_id())
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.doc.get("code"), r)
        url = "http://127.0.0.1:%s/healthz" % env["MOTCUA_HTTP_PORT"]
        with urllib.request.urlopen(url, timeout=10) as resp:
            self.assertEqual(resp.status, 200)

        self.assertNotEqual(running_under(dep.dir), [], "nothing runs from %s?" % dep.dir)
        dep.local("down", dep.dir, timeout=120)
        self.assertNothingRunning(dep.dir, "after down")

    def test_up_on_the_taken_defaults_fails_and_starts_nothing(self):
        d = tempfile.mkdtemp(prefix="motcua-ports-def-", dir="/var/tmp")
        os.chmod(d, 0o755)
        env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        self.addCleanup(shutil.rmtree, d, True)
        self.addCleanup(subprocess.run, ["bash", LOCAL_SH, "down", d], env=env,
                        capture_output=True, timeout=120)
        t0 = time.time()
        p = subprocess.run(["bash", LOCAL_SH, "up", d], env=env, capture_output=True,
                           timeout=280)
        took = time.time() - t0
        err = p.stderr.decode("utf-8", "replace")
        self.assertNotEqual(p.returncode, 0, err)
        self.assertIn("already in use", err)
        self.assertIn(str(self.defaults["--port"]), err)
        self.assertIn(str(self.defaults["--http-port"]), err)
        self.assertNotIn("initdb", err, "a cluster was made before the port check")
        self.assertLess(took, 20, "the refusal took %.1f s" % took)
        self.assertNothingRunning(d, "after the refused up")

    def test_failed_up_stops_the_cluster_it_started(self):
        # a motcua-server that migrates (and imports the officers) for real
        # but then exits at start-up, as one does when its port is taken after all
        fake = tempfile.mkdtemp(prefix="motcua-ports-bin-")
        self.addCleanup(shutil.rmtree, fake, True)
        os.symlink(os.path.join(BIN_DIR, "motcua"), os.path.join(fake, "motcua"))
        script = os.path.join(fake, "motcua-server")
        with open(script, "w") as f:
            f.write('#!/bin/sh\ncase " $* " in *" --migrate "* | *" --officers-import "*)'
                    ' exec "%s" "$@" ;; esac\n'
                    'echo "motcua-server (test stand-in): Failed to bind to port: '
                    'Address already in use" >&2\nexit 1\n' % SERVER)
        os.chmod(script, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH |
                 stat.S_IXOTH)
        dep = Deployment("motcua-ports-fail-")
        dep.env["MOTCUA_BIN_DIR"] = fake
        self.addCleanup(dep.down)
        with self.assertRaises(AssertionError) as cm:
            dep.up()
        err = str(cm.exception)
        self.assertIn("exited during start-up", err)
        self.assertIn("stopped the PostgreSQL cluster it had started", err)
        self.assertNothingRunning(dep.dir, "after the failed up")
        # the half-made DIR is still one "down" knows
        p = dep.local("down", dep.dir, timeout=120, check=False)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        self.assertNothingRunning(dep.dir, "after down")


if __name__ == "__main__":
    unittest.main()
