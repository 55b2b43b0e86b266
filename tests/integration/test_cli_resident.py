"""Issue 13, client: `motcua watch` says in its Hello that its link is
resident (Hello.resident = 3, true); a one-shot command (ping) does not, so
that the monitor does not count its close as a link drop.

A stand-in server on a free port (the fixture's server certificate and CA)
reads the first frame of each connection and decodes the Hello.
"""
import os
import signal
import socket
import ssl
import struct
import subprocess
import unittest

from itest import B_HELLO, CLI, ENV_DIR, decode, unit_conf

UNIT = "18559"


def read_frame(s):
    buf = b""
    while len(buf) < 4 or len(buf) < 4 + struct.unpack(">I", buf[:4])[0]:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a whole frame")
        buf += chunk
    n = struct.unpack(">I", buf[:4])[0]
    return buf[4:4 + n]


class TestResident(unittest.TestCase):
    def setUp(self):
        pki = os.path.join(ENV_DIR, "pki")
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(pki, "server.crt"), os.path.join(pki, "server.key"))
        self.ctx.load_verify_locations(os.path.join(pki, "ca.crt"))
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(4)
        self.lsock.settimeout(20)
        self.port = self.lsock.getsockname()[1]

    def tearDown(self):
        self.lsock.close()

    def hello_of(self, *args):
        """Run motcua ARGS against the stand-in; the decoded Hello it sent."""
        p = subprocess.Popen([CLI, "-c", unit_conf(UNIT), "--port=%d" % self.port] + list(args),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn, _ = self.lsock.accept()
            conn.settimeout(20)
            with self.ctx.wrap_socket(conn, server_side=True) as s:
                env = decode(read_frame(s))
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.assertIn(B_HELLO, env, env)
        return decode(env[B_HELLO][0])

    def test_watch_is_resident(self):
        h = self.hello_of("watch")
        self.assertEqual(h.get(3), [1], "watch's Hello.resident: %r" % h)

    def test_one_shot_is_not(self):
        h = self.hello_of("ping")
        self.assertNotIn(3, h, "ping's Hello must not be resident: %r" % h)


if __name__ == "__main__":
    unittest.main()
