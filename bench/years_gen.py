#!/usr/bin/env python3
"""Years of data (issue 19): fills a local deployment's database THROUGH the
server's own SQL functions (bench/years_gen.sql: mc_receive_many for every
receipt, mc_action_fp for forward and every workflow step), so progress
rows with their hash chain, inbox rows, idempotency rows and register
numbers are the real ones.

  bench/years_gen.py --db DIR [--dossiers 1000000 | --quick] [--workers 2]
                     [--years 3] [--port-base 45000] [--out F.json]

DIR: a deployment (deploy/local.sh up DIR); made if DIR/local.env is
missing, with --no-desks on --port-base (server), +1 (http), +2
(PostgreSQL), quick officer passwords. Fills its database "motcua".
--dossiers over the --years before today, 21 communes and the district
centre (which receives a twentieth of a commune's share itself);
~40% of a commune's receipts are district-level and forwarded to the
centre; statuses follow each dossier's simulated life (years_gen.life):
old ones mostly returned, recent ones open, some overdue. --workers
parallel sessions (units split between them), one transaction per unit
and day; a stopped fill continues where it stopped (years_gen.done).
Prints dossiers/s and progress rows/s every 15 s, and runs ANALYZE each time
the dossiers grew by 30 % (the sessions' cached plans are then made again).
The secondary indexes of
dossiers the functions do not need are dropped for the fill and built at
its end (drop_indexes; --keep-indexes keeps them); then VACUUM ANALYZE,
the counts and the database size; schema years_gen is dropped
(--keep-schema keeps it). A stopped fill is continued by the same command,
or closed as it is by --finish (indexes built, schema dropped; with
--keep-schema the schema stays, so that the same command can continue the
fill later).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..")
sys.path.insert(0, HERE)
from benchdata import GIVEN, MIDDLE, family_pool, pii_key_hex, psql, psql_cmd, sql_array  # noqa: E402
from report_bench import env_of  # noqa: E402

DB = "motcua"
ADDR = ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn Trung", "Xóm Đông", "Xóm Tây", "Khối 4",
        "Khối 7", "Thôn Tân Hương", "Xóm Bắc"]


def deploy(d, base):
    if os.path.exists(os.path.join(d, "local.env")):
        up = [os.path.join(REPO, "deploy", "local.sh"), "up", d, "--no-desks"]
    else:
        up = [os.path.join(REPO, "deploy", "local.sh"), "up", d, "--no-desks",
              "--port", str(base), "--http-port", str(base + 1), "--pg-port", str(base + 2)]
    env = dict(os.environ, MOTCUA_ARGON2_MEMORY_KIB="4096", MOTCUA_ARGON2_ITERATIONS="1",
               MOTCUA_DESKS="0")
    p = subprocess.run(up, env=env, capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        raise SystemExit("local.sh up failed:\n%s%s" % (p.stdout[-2000:], p.stderr[-2000:]))
    # the fill needs the database only (and the server's background scans
    # would run without the indexes dropped for it)
    subprocess.run([os.path.join(REPO, "deploy", "local.sh"), "stop-server", d], env=env,
                   capture_output=True, timeout=300)
    return env_of(d)


def hmac_pads(key_hex):
    """(ipad key, opad key) of HMAC-SHA256 for years_gen.key."""
    k = bytes.fromhex(key_hex)
    if len(k) > 64:
        import hashlib
        k = hashlib.sha256(k).digest()
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k).hex(), bytes(b ^ 0x5c for b in k).hex()


def setup(env, d):
    psql(env, DB, script=open(os.path.join(HERE, "years_gen.sql")).read())
    psql(env, DB, "TRUNCATE years_gen.names, years_gen.addr, years_gen.key")
    psql(env, DB, "INSERT INTO years_gen.names VALUES (%s, %s, %s)"
         % (sql_array(family_pool()), sql_array(MIDDLE), sql_array(GIVEN)))
    psql(env, DB, "INSERT INTO years_gen.addr VALUES (%s)" % sql_array(ADDR))
    key = pii_key_hex(os.path.join(d, "server.conf"))
    if key:
        ki, ko = hmac_pads(key)
        psql(env, DB, "INSERT INTO years_gen.key VALUES ('\\x%s', '\\x%s')" % (ki, ko))


# What the SQL functions need while filling: the dossier's id and code and
# the register trigger's index. The other secondary indexes of dossiers (18
# at migration 021: every non-HOT update of a dossier writes each, two of
# them trigram GINs) are dropped for the fill and built again by finish():
# the same definitions, saved in years_gen.indexes first, so a stopped fill
# keeps them and `--finish` (or the end of a resumed fill) builds them.
KEEP_INDEXES = ("dossiers_register_idx",)


def drop_indexes(env):
    psql(env, DB, "INSERT INTO years_gen.indexes SELECT indexname, indexdef FROM pg_indexes"
         " WHERE schemaname = 'public' AND tablename = 'dossiers' AND indexname NOT IN"
         " (SELECT conname FROM pg_constraint WHERE conrelid = 'dossiers'::regclass)"
         " AND indexname NOT IN (%s) ON CONFLICT DO NOTHING"
         % ",".join("'%s'" % i for i in KEEP_INDEXES))
    for name in psql(env, DB, "SELECT name FROM years_gen.indexes i JOIN pg_indexes p ON"
                     " p.indexname = i.name AND p.schemaname = 'public'").split():
        psql(env, DB, "DROP INDEX %s" % name)


def build_indexes(env):
    t0 = time.time()
    rows = psql(env, DB, "SELECT name || '|' || def FROM years_gen.indexes").splitlines()
    for r in rows:
        name, d = r.split("|", 1)
        psql(env, DB, script="SET maintenance_work_mem = '256MB';\n"
             "DROP INDEX IF EXISTS public.%s;\n%s;\nDELETE FROM years_gen.indexes WHERE name = '%s';\n"
             % (name, d, name))
    return len(rows), time.time() - t0


def stats(env):
    out = psql(env, DB, "SELECT coalesce(sum(n), 0), (SELECT last_value FROM progress_log_id_seq),"
               " (SELECT count(*) FROM years_gen.done) FROM years_gen.done").strip()
    return [int(x) for x in out.split("|")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="deployment directory (made if missing)")
    ap.add_argument("--dossiers", type=int, default=1000000)
    ap.add_argument("--quick", action="store_true", help="100,000 dossiers")
    ap.add_argument("--years", type=float, default=3.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--l2", type=float, default=0.4, help="district-level share at a commune")
    ap.add_argument("--port-base", type=int, default=45000)
    ap.add_argument("--keep-schema", action="store_true")
    ap.add_argument("--keep-indexes", action="store_true",
                    help="fill with every index of dossiers in place (slower)")
    ap.add_argument("--finish", action="store_true",
                    help="do not fill: build the indexes a stopped fill dropped, drop years_gen"
                    " (unless --keep-schema: a later run continues)")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.quick:
        args.dossiers = 100000
    d = os.path.abspath(args.db)
    t_deploy = time.time()
    env = deploy(d, args.port_base)
    t_deploy = time.time() - t_deploy
    setup(env, d)
    if args.finish:
        n_idx, t_idx = build_indexes(env)
        if not args.keep_schema:
            psql(env, DB, "DROP SCHEMA years_gen CASCADE")
        psql(env, DB, "VACUUM ANALYZE")
        print("years_gen: %d indexes built in %.0f s; schema years_gen %s"
              % (n_idx, t_idx, "kept" if args.keep_schema else "dropped"))
        return
    if not args.keep_indexes:
        drop_indexes(env)
    units = psql(env, DB, "SELECT code, parent IS NULL FROM units WHERE valid_to IS NULL"
                 " ORDER BY code").split()
    units = [(u.split("|")[0], u.split("|")[1] == "t") for u in units]
    # the centre's own receipts: a twentieth of a commune's
    weights = [0.05 if top else 1.0 for _, top in units]
    today = datetime.date.today()
    start = today - datetime.timedelta(days=int(365 * args.years))
    open_days = 0.0
    for i in range((today - start).days):
        wd = (start + datetime.timedelta(days=i)).isoweekday()
        open_days += 0 if wd == 7 else 0.33 if wd == 6 else 1
    per_day = [args.dossiers * w / sum(weights) / open_days for w in weights]
    now = psql(env, DB, "SELECT now()").strip()
    n0, p0, _ = stats(env)
    workers = []
    for w in range(args.workers):
        mine = list(range(w, len(units), args.workers))
        call = ("CALL years_gen.fill(ARRAY[%s]::text[], ARRAY[%s]::float8[], '%s', '%s', %f, '%s', %f)"
                % (",".join("'%s'" % units[i][0] for i in mine),
                   ",".join("%f" % per_day[i] for i in mine), start, today, args.l2, now,
                   (w + 1) / (args.workers + 1.0)))
        log = open(os.path.join(d, "years_gen.%d.log" % w), "w")
        # a bench load: a commit (one unit's day) need not wait for its WAL flush
        workers.append(subprocess.Popen(psql_cmd(env, DB, ["-c", call]), stdout=log,
                                        stderr=subprocess.STDOUT,
                                        env=dict(os.environ, PGOPTIONS="-c synchronous_commit=off")))
    t0 = time.time()
    last = (t0, n0, p0)
    analyzed = max(n0, 1000)
    try:
        while any(p.poll() is None for p in workers):
            time.sleep(15)
            n, pr, days = stats(env)
            t = time.time()
            if n >= analyzed * 1.3:
                # Each session runs one long CALL whose cached plans were made on nearly empty
                # tables (sequential scans); autovacuum's analyze did not keep up with tables
                # growing this fast: the fill fell from 440 to 80 dossiers/s within 3 minutes and
                # stayed there. ANALYZE from here invalidates those plans at each session's
                # next transaction.
                psql(env, DB, "ANALYZE")
                analyzed = n
            print("years_gen: %d dossiers (%d unit-days), %.0f dossiers/s, %.0f progress rows/s"
                  " (last 15 s); %.0f dossiers/s overall"
                  % (n, days, (n - last[1]) / (t - last[0]), (pr - last[2]) / (t - last[0]),
                     (n - n0) / (t - t0)), flush=True)
            last = (t, n, pr)
    except KeyboardInterrupt:
        for p in workers:
            p.terminate()
        raise
    bad = [w for w, p in enumerate(workers) if p.returncode != 0]
    if bad:
        raise SystemExit("years_gen: session(s) %s failed: see %s/years_gen.N.log" % (bad, d))
    t_fill = time.time() - t0
    n, pr, _ = stats(env)
    n_idx, t_idx = build_indexes(env)
    if not args.keep_schema:
        psql(env, DB, "DROP SCHEMA years_gen CASCADE")
    t1 = time.time()
    psql(env, DB, "VACUUM ANALYZE")
    t_vac = time.time() - t1
    q = ("SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossiers WHERE forwarded_to"
         " IS NOT NULL), (SELECT count(*) FROM progress_log), (SELECT count(*) FROM inbox),"
         " (SELECT count(*) FROM idempotency), pg_database_size(current_database())")
    c = [int(x) for x in psql(env, DB, q).strip().split("|")]
    mix = psql(env, DB, "SELECT status, count(*) FROM dossiers GROUP BY 1 ORDER BY 1").split()
    res = {"dir": d, "dossiers_made": n - n0, "seconds": round(t_fill, 1),
           "dossiers_per_s": round((n - n0) / t_fill, 1),
           "progress_rows_per_s": round((pr - p0) / t_fill, 1), "workers": args.workers,
           "vacuum_analyze_s": round(t_vac, 1), "dossiers": c[0], "forwarded": c[1],
           "progress_rows": c[2], "inbox_rows": c[3], "idempotency_rows": c[4],
           "db_bytes": c[5], "status_mix": dict(x.split("|") for x in mix),
           "deploy_s": round(t_deploy, 1), "indexes_built": n_idx,
           "index_build_s": round(t_idx, 1)}
    print("years_gen: %(dossiers_made)d dossiers in %(seconds).0f s (%(dossiers_per_s).0f/s, "
          "%(progress_rows_per_s).0f progress rows/s, %(workers)d sessions); %(indexes_built)d "
          "indexes built in %(index_build_s).0f s; VACUUM ANALYZE %(vacuum_analyze_s).0f s" % res)
    print("years_gen: database %.2f GB: %d dossiers (%d forwarded), %d progress rows, %d inbox "
          "rows, %d idempotency rows; status mix %s"
          % (c[5] / 1e9, c[0], c[1], c[2], c[3], c[4], res["status_mix"]))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
