"""deploy/local.sh sweep (and "up", when it places a cluster in /var/tmp):
the clusters in /var/tmp/motcua-pg-* whose DIR is gone are removed; one
whose DIR still names it, one whose postmaster still runs, and a fresh one
without an owner file (being made) are kept. Fake cluster directories, no
PostgreSQL: runs in a second."""
import os
import shutil
import subprocess
import tempfile
import unittest

from itest import LOCAL_SH


class TestSweep(unittest.TestCase):
    def fake(self, tag, owner=None, pid=None):
        c = tempfile.mkdtemp(prefix="motcua-pg-itest-%s-" % tag, dir="/var/tmp")
        self.addCleanup(shutil.rmtree, c, True)
        if owner is not None:
            with open(os.path.join(c, "owner"), "w") as f:
                f.write(owner + "\n")
        if pid is not None:
            os.mkdir(os.path.join(c, "data"))
            with open(os.path.join(c, "data", "postmaster.pid"), "w") as f:
                f.write("%d\n/some/data\n" % pid)
        return c

    def test_sweep(self):
        tmp = tempfile.mkdtemp(prefix="sweep-")
        self.addCleanup(shutil.rmtree, tmp, True)
        gone_dir = os.path.join(tmp, "removed-dir")  # never exists
        live_dir = os.path.join(tmp, "live-dir")
        os.mkdir(live_dir)
        orphan = self.fake("orphan", owner=gone_dir)
        dead_pm = self.fake("deadpm", owner=gone_dir, pid=2 ** 22 + 12345)  # no such process
        live = self.fake("live", owner=live_dir)
        with open(os.path.join(live_dir, "pg.path"), "w") as f:
            f.write(live + "\n")
        other = self.fake("moved", owner=live_dir)  # live_dir names another cluster
        running = self.fake("running", owner=gone_dir, pid=os.getpid())
        fresh = self.fake("fresh")  # no owner yet: being made
        p = subprocess.run(["bash", LOCAL_SH, "sweep"], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        for c in (orphan, dead_pm, other):
            self.assertFalse(os.path.exists(c), c)
            self.assertIn(c.encode(), p.stderr)
        for c in (live, running, fresh):
            self.assertTrue(os.path.isdir(c), c)


if __name__ == "__main__":
    unittest.main()
