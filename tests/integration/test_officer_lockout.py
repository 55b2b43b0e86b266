"""Login throttling (issue 15): a temporary lock after repeated failures,
and the unlock after the period, in a throwaway deployment whose server.conf
sets [officers] login_max_failures = 3 and login_lock_s = 3 (the shared
fixture keeps 5 and 900 s). Polls are bounded; nothing sleeps longer than
the poll step.

- three wrong passwords lock the login: the right one is then refused as
  locked (with the seconds left), the server logs the lock once;
- after the period the right password logs in, and the failure count starts
  again (one wrong password is a plain bad_login, not a lock);
- the password is never in the server's log."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from itest import BIN_DIR, LOCAL_SH
from itest_env import SANITIZER_MARKS, free_ports
import officer_util
from officer_util import Desk, poll

UNIT = "18499"
MAX_FAILURES = 3
LOCK_S = 3


class TestLockout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="motcua-lock-", dir="/var/tmp")
        os.chmod(cls.dir, 0o755)
        cls.tmp = tempfile.mkdtemp(prefix="motcua-lock-desks-")
        cls.env = dict(os.environ, MOTCUA_BIN_DIR=BIN_DIR)
        cls.addClassCleanup(cls.down)
        p, h, g = free_ports(3)
        cls.local("up", "--port", str(p), "--http-port", str(h), "--pg-port", str(g),
                  "--no-server")
        conf = os.path.join(cls.dir, "server.conf")
        with open(conf) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^\[officers\]\n", "[officers]\nlogin_max_failures = %d\n"
                          "login_lock_s = %d\n" % (MAX_FAILURES, LOCK_S), text)
        if n != 1:
            raise AssertionError("no [officers] section in %s" % conf)
        with open(conf, "w") as f:
            f.write(text)
        cls.local("up")
        # officer_util reads the provisioned passwords of this deployment
        officer_util.ENV_DIR = cls.dir

    @classmethod
    def local(cls, *args, timeout=280):
        subprocess.run(["bash", LOCAL_SH, args[0], cls.dir] + list(args[1:]), check=True,
                       timeout=timeout, env=cls.env, stdout=subprocess.DEVNULL)

    @classmethod
    def down(cls):
        subprocess.call(["bash", LOCAL_SH, "down", cls.dir], timeout=120, env=cls.env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = cls.server_log()
        shutil.rmtree(cls.dir, ignore_errors=True)
        shutil.rmtree(cls.tmp, ignore_errors=True)
        hits = [m for m in SANITIZER_MARKS if m in text]
        if hits:
            i = min(text.find(m) for m in hits)
            raise AssertionError("sanitizer report in server.log:\n" +
                                 text[max(0, i - 500):i + 4000])

    @classmethod
    def server_log(cls):
        try:
            with open(os.path.join(cls.dir, "server.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def desk(self, name):
        return Desk(UNIT, self.tmp, name, os.path.join(self.dir, "units", UNIT + ".conf"))

    def test_lock_after_failures_and_unlock_after_the_period(self):
        login, pw = officer_util.provisioned(UNIT, "receiving")
        desk = self.desk("lock")
        wrong = "Sai-mat-khau-%d" % os.getpid()
        for i in range(MAX_FAILURES):
            r = desk.login(login, wrong)
            self.assertEqual(r.rc, 1, (i, r))
            self.assertIn(r.error_code, ("bad_login", "locked"), (i, r))
        r = desk.login(login, pw)  # the right password, while locked
        self.assertEqual((r.rc, r.error_code), (1, "locked"), r)
        self.assertTrue(r.doc["error"].get("detail"), r)  # seconds left
        log = self.server_log()
        self.assertEqual(len(re.findall(r"login locked login=%s " % re.escape(login), log)), 1,
                         log[-3000:])
        ok = poll(lambda: desk.login(login, pw).rc == 0, LOCK_S + 10, 0.25)
        self.assertTrue(ok, "still locked %d s after a %d s lock" % (LOCK_S + 10, LOCK_S))
        r = desk.login(login, wrong)
        self.assertEqual((r.rc, r.error_code), (1, "bad_login"), r)
        self.assertEqual(desk.login(login, pw).rc, 0)
        log = self.server_log()
        for secret in (pw, wrong):
            self.assertNotIn(secret, log)
        for err in desk.logs:
            self.assertNotIn(pw, err)


if __name__ == "__main__":
    unittest.main()
