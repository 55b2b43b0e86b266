# Shell helpers shared by bench/run.sh, bench/links.sh and bench/fair.sh
# (sourced): free ports, the processes a bench started, the mosquitto
# reference configured like motcua-server, and a hook's build and deployment
# (reused from run.sh when it runs the hook: bench_build, bench_deploy).

# Ports: other deployments may run on this machine; take the first free
# port at or above each base, not one of the TAKEN ones.
port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
free_port() { # BASE [TAKEN...]
  local p=$1 t
  shift
  while :; do
    if port_free "$p"; then
      for t in "$@"; do [[ $t != "$p" ]] || continue 2; done
      echo "$p"
      return
    fi
    p=$((p + 1))
  done
}

# Background processes a bench started (PIDS): stopped with TERM, then KILL
# after a bounded wait.
PIDS=()
kill_pids() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
forget_pid() {
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
stop_pid() {
  local p=$1
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  forget_pid "$p"
}

# mosquitto_conf DIR PKI PORT HEARTBEAT_S: DIR/mosquitto.conf with the same
# CA, server certificate and mutual TLS 1.3 as motcua-server.
mosquitto_conf() {
  local dir=$1 pki=$2 port=$3 hb=$4
  mkdir -p "$dir"
  cp "$pki/ca.crt" "$pki/server.crt" "$pki/server.key" "$dir/"
  cat >"$dir/mosquitto.conf" <<EOF2
# Same CA, certificate and mutual authentication as motcua-server.
per_listener_settings false
allow_anonymous true
persistence false
user root
log_dest stderr
log_type error
max_keepalive $((hb * 2))
listener $port 127.0.0.1
max_connections -1
cafile $dir/ca.crt
certfile $dir/server.crt
keyfile $dir/server.key
require_certificate true
use_identity_as_username true
tls_version tlsv1.3
EOF2
}

# bench_up ENVD BIN LOG [local.sh up options...]: a fresh deployment (desks
# off), its ~130 officers hashed with cheap Argon2id parameters (production
# ones take minutes for all of them), then the server's configuration set
# back to production parameters: whatever the server hashes from then on (a
# password change, bench_prod_password) costs what it costs in production.
# The server is left stopped.
bench_up() {
  local envd=$1 bin=$2 log=$3
  shift 3
  if [[ -f $envd/local.env ]]; then
    MOTCUA_BIN_DIR=$bin "$REPO/deploy/local.sh" down "$envd" >/dev/null 2>&1 || true
  fi
  rm -rf "$envd"
  MOTCUA_ARGON2_MEMORY_KIB=4096 MOTCUA_ARGON2_ITERATIONS=1 MOTCUA_BIN_DIR=$bin \
    "$REPO/deploy/local.sh" up "$envd" "$@" --no-desks >"$log" 2>&1 ||
    { tail -20 "$log" >&2; return 1; }
  MOTCUA_BIN_DIR=$bin "$REPO/deploy/local.sh" stop-server "$envd" >/dev/null 2>&1
  sed -i -e 's/^argon2_memory_kib = .*/argon2_memory_kib = 65536/' \
    -e 's/^argon2_iterations = .*/argon2_iterations = 3/' "$envd/server.conf"
}

# bench_prod_password ENVD BIN UNIT: tester.UNIT changes its password through
# the running server, so its hash has the production parameters; prints
# the new password file (DIR/officers/tester.UNIT.prod.pw).
bench_prod_password() {
  local envd=$1 bin=$2 unit=$3 old new
  old=$envd/officers/tester.$unit.pw
  new=$envd/officers/tester.$unit.prod.pw
  (umask 077 && tr -dc 'bcdfghjklmnpqrstvwxzBCDFGHJKLMNPQRSTVWXZ' </dev/urandom | head -c 16 >"$new")
  "$bin/motcua" -c "$envd/units/$unit.conf" passwd --password-file "$old" \
    --new-password-file "$new" >/dev/null || return 1
  echo "$new"
}

# bench_init NAME: for a script with its own deployment ($ENVD, $BIN):
# WORK (a temporary directory), RES (its rounds file), log and die
# prefixed with NAME, and the EXIT trap that stops what the script started,
# takes its deployment down and removes WORK and ENVD.
bench_init() {
  BENCH_NAME=$1
  WORK=$(mktemp -d "/tmp/$1-bench.XXXXXX")
  chmod 755 "$WORK"
  RES=$WORK/rounds.jsonl
  : >"$RES"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
log() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
bench_cleanup() {
  kill_pids
  if ((BENCH_BORROWED)); then # run.sh's deployment: run.sh takes it down
    rm -rf "$WORK"
    return
  fi
  if [[ -f $ENVD/local.env ]]; then
    MOTCUA_BIN_DIR=$BIN "$REPO/deploy/local.sh" down "$ENVD" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK" "$ENVD"
}
# bench_psql SQL: the answer of the deployment's database, unaligned.
bench_psql() { MOTCUA_BIN_DIR=$BIN "$REPO/deploy/local.sh" psql "$ENVD" -Atc "$1"; }

# bench_build TARGET...: the release build in $BUILD; nothing when run.sh
# (MOTCUA_BENCH_BUILT=1) has just built every bench target there.
bench_build() {
  if [[ ${MOTCUA_BENCH_BUILT:-0} == 1 && -x $BIN/motcua-server ]]; then
    log "build: done by run.sh in $BUILD"
    return 0
  fi
  log "building in $BUILD"
  "$REPO/deploy/build.sh" -q "$BUILD" -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -- "$@" || die "build failed (deploy/build.sh $BUILD)"
}

# bench_deploy: bench_up on $PORT $HTTP_PORT $PG_PORT, then PKI and UNITS
# (the communes' codes, comma-separated). Run by bench/run.sh
# (MOTCUA_BENCH_HOOK_ENV: run.sh's deployment, PostgreSQL up, server
# stopped), it borrows that deployment instead: ENVD and the ports become
# run.sh's, its server is started fresh by the hook as before, and
# bench_cleanup leaves it to run.sh (a second initdb, PKI and officer import
# cost 20-40 s of every hook and measured nothing; MOTCUA_BENCH_HOOK_FRESH=1
# brings up a fresh one anyway).
BENCH_BORROWED=0
bench_deploy() {
  local h=${MOTCUA_BENCH_HOOK_ENV:-}
  if [[ -n $h && -f $h/local.env && ${MOTCUA_BENCH_HOOK_FRESH:-0} != 1 ]]; then
    ENVD=$h BENCH_BORROWED=1
    PORT=$(sed -n 's/^MOTCUA_PORT=//p' "$h/local.env")
    HTTP_PORT=$(sed -n 's/^MOTCUA_HTTP_PORT=//p' "$h/local.env")
    PG_PORT=$(sed -n 's/^MOTCUA_PG_PORT=//p' "$h/local.env")
    log "deployment: run.sh's, borrowed ($ENVD, ports $PORT, $HTTP_PORT, PostgreSQL $PG_PORT)"
  else
    bench_up "$ENVD" "$BIN" "$WORK/up.log" --port "$PORT" --http-port "$HTTP_PORT" \
      --pg-port "$PG_PORT" || die "local.sh up failed"
  fi
  PKI=$ENVD/pki
  UNITS=$(bench_psql "SELECT string_agg(code, ',' ORDER BY code) FROM units WHERE role = 'commune'")
  [[ -n $UNITS ]] || die "no commune units"
}
