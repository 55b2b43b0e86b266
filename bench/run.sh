#!/usr/bin/env bash
# bench/run.sh [--quick] [--profile] [--only LIST]: motcua against the references, on this
# machine, in one invocation. Builds what it needs (build-bench/), brings up
# a throw-away local deployment (deploy/local.sh, its own ports and
# directory), runs each comparison back to back and writes
# bench/results/latest.json and bench/results/latest.md.
#
#   intake   motcua-bench intake at 64 units       vs the batched ceiling (motcua-pg-ceiling:
#            mc_receive_many, the server's batch size, prepared) and pgbench (mc_receive,
#            one per transaction), each at its best of 1/4/16/64 clients
#   upload   100 MiB attachment                    vs raw TLS into a file + fdatasync
#   idle     10,000 idle TLS links with heartbeats vs mosquitto, 10,000 idle TLS MQTT
#   latency  ping round trip, 1 and 64 clients     vs a minimal libuv TLS echo
#   login    one officer login (Argon2id)           vs a list request on the same link;
#            8 other units' list p99 during bursts of 50 logins vs without them
#            (max_hashes 2, the default; the full run also 1)
#
# Units: the 21 real commune certificates of the deployment are reused
# (simulated unit i uses commune i mod 21; the server allows several links
# per unit); no synthetic units are added to the catalogue.
# Traffic stays on 127.0.0.1 and unix sockets; every process started here
# is stopped at the end (trap), each run is bounded by its own deadline.
#
# Every comparison runs as alternating rounds (motcua, reference, motcua, ...;
# 3 each with --quick, 5 in the full run); report.py gives the median of the
# per-round ratios and their spread (min-max). Comparisons of other scripts
# join through HOOKS below (docs/PERFORMANCE.md "Adding a comparison").
#
# --only intake,upload,idle,latency,login (or a hook's name) runs those only and
# writes bench/results/only-<LIST>.{json,md} instead of latest.*.
#
# Wall time: every phase (build, deploy, intake sweep, intake rounds, latency,
# login cost, login burst, idle, upload, each hook, report) is logged as it
# ends ("phase NAME: S s") and goes into the JSON (meta.phases) and the .md.
# --quick stays within 6 minutes on 2 cores (docs/PERFORMANCE.md "The quick
# run's wall time"): one deployment for everything (the hooks borrow it, see
# bench_deploy in bench/lib.sh), no build step when the build is up to date,
# idle links through the links hook at 5,000 links.
#
# Environment: MOTCUA_BENCH_ENV (deployment dir, default /tmp/motcua-bench-env),
# MOTCUA_BENCH_BUILD (default <repo>/build-bench), MOTCUA_BENCH_POOL (server
# db_pool_size during the intake runs, default 16 = the server's default), MOTCUA_BENCH_LANES
# (server db_receive_lanes during the intake runs, default the server's), MOTCUA_BENCH_CONNS (idle
# links, default 10000), MOTCUA_BENCH_CEILING_OPTS (extra motcua-pg-ceiling
# options, e.g. "--pipeline 2" or "--unprepared"), MOTCUA_BENCH_PORT (first
# port tried: server, +1 http, +2 TLS echo, +3 MQTT, +4 PostgreSQL, +5 the
# upload reference, +100 / +200 the links / fair hooks; default: 27443,
# 27480, 27444, 28883, 35432, 27445, the hooks' own), MOTCUA_BENCH_QUICK_LINKS
# (links of the links hook in --quick, default 5000).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
# Comparisons that live in their own scripts (docs/PERFORMANCE.md "Adding a
# comparison"): one NAME:SCRIPT per line, SCRIPT in bench/, run after the
# built-in ones as `bench/SCRIPT [--quick] --out F.json`; the rows of F.json
# are merged into latest.json and latest.md. NAME also works with --only.
HOOKS=(
  links:links.sh       # 100,000 idle links (fewer if the open-files limit is lower) vs mosquitto
  fair:fair.sh         # another unit's p99 under intake@64 + a ping flood vs idle
)
# What a hook gets after --quick: the links hook at 5,000 links (its ramp is
# ~20 s a round at 10,000; RSS per link is the same figure at 5,000 within
# 1 %, docs/PERFORMANCE.md "The quick run's wall time").
# --quick: the fairness target is read in the modelled mode; the equal (co-located) mode runs
# in the full run (docs/PERFORMANCE.md "Fairness under load").
declare -A HOOK_QUICK_ARGS=([links]="--links ${MOTCUA_BENCH_QUICK_LINKS:-5000}"
  [fair]="--modes ${MOTCUA_BENCH_QUICK_FAIR_MODES:-modelled}")
SECTIONS=(intake upload idle latency login)
for h in "${HOOKS[@]}"; do SECTIONS+=("${h%%:*}"); done
QUICK=0 PROFILE=0 ONLY=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --profile) PROFILE=1 ;;
    --only)
      [[ -n ${2:-} ]] || { echo "run.sh: --only wants a comma list of ${SECTIONS[*]}" >&2; exit 2; }
      for o in ${2//,/ }; do
        [[ " ${SECTIONS[*]} " == *" $o "* ]] ||
          { echo "run.sh: --only wants a comma list of ${SECTIONS[*]}" >&2; exit 2; }
      done
      ONLY=$2; shift ;;
    -h | --help) sed -n '2,48p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
want() { [[ -z $ONLY || ,$ONLY, == *,$1,* ]]; }

