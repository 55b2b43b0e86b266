"""Issue 13, item "the dashboard's 'Cập nhật' time is the browser's clock;
show the server's time in its zone".

Setup: a throwaway deployment whose server runs under libfaketime 3 days
ahead (FAKETIME="+3d", TZ=Asia/Ho_Chi_Minh; Debian package `faketime`: if
the library is missing this test FAILS, it does not skip), so that its
/api/units "server_time" is neither the real clock nor the browser's; the
dashboard (GET /) is rendered by headless Chromium running in another zone
(TZ=America/New_York).

Contract asked of the fix: the dashboard's "Cập nhật ..." text shows the
SERVER's date and time in the SERVER's zone (from /api/units "server_time" /
"server_time_ms" and its UTC offset, not `new Date()` nor the browser's
zone): it contains the server's local date (dd/mm/yyyy, d/m/yyyy or
yyyy-mm-dd) and its local HH:MM (24 h) at the time of the page's fetch.

Fails today: the page formats server_time_ms with
`new Date(nowMs).toLocaleTimeString("vi-VN")`, i.e. a time of day in the
browser's zone and no date ("'Cập nhật' shows ' 01:17:06', not the server's
09/12/2026 13:17 (+07:00; browser in America/New_York)").
"""
import datetime
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from itest import SERVER
from mon_util import MonDeployment, wait_until

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
AHEAD = datetime.timedelta(days=3)
SERVER_TZ = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh
BROWSER_TZ = "America/New_York"


class TestDashboardTime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = MonDeployment("motcua-mon-dash-")
        cls.p = cls.logf = None
        try:
            cls.d.up()
            cls.d.local("stop-server", cls.d.dir)
            if not os.path.exists(LIBFAKETIME):
                raise AssertionError("libfaketime missing (%s): apt-get install faketime"
                                     % LIBFAKETIME)
            env = dict(os.environ, LD_PRELOAD=LIBFAKETIME, FAKETIME="+3d",
                       FAKETIME_DONT_FAKE_MONOTONIC="1", TZ="Asia/Ho_Chi_Minh")
            env["ASAN_OPTIONS"] = ":".join(x for x in (os.environ.get("ASAN_OPTIONS", ""),
                                                       "verify_asan_link_order=0") if x)
            cls.log = os.path.join(cls.d.dir, "fake-server.log")
            cls.logf = open(cls.log, "wb")
            cls.p = subprocess.Popen([SERVER, "-c", os.path.join(cls.d.dir, "server.conf")],
                                     stdout=subprocess.DEVNULL, stderr=cls.logf,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
            if not wait_until(lambda: cls.p.poll() is not None or
                              "motcua-server ready" in cls.log_text(), 30) \
                    or cls.p.poll() is not None:
                raise AssertionError("fake-time server did not start: " + cls.log_text()[-3000:])
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def log_text(cls):
        with open(cls.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    @classmethod
    def cleanup(cls):
        if cls.p is not None and cls.p.poll() is None:
            cls.p.send_signal(signal.SIGTERM)
            try:
                cls.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                cls.p.kill()
                cls.p.wait()
        if cls.logf is not None:
            cls.logf.close()
        cls.d.down()

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    def server_ms(self):
        return self.d.api_units()["server_time_ms"]

    def test_update_time_is_the_servers(self):
        t0 = self.server_ms()
        real = time.time() * 1000
        self.assertGreater(t0 - real, AHEAD.total_seconds() * 1000 - 120000,
                           "the server's clock is not faked (server_time_ms %d, real %d)"
                           % (t0, real))
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        self.assertIsNotNone(browser, "chromium is not installed (deploy/packages.txt)")
        profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        try:
            p = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run",
                 "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--dump-dom",
                 "http://127.0.0.1:%d/" % self.d.http],
                capture_output=True, text=True, timeout=90,
                env=dict(os.environ, TZ=BROWSER_TZ))
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        t1 = self.server_ms()
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn('data-loaded="1"', p.stdout, "the page's script did not render")
        m = re.search(r"Cập nhật([^<]*)", p.stdout)
        self.assertIsNotNone(m, "no 'Cập nhật' in the rendered page")
        shown = m.group(1)
        times, dates = set(), set()
        for ms in range(t0 - 60000, t1 + 60001, 30000):
            t = datetime.datetime.fromtimestamp(ms / 1000, SERVER_TZ)
            times.add(t.strftime("%H:%M"))
            dates |= {t.strftime("%d/%m/%Y"), "%d/%d/%d" % (t.day, t.month, t.year),
                      t.strftime("%Y-%m-%d")}
        want = datetime.datetime.fromtimestamp(t0 / 1000, SERVER_TZ).strftime("%d/%m/%Y %H:%M")
        ok_time = any(x in shown for x in times)
        ok_date = any(x in shown for x in dates)
        if not (ok_time and ok_date):
            self.fail("'Cập nhật' shows %r, not the server's %s (+07:00; browser in %s)"
                      % (shown, want, BROWSER_TZ))


if __name__ == "__main__":
    unittest.main()
