"""Helpers for the desk's browser test (test_desk.py): `motcua desk`
processes, a second motcua-server on the fixture's database (the link the
test cuts), headless Chromium through Selenium, plain HTTP to the desk.

Selenium and chromedriver are Debian packages (python3-selenium,
chromium-driver in deploy/packages.txt); tests/CMakeLists.txt runs this test
with /usr/bin/python3 so that Debian's dist-packages are on the path. A
missing one is a failure naming the package, never a skip.
"""
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

from itest import CLI, ENV_DIR, SERVER, TIMEOUT, unit_conf
from itest_env import free_ports

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESK_LINE = re.compile(r"desk: (https?://[0-9.]+:(\d+))/?")
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def need_selenium():
    """The selenium modules, or AssertionError naming the packages."""
    try:
        import selenium  # noqa: F401
        from selenium import webdriver  # noqa: F401
    except ImportError as e:
        raise AssertionError("python3-selenium is not installed (deploy/packages.txt): %s" % e)
    for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            raise AssertionError("%s is missing: install %s (deploy/packages.txt)" % (path, pkg))


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def wait_for(what, fn, timeout=TIMEOUT, step=0.2):
    """fn() until it returns something true; AssertionError after timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - reported at the deadline
            last = e
        time.sleep(step)
    raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


class Proc:
    """A background process whose output goes to a log file; killed (group)
    at cleanup."""

    def __init__(self, tc, args, log, env=None):
        self.log = log
        self.logf = open(log, "ab")
        self.p = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        tc.addCleanup(self.kill)

    def text(self):
        return read(self.log)

    def alive(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                return self.p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.p.kill()
                return self.p.wait(timeout=TIMEOUT)
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except OSError:
                self.p.kill()
            self.p.wait(timeout=TIMEOUT)
        if not self.logf.closed:
            self.logf.close()

    def sanitizer_report(self):
        text = self.text()
        for m in SANITIZER_MARKS:
            i = text.find(m)
            if i >= 0:
                return text[max(0, i - 300):i + 3000]
        return None


class SecondServer:
    """motcua-server from the fixture's server.conf (same database, same
    PKI) on free ports of its own: the server whose link the test cuts."""

    def __init__(self, tc, tmp):
        self.tc, self.tmp = tc, tmp
        self.port = free_ports(1)[0]
        self.proc = None

    def start(self):
        args = [SERVER, "-c", os.path.join(ENV_DIR, "server.conf"), "--listen_port=%d" % self.port]
        with open(os.path.join(ENV_DIR, "server.conf")) as f:
            for line in f:
                k = line.split("=", 1)[0].strip()
                if "=" in line and k.endswith("_port") and k != "listen_port":
                    args.append("--%s=%d" % (k, free_ports(1)[0]))
        log = os.path.join(self.tmp, "server2.log")
        mark = len(read(log))
        self.proc = Proc(self.tc, args, log)
        wait_for("the second server to start",
                 lambda: "motcua-server ready" in read(log)[mark:] or
                 (not self.proc.alive() and self.tc.fail("server exited: %s" % read(log)[-3000:])))

    def stop(self):
        rc = self.proc.stop()
        self.tc.assertEqual(rc, 0, "second server exit: %s" % self.proc.text()[-2000:])


def unit_conf_copy(tmp, unit, port=None, name=None):
    """A copy of the fixture's config of unit with its own session and outbox
    files (and another server port)."""
    name = name or unit
    repl = {"session": os.path.join(tmp, "session-%s.token" % name),
            "outbox": os.path.join(tmp, "outbox-%s.db" % name)}
    if port:
        repl["port"] = str(port)
    out = []
    with open(unit_conf(unit)) as f:
        for line in f:
            k = line.split("=", 1)[0].strip()
            if "=" in line and k in repl:
                line = "%s = %s\n" % (k, repl.pop(k))
            out.append(line)
    out += ["%s = %s\n" % kv for kv in repl.items()]  # [client] is the last section
    path = os.path.join(tmp, "%s.conf" % name)
    with open(path, "w") as f:
        f.writelines(out)
    os.chmod(path, 0o600)
    return path


class Desk:
    """`motcua -c CONF desk --port 0`; url once it has said
    "desk: http://..."."""

    def __init__(self, tc, tmp, conf, name):
        self.log = os.path.join(tmp, "desk-%s.log" % name)
        self.proc = Proc(tc, [CLI, "-c", conf, "desk", "--port", "0"], self.log)
        m = wait_for("desk %s to print its address" % name,
                     lambda: DESK_LINE.search(self.proc.text()) or
                     (not self.proc.alive() and tc.fail("desk exited (%r): %s" % (
                         self.proc.p.returncode, self.proc.text()[-3000:]))))
        self.url = m.group(1)
        self.port = int(m.group(2))
        self.origin = self.url

    def http(self, method, path, body=None, cookie=None, csrf=None, origin=True, host=None,
             timeout=TIMEOUT):
        """(status, headers, bytes) of one plain HTTP request."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {}
        if host is not None:
            headers["Host"] = host
        if cookie:
            headers["Cookie"] = "motcua_desk=" + cookie
        if csrf:
            headers["X-CSRF-Token"] = csrf
        if origin is True:
            headers["Origin"] = self.origin
        elif origin:
            headers["Origin"] = origin
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def login(self, login, password):
        """A session of its own: (cookie, csrf)."""
        st, hd, body = self.http("POST", "/api/login", {"login": login, "password": password})
        if st != 200:
            raise AssertionError("desk login %s: %d %r" % (login, st, body[:500]))
        m = re.search(r"motcua_desk=([^;]+)", hd.get("set-cookie", ""))
        if not m:
            raise AssertionError("no session cookie in %r" % hd)
        return m.group(1), json.loads(body)["csrf"]


