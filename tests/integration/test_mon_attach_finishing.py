"""Issue 13, item "a client killed while its upload was finishing, then
`attach` run again at once: `unavailable` 'service unavailable, try again',
exit 3 (the 'cannot connect' code). Wait for the finish and answer as for a
duplicate, or say exactly what is happening with the right exit code".

How the window is made reliable (black box, no server change): a psql
session holds `LOCK TABLE dossier_files IN EXCLUSIVE MODE`, so the upload's
finish (the `mc_file_attach` call that records the file) waits on that lock;
pg_stat_activity shows it waiting, i.e. the upload is "finishing". Then the
first `motcua attach` is SIGKILLed, the same `attach CODE FILE` is run again
at once, and 2 s later the lock is released.

Contract asked of the fix, for the second attach:
  - either it waits for the finish and answers as for a duplicate: exit 0,
    --json output with the file's "sha256" (and "deduplicated" true or
    "resumed_from" = the size);
  - or it says exactly what is happening: an exit code other than 0 and 3
    (3 = cannot connect) and a --json error whose code is not "unavailable"
    and whose message contains "đang hoàn tất" (vi: the upload is being
    finished);
  - never `unavailable` / "service unavailable"; and in every case the
    dossier ends with the file recorded exactly once (`files CODE`).

Fails today: the second attach's UploadBegin is parked on the finishing
upload, and when the finish completes the server drops the upload and fails
its waiters with MC_EUNAVAIL (handlers_files.c upload_drop): "second attach:
exit 1, error 'unavailable' (Máy chủ tạm thời không phục vụ được, vui lòng
thử lại sau)" (exit 1 in this sequence; the issue saw 3 when the link was
also torn down; both are refused here).

Own throwaway deployment (torn down at the end).
"""
import json
import signal
import subprocess
import tempfile
import time
import unittest

from itest import CLI, LOCAL_SH, citizen_id
from files_util import make_file, sha256_file
from mon_util import MonDeployment, wait_until
from reliability_util import jsonl

UNIT = "18499"
MiB = 1 << 20


class TestAttachFinishing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = MonDeployment("motcua-mon-attach-")
        cls.files = tempfile.mkdtemp(prefix="motcua-mon-attach-files-")
        try:
            cls.d.up()
            r = cls.d.cli(UNIT, "procedures")
            procs = r.doc if isinstance(r.doc, list) else r.doc["procedures"]
            cls.proc = [x["code"] for x in procs if x["level"] == "commune"][0]
        except BaseException:
            cls.d.down()
            raise

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.files, ignore_errors=True)
        cls.d.down()

    def new_dossier(self):
        r = self.d.cli(UNIT, "receive", "--procedure", self.proc, "--name", "Trần Văn Tệp",
                       "--id", citizen_id())
        self.assertEqual(r.rc, 0, r)
        return r.doc["code"]

    def attach_popen(self, code, path):
        return subprocess.Popen([CLI, "-c", self.d.conf(UNIT), "--json", "attach", code, path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish_waiting(self):
        rows = self.d.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                          " AND query LIKE '%mc_file_attach%'")
        return int(rows[0][0]) > 0

    def test_attach_again_while_finishing(self):
        code = self.new_dossier()
        path = make_file(8 * MiB, dirname=self.files)
        sha = sha256_file(path)
        lock = subprocess.Popen(["bash", LOCAL_SH, "psql", self.d.dir, "-qAt", "-v",
                                 "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.d.env)
        first = second = None
        try:
            lock.stdin.write("BEGIN;\nLOCK TABLE dossier_files IN EXCLUSIVE MODE;\n"
                             "SELECT 'locked';\n")
            lock.stdin.flush()
            lines = []
            for _ in range(5):  # psql may echo command tags first
                lines.append(lock.stdout.readline().strip())
                if lines[-1] in ("locked", ""):
                    break
            self.assertEqual(lines[-1], "locked", "could not take the lock: %r" % lines)
            first = self.attach_popen(code, path)
            waiting = wait_until(lambda: first.poll() is not None or self.finish_waiting(), 60,
                                 interval=0.05)
            self.assertTrue(waiting and first.poll() is None,
                            "the first attach never reached its finish (rc %r): %s"
                            % (first.poll(), first.stderr.read() if first.poll() is not None
                               else ""))
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            second = self.attach_popen(code, path)
            time.sleep(2)  # the second attach has asked to begin the same upload
            lock.stdin.write("COMMIT;\n")
            lock.stdin.flush()
            out, err = second.communicate(timeout=120)
        finally:
            if lock.poll() is None:
                try:
                    lock.stdin.write("ROLLBACK;\n\\q\n")
                    lock.stdin.close()
                except OSError:
                    pass
                try:
                    lock.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    lock.kill()
                    lock.wait()
            for p in (first, second):
                if p is not None and p.poll() is None:
                    p.kill()
                    p.wait()
                if p is not None:
                    p.stdout.close()
                    p.stderr.close()
            lock.stdout.close()
            lock.stderr.close()
        rc = second.returncode
        try:
            doc = json.loads(out)  # one document (pretty-printed)
        except ValueError:
            docs = jsonl(out)  # or one per line per file
            doc = docs[-1] if docs else {}
        err_doc = doc.get("error") if isinstance(doc, dict) else None
        what = "second attach: exit %d, error %r (%s)" % (
            rc, err_doc.get("code") if err_doc else None,
            (err_doc or {}).get("message") or out.strip()[:300] or err.strip()[:300])
        self.assertNotEqual(rc, 3, what)
        self.assertFalse(err_doc and err_doc.get("code") == "unavailable", what)
        if rc == 0:
            self.assertEqual(doc.get("sha256"), sha, what)
        else:
            self.assertIsNotNone(err_doc, what)
            self.assertIn("đang hoàn tất", err_doc.get("message", ""), what)
        # the finish went through: the file is recorded once
        def listed():
            r = self.d.cli(UNIT, "files", code)
            return r.doc if r.rc == 0 and r.doc else None
        got = wait_until(listed, 30, interval=0.5)
        self.assertEqual([x["sha256"] for x in (got or [])], [sha], "files %s" % code)


if __name__ == "__main__":
    unittest.main()
