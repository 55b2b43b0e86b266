#!/usr/bin/env python3
"""Retention and rollups (issue 19; docs/PERFORMANCE.md "Retention and
rollups"), against the database of a running local deployment:

  nice -n 10 bench/retention_bench.py DIR [--events 1000000,10000000] [--days 1095]
                                      [--same-rate] [--idem 1000000] [--out FILE.json]

DIR: deploy/local.sh up DIR (server running; its [retention] sweep is not
used: the bench calls the sweep's statements itself). WARNING: it empties
DIR's link history and link_uptime_daily.

1. Link history, for each --events size: bench/retention_fill.sql spreads
   that many rows over --days days (set-based), ANALYZE (--same-rate: over
   days in proportion to the size, --days for the largest, so the history
   grows at one event and restart rate; every size's rows end at the same
   instant, taken at the start, so "today" holds the same rows at every
   size whatever the time each is filled); then the per-minute
   monitoring query (today's uptime of every unit) as the server ran it
   before (migration 005's link_uptime, kept in tests/integration/
   retention_ref.sql) and as it runs it now (023's link_uptime), each timed
   (median of the runs, ms) with the temporary bytes it wrote
   (pg_stat_database.temp_bytes); "after" once with the whole history still
   raw (today is never rolled up) and, up to --sweep-max events, once more
   after the rollup of every closed day and the deletion. Beside the ms
   (load-sensitive), the shared buffers (hit + read) of "after" by
   EXPLAIN (ANALYZE, BUFFERS), the function bodies included: the same on a
   quiet or a busy machine, so its ratio shows constancy deterministically;
   after the deletion also those of the sweep's statements with nothing
   left to do.
   Also the same with migration 025's link_intervals_in (put back in a
   transaction rolled back: 027 replaced it); --far-past S: the rollup's
   first statement after an upgrade (link_uptime_raw of the 31 oldest local
   days) with 027's and 025's function, ms (025 cut after S seconds) and
   027's buffers; --backfill: migration 027 re-run on the rows (its column,
   trigger and index dropped first, rolled back), seconds per statement.
2. Idempotency: --idem rows carrying a real receive's reply snapshot (the
   receive made through the CLI of unit 18499), the table's total size,
   then idem_prune in batches of 50,000 and VACUUM FULL, the size again.

Prints each figure, the ratios after(largest)/after(smallest) beside their
targets (buffers <= 1.2, ms <= 1.5: constant in the size of the history)
and writes JSON to
--out. Load average beside them: this machine is shared."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
LOCAL_SH = os.path.join(SRC, "deploy", "local.sh")
REF = os.path.join(SRC, "tests", "integration", "retention_ref.sql")
FILL = os.path.join(SRC, "bench", "retention_fill.sql")
TODAY = "mc_local_day(now(), 420)"


def psql(d, *args, stdin=None, timeout=7200):
    r = subprocess.run(["bash", LOCAL_SH, "psql", d, "-X", "-v", "ON_ERROR_STOP=1", "-At"] +
                       list(args), capture_output=True, text=True, timeout=timeout, input=stdin)
    if r.returncode != 0:
        sys.exit("psql %r: %s" % (args[:4], r.stderr[-2000:]))
    return r.stdout


def timed(d, query, runs, ref=False):
    """(median ms, temp bytes per run) of query, in one session."""
    script = ["\\i %s" % REF] if ref else []
    script += ["SELECT 'T0', temp_bytes FROM pg_stat_database WHERE datname = current_database();",
               "\\timing on"]
    script += ["SELECT count(*) FROM %s;" % query] * runs
    script += ["\\timing off", "SELECT pg_stat_force_next_flush();", "SELECT pg_sleep(0.2);",
               "SELECT 'T1', temp_bytes FROM pg_stat_database WHERE datname = current_database();"]
    out = psql(d, "-f", "-", stdin="\n".join(script) + "\n")
    ms = [float(x) for x in re.findall(r"Time: ([0-9.]+) ms", out)]
    t0 = int(re.search(r"T0\|(\d+)", out).group(1))
    t1 = int(re.search(r"T1\|(\d+)", out).group(1))
    return statistics.median(ms), (t1 - t0) // runs


def link_intervals_of(migration):
    """Migration 023's or 025's link_intervals_in, as CREATE OR REPLACE (027
    replaced them; they read only columns 027 kept)."""
    name = {"023": "023_retention.sql", "025": "025_link_window.sql"}[migration]
    with open(os.path.join(SRC, "server", "store", "sql", name)) as f:
        text = f.read()
    m = re.search(r"(?ms)^CREATE (?:OR REPLACE )?FUNCTION link_intervals_in\(.*?^\$\$;", text)
    return re.sub(r"^CREATE (OR REPLACE )?", "CREATE OR REPLACE ", m.group(0))


def buffers(d, query, runs=3, with_fn=None):
    """Shared buffers (hit + read) the execution of query touched, function
    bodies included (EXPLAIN ANALYZE BUFFERS), the last of runs in one
    session (the first ones fill the session's catalogue caches). with_fn
    "023"/"025": with that migration's link_intervals_in, in a transaction
    rolled back."""
    script = ["EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT count(*) FROM %s;" % query] * runs
    if with_fn:
        script = ["BEGIN;", link_intervals_of(with_fn)] + script + ["ROLLBACK;"]
    out = psql(d, "-q", "-f", "-", stdin="\n".join(script) + "\n")
    plans = json.loads("[" + out.strip().replace("\n]\n[", "\n],\n[") + "]")
    top = plans[-1][0]["Plan"]
    return top["Shared Hit Blocks"] + top["Shared Read Blocks"]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def far_past(d, limit_s):
    """The first statement of the rollup after an upgrade (link_rollup's
    link_uptime_raw of the 31 oldest local days), with 025's and 027's
    link_intervals_in on the same rows: ms (statement_timeout limit_s for
    025: -1 = cut) and, for 027, shared buffers."""
    first = "(SELECT mc_local_day(min(at), 420) FROM link_events)"
    q = "link_uptime_raw(%s, LEAST(%s + 30, %s - 1), 420)" % (first, first, TODAY)
    res = {"load": loadavg()}
    for fn in ("027", "025"):
        script = ["BEGIN;"] + ([link_intervals_of(fn)] if fn != "027" else [])
        script += ["SET LOCAL statement_timeout = '%ds';" % limit_s, "\\timing on",
                   "SELECT count(*) FROM %s;" % q, "\\timing off", "ROLLBACK;"]
        r = subprocess.run(["bash", LOCAL_SH, "psql", d, "-X", "-At", "-f", "-"],
                           input="\n".join(script) + "\n", capture_output=True, text=True,
                           timeout=limit_s + 600)
        ms = re.findall(r"Time: ([0-9.]+) ms", r.stdout)
        if not ms and "statement timeout" not in r.stderr:
            sys.exit("far-past rollup with %s: %s" % (fn, r.stderr[-2000:]))
        res[fn + "_ms"] = float(ms[-1]) if ms else -1.0  # -1: cut by the timeout
    res["027_buffers"] = buffers(d, q, runs=2)
    return res


def backfill(d):
    """Migration 027 as an upgrade runs it on these rows: its column, trigger
    and index dropped, then the migration file applied (\\timing per
    statement), rolled back. Seconds of each statement that takes > 0.5 s."""
    mig = os.path.join(SRC, "server", "store", "sql", "027_link_connected.sql")
    script = ["BEGIN;", "DROP INDEX link_events_span_idx;",
              "DROP TRIGGER link_events_connected ON link_events;",
              "DROP FUNCTION link_event_connected();",
              "ALTER TABLE link_events DROP COLUMN connected_at;",
              "\\timing on", "\\i %s" % mig, "\\timing off", "ROLLBACK;"]
    t = time.time()
    out = psql(d, "-f", "-", stdin="\n".join(script) + "\n")
    ms = [float(x) for x in re.findall(r"Time: ([0-9.]+) ms", out)]
    # the file's statements in order: ALTER, UPDATE, CREATE FUNCTION, TRIGGER, INDEX, FUNCTION
    names = ["add_column", "backfill_update", "trigger_function", "trigger", "span_index",
             "link_intervals_in"]
    res = {k: round(v / 1000, 1) for k, v in zip(names, ms)}
    res["total_s"] = round(time.time() - t, 1)
    res["load"] = loadavg()
    return res


def link_history(d, n, days, runs, end_ts, no_sweep=False, skip_before=False, far_past_s=0,
                 with_backfill=False):
    psql(d, "-q", "-c", "TRUNCATE link_events, link_open, link_uptime_daily; "
                        "DELETE FROM link_server_runs WHERE boot_ms < 100000")
    t = time.time()
    server_runs = max(1, round(days * 50 / 110))  # a restart every 2.2 days
    psql(d, "-q", "-v", "n=%d" % (n // 2), "-v", "days=%d" % days, "-v", "runs=%d" % server_runs,
         "-v", "end_ts=%s" % end_ts, "-f", FILL)
    fill_s = time.time() - t
    rows = int(psql(d, "-c", "SELECT count(*) FROM link_events").strip())
    today_rows = int(psql(d, "-c", "SELECT count(*) FROM link_events WHERE mc_local_day(at, 420) "
                                   "= %s AND client_version = 'fill'" % TODAY).strip())
    res = {"events": rows, "days": days, "server_runs": server_runs, "today_rows": today_rows,
           "fill_s": round(fill_s, 1), "load_before": loadavg()}
    if skip_before:
        res["before_ms"], res["before_temp_bytes"] = -1.0, -1  # -1: not measured
    else:
        res["before_ms"], res["before_temp_bytes"] = timed(
            d, "pg_temp.ref_uptime(%s, %s, 420)" % (TODAY, TODAY), 1, ref=True)
    # today is never rolled up: the per-minute query needs no rollup, so it
    # is measured first with the whole history raw, then after the deletion
    q = "link_uptime(%s, %s, 420)" % (TODAY, TODAY)
    res["after_raw_ms"], res["after_raw_temp_bytes"] = timed(d, q, runs)
    res["after_raw_buffers"] = buffers(d, q)
    res["m023_buffers"] = buffers(d, q, with_fn="023")
    res["m025_buffers"] = buffers(d, q, with_fn="025")
    if far_past_s > 0:
        res["far_past"] = far_past(d, far_past_s)
    if with_backfill:
        res["migration_027"] = backfill(d)
    if no_sweep:
        return res
    t = time.time()
    while int(psql(d, "-c", "SELECT link_rollup(420, 31)").strip()) > 0:
        pass
    res["rollup_s"] = round(time.time() - t, 1)
    t = time.time()
    while int(psql(d, "-c", "SELECT link_events_prune(35, 420, 50000)").strip()) > 0:
        pass
    res["prune_s"] = round(time.time() - t, 1)
    res["events_left"] = int(psql(d, "-c", "SELECT count(*) FROM link_events").strip())
    psql(d, "-q", "-c", "VACUUM ANALYZE link_events")
    res["after_ms"], res["after_temp_bytes"] = timed(d, q, runs)
    res["after_buffers"] = buffers(d, q)
    # the sweep with nothing left to do (what it costs every period from now on)
    res["idle_sweep_buffers"] = {f: buffers(d, f) for f in (
        "link_rollup(420, 31)", "link_events_prune(35, 420, 50000)", "idem_prune(30, 50000)")}
    res["load_after"] = loadavg()
    return res


def one_receive(d):
    """A real dossier through the CLI of 18499: its idempotency row's reply."""
    sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
    os.environ["MOTCUA_ITEST_ENV"] = d
    os.environ.setdefault("MOTCUA_BIN_DIR", os.path.join(SRC, "build", "bin"))
    import itest  # noqa: E402  (reads MOTCUA_ITEST_ENV at import)
    r, _ = itest.receive("18499", name="Phạm Thị Đo")
    if r.rc != 0:
        sys.exit("receive failed: %r" % r)
    return psql(d, "-c", "SELECT key FROM idempotency WHERE dossier_id IS NOT NULL "
                         "ORDER BY created_at DESC LIMIT 1").strip()


def idempotency(d, n):
    key = one_receive(d)
    psql(d, "-q", "-c", "DELETE FROM idempotency WHERE key LIKE 'bench-%'")
    psql(d, "-q", "-c",
         "INSERT INTO idempotency (unit_code, key, action, dossier_id, reply, fingerprint, "
         "created_at) SELECT '18499', 'bench-' || i || '-%s', 'receive', s.dossier_id, s.reply, "
         "md5(i::text) || md5(i::text), now() - make_interval(days => 31 + i %% 1000) "
         "FROM generate_series(1, %d) i, (SELECT dossier_id, reply FROM idempotency "
         "WHERE key = '%s') s" % (uuid.uuid4().hex[:8], n, key))
    psql(d, "-q", "-c", "VACUUM ANALYZE idempotency")
    size = "SELECT pg_total_relation_size('idempotency')"
    res = {"rows": int(psql(d, "-c", "SELECT count(*) FROM idempotency").strip()),
           "reply_bytes": int(psql(d, "-c", "SELECT pg_column_size(reply) FROM idempotency "
                                            "WHERE key = '%s'" % key).strip()),
           "bytes_before": int(psql(d, "-c", size).strip())}
    t = time.time()
    while int(psql(d, "-c", "SELECT idem_prune(30, 50000)").strip()) > 0:
        pass
    res["prune_s"] = round(time.time() - t, 1)
    psql(d, "-q", "-c", "VACUUM ANALYZE idempotency")
    res["bytes_after_vacuum"] = int(psql(d, "-c", size).strip())
    psql(d, "-q", "-c", "VACUUM FULL idempotency")
    res["bytes_after_vacuum_full"] = int(psql(d, "-c", size).strip())
    psql(d, "-q", "-c", "DELETE FROM idempotency WHERE key LIKE 'bench-%'")
    res["load"] = loadavg()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--events", default="1000000,10000000")
    ap.add_argument("--days", type=int, default=1095)
    ap.add_argument("--same-rate", action="store_true",
                    help="days in proportion to the size (--days for the largest)")
    ap.add_argument("--skip-before", action="store_true",
                    help="no 'before' (005's query: 50 s at 10M)")
    ap.add_argument("--idem", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sweep-max", type=int, default=2000000,
                    help="above this many events, no rollup/deletion (they take long)")
    ap.add_argument("--far-past", type=int, default=0, metavar="S",
                    help="also time the rollup of the 31 oldest days with 025's and 027's "
                         "link_intervals_in (025 cut after S seconds)")
    ap.add_argument("--backfill", action="store_true",
                    help="also time migration 027 on these rows (its backfill and index)")
    ap.add_argument("--out")
    a = ap.parse_args()
    out = {"link_history": [], "idempotency": None}
    sizes = [int(x) for x in a.events.split(",") if x]
    end_ts = psql(a.dir, "-c", "SELECT now()").strip()
    for n in sizes:
        days = max(1, round(a.days * n / max(sizes))) if a.same_rate else a.days
        r = link_history(a.dir, n, days, a.runs, end_ts, n > a.sweep_max, a.skip_before,
                         a.far_past, a.backfill)
        out["link_history"].append(r)
        print("link_events %d over %d days (%d runs, %d rows today): per-minute query, history "
              "raw: %d buffers (025's link_intervals_in: %d, 023's: %d) | load %s"
              % (r["events"], days, r["server_runs"], r["today_rows"], r["after_raw_buffers"],
                 r["m025_buffers"], r["m023_buffers"], r["load_before"]), flush=True)
        if "far_past" in r:
            f = r["far_past"]
            print("  rollup of the 31 oldest days: 027 %.0f ms (%d buffers), 025 %s | load %s"
                  % (f["027_ms"], f["027_buffers"],
                     "%.0f ms" % f["025_ms"] if f["025_ms"] >= 0 else
                     "cut at %d s" % a.far_past, f["load"]), flush=True)
        if "migration_027" in r:
            print("  migration 027 on these rows: %s" % r["migration_027"], flush=True)
        if n > a.sweep_max:
            print("link_events %d: before %.0f ms, %d temp bytes | after (history raw) %.1f ms, "
                  "%d temp bytes | load %s" % (r["events"], r["before_ms"], r["before_temp_bytes"],
                                               r["after_raw_ms"], r["after_raw_temp_bytes"],
                                               r["load_before"]), flush=True)
            continue
        print("link_events %d: before %.0f ms, %d temp bytes | after (history raw) %.1f ms, "
              "%d temp bytes | after deletion (%d rows left) %.1f ms, %d temp bytes | "
              "fill %.0f s, rollup %.0f s, prune %.0f s | load %s / %s"
              % (r["events"], r["before_ms"], r["before_temp_bytes"], r["after_raw_ms"],
                 r["after_raw_temp_bytes"], r["events_left"], r["after_ms"],
                 r["after_temp_bytes"], r["fill_s"], r["rollup_s"], r["prune_s"],
                 r["load_before"], r["load_after"]), flush=True)
        print("  after deletion: per-minute query %d buffers; idle sweep buffers %s"
              % (r["after_buffers"], r["idle_sweep_buffers"]), flush=True)
    lh = out["link_history"]
    if len(lh) >= 2:
        ratio = lh[-1]["after_raw_ms"] / max(lh[0]["after_raw_ms"], 0.001)
        before = lh[-1]["before_ms"] / max(lh[0]["before_ms"], 0.001)
        before = before if lh[0]["before_ms"] > 0 else -1.0
        bufs = lh[-1]["after_raw_buffers"] / max(lh[0]["after_raw_buffers"], 1)
        out["ratio_after"], out["ratio_before"] = round(ratio, 2), round(before, 2)
        out["ratio_after_buffers"] = round(bufs, 3)
        out["ratio_023_buffers"] = round(lh[-1]["m023_buffers"] / max(lh[0]["m023_buffers"], 1), 3)
        out["ratio_025_buffers"] = round(lh[-1]["m025_buffers"] / max(lh[0]["m025_buffers"], 1), 3)
        print("per-minute query, largest/smallest history (%d/%d events): buffers %d/%d = %.3f "
              "(target <= 1.2; 025: %.3f, 023: %.3f) | after %.2f ms ratio (target <= 1.5), "
              "before %.2f | load %s"
              % (lh[-1]["events"], lh[0]["events"], lh[-1]["after_raw_buffers"],
                 lh[0]["after_raw_buffers"], bufs, out["ratio_025_buffers"],
                 out["ratio_023_buffers"], ratio, before, loadavg()))
    if a.idem > 0:
        r = out["idempotency"] = idempotency(a.dir, a.idem)
        print("idempotency %d rows (reply %d B): %.1f MB -> %.1f MB after the sweep + VACUUM, "
              "%.1f MB after VACUUM FULL (ratio %.2f); prune %.0f s | load %s"
              % (r["rows"], r["reply_bytes"], r["bytes_before"] / 1e6,
                 r["bytes_after_vacuum"] / 1e6, r["bytes_after_vacuum_full"] / 1e6,
                 r["bytes_after_vacuum_full"] / r["bytes_before"], r["prune_s"], r["load"]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
