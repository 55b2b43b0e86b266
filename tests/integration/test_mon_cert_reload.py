"""Issue 13, item "after `pki.sh renew` a running `watch` keeps its old
certificate until restarted: reload the certificate and key when the files
change".

Contract asked of the fix: `motcua watch` for unit 18517 is connected;
`deploy/pki.sh renew DIR/pki 18517` writes a new key and certificate (the old
one revoked as superseded) and `deploy/local.sh reload-server DIR` makes the
server load the new CRL, which closes the watch's session. Within 30 s the
SAME watch process (never restarted, still running) is connected again, and
its session uses the new certificate: /api/units shows the unit online with
"cert_serial" equal to the new certificate's serial (hex, compared without
case and leading zeros).

NB with test_mon_revoked.py (where a watch whose certificate is revoked must
stop): the server closes this session because the OLD certificate is now on
the CRL (superseded); the watch must then see that its files changed and
reconnect with them instead of stopping.

Fails today: the watch keeps the certificate it read at start-up, its
reconnections fail the TLS handshake (revoked certificate) and it retries
forever ("watch did not reconnect with the renewed certificate within 30 s:
online=False cert_serial=None ... TLS error").

Own throwaway deployment (heartbeat_s = 2, torn down at the end).
"""
import os
import subprocess
import unittest

from itest import PKI_SH
from mon_util import MonDeployment, wait_until

UNIT = "18517"
RECONNECT_S = 30


def norm_serial(s):
    return (s or "").replace(":", "").upper().lstrip("0")


def file_serial(path):
    p = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-serial"], capture_output=True,
                       text=True, timeout=30, check=True)
    return norm_serial(p.stdout.strip().split("=", 1)[1])


class TestCertReload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = MonDeployment("motcua-mon-renew-", heartbeat=2)
        try:
            cls.d.up()
        except BaseException:
            cls.d.down()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.down()

    def test_watch_picks_up_renewed_certificate(self):
        crt = os.path.join(self.d.dir, "pki", "units", "%s.crt" % UNIT)
        old = file_serial(crt)
        w = self.d.start_watch(UNIT)
        u = self.d.wait_online(UNIT, timeout=30)
        self.assertIsNotNone(u, "watch of %s never online: %s" % (UNIT, self.d.watch_stderr(w)))
        self.assertEqual(norm_serial(u["cert_serial"]), old, u)
        p = subprocess.run(["bash", PKI_SH, "renew", os.path.join(self.d.dir, "pki"), UNIT],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        new = file_serial(crt)
        self.assertNotEqual(new, old)
        self.d.local("reload-server", self.d.dir)

        def reconnected():
            x = self.d.unit(UNIT)
            return x if x["online"] and norm_serial(x["cert_serial"]) == new else None
        u = wait_until(reconnected, RECONNECT_S, interval=0.5)
        if u is None:
            last = self.d.unit(UNIT)
            self.fail("watch did not reconnect with the renewed certificate within %d s:"
                      " online=%r cert_serial=%r (new %s, old %s), watch running=%r, output:\n%s"
                      % (RECONNECT_S, last["online"], last["cert_serial"], new, old,
                         w.poll() is None, self.d.watch_stderr(w)[-1500:]))
        self.assertIsNone(w.poll(), "the watch exited (rc %r): it must reload, not be restarted"
                          % w.poll())


if __name__ == "__main__":
    unittest.main()
