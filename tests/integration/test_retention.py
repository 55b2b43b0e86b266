"""Retention and rollups (issue 19; docs/DATABASE.md "Retention", migration
023, server/monitor/retention.c), in a throwaway deployment: deploy/local.sh
up on free ports with a sweep every second, torn down at the end.

Before the server starts, bench/retention_fill.sql writes ~300,000 link
events over the last 60 days (set-based INSERT: connections crossing local
midnight, 50 server runs, crashed-open connections) and migration 005's
link_uptime (tests/integration/retention_ref.sql, over every raw row) is
computed for each closed day. Then, with the server sweeping:
- every closed day is rolled up, and the rollup (and link_uptime, which now
  reads it) equals that reference for every unit and day;
- raw rows older than link_events_days are gone, none newer went, and
  what is left older is only connects of connections still open;
- idempotency: 200,000 rows with old timestamps lose their reply snapshot
  (the key rows stay), 50,000 inside retention keep theirs; a replay inside
  retention answers the original dossier; a replay of a key whose reply was
  dropped answers the same dossier from the dossiers table and creates
  nothing; the same key with another request is still a conflict;
- /metrics counts the rows removed and server.log has the sweep's line."""
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.request
import uuid

import itest
from itest import (B_DOSSIER_REPLY, B_ERROR, B_HELLO_REPLY, B_RECEIVE, BIN_DIR, SRC,
                   Raw, citizen_id, procedure_of_level, receive_body)
from itest_env import SANITIZER_MARKS, free_ports
from reliability_util import Deployment

UNIT = "18499"
# The ASan build runs the same sweep code over a fifth of the rows (still
# many 5,000-row batches): the fill and the SQL are PostgreSQL's time.
SCALE = 5 if os.environ.get("MOTCUA_SANITIZE") == "1" else 1
CONNECTIONS = 150000 // SCALE  # link events: about twice this
DAYS = 60              # spread over the last DAYS days
KEEP_EVENTS = 35       # link_events_days
KEEP_REPLIES = 30      # idempotency_reply_days
OLD_IDEM, NEW_IDEM = 200000 // SCALE, 50000 // SCALE
SWEEP_WAIT_S = 240


def migration_text(name):
    with open(os.path.join(SRC, "server", "store", "sql", name)) as f:
        return f.read()


def migration_function(name, fn):
    """Migration NAME's function FN, as CREATE OR REPLACE (to compare with it)."""
    m = re.search(r"(?ms)^CREATE (?:OR REPLACE )?FUNCTION %s\(.*?^\$\$;" % fn,
                  migration_text(name))
    return re.sub(r"^CREATE (OR REPLACE )?", "CREATE OR REPLACE ", m.group(0))


def migration_statement(name, start):
    """The statement of migration NAME that begins with START."""
    m = re.search(r"(?ms)^%s.*?;$" % re.escape(start), migration_text(name))
    return m.group(0)


