#!/usr/bin/env bash
# bench/links.sh [--quick] [--links N] [--rounds R] --out F.json: idle mutual-TLS links on one
# motcua-server against Debian's mosquitto holding as many MQTT/TLS clients, in one run
# (issue 19 part 3).
#
# Each round starts a fresh server (or broker), ramps N links from one motcua-bench process
# (64 handshakes in flight, sources spread over 127.0.0.2-49 so no address's ~28k ephemeral
# ports limit the count), holds them (motcua: Hello, then a Ping every 30 s and a Pong to the
# server's pings; MQTT: CONNECT, then PINGREQ every 30 s) and measures the server's RSS growth
# per link, its CPU over a window while idle, and the ramp time. Rounds alternate
# motcua, mosquitto, motcua, ... (R rounds of motcua, R-1 of mosquitto, at least 1);
# the medians are compared: RSS per link target <= 0.6x mosquitto's; ramp and idle CPU are
# reported beside mosquitto's.
#
#   --quick     10,000 links, 10 s CPU window, 2 motcua + 1 mosquitto rounds (~4 min)
#   default     100,000 links, 30 s CPU window (one whole heartbeat), 2 + 1 rounds
#   --links N   another link count; --rounds R: R motcua rounds, R-1 mosquitto rounds (min 1)
#
# Limits it raises, as a deployment would (docs/PERFORMANCE.md "100,000 links"): the open files
# of this shell and its children (ulimit -n, up to fs.nr_open; root can raise the hard limit),
# nothing system-wide. It prints the kernel's fs.nr_open, net.ipv4.ip_local_port_range and
# net.core.somaxconn with the result.
#
# Environment: MOTCUA_LINKS_ENV (deployment dir, default /var/tmp/links-bench-env),
# MOTCUA_BENCH_BUILD (default <repo>/build-bench), MOTCUA_LINKS_PORT (first port tried, 44443:
# server, +1 http, +2 PostgreSQL, +3 MQTT). Everything it starts is stopped at the end.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
QUICK=0 LINKS="" ROUNDS="" OUTF=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --links) LINKS=${2:?}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --out) OUTF=${2:?}; shift ;;
    -h | --help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "links.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $OUTF ]] || { echo "links.sh: --out F.json is required" >&2; exit 2; }
if ((QUICK)); then : "${LINKS:=10000}" "${ROUNDS:=2}"; WINDOW=10; else
  : "${LINKS:=100000}" "${ROUNDS:=2}"; WINDOW=30; fi
