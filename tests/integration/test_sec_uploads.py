"""Issue 12, finding B5 (docs/SECURITY.md): one commune fills the
server-wide upload table.

B5  ~1,080 UploadBegin of 100 MiB with random hashes in 2 s from one unit;
    every other unit's attach then gets "busy: uploads" for ~6 minutes.
    Uploads need a per-unit share, and never-started uploads must expire
    within seconds.
    FAILS TODAY: server/handlers_files.c keeps at most MAX_UPLOADS = 1024
    uploads in memory for all units together and evicts an idle one only
    after 300 s: after one unit's flood (until refused, at most 2,000 begins) another
    unit's `motcua attach` is refused "busy" / "uploads", and the flooding
    unit cannot begin again within 60 s either.

Bounded: at most 2,000 begins over 16 links in at most 90 s, 1 MiB declared
each (nothing is sent). Its own throwaway deployment, torn down at the end.
Registered DISABLED under the labels "security" and "slow".
"""
import hashlib
import os
import shutil
import socket
import tempfile
import time
import unittest

from itest import B_ERROR, B_HELLO_REPLY, Closed
from sec_util import B_UPLOAD_BEGIN, B_UPLOAD_STATE, MiB, Deployment, begin_body, pdf_bytes

DEP = None
FLOODER, OTHER = "18535", "18538"
MAX_BEGINS = 2000
LINKS = 16
RECOVER_S = 60   # a never-started upload is gone within this (issue: "within seconds")


def setUpModule():
    global DEP
    DEP = Deployment("motcua-secupl-").up()


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


def random_sha():
    return hashlib.sha256(os.urandom(32)).hexdigest()


def is_rate_limit(r):
    return r.error_code == "busy" and "rate" in (r.error_message + r.error_detail).lower()


def flood(unit, max_begins=MAX_BEGINS, seconds=90):
    """Begins with random hashes from unit until refused for a reason other
    than the per-link request rate. -> (accepted, first refusal or None)."""
    accepted, refusal = 0, None
    codes = [DEP.new_dossier(unit)]
    links = []
    try:
        # each link says Hello as soon as it is open: links that wait before
        # Hello count against the pre-auth budget of their address (B3)
        for _ in range(LINKS):
            links.append(DEP.raw(unit))
            if links[-1].hello().body_field != B_HELLO_REPLY:
                raise AssertionError("flooder link refused")
        deadline, rid = time.time() + seconds, 100
        while accepted < max_begins and refusal is None and time.time() < deadline:
            pending = {}
            for c in links:   # a burst of 20 per link (under rate_burst = 100)
                for _ in range(20):
                    rid += 1
                    c.send_env(rid, B_UPLOAD_BEGIN,
                               begin_body(codes[-1], "scan.pdf", MiB, random_sha()))
                    pending[rid] = c
            rate_limited = new_code = False
            for c in links:
                mine = [k for k, v in pending.items() if v is c]
                got = 0
                while got < len(mine):
                    try:
                        r = c.recv(timeout=30)
                    except (socket.timeout, Closed) as e:
                        raise AssertionError("flood link stalled: %r" % e)
                    if r.request_id not in pending:
                        continue
                    got += 1
                    if r.body_field == B_UPLOAD_STATE:
                        accepted += 1
                    elif r.body_field == B_ERROR and is_rate_limit(r):
                        rate_limited = True
                    elif r.body_field == B_ERROR and r.error_detail in (
                            "files per dossier", "dossier bytes"):
                        if len(codes) < 60 and not new_code:
                            new_code = True
                    elif r.body_field == B_ERROR and refusal is None:
                        refusal = r
            if new_code:   # the dossier is full: go on with another one
                codes.append(DEP.new_dossier(unit))
            if rate_limited:
                time.sleep(1.0)
    finally:
        for c in links:
            c.close()
    return accepted, refusal


class TestB5UploadTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-secupl-")
        cls.accepted, cls.refusal = flood(FLOODER)
        cls.flood_end = time.time()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_a_other_unit_attaches_after_flood(self):
        code = DEP.new_dossier(OTHER)
        path = os.path.join(self.tmp, "giayto.pdf")
        with open(path, "wb") as f:
            f.write(pdf_bytes(64 * 1024))
        r = DEP.cli(OTHER, "attach", code, path, timeout=60)
        self.assertEqual(r.rc, 0, "after unit %s began %d uploads (refused then: %s), unit %s "
                         "cannot attach a 64 KiB scan: %r" % (
                             FLOODER, self.accepted,
                             self.refusal and (self.refusal.error_code,
                                               self.refusal.error_detail), OTHER, r))

    def test_b_never_started_uploads_expire(self):
        self.assertIsNotNone(self.refusal, "%d begins of one unit were all accepted: no "
                             "per-unit or server-wide limit at all" % self.accepted)
        code = DEP.new_dossier(FLOODER)
        c = DEP.raw(FLOODER)
        try:
            self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
            rid, last = 10, None
            while time.time() < self.flood_end + RECOVER_S:
                rid += 1
                last = c.call(rid, B_UPLOAD_BEGIN, begin_body(code, "scan.pdf", MiB, random_sha()),
                              timeout=30)
                if last.body_field == B_UPLOAD_STATE:
                    return
                time.sleep(2)
            self.fail("unit %s, refused after %d begins (%s/%s), still cannot begin an upload "
                      "%d s later: %r %s/%s" % (
                          FLOODER, self.accepted, self.refusal.error_code,
                          self.refusal.error_detail, RECOVER_S, last,
                          getattr(last, "error_code", ""), getattr(last, "error_detail", "")))
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
