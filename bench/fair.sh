#!/usr/bin/env bash
# bench/fair.sh [--quick] [--rounds R] --out F.json: fairness under load (issue 19 part 4).
# One server; motcua-bench fair drives 64 intake units (closed loops of ReceiveRequest, as fast
# as the server answers) and a probe link of another unit (a closed loop of Ping -> Pong) in
# three phases of WARM + DUR seconds: idle (the probe alone), load (the 64 units), flood (the 64
# units and, from a second motcua-bench process, one link keeping 256 Pings in flight; a
# separate process so the probe's own client loop does not carry the flood). The probe's p99
# under load + flood against its idle p99, same run: target <= 2x; also reported: flood vs load
# alone, the intake rate and the flood's Pongs/s. R rounds (quick 1, default 3), medians.
#
# The server runs with its per-link request and ping rate limits lifted (as bench/run.sh does):
# the flood is measured against the loop's fairness (common/link.c: at most 64 frames or
# 256 KiB of one link per turn), not against the rate limiter that would otherwise close it.
# Environment: MOTCUA_FAIR_ENV (default /var/tmp/fair-bench-env), MOTCUA_BENCH_BUILD,
# MOTCUA_FAIR_PORT (first port tried, 44643).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
QUICK=0 ROUNDS="" OUTF=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --out) OUTF=${2:?}; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "fair.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $OUTF ]] || { echo "fair.sh: --out F.json is required" >&2; exit 2; }
if ((QUICK)); then : "${ROUNDS:=1}"; WARM=2 DUR=6; else : "${ROUNDS:=3}"; WARM=3 DUR=15; fi
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "fair.sh: --rounds R (>= 1)" >&2; exit 2; }
DEPTH=256

ENVD=${MOTCUA_FAIR_ENV:-/var/tmp/fair-bench-env}
BUILD=${MOTCUA_BENCH_BUILD:-$REPO/build-bench}
BIN=$BUILD/bin
PG_BIN=/usr/lib/postgresql/15/bin
B=${MOTCUA_FAIR_PORT:-44643}
PORT=$(free_port "$B")
HTTP_PORT=$(free_port $((B + 1)) "$PORT")
PG_PORT=$(free_port $((B + 2)) "$PORT" "$HTTP_PORT")

bench_init fair


# ----------------------------------------------------------------- build
bench_build motcua-server motcua-bench motcua

# ------------------------------------------------------------ deployment
log "deployment in $ENVD (ports $PORT, $HTTP_PORT, PostgreSQL $PG_PORT)"
bench_deploy

PROC=$(bench_psql \
  "SELECT code FROM procedures WHERE level = 1 ORDER BY code LIMIT 1")