[[ $LINKS =~ ^[0-9]+$ && $LINKS -ge 100 && $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] ||
  { echo "links.sh: --links N (>= 100) and --rounds R (>= 1)" >&2; exit 2; }
HOLD=$((WINDOW + 8))
HB=30
CONC=64

ENVD=${MOTCUA_LINKS_ENV:-/var/tmp/links-bench-env}
BUILD=${MOTCUA_BENCH_BUILD:-$REPO/build-bench}
BIN=$BUILD/bin
PG_BIN=/usr/lib/postgresql/15/bin
B=${MOTCUA_LINKS_PORT:-44443}
PORT=$(free_port "$B")
HTTP_PORT=$(free_port $((B + 1)) "$PORT")
PG_PORT=$(free_port $((B + 2)) "$PORT" "$HTTP_PORT")
MQTT_PORT=$(free_port $((B + 3)) "$PORT" "$HTTP_PORT" "$PG_PORT")

bench_init links

command -v mosquitto >/dev/null || die "mosquitto missing (apt-get install mosquitto)"

# ---------------------------------------------------------------- limits
# One fd per link in the server (or broker) and one per link in the bench, plus slack.
NEED=$((LINKS + 1000))
NR_OPEN=$(cat /proc/sys/fs/nr_open)
ulimit -Hn "$NR_OPEN" 2>/dev/null || true
WANT=$((NEED > 65536 ? NEED : 65536))
((WANT <= $(ulimit -Hn))) || WANT=$(ulimit -Hn)
ulimit -n "$WANT" 2>/dev/null || true
NOFILE=$(ulimit -n)
REQUESTED=$LINKS
if ((NOFILE < NEED)); then
  # A container without CAP_SYS_RESOURCE cannot lift its hard limit: measure what fits.
  LINKS=$((NOFILE - 1000))
  log "ulimit -n is $NOFILE (hard $(ulimit -Hn)): $REQUESTED links need $NEED fds per process;" \
    "measuring $LINKS (raise the hard limit: root with CAP_SYS_RESOURCE, LimitNOFILE=, limits.conf)"
fi
PORTS=$(tr '\t' - </proc/sys/net/ipv4/ip_local_port_range)
SOMAX=$(cat /proc/sys/net/core/somaxconn)
log "limits: ulimit -n $NOFILE, fs.nr_open $NR_OPEN, ip_local_port_range $PORTS, somaxconn $SOMAX"

# ----------------------------------------------------------------- build
bench_build motcua-server motcua-bench motcua

# ------------------------------------------------------------ deployment
log "deployment in $ENVD (ports $PORT, $HTTP_PORT, PostgreSQL $PG_PORT, MQTT $MQTT_PORT)"
bench_deploy

SERVER_PID=""
start_server() {
  local off
  port_free "$PORT" || die "port $PORT was taken meanwhile; re-run"
  touch "$ENVD/links-server.log"
  off=$(stat -c %s "$ENVD/links-server.log")
  "$BIN/motcua-server" -c "$ENVD/server.conf" --max_connections=$((LINKS + 1000)) \
    --heartbeat_s=$HB --idle_timeout_s=$((HB * 3)) --max_connections_per_unit=100000 \
    --max_preauth=20000 --max_preauth_per_addr=20000 \
    </dev/null >>"$ENVD/links-server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 300); do
    tail -c +"$((off + 1))" "$ENVD/links-server.log" | grep -q 'motcua-server ready' && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$ENVD/links-server.log" >&2
  die "motcua-server did not start"
}

MQ=$WORK/mosquitto
mosquitto_conf "$MQ" "$PKI" "$MQTT_PORT" "$HB"
start_mosquitto() {
  mosquitto -c "$MQ/mosquitto.conf" >"$MQ/log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  sleep 1
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$MQ/log" >&2; die "mosquitto did not start"; }
}
MQ_VERSION=$(mosquitto -h 2>/dev/null | head -n 1 | sed 's/^mosquitto version //') || true

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# db_ticks: CPU of the deployment's PostgreSQL (postmaster and its
# backends): what the server's links cost the database (the live links
# publication, migration 031); mosquitto has none.
db_ticks() {
  local pm t=0 p
  pm=$(head -n 1 "$(cat "$ENVD/pg.path")/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  for p in $pm $(pgrep -P "$pm"); do t=$((t + $(cpu_ticks "$p" 2>/dev/null || echo 0))); done
  echo $t
}

# round NAME: one fresh server/broker, N links up, RSS and CPU, then stop.
round() {
  local name=$1 n=$2 base rss brss bchild c0 c1 bc0 bc1 d0=0 d1=0 hz bpid j ready=0 mode port up
  if [[ $name == motcua ]]; then start_server; mode=idle; port=$PORT; else
    start_mosquitto; mode=mqtt; port=$MQTT_PORT; fi
  sleep 1
  base=$(rss_kb "$SERVER_PID")
  up=$(cut -d' ' -f1 /proc/loadavg)
  timeout $((LINKS / 20 + HOLD + 400)) "$BIN/motcua-bench" "$mode" --port "$port" \
    --ca "$PKI/ca.crt" --pki "$PKI" --units "$UNITS" --conns "$LINKS" --concurrency $CONC \
    --hold $HOLD --heartbeat $HB --src-prefix 127.0.0. >"$WORK/$name$n.out" 2>"$WORK/$name$n.err" &
  bpid=$!
  PIDS+=("$bpid")
  for _ in $(seq $((LINKS / 2 + 3000))); do
    if grep -q '^READY' "$WORK/$name$n.out"; then ready=1; break; fi
    kill -0 "$bpid" 2>/dev/null || break
    sleep 0.1
  done
  ((ready)) || { tail -5 "$WORK/$name$n.err" >&2; die "$name round $n: links not established"; }
  sleep 2
  hz=$(getconf CLK_TCK)
  bchild=$(pgrep -P "$bpid" | head -n 1) # motcua-bench under timeout
  c0=$(cpu_ticks "$SERVER_PID") bc0=$(cpu_ticks "$bchild")
  [[ $name == motcua ]] && d0=$(db_ticks)
  sleep "$WINDOW"
  c1=$(cpu_ticks "$SERVER_PID") bc1=$(cpu_ticks "$bchild")
  [[ $name == motcua ]] && d1=$(db_ticks)
  rss=$(rss_kb "$SERVER_PID")
  brss=$(rss_kb "$bchild" 2>/dev/null || echo 0)
  wait "$bpid" || true
  forget_pid "$bpid"
  stop_pid "$SERVER_PID"
  SERVER_PID=""
  j=$(grep '^{' "$WORK/$name$n.out" | tail -n 1)
  [[ -n $j ]] || j=null
  printf '{"impl":"%s","round":%d,"rss_base_kb":%d,"rss_kb":%d,"bench_rss_kb":%d,"cpu_ticks":%d,"db_cpu_ticks":%d,"bench_cpu_ticks":%d,"hz":%d,"window_s":%d,"load1":%s,"r":%s}\n' \
    "$name" "$n" "$base" "$rss" "${brss:-0}" $((c1 - c0)) $((d1 - d0)) $((bc1 - bc0)) "$hz" "$WINDOW" "$up" "$j" >>"$RES"
  log "  $name round $n: base $base KiB, with links $rss KiB, cpu $((c1 - c0)) ticks (database $((d1 - d0))) in ${WINDOW}s; $j"
}

T0=$(date +%s)
log "$LINKS idle links, heartbeat ${HB}s, CPU window ${WINDOW}s; rounds: $ROUNDS motcua, $((ROUNDS > 1 ? ROUNDS - 1 : 1)) mosquitto, alternating"
m=1 q=1
round motcua $m
while ((m < ROUNDS || q <= (ROUNDS > 1 ? ROUNDS - 1 : 1))); do
  if ((q <= (ROUNDS > 1 ? ROUNDS - 1 : 1))); then round mosquitto $q; q=$((q + 1)); fi
  if ((m < ROUNDS)); then m=$((m + 1)); round motcua $m; fi
done
ELAPSED=$(($(date +%s) - T0))

mkdir -p "$(dirname "$OUTF")"
PYTHONPATH=$REPO/bench python3 - "$RES" "$OUTF" "$LINKS" "$REQUESTED" "$ELAPSED" "$MQ_VERSION" "$NOFILE" "$NR_OPEN" "$PORTS" "$SOMAX" \
  "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo ?)" "$(uptime)" <<'PY'
import json, statistics, sys
from hookrows import hook_rows
res, outf, links, requested, elapsed, mqv, nofile, nr_open, ports, somax, commit, upt = sys.argv[1:]
rounds = [json.loads(l) for l in open(res) if l.strip()]
def per(r):
    est = (r.get("r") or {}).get("established") or 0
    return {
        "bytes_per_link": round((r["rss_kb"] - r["rss_base_kb"]) * 1024 / est) if est else None,
        "bench_bytes_per_link": round(r.get("bench_rss_kb", 0) * 1024 / est) if est else None,
        "cpu_core": round(r["cpu_ticks"] / r["hz"] / r["window_s"], 4),
        "cpu_with_db_core": round((r["cpu_ticks"] + r.get("db_cpu_ticks", 0)) / r["hz"] / r["window_s"], 4),
        "ramp_s": (r.get("r") or {}).get("ramp_s"),
        "established": est, "failed": (r.get("r") or {}).get("failed"),
        "dropped": (r.get("r") or {}).get("dropped"),
    }
for r in rounds: r.update(per(r))
def med(impl, k):
    v = [r[k] for r in rounds if r["impl"] == impl and r[k] is not None]
    return statistics.median(v) if v else None
out = {"test": "links", "links": int(links), "links_requested": int(requested), "elapsed_s": int(elapsed), "commit": commit,
       "mosquitto": mqv, "uptime": upt.strip(),
       "limits": {"ulimit_n": int(nofile), "fs.nr_open": int(nr_open),
                  "ip_local_port_range": ports, "somaxconn": int(somax)},
       "rounds": rounds, "ratios": {}}
m_b, q_b = med("motcua", "bytes_per_link"), med("mosquitto", "bytes_per_link")
lines = []
if m_b and q_b:
    # spread: every motcua round against the median mosquitto round
    rs = [r["bytes_per_link"] / q_b for r in rounds if r["impl"] == "motcua" and r["bytes_per_link"]]
    ratio = m_b / q_b
    out["ratios"]["rss_per_link"] = {"motcua": m_b, "mosquitto": q_b, "ratio": round(ratio, 3),
        "spread": [round(min(rs), 3), round(max(rs), 3)], "target": 0.6, "met": ratio <= 0.6}
    lines.append(f"links@{links}: RSS motcua {m_b:.0f} B/link vs mosquitto {q_b:.0f} B/link = "
                 f"{ratio:.2f}x (target <= 0.6; rounds {min(rs):.2f}-{max(rs):.2f})")
for k, what in (("ramp_s", "ramp"), ("cpu_core", "idle CPU"),
                ("cpu_with_db_core", "idle CPU with its database")):
    a, b = med("motcua", k), med("mosquitto", k)
    if a is not None and b:
        out["ratios"][k] = {"motcua": a, "mosquitto": b, "ratio": round(a / b, 3), "target": "reported"}
        unit = " s" if k == "ramp_s" else " core"
        lines.append(f"links@{links}: {what} motcua {a}{unit} vs mosquitto {b}{unit} = {a / b:.2f}x (reported)")
out["rows"] = hook_rows("idle links", out["ratios"])
json.dump(out, open(outf, "w"), indent=1)
for l in lines: print(l)
print("uptime:", upt.strip())
PY
log "done in ${ELAPSED}s: $OUTF"