def password(officer):
    with open(os.path.join(ENV_DIR, "officers", "%s.pw" % officer)) as f:
        return f.read().strip()


class Browser:
    """Headless Chromium at 1366x768 with a profile of its own."""

    def __init__(self, tc, tmp, name):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp)
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-extensions", "--disable-background-networking",
                  "--window-size=1366,768", "--lang=vi", "--user-data-dir=" + self.profile):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(CHROMEDRIVER, log_path=os.path.join(tmp, "chromedriver-%s.log" % name))
        self.d = webdriver.Chrome(service=service, options=opts)
        tc.addCleanup(self.quit)
        self.d.set_window_size(1366, 768)
        self.d.set_page_load_timeout(TIMEOUT)
        self.d.set_script_timeout(TIMEOUT)
        self.console = []

    def quit(self):
        try:
            self.d.quit()
        except Exception:  # noqa: BLE001 - already gone
            pass

    def logs(self):
        try:
            self.console += self.d.get_log("browser")
        except Exception:  # noqa: BLE001 - not every driver keeps them
            pass
        return self.console

    def cookie(self):
        c = self.d.get_cookie("motcua_desk")
        return c["value"] if c else None


def pdf_text(tc, data, tmp, name):
    tc.assertTrue(data.startswith(b"%PDF-"), "not a PDF: %r" % data[:60])
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    tool = shutil.which("pdftotext")
    tc.assertIsNotNone(tool, "pdftotext is missing: install poppler-utils (deploy/packages.txt)")
    p = subprocess.run([tool, "-layout", path, "-"], capture_output=True, timeout=TIMEOUT)
    tc.assertEqual(p.returncode, 0, p.stderr)
    return p.stdout.decode("utf-8", "replace")


def small_pdf(path, text="motcua desk test"):
    """A valid one-page PDF with a correct xref table."""
    content = ("BT /F1 18 Tf 72 720 Td (%s) Tj ET" % text).encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            b"<< /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(bytes(out))
    return path


def query(**kw):
    return urllib.parse.urlencode(kw)