FLOOD_UNIT=${UNITS##*,}

SERVER_PID=""
start_server() {
  local off
  port_free "$PORT" || die "port $PORT was taken meanwhile; re-run"
  touch "$ENVD/fair-server.log"
  off=$(stat -c %s "$ENVD/fair-server.log")
  "$BIN/motcua-server" -c "$ENVD/server.conf" --max_connections=2000 \
    --max_connections_per_unit=20000 --rate_limit_rps=1000000 --rate_burst=1000000 \
    --ping_rate_rps=1000000 --ping_burst=1000000 --max_preauth=20000 --max_preauth_per_addr=20000 \
    </dev/null >>"$ENVD/fair-server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 300); do
    tail -c +"$((off + 1))" "$ENVD/fair-server.log" | grep -q 'motcua-server ready' && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$ENVD/fair-server.log" >&2
  die "motcua-server did not start"
}

COMMON=(--port "$PORT" --ca "$PKI/ca.crt" --pki "$PKI" --sessions "$ENVD/units")
T0=$(date +%s)
start_server
for r in $(seq "$ROUNDS"); do
  out=$WORK/fair$r.out
  up=$(cut -d' ' -f1 /proc/loadavg)
  timeout $((3 * (WARM + DUR) + 120)) "$BIN/motcua-bench" fair "${COMMON[@]}" --units "$UNITS" \
    --proc "$PROC" --clients 64 --flood-depth 0 --warmup $WARM --duration $DUR >"$out" 2>"$WORK/fair$r.err" &
  fpid=$!
  PIDS+=("$fpid")
  for _ in $(seq $((30 * (WARM + DUR) + 1200))); do
    grep -q '^FLOOD' "$out" && break
    kill -0 "$fpid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^FLOOD' "$out" || { tail -5 "$WORK/fair$r.err" >&2; die "round $r: no flood phase"; }
  timeout $((WARM + DUR + 60)) "$BIN/motcua-bench" flood "${COMMON[@]}" --units "$FLOOD_UNIT" \
    --clients 1 --flood-depth $DEPTH --warmup 0 --duration $((WARM + DUR + 2)) \
    >"$WORK/flood$r.out" 2>"$WORK/flood$r.err" &
  qpid=$!
  PIDS+=("$qpid")
  wait "$fpid" || log "round $r: motcua-bench fair reported errors"
  forget_pid "$fpid"
  wait "$qpid" || log "round $r: motcua-bench flood reported errors"
  forget_pid "$qpid"
  j=$(grep '^{' "$out" | tail -n 1)
  q=$(grep '^{' "$WORK/flood$r.out" | tail -n 1)
  printf '{"round":%d,"load1":%s,"fair":%s,"flood":%s}\n' "$r" "$up" "${j:-null}" "${q:-null}" >>"$RES"
  log "  round $r: $j"
  log "           flood process: $q"
done
ELAPSED=$(($(date +%s) - T0))

mkdir -p "$(dirname "$OUTF")"
PYTHONPATH=$REPO/bench python3 - "$RES" "$OUTF" "$ELAPSED" "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo ?)" \
  "$(uptime)" <<'PY'
import json, statistics, sys
from hookrows import hook_rows
res, outf, elapsed, commit, upt = sys.argv[1:]
rounds = [json.loads(l) for l in open(res) if l.strip()]
ok = [r for r in rounds if r["fair"] and r["fair"]["idle"]["probe_p99_ms"] > 0]
out = {"test": "fair", "elapsed_s": int(elapsed), "commit": commit, "uptime": upt.strip(),
       "probe": "ping", "intake_units": 64, "flood_depth": 256, "rounds": rounds, "ratios": {}}
if ok:
    f = lambda k: [r["fair"]["flood"]["probe_p99_ms"] / r["fair"][k]["probe_p99_ms"] for r in ok]
    vi, vl = f("idle"), f("load")
    med = statistics.median
    out["ratios"]["flood_vs_idle_p99"] = {"ratio": round(med(vi), 3),
        "spread": [round(min(vi), 3), round(max(vi), 3)], "target": 2.0, "met": med(vi) <= 2.0}
    out["ratios"]["flood_vs_load_p99"] = {"ratio": round(med(vl), 3),
        "spread": [round(min(vl), 3), round(max(vl), 3)], "target": "reported"}
    p = lambda ph, k: med([r["fair"][ph][k] for r in ok])
    print(f"fair: probe p99 under intake@64 + ping flood {p('flood', 'probe_p99_ms'):.3f} ms vs idle "
          f"{p('idle', 'probe_p99_ms'):.3f} ms = {med(vi):.2f}x (target <= 2.0; rounds {min(vi):.2f}-{max(vi):.2f})")
    print(f"fair: vs intake@64 alone {p('load', 'probe_p99_ms'):.3f} ms = {med(vl):.2f}x (reported); "
          f"intake {p('load', 'intake_rate'):.0f}/s alone, {p('flood', 'intake_rate'):.0f}/s with the flood; "
          f"flood {med([(r['flood'] or {}).get('rate', 0) for r in ok]):.0f} Pongs/s")
out["rows"] = hook_rows("fairness", out["ratios"])
json.dump(out, open(outf, "w"), indent=1)
print("uptime:", upt.strip())
PY
log "done in ${ELAPSED}s: $OUTF"
