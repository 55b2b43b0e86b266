#!/usr/bin/env python3
"""Years of data, the benchmark (issue 19; bench/years.sh runs it): the
officer's screens on a filled database (bench/years_gen.py) as a commune
and as the district, each beside the same SQL run directly, and intake on
that database beside intake on an empty one.

  bench/years_screens.py --db DIR --out F.json [--quick] [--empty DIR2]
                         [--n 200] [--rounds 3] [--unit 18496] [--port-base 45000]

Screens (motcua-screens-bench link, one persistent mutual-TLS link logged
in as the unit's tester, requests one at a time): the SCREENS table below.
The reference statements are not written here: they are CAPTURED from the
database's statement log while the server answers each screen once per
sample value (log_min_duration_statement = 0 for those seconds, the
server's role only), so they are whatever the server runs now -- the
`pages` branch's keyset SQL included, with nothing to update. The statements a
request ran (session check aside) are run again with libpq on the server's
own conninfo (motcua-screens-bench sql: PQexecParams, same text
parameters, same repetitions). Rounds alternate motcua, reference,
motcua, ...; the median of the per-round ratios is reported with its
spread, and every p99 beside the 50 ms target.

Intake: motcua-bench intake at 64 clients over the 21 communes against
this database and against an empty deployment (--empty, made if missing,
on --port-base + 20..22), alternating rounds; target: within 10%. Every
intake round adds its dossiers (received today) to DIR's database. Per
round and dossier, what it cost each database: blocks read into shared
buffers, blocks hit, buffers the backends wrote themselves, WAL bytes and
full-page images (COUNTERS).
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
from benchdata import psql  # noqa: E402
from report_bench import env_of  # noqa: E402

DB = "motcua"
TARGET_P99_MS = 50.0
TARGET_INTAKE = 0.90
# screen -> (what the server runs for it, the sample values' SQL: %(u)s the
# unit; None = no value). The first column documents the server's statement
# (server/store/...); the statement itself is captured, never copied.
SCREENS = [
    ("list", "lists.c SQL_LIST_FMT (ListRequest limit 50, newest)", None),
    ("list_status4", "lists.c SQL_LIST_FMT, status = 4", None),
    ("overdue", "lists.c SQL_LIST_FMT, overdue", None),
    ("due_soon", "lists.c SQL_LIST_FMT, due_within 2 days", None),
    ("search_name", "dossiers.c search (name trigram)", "SELECT 'Nguyễn Văn'"),
    ("search_id", "dossiers.c search (id number MAC)",
     "SELECT applicant_id FROM {sample} LIMIT {k}"),
    ("search_phone", "dossiers.c search (phone MAC)",
     "SELECT applicant_phone FROM {sample} LIMIT {k}"),
    ("search_code", "dossiers.c search (full code)", "SELECT code FROM {sample} LIMIT {k}"),
    ("search_partial", "dossiers.c search (code trigram, yymmdd-nnnn)",
     "SELECT right(code, 11) FROM {sample} LIMIT {k}"),
    ("show", "dossiers.c show (dossier_v + components)", "SELECT code FROM {sample} LIMIT {k}"),
    ("history", "dossiers.c history (progress_log)", "SELECT code FROM {sample} LIMIT {k}"),
    ("inbox", "dossiers.c inbox (unread, limit 50)", None),
]
# the unit's dossiers, a random sample (TABLESAMPLE: no sort of 1M rows)
SAMPLE = ("(SELECT * FROM dossiers TABLESAMPLE SYSTEM (5) WHERE unit_code = '%(u)s'"
          " OR forwarded_to = '%(u)s' ORDER BY random()) s")

LOG_HEAD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
EXEC = re.compile(r"(\S+)@(\S+) LOG:  duration: [0-9.]+ ms  (?:execute [^:]*|statement): (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'((?:[^']|'')*)')")


def log(msg):
    print("years: " + msg, file=sys.stderr, flush=True)


class Deployment:
    def __init__(self, d, base, bin_dir):
        self.dir, self.base, self.bin = os.path.abspath(d), base, bin_dir
        self.server = None
        self.up()
        self.env = env_of(self.dir)
        self.pki = os.path.join(self.dir, "pki")
        self.port = int(self.env["MOTCUA_PORT"])
        self.pg_log = os.path.join(open(os.path.join(self.dir, "pg.path")).read().strip(),
                                   "postgresql.log")
        self.conninfo = None
        with open(os.path.join(self.dir, "server.conf")) as f:
            for line in f:
                if line.split("=", 1)[0].strip() == "db_conninfo":
                    self.conninfo = line.split("=", 1)[1].strip()

    def local(self, *args, check=True):
        env = dict(os.environ, MOTCUA_BIN_DIR=self.bin, MOTCUA_DESKS="0",
                   MOTCUA_ARGON2_MEMORY_KIB="4096", MOTCUA_ARGON2_ITERATIONS="1")
        p = subprocess.run([os.path.join(REPO, "deploy", "local.sh")] + list(args), env=env,
                           capture_output=True, text=True, timeout=1800)
        if check and p.returncode != 0:
            raise SystemExit("local.sh %s failed:\n%s%s" % (args[0], p.stdout[-1500:],
                                                           p.stderr[-1500:]))

    def up(self):
        if os.path.exists(os.path.join(self.dir, "local.env")):
            self.local("up", self.dir, "--no-desks")
        else:
            self.local("up", self.dir, "--no-desks", "--port", str(self.base), "--http-port",
                       str(self.base + 1), "--pg-port", str(self.base + 2))

    def sql(self, q):
        return psql(self.env, DB, q)

    def start_server(self):
        """The deployment's server with the abuse limits lifted (a bench
        link asks far faster than a desk), as bench/run.sh starts it."""
        self.local("stop-server", self.dir, check=False)
        self.log = open(os.path.join(self.dir, "years-server.log"), "ab")
        off = self.log.tell()
        self.server = subprocess.Popen(
            [os.path.join(self.bin, "motcua-server"), "-c", os.path.join(self.dir, "server.conf"),
             "--max_connections_per_unit=20000", "--rate_limit_rps=1000000",
             "--rate_burst=1000000", "--ping_rate_rps=1000000", "--ping_burst=1000000",
             "--max_preauth=20000", "--max_preauth_per_addr=20000"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            with open(self.log.name, "rb") as f:
                f.seek(off)
                if b"motcua-server ready" in f.read():
                    return
            if self.server.poll() is not None or time.time() > deadline:
                raise SystemExit("motcua-server of %s did not start (%s)" % (self.dir,
                                                                            self.log.name))
            time.sleep(0.2)

    def stop_server(self):
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def link_args(self, unit):
        a = ["--port", str(self.port), "--ca", os.path.join(self.pki, "ca.crt"), "--pki",
             self.pki, "--unit", unit]
        tok = os.path.join(self.dir, "units", "session-%s.token" % unit)
        if os.path.exists(tok):
            a += ["--session", tok]
        return a


def cases(dep, unit, k, path):
    lines = []
    for name, _, q in SCREENS:
        if q is None:
            lines.append((name, ""))
            continue
        q = q.format(sample=SAMPLE % {"u": unit}, k=k)
        for v in dep.sql(q).splitlines():
            if v:
                lines.append((name, v))
    with open(path, "w") as f:
        for name, v in lines:
            f.write("%s\t%s\n" % (name, v))
    return lines


def parse_log(text, role):
    """The statements `role` executed, with their parameters, in order."""
    out = []
    entries, cur = [], None
    for line in text.splitlines():
        if LOG_HEAD.match(line):
            if cur is not None:
                entries.append(cur)
            cur = line
        elif cur is not None:
            cur += "\n" + line[1:] if line.startswith("\t") else "\n" + line
    if cur is not None:
        entries.append(cur)
    for i, e in enumerate(entries):
        m = EXEC.search(e.split("\n", 1)[0])
        if not m or m.group(1) != role:
            continue
        sql = m.group(3) + (("\n" + e.split("\n", 1)[1]) if "\n" in e else "")
        params = []
        if i + 1 < len(entries) and "DETAIL:  parameters:" in entries[i + 1]:
            detail = entries[i + 1].split("DETAIL:  parameters:", 1)[1]
            got = {}
            for pm in PARAM.finditer(detail):
                got[int(pm.group(1))] = None if pm.group(2) == "NULL" else pm.group(3).replace("''", "'")
            params = [got.get(j) for j in range(1, max(got) + 1)] if got else []
        out.append((sql, params))
    return out


def screen_statement(sql):
    """A statement of a screen, not of the session check or the
    background work (monitoring, link history, live links, reports)."""
    s = sql.lower()
    return (("dossier" in s or "inbox" in s) and "officer_sessions" not in s
            and "link_" not in s and "mc_report" not in s and "live_links" not in s)


def capture(dep, unit, screen, path_cases, bench, out):
    """capture_once, tried 3 times (a loaded machine may deliver the log
    setting to the server's backends late)."""
    for attempt in range(3):
        try:
            return capture_once(dep, unit, screen, path_cases, bench, out)
        except CaptureMissed as e:
            log("%s; again" % e)
    raise SystemExit("no statement captured for %s of %s (see %s)" % (screen, unit, dep.pg_log))


class CaptureMissed(Exception):
    pass


def log_on(dep):
    dep.sql("ALTER SYSTEM SET log_min_duration_statement = 0")
    dep.sql("SELECT pg_reload_conf()")
    deadline = time.time() + 30
    while dep.sql("SHOW log_min_duration_statement").strip() != "0":
        if time.time() > deadline:
            raise SystemExit("log_min_duration_statement did not change")
        time.sleep(0.1)


def capture_once(dep, unit, screen, path_cases, bench, out):
    """Runs `screen` once per value with the statement log on; appends the
    block of motcua-screens-bench sql to `out`. Returns its statements."""
    nvals = sum(1 for l in open(path_cases) if l.split("\t", 1)[0] == screen)
    off = os.path.getsize(dep.pg_log)
    # the link waits 10 s before its requests: log_on's three psql runs
    # took more than 3 s at load 9, and requests sent before the reload
    # went unlogged (the screen was then "not captured" three times)
    p = subprocess.Popen([bench, "link"] + dep.link_args(unit) +
                         ["--cases", path_cases, "--only", screen, "--pause-ms", "10000"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    if first.strip() != "READY":
        p.kill()
        raise SystemExit("screens-bench did not connect: %r %s" % (first, p.stderr.read()))
    try:
        log_on(dep)
        rest, err = p.communicate(timeout=600)
    finally:
        dep.sql("ALTER SYSTEM RESET log_min_duration_statement")
        dep.sql("SELECT pg_reload_conf()")
    if p.returncode != 0:
        raise SystemExit("screens-bench --only %s failed: %s" % (screen, err[-500:]))
    time.sleep(0.3)
    with open(dep.pg_log, errors="replace") as f:
        f.seek(off)
        text = f.read()
    role = re.search(r"user=(\S+)", dep.conninfo).group(1)
    # each value once, at least 3 requests (motcua-screens-bench only_requests):
    # a statement of the screen ran once (or k times) per request; one seen
    # fewer times is background work that ran meanwhile
    nreq = nvals * -(-3 // nvals)
    st = [s for s in parse_log(text, role) if screen_statement(s[0])]
    seen = {}
    for sql, _ in st:
        seen[sql] = seen.get(sql, 0) + 1
    st = [s for s in st if seen[s[0]] >= nreq or (nvals > 1 and seen[s[0]] >= nvals)]
    if not st:
        raise CaptureMissed("no statement captured for %s of %s" % (screen, unit))
    per = max(1, len(st) // nreq)
    out.write("S %s %d\n" % (screen, per))
    for sql, params in st[:per * nreq]:
        out.write("Q %s\nP %d\n" % (sql.replace("\n", " "), len(params)))
        for v in params:
            out.write("N\n" if v is None else "V %s\n" % v)
    return st[:per]


def run_json(cmd, timeout=3600):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (os.path.basename(cmd[0]), p.returncode,
                                                 p.stderr[-800:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def spread(v):
    return [round(min(v), 3), round(max(v), 3)] if v else None


def screens(dep, args, bench, work):
    res = {}
    for unit in (args.unit, "444"):
        pc = os.path.join(work, "cases-%s.tsv" % unit)
        cases(dep, unit, args.values, pc)
        ps = os.path.join(work, "statements-%s.txt" % unit)
        shown = {}
        with open(ps, "w") as out:
            for name, _, _ in SCREENS:
                st = capture(dep, unit, name, pc, bench, out)
                shown[name] = [s[0][:160] for s in st]
        rounds = {"link": [], "sql": []}
        for r in range(args.rounds):
            rounds["link"].append(run_json([bench, "link"] + dep.link_args(unit) +
                                           ["--cases", pc, "--n", str(args.n),
                                            "--warmup", str(args.warmup)]))
            rounds["sql"].append(run_json([bench, "sql", "--conninfo", dep.conninfo, "--sql", ps,
                                           "--n", str(args.n), "--warmup", str(args.warmup)]))
            log("screens of %s: round %d/%d" % (unit, r + 1, args.rounds))
        out = {}
        for name, server_sql, _ in SCREENS:
            L = [x["screens"][name] for x in rounds["link"]]
            Q = [x["screens"][name] for x in rounds["sql"]]
            r50 = [a["p50_ms"] / b["p50_ms"] for a, b in zip(L, Q) if b["p50_ms"] > 0]
            r99 = [a["p99_ms"] / b["p99_ms"] for a, b in zip(L, Q) if b["p99_ms"] > 0]
            p99 = statistics.median(a["p99_ms"] for a in L)
            out[name] = {
                "server_sql": server_sql, "captured": shown[name],
                "motcua_p50_ms": statistics.median(a["p50_ms"] for a in L),
                "motcua_p99_ms": p99,
                "psql_p50_ms": statistics.median(b["p50_ms"] for b in Q),
                "psql_p99_ms": statistics.median(b["p99_ms"] for b in Q),
                "ratio_p50": statistics.median(r50) if r50 else None, "ratio_p50_spread": spread(r50),
                "ratio_p99": statistics.median(r99) if r99 else None, "ratio_p99_spread": spread(r99),
                "rows_per_request": L[0]["rows"] / max(1, L[0]["n"]),
                "errors": sum(a["errors"] for a in L) + sum(b["errors"] for b in Q),
                "target_p99_ms": TARGET_P99_MS, "p99_ok": p99 <= TARGET_P99_MS}
        res[unit] = out
    return res


def hook_rows(res):
    """bench/run.sh HOOKS rows (docs/PERFORMANCE.md "Adding a comparison"):
    each screen's p99 against the same statement run directly, its target
    the absolute 50 ms; intake at years of data against an empty database."""
    rows = []
    for unit, screens_of in (res.get("screens") or {}).items():
        for name, v in screens_of.items():
            if v.get("ratio_p99") is None:
                continue
            rows.append({"name": "years %s %s p99" % (unit, name), "ratio": round(v["ratio_p99"], 3),
                         "spread": v.get("ratio_p99_spread"), "motcua": v["motcua_p99_ms"],
                         "reference": v["psql_p99_ms"], "unit": "ms",
                         "target": "p99 <= %d ms: %s" % (TARGET_P99_MS, "met" if v["p99_ok"] else "NOT met")})
    i = res.get("intake")
    if i:
        rows.append({"name": "years intake@64 vs empty", "ratio": round(i["ratio"], 3),
                     "spread": i.get("ratio_spread"), "target": ">= %s" % i["target"]})
    return rows


# What a round cost the database, per dossier it added: blocks read into
# shared buffers (from the OS cache or the disk) and found there, blocks
# the backends had to write themselves to free a buffer, WAL bytes and
# full-page images. A cost that grows with the database shows here first.
COUNTERS = ("SELECT (SELECT count(*) FROM dossiers), d.blks_read, d.blks_hit, b.buffers_backend,"
            " w.wal_bytes, w.wal_fpi FROM pg_stat_database d, pg_stat_bgwriter b, pg_stat_wal w"
            " WHERE d.datname = current_database()")
COUNTER_NAMES = ("dossiers", "blks_read", "blks_hit", "buffers_backend", "wal_bytes", "wal_fpi")


def counters(dep):
    return [int(float(x)) for x in dep.sql(COUNTERS).strip().split("|")]


def per_dossier(a, b):
    n = b[0] - a[0]
    return {k: round((y - x) / n, 2) if n else None
            for k, x, y in zip(COUNTER_NAMES[1:], a[1:], b[1:])}


def intake(big, empty, args):
    units = big.sql("SELECT string_agg(code, ',' ORDER BY code) FROM units WHERE role = 'commune'").strip()
    proc = big.sql("SELECT code FROM procedures WHERE level = 1 ORDER BY code LIMIT 1").strip()
    bench = os.path.join(args.bin, "motcua-bench")
    rates = {"big": [], "empty": []}
    costs = {"big": [], "empty": []}
    settings = {}
    for key, dep in (("big", big), ("empty", empty)):
        settings[key] = dep.sql("SELECT current_setting('shared_buffers')").strip()
    for r in range(args.rounds):
        for key, dep in (("big", big), ("empty", empty)):
            a = counters(dep)
            j = run_json([bench, "intake", "--port", str(dep.port), "--ca",
                          os.path.join(dep.pki, "ca.crt"), "--pki", dep.pki, "--units", units,
                          "--sessions", os.path.join(dep.dir, "units"), "--clients", "64",
                          "--proc", proc, "--warmup", "2", "--duration", str(args.intake_s),
                          "--keys", args.keys], timeout=600)
            rates[key].append(j["rate"])
            costs[key].append(per_dossier(a, counters(dep)))
        log("intake round %d/%d: %.0f/s at %s, %.0f/s empty; per dossier blocks read %s vs %s,"
            " WAL %s vs %s B" % (r + 1, args.rounds, rates["big"][-1], big.dir, rates["empty"][-1],
                                 costs["big"][-1]["blks_read"], costs["empty"][-1]["blks_read"],
                                 costs["big"][-1]["wal_bytes"], costs["empty"][-1]["wal_bytes"]))
    ratios = [a / b for a, b in zip(rates["big"], rates["empty"]) if b > 0]
    med = statistics.median(ratios) if ratios else None
    return {"rates_big": rates["big"], "rates_empty": rates["empty"], "ratio": med,
            "ratio_spread": spread(ratios), "target": TARGET_INTAKE,
            "ok": med is not None and med >= TARGET_INTAKE, "clients": 64,
            "per_dossier_big": costs["big"], "per_dossier_empty": costs["empty"],
            "shared_buffers": settings, "keys": args.keys}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/var/tmp/years-1m")
    ap.add_argument("--empty", help="the empty deployment (default: DIR-empty)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--values", type=int, default=50, help="sample values per screen")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--intake-s", type=int, default=10)
    ap.add_argument("--unit", default="18496")
    ap.add_argument("--port-base", type=int, default=45000)
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--no-intake", action="store_true")
    ap.add_argument("--keys", choices=("ordered", "random"), default="ordered",
                    help="intake's idempotency keys (motcua-bench --keys)")
    ap.add_argument("--no-screens", action="store_true",
                    help="intake only (e.g. before/after an index, with --bin of each build)")
    args = ap.parse_args()
    if args.quick:
        args.n, args.values, args.rounds, args.intake_s = 50, 20, 3, 5
    args.bin = os.path.abspath(args.bin)
    args.empty = args.empty or os.path.abspath(args.db).rstrip("/") + "-empty"
    bench = os.path.join(args.bin, "motcua-screens-bench")
    work = os.path.join(os.path.abspath(args.db), "years-bench")
    os.makedirs(work, exist_ok=True)
    big = Deployment(args.db, args.port_base, args.bin)
    empty = None
    res = {"db": big.dir, "uptime_before": open("/proc/loadavg").read().strip()}
    try:
        big.start_server()
        res["dossiers"] = int(big.sql("SELECT count(*) FROM dossiers"))
        res["db_bytes"] = int(big.sql("SELECT pg_database_size(current_database())"))
        res["screens"] = {} if args.no_screens else screens(big, args, bench, work)
        if not args.no_intake:
            empty = Deployment(args.empty, args.port_base + 20, args.bin)
            empty.start_server()
            res["intake"] = intake(big, empty, args)
    finally:
        big.stop_server()
        if empty is not None:
            empty.stop_server()
    res["uptime_after"] = open("/proc/loadavg").read().strip()
    res["rows"] = hook_rows(res)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    print("Years of data: %d dossiers, database %.2f GB (%s); load %s"
          % (res["dossiers"], res["db_bytes"] / 1e9, big.dir, res["uptime_after"]))
    print("%-6s %-15s %9s %9s %9s %9s %8s %8s  %s" % ("unit", "screen", "p50 ms", "p99 ms",
                                                      "psql p50", "psql p99", "r p50", "r p99",
                                                      "p99 target 50 ms"))
    for unit, scr in res["screens"].items():
        for name, s in scr.items():
            print("%-6s %-15s %9.2f %9.2f %9.2f %9.2f %8s %8s  %s%s"
                  % (unit, name, s["motcua_p50_ms"], s["motcua_p99_ms"], s["psql_p50_ms"],
                     s["psql_p99_ms"], "%.2f" % s["ratio_p50"] if s["ratio_p50"] else "-",
                     "%.2f" % s["ratio_p99"] if s["ratio_p99"] else "-",
                     "ok" if s["p99_ok"] else "OVER", " (%d errors)" % s["errors"] if s["errors"] else ""))
    if "intake" in res:
        i = res["intake"]
        print("intake at 64 clients: %s vs empty %s per s; ratio %.3f (spread %s), target >= %.2f: %s"
              % ([round(x) for x in i["rates_big"]], [round(x) for x in i["rates_empty"]],
                 i["ratio"], i["ratio_spread"], i["target"], "ok" if i["ok"] else "MISSED"))
    print("results: %s" % args.out)


if __name__ == "__main__":
    main()