class TestRetention(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = Deployment("motcua-ret-")  # reliability_util: local.sh in /var/tmp
        cls.dir, cls.env = cls.dep.dir, cls.dep.env
        cls.addClassCleanup(cls.down)  # even if set-up fails half-way
        p, h, g = free_ports(3)
        cls.http = h
        cls.local("up", "--port", str(p), "--http-port", str(h), "--pg-port", str(g),
                  "--no-server", "--no-desks")
        conf = os.path.join(cls.dir, "server.conf")
        with open(conf, "a") as f:
            f.write("\n[retention]\nidempotency_reply_days = %d\nlink_events_days = %d\n"
                    "retention_interval_s = 1\nretention_batch = 5000\n"
                    % (KEEP_REPLIES, KEEP_EVENTS))
        subprocess.run([os.path.join(BIN_DIR, "motcua-server"), "-c", conf, "--migrate"],
                       check=True, timeout=120, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        cls.dep.psql("-q", "-v", "n=%d" % CONNECTIONS, "-v", "days=%d" % DAYS, "-f",
                 os.path.join(SRC, "bench", "retention_fill.sql"))
        # the reference: 005's computation over every raw row, before any deletion
        cls.dep.psql("-q", "-c", "\\i %s" % os.path.join(SRC, "tests", "integration",
                                                      "retention_ref.sql"),
                 "-c", "CREATE TABLE ret_ref AS SELECT * FROM pg_temp.ref_uptime("
                       "(SELECT mc_local_day(min(at), 420) FROM link_events), "
                       "mc_local_day(now() - interval '10 minutes', 420) - 1, 420)")
        cls.since = cls.dep.psql("-c", "SELECT now() - interval '%d days'"
                             % (KEEP_EVENTS - 1)).strip()
        cls.events_kept = cls.dep.one(
            "SELECT count(*) FROM link_events WHERE client_version = 'fill' "
            "AND at >= '%s'" % cls.since)
        cls.local("up", "--no-desks")
        itest.ENV_DIR = cls.dir  # Raw, procedures, sessions: this deployment
        cls.proc = procedure_of_level("commune")

    @classmethod
    def down(cls):
        cls.dep.local("down", cls.dir, timeout=120, check=False)
        try:
            with open(os.path.join(cls.dir, "server.log"), errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
        shutil.rmtree(cls.dir, ignore_errors=True)
        hits = [m for m in SANITIZER_MARKS if m in text]
        if hits:
            i = min(text.find(m) for m in hits)
            raise AssertionError("sanitizer report in server.log:\n" +
                                 text[max(0, i - 500):i + 4000])

    # ---- helpers -----------------------------------------------------------

    @classmethod
    def local(cls, *args, timeout=280):
        cls.dep.local(args[0], cls.dir, *args[1:], timeout=timeout)

    def receive(self, c, rid, key, cid, name="Trần Thị Lưu"):
        r = c.call(rid, B_RECEIVE, receive_body(key, self.proc, name, cid))
        self.assertEqual(r.body_field, B_DOSSIER_REPLY, r)
        return r.dossier()[1][0].decode()

    def open(self):
        c = Raw(UNIT)
        self.addCleanup(c.close)
        self.assertEqual(c.hello().body_field, B_HELLO_REPLY)
        return c

    def wait_swept(self):
        """Until no reply older than retention, every closed day rolled up
        and no raw row of a closed run older than retention is left."""
        deadline = time.time() + SWEEP_WAIT_S
        q = ("SELECT (SELECT count(*) FROM idempotency WHERE reply IS NOT NULL "
             " AND dossier_id IS NOT NULL AND created_at < now() - interval '%d days' - "
             " interval '1 minute')"
             " + (SELECT count(*) FROM link_events e WHERE at < now() - interval '%d days' - "
             "    interval '1 minute' AND NOT EXISTS (SELECT 1 FROM link_open o "
             "    WHERE o.boot_ms = e.boot_ms AND o.conn_id = e.conn_id))"
             " + (SELECT count(*) FROM ret_ref r WHERE NOT EXISTS (SELECT 1 "
             "    FROM link_uptime_daily d WHERE d.day = r.day AND d.unit = r.unit))"
             % (KEEP_REPLIES, KEEP_EVENTS))
        left = None
        while time.time() < deadline:
            left = self.dep.one(q)
            if left == 0:
                return
            time.sleep(1)
        self.fail("the sweep did not finish within %d s: %s rows left" % (SWEEP_WAIT_S, left))

    # ---- the rules -------------------------------------------------------------

    def test_day_boundaries(self):
        """Local days of Asia/Ho_Chi_Minh (UTC+7, offset 420): 17:00 UTC is
        midnight; a connection from 23:30 to 00:30 local is split 1,800 s on
        each day; its disconnect counts on the second; an event at
        16:59:59.999 UTC is still the first day. In one transaction, rolled
        back (the sweeper never sees the rows)."""
        out = self.dep.psql("-c", """
BEGIN;
INSERT INTO link_server_runs VALUES (7, '2020-01-01 00:00Z', '2020-01-05 00:00Z');
INSERT INTO link_events (at, unit, kind, boot_ms, conn_id) VALUES
  ('2020-01-01 16:30Z', '18502', 'connect', 7, 1),
  ('2020-01-01 17:30Z', '18502', 'disconnect', 7, 1),
  ('2020-01-02 16:00Z', '18502', 'connect', 7, 2),
  ('2020-01-02 16:59:59.999Z', '18502', 'disconnect', 7, 2);
SELECT day, online_s, disconnects FROM link_uptime_raw('2020-01-01', '2020-01-03', 420)
 WHERE unit = '18502' ORDER BY day;
SELECT mc_local_day('2020-01-01 16:59:59.999Z', 420), mc_local_day('2020-01-01 17:00Z', 420);
ROLLBACK;""")
        rows = [l for l in out.splitlines() if "|" in l]
        self.assertEqual(rows, ["2020-01-01|1800|0", "2020-01-02|5400|2", "2020-01-03|0|0",
                                "2020-01-01|2020-01-02"])

    def test_long_connection(self):
        """A connection of 54 hours (19:00 local on 1 January to 01:00 on
        the 4th), each day asked alone: the first from its connect to
        midnight (its disconnect after the window), the 2nd and 3rd whole
        (connect before, disconnect after: the branch of past windows only,
        migration 025), the 4th one hour and its disconnect (connect before
        the window). Rolled back."""
        out = self.dep.psql("-c", """
BEGIN;
INSERT INTO link_server_runs VALUES (8, '2020-01-01 00:00Z', '2020-01-05 00:00Z');
INSERT INTO link_events (at, unit, kind, boot_ms, conn_id) VALUES
  ('2020-01-01 12:00Z', '18505', 'connect', 8, 1),
  ('2020-01-03 18:00Z', '18505', 'disconnect', 8, 1);
SELECT w.day, w.online_s, w.disconnects FROM generate_series('2020-01-01'::date, '2020-01-04',
       interval '1 day') AS d, link_uptime_raw(d::date, d::date, 420) w
 WHERE w.unit = '18505' ORDER BY 1;
ROLLBACK;""")
        rows = [l for l in out.splitlines() if "|" in l]
        self.assertEqual(rows, ["2020-01-01|18000|0", "2020-01-02|86400|0", "2020-01-03|86400|0",
                                "2020-01-04|3600|1"])

    def test_far_past_equals_025(self):
        """Migration 027: local days of March 2020 (the rollup's first sweep
        after an upgrade with years of raw rows), each alone and the four at
        once, give the same intervals (link_intervals_in) and the same uptime
        (link_uptime_raw) as 025's function on the same rows, and the same
        uptime as 005's: a connection spanning every window (its disconnect
        far after), one opened inside and closed after, one inside, one
        opened before and closed inside, two whose run crashed (no
        disconnect: they end when it was last alive, one inside a window).
        The disconnects are inserted without connected_at: the trigger
        gives each its connect's time. In one transaction, rolled back."""
        ref = os.path.join(SRC, "tests", "integration", "retention_ref.sql")
        iv = ("SELECT d::date AS day, li.* FROM generate_series('2020-03-02'::date, "
              "'2020-03-05', interval '1 day') AS d, link_intervals_in("
              "(d::timestamp - interval '7 hours') AT TIME ZONE 'UTC', "
              "(d::timestamp + interval '17 hours') AT TIME ZONE 'UTC') li")
        up = ("SELECT 'day' AS win, w.* FROM generate_series('2020-03-02'::date, '2020-03-05', "
              "interval '1 day') AS d, link_uptime_raw(d::date, d::date, 420) w "
              "UNION ALL SELECT 'all', * FROM link_uptime_raw('2020-03-02', '2020-03-05', 420)")
        diff = ("SELECT '%s', * FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x")
        out = self.dep.psql(
            "-c", "BEGIN",
            "-c", """
INSERT INTO link_server_runs VALUES (9, '2020-03-01 00:00Z', '2020-03-10 05:00Z'),
                                    (10, '2020-03-01 00:00Z', '2020-03-03 06:00Z');
INSERT INTO link_events (at, unit, kind, boot_ms, conn_id) VALUES
  ('2020-03-01 10:00Z', '18502', 'connect', 9, 1),
  ('2020-03-03 12:00Z', '18505', 'connect', 9, 2),
  ('2020-03-03 01:00Z', '18514', 'connect', 9, 3),
  ('2020-03-02 12:00Z', '18517', 'connect', 9, 4),
  ('2020-03-02 08:00Z', '18508', 'connect', 9, 5),
  ('2020-03-03 09:00Z', '18520', 'connect', 9, 6),
  ('2020-03-01 20:00Z', '18523', 'connect', 10, 1);
INSERT INTO link_events (at, unit, kind, boot_ms, conn_id) VALUES
  ('2020-04-20 10:00Z', '18502', 'disconnect', 9, 1),
  ('2020-03-04 20:00Z', '18505', 'disconnect', 9, 2),
  ('2020-03-03 02:00Z', '18514', 'disconnect', 9, 3),
  ('2020-03-03 04:00Z', '18517', 'disconnect', 9, 4);""",
            "-c", "SELECT 'unmatched', count(*) FROM link_events d WHERE d.boot_ms IN (9, 10) "
                  "AND d.kind = 'disconnect' AND d.connected_at IS DISTINCT FROM (SELECT c.at "
                  "FROM link_events c WHERE c.boot_ms = d.boot_ms AND c.conn_id = d.conn_id "
                  "AND c.kind = 'connect')",
            "-c", "\\i %s" % ref,
            "-c", "CREATE TEMP TABLE n_iv AS " + iv,
            "-c", "CREATE TEMP TABLE n_up AS " + up,
            "-c", "CREATE TEMP TABLE r_up AS SELECT * FROM pg_temp.ref_uptime("
                  "'2020-03-02', '2020-03-05', 420)",
            "-c", migration_function("025_link_window.sql", "link_intervals_in"),
            "-c", "CREATE TEMP TABLE o_iv AS " + iv,
            "-c", "CREATE TEMP TABLE o_up AS " + up,
            "-c", diff % ("diff_iv", "n_iv", "o_iv"), "-c", diff % ("diff_iv", "o_iv", "n_iv"),
            "-c", diff % ("diff_up", "n_up", "o_up"), "-c", diff % ("diff_up", "o_up", "n_up"),
            "-c", "SELECT 'diff_ref', * FROM (SELECT unit, day, online_s, uptime_pct, disconnects "
                  "FROM n_up WHERE win = 'all' EXCEPT SELECT * FROM r_up) x",
            "-c", "SELECT 'n', count(*) FROM n_iv",
            "-c", "SELECT 'up', unit, day, online_s, disconnects FROM n_up WHERE "
                  "win = 'day' AND unit IN ('18502', '18508', '18523') "
                  "ORDER BY unit, day",
            "-c", "ROLLBACK")
        lines = out.splitlines()
        self.assertEqual([l for l in lines if l.startswith("diff")], [], out[-3000:])
        self.assertIn("unmatched|0", lines)
        self.assertGreaterEqual(int([l for l in lines if l.startswith("n|")][0][2:]), 12)
        self.assertEqual([l for l in lines if l.startswith("up|")], [
            "up|18502|2020-03-02|86400|0", "up|18502|2020-03-03|86400|0",
            "up|18502|2020-03-04|86400|0", "up|18502|2020-03-05|86400|0",
            "up|18508|2020-03-02|32400|0", "up|18508|2020-03-03|86400|0",
            "up|18508|2020-03-04|86400|0", "up|18508|2020-03-05|86400|0",
            "up|18523|2020-03-02|75600|0", "up|18523|2020-03-03|46800|0",
            "up|18523|2020-03-04|0|0", "up|18523|2020-03-05|0|0"])

    def test_backfill(self):
        """Migration 027's backfill, run again on the fill's rows with
        connected_at emptied: every disconnect whose connect is stored gets
        that connect's time (all of them did, none is left NULL), the ones
        without a connect stay NULL. Rolled back (READ COMMITTED: the
        sweeper may delete rows meanwhile; it waits for the row locks)."""
        out = self.dep.psql(
            "-c", "BEGIN",
            "-c", "UPDATE link_events SET connected_at = NULL WHERE kind = 'disconnect'",
            "-c", migration_statement("027_link_connected.sql", "UPDATE link_events d SET"),
            "-c", "SELECT 'dis', count(*), count(connected_at), count(*) FILTER (WHERE "
                  "connected_at IS NOT DISTINCT FROM (SELECT min(c.at) FROM link_events c "
                  "WHERE c.boot_ms = d.boot_ms AND c.conn_id = d.conn_id AND c.kind = 'connect'))"
                  " FROM link_events d WHERE kind = 'disconnect'",
            "-c", "ROLLBACK")
        row = [l for l in out.splitlines() if l.startswith("dis|")][0].split("|")
        n, given, right = int(row[1]), int(row[2]), int(row[3])
        self.assertGreater(given, CONNECTIONS // 2, out)  # most connects are still stored
        self.assertEqual(right, n, "a disconnect without its connect's time (or a wrong one)")

    def test_today_equals_reference(self):
        """Today and the three days before from the raw rows (link_uptime_raw,
        the per-minute query's part, migration 025) equal 005's computation,
        in one snapshot and at one now(): the fill's connections crossing
        midnight, open ones of the run still alive, crashed ones."""
        out = self.dep.psql("-c", "BEGIN ISOLATION LEVEL REPEATABLE READ",
                        "-c", "\\i %s" % os.path.join(SRC, "tests", "integration",
                                                      "retention_ref.sql"),
                        "-c", "CREATE TEMP TABLE t_ref AS SELECT * FROM pg_temp.ref_uptime("
                              "mc_local_day(now(), 420) - 3, mc_local_day(now(), 420), 420)",
                        "-c", "CREATE TEMP TABLE t_new AS SELECT * FROM link_uptime_raw("
                              "mc_local_day(now(), 420) - 3, mc_local_day(now(), 420), 420)",
                        "-c", "SELECT 'rows', count(*), sum(online_s) FROM t_ref",
                        "-c", "SELECT 'diff', * FROM (SELECT * FROM t_ref EXCEPT "
                              "SELECT * FROM t_new) x",
                        "-c", "SELECT 'diff', * FROM (SELECT * FROM t_new EXCEPT "
                              "SELECT * FROM t_ref) x",
                        "-c", "ROLLBACK")
        lines = out.splitlines()
        self.assertEqual([l for l in lines if l.startswith("diff|")], [], out[-3000:])
        n = [l for l in lines if l.startswith("rows|")][0].split("|")
        self.assertEqual(int(n[1]), 22 * 4)
        self.assertGreater(int(n[2]), 0)

    # ---- the test ------------------------------------------------------------

    def test_sweep(self):
        c = self.open()
        k_old, k_new = "itest-" + uuid.uuid4().hex, "itest-" + uuid.uuid4().hex
        cid_old, cid_new = citizen_id(), citizen_id()
        code_old = self.receive(c, 10, k_old, cid_old)
        code_new = self.receive(c, 11, k_new, cid_new)
        # k_old: first used beyond retention; filler rows on both sides of it
        self.dep.psql("-c", "UPDATE idempotency SET created_at = now() - interval '%d days' "
                        "WHERE key = '%s'" % (KEEP_REPLIES + 10, k_old))
        self.dep.psql("-c", (
            "INSERT INTO idempotency (unit_code, key, action, dossier_id, reply, created_at) "
            "SELECT '{u}', 'fill-' || i, 'receive', s.dossier_id, s.reply, "
            "       CASE WHEN i <= {old} THEN now() - make_interval(days => {keep} + 1 + i % 60)"
            "            ELSE now() - make_interval(days => i % {keep_new}) END "
            "  FROM generate_series(1, {n}) i, "
            "       (SELECT dossier_id, reply FROM idempotency WHERE key = '{k}') s"
        ).format(u=UNIT, old=OLD_IDEM, keep=KEEP_REPLIES, keep_new=KEEP_REPLIES - 1,
                 n=OLD_IDEM + NEW_IDEM, k=k_new))
        # a key without a dossier (an officer change, 016), beyond retention: keeps its reply
        self.dep.psql("-c", "INSERT INTO idempotency (unit_code, key, action, reply, created_at)"
                        " VALUES ('%s', 'nodossier-1', 'officer_add', '{\"ok\": true}',"
                        " now() - interval '%d days')" % (UNIT, KEEP_REPLIES + 5))
        rows_before = self.dep.one("SELECT count(*) FROM idempotency")

        self.wait_swept()

        # link history: the rollup equals 005's computation over the raw rows
        self.assertGreaterEqual(self.dep.one("SELECT count(*) FROM ret_ref"), 22 * DAYS)
        lo, hi = self.dep.psql("-c", "SELECT min(day), max(day) FROM ret_ref").strip().split("|")
        for src in ("link_uptime_daily",
                    "link_uptime('%s', '%s', 420)" % (lo, hi)):
            diff = self.dep.psql("-c", "SELECT unit, day, online_s, uptime_pct, disconnects "
                                   "FROM ret_ref EXCEPT SELECT unit, day, online_s, "
                                   "uptime_pct, disconnects FROM %s" % src)
            self.assertEqual(diff, "", "%s differs from the reference:\n%s" % (src, diff[:2000]))
        self.assertGreater(self.dep.one("SELECT count(*) FROM ret_ref WHERE online_s > 0 "
                                    "AND online_s < 86400"), 0)  # not all-or-nothing days
        # raw rows: none inside retention went; older ones only open connects
        self.assertEqual(self.dep.one(
            "SELECT count(*) FROM link_events WHERE client_version = 'fill' "
            "AND at >= '%s'" % self.since), self.events_kept)
        self.assertEqual(self.dep.one(
            "SELECT count(*) FROM link_events e WHERE at < now() - interval '%d days' - "
            "interval '1 minute' AND NOT (kind = 'connect' AND EXISTS (SELECT 1 FROM "
            "link_open o WHERE o.boot_ms = e.boot_ms AND o.conn_id = e.conn_id))"
            % KEEP_EVENTS), 0)
        self.assertEqual(self.dep.one("SELECT count(*) FROM link_events WHERE at < now() - "
                                  "interval '%d days'" % (DAYS + 1)), 0)

        # idempotency: keys stay, old answers go, recent ones stay
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency"), rows_before)
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE key LIKE 'fill-%' "
                                  "AND reply IS NULL"), OLD_IDEM)
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE key LIKE 'fill-%' "
                                  "AND reply IS NOT NULL"), NEW_IDEM)
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE key = '%s' "
                                  "AND reply IS NULL" % k_old), 1)
        # 029: every old row was visited once (it left the sweep's index); the
        # key without a dossier kept its reply, the recent ones are still to visit
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE sweep_pending AND"
                                  " created_at < now() - interval '%d days'" % KEEP_REPLIES), 0)
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE key = 'nodossier-1'"
                                  " AND reply IS NOT NULL AND sweep_pending IS NULL"), 1)
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE key LIKE 'fill-%' "
                                  "AND sweep_pending"), NEW_IDEM)

        # replays: inside retention the stored answer, outside it the dossier itself
        c2 = self.open()
        self.assertEqual(self.receive(c2, 20, k_new, cid_new), code_new)
        self.assertEqual(self.receive(c2, 21, k_old, cid_old), code_old)
        self.assertEqual(self.dep.one("SELECT count(*) FROM dossiers WHERE code IN ('%s', '%s')"
                                  % (code_old, code_new)), 2)
        self.assertEqual(self.dep.one("SELECT count(*) FROM idempotency WHERE key = '%s' "
                                  "AND reply IS NULL" % k_old), 1)  # answered, not re-stored
        other = c2.call(22, B_RECEIVE, receive_body(k_old, self.proc, "Lê Văn Khác",
                                                    citizen_id()))
        self.assertEqual(other.body_field, B_ERROR, other)
        self.assertEqual(other.error_code, "conflict", other)

        # metrics and the sweep's log line
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.http, timeout=10) as r:
            text = r.read().decode()
        m = re.search(r'(?m)^motcua_retention_rows_total\{table="link_events"\} (\d+)$', text)
        self.assertIsNotNone(m, text[-3000:])
        self.assertGreater(int(m.group(1)), 0)
        m = re.search(r'(?m)^motcua_retention_rows_total\{table="idempotency"\} (\d+)$', text)
        self.assertGreaterEqual(int(m.group(1)), OLD_IDEM + 1)
        m = re.search(r'(?m)^motcua_retention_rollup_days_total (\d+)$', text)
        self.assertGreaterEqual(int(m.group(1)), DAYS)
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            log = f.read()
        self.assertRegex(log, r"retention: sweep rollup_days=\d+ link_events_deleted=[1-9]\d* ")


if __name__ == "__main__":
    unittest.main()
