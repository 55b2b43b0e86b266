"""Refused TLS clients: a certificate from another CA, an expired one, none at
all, and plain TCP. A good client keeps working right after each."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from itest import (B_HELLO, B_HELLO_REPLY, ENV_DIR, PKI_SH, Closed, Raw, cli, envelope,
                   frame, hello, server_port, unit_conf, wait_server_ok)

UNIT = "18520"  # used only by this file


def run(*args):
    p = subprocess.run(list(args), capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("%s failed: %s" % (args, p.stderr.decode()))


class TestBadTLS(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-badtls-")
        # an unrelated CA issuing a certificate for a real unit code
        foreign = os.path.join(cls.tmp, "foreign")
        run("bash", PKI_SH, "init", foreign, "--cn", "Foreign CA")
        run("bash", PKI_SH, "unit", foreign, UNIT, "commune")
        cls.foreign = (os.path.join(foreign, "units", UNIT + ".crt"),
                       os.path.join(foreign, "units", UNIT + ".key"))
        # the real CA (a copy of it), issuing an expired certificate for the unit
        copy = os.path.join(cls.tmp, "pki-copy")
        shutil.copytree(os.path.join(ENV_DIR, "pki"), copy)
        run("bash", PKI_SH, "unit", copy, UNIT, "commune", "--start", "20200101000000Z",
            "--end", "20200201000000Z", "--force")
        cls.expired = (os.path.join(copy, "units", UNIT + ".crt"),
                       os.path.join(copy, "units", UNIT + ".key"))
        # and, to prove the copy is a working CA, a fresh valid one
        copy2 = os.path.join(cls.tmp, "pki-copy2")
        shutil.copytree(os.path.join(ENV_DIR, "pki"), copy2)
        run("bash", PKI_SH, "unit", copy2, UNIT, "commune", "--force")
        cls.valid_copy = (os.path.join(copy2, "units", UNIT + ".crt"),
                          os.path.join(copy2, "units", UNIT + ".key"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertRefused(self, cert, key):
        """The handshake fails, or the server closes before any HelloReply."""
        try:
            c = Raw(cert=cert, key=key, timeout=10)
        except (ssl.SSLError, ConnectionError, OSError):
            return
        try:
            c.send(frame(envelope(1, B_HELLO, hello())))
            r = c.recv(timeout=10)
            self.fail("refused client got a reply: %r" % r)
        except (Closed, ConnectionError, ssl.SSLError, OSError) as e:
            if isinstance(e, socket.timeout):
                self.fail("server neither refused nor answered the client")
        finally:
            c.close()

    def test_control_valid_cert_from_same_ca(self):
        # guards against a broken fixture making every refusal test pass
        c = Raw(cert=self.valid_copy[0], key=self.valid_copy[1])
        try:
            r = c.hello()
            self.assertEqual(r.body_field, B_HELLO_REPLY, r)
            self.assertEqual(r.body[3][0].decode(), UNIT)
        finally:
            c.close()

    def test_foreign_ca(self):
        self.assertRefused(*self.foreign)
        wait_server_ok(self, UNIT)

    def test_expired(self):
        out = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", self.expired[0]],
                             capture_output=True, text=True).stdout
        self.assertIn("2020", out)  # really expired
        self.assertRefused(*self.expired)
        wait_server_ok(self, UNIT)

    def test_no_client_cert(self):
        self.assertRefused(None, None)
        wait_server_ok(self, UNIT)

    def test_plain_tcp(self):
        s = socket.create_connection(("127.0.0.1", server_port()), timeout=15)
        try:
            s.sendall(b"GET / HTTP/1.0\r\nHost: motcua\r\n\r\n" + os.urandom(200))
            t0 = time.time()
            got = b""
            while True:
                try:
                    chunk = s.recv(4096)
                except ConnectionError:
                    break
                if not chunk:
                    break
                got += chunk
                self.assertLess(len(got), 10000)
            self.assertLess(time.time() - t0, 15)
            self.assertNotIn(b"HTTP/", got)  # at most a TLS alert
        finally:
            s.close()
        wait_server_ok(self, UNIT)

    def test_plain_tcp_silent_then_good(self):
        """A silent TCP client does not block the next good one."""
        s = socket.create_connection(("127.0.0.1", server_port()), timeout=15)
        try:
            wait_server_ok(self, UNIT)
        finally:
            s.close()

    def test_cli_exit_code_3_on_tls_failure(self):
        conf = os.path.join(self.tmp, "foreign.conf")
        with open(unit_conf(UNIT)) as f:
            text = f.read()
        text = text.replace(os.path.join(ENV_DIR, "pki", "units", UNIT + ".crt"), self.foreign[0])
        text = text.replace(os.path.join(ENV_DIR, "pki", "units", UNIT + ".key"), self.foreign[1])
        self.assertIn(self.foreign[0], text)
        with open(conf, "w") as f:
            f.write(text)
        os.chmod(conf, 0o600)
        r = cli(UNIT, "ping", conf=conf)
        self.assertEqual(r.rc, 3, r)
        self.assertIsNotNone(r.error_code, r)
        wait_server_ok(self, UNIT)

    def test_cli_exit_code_3_no_server(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        r = cli(UNIT, "--port=%d" % port, "ping")
        self.assertEqual(r.rc, 3, r)


if __name__ == "__main__":
    unittest.main()
