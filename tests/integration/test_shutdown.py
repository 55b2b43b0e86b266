"""SIGTERM with clients connected: the server drains and exits 0 within 5 s,
and a sanitizer build reports no leak or UB. The fixture's server is stopped
for the test (deploy/local.sh stop-server), run here in the foreground, and
restarted afterwards (deploy/local.sh start-server)."""
import os
import re
import signal
import socket
import subprocess
import time
import unittest

from itest import (B_GOODBYE, B_HELLO_REPLY, B_RECEIVE, ENV_DIR, LOCAL_SH, SERVER, Closed, Raw, citizen_id,
                   cli, cli_popen, procedure_of_level, receive_body, server_port)

UNIT = "18523"  # used only by this file


def sanitizer_build():
    if os.environ.get("MOTCUA_SANITIZE") == "1":
        return True
    try:
        out = subprocess.run(["ldd", SERVER], capture_output=True, text=True, timeout=10).stdout
        if "libasan" in out or "libubsan" in out:
            return True
        out = subprocess.run(["nm", SERVER], capture_output=True, text=True, timeout=30).stdout
        return "__asan_init" in out or "__ubsan_handle" in out
    except (OSError, subprocess.SubprocessError):
        return False


def lock_holders():
    """Processes holding ENV_DIR/.local.lock open (diagnostics only)."""
    lock = os.path.realpath(os.path.join(ENV_DIR, ".local.lock"))
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.path.realpath("/proc/%s/fd/%s" % (pid, fd)) == lock:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        out.append("%s %s" % (pid, f.read().replace(b"\0", b" ").decode()))
        except OSError:
            pass
    return out


def local(cmd, timeout=60):
    try:
        return subprocess.run(["bash", LOCAL_SH, cmd, ENV_DIR], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("deploy/local.sh %s did not finish in %d s; processes holding "
                             "%s/.local.lock: %r" % (cmd, timeout, ENV_DIR, lock_holders()))


class TestShutdown(unittest.TestCase):
    def setUp(self):
        procedure_of_level("commune")  # cache the catalogue while the server runs
        r = local("stop-server")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.restart)
        env = dict(os.environ)
        if sanitizer_build():
            env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:" + env.get("ASAN_OPTIONS", "")
            env["UBSAN_OPTIONS"] = "print_stacktrace=1:" + env.get("UBSAN_OPTIONS", "")
        self.errlog = open(os.path.join(ENV_DIR, "itest-shutdown.log"), "w+")
        self.proc = subprocess.Popen([SERVER, "-c", os.path.join(ENV_DIR, "server.conf")],
                                     stdin=subprocess.DEVNULL, stdout=self.errlog,
                                     stderr=self.errlog, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            self.errlog.seek(0)
            if re.search(r"ready.*port=%d" % server_port(), self.errlog.read()):
                break
            self.assertIsNone(self.proc.poll(), "server exited during start")
            time.sleep(0.1)
        else:
            self.fail("server did not print its ready line")

    def restart(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.errlog.close()
        r = local("start-server")
        if r.returncode != 0:
            raise AssertionError("could not restart the fixture server: %s" % r.stderr)

    def test_sigterm_with_clients(self):
        # clients in every stage: TLS done + Hello, mid-request, TLS never
        # started, a CLI watching for events
        idle = [Raw(UNIT) for _ in range(3)]
        for c in idle:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
        busy = Raw(UNIT)
        busy.hello()
        proc_code = procedure_of_level("commune")
        for i in range(10):
            busy.send_env(100 + i, B_RECEIVE,
                          receive_body("shutdown-%d-%s" % (i, citizen_id()), proc_code,
                                       "Người Tắt Máy", citizen_id()))
        raw_tcp = socket.create_connection(("127.0.0.1", server_port()), timeout=10)
        watch = cli_popen(UNIT, "watch")
        time.sleep(0.5)
        r = cli(UNIT, "ping")
        self.assertEqual(r.rc, 0, r)

        t0 = time.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.fail("server still running 5 s after SIGTERM")
        elapsed = time.time() - t0
        self.errlog.seek(0)
        log = self.errlog.read()
        self.assertEqual(rc, 0, "exit status %r after SIGTERM; log tail:\n%s" % (rc, log[-3000:]))

        # every connected client sees the end of its connection; idle ones
        # get Goodbye first (docs/PROTOCOL.md), the busy one its answers or
        # errors, never silence
        for i, c in enumerate(idle + [busy]):
            bodies = []
            with self.assertRaises(Closed):
                while True:
                    bodies.append(c.recv(timeout=5).body_field)
            c.close()
            if i < len(idle):
                self.assertIn(B_GOODBYE, bodies, "no Goodbye before the drain")
        raw_tcp.settimeout(5)
        try:
            self.assertEqual(raw_tcp.recv(100), b"")
        except ConnectionError:
            pass
        raw_tcp.close()
        watch.terminate()
        watch.communicate(timeout=10)

        for bad in ("LeakSanitizer", "AddressSanitizer", "runtime error:", "ERROR: "):
            self.assertNotIn(bad, log, "sanitizer report in server output:\n%s" % log[-5000:])
        print("server stopped in %.2f s (sanitizer build: %s)" % (elapsed, sanitizer_build()))

    def test_sigint_idle(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.fail("server still running 5 s after SIGINT")
        self.errlog.seek(0)
        log = self.errlog.read()
        self.assertEqual(rc, 0, log[-3000:])
        for bad in ("LeakSanitizer", "AddressSanitizer", "runtime error:"):
            self.assertNotIn(bad, log)


if __name__ == "__main__":
    unittest.main()
