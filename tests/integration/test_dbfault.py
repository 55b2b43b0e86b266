"""The server survives a PostgreSQL outage (issue: reliability): while the
database is down, requests get a clear "try again" error instead of hanging
or crashing; when it is back the server reconnects by itself and nothing
acknowledged before the outage is lost. Runs in its own throwaway
deployment so the shared fixture is not disturbed."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from itest import BIN_DIR, CLI, LOCAL_SH, citizen_id, with_components
from itest_env import free_ports

UNIT = "18499"


class TestDatabaseFault(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mc-dbfault-")
        os.chmod(cls.dir, 0o755)
        cls.env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        # registered first: runs even if "up" fails half-way
        cls.addClassCleanup(cls.down)
        # free ports for everything the deployment listens on (the defaults
        # may be taken, e.g. by deploy/demo.sh running beside the suite)
        port, http_port, pg_port = free_ports(3)
        subprocess.run(["bash", LOCAL_SH, "up", cls.dir, "--port", str(port), "--http-port",
                        str(http_port), "--pg-port", str(pg_port)], env=cls.env, check=True,
                       timeout=300, stdout=subprocess.DEVNULL)

    @classmethod
    def down(cls):
        subprocess.run(["bash", LOCAL_SH, "down", cls.dir], env=cls.env, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def local(self, *args):
        subprocess.run(["bash", LOCAL_SH] + list(args) + [self.dir], env=self.env, check=True,
                       timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cli(self, *args, timeout=60):
        conf = os.path.join(self.dir, "units", UNIT + ".conf")
        p = subprocess.run([CLI, "-c", conf, "--json"] + with_components(args), capture_output=True,
                           text=True, timeout=timeout)
        doc = json.loads(p.stdout) if p.stdout.strip() else None
        return p.returncode, doc

    def receive(self):
        rc, procs = self.cli("procedures")
        proc = next(p["code"] for p in procs if p["level"] == "commune")
        return self.cli("receive", "--procedure", proc, "--name", "Trần Văn Sự Cố",
                        "--id", citizen_id())

    def server_pid(self):
        with open(os.path.join(self.dir, "server.pid")) as f:
            return int(f.read().split()[0])

    def test_outage_then_recovery(self):
        pid = self.server_pid()
        acked = []
        for _ in range(3):
            rc, d = self.receive()
            self.assertEqual(rc, 0, d)
            acked.append(d["code"])
        self.local("stop-db")
        try:
            t0 = time.time()
            rc, d = self.receive()
            took = time.time() - t0
            self.assertEqual(rc, 1, d)  # refused by the server, not a dead link
            self.assertEqual(d["error"]["code"], "unavailable", d)
            self.assertLess(took, 30, "the refusal took %.1fs" % took)
            os.kill(pid, 0)  # still alive
            rc, d = self.cli("ping")
            self.assertEqual(rc, 0, d)  # the link itself is fine
        finally:
            self.local("start-db")
        deadline, rc = time.time() + 60, 1
        while time.time() < deadline:
            rc, d = self.receive()
            if rc == 0:
                break
            time.sleep(0.25)  # poll: the recovery is what is timed, not the poll
        self.assertEqual(rc, 0, "no recovery within 60 s after the database came back: %r" % d)
        self.assertEqual(self.server_pid(), pid, "the server restarted instead of reconnecting")
        rc, lst = self.cli("list", "--limit", "100")
        codes = {x["code"] for x in lst["dossiers"]}
        for c in acked:
            self.assertIn(c, codes, "acknowledged dossier %s lost" % c)


if __name__ == "__main__":
    unittest.main()
