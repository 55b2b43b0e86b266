#!/usr/bin/env bash
# bench/cluster_bench.sh [--quick]: issue 18's figures on deploy/cluster.sh (etcd, Patroni pair,
# two motcua-server instances, HAProxy, all on free ports of 127.0.0.1), in one run:
#
#   intake   motcua-bench intake at 64 units, alternating rounds
#              a  straight to instance 1          b  through HAProxy over both instances
#            then, with instance 2 stopped,
#              a' straight to instance 1          c  through HAProxy over instance 1 alone
#            medians of each and the per-pair ratios b/a and c/a' (min-max over the pairs):
#            b/a is what a second instance gives on the same database, c/a' the proxy's own cost.
#   idle     RSS of instance 1 (restarted, fresh) before and after --conns idle links straight
#            to it, per link: with instance 2 running, and again with instance 1 alone.
#   failover the PostgreSQL primary SIGKILLed (cluster.sh kill-primary) under a stream of
#            receives from one desk through HAProxy: seconds from the kill to the first
#            successful receive, as tests/integration/test_cluster.py measures it
#            (bench/cluster_failover.py); every acknowledged dossier checked afterwards.
#
# Results: bench/results/cluster-<UTC date>.md and .json (raw lines in .jsonl). The cluster's
# servers get the benchmark's lifted abuse limits (as bench/run.sh: one client per simulated
# unit, all from 127.0.0.1). Everything started here is stopped at the end (trap), the cluster
# directory and its PostgreSQL root removed; MOTCUA_KEEP_CLUSTER=1 keeps them (still stopped).
#
# Environment: MOTCUA_BUILD_DIR (default build), MOTCUA_CLUSTER_BENCH_CONNS (idle links, 2000),
# MOTCUA_CLUSTER_BENCH_OUT (results directory, default bench/results), MOTCUA_CLUSTER_BENCH_SMOKE=1
# (a check of the script itself: one 2 s pair of each, 200 idle links; no figures to quote).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
QUICK=0
for a in "$@"; do
  case $a in
    --quick) QUICK=1 ;;
    -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster_bench.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

BUILD=${MOTCUA_BUILD_DIR:-$REPO/build}
BIN=$BUILD/bin
CLIENTS=64
CONNS=${MOTCUA_CLUSTER_BENCH_CONNS:-2000}
if ((QUICK)); then
  WARM=1 DUR=5 PAIRS=3 CPAIRS=2 HOLD=14
else
  WARM=2 DUR=15 PAIRS=5 CPAIRS=3 HOLD=25
fi
if [[ ${MOTCUA_CLUSTER_BENCH_SMOKE:-0} == 1 ]]; then
  WARM=1 DUR=2 PAIRS=1 CPAIRS=1 HOLD=4 CONNS=200
fi
DATE=$(date -u +%Y-%m-%d)
OUT=${MOTCUA_CLUSTER_BENCH_OUT:-$REPO/bench/results}
RES=$OUT/cluster-$DATE.jsonl

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

WORK=$(mktemp -d /tmp/motcua-cbench.XXXXXX)
CL=$WORK/cluster
PIDS=()
CLUSTER_UP=0

cs() { MOTCUA_BIN_DIR=$BIN "$REPO/deploy/cluster.sh" "$@"; }