ENVD=${MOTCUA_BENCH_ENV:-/tmp/motcua-bench-env}
BUILD=${MOTCUA_BENCH_BUILD:-$REPO/build-bench}
BIN=$BUILD/bin
OUT=$REPO/bench/results
POOL=${MOTCUA_BENCH_POOL:-16}
LANES=${MOTCUA_BENCH_LANES:-} # server db_receive_lanes during the intake runs (empty: its default)
CONNS=${MOTCUA_BENCH_CONNS:-10000}
# Ports: other deployments may run on this machine; take the first free
# port at or above each base (checked again before every server start).
# MOTCUA_BENCH_PORT: one base for all of them (several runs side by side).
PB=${MOTCUA_BENCH_PORT:-}
[[ -z $PB || $PB =~ ^[0-9]+$ ]] || { echo "run.sh: MOTCUA_BENCH_PORT is a port number" >&2; exit 2; }
PORT=$(free_port "${PB:-27443}")
HTTP_PORT=$(free_port $((${PB:-27479} + 1)) "$PORT")
PG_PORT=$(free_port $((${PB:-35428} + 4)) "$PORT" "$HTTP_PORT")
ECHO_PORT=$(free_port $((${PB:-27442} + 2)) "$PORT" "$HTTP_PORT" "$PG_PORT")
MQTT_PORT=$(free_port $((${PB:-28880} + 3)) "$PORT" "$HTTP_PORT" "$PG_PORT" "$ECHO_PORT")
RAW_PORT_BASE=$((${PB:-27440} + 5))
HOOK_PORTS=()
[[ -z $PB ]] || HOOK_PORTS=(MOTCUA_LINKS_PORT=$((PB + 100)) MOTCUA_FAIR_PORT=$((PB + 200)))
PG_BIN=/usr/lib/postgresql/15/bin
# ROUNDS: alternating rounds of every comparison (motcua, reference,
# motcua, ...); SDUR: a point of the intake sweep; RDUR: an intake round;
# LDUR: a latency round; LROUNDS: logins per login-cost round; IWARM: the
# warm-up of an intake run (64 mutual-TLS handshakes on a busy machine, then
# the batches settle); LWARM: of a latency run (its handshakes only: 1 s in
# --quick, where the 12 latency runs' warm-ups were 24 s of the 6 minutes).
if ((QUICK)); then
  WARM=1 DUR=5 HOLD=14 WINDOW=8 LROUNDS=4 LBURSTS=1 ROUNDS=3 SDUR=2 RDUR=4 LDUR=3 IWARM=2 LWARM=1
else
  WARM=2 DUR=20 HOLD=60 WINDOW=30 LROUNDS=8 LBURSTS=5 ROUNDS=5 SDUR=10 RDUR=15 LDUR=10 IWARM=3 LWARM=3
fi
HB=30 # heartbeat seconds, server and clients (and the MQTT keepalive / 2)

