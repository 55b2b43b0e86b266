#!/usr/bin/env python3
"""WAL per dossier (issue 19): intake rounds at 64 clients against one
deployment, alternating variants of its PostgreSQL settings or indexes,
each round measured by the WAL it wrote.

  bench/wal_rounds.py --db DIR --variants base,nowalk --rounds 3 --seconds 30
                      --out F.json [--port-base 46000] [--bin build-bench/bin]
                      [--waldump] [--no-checkpoint] [--fill]

A round: the variant applied (ALTER SYSTEM + pg_reload_conf, or the walk
indexes of migration 026 dropped or created), a CHECKPOINT (every round
starts at the same point of the checkpoint cycle; --no-checkpoint: not),
then motcua-bench intake at 64 clients over the 21 communes (2 s warm-up,
--seconds measured), as bench/years_screens.py runs it. Per round:
intake/s (motcua-bench), WAL bytes per dossier (pg_current_wal_lsn() delta
over the dossiers the round added, warm-up and drain included on both
sides), full-page images per dossier (pg_stat_wal: flushed lazily, rough),
checkpoints during the
round (pg_stat_bgwriter), the load (/proc/loadavg); with --waldump also
pg_waldump --stats=record over the round's LSN range (wal_keep_size is
raised to 4GB for the whole run so that the range is still on disk; it is
the same for every variant). --fill: one variant, no checkpoint, no
waldump: intake rounds only, to grow the database. --vacuum same|checkpoint:
autovacuum is off for the idempotency table during the run, which is
vacuumed once before the first round (not counted) and after each round
(counted apart: the WAL, images and seconds that VACUUM took, per dossier of
the round), so the round plus its vacuum is what the round's requests cost,
autovacuum included; "checkpoint" runs a CHECKPOINT between the round and
its VACUUM (as autovacuum mostly meets pages in a later checkpoint cycle
than the inserts: it pays their full-page images), "same" does not.

Variants: base (the deployment's settings: ALTER SYSTEM RESET of the
ones below; walk indexes present; deploy/local.sh sets lz4 and ckpt since
2026-12-07), pgdefault (PostgreSQL's defaults: wal_compression off, 5min,
1GB -- "base" of the measurements in docs/PERFORMANCE.md "WAL per
dossier"), nowalk (walk indexes dropped), idem023 (023's idempotency index
created again: the completion not HOT, as before migration 029), idx028
(migration 028's four id/phone indexes instead of 030's two), rkeys (the clients' idempotency
keys as they were before 2026-12-07: random, motcua-bench --keys random; the others send keys in
order), od024 (migration 024's overdue indexes instead of 032's covering ones), off, lz4, zstd
(wal_compression),
ckpt (checkpoint_timeout 15min, max_wal_size 4GB), and combinations joined
with +, applied left to right (e.g. pgdefault+lz4). The run ends at base.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..")
sys.path.insert(0, HERE)
from years_screens import Deployment, run_json, spread  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"
# migration 026 (server/store/sql/026_search_walk.sql), verbatim
WALK_INDEXES = {
    "dossiers_unit_walk_idx":
        "CREATE INDEX dossiers_unit_walk_idx ON dossiers (unit_code, received_at, id,"
        " lower(mc_unaccent(applicant_name))) INCLUDE (applicant_name, code) WHERE id > 0",
    "dossiers_forwarded_walk_idx":
        "CREATE INDEX dossiers_forwarded_walk_idx ON dossiers (forwarded_to, received_at, id,"
        " lower(mc_unaccent(applicant_name))) INCLUDE (unit_code, applicant_name, code)"
        " WHERE forwarded_to IS NOT NULL AND id > 0",
}
# migration 023's sweep index, which 029 replaced: it names reply and
# dossier_id, so with it the idempotency row's completion is not HOT
IDEM023 = {
    "idempotency_reply_at_idx":
        "CREATE INDEX idempotency_reply_at_idx ON idempotency (created_at)"
        " WHERE reply IS NOT NULL AND dossier_id IS NOT NULL",
}
# migration 028's four id/phone indexes, which 030 replaced by two on
# coalesce(MAC, clear) (KEY030): variant idx028 has those four instead
IDX028 = {
    "dossiers_applicant_id_idx": "CREATE INDEX dossiers_applicant_id_idx ON dossiers"
        " (applicant_id, received_at, id) INCLUDE (unit_code, forwarded_to)",
    "dossiers_applicant_phone_idx": "CREATE INDEX dossiers_applicant_phone_idx ON dossiers"
        " (applicant_phone, received_at, id) INCLUDE (unit_code, forwarded_to)",
    "dossiers_applicant_id_mac_idx": "CREATE INDEX dossiers_applicant_id_mac_idx ON dossiers"
        " (applicant_id_mac, received_at, id) INCLUDE (unit_code, forwarded_to)"
        " WHERE applicant_id_mac IS NOT NULL",
    "dossiers_applicant_phone_mac_idx": "CREATE INDEX dossiers_applicant_phone_mac_idx ON"
        " dossiers (applicant_phone_mac, received_at, id) INCLUDE (unit_code, forwarded_to)"
        " WHERE applicant_phone_mac IS NOT NULL",
}
KEY030 = {
    "dossiers_applicant_id_key_idx": "CREATE INDEX dossiers_applicant_id_key_idx ON dossiers"
        " ((coalesce(applicant_id_mac, applicant_id)), received_at, id)"
        " INCLUDE (unit_code, forwarded_to)",
    "dossiers_applicant_phone_key_idx": "CREATE INDEX dossiers_applicant_phone_key_idx ON"
        " dossiers ((coalesce(applicant_phone_mac, applicant_phone)), received_at, id)"
        " INCLUDE (unit_code, forwarded_to)",
}
# migration 024's overdue indexes (variant od024) and 032's, which cover
# the overdue test (INCLUDE); 024's under other names, so both can be told apart
OVERDUE_SET = ("(supplement_count >= 2 OR coalesce(finished_at, paused_at) > due_at"
               " OR (finished_at IS NULL AND paused_at IS NULL))")
OD024 = {
    "dossiers_unit_overdue_024_idx": "CREATE INDEX dossiers_unit_overdue_024_idx ON dossiers"
        " (unit_code, received_at, id) WHERE " + OVERDUE_SET,
    "dossiers_forwarded_overdue_024_idx": "CREATE INDEX dossiers_forwarded_overdue_024_idx ON"
        " dossiers (forwarded_to, received_at, id) INCLUDE (unit_code)"
        " WHERE forwarded_to IS NOT NULL AND " + OVERDUE_SET,
}
OD032 = {
    "dossiers_unit_overdue_idx": "CREATE INDEX dossiers_unit_overdue_idx ON dossiers"
        " (unit_code, received_at, id) INCLUDE (due_at, finished_at, paused_at,"
        " supplement_count) WHERE " + OVERDUE_SET,
    "dossiers_forwarded_overdue_idx": "CREATE INDEX dossiers_forwarded_overdue_idx ON dossiers"
        " (forwarded_to, received_at, id) INCLUDE (unit_code, due_at, finished_at, paused_at,"
        " supplement_count) WHERE forwarded_to IS NOT NULL AND " + OVERDUE_SET,
}
# Variant parts that change indexes: (part, the indexes with it, the
# indexes without it); the other set is dropped.
INDEX_VARIANTS = [("nowalk", {}, WALK_INDEXES), ("idem023", IDEM023, {}),
                  ("idx028", IDX028, KEY030), ("od024", OD024, OD032)]
SETTINGS = {"off": {"wal_compression": "off"}, "lz4": {"wal_compression": "lz4"},
            "zstd": {"wal_compression": "zstd"},
            "ckpt": {"checkpoint_timeout": "15min", "max_wal_size": "4GB"},
            "pgdefault": {"wal_compression": "off", "checkpoint_timeout": "5min",
                          "max_wal_size": "1GB"}}
RESET = ["wal_compression", "checkpoint_timeout", "max_wal_size"]


def log(msg):
    print("wal: " + msg, file=sys.stderr, flush=True)


def apply_variant(dep, variant):
    parts = variant.split("+")
    for p in parts:
        if (p not in SETTINGS and p not in ("base", "rkeys")
                and p not in (v[0] for v in INDEX_VARIANTS)):
            raise SystemExit("unknown variant part %s" % p)
    for k in RESET:
        dep.sql("ALTER SYSTEM RESET %s" % k)
    for p in parts:
        for k, v in SETTINGS.get(p, {}).items():
            dep.sql("ALTER SYSTEM SET %s = '%s'" % (k, v))
    dep.sql("SELECT pg_reload_conf()")
    have = set(dep.sql("SELECT indexname FROM pg_indexes WHERE tablename IN"
                       " ('dossiers', 'idempotency')").split())
    for part, with_part, without_part in INDEX_VARIANTS:
        want, drop = (with_part, without_part) if part in parts else (without_part, with_part)
        for name, ddl in want.items():
            if name not in have:
                t = time.time()
                dep.sql(ddl)
                log("%s created in %.1f s" % (name, time.time() - t))
        for name in drop:
            if name in have:
                dep.sql("DROP INDEX %s" % name)
    time.sleep(0.5)  # the reload reaches every backend


def settings(dep):
    return dict(line.split("|", 1) for line in dep.sql(
        "SELECT name || '|' || current_setting(name) FROM pg_settings WHERE name IN"
        " ('wal_compression','checkpoint_timeout','max_wal_size','wal_keep_size',"
        "'full_page_writes','shared_buffers','data_checksums','wal_log_hints')").split("\n") if line)


def mark(dep):
    row = dep.sql(
        "SELECT pg_current_wal_lsn(), (SELECT count(*) FROM dossiers), w.wal_records, w.wal_fpi,"
        " w.wal_bytes, b.checkpoints_timed + b.checkpoints_req, t.n_tup_upd, t.n_tup_hot_upd"
        " FROM pg_stat_wal w, pg_stat_bgwriter b, pg_stat_user_tables t"
        " WHERE t.relname = 'idempotency'").strip().split("|")
    return {"lsn": row[0], "dossiers": int(row[1]), "records": int(row[2]), "fpi": int(row[3]),
            "stat_bytes": int(row[4]), "checkpoints": int(row[5]), "idem_upd": int(row[6]),
            "idem_hot": int(row[7]), "t": time.time()}


TOTAL = re.compile(r"^Total\s+(\d+)\s+(\d+)\s+\[\s*([0-9.]+)%\]\s+(\d+)\s+\[\s*([0-9.]+)%\]\s+(\d+)")
ROW = re.compile(r"^(\S+)\s+(\d+)\s+\(\s*([0-9.]+)\)\s+(\d+)\s+\(\s*([0-9.]+)\)\s+(\d+)\s+"
                 r"\(\s*([0-9.]+)\)\s+(\d+)\s+\(\s*([0-9.]+)\)")


def waldump(dep, a, b, path):
    pgdata = os.path.join(dep.env["MOTCUA_PG_DIR"], "data")
    p = subprocess.run([os.path.join(PG_BIN, "pg_waldump"), "-p", os.path.join(pgdata, "pg_wal"),
                        "-s", a, "-e", b, "--stats=record"], capture_output=True, text=True)
    with open(path, "w") as f:
        f.write(p.stdout + p.stderr)
    out = {"file": path}
    rows = []
    for line in p.stdout.splitlines():
        m = TOTAL.match(line.strip())
        if m:
            out.update(records=int(m.group(1)), rec_bytes=int(m.group(2)),
                       fpi_bytes=int(m.group(4)), fpi_share=float(m.group(5)) / 100,
                       bytes=int(m.group(6)))
            continue
        m = ROW.match(line.strip())
        if m:
            rows.append({"type": m.group(1), "n": int(m.group(2)), "rec_bytes": int(m.group(4)),
                         "fpi_bytes": int(m.group(6)), "bytes": int(m.group(8))})
    rows.sort(key=lambda r: -r["bytes"])
    out["top"] = rows[:12]
    if "bytes" not in out:
        out["error"] = (p.stderr or p.stdout)[-400:]
    return out


def one_round(dep, args, variant, k, units, proc, bench):
    apply_variant(dep, variant)
    if not args.no_checkpoint:
        dep.sql("CHECKPOINT")
    a = mark(dep)
    load0 = open("/proc/loadavg").read().split()[0]
    j = run_json([bench, "intake", "--port", str(dep.port), "--ca", os.path.join(dep.pki, "ca.crt"),
                  "--pki", dep.pki, "--units", units, "--sessions", os.path.join(dep.dir, "units"),
                  "--clients", "64", "--proc", proc, "--warmup", "2",
                  "--duration", str(args.seconds), "--keys",
                  "random" if "rkeys" in variant.split("+") else "ordered"],
                 timeout=args.seconds + 300)
    b = mark(dep)
    n = b["dossiers"] - a["dossiers"]
    wal = int(dep.sql("SELECT pg_wal_lsn_diff('%s', '%s')::bigint" % (b["lsn"], a["lsn"])))
    r = {"variant": variant, "round": k, "rate": j["rate"], "p99_ms": j.get("p99_ms"),
         "dossiers": n, "dossiers_before": a["dossiers"], "wal_bytes": wal,
         "wal_per_dossier": wal / n if n else None,
         "fpi_per_dossier": (b["fpi"] - a["fpi"]) / n if n else None,
         "records_per_dossier": (b["records"] - a["records"]) / n if n else None,
         "checkpoints": b["checkpoints"] - a["checkpoints"],
         # idempotency updates in place (statistics flushed lazily: rough per round)
         "idem_hot_share": ((b["idem_hot"] - a["idem_hot"]) / (b["idem_upd"] - a["idem_upd"])
                            if b["idem_upd"] > a["idem_upd"] else None),
         "load": [load0, open("/proc/loadavg").read().split()[0]], "lsn": [a["lsn"], b["lsn"]],
         "settings": settings(dep)}
    if args.waldump:
        r["waldump"] = waldump(dep, a["lsn"], b["lsn"], os.path.join(
            args.work, "waldump-%s-%d.txt" % (variant.replace("+", "_"), k)))
    if args.vacuum and n:
        if args.vacuum == "checkpoint":
            dep.sql("CHECKPOINT")
        r["vacuum"] = vacuum_idem(dep)
        v = r["vacuum"]
        r["vacuum_wal_per_dossier"] = v["wal_bytes"] / n
        r["vacuum_fpi_per_dossier"] = v["fpi"] / n
        r["total_wal_per_dossier"] = (wal + v["wal_bytes"]) / n
        log("%-10s round %d: VACUUM idempotency %.1f s, %d dead rows, %.0f WAL B/dossier"
            " (%.2f images/dossier)" % (variant, k, v["seconds"], v["dead_before"],
                                        r["vacuum_wal_per_dossier"], r["vacuum_fpi_per_dossier"]))
    log("%-10s round %d: %5.0f/s, %d dossiers (db had %d), %.0f WAL B/dossier,"
        " idempotency updates HOT %s, %d checkpoints, load %s%s" % (
            variant, k, r["rate"], n, a["dossiers"], r["wal_per_dossier"] or 0,
            "-" if r["idem_hot_share"] is None else "%.2f" % r["idem_hot_share"],
            r["checkpoints"], "/".join(r["load"]),
            ", FPI share %.1f%%" % (100 * r["waldump"]["fpi_share"])
            if args.waldump and "fpi_share" in r["waldump"] else ""))
    return r


def vacuum_idem(dep):
    """VACUUM the idempotency table; what it wrote (WAL bytes from the LSN,
    images from pg_stat_wal: the vacuum's session flushes its counters when
    it ends) and how long it took. n_dead_tup before is the statistics'
    estimate."""
    def wal_now():  # no count(*) of dossiers, unlike mark(): the vacuum adds none
        return dep.sql("SELECT pg_current_wal_lsn(), wal_records, wal_fpi FROM pg_stat_wal"
                       ).strip().split("|")
    dead = int(dep.sql("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'idempotency'"))
    a = wal_now()
    t = time.time()
    dep.sql("VACUUM idempotency")
    secs = time.time() - t
    b = wal_now()
    wal = int(dep.sql("SELECT pg_wal_lsn_diff('%s', '%s')::bigint" % (b[0], a[0])))
    return {"seconds": round(secs, 2), "dead_before": dead, "wal_bytes": wal,
            "fpi": int(b[2]) - int(a[2]), "records": int(b[1]) - int(a[1])}


def derived(r):
    """Per round, from pg_waldump's totals: record bytes (FPIs aside) and FPI
    bytes per dossier. How many pages a round touches first after a
    checkpoint moves from round to round (autovacuum's freed space, which
    pages the inserts find), so an index's cost is read in the records.
    (pg_stat_wal's FPI count is flushed lazily by each backend: over a
    round it is only roughly the FPIs of the range.)"""
    w = r.get("waldump") or {}
    if "bytes" not in w or not r["dossiers"]:
        return {}
    return {"rec_per_dossier": w["rec_bytes"] / r["dossiers"],
            "fpi_bytes_per_dossier": w["fpi_bytes"] / r["dossiers"], "fpi_share": w["fpi_share"]}


def med(rs, key):
    v = [x[key] for x in rs if x.get(key) is not None]
    return statistics.median(v) if v else None


def summary(rounds, variants):
    base = variants[0]
    out = {}
    for r in rounds:
        r.update(derived(r))
    by = {v: [r for r in rounds if r["variant"] == v] for v in variants}
    for v in variants:
        rs = by[v]
        s = {"rounds": len(rs), "rate_median": med(rs, "rate"),
             "wal_per_dossier_median": med(rs, "wal_per_dossier"),
             "fpi_per_dossier_median": med(rs, "fpi_per_dossier"),
             "rec_per_dossier_median": med(rs, "rec_per_dossier"),
             "fpi_bytes_per_dossier_median": med(rs, "fpi_bytes_per_dossier"),
             "fpi_share_median": med(rs, "fpi_share"),
             "vacuum_wal_per_dossier_median": med(rs, "vacuum_wal_per_dossier"),
             "vacuum_fpi_per_dossier_median": med(rs, "vacuum_fpi_per_dossier"),
             "total_wal_per_dossier_median": med(rs, "total_wal_per_dossier"),
             "vacuum_wal_per_dossier": [round(r["vacuum_wal_per_dossier"]) for r in rs
                                        if "vacuum_wal_per_dossier" in r],
             "vacuum_seconds": [r["vacuum"]["seconds"] for r in rs if "vacuum" in r],
             "rates": [round(r["rate"]) for r in rs],
             "wal_per_dossier": [round(r["wal_per_dossier"]) for r in rs],
             "rec_per_dossier": [round(r["rec_per_dossier"]) for r in rs if "rec_per_dossier" in r],
             "fpi_bytes_per_dossier": [round(r["fpi_bytes_per_dossier"]) for r in rs
                                       if "fpi_bytes_per_dossier" in r],
             "checkpoints": [r["checkpoints"] for r in rs],
             "idem_hot_share": [None if r.get("idem_hot_share") is None
                                else round(r["idem_hot_share"], 2) for r in rs]}
        if v != base:
            # per-round ratios against the base round of the same cycle
            pairs = list(zip(rs, by[base]))
            for key, name in (("rate", "rate_ratio"), ("wal_per_dossier", "wal_ratio"),
                              ("rec_per_dossier", "rec_ratio"),
                              ("vacuum_wal_per_dossier", "vacuum_wal_ratio"),
                              ("total_wal_per_dossier", "total_wal_ratio")):
                q = [a[key] / b[key] for a, b in pairs if a.get(key) and b.get(key)]
                if q:
                    s[name] = statistics.median(q)
                    s[name + "_spread"] = spread(q)
        out[v] = s
    return out


def report(res):
    variants = res["variants"]
    for v, s in res["summary"].items():
        print("%-10s intake/s %s (median %.0f)  WAL B/dossier %s (median %.0f)  checkpoints %s"
              "  idempotency HOT share %s"
              % (v, s["rates"], s["rate_median"], s["wal_per_dossier"],
                 s["wal_per_dossier_median"], s["checkpoints"], s["idem_hot_share"]))
        if s["rec_per_dossier"]:
            print("%-10s records B/dossier %s (median %.0f), FPIs B/dossier %s (median %.0f),"
                  " FPI share %.1f%%" % ("", s["rec_per_dossier"], s["rec_per_dossier_median"],
                                         s["fpi_bytes_per_dossier"],
                                         s["fpi_bytes_per_dossier_median"],
                                         100 * (s["fpi_share_median"] or 0)))
        if s["vacuum_wal_per_dossier"]:
            print("%-10s VACUUM idempotency after each round: WAL B/dossier %s (median %.0f),"
                  " images/dossier median %.2f, seconds %s; round + vacuum median %.0f B/dossier"
                  % ("", s["vacuum_wal_per_dossier"], s["vacuum_wal_per_dossier_median"],
                     s["vacuum_fpi_per_dossier_median"], s["vacuum_seconds"],
                     s["total_wal_per_dossier_median"]))
        if "total_wal_ratio" in s:
            print("%-10s vs %s: vacuum WAL x%.3f %s, round + vacuum WAL x%.3f %s" % (
                "", variants[0], s["vacuum_wal_ratio"], s["vacuum_wal_ratio_spread"],
                s["total_wal_ratio"], s["total_wal_ratio_spread"]))
        if "rate_ratio" in s:
            print("%-10s vs %s: intake x%.3f %s, WAL x%.3f %s%s" % (
                "", variants[0], s["rate_ratio"], s["rate_ratio_spread"], s["wal_ratio"],
                s["wal_ratio_spread"], ", records x%.3f %s" % (s["rec_ratio"], s["rec_ratio_spread"])
                if "rec_ratio" in s else ""))
    print("load %s -> %s; results %s" % (res["uptime_before"], res["uptime_after"], res["out"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--variants", default="base")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--port-base", type=int, default=46000)
    ap.add_argument("--bin", default=os.path.join(REPO, "build-bench", "bin"))
    ap.add_argument("--waldump", action="store_true")
    ap.add_argument("--no-checkpoint", action="store_true")
    ap.add_argument("--fill", action="store_true")
    ap.add_argument("--vacuum", choices=("same", "checkpoint"),
                    help="autovacuum off for idempotency; VACUUM it after each round, counted"
                         " (checkpoint: a CHECKPOINT between the round and its VACUUM)")
    ap.add_argument("--summary", action="store_true",
                    help="print the summary of --out (an earlier run) again, run nothing")
    args = ap.parse_args()
    if args.summary:
        with open(args.out) as f:
            res = json.load(f)
        res["out"] = args.out
        res.setdefault("uptime_after", "?")
        res["summary"] = summary(res["rounds"], res["variants"])
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)
        report(res)
        return
    if args.fill:
        args.no_checkpoint, args.waldump = True, False
    args.bin = os.path.abspath(args.bin)
    args.work = os.path.abspath(args.out) + ".d"
    os.makedirs(args.work, exist_ok=True)
    variants = args.variants.split(",")
    dep = Deployment(args.db, args.port_base, args.bin)
    units = dep.sql("SELECT string_agg(code, ',' ORDER BY code) FROM units WHERE role = 'commune'").strip()
    proc = dep.sql("SELECT code FROM procedures WHERE level = 1 ORDER BY code LIMIT 1").strip()
    bench = os.path.join(args.bin, "motcua-bench")
    res = {"out": args.out, "db": dep.dir, "variants": variants, "seconds": args.seconds,
           "checkpoint_before_round": not args.no_checkpoint, "rounds": [],
           "uptime_before": open("/proc/loadavg").read().strip()}
    if args.waldump:
        dep.sql("ALTER SYSTEM SET wal_keep_size = '4GB'")
    res["vacuum_after_round"] = args.vacuum or "no"
    try:
        if args.vacuum:
            dep.sql("ALTER TABLE idempotency SET (autovacuum_enabled = off)")
            dep.sql("VACUUM idempotency")
        dep.start_server()
        for k in range(args.rounds):
            for v in variants:
                res["rounds"].append(one_round(dep, args, v, k, units, proc, bench))
                with open(args.out, "w") as f:
                    json.dump(res, f, indent=1)
    finally:
        dep.stop_server()
        if args.vacuum:
            dep.sql("ALTER TABLE idempotency RESET (autovacuum_enabled)")
        apply_variant(dep, "base")
        dep.sql("ALTER SYSTEM RESET wal_keep_size")
        dep.sql("SELECT pg_reload_conf()")
    res["uptime_after"] = open("/proc/loadavg").read().strip()
    res["summary"] = summary(res["rounds"], variants)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    report(res)

if __name__ == "__main__":
    main()
