"""Deadlines at a fixed date: a second motcua-server under libfaketime
(Debian package `faketime`, listed in deploy/packages.txt; CI installs it:
if the library is missing this test FAILS, it does not skip).

The second server runs from the fixture's server.conf (same database) on a
free port, with TZ=Asia/Ho_Chi_Minh so that FAKETIME's absolute times
("@2026-11-27 09:00:00") are Vietnamese local times. Friday 27 November 2026
has no holiday that week. docs/WORKFLOW.md: a 3-working-day dossier
received Friday 09:00 is due Tuesday 17:00; received Friday 15:30 (after the
15:00 cut-off), Wednesday 17:00.

Its certificates come from a throw-away PKI made by deploy/pki.sh under
FAKETIME="-3650d" with 100-year validity, so that they are valid both at the
server's fake date and at the client's real date (the fixture's PKI is
created "now", which may be after the fake date).

Commune used only by this file: 18559 (Hương Liên).
"""
import datetime
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from itest import ENV_DIR, PKI_SH, SERVER, TIMEOUT, cli, login, parse_time, procedures, unit_conf
from wfhelp import dossier

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
UNIT = "18559"
VN = datetime.timezone(datetime.timedelta(hours=7))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def faketime_env(faketime, **extra):
    env = dict(os.environ)
    env.update(LD_PRELOAD=LIBFAKETIME, FAKETIME=faketime, FAKETIME_DONT_FAKE_MONOTONIC="1",
               TZ="Asia/Ho_Chi_Minh", **extra)
    # an ASan build must not insist on being first in the library list
    env["ASAN_OPTIONS"] = ":".join(x for x in (os.environ.get("ASAN_OPTIONS", ""),
                                               "verify_asan_link_order=0") if x)
    return env


class FakeServer:
    """motcua-server at a fake time, its own port, the fixture's database."""

    def __init__(self, tc, pki, at):
        self.tc = tc
        self.port = free_port()
        self.log = os.path.join(pki, "server-%d.log" % self.port)
        args = [SERVER, "-c", os.path.join(ENV_DIR, "server.conf"),
                "--listen_port=%d" % self.port,
                "--tls_ca=" + os.path.join(pki, "ca.crt"),
                "--tls_cert=" + os.path.join(pki, "server.crt"),
                "--tls_key=" + os.path.join(pki, "server.key"),
                "--tls_crl="]  # the throw-away CA revokes nothing
        # any other listening port of the fixture's config (monitoring) too
        with open(os.path.join(ENV_DIR, "server.conf")) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k.endswith("_port") and k != "listen_port":
                    args.append("--%s=%d" % (k, free_port()))
        self.logf = open(self.log, "wb")
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.logf,
                                  env=faketime_env("@" + at), start_new_session=True)
        tc.addCleanup(self.kill)
        deadline = time.time() + TIMEOUT
        while "motcua-server ready" not in self.text():
            if self.p.poll() is not None or time.time() > deadline:
                tc.fail("fake-time server did not start (rc %r):\n%s"
                        % (self.p.poll(), self.text()[-3000:]))
            time.sleep(0.1)

    def text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def conf(self, pki, unit=UNIT):
        """A copy of unit's client config pointing at this server, with its own
        officer session (logged in here at first use)."""
        out = os.path.join(pki, "%s-%d.conf" % (unit, self.port))
        repl = {"port": str(self.port), "ca": os.path.join(pki, "ca.crt"),
                "cert": os.path.join(pki, "units", "%s.crt" % unit),
                "key": os.path.join(pki, "units", "%s.key" % unit),
                "crl": "",  # the fixture's CRL is its own CA's; the throw-away CA revokes nothing
                # its own officer session, opened at this server's time (a
                # session ends with the working day of the clock that opened it)
                "session": os.path.join(pki, "session-%s-%d.token" % (unit, self.port))}
        lines = []
        with open(unit_conf(unit)) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k in repl:
                    line = "%s = %s\n" % (k, repl.pop(k))
                lines.append(line)
        if "session" in repl:  # a config from before the key: [client] is the last section
            lines.append("session = %s\n" % repl.pop("session"))
        with open(out, "w") as f:
            f.writelines(lines)
        if not os.path.exists(os.path.join(pki, "session-%s-%d.token" % (unit, self.port))):
            r = login(unit, conf=out)
            self.tc.assertEqual(r.rc, 0, r)
        return out

    def stop(self):
        """SIGTERM: drain and exit 0."""
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=TIMEOUT)
        finally:
            self.logf.close()
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=TIMEOUT)
        if not self.logf.closed:
            self.logf.close()


