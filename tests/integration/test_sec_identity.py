"""Issue 12, weak items W1-W5 (docs/SECURITY.md): certificates, the desk's
check of the server, text that reaches the log, dates.

W1  The desk cannot check the server's certificate against a CRL.
    FAILS TODAY: the client configuration has no CRL key (client/client_config.c);
    every candidate key (`[tls] crl`, `[tls] server_crl`, `[server] crl`) is
    an "unknown key" error, so a revoked server certificate is accepted.
W2  A certificate that expires during a live session keeps being served.
    FAILS TODAY: a link opened with a certificate valid for ~20 s is still
    served 65 s after the certificate expired.
W3  `O=` not checked; any `OU=admin` is an administrator whatever its CN;
    an empty `server_name` disables the client's name check.
    FAILS TODAY: a certificate /O=evil/OU=commune/CN=<unit> is served; a
    certificate /O=motcua/OU=admin/CN=<not admin> gets role ADMIN and the
    monitor; `server_name =` (empty) connects.
W4  Escape bytes of Hello.client_version reach server.log raw; a NUL
    truncates a name; bidi/format characters pass in names.
    FAILS TODAY: the ESC byte is in server.log; a name with an embedded NUL
    and a name with U+202E are accepted.
W5  Dates far outside reason are accepted; an out-of-range date is reported
    as "invalid code".
    FAILS TODAY at the server: an ActionRequest reschedule with new_due_ms
    in year 10000 is accepted (due_at 10000-01-01), one in year 300000 is
    refused as "invalid request / code". (The CLI's own check of
    `reschedule --to 10000-01-01` is right today: kept as a control.)

Its own throwaway deployment, torn down at the end (~2 min: W2 waits for
the expiry plus 65 s). Registered DISABLED under the label "security".
"""
import datetime
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from itest import (B_DOSSIER_REPLY, B_ERROR, B_HELLO_REPLY, B_PING, B_PONG, B_RECEIVE, Closed,
                   f_bytes, f_varint, envelope, frame, receive_body)
from sec_util import B_ACTION, B_MONITOR, B_MONITOR_REPLY, Deployment

DEP = None
UNIT = "18517"        # W2, W3, W4
CRL_UNIT = "18520"    # W1 (its Hello must not reach the server log)
W5_UNIT = "18523"
ROLE_ADMIN = 3


def setUpModule():
    global DEP
    DEP = Deployment("motcua-secid-").up()


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


def run(*args):
    p = subprocess.run(list(args), capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("%s failed: %s" % (args, p.stderr.decode("utf-8", "replace")))
    return p


def issue_cert(tmp, name, subject):
    """A client certificate of the deployment's CA with any subject, with the
    extensions deploy/pki.sh gives unit certificates."""
    key, csr, crt = (os.path.join(tmp, name + ext) for ext in (".key", ".csr", ".crt"))
    ext = os.path.join(tmp, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints = critical, CA:false\n"
                "keyUsage = critical, digitalSignature, keyAgreement\n"
                "extendedKeyUsage = clientAuth\n"
                "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid, issuer\n")
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-out", key)
    os.chmod(key, 0o600)
    run("openssl", "req", "-new", "-key", key, "-subj", subject, "-out", csr)
    run("openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(DEP.pki, "ca.crt"),
        "-CAkey", os.path.join(DEP.pki, "ca.key"), "-CAcreateserial", "-days", "30",
        "-sha256", "-extfile", ext, "-out", crt)
    return crt, key


def write_conf(path, unit, **changes):
    """A copy of unit's client config with [section] key = value changes
    ({"tls.cert": ...}); a key that is not there is added to its section."""
    with open(DEP.conf(unit)) as f:
        text = f.read()
    for dotted, value in changes.items():
        section, key = dotted.split(".")
        pat = re.compile(r"(?m)^%s\s*=.*$" % re.escape(key))
        line = "%s = %s" % (key, value)
        m = pat.search(text)
        if m:
            text = text[:m.start()] + line + text[m.end():]
        else:
            text = text.replace("[%s]\n" % section, "[%s]\n%s\n" % (section, line), 1)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


class TmpMixin:
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="motcua-secid-")
        self.addCleanup(shutil.rmtree, self.tmp, True)


def refused_or_not_served(testcase, cert, key, what):
    """The handshake fails, or Hello is answered with an Error / a close."""
    try:
        c = DEP.raw(cert=cert, key=key)
    except (OSError, Closed):
        return
    try:
        try:
            r = c.hello()
        except (Closed, OSError) as e:
            if isinstance(e, socket.timeout):
                testcase.fail("%s: the server neither refused nor answered" % what)
            return
        testcase.assertNotEqual(r.body_field, B_HELLO_REPLY,
                                "%s was served: HelloReply unit=%r role=%r" % (
                                    what, r.body.get(3, [b""])[0], r.body.get(5, [0])[0]))
    finally:
        c.close()


