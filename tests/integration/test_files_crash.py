"""The server killed with SIGKILL in the middle of an upload, in a throwaway
deployment (deploy/local.sh up on free ports, torn down at the end; the
shared fixture's server stays up). After the restart the same command
resumes from the committed offset, and the partial file was never visible
or downloadable."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from itest import BIN_DIR, CLI, LOCAL_SH, with_components
from itest_env import free_ports
from files_util import make_file, sha256_file

MiB = 1 << 20
UNIT = "18499"


class TestServerKilledMidUpload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="motcua-fcrash-", dir="/var/tmp")
        os.chmod(cls.dir, 0o755)
        env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        cls.env = env
        cls.addClassCleanup(cls.down)  # even if "up" fails half-way
        p, h, g = free_ports(3)
        subprocess.run(["bash", LOCAL_SH, "up", cls.dir, "--port", str(p), "--http-port", str(h),
                        "--pg-port", str(g)], check=True, timeout=280, env=env,
                       stdout=subprocess.DEVNULL)

    @classmethod
    def down(cls):
        subprocess.call(["bash", LOCAL_SH, "down", cls.dir], timeout=120, env=cls.env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def cli(self, *args, timeout=120, env=None):
        conf = os.path.join(self.dir, "units", UNIT + ".conf")
        p = subprocess.run([CLI, "-c", conf, "--json"] + with_components(args), capture_output=True,
                           timeout=timeout, env=env)
        out = p.stdout.decode()
        try:
            doc = json.loads(out) if out.strip() else None
        except ValueError:
            doc = None
        return p.returncode, doc, out + p.stderr.decode()

    def server_pid(self):
        with open(os.path.join(self.dir, "server.pid")) as f:
            return int(f.read().split()[0])

    def content_files(self):
        data = os.path.join(self.dir, "data")
        return sorted(n for d, _, names in os.walk(data)
                      if os.path.relpath(d, data).split(os.sep)[0] != "tmp" for n in names)

    def test_sigkill_mid_upload_then_resume(self):
        rc, procs, _ = self.cli("procedures")
        proc = [p["code"] for p in procs if p["level"] == "commune"][0]
        rc, d, out = self.cli("receive", "--procedure", proc, "--name", "Lê Văn Sập",
                              "--id", "012345678999")
        self.assertEqual(rc, 0, out)
        code = d["code"]
        path = make_file(50 * MiB)
        self.addCleanup(os.unlink, path)
        sha = sha256_file(path)
        tmpdir = os.path.join(self.dir, "data", "tmp")
        conf = os.path.join(self.dir, "units", UNIT + ".conf")
        env = dict(os.environ, MOTCUA_RATE_LIMIT=str(10 * MiB))
        p = subprocess.Popen([CLI, "-c", conf, "--json", "attach", code, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.communicate()))
        grown, deadline = 0, time.time() + 60
        while time.time() < deadline and grown < 15 * MiB and p.poll() is None:
            sizes = [os.path.getsize(os.path.join(tmpdir, n)) for n in os.listdir(tmpdir)]
            grown = max(sizes or [0])
            # while in progress: nothing visible, nothing downloadable
            self.assertNotIn(sha, self.content_files())
            time.sleep(0.02)
        self.assertIsNone(p.poll(), "upload ended before the server could be killed")
        os.kill(self.server_pid(), signal.SIGKILL)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 3, (out, err))  # transport failure
        self.assertNotIn(sha, self.content_files(), "a partial file became visible")

        subprocess.run(["bash", LOCAL_SH, "start-server", self.dir], check=True, timeout=120,
                       env=self.env, stdout=subprocess.DEVNULL)
        rc, lst, out = self.cli("files", code)
        self.assertEqual((rc, lst), (0, []), out)
        dl = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, dl, True)
        rc, _, out = self.cli("download", code, "--out", dl)
        self.assertEqual(rc, 0, out)
        self.assertEqual(os.listdir(dl), [], "a partial file was downloadable")

        rc, doc, out = self.cli("attach", code, path, timeout=300)
        self.assertEqual(rc, 0, out)
        self.assertGreater(doc["resumed_from"], 0, doc)
        self.assertEqual(doc["sha256"], sha)
        self.assertIn(sha, self.content_files())
        rc, _, out = self.cli("download", code, "--out", dl, timeout=300)
        self.assertEqual(rc, 0, out)
        self.assertEqual(sha256_file(os.path.join(dl, code, os.path.basename(path))), sha)


if __name__ == "__main__":
    unittest.main()
