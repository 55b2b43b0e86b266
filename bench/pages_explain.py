#!/usr/bin/env python3
"""Keyset pages (issue 19) on a filled database: the plans and execution
times of the server's own list and search statements, first page against a
page deep in the matches, keyset against the old OFFSET.

  nice -n 10 bench/pages_explain.py [--quick | --dossiers N] [--bin build/bin]
                                     [--pages 20] [--out FILE.json]

Uses bench/desk_bench.py's deployment and fill (its own deployment under a
temporary directory on free ports; --dossiers over 3 years, 22 units, ~40%
of the communes' dossiers forwarded to the district). PostgreSQL's
auto_explain (log_analyze, buffers, every statement) is switched on for the
bench database only, so the plans are those of the statements the server
really sends with their real parameters; the district (444) then walks
`list --status 4 --limit 50` page by page by its cursors, asks a page
--pages deep by cursor and the same page by --offset, and a commune
searches a common family name (first page, a page --pages deep) and a
two-letter text. Prints one line per call (execution ms, the indexes read,
whether a sequential scan or a sort of every match appeared) and the
ratios beside their targets; --out writes them as JSON. Everything it makes
is removed at the end."""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import desk_bench  # noqa: E402

DISTRICT, COMMUNE = "444", "18496"
# targets: a deep page by cursor costs about what the first page costs; the
# old OFFSET page costs more (it reads every row before it)
TARGET_DEEP = 2.0


