"""Upload expiry (settings [files] upload_expiry_s, server/handlers_files.c
sweep_cb), in a throwaway deployment: deploy/local.sh up on free ports with
upload_expiry_s = 4 written into its server.conf, torn down at the end. The
shared fixture's server keeps its 24 h expiry, so no other test is affected.

- An attach killed half-way leaves its `uploads` row and DATA/tmp/<id>; once
  untouched for upload_expiry_s a sweep (every second here) deletes both and
  logs "upload expired"; the same attach then starts again from offset 0 and
  stores the right file.
- An upload that keeps making progress (a chunk every 2 s, 1.5x the expiry in
  all) is never expired while active and completes without restarting."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from itest import BIN_DIR, CLI, LOCAL_SH, citizen_id, with_components
from itest_env import SANITIZER_MARKS, free_ports
from files_util import make_file, sha256_file

KiB = 1 << 10
MiB = 1 << 20
UNIT = "18499"
EXPIRY_S = 4  # sweep every max(1, EXPIRY_S / 4) s
CODE_OK = re.compile(r"^[A-Za-z0-9.-]+$")


class TestUploadExpiry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="motcua-fexp-", dir="/var/tmp")
        os.chmod(cls.dir, 0o755)
        cls.env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        cls.addClassCleanup(cls.down)  # even if set-up fails half-way
        p, h, g = free_ports(3)
        # database, PKI and server.conf first; the short expiry goes into the
        # [files] section before the server ever starts
        cls.local("up", "--port", str(p), "--http-port", str(h), "--pg-port", str(g),
                  "--no-server")
        conf = os.path.join(cls.dir, "server.conf")
        with open(conf) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^\[files\]\n", "[files]\nupload_expiry_s = %d\n" % EXPIRY_S,
                          text)
        if n != 1:
            raise AssertionError("no [files] section in %s" % conf)
        with open(conf, "w") as f:
            f.write(text)
        cls.local("up")
        cls.tmpdir = os.path.join(cls.dir, "data", "tmp")
        cls.files = tempfile.mkdtemp(prefix="motcua-fexp-files-")
        rc, procs, out = cls.run_cli("procedures")
        if rc != 0:
            raise AssertionError("procedures: " + out)
        cls.proc = [x["code"] for x in procs if x["level"] == "commune"][0]

    @classmethod
    def down(cls):
        subprocess.call(["bash", LOCAL_SH, "down", cls.dir], timeout=120, env=cls.env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = cls.log_since(0)
        shutil.rmtree(cls.dir, ignore_errors=True)
        shutil.rmtree(getattr(cls, "files", ""), ignore_errors=True)
        hits = [m for m in SANITIZER_MARKS if m in text]
        if hits:
            i = min(text.find(m) for m in hits)
            raise AssertionError("sanitizer report in server.log:\n" +
                                 text[max(0, i - 500):i + 4000])

    # ---- helpers -----------------------------------------------------------

    @classmethod
    def local(cls, *args, timeout=280):
        subprocess.run(["bash", LOCAL_SH, args[0], cls.dir] + list(args[1:]), check=True,
                       timeout=timeout, env=cls.env, stdout=subprocess.DEVNULL)

    @classmethod
    def run_cli(cls, *args, timeout=120, env=None):
        conf = os.path.join(cls.dir, "units", UNIT + ".conf")
        p = subprocess.run([CLI, "-c", conf, "--json"] + with_components(args), capture_output=True,
                           timeout=timeout, env=env)
        out = p.stdout.decode("utf-8", "replace")
        try:
            doc = json.loads(out) if out.strip() else None
        except ValueError:
            doc = None
        return p.returncode, doc, out + p.stderr.decode("utf-8", "replace")

    @classmethod
    def log_since(cls, off):
        try:
            with open(os.path.join(cls.dir, "server.log"), "rb") as f:
                f.seek(off)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_size(self):
        return os.path.getsize(os.path.join(self.dir, "server.log"))

    def psql(self, sql):
        p = subprocess.run(["bash", LOCAL_SH, "psql", self.dir, "-At", "-F", "|", "-c", sql],
                           capture_output=True, timeout=30, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode("utf-8", "replace"))
        return [ln.split("|") for ln in p.stdout.decode().splitlines() if ln]

    def uploads_of(self, code):
        """[(id, committed, size)] of the dossier's unfinished uploads."""
        self.assertRegex(code, CODE_OK)
        rows = self.psql("SELECT u.id, u.committed, u.size FROM uploads u"
                         " JOIN dossiers d ON d.id = u.dossier_id WHERE d.code = '%s'" % code)
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def new_dossier(self, name):
        rc, d, out = self.run_cli("receive", "--procedure", self.proc, "--name", name,
                                  "--id", citizen_id())
        self.assertEqual(rc, 0, out)
        return d["code"]

    def check_stored(self, code, path, sha):
        rc, lst, out = self.run_cli("files", code)
        self.assertEqual(rc, 0, out)
        self.assertEqual([x["sha256"] for x in lst], [sha], out)
        dl = tempfile.mkdtemp(dir=self.files)
        rc, _, out = self.run_cli("download", code, "--out", dl)
        self.assertEqual(rc, 0, out)
        self.assertEqual(sha256_file(os.path.join(dl, code, os.path.basename(path))), sha)

    def start_attach(self, code, path, rate):
        conf = os.path.join(self.dir, "units", UNIT + ".conf")
        env = dict(os.environ, MOTCUA_RATE_LIMIT=str(rate))
        p = subprocess.Popen([CLI, "-c", conf, "--json", "attach", code, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.communicate()))
        return p

    # ---- tests -------------------------------------------------------------

    def test_interrupted_upload_expires_then_attach_starts_over(self):
        code = self.new_dossier("Lê Thị Hết Hạn")
        size = 8 * MiB
        path = make_file(size, dirname=self.files)
        sha = sha256_file(path)
        log_off = self.log_size()

        # 1. kill the CLI half-way: a row in uploads and DATA/tmp/<id> remain
        before = set(os.listdir(self.tmpdir))
        p = self.start_attach(code, path, 2 * MiB)
        tmp, grown, deadline = None, 0, time.time() + 30
        while time.time() < deadline and grown < size // 2 and p.poll() is None:
            new = sorted(set(os.listdir(self.tmpdir)) - before)
            if new:
                tmp = os.path.join(self.tmpdir, new[0])
                try:
                    grown = os.path.getsize(tmp)
                except FileNotFoundError:
                    pass
            time.sleep(0.02)
        self.assertIsNone(p.poll(), "upload ended before it could be interrupted")
        self.assertGreaterEqual(grown, size // 2, "upload made no progress in time")
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        killed = time.time()
        rows, deadline = [], time.time() + 2
        while time.time() < deadline:  # the last committed offset is written asynchronously
            rows = self.uploads_of(code)
            if rows and rows[0][1] > 0:
                break
            time.sleep(0.05)
        self.assertEqual(len(rows), 1, rows)
        upload_id, committed, rsize = rows[0]
        self.assertEqual(rsize, size)
        self.assertTrue(0 < committed < size, rows)
        self.assertEqual(os.path.basename(tmp), upload_id)
        self.assertTrue(os.path.exists(tmp), "no temporary file after the interruption")
        self.assertGreaterEqual(os.path.getsize(tmp), committed)

        # 2. after upload_expiry_s and a sweep: row, file and memory state gone
        gone, deadline = None, killed + EXPIRY_S + 15
        while time.time() < deadline:
            if not os.path.exists(tmp) and not self.uploads_of(code) and \
                    "upload expired id=%s" % upload_id in self.log_since(log_off):
                gone = time.time()
                break
            time.sleep(0.2)
        self.assertIsNotNone(gone, "upload %s not expired %d s after the kill: row=%r file=%r" % (
            upload_id, EXPIRY_S + 15, self.uploads_of(code), os.path.exists(tmp)))
        # its last touch was at most a moment before the kill: not removed early
        self.assertGreaterEqual(gone - killed, EXPIRY_S - 1.5, "expired too early")
        self.assertEqual(sorted(set(os.listdir(self.tmpdir)) - before), [])

        # 3. the same attach starts from 0 and stores the right file
        rc, doc, out = self.run_cli("attach", code, path)
        self.assertEqual(rc, 0, out)
        self.assertEqual(doc["resumed_from"], 0, doc)
        self.assertFalse(doc["deduplicated"], doc)
        self.assertEqual((doc["sha256"], doc["size"]), (sha, size), doc)
        self.assertEqual(self.uploads_of(code), [])
        self.check_stored(code, path, sha)

    def test_upload_making_progress_is_not_expired(self):
        code = self.new_dossier("Trần Văn Chậm")
        size = 4 * 256 * KiB  # four chunks of 256 KiB, one every 2 s: about 6 s in all
        path = make_file(size, dirname=self.files)
        sha = sha256_file(path)
        log_off = self.log_size()
        t0 = time.time()
        p = self.start_attach(code, path, 128 * KiB)
        ids, deadline = set(), t0 + 60
        while p.poll() is None and time.time() < deadline:
            ids.update(r[0] for r in self.uploads_of(code))
            time.sleep(0.25)
        out, err = p.communicate(timeout=30)
        took = time.time() - t0
        self.assertEqual(p.returncode, 0, (out, err))
        doc = json.loads(out)
        self.assertGreater(took, EXPIRY_S * 1.25, "the upload did not outlast the expiry")
        self.assertEqual(doc["resumed_from"], 0, doc)
        self.assertEqual((doc["sha256"], doc["size"]), (sha, size), doc)
        self.assertEqual(len(ids), 1, "the upload was restarted under a new id: %r" % ids)
        self.assertNotIn("upload expired id=%s" % ids.pop(), self.log_since(log_off))
        self.check_stored(code, path, sha)


if __name__ == "__main__":
    unittest.main()