cleanup() {
  local rc=$? p root=""
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((CLUSTER_UP)) || [[ -f $CL/cluster.env ]]; then
    root=$(sed -n 's/^PG_ROOT=//p' "$CL/cluster.env" 2>/dev/null | head -n 1)
    cs down "$CL" >"$WORK/down.log" 2>&1 || { log "cluster.sh down failed:"; tail -5 "$WORK/down.log" >&2; }
  fi
  if [[ ${MOTCUA_KEEP_CLUSTER:-0} == 1 ]]; then
    log "kept $WORK${root:+ and $root}"
  else
    [[ -n $root && $root == /var/tmp/mcc-* ]] && rm -rf "$root"
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() { local p keep=(); for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

for t in patroni etcd haproxy pgbackrest; do command -v "$t" >/dev/null || die "$t is missing (deploy/packages.txt)"; done
"$REPO/deploy/build.sh" -q "$BUILD" -- motcua-server motcua motcua-bench ||
  die "build failed (deploy/build.sh $BUILD)"

# idle links: one fd each in the bench and in the server (the servers inherit this limit)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) >= CONNS + 300)) || { CONNS=$(($(ulimit -n) - 300)); log "ulimit -n: idle links reduced to $CONNS"; }

mkdir -p "$OUT"
: >"$RES"
record() { printf '%s\n' "$1" >>"$RES"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
record "{\"test\":\"env\",\"date\":\"$(date -u +%FT%TZ)\",\"quick\":$QUICK,\"nproc\":$(nproc),\"loadavg_start\":\"$(loadavg)\",\"commit\":\"$(git -C "$REPO" rev-parse --short HEAD)\",\"clients\":$CLIENTS,\"warmup_s\":$WARM,\"duration_s\":$DUR,\"conns\":$CONNS,\"hold_s\":$HOLD}"

# ------------------------------------------------------------- the cluster
log "cluster.sh up $CL --servers 2 (load $(loadavg))"
t0=$(date +%s)
CLUSTER_UP=1
cs up "$CL" --servers 2 >"$WORK/up.log" 2>&1 || { tail -20 "$WORK/up.log" >&2; die "cluster.sh up failed"; }
record "{\"test\":\"up\",\"seconds\":$(($(date +%s) - t0))}"
log "cluster up in $(($(date +%s) - t0)) s"

envv() { sed -n "s/^$1=//p" "$CL/cluster.env" | head -n 1; }
FRONT=$(envv FRONT_PORT)
STATS=$(envv STATS_PORT)
P1=$(envv SERVER_PORTS | cut -d, -f1)
psql_q() { cs psql "$CL" -Atc "$1"; }
UNITS=$(psql_q "SELECT string_agg(code, ',' ORDER BY code) FROM units WHERE role = 'commune'")
PROC=$(psql_q "SELECT code FROM procedures WHERE level = 1 ORDER BY code LIMIT 1")
[[ -n $UNITS && -n $PROC ]] || die "no commune units or commune-level procedure in the catalogue"
log "units: $(tr ',' '\n' <<<"$UNITS" | wc -l) communes; procedure $PROC; primary $(cs leader "$CL")"

# The benchmark's limits (bench/run.sh's SERVER_EXTRA): the server, not its
# desk-sized abuse limits, is measured.
lift_limits() { # N
  local f=$CL/servers/$1/server.conf
  awk -v conns=$((CONNS + 1000)) '
    /^max_connections = / { print "max_connections = " conns; next }
    /^max_preauth_per_addr = / { next }
    { print }
    /^\[limits\]$/ {
      print "max_preauth_per_addr = 20000"; print "max_preauth = 20000"
      print "max_connections_per_unit = 20000"
      print "rate_limit_rps = 1000000"; print "rate_burst = 1000000"
      print "ping_rate_rps = 1000000"; print "ping_burst = 1000000"
    }' "$f" >"$f.new"
  cat "$f.new" >"$f" && rm -f "$f.new"
}

# haproxy_wait N: until HAProxy counts N of its motcua servers UP
haproxy_wait() {
  local t n
  for ((t = 0; t < 300; t++)); do
    n=$(python3 - "$STATS" <<'EOF'
import csv, io, sys, urllib.request
try:
    body = urllib.request.urlopen("http://127.0.0.1:%s/;csv" % sys.argv[1], timeout=2).read().decode()
except Exception:
    print(-1); sys.exit()
rows = csv.DictReader(io.StringIO(body.lstrip("# ")))
print(sum(1 for r in rows if r["pxname"] == "motcua_servers" and r["svname"] not in ("BACKEND", "FRONTEND") and r["status"].startswith("UP")))
EOF
)
    [[ $n == "$1" ]] && return 0
    sleep 0.2
  done
  die "HAProxy does not see $1 server(s) up (last: $n)"
}

restart_server() { # N: SIGKILL and start again with its (lifted) configuration
  cs kill-server "$CL" "$1" >/dev/null 2>&1 || true
  cs start-server "$CL" "$1" >>"$WORK/servers.log" 2>&1 || { tail -5 "$WORK/servers.log" >&2; die "start-server $1 failed"; }
}

lift_limits 1
lift_limits 2
restart_server 1
restart_server 2
haproxy_wait 2

BENCH=("$BIN/motcua-bench")
COMMON=(--ca "$CL/pki/ca.crt" --pki "$CL/pki" --units "$UNITS" --sessions "$CL/units")
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
server_pid() { head -n 1 "$CL/servers/$1/server.pid"; }

intake() { # CASE ROUND PORT
  local j
  j=$(timeout $((WARM + DUR + 90)) "${BENCH[@]}" intake --port "$3" "${COMMON[@]}" --clients $CLIENTS \
    --proc "$PROC" --warmup $WARM --duration $DUR 2>>"$WORK/bench.err") || log "intake $1 round $2 reported errors"
  record "{\"test\":\"intake\",\"case\":\"$1\",\"round\":$2,\"loadavg\":\"$(loadavg)\",\"r\":${j:-null}}"
  log "  $1 #$2: ${j:-no result}"
}

idle_mem() { # CASE: --conns idle links straight to instance 1, its RSS before and with them
  local pid base rss bpid j ready=0
  pid=$(server_pid 1)
  sleep 2
  base=$(rss_kb "$pid")
  timeout $((HOLD + 300)) "${BENCH[@]}" idle --port "$P1" "${COMMON[@]}" --conns "$CONNS" \
    --concurrency 64 --hold "$HOLD" --heartbeat 30 >"$WORK/idle-$1.out" 2>"$WORK/idle-$1.err" &
  bpid=$!
  PIDS+=("$bpid")
  for _ in $(seq 3000); do
    if grep -q '^READY' "$WORK/idle-$1.out"; then ready=1; break; fi
    kill -0 "$bpid" 2>/dev/null || break
    sleep 0.1
  done
  ((ready)) || { tail -5 "$WORK/idle-$1.err" >&2; die "idle $1: links not established"; }
  sleep 4
  rss=$(rss_kb "$pid")
  wait "$bpid" || true
  forget_pid "$bpid"
  j=$(grep '^{' "$WORK/idle-$1.out" | tail -n 1)
  record "{\"test\":\"idle\",\"case\":\"$1\",\"n\":$CONNS,\"rss_base_kb\":$base,\"rss_kb\":$rss,\"loadavg\":\"$(loadavg)\",\"r\":${j:-null}}"
  log "  idle $1: RSS ${base} -> ${rss} KiB with $CONNS links: $(((rss - base) * 1024 / CONNS)) B/link"
}

# ------------------------------------------------------ two instances up
log "idle: $CONNS links to instance 1 (fresh), instance 2 running"
idle_mem two
log "intake: $PAIRS pairs of a (instance 1) / b (HAProxy, 2 instances), ${DUR}s each, $CLIENTS units"
for ((i = 1; i <= PAIRS; i++)); do
  intake a "$i" "$P1"
  intake b "$i" "$FRONT"
done

# ------------------------------------------------------ instance 1 alone
log "instance 2 stopped; instance 1 restarted (fresh)"
cs kill-server "$CL" 2 >/dev/null 2>&1
restart_server 1
haproxy_wait 1
log "idle: $CONNS links to instance 1 alone"
idle_mem one
log "intake: $CPAIRS pairs of a' (instance 1) / c (HAProxy, instance 1 alone)"
for ((i = 1; i <= CPAIRS; i++)); do
  intake a1 "$i" "$P1"
  intake c "$i" "$FRONT"
done

# ------------------------------------------------------------- failover
log "failover: both instances up, the primary killed under a stream of receives"
restart_server 2
haproxy_wait 2
j=$(MOTCUA_BIN_DIR=$BIN timeout 300 python3 "$REPO/bench/cluster_failover.py" "$CL" 2>"$WORK/failover.err") ||
  { tail -5 "$WORK/failover.err" >&2; log "failover measurement failed"; }
record "{\"test\":\"failover\",\"loadavg\":\"$(loadavg)\",\"r\":${j:-null}}"
log "  $j"
record "{\"test\":\"env_end\",\"loadavg_end\":\"$(loadavg)\"}"

# ------------------------------------------------------------- summary
python3 - "$RES" "$OUT/cluster-$DATE" <<'EOF'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
env = next(l for l in lines if l["test"] == "env")
end = next((l for l in lines if l["test"] == "env_end"), {})
up = next((l for l in lines if l["test"] == "up"), {})
rate = {}
for l in lines:
    if l["test"] == "intake":
        rate.setdefault(l["case"], {})[l["round"]] = (l["r"] or {}).get("rate", 0.0)
errs = sum((l["r"] or {}).get("errors", 0) + (l["r"] or {}).get("failed", 0)
           for l in lines if l["test"] == "intake")

def med(c):
    v = list(rate.get(c, {}).values())
    return statistics.median(v) if v else 0.0

def ratios(num, den):
    r = [rate[num][k] / rate[den][k] for k in sorted(rate.get(num, {}))
         if rate.get(den, {}).get(k)]
    return (statistics.median(r), min(r), max(r)) if r else (0.0, 0.0, 0.0)

idle = {l["case"]: l for l in lines if l["test"] == "idle"}
def per_link(c):
    l = idle.get(c)
    return (l["rss_kb"] - l["rss_base_kb"]) * 1024 / l["n"] if l else 0.0

fo = next((l["r"] for l in lines if l["test"] == "failover"), None) or {}
s = {
    "date": env["date"], "commit": env["commit"], "quick": bool(env["quick"]), "nproc": env["nproc"],
    "loadavg_start": env["loadavg_start"], "loadavg_end": end.get("loadavg_end"),
    "up_s": up.get("seconds"), "clients": env["clients"], "round_s": env["duration_s"],
    "intake": {c: {"median": med(c), "rounds": [rate[c][k] for k in sorted(rate[c])]} for c in rate},
    "intake_errors": errs,
    "ratio_b_a": dict(zip(("median", "min", "max"), ratios("b", "a"))),
    "ratio_c_a1": dict(zip(("median", "min", "max"), ratios("c", "a1"))),
    "idle": {c: {"links": idle[c]["n"], "rss_base_kb": idle[c]["rss_base_kb"],
                 "rss_kb": idle[c]["rss_kb"], "bytes_per_link": round(per_link(c))} for c in idle},
    "failover": fo,
}
json.dump(s, open(sys.argv[2] + ".json", "w"), indent=1)
rb, rc = s["ratio_b_a"], s["ratio_c_a1"]
md = f"""# Cluster benchmark {env['date'][:10]} (`bench/cluster_bench.sh{' --quick' if env['quick'] else ''}`)

Machine: {env['nproc']} cores, shared (other builds/tests and a fuzzer may run); load average
{env['loadavg_start']} at the start, {end.get('loadavg_end')} at the end. Everything on this one
machine: etcd, Patroni with two PostgreSQL 15 (synchronous standby), two motcua-server instances,
HAProxy, the load generator. Commit {env['commit']}; `deploy/cluster.sh up`: {up.get('seconds')} s.

## Intake, {env['clients']} units, {env['duration_s']} s rounds (dossiers/s)
| case | median | rounds |
|---|---|---|
""" + "".join(f"| {name} | {med(c):.0f} | {', '.join('%.0f' % x for x in s['intake'][c]['rounds'])} |\n"
              for c, name in (("a", "a: instance 1 directly"), ("b", "b: HAProxy, 2 instances"),
                              ("a1", "a': instance 1 directly, instance 2 stopped"),
                              ("c", "c: HAProxy, instance 1 alone")) if c in rate) + f"""
- two instances vs one (b/a, per alternated pair): **{rb['median']:.2f}** (min–max {rb['min']:.2f}–{rb['max']:.2f})
- HAProxy's own cost (c/a', one instance behind it): **{rc['median']:.2f}** (min–max {rc['min']:.2f}–{rc['max']:.2f})
- errors/failed requests over all rounds: {errs}

## Idle memory per link (RSS of instance 1, freshly started, before/with the links)
| case | links | RSS before KiB | RSS with links KiB | bytes/link |
|---|---|---|---|---|
""" + "".join(f"| {name} | {idle[c]['n']} | {idle[c]['rss_base_kb']} | {idle[c]['rss_kb']} | {per_link(c):.0f} |\n"
              for c, name in (("two", "instance 2 running"), ("one", "instance 1 alone")) if c in idle) + f"""
## Failover
PostgreSQL primary ({fo.get('killed')}) SIGKILLed (`cluster.sh kill-primary`) under a stream of
receives from one desk through HAProxy: first successful receive **{fo.get('first_ok_s')} s** after
the kill (new primary {fo.get('new_primary')}); {fo.get('attempts_failed')} receives failed meanwhile;
{fo.get('acked')} acknowledged dossiers checked afterwards, {fo.get('lost')} missing.
"""
open(sys.argv[2] + ".md", "w").write(md)
print(md)
EOF
log "results: $OUT/cluster-$DATE.md .json .jsonl"