class TestW3Identity(TmpMixin, unittest.TestCase):
    def test_control_same_ca_right_subject_is_served(self):
        crt, key = issue_cert(self.tmp, "ok", "/O=motcua/OU=commune/CN=%s" % UNIT)
        c = DEP.raw(cert=crt, key=key)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
        finally:
            c.close()

    def test_wrong_organisation_refused(self):
        crt, key = issue_cert(self.tmp, "evil", "/O=evil/OU=commune/CN=%s" % UNIT)
        refused_or_not_served(self, crt, key, "a certificate with O=evil")

    def test_admin_ou_with_other_cn_is_not_admin(self):
        crt, key = issue_cert(self.tmp, "fakeadmin", "/O=motcua/OU=admin/CN=it-intern")
        try:
            c = DEP.raw(cert=crt, key=key)
        except (OSError, Closed):
            return
        try:
            try:
                r = c.hello()
            except (Closed, OSError):
                return
            if r.body_field != B_HELLO_REPLY:
                return
            self.assertNotEqual(r.body.get(5, [0])[0], ROLE_ADMIN,
                                "OU=admin CN=it-intern was given the admin role")
            m = c.call(2, B_MONITOR, b"")
            self.assertNotEqual(m.body_field, B_MONITOR_REPLY,
                                "OU=admin CN=it-intern read the monitor")
        finally:
            c.close()

    def test_empty_server_name_refused_by_client(self):
        conf = write_conf(os.path.join(self.tmp, "noname.conf"), UNIT,
                          **{"server.server_name": ""})
        r = DEP.cli(UNIT, "ping", conf=conf)
        self.assertNotEqual(r.rc, 0, "a client config with an empty server_name connected "
                                     "(the server name check is skipped): %r" % r)
        self.assertIn(r.error_code, ("config", "invalid"), r)


class TestW1ClientCrl(TmpMixin, unittest.TestCase):
    CANDIDATES = ("tls.crl", "tls.server_crl", "server.crl", "server.server_crl")

    def accepted_key(self, crl):
        """The first candidate CRL key the client's config parser accepts."""
        tried = []
        for dotted in self.CANDIDATES:
            conf = write_conf(os.path.join(self.tmp, "try.conf"), CRL_UNIT, **{dotted: crl})
            r = DEP.cli(CRL_UNIT, "ping", conf=conf)
            tried.append((dotted, r.rc, r.error_code))
            if r.rc == 0:
                return dotted
        self.fail("the client has no CRL setting for the server certificate; tried %r" % tried)

    def test_revoked_server_certificate_refused_before_hello(self):
        # a copy of the CA that revokes the (running) server's certificate
        copy = os.path.join(self.tmp, "pki")
        shutil.copytree(DEP.pki, copy)
        DEP.pki_sh("revoke", copy, "server")
        good_crl = os.path.join(DEP.pki, "crl.pem")
        revoked_crl = os.path.join(copy, "crl.pem")
        key = self.accepted_key(good_crl)  # control: not revoked -> ping works
        conf = write_conf(os.path.join(self.tmp, "revoked.conf"), CRL_UNIT, **{key: revoked_crl})
        off = DEP.log_size()
        r = DEP.cli(CRL_UNIT, "ping", conf=conf)
        self.assertNotEqual(r.rc, 0, "ping succeeded with the server certificate revoked: %r" % r)
        time.sleep(0.5)
        log = DEP.log_bytes(off).decode("utf-8", "replace")
        self.assertNotIn("hello unit=%s" % CRL_UNIT, log, "the client sent Hello to a server "
                         "whose certificate is revoked")


class TestW2ExpiryDuringSession(TmpMixin, unittest.TestCase):
    VALID_S = 20
    GRACE_S = 65

    def test_session_closed_after_certificate_expires(self):
        copy = os.path.join(self.tmp, "pki")
        shutil.copytree(DEP.pki, copy)
        now = datetime.datetime.now(datetime.timezone.utc)
        start = (now - datetime.timedelta(minutes=5)).strftime("%Y%m%d%H%M%SZ")
        end_dt = now + datetime.timedelta(seconds=self.VALID_S)
        DEP.pki_sh("unit", copy, UNIT, "commune", "--start", start,
                   "--end", end_dt.strftime("%Y%m%d%H%M%SZ"), "--force")
        cert = os.path.join(copy, "units", UNIT + ".crt")
        key = os.path.join(copy, "units", UNIT + ".key")
        c = DEP.raw(cert=cert, key=key)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            expiry = end_dt.timestamp()
            deadline = expiry + self.GRACE_S
            closed_at, rid = None, 10
            while time.time() < deadline + 1:
                rid += 1
                try:
                    c.send_env(rid, B_PING, f_varint(1, int(time.time() * 1000)))
                    t_end = time.time() + 5
                    while time.time() < t_end:
                        r = c.recv(timeout=max(0.1, t_end - time.time()))
                        if r.body_field == B_PING:        # the server's heartbeat
                            c.send_env(r.request_id, B_PONG, f_varint(1, r.body.get(1, [0])[0]))
                        elif r.request_id == rid:
                            break
                except (Closed, OSError) as e:
                    if isinstance(e, socket.timeout):
                        continue
                    closed_at = time.time()
                    break
                time.sleep(4)
            self.assertIsNotNone(closed_at, "a session whose certificate expired at %s was "
                                 "still served %d s later" % (end_dt.isoformat(), self.GRACE_S))
            self.assertGreater(closed_at, expiry - 2, "closed before the certificate expired")
        finally:
            c.close()


