"""Keyset pages (issue 19) against a real server and PostgreSQL: a list and
a search of more than 1,000 matches paged with their cursors while new
dossiers arrive (no row twice, none of the first snapshot missing), in
every list order; then, with the server's frame cap lowered to 4 KiB, a
page cut short of its limit (cut + next, and following it still covers the
set) and a reply that cannot be cut (the catalogue) answered with the error
reply_too_large instead of silence. search --json carries next and cut like
list --json; inbox --all follows the pages (--peek: by the cursors; reading:
until nothing is unread) up to the CLI's bound of 100 pages.

Runs in its own throwaway deployment (deploy/local.sh up): it fills a
commune with 1,100 dossiers by SQL and restarts the server."""
import os
import subprocess
import unittest

import itest
from itest import LOCAL_SH, citizen_id
from reliability_util import Deployment

C = "18529"           # the commune filled here
NAME = "Phân Trang"   # every filled dossier's name (accents: the search folds them)
FILLED = 1100
PROC = "1.001193"     # commune-level civil procedure (migration 002)


class TestPages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = Deployment("mc-pages-")  # reliability_util: local.sh up/down, removed after
        cls.dir, cls.env = cls.dep.dir, cls.dep.env
        cls.addClassCleanup(cls.dep.down)  # registered first: runs even if "up" fails
        cls.dep.up()
        itest.ENV_DIR = cls.dir
        cls.fill(FILLED)

    @classmethod
    def psql(cls, sql):
        p = subprocess.run(["bash", LOCAL_SH, "psql", cls.dir, "-v", "ON_ERROR_STOP=1", "-At",
                            "-c", sql], env=cls.env, capture_output=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(p.stderr.decode())
        return p.stdout.decode().strip()

    fills = 0

    @classmethod
    def fill(cls, n):
        """n dossiers of C named NAME, by SQL; received one minute apart in
        the past, some sharing a received time (ties broken by id) and
        some without a due date (the due order's NULLs)."""
        cls.fills += 1
        cls.psql(
            "INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,"
            " applicant_id, applicant_phone, channel, received_at, due_at, holder_unit)"
            " SELECT 'PG%d-' || g, 1 + g %% 2, '%s', '%s', '%s ' || g,"
            "  lpad(g::text, 12, '0'), '09' || lpad(g::text, 8, '0'), 1,"
            "  timestamptz '2026-01-01' + (g / 3) * interval '1 minute',"
            "  CASE WHEN g %% 7 = 0 THEN NULL"
            "       ELSE timestamptz '2026-02-01' + (g %% 50) * interval '1 hour' END, '%s'"
            " FROM generate_series(1, %d) g" % (cls.fills, C, PROC, NAME, C, n))

    def page(self, cmd, *args):
        r = itest.cli(C, cmd, *args)
        self.assertEqual(r.rc, 0, r)
        return r

    def walk(self, cmd, args, arrive=None, limit=None):
        """Every page of cmd (list or search) by its cursors; arrive() runs
        between pages. The codes in order, and the pages' replies."""
        codes, replies, after = [], [], None
        while True:
            extra = ["--after", after] if after else []
            r = self.page(cmd, *(list(args) + extra))
            doc = r.doc
            self.assertIn("cut", doc, cmd)            # list and search alike
            codes += [d["code"] for d in doc["dossiers"]]
            replies.append(doc)
            after = doc.get("next")
            self.assertNotIn("--after", r.err, cmd)   # the cursor is in the JSON
            if not after:
                return codes, replies
            self.assertLess(len(replies), 200, "pages do not end")
            if arrive:
                arrive()

    def arrive(self):
        """New dossiers while paging: one received through the server (now:
        the newest), ten by SQL dated among the filled ones (on both sides
        of the cursor)."""
        r = itest.cli(C, "receive", "--procedure", PROC, "--name", NAME + " Mới",
                      "--id", citizen_id())
        self.assertEqual(r.rc, 0, r)
        self.fill(10)

    def snapshot(self, sort):
        r = self.page("list", "--sort", sort, "--limit", "1000", "--all")
        return r.doc["dossiers"]

    def test_list_pages_in_every_order_while_dossiers_arrive(self):
        for sort in ("-received", "received", "due", "-due", "code", "-code", "status",
                     "-status"):
            before = [d["code"] for d in self.snapshot(sort)]
            self.assertGreater(len(before), 1000)
            codes, replies = self.walk("list", ["--sort", sort, "--limit", "250"],
                                       arrive=self.arrive)
            self.assertGreater(len(replies), 4, sort)
            self.assertEqual(len(codes), len(set(codes)), sort)          # no row twice
            self.assertFalse(set(before) - set(codes), sort)             # none missing
            # the first snapshot's rows keep their relative order
            seen = [c for c in codes if c in set(before)]
            self.assertEqual(seen, before, sort)
            self.assertTrue(all(not r["cut"] for r in replies))
            self.assertTrue(replies[0]["total_capped"] or replies[0]["total"] >= 1000)

    def test_search_pages_past_500(self):
        before, _ = self.walk("search", ["phan trang", "--limit", "500"])
        self.assertGreater(len(before), 1000)
        self.assertEqual(len(before), len(set(before)))
        codes, replies = self.walk("search", ["phan trang", "--limit", "300"],
                                   arrive=self.arrive)
        self.assertGreater(len(replies), 3)
        self.assertEqual(len(codes), len(set(codes)))
        self.assertFalse(set(before) - set(codes))
        # --all: every page in one object, the last page's (empty) cursor
        r = self.page("search", "phan trang", "--limit", "300", "--all")
        allc = [d["code"] for d in r.doc["dossiers"]]
        self.assertEqual(len(allc), len(set(allc)))
        self.assertFalse(set(codes) - set(allc))
        self.assertIsNone(r.doc["next"])
        self.assertFalse(r.doc["cut"])
        # the human output names the next page in both languages
        r = itest.cli(C, "search", "phan trang", "--limit", "5", json_out=False)
        self.assertIn("Còn nữa, trang sau: --after S.", r.out)
        r = itest.cli(C, "--lang", "en", "list", "--limit", "5", json_out=False)
        self.assertIn("More, next page: --after L0d.", r.out)

    def unread(self):
        return int(self.psql("SELECT count(*) FROM inbox WHERE unit_code = '%s'"
                             " AND read_at IS NULL" % C))

    def notify(self, n):
        """n unread inbox entries for C, as the district's send-backs."""
        self.psql("INSERT INTO inbox (unit_code, kind, from_unit, detail, dossier_id)"
                  " SELECT '%s', 'send_back', (SELECT code FROM units WHERE role = 'district'"
                  " LIMIT 1), 'trang ' || id, id FROM dossiers WHERE unit_code = '%s'"
                  " ORDER BY id LIMIT %d" % (C, C, n))

    def test_inbox_all(self):
        self.notify(250)
        n = self.unread()
        self.assertGreaterEqual(n, 250)
        # one page of a peek: its cursor
        r = self.page("inbox", "--peek", "--limit", "100")
        self.assertEqual(len(r.doc["events"]), 100)
        self.assertTrue(r.doc["next"])
        # --peek --all: every page by the cursors, nothing marked read
        r = self.page("inbox", "--peek", "--limit", "100", "--all")
        ids = [e["id"] for e in r.doc["events"]]
        self.assertEqual(len(ids), n)
        self.assertEqual(len(set(ids)), n)
        self.assertEqual(ids, sorted(ids))                  # oldest first, no page twice
        self.assertIsNone(r.doc["next"])
        self.assertEqual(self.unread(), n)
        r = itest.cli(C, "--lang", "en", "inbox", "--peek", "--limit", "100", "--all",
                      json_out=False)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("%d notification(s)" % n, r.out)
        self.assertNotIn("--after", r.out)
        # the bound: 100 pages, then the cursor of the 101st
        r = self.page("inbox", "--peek", "--limit", "1", "--all")
        self.assertEqual(len(r.doc["events"]), 100)
        self.assertTrue(r.doc["next"])
        # reading --all: until nothing is unread (no cursor: each read takes the oldest)
        r = self.page("inbox", "--limit", "100", "--all")
        self.assertEqual(sorted(e["id"] for e in r.doc["events"]), sorted(ids))
        self.assertEqual(self.unread(), 0)
        r = self.page("inbox", "--all")
        self.assertEqual(r.doc["events"], [])
        # reading at the bound: 100 read, the rest left unread and said so
        self.notify(130)
        r = itest.cli(C, "inbox", "--limit", "1", "--all", json_out=False)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("100 thông báo", r.out)
        self.assertIn("Vẫn còn thông báo chưa đọc", r.out)
        self.assertEqual(self.unread(), 30)
        r = itest.cli(C, "inbox", "--limit", "1", "--after", "I.1")  # --after wants --peek
        self.assertNotEqual(r.rc, 0, r)

    def test_cursor_is_checked(self):
        for bad in ("L0d.1", "L1d.1.1", "S.1.1", "L0d.0.1", "L0d.1.x"):
            r = itest.cli(C, "list", "--after", bad)
            self.assertNotEqual(r.rc, 0, bad)
            self.assertIn("after", r.out + r.err, bad)
        r = itest.cli(C, "list", "--after", "bad cursor")  # refused before sending
        self.assertNotEqual(r.rc, 0)

    def test_zz_small_frame_cap(self):
        """Last (zz): restarts the server with max_frame = 4096."""
        conf = os.path.join(self.dir, "server.conf")
        with open(conf) as f:
            text = f.read()
        self.assertIn("max_frame = 1048576", text)
        whole = [d["code"] for d in self.snapshot("code")]  # before: 4 KiB pages are short
        subprocess.run(["bash", LOCAL_SH, "stop-server", self.dir], env=self.env, check=True,
                       timeout=120, stdout=subprocess.DEVNULL)
        with open(conf, "w") as f:
            f.write(text.replace("max_frame = 1048576", "max_frame = 4096"))
        subprocess.run(["bash", LOCAL_SH, "start-server", self.dir], env=self.env, check=True,
                       timeout=120, stdout=subprocess.DEVNULL)
        # a page of 100 does not fit in 4 KiB: cut, with where to go on
        r = self.page("list", "--sort", "code", "--limit", "100")
        self.assertTrue(r.doc["cut"])
        self.assertTrue(r.doc["next"])
        self.assertLess(len(r.doc["dossiers"]), 100)
        self.assertGreater(len(r.doc["dossiers"]), 0)
        codes, replies = self.walk("list", ["--sort", "code", "--limit", "100"])
        self.assertEqual(codes, whole)
        self.assertTrue(all(r["cut"] for r in replies[:-1]))
        # a search page likewise
        codes, replies = self.walk("search", ["phan trang", "--limit", "100"])
        self.assertEqual(len(codes), len(set(codes)))
        self.assertGreater(len(codes), 1000)
        self.assertTrue(replies[0]["cut"] and replies[0]["next"])
        self.assertTrue(all(r["cut"] for r in replies[:-1]))
        # the catalogue cannot be cut: an error frame, at once, not a timeout
        r = itest.cli(C, "procedures", timeout=10)
        self.assertNotEqual(r.rc, 0, r)
        self.assertNotEqual(r.rc, 3, r)  # not "connection timeout"
        self.assertIn("reply_too_large", r.out + r.err)
        with open(os.path.join(self.dir, "server.log"), encoding="utf-8", errors="replace") as f:
            log = f.read()
        self.assertIn("reply too large", log)
        self.assertIn("page cut", log)


if __name__ == "__main__":
    unittest.main()
