# Shell helpers shared by bench/run.sh, bench/links.sh and bench/fair.sh
# (sourced): free ports, the processes a bench started, and the mosquitto
# reference configured like motcua-server.

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
