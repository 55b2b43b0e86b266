#!/usr/bin/env python3
"""Which relation writes the WAL of an LSN range (issue 19): pg_waldump of
the range, every record's total length given to the relation of its first
block reference, full-page images counted per relation (a record's every
FPW block), names from the deployment's catalogue (pg_relation_filenode:
a relation dropped or rewritten since the range shows as its number).

  bench/wal_relations.py --db DIR --start LSN --end LSN [--dossiers N] [--top 25]
  bench/wal_relations.py --db DIR --start LSN --end LSN --fpi-sizes

--fpi-sizes: the range's full-page images instead (pg_waldump -b): how
many, their size without the page's hole, and as stored (wal_compression).

--dossiers: divide by the dossiers received in the range (bench/wal_rounds.py
prints each round's range and count in its JSON: rounds[].lsn, .dossiers).
"""
import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchdata import psql  # noqa: E402
from report_bench import env_of  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"
REC = re.compile(r"^rmgr: (\S+)\s+len \(rec/tot\):\s+(\d+)/\s*(\d+),")
FPW = re.compile(r"\(FPW\); hole: offset: \d+, length: (\d+)(?:, compression saved: (\d+))?")
BLK = re.compile(r"blkref #\d+: rel (\d+/\d+/\d+)(?: fork \S+)? blk \d+( FPW)?")


def fpi_sizes(env, args):
    pg_wal = os.path.join(env["MOTCUA_PG_DIR"], "data", "pg_wal")
    p = subprocess.Popen([os.path.join(PG_BIN, "pg_waldump"), "-b", "-p", pg_wal, "-s", args.start,
                          "-e", args.end], stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    n = raw = saved = 0
    for line in p.stdout:
        for hole, sv in FPW.findall(line):
            n += 1
            raw += 8192 - int(hole)
            saved += int(sv or 0)
    p.wait()
    if n:
        print("FPIs %d: %.0f B each without the hole, %.0f B stored (%.3f)" % (
            n, raw / n, (raw - saved) / n, (raw - saved) / raw))
    else:
        print("no FPIs in the range")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--start", required=True)
    ap.add_argument("--end", required=True)
    ap.add_argument("--dossiers", type=int)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--fpi-sizes", action="store_true")
    args = ap.parse_args()
    env = env_of(args.db)
    if args.fpi_sizes:
        fpi_sizes(env, args)
        return
    names = {}
    for line in psql(env, "motcua", "SELECT pg_relation_filenode(c.oid) || '|' || c.relname || '|' ||"
                     " coalesce(t.relname, '') FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid"
                     " LEFT JOIN pg_class t ON t.oid = i.indrelid"
                     " WHERE pg_relation_filenode(c.oid) IS NOT NULL").splitlines():
        node, rel, tab = line.split("|")
        names[node] = rel + (" (on %s)" % tab if tab else "")
    pg_wal = os.path.join(env["MOTCUA_PG_DIR"], "data", "pg_wal")
    p = subprocess.Popen([os.path.join(PG_BIN, "pg_waldump"), "-p", pg_wal, "-s", args.start,
                          "-e", args.end], stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    tot = collections.Counter()
    fpi_bytes = collections.Counter()
    fpis = collections.Counter()
    n = collections.Counter()
    all_bytes = all_fpi = all_fpi_bytes = 0
    for line in p.stdout:
        m = REC.match(line)
        if not m:
            continue
        rec, t = int(m.group(2)), int(m.group(3))
        blks = BLK.findall(line)
        key = blks[0][0].rsplit("/", 1)[1] if blks else "(no relation: %s)" % m.group(1)
        tot[key] += t
        n[key] += 1
        all_bytes += t
        if any(b[1] for b in blks):
            fpi_bytes[key] += t - rec
            all_fpi_bytes += t - rec
        for rel, fpw in blks:
            if fpw:
                fpis[rel.rsplit("/", 1)[1]] += 1
                all_fpi += 1
    p.wait()
    div = args.dossiers or 1
    unit = "per dossier" if args.dossiers else "total"
    print("WAL %s..%s: %d bytes, %d FPIs (%d bytes, %.1f%%)%s" % (
        args.start, args.end, all_bytes, all_fpi, all_fpi_bytes, 100.0 * all_fpi_bytes / max(all_bytes, 1),
        "; %d dossiers: %.0f B, %.3f FPIs per dossier" % (div, all_bytes / div, all_fpi / div)
        if args.dossiers else ""))
    print("%-58s %9s %7s %9s %9s %6s" % ("relation", "bytes", "share", "FPI bytes", "FPIs", "recs")
          + "  (" + unit + ")")
    for key, b in tot.most_common(args.top):
        print("%-58s %9.0f %6.1f%% %9.0f %9.3f %6.2f" % (
            names.get(key, key)[:58], b / div, 100.0 * b / max(all_bytes, 1), fpi_bytes[key] / div,
            fpis[key] / div, n[key] / div))


if __name__ == "__main__":
    main()