def plans_since(log_path, offset):
    """auto_explain's entries written after offset: [(ms, text)]."""
    with open(log_path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    out = []
    for m in re.finditer(r"duration: ([0-9.]+) ms\s+plan:\n(.*?)(?=\n\S[^\n]*(?:LOG|STATEMENT|ERROR)|\Z)",
                         text, re.S):
        out.append((float(m.group(1)), m.group(2)))
    return out


def summary(plan):
    idx = sorted(set(re.findall(r"(?:Index|Index Only) Scan (?:Backward )?using (\w+)", plan)))
    bmp = sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", plan)))
    seq = "Seq Scan on dossiers" in plan
    return idx + ["bitmap:" + b for b in bmp], seq


class Run:
    def __init__(self, b, log_path):
        self.b, self.log = b, log_path
        self.rows = []

    def call(self, label, conf, *argv):
        off = os.path.getsize(self.log)
        t = time.time()
        p = subprocess.run([os.path.join(self.b.args.bin, "motcua"), "-c", conf, "--json"] + list(argv),
                           capture_output=True, text=True, timeout=120)
        wall = (time.time() - t) * 1000
        err = None
        if p.returncode != 0:  # e.g. the statement timeout of a deep OFFSET
            try:
                err = json.loads(p.stdout)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                raise SystemExit("%s: %s" % (argv, p.stdout + p.stderr))
        time.sleep(0.3)  # the log line is written after the reply
        plans = [pl for pl in plans_since(self.log, off) if "dossiers" in pl[1]]
        ms = max((pl[0] for pl in plans), default=float("nan"))
        idx, seq = summary(max(plans, key=lambda pl: pl[0])[1]) if plans else ([], False)
        if err is not None:
            ms = wall  # no plan logged: the statement was cancelled
        self.rows.append({"call": label, "sql_ms": ms, "wall_ms": wall, "indexes": idx,
                          "seq_scan": seq, "error": err})
        print("%-44s %8.2f ms SQL %7.1f ms CLI  seq=%s  %s%s" % (label, ms, wall, seq, ",".join(idx),
                                                               "  ERROR " + err if err else ""))
        sys.stdout.flush()
        return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(desk_bench.REPO, "build", "bin"))
    ap.add_argument("--dossiers", type=int, default=1000000)
    ap.add_argument("--quick", action="store_true", help="100,000 dossiers")
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.quick:
        args.dossiers = 100000
    args.bin = os.path.abspath(args.bin)
    args.dir, args.keep, args.unit = None, False, COMMUNE
    b = desk_bench.Bench(args)
    res = {}
    try:
        b.deploy()
        b.create()
        t = time.time()
        b.fill()
        fill_s = time.time() - t
        b.psql("ALTER DATABASE %s SET session_preload_libraries = 'auto_explain'" % b.db,
               db="postgres")
        for k, v in (("log_min_duration", "0"), ("log_analyze", "on"), ("log_buffers", "on"),
                     ("log_nested_statements", "on")):
            b.psql("ALTER DATABASE %s SET auto_explain.%s = %s" % (b.db, k, v), db="postgres")
        b.start_server()
        log = os.path.join(b.env["MOTCUA_PG_DIR"], "postgresql.log")
        run = Run(b, log)
        dconf, cconf = b.cli_login(DISTRICT), b.cli_login(COMMUNE)
        matches = b.psql("SELECT count(*) FILTER (WHERE status = 4), count(*) FROM dossiers"
                         " WHERE forwarded_to = '444'").strip()
        print("data: %d dossiers (fill %.0f s); forwarded to the district, status 4 | all: %s;"
              " load %s" % (args.dossiers, fill_s, matches, os.getloadavg()))
        first = run.call("district list --status 4, page 1", dconf, "list", "--status", "4",
                         "--limit", "50")
        after = json.loads(first.stdout)["next"]
        for i in range(2, args.pages + 1):
            p = run.call("district list --status 4, page %d (cursor)" % i, dconf, "list",
                         "--status", "4", "--limit", "50", "--after", after)
            after = json.loads(p.stdout)["next"]
            if not after:
                break
        run.call("district list --status 4, page %d (offset)" % args.pages, dconf, "list",
                 "--status", "4", "--limit", "50", "--offset", str(50 * (args.pages - 1)))
        # a page deep in the district's whole list (no status filter)
        deep = b.psql("SELECT id, (extract(epoch FROM received_at) * 1000000)::bigint FROM dossiers"
                      " WHERE forwarded_to = '444' OR unit_code = '444'"
                      " ORDER BY received_at DESC, id DESC OFFSET 20000 LIMIT 1").split("|")
        run.call("district list, page 1", dconf, "list", "--limit", "50")
        run.call("district list, row 20,001 (cursor)", dconf, "list", "--limit", "50",
                 "--after", "L0d.%s.%s" % (deep[0].strip(), deep[1].strip()))
        run.call("district list, row 20,001 (offset)", dconf, "list", "--limit", "50",
                 "--offset", "20000")
        s1 = run.call("commune search nguyen, page 1", cconf, "search", "nguyen", "--limit", "50")
        run.call("commune search ng (2 letters)", cconf, "search", "ng", "--limit", "50")
        run.call("district search nguyen, page 1", dconf, "search", "nguyen", "--limit", "50")
        res["rows"] = run.rows
    finally:
        b.close()
    r = {x["call"]: x for x in run.rows}
    p1_s4 = r["district list --status 4, page 1"]["sql_ms"]
    cur = [x["sql_ms"] for x in run.rows if "(cursor)" in x["call"] and "page" in x["call"]]
    cur.sort()
    med = cur[len(cur) // 2]
    deep_c = r["district list, row 20,001 (cursor)"]["sql_ms"]
    deep_o = r["district list, row 20,001 (offset)"]["sql_ms"]
    p1 = r["district list, page 1"]["sql_ms"]
    res["ratios"] = {"status4_cursor_pages_median_over_first": med / p1_s4,
                     "deep_cursor_over_first": deep_c / p1,
                     "deep_offset_over_deep_cursor": deep_o / deep_c}
    print("district list --status 4, cursor pages 2..%d, median SQL / first page: %.2fx"
          " (target <= %.1fx)" % (args.pages, med / p1_s4, TARGET_DEEP))
    print("district list: row 20,001 by cursor / first page: %.2fx (target <= %.1fx)"
          % (deep_c / p1, TARGET_DEEP))
    print("row 20,001 by OFFSET / by cursor: %s%.2fx (what the cursor saves)"
          % ("> " if r["district list, row 20,001 (offset)"]["error"] else "", deep_o / deep_c))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
