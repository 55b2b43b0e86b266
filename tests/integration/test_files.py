"""Scans and result documents: upload, dedup, resume after the client is
killed, corrupted chunks, forbidden types, limits and authorisation.
Units 18517 (owner) and 18520 (another commune)."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from itest import (CLI, DISTRICT, ENV_DIR, Raw, cli, procedure_of_level, receive, unit_conf,
                   unwrap)
from files_util import (B_FILE_INFO, B_UPLOAD_ACK, B_UPLOAD_BEGIN, B_UPLOAD_CHUNK,
                        B_UPLOAD_FINISH, B_UPLOAD_STATE, begin_body, chunk_body, file_info,
                        finish_body, make_file, sha256_file, upload_state, ack_offset)

OWNER = "18517"
OTHER = "18520"
MiB = 1 << 20


def new_dossier(unit=OWNER, level="commune"):
    r, _ = receive(unit, level=level)
    if r.rc != 0:
        raise AssertionError("receive failed: %r" % r)
    return unwrap(r.doc, "dossier")["code"]


def lines(r):
    import json
    return [json.loads(x) for x in r.out.splitlines() if x.strip()]


class TestFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="motcua-files-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def download(self, unit, code):
        out = tempfile.mkdtemp(dir=self.tmp)
        return cli(unit, "download", code, "--out", out, timeout=120), out

    def test_receive_with_files_list_and_download(self):
        pdf = make_file(700 * 1024, dirname=self.tmp)
        png = make_file(300 * 1024, magic=b"\x89PNG\r\n\x1a\n", suffix=".png", dirname=self.tmp)
        r = cli(OWNER, "receive", "--procedure", procedure_of_level("commune"),
                "--name", "Trần Thị Tệp", "--id", "012345678912", "--file", pdf, "--file", png,
                timeout=120)
        self.assertEqual(r.rc, 0, r)
        code = r.doc["code"]
        files = {f["name"]: f for f in r.doc["files"]}
        self.assertEqual(set(files), {os.path.basename(pdf), os.path.basename(png)})
        for f, path in ((files[os.path.basename(pdf)], pdf), (files[os.path.basename(png)], png)):
            self.assertEqual(f["sha256"], sha256_file(path))
            self.assertEqual(f["size"], os.path.getsize(path))
            self.assertEqual(f["resumed_from"], 0)
        self.assertEqual(files[os.path.basename(png)]["mime"], "image/png")
        lst = cli(OWNER, "files", code)
        self.assertEqual(lst.rc, 0, lst)
        self.assertEqual(sorted(x["sha256"] for x in lst.doc),
                         sorted((sha256_file(pdf), sha256_file(png))))
        d, out = self.download(OWNER, code)
        self.assertEqual(d.rc, 0, d)
        for path in (pdf, png):
            got = os.path.join(out, code, os.path.basename(path))
            self.assertEqual(sha256_file(got), sha256_file(path))
        self.assertFalse([n for n in os.listdir(os.path.join(out, code)) if n.endswith(".part")])

    def test_dedup_completes_at_once(self):
        path = make_file(2 * MiB, dirname=self.tmp)
        a, b = new_dossier(), new_dossier()
        r1 = cli(OWNER, "attach", a, path, timeout=120)
        self.assertEqual(r1.rc, 0, r1)
        self.assertFalse(r1.doc["deduplicated"])
        r2 = cli(OWNER, "attach", b, path, timeout=120)
        self.assertEqual(r2.rc, 0, r2)
        self.assertTrue(r2.doc["deduplicated"], r2)
        self.assertEqual(r2.doc["sha256"], sha256_file(path))
        self.assertEqual(r2.doc["resumed_from"], 0)
        lst = cli(OWNER, "files", b)
        self.assertEqual([x["sha256"] for x in lst.doc], [sha256_file(path)])

    def test_forbidden_type_refused(self):
        code = new_dossier()
        # an executable renamed to .pdf: the magic bytes decide, not the name
        path = make_file(64 * 1024, magic=b"\x7fELF\x02\x01\x01", suffix=".pdf", dirname=self.tmp)
        r = cli(OWNER, "attach", code, path)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.error_code, "invalid", r)
        self.assertEqual(r.doc["error"].get("detail"), "file type", r)
        self.assertEqual(cli(OWNER, "files", code).doc, [])

    def test_other_commune_cannot_list_or_download(self):
        code = new_dossier()
        path = make_file(100 * 1024, magic=b"\xff\xd8\xff\xe0", suffix=".jpg", dirname=self.tmp)
        self.assertEqual(cli(OWNER, "attach", code, path).rc, 0)
        d, out = self.download(OTHER, code)
        self.assertEqual(d.rc, 1, d)
        self.assertEqual(d.error_code, "not_found", d)
        self.assertEqual(os.listdir(out), [])
        lst = cli(OTHER, "files", code)
        self.assertEqual(lst.error_code, "not_found", lst)
        up = cli(OTHER, "attach", code, path)
        self.assertEqual(up.error_code, "not_found", up)
        # a raw download request for the right sha256 is refused the same way
        raw = Raw(OTHER)
        raw.hello()
        from itest import f_bytes
        rep = raw.call(7, 58, f_bytes(1, code) + f_bytes(2, sha256_file(path)))
        self.assertEqual(rep.error_code, "not_found", rep)
        raw.close()

    def test_size_limit(self):
        code = new_dossier()
        raw = Raw(OWNER)
        raw.hello()
        rep = raw.call(2, B_UPLOAD_BEGIN, begin_body(code, "big.pdf", 101 * MiB, "a" * 64))
        self.assertEqual(rep.error_code, "too_big", rep)
        self.assertEqual(rep.error_detail, "size")
        rep = raw.call(3, B_UPLOAD_BEGIN, begin_body(code, "../etc.pdf", 10, "a" * 64))
        self.assertEqual((rep.error_code, rep.error_detail), ("invalid", "name"))
        raw.close()

    def test_corrupted_chunk_rejected_and_resent(self):
        code = new_dossier()
        path = make_file(600 * 1024, dirname=self.tmp)
        with open(path, "rb") as f:
            data = f.read()
        sha = sha256_file(path)
        raw = Raw(OWNER)
        raw.hello()
        st = upload_state(raw.call(2, B_UPLOAD_BEGIN, begin_body(code, "raw.pdf", len(data), sha,
                                                                  chunk=256 * 1024)))
        self.assertEqual(st["committed"], 0)
        n = st["chunk_bytes"]
        first = data[:n]
        bad = bytearray(first)
        bad[1000] ^= 0xFF  # flipped in transit; the checksum is of the original
        import hashlib
        rep = raw.call(3, B_UPLOAD_CHUNK, chunk_body(st["upload_id"], 0, bytes(bad),
                                                     hashlib.sha256(first).digest()))
        self.assertEqual((rep.error_code, rep.error_detail), ("invalid", "checksum"), rep)
        rep = raw.call(4, B_UPLOAD_CHUNK, chunk_body(st["upload_id"], n, data[n:2 * n]))
        self.assertEqual((rep.error_code, rep.error_detail), ("invalid", "offset"), rep)
        # nothing changed: the server still expects offset 0
        st2 = upload_state(raw.call(5, B_UPLOAD_BEGIN, begin_body(code, "raw.pdf", len(data), sha)))
        self.assertEqual(st2["committed"], 0)
        off, rid = 0, 10
        while off < len(data):
            raw.send_env(rid, B_UPLOAD_CHUNK, chunk_body(st["upload_id"], off, data[off:off + n]))
            off += len(data[off:off + n])
            rid += 1
        acked = 0
        while acked < len(data):
            rep = raw.recv(10)
            self.assertEqual(rep.body_field, B_UPLOAD_ACK, rep)
            acked = ack_offset(rep)
        fin = raw.call(99, B_UPLOAD_FINISH, finish_body(st["upload_id"]))
        self.assertEqual(fin.body_field, B_FILE_INFO, fin)
        self.assertEqual(file_info(fin)["sha256"], sha)
        raw.close()
        d, out = self.download(OWNER, code)
        self.assertEqual(d.rc, 0, d)
        self.assertEqual(sha256_file(os.path.join(out, code, "raw.pdf")), sha)

    def test_client_sigkill_then_rerun_resumes(self):
        code = new_dossier()
        path = make_file(50 * MiB, dirname=self.tmp)
        tmpdir = os.path.join(ENV_DIR, "data", "tmp")
        before = set(os.listdir(tmpdir))
        env = dict(os.environ, MOTCUA_RATE_LIMIT=str(10 * MiB))
        p = subprocess.Popen([CLI, "-c", unit_conf(OWNER), "--json", "attach", code, path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.communicate()))
        grown, deadline = 0, time.time() + 60
        while time.time() < deadline and grown < 20 * MiB and p.poll() is None:
            new = [os.path.join(tmpdir, n) for n in set(os.listdir(tmpdir)) - before]
            grown = max([os.path.getsize(f) for f in new if os.path.exists(f)] or [0])
            time.sleep(0.02)
        self.assertIsNone(p.poll(), "upload ended before it could be interrupted")
        p.send_signal(signal.SIGKILL)
        p.communicate()
        self.assertEqual(cli(OWNER, "files", code).doc, [], "a partial file became visible")
        r = cli(OWNER, "attach", code, path, timeout=180)
        self.assertEqual(r.rc, 0, r)
        self.assertGreater(r.doc["resumed_from"], 0, r)
        self.assertLess(r.doc["resumed_from"], 50 * MiB, r)
        d, out = self.download(OWNER, code)
        self.assertEqual(d.rc, 0, d)
        self.assertEqual(sha256_file(os.path.join(out, code, os.path.basename(path))), sha256_file(path))
        os.unlink(path)

    def test_result_document_at_the_district(self):
        code = new_dossier(level="district")
        self.assertEqual(cli(OWNER, "forward", code).rc, 0)
        self.assertEqual(cli(DISTRICT, "accept", code).rc, 0)
        res = make_file(200 * 1024, magic=b"II*\x00", suffix=".tif", dirname=self.tmp)
        # only the holder adds result documents
        no = cli(OWNER, "result", code, "--file", res)
        self.assertEqual(no.rc, 1, no)
        r = cli(DISTRICT, "result", code, "--file", res, timeout=120)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.doc["status"], 9, r)
        lst = cli(OWNER, "files", code)
        self.assertEqual([(x["kind"], x["mime"]) for x in lst.doc], [("result", "image/tiff")])
        d, out = self.download(OWNER, code)  # the receiving commune gets the result
        self.assertEqual(d.rc, 0, d)
        self.assertEqual(sha256_file(os.path.join(out, code, os.path.basename(res))), sha256_file(res))


if __name__ == "__main__":
    unittest.main()