def long_pki(cls, prefix, units):
    """A throw-away CA, server and unit certificates valid from ten years
    ago for a hundred years (so that servers under libfaketime accept them
    at any date they are set to), in cls.pki, removed after the class.
    units: (code, role) pairs. cls.pki stays None without libfaketime."""
    cls.pki = None
    if not os.path.exists(LIBFAKETIME):
        return
    cls.pki = tempfile.mkdtemp(prefix=prefix)
    cls.addClassCleanup(shutil.rmtree, cls.pki, True)  # even if set-up fails
    # Only openssl runs under libfaketime (pki.sh's OPENSSL names this
    # wrapper), never bash: libfaketime 0.9.10 keeps its clock in a POSIX
    # semaphore + shared memory named after the first preloaded process and
    # removes them when that process exits, and a bash subshell exiting
    # removed them under its parent, whose next child then failed with
    # "ft_shm_init(), sem_open failed" (seen once in CI).
    wrapper = os.path.join(cls.pki, "openssl-10y-ago")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nLD_PRELOAD=%s FAKETIME=-3650d exec openssl \"$@\"\n" % LIBFAKETIME)
    os.chmod(wrapper, 0o755)
    env = dict(os.environ, OPENSSL=wrapper)
    cmds = [["init", cls.pki, "--days", "36500"], ["server", cls.pki, "--days", "36500"]]
    cmds += [["unit", cls.pki, u, r, "--days", "36500"] for u, r in units]
    for cmd in cmds:
        p = subprocess.run(["bash", PKI_SH] + cmd, capture_output=True, timeout=TIMEOUT, env=env)
        if p.returncode != 0:
            raise AssertionError("pki.sh %s failed: %s" % (cmd, p.stderr.decode()))


class TestFakeTime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        long_pki(cls, "motcua-faketime-", [(UNIT, "commune")])  # each test fails without libfaketime

    def setUp(self):
        self.assertTrue(os.path.exists(LIBFAKETIME),
                        "%s missing: install the Debian package faketime "
                        "(deploy/packages.txt)" % LIBFAKETIME)
        p3 = [p for p in procedures()
              if p["limit_unit"] == "working_days" and p["limit_value"] == 3]
        self.assertTrue(p3, "no 3-working-day procedure in the catalogue")
        self.proc = p3[0]["code"]

    def received_at(self, at):
        srv = FakeServer(self, self.pki, at)
        conf = srv.conf(self.pki)
        ping = cli(UNIT, "ping", conf=conf)
        self.assertEqual(ping.rc, 0, ping)
        r = cli(UNIT, "receive", "--procedure", self.proc, "--name", "Trần Văn Hẹn Giờ",
                "--id", "042190003333", conf=conf)
        self.assertEqual(r.rc, 0, r)
        return srv, conf, dossier(r)

    def check_due(self, d, received, due):
        rec = parse_time(d["received_at"]).astimezone(VN)
        self.assertEqual(rec.strftime("%Y-%m-%d %H:%M"), received, d)
        self.assertIn("-261127-", d["code"], "the code carries the receipt date")
        got = parse_time(d["due_at"]).astimezone(VN)
        self.assertNotIn(got.weekday(), (5, 6), "due on a weekend: %r" % d)
        self.assertIn(got.strftime("%a"), ("Tue", "Wed"), d)
        self.assertEqual(d["due_at"], due, d)

    def test_friday_morning_due_tuesday(self):
        srv, conf, d = self.received_at("2026-11-27 09:00:00")
        self.check_due(d, "2026-11-27 09:00", "2026-12-01T17:00:00+07:00")
        self.assertFalse(d["overdue"], d)

        # slips: 01 is dated at reception (the server's fake day), 02 when
        # issued (the client's real clock)
        act_conf = ["--officer", "Cán bộ Hương Liên"]
        r = cli(UNIT, *act_conf, "supplement-request", d["code"], "--reason", "Thiếu ảnh 4x6",
                conf=conf)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(dossier(r)["status"], 5)
        texts = {}
        for form in ("01", "02"):
            out = os.path.join(self.pki, "slip-%s.pdf" % form)
            s = cli(UNIT, "slip", d["code"], "--form", form, "-o", out, conf=conf)
            self.assertEqual(s.rc, 0, s)
            p = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True,
                               timeout=TIMEOUT)
            self.assertEqual(p.returncode, 0, p.stderr)
            texts[form] = " ".join(p.stdout.decode("utf-8", "replace").split())
        self.assertIn("Hương Liên, ngày 27 tháng 11 năm 2026", texts["01"])
        today = datetime.datetime.now(VN)
        if today.date() != datetime.date(2026, 11, 27):
            self.assertIn(today.strftime("Hương Liên, ngày %d tháng %m năm %Y"), texts["02"])
            self.assertNotIn("Hương Liên, ngày 27 tháng 11 năm 2026", texts["02"])

        self.assertEqual(srv.stop(), 0, srv.text()[-3000:])
        self.assertNotIn("AddressSanitizer", srv.text())

    def test_friday_after_cutoff_due_wednesday(self):
        srv, conf, d = self.received_at("2026-11-27 15:30:00")
        self.check_due(d, "2026-11-27 15:30", "2026-12-02T17:00:00+07:00")
        self.assertEqual(srv.stop(), 0, srv.text()[-3000:])
        self.assertNotIn("AddressSanitizer", srv.text())


if __name__ == "__main__":
    unittest.main()