class TestW4TextHygiene(unittest.TestCase):
    def test_escape_bytes_of_client_version_not_logged_raw(self):
        off = DEP.log_size()
        c = DEP.raw(UNIT)
        try:
            r = c.hello(client_version="evil\x1b[2J\x1b]0;pwned\x07-1.0")
        finally:
            c.close()
        time.sleep(0.5)
        log = DEP.log_bytes(off)
        if r.body_field == B_HELLO_REPLY:
            self.assertIn(b"hello unit=%s" % UNIT.encode(), log, "no hello line to inspect")
        self.assertNotIn(b"\x1b", log, "an ESC byte from Hello.client_version reached "
                                      "server.log raw: %r" % log[-300:])
        self.assertNotIn(b"\x07", log, "a BEL byte reached server.log raw")

    def receive_name(self, name):
        c = DEP.raw(UNIT)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            proc = DEP.procedure()
            body = receive_body("sec-" + os.urandom(8).hex(), proc, name, "0%011d" % (
                int.from_bytes(os.urandom(5), "big") % 10 ** 11))
            return c.call(5, B_RECEIVE, body)
        finally:
            c.close()

    def test_control_plain_name_received(self):
        self.assertEqual(self.receive_name("Nguyễn Văn Bình").body_field, B_DOSSIER_REPLY)

    def test_name_with_nul_refused(self):
        r = self.receive_name("Nguyễn Văn A\x00; DROP TABLE")
        # the message is built only on failure: an Error has no dossier
        if r.body_field != B_ERROR:
            self.fail("a name with an embedded NUL was accepted: %r" % (
                r.dossier().get(8, [b""])[0],))
        self.assertEqual(r.error_code, "invalid", r)

    def test_name_with_bidi_override_refused(self):
        r = self.receive_name("Nguyễn \u202eVăn A")
        self.assertEqual(r.body_field, B_ERROR,
                         "a name with U+202E RIGHT-TO-LEFT OVERRIDE was accepted")
        self.assertEqual(r.error_code, "invalid", r)


def ms_of(year, month=1, day=1):
    """Milliseconds since the epoch of a UTC date, for years past 9999 too."""
    days = (datetime.date(2000, month, day) - datetime.date(1970, 1, 1)).days
    # whole 400-year cycles (146097 days each) from 2000 on
    cycles, rest = divmod(year - 2000, 400)
    d = days + cycles * 146097
    d += (datetime.date(2000 + rest, month, day) - datetime.date(2000, month, day)).days
    return d * 86400000


class TestW5Dates(unittest.TestCase):
    def reschedule_raw(self, code, new_due_ms):
        c = DEP.raw(W5_UNIT)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            body = (f_bytes(1, "sec-" + os.urandom(8).hex()) + f_bytes(2, code) +
                    f_varint(3, 12) + f_bytes(4, "Cán bộ") + f_bytes(5, "Hẹn lại") +
                    f_varint(10, new_due_ms))
            return c.call(5, B_ACTION, body)
        finally:
            c.close()

    def assert_refused_as_date(self, r, what):
        self.assertEqual(r.body_field, B_ERROR, "%s accepted as a new due date" % what)
        self.assertEqual(r.error_code, "invalid", "%s: %r %s %s" % (
            what, r, r.error_message, r.error_detail))
        self.assertNotIn("code", (r.error_message + " " + r.error_detail).lower(),
                         "%s reported as a bad code: %s / %s" % (
                             what, r.error_message, r.error_detail))

    def test_control_cli_refuses_year_10000(self):
        # passes today: the CLI's own date check (client side) is right
        code = DEP.new_dossier(W5_UNIT)
        r = DEP.cli(W5_UNIT, "reschedule", code, "--to", "10000-01-01", "--reason", "Hẹn lại")
        self.assertNotEqual(r.rc, 0, r)
        self.assertEqual(r.error_code, "invalid", r)

    def test_server_refuses_due_date_in_year_10000(self):
        code = DEP.new_dossier(W5_UNIT)
        self.assert_refused_as_date(self.reschedule_raw(code, ms_of(10000)),
                                    "reschedule to 10000-01-01")

    def test_server_refuses_due_date_past_the_database_range(self):
        code = DEP.new_dossier(W5_UNIT)
        self.assert_refused_as_date(self.reschedule_raw(code, ms_of(300000)),
                                    "reschedule to 300000-01-01")

    def test_server_refuses_due_date_before_1970(self):
        code = DEP.new_dossier(W5_UNIT)
        self.assert_refused_as_date(self.reschedule_raw(code, -ms_of(2100)),
                                    "reschedule to a date before 1970")


if __name__ == "__main__":
    unittest.main()