T0=$(date +%s)
WORK=$(mktemp -d /tmp/motcua-bench.XXXXXX)
chmod 755 "$WORK"
RES=$WORK/results.jsonl # one JSON object per measurement
: >"$RES"
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# phase NAME: ends the running phase (its wall time logged and recorded),
# starts NAME; phase "" only ends. report.py lists them (meta.phases).
PH_NAME="" PH_T0=0
phase() {
  local now s
  now=$(date +%s.%N)
  if [[ -n $PH_NAME ]]; then
    s=$(awk -v a="$PH_T0" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
    printf '{"test":"phase","name":"%s","s":%s}\n' "$PH_NAME" "$s" >>"$RES"
    log "phase $PH_NAME: ${s} s"
  fi
  PH_NAME=$1 PH_T0=$now
}

# ------------------------------------------------------------- cleanup

# PIDS: every long-lived process started here (bench/lib.sh: kill_pids,
# forget_pid, stop_pid)
cleanup() {
  kill_pids
  if [[ -f $ENVD/local.env ]]; then
    MOTCUA_BIN_DIR=$BIN "$REPO/deploy/local.sh" down "$ENVD" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ packages

need_pkg() { # COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get install -y -q "$2" >/dev/null 2>&1 ||
    { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q "$2" >/dev/null; } ||
    die "cannot install $2"
}
[[ -x $PG_BIN/pgbench ]] || die "$PG_BIN/pgbench missing (package postgresql-15)"
need_pkg mosquitto mosquitto
need_pkg socat socat
need_pkg python3 python3
MQ_VERSION=$(mosquitto -h 2>/dev/null | head -n 1 | sed 's/^mosquitto version //') || true
if ((PROFILE)); then need_pkg perf linux-perf; fi

# ---------------------------------------------------------------- build

phase build
log "building in $BUILD"
CONF=(-DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo)
"$REPO/deploy/build.sh" -q -j "$(nproc)" "$BUILD" "${CONF[@]}" -- motcua-server motcua-bench \
  motcua-tls-echo motcua-pg-ceiling motcua-screens-bench motcua-login-bench ||
  die "build failed (deploy/build.sh $BUILD)"
# The CLI is needed only for the upload comparison; other engineers may be
# mid-change on it, so a failure here only disables that comparison.
CLI_OK=0
if "$REPO/deploy/build.sh" -q -j "$(nproc)" "$BUILD" "${CONF[@]}" -- motcua >/dev/null 2>&1; then CLI_OK=1; fi

# File descriptors: 10,000 links need 10,000 fds in the bench and in the server.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if ((NOFILE < CONNS + 200)); then
  log "ulimit -n is $NOFILE: idle test reduced to $((NOFILE - 200)) links"
  CONNS=$((NOFILE - 200))
fi

# ----------------------------------------------------------- deployment

phase deploy
log "deployment in $ENVD"
bench_up "$ENVD" "$BIN" "$WORK/up.log" --port $PORT --http-port $HTTP_PORT --pg-port $PG_PORT || die "local.sh up failed"
PKI=$ENVD/pki
PG_SOCK=$(sed -n 's/^MOTCUA_PG_SOCK=//p' "$ENVD/local.env")
# psql_q SQL: psql on the deployment's socket as its cluster owner, as
# `local.sh psql` does, without that script's start-up (~0.3 s a call on a
# busy machine; the intake section asks 3 times per run, 51 times in --quick).
PG_PORT=$(sed -n 's/^MOTCUA_PG_PORT=//p' "$ENVD/local.env")
if [[ $(id -u) -eq 0 ]]; then PSQL_AS=(runuser -u motcua --); else PSQL_AS=(); fi
psql_q() {
  (cd / && "${PSQL_AS[@]}" psql -X -h "$PG_SOCK" -p "$PG_PORT" -U motcua -d motcua -Atc "$1")
}
UNITS=$(psql_q "SELECT string_agg(code, ',' ORDER BY code) FROM units WHERE role = 'commune'")
NUNITS=$(tr ',' '\n' <<<"$UNITS" | wc -l)
PROC=$(psql_q "SELECT code FROM procedures WHERE level = 1 ORDER BY code LIMIT 1")
[[ -n $UNITS && -n $PROC ]] || die "no commune units or commune-level procedure in the catalogue"
SYNC=$(psql_q "SHOW synchronous_commit")
log "units: $NUNITS communes; procedure $PROC; synchronous_commit=$SYNC"

SERVER_PID=""
SERVER_EXTRA=(--max_connections=20000 "--heartbeat_s=$HB" --idle_timeout_s=$((HB * 3)))
# The load generator is one client per simulated unit sending as fast as it
# can, every link from 127.0.0.1: lift the per-unit link cap, the per-link
# request and ping rates and the pre-auth budget per address (desk-sized
# defaults) so the server, not its abuse limits, is measured.
SERVER_EXTRA+=(--max_connections_per_unit=20000 --rate_limit_rps=1000000 --rate_burst=1000000
  --ping_rate_rps=1000000 --ping_burst=1000000 --max_preauth=20000 --max_preauth_per_addr=20000)
start_server() { # extra --key=value ...
  local off i
  port_free "$PORT" || die "port $PORT was taken by another process meanwhile; re-run"
  touch "$ENVD/bench-server.log"
  off=$(stat -c %s "$ENVD/bench-server.log")
  "$BIN/motcua-server" -c "$ENVD/server.conf" "${SERVER_EXTRA[@]}" "$@" \
    </dev/null >>"$ENVD/bench-server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for i in $(seq 300); do
    tail -c +"$((off + 1))" "$ENVD/bench-server.log" | grep -q 'motcua-server ready' && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$ENVD/bench-server.log" >&2
  die "motcua-server did not start"
}
stop_server() { [[ -z $SERVER_PID ]] || stop_pid "$SERVER_PID"; SERVER_PID=""; }

BENCH=("$BIN/motcua-bench")
COMMON=(--port $PORT --ca "$PKI/ca.crt" --pki "$PKI" --units "$UNITS" --sessions "$ENVD/units")

record() { # JSON object -> results
  printf '%s\n' "$1" >>"$RES"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

PERF_PID=""
perf_start() { # NAME PID
  ((PROFILE)) || return 0
  perf record -F 999 -g -p "$2" -o "$WORK/$1.perf" >/dev/null 2>&1 &
  PERF_PID=$!
  PIDS+=("$PERF_PID")
}
perf_stop() { # NAME
  ((PROFILE)) || return 0
  kill -INT "$PERF_PID" 2>/dev/null || true
  wait "$PERF_PID" 2>/dev/null || true
  forget_pid "$PERF_PID"
  perf report -i "$WORK/$1.perf" --no-children --sort symbol --stdio 2>/dev/null |
    grep -v '^$' | grep -v '^#' | grep '%' | head -40 >"$OUT/profile-$1.txt" || true
  log "profile: $OUT/profile-$1.txt"
}

mkdir -p "$OUT"

# --------------------------------------------------------------- intake
# Database CPU and WAL around a run (issue 19): WAL bytes by
# pg_current_wal_lsn(), dossiers by count(*), the cluster's CPU as the
# postmaster's own and reaped children's (exited backends) plus its live
# children's, the server's CPU from /proc (0 when it is not running).
PG_DATA=$(sed -n 's/^MOTCUA_PG_DIR=//p' "$ENVD/local.env")/data
pg_cpu_ticks() { # one awk for all the backends (one each cost ~1 s a run on a busy machine)
  local pm c t stats=()
  pm=$(head -n 1 "$PG_DATA/postmaster.pid")
  t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do stats+=("/proc/$c/stat"); done
  ((${#stats[@]} == 0)) || t=$((t + $({ cat "${stats[@]}" 2>/dev/null || true; } | awk '{t += $14 + $15} END {print t + 0}')))
  echo "$t"
}
MARK=""
db_mark() { # -> MARK = "lsn dossiers pg_ticks server_ticks"
  local q st=0
  q=$(psql_q "SELECT pg_current_wal_lsn() || ' ' || (SELECT count(*) FROM dossiers)")
  [[ -z $SERVER_PID ]] || st=$(cpu_ticks "$SERVER_PID")
  MARK="$q $(pg_cpu_ticks) $st"
}
db_cost() { # MARK_BEFORE -> JSON {wal_bytes, dossiers, pg_ticks, server_ticks, hz}
  local a b lsn
  read -r -a a <<<"$1"
  db_mark
  read -r -a b <<<"$MARK"
  lsn=$(psql_q "SELECT pg_wal_lsn_diff('${b[0]}', '${a[0]}')::bigint" 2>/dev/null) || lsn=""
  [[ $lsn =~ ^-?[0-9]+$ ]] || lsn=null
  echo "{\"wal_bytes\":$lsn,\"dossiers\":$((b[1] - a[1])),\"pg_ticks\":$((b[2] - a[2])),\"server_ticks\":$((b[3] - a[3])),\"hz\":$(getconf CLK_TCK)}"
}

if want intake; then # (sections are not indented: they hold here-documents)

# pgbench: the same SQL statement the server sends (storage.c SQL_RECEIVE),
# the same units (client i -> commune i mod 21) and procedure, as the
# server's database role, prepared statements.
pgb_script() {
  local codes agencies day now due
  codes=$(psql_q "SELECT string_agg(quote_literal(code), ',' ORDER BY code) FROM units WHERE role = 'commune'")
  agencies=$(psql_q "SELECT string_agg(quote_literal(agency_id), ',' ORDER BY code) FROM units WHERE role = 'commune'")
  day=$(TZ=Asia/Ho_Chi_Minh date +%y%m%d)
  now=$(($(date +%s) * 1000))
  due=$((now + 5 * 86400000))
  cat <<EOF
\\set r random(1, 999999999999999)
\\set u :client_id % $NUNITS + 1
SELECT code, status, unit_code, unit_name, procedure_code, procedure_name, level, applicant_name, applicant_id, applicant_phone, channel, received_at_ms, due_at_ms, holder_unit, forwarded_to, forwarded_at_ms, assigned_officer, department, supplement_count, rescheduled, rating, paused_at_ms, finished_at_ms, returned_at_ms, collected_by, fee_amount FROM mc_receive((ARRAY[$codes])[:u]::text, ('pgbench-' || :client_id || '-' || :r)::text, (ARRAY[$agencies])[:u]::text, '$day'::text, '$PROC'::text, 'Nguyễn Thị Phương Thảo Hoàng Lê Minh Khánh Trần Văn Đức Phạm Quỳnh Anh Võ Đình Trọng Bùi Thị Ngọc Hà'::text, lpad((:r % 100000000000)::text, 12, '0'), '0912345678'::text, 1::smallint, 'Cán bộ tiếp nhận và trả kết quả Bộ phận một cửa xã'::text, ${now}::bigint, ${due}::bigint);
EOF
}
PGB=$WORK/pgb
mkdir -p "$PGB"
pgb_script >"$PGB/receive.sql"
if [[ $(id -u) -eq 0 ]]; then chown -R motcua: "$PGB"; AS_PG=(runuser -u motcua --); else AS_PG=(); fi
CONNINFO="host=$PG_SOCK port=$PG_PORT dbname=motcua user=motcua_app"
# the server's group-commit batch size (server/store/store_internal.h)
BATCH=$(sed -n 's/^#define STORE_BATCH_MAX \([0-9]*\).*/\1/p' "$REPO/server/store/store_internal.h")
BATCH=${BATCH:-32}
CEIL_OPTS=(${MOTCUA_BENCH_CEILING_OPTS:-}) # e.g. "--pipeline 2" or "--unprepared"

# One measurement each; J = its JSON (empty on failure).
run_motcua_intake() { # CLIENTS SECONDS
  J=$(timeout $((IWARM + $2 + 90)) "${BENCH[@]}" intake "${COMMON[@]}" --clients "$1" \
    --proc "$PROC" --warmup $IWARM --duration "$2") || log "intake@$1 reported errors"
}
run_ceiling() { # CLIENTS SECONDS
  J=$(cd "$PGB" && timeout $((IWARM + $2 + 90)) "${AS_PG[@]}" "$BIN/motcua-pg-ceiling" \
    --conninfo "$CONNINFO" --proc "$PROC" --clients "$1" --batch "$BATCH" \
    --warmup $IWARM --duration "$2" "${CEIL_OPTS[@]}") || log "ceiling@$1 reported errors"
}
run_pgbench() { # CLIENTS SECONDS
  local out
  J=""
  rm -f "$PGB"/pgbench_log.*
  out=$(cd "$PGB" && timeout $(($2 + 60)) "${AS_PG[@]}" "$PG_BIN/pgbench" -n -M prepared \
    -h "$PG_SOCK" -p $PG_PORT -U motcua_app -c "$1" -j "$(nproc)" -T "$2" -l \
    -f "$PGB/receive.sql" motcua 2>&1) || { echo "$out" >&2; log "pgbench@$1 failed"; return 0; }
  J=$(cat "$PGB"/pgbench_log.* | python3 -c '
import sys, json
tps = float(sys.argv[1]); lat = sorted(int(l.split()[2]) for l in sys.stdin if l.strip())
pct = lambda p: lat[int(p * (len(lat) - 1) + 0.5)] / 1000.0 if lat else 0
print(json.dumps({"mode": "intake", "target": "pgbench", "clients": int(sys.argv[2]),
  "ok": len(lat), "rate": round(tps, 1), "p50_ms": pct(.5), "p99_ms": pct(.99), "max_ms": pct(1)}))
' "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")" "$1")
}
# intake_one IMPL CLIENTS SECONDS ROUND: one run, recorded with what it
# cost the database and the server (db_cost).
intake_one() {
  local m
  db_mark
  m=$MARK
  case $1 in
    motcua) run_motcua_intake "$2" "$3" ;;
    ceiling) run_ceiling "$2" "$3" ;;
    pgbench) run_pgbench "$2" "$3" ;;
  esac
  record "{\"test\":\"intake\",\"impl\":\"$1\",\"n\":$2,\"round\":$4,\"r\":${J:-null},\"cost\":$(db_cost "$m")}"
  log "  $1 $2, round $4: ${J:-failed}"
}
best_of() { # IMPL -> the client count of its best sweep point (round 0)
  python3 -c '
import json, sys
best = None
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("test") == "intake" and d.get("impl") == sys.argv[2] and d.get("round") == 0 and d.get("r"):
        if best is None or d["r"]["rate"] > best["r"]["rate"]: best = d
print(best["n"] if best else 16)' "$RES" "$1"
}

start_server "--db_pool_size=$POOL" ${LANES:+"--db_receive_lanes=$LANES"}
# The sweep (round 0): each reference at 1, 4, 16, 64 clients (and motcua
# at 1 and 16 units in the full run) to find each reference's best count.
phase "intake sweep"
log "intake: sweep, ${SDUR}s a point: ceiling (mc_receive_many, batch $BATCH) and pgbench at 1, 4, 16, 64"
if ((!QUICK)); then for n in 1 16; do intake_one motcua $n "$SDUR" 0; done; fi
for c in 1 4 16 64; do intake_one ceiling $c "$SDUR" 0; done
for c in 1 4 16 64; do intake_one pgbench $c "$SDUR" 0; done
CEIL_N=$(best_of ceiling) PGB_N=$(best_of pgbench)
# The rounds: motcua at 64 units, the ceiling and pgbench at their best
# counts, alternating; report.py takes each round's ratios, then the median.
phase "intake rounds"
log "intake: $ROUNDS rounds of motcua@64, ceiling@$CEIL_N, pgbench@$PGB_N, ${RDUR}s each"
for k in $(seq "$ROUNDS"); do
  [[ $k == 1 ]] && perf_start intake64 "$SERVER_PID"
  intake_one motcua 64 "$RDUR" "$k"
  [[ $k == 1 ]] && perf_stop intake64
  intake_one ceiling "$CEIL_N" "$RDUR" "$k"
  intake_one pgbench "$PGB_N" "$RDUR" "$k"
done
# the server's own count: receives per batch (group commit) over the section
curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/metrics" 2>/dev/null | python3 -c '
import sys, json
m = {}
for l in sys.stdin:
    p = l.split()
    if len(p) == 2 and p[0] in ("motcua_db_receive_batches_total", "motcua_db_batched_receives_total"):
        m[p[0]] = int(float(p[1]))
if len(m) == 2:
    print(json.dumps({"test": "intake_batches", "batches": m["motcua_db_receive_batches_total"],
                      "receives": m["motcua_db_batched_receives_total"]}))' >>"$RES" || true
stop_server

fi # intake

# --------------------------------------------------------------- latency
if want latency; then

phase latency
log "latency: ping at 1 and 64 clients, motcua vs TLS echo, $ROUNDS rounds alternating, ${LDUR}s each"
start_server "--db_pool_size=$POOL"
"$BIN/motcua-tls-echo" --port $ECHO_PORT --ca "$PKI/ca.crt" --cert "$PKI/server.crt" \
  --key "$PKI/server.key" --max-seconds 1800 >"$WORK/echo.log" 2>&1 &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
for _ in $(seq 50); do grep -q ready "$WORK/echo.log" && break; sleep 0.1; done
for k in $(seq "$ROUNDS"); do
  for n in 1 64; do
    [[ $n == 64 && $k == 1 ]] && perf_start ping64 "$SERVER_PID"
    j=$(timeout $((LWARM + LDUR + 90)) "${BENCH[@]}" ping "${COMMON[@]}" --clients $n \
      --warmup $LWARM --duration "$LDUR") || log "ping@$n reported errors"
    [[ $n == 64 && $k == 1 ]] && perf_stop ping64
    record "{\"test\":\"latency\",\"impl\":\"motcua\",\"n\":$n,\"round\":$k,\"r\":${j:-null}}"
    log "  motcua $n, round $k: $j"
    j=$(timeout $((LWARM + LDUR + 90)) "${BENCH[@]}" ping --echo --port $ECHO_PORT --ca "$PKI/ca.crt" \
      --pki "$PKI" --units "$UNITS" --clients $n --warmup $LWARM --duration "$LDUR") ||
      log "echo@$n reported errors"
    record "{\"test\":\"latency\",\"impl\":\"echo\",\"n\":$n,\"round\":$k,\"r\":${j:-null}}"
    log "  echo   $n, round $k: $j"
  done
done
stop_pid "$ECHO_PID"
stop_server

fi # latency

# ---------------------------------------------------------------- login
if want login; then
# The deployment's own officers (deploy/local.sh, production Argon2id
# parameters unless MOTCUA_ARGON2_* say otherwise): the first commune's
# tester logs in; the next 8 communes are "the other units".
phase "login cost"
A2M=$(sed -n 's/^argon2_memory_kib = //p' "$ENVD/server.conf")
A2T=$(sed -n 's/^argon2_iterations = //p' "$ENVD/server.conf")
LUNIT=${UNITS%%,*}
OTHERS=$(tr ',' '\n' <<<"$UNITS" | sed -n '2,9p' | paste -sd,)
LB=("$BIN/motcua-login-bench")
start_server "--db_pool_size=$POOL"
# the officers were imported with cheap hashing (bench_up): this one's
# password is changed through the server, hashed with the parameters above
LPW=$(bench_prod_password "$ENVD" "$BIN" "$LUNIT") || die "login: passwd of tester.$LUNIT failed"
LCOMMON=(--port $PORT --ca "$PKI/ca.crt" --pki "$PKI" --unit "$LUNIT" --login "tester.$LUNIT"
  --password-file "$LPW")
log "login: Argon2id m=${A2M} KiB t=${A2T}: $ROUNDS rounds of $LROUNDS logins vs list requests; $LBURSTS bursts of 50 logins vs 8 units' lists (${MOTCUA_BENCH_LOGIN_RATE:-10}/s each)"
# each round interleaves login, list, ping on one link; rounds apart so
# that a noisy moment spoils one round's ratio, not the median
for k in $(seq "$ROUNDS"); do
  j=$(timeout $((LROUNDS * 5 + 90)) "${LB[@]}" cost "${LCOMMON[@]}" --rounds $LROUNDS) ||
    log "login cost reported errors"
  record "{\"test\":\"login\",\"impl\":\"cost\",\"round\":$k,\"argon2_m_kib\":${A2M:-0},\"argon2_t\":${A2T:-0},\"r\":${j:-null}}"
  log "  cost, round $k: $j"
done
stop_server
# the burst with the default max_hashes (2: every core of this machine may
# hash) and, in the full run, with 1 (one core left to the loop and
# PostgreSQL): a tuning variant, reported only, whose burst lasts ~55 s
# (34 logins hashed one at a time) of --quick's 6 minutes.
# The other units each send LRATE lists a second (paced, latency from when
# each was due): busy desks, not a closed loop, which took every cycle the
# hashes left (bursts of 29-42 s on 2 cores) and, the machine saturated
# before the logins came, showed them no slower than without (0.6x).
LRATE=${MOTCUA_BENCH_LOGIN_RATE:-10}
phase "login burst"
if ((QUICK)); then MHS=(2); else MHS=(2 1); fi
for mh in "${MHS[@]}"; do
  start_server "--db_pool_size=$POOL" "--max_hashes=$mh"
  j=$(timeout $((LBURSTS * 100 + 120)) "${LB[@]}" burst "${LCOMMON[@]}" --units "$OTHERS" \
    --rate $LRATE --burst 50 --bursts $LBURSTS --window $((DUR / 2 > 3 ? DUR / 2 : 3))) ||
    log "login burst (max_hashes=$mh) reported errors"
  record "{\"test\":\"login\",\"impl\":\"burst\",\"max_hashes\":$mh,\"argon2_m_kib\":${A2M:-0},\"argon2_t\":${A2T:-0},\"r\":${j:-null}}"
  log "  burst, max_hashes=$mh: $j"
  stop_server
done

fi # login

# ------------------------------------------------------------------ idle
# --quick measures idle links once, through the links hook (rounds on fresh
# servers, bench/links.sh); --only idle or a full run also runs this one.
if ((QUICK)) && [[ -z $ONLY ]]; then log "idle: measured by the links hook in --quick"; fi
if want idle && ! { ((QUICK)) && [[ -z $ONLY ]]; }; then

# idle_run NAME PID CMD...: baseline RSS of PID, start CMD (a bench idle
# run), wait for its READY line, sample RSS and CPU of PID over WINDOW
# seconds, wait for the bench to finish.
idle_run() {
  local name=$1 pid=$2 base rss c0 c1 hz bpid j ready=0
  shift 2
  sleep 1
  base=$(rss_kb "$pid")
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  bpid=$!
  PIDS+=("$bpid")
  for _ in $(seq 3000); do
    if grep -q '^READY' "$WORK/$name.out"; then ready=1; break; fi
    kill -0 "$bpid" 2>/dev/null || break
    sleep 0.1
  done
  if ((!ready)); then # reported, and the other comparisons' figures are kept
    tail -5 "$WORK/$name.err" >&2
    log "  $name: links not established"
    kill -TERM "$bpid" 2>/dev/null || true
    wait "$bpid" 2>/dev/null || true
    forget_pid "$bpid"
    record "{\"test\":\"idle\",\"impl\":\"$name\",\"n\":$CONNS,\"status\":\"links not established\",\"r\":null}"
    return 0
  fi
  sleep 2
  hz=$(getconf CLK_TCK)
  c0=$(cpu_ticks "$pid")
  sleep "$WINDOW"
  c1=$(cpu_ticks "$pid")
  rss=$(rss_kb "$pid")
  wait "$bpid" || true
  forget_pid "$bpid"
  j=$(grep '^{' "$WORK/$name.out" | tail -n 1)
  record "{\"test\":\"idle\",\"impl\":\"$name\",\"n\":$CONNS,\"rss_base_kb\":$base,\"rss_kb\":$rss,\"cpu_ticks\":$((c1 - c0)),\"hz\":$hz,\"window_s\":$WINDOW,\"r\":${j:-null}}"
  log "  $name: base ${base} KiB, with links ${rss} KiB, cpu $((c1 - c0)) ticks in ${WINDOW}s; $j"
}

phase idle
log "idle: $CONNS TLS links held ${HOLD}s, heartbeat ${HB}s"
start_server "--db_pool_size=$POOL"
idle_run motcua "$SERVER_PID" timeout $((HOLD + 400)) "${BENCH[@]}" idle "${COMMON[@]}" \
  --conns "$CONNS" --concurrency 64 --hold "$HOLD" --heartbeat $HB
stop_server

MQ=$WORK/mosquitto
mosquitto_conf "$MQ" "$PKI" "$MQTT_PORT" "$HB"
mosquitto -c "$MQ/mosquitto.conf" >"$MQ/log" 2>&1 &
MQ_PID=$!
PIDS+=("$MQ_PID")
sleep 1
kill -0 "$MQ_PID" 2>/dev/null || { cat "$MQ/log" >&2; die "mosquitto did not start"; }
idle_run mosquitto "$MQ_PID" timeout $((HOLD + 400)) "${BENCH[@]}" mqtt --port $MQTT_PORT \
  --ca "$PKI/ca.crt" --pki "$PKI" --units "$UNITS" --conns "$CONNS" --concurrency 64 \
  --hold "$HOLD" --heartbeat $HB --src-prefix 127.0.0.
stop_pid "$MQ_PID"

fi # idle

# ---------------------------------------------------------------- upload
if want upload; then
# motcua: `motcua --json attach CODE FILE` of a PDF (random bytes in one
# stream of a well-formed PDF) into a dossier received just before, timed end to end
# (the CLI hashes the file, uploads with resume, the server writes and
# fdatasyncs). Reference, same file, same disk (the deployment's directory,
# next to the server's data_dir): socat OPENSSL-LISTEN (server cert, client
# certificate verified against the deployment CA) writing into a file,
# socat OPENSSL client reading the file, then fdatasync of the output file;
# timed from the client's start to the end of the fdatasync.
# UP_ROUNDS rounds, motcua and reference alternating, each after a `sync`
# (so neither pays for the other's, or the test file's, writeback) and with
# 32 fresh random bytes in the file (so the server's dedup never answers);
# the median of each side is compared.
phase upload
if ((QUICK)); then UP_MIB=32 UP_ROUNDS=3; else UP_MIB=100 UP_ROUNDS=5; fi
UPLOAD=""
now_s() { date +%s.%N; }
up_touch() { # fresh content, then everything on disk
  python3 -c 'import os, sys
with open(sys.argv[1], "r+b") as f: f.seek(4096); f.write(os.urandom(32))' "$UP_FILE"
  sync
}
# up_motcua, up_raw: set UP_T to the seconds taken, or "" on failure (no
# command substitution: the socat server must stay in this shell's PIDS).
up_motcua() {
  local t0 t1 rc=0
  UP_T=""
  up_touch
  t0=$(now_s)
  timeout 900 "$BIN/motcua" -c "$UP_CONF" --json attach "$UP_CODE" "$UP_FILE" \
    >"$WORK/up-attach.out" 2>"$WORK/up-attach.err" || rc=$?
  t1=$(now_s)
  if ((rc != 0)); then cat "$WORK/up-attach.out" "$WORK/up-attach.err" >&2; return 0; fi
  UP_T=$(python3 -c "print(round($t1 - $t0, 3))")
}
up_raw() {
  local port out t0 t1 rc=0 pid bytes
  UP_T=""
  port=$(free_port "$RAW_PORT_BASE" "$PORT" "$HTTP_PORT" "$PG_PORT" "$ECHO_PORT" "$MQTT_PORT")
  out=$ENVD/raw-tls-upload.bin
  rm -f "$out"
  up_touch
  timeout 900 socat -u \
    "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,cert=$PKI/server.crt,key=$PKI/server.key,cafile=$PKI/ca.crt,verify=1" \
    "CREATE:$out" 2>"$WORK/socat-srv.err" &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 50); do port_free "$port" || break; sleep 0.1; done
  t0=$(now_s)
  timeout 900 socat -u "OPEN:$UP_FILE,rdonly" \
    "OPENSSL:127.0.0.1:$port,cert=$PKI/units/$UP_UNIT.crt,key=$PKI/units/$UP_UNIT.key,cafile=$PKI/ca.crt,verify=1,commonname=motcua-server" \
    2>"$WORK/socat-cli.err" || rc=$?
  wait "$pid" || rc=$((rc ? rc : 100))
  forget_pid "$pid"
  python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fdatasync(fd); os.close(fd)' "$out"
  t1=$(now_s)
  bytes=$(stat -c %s "$out" 2>/dev/null || echo 0)
  rm -f "$out"
  if ((rc != 0)) || [[ $bytes != "$(stat -c %s "$UP_FILE")" ]]; then
    cat "$WORK/socat-srv.err" "$WORK/socat-cli.err" >&2
    return 0
  fi
  UP_T=$(python3 -c "print(round($t1 - $t0, 3))")
}
median() { tr ' ' '\n' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
if ((CLI_OK)) && "$BIN/motcua" attach --help >/dev/null 2>&1; then
  log "upload: ${UP_MIB} MiB attachment, motcua attach vs raw TLS (socat) + fdatasync, $UP_ROUNDS rounds"
  UP_FILE=$WORK/upload.pdf
  python3 - "$UP_FILE" "$UP_MIB" "$REPO/tests/integration" <<'PY'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from files_util import valid_bytes  # a well-formed PDF: the server checks the structure (W6)
with open(path, "wb") as f:
    f.write(valid_bytes(mib << 20))
PY
  UP_UNIT=${UNITS%%,*}
  UP_CONF=$ENVD/units/$UP_UNIT.conf
  start_server "--db_pool_size=$POOL"
  rc=0
  j=$(timeout 120 "$BIN/motcua" -c "$UP_CONF" --json receive --procedure "$PROC" \
    --name "Nguyễn Văn Tải" --id "0$(printf '%011d' $((RANDOM * 32768 + RANDOM)))" \
    --phone 0912345678 --missing-reason "bench: components not recorded" \
    2>"$WORK/up-receive.err") || rc=$?
  UP_CODE=$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
if isinstance(d, dict) and "dossier" in d and "code" not in d: d = d["dossier"]
print(d["code"])' "$j" 2>/dev/null) || UP_CODE=""
  if [[ -z $UP_CODE ]]; then
    cat "$WORK/up-receive.err" >&2
    UPLOAD="failed: receive (rc $rc) gave no dossier code"
  fi
  M_ALL="" R_ALL=""
  for round in $(seq "$UP_ROUNDS"); do
    [[ -z $UPLOAD ]] || break
    up_motcua
    m=$UP_T
    [[ -n $m ]] || { UPLOAD="failed: motcua attach (round $round)"; break; }
    up_raw
    r=$UP_T
    [[ -n $r ]] || { UPLOAD="failed: raw TLS reference (round $round)"; break; }
    log "  round $round: motcua attach ${m}s, raw TLS + fdatasync ${r}s"
    M_ALL+="$m " R_ALL+="$r "
  done
  stop_server
  if [[ -z $UPLOAD ]]; then
    UP_S=$(median <<<"$M_ALL") RAW_S=$(median <<<"$R_ALL")
    record "{\"test\":\"upload\",\"status\":\"ok\",\"mib\":$UP_MIB,\"motcua_s\":$UP_S,\"raw_s\":$RAW_S,\"motcua_rounds_s\":[$(tr -s ' ' , <<<"${M_ALL% }")],\"raw_rounds_s\":[$(tr -s ' ' , <<<"${R_ALL% }")],\"code\":\"$UP_CODE\",\"attach\":$(python3 -c '
import json, sys
try: print(json.dumps(json.loads(open(sys.argv[1]).read())))
except Exception: print("null")' "$WORK/up-attach.out")}"
  fi
else
  UPLOAD="not available: no motcua attach in this build"
fi
if [[ -n $UPLOAD ]]; then
  log "upload: $UPLOAD"
  record "{\"test\":\"upload\",\"status\":\"$UPLOAD\",\"mib\":$UP_MIB}"
fi
fi # upload

# ----------------------------------------------------------------- hooks
# Each hook: its own deployment and ports (this one's database is still up,
# its server stopped: MOTCUA_BENCH_HOOK_ENV names it), its own deadline
# (MOTCUA_BENCH_HOOK_TIMEOUT, default 900 s), its JSON rows checked here.
for h in "${HOOKS[@]}"; do
  hname=${h%%:*} hscript=${h#*:}
  want "$hname" || continue
  hout=$WORK/hook-$hname.json
  hargs=(--out "$hout")
  # shellcheck disable=SC2206 # the hook's --quick arguments, split on blanks
  ((QUICK)) && hargs=(--quick ${HOOK_QUICK_ARGS[$hname]:-} "${hargs[@]}")
  phase "hook $hname"
  log "$hname: bench/$hscript ${hargs[*]}"
  hrc=0
  env "${HOOK_PORTS[@]}" MOTCUA_BENCH_BUILD="$BUILD" MOTCUA_BIN_DIR="$BIN" MOTCUA_BENCH_HOOK_ENV="$ENVD" \
    MOTCUA_BENCH_BUILT=1 timeout "${MOTCUA_BENCH_HOOK_TIMEOUT:-900}" "$REPO/bench/$hscript" "${hargs[@]}" \
    </dev/null >"$WORK/hook-$hname.log" 2>&1 || hrc=$?
  ((hrc == 0)) || tail -5 "$WORK/hook-$hname.log" >&2
  python3 -c '
import json, sys
name, path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    d = json.load(open(path))
    rows = d["rows"] if isinstance(d, dict) else d
    assert isinstance(rows, list) and rows
    for r in rows:
        assert isinstance(r.get("name"), str) and isinstance(r.get("target"), str)
        assert isinstance(r.get("ratio"), (int, float))
    out = {"test": "hook", "hook": name, "rc": rc, "rows": rows}
    if isinstance(d, dict) and isinstance(d.get("elapsed_s"), (int, float)):
        out["elapsed_s"] = d["elapsed_s"]  # its rounds, without its set-up
except Exception as e:
    out = {"test": "hook", "hook": name, "rc": rc, "status": "failed: exit %d, %s" % (rc, str(e)[:120] or type(e).__name__)}
print(json.dumps(out, ensure_ascii=False))' "$hname" "$hout" "$hrc" >>"$RES"
done

# ---------------------------------------------------------------- report

phase "" # report.py times itself (phase "report")
ELAPSED=$(($(date +%s) - T0))
if [[ -n $ONLY ]]; then NAME=only-${ONLY//,/-}; else NAME=latest; fi
python3 "$REPO/bench/report.py" "$RES" "$OUT" \
  --quick "$QUICK" --elapsed "$ELAPSED" --pool "$POOL" --sync "$SYNC" \
  --mosquitto "${MQ_VERSION:-?}" --commit "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo ?)" \
  --name "$NAME" --only "$ONLY"
log "done in ${ELAPSED}s: $OUT/$NAME.json, $OUT/$NAME.md"
