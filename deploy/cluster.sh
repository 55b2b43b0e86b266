#!/usr/bin/env bash
# motcua cluster on one machine: etcd, two PostgreSQL 15 under Patroni (a
# primary and a synchronous standby), pgBackRest, N motcua-server instances
# and HAProxy in front of them, every piece on free ports of 127.0.0.1.
# The same pieces run on separate hosts in production (docs/SCALE.md,
# deploy/cluster/*.example). Run deploy/cluster.sh --help for the commands.
set -euo pipefail

PROG=${0##*/}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PKI="$REPO/deploy/pki.sh"
BIN_DIR=${MOTCUA_BIN_DIR:-$REPO/build/bin}
PG_BIN=${MOTCUA_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=motcua            # system user running Patroni/PostgreSQL when run as root
DB_NAME=motcua
DB_ROLE=motcua            # PostgreSQL superuser (owner, migrations)
SCOPE=motcua              # Patroni cluster name (etcd key prefix /service/motcua)
STANZA=motcua             # pgBackRest stanza
WAIT=${MOTCUA_CLUSTER_WAIT:-90}   # seconds to wait for each piece to come up

usage() {
  cat <<EOF
Usage: $PROG COMMAND DIR [OPTIONS]

Commands:
  up DIR [--servers N]   create what is missing and start everything (N motcua-server
                         instances, default 2); prints the HAProxy address
  down DIR               stop everything (servers, HAProxy, Patroni/PostgreSQL, etcd)
  status DIR             one line per piece; exit 0 when all run and a primary exists
  leader DIR             the name of the current PostgreSQL primary (pg1 | pg2)
  kill-primary DIR       SIGKILL the primary's Patroni and PostgreSQL (a host that dies):
                         Patroni promotes the synchronous standby after the leader key
                         expires (ttl); "start-node DIR NAME" brings the old one back
  start-node DIR NAME    start Patroni for pg1 or pg2 (rejoins as a standby, pg_rewind)
  kill-server DIR N      SIGKILL motcua-server instance N (1..); HAProxy sends its units
                         to the others
  start-server DIR N     start instance N again
  backup DIR [full|incr] pgBackRest backup of the primary (WAL is archived continuously)
                         and a copy of the file store beside it
  restore-drill DIR TIME restore the newest backup to TIME ("YYYY-MM-DD HH:MM:SS+TZ")
                         into a scratch cluster, start it on a free port, print the
                         dossier count there and stop it again
  psql DIR [ARGS...]     psql on the current primary

Officers: as deploy/local.sh (deploy/officers.sh): DIR/officers/<login>.pw, every
unit's tester logged in through HAProxy.

Layout of DIR: cluster.env (ports; PG_ROOT: where pg1/ pg2/ (data, sock,
patroni.yml) and backup/repo (pgBackRest) live: DIR/pgs, or /var/tmp when the
PostgreSQL user cannot reach DIR), pg1/pg2.patroni.log, etcd/, backup/files
(copies of the file store), pki/, units/
(client configs pointing at HAProxy), data/ (the shared file store), servers/N/
(server.conf, server.log, server.pid), haproxy.cfg. Secrets (database passwords,
PII key) are 0600 files in DIR.

Environment: MOTCUA_BIN_DIR, MOTCUA_PG_BIN, MOTCUA_CLUSTER_WAIT (seconds, default 90).
EOF
}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }
is_root() { [[ $(id -u) -eq 0 ]]; }

set_dir() {
  [[ -n ${1:-} ]] || die "missing DIR"
  mkdir -p "$1"
  DIR=$(cd "$1" && pwd -P)
  ENV=$DIR/cluster.env
}

# ------------------------------------------------------------------ ports

free_ports() { # N: N distinct free TCP ports of 127.0.0.1
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

env_get() { sed -n "s/^$1=//p" "$ENV" | head -n 1; }

load_env() {
  [[ -f $ENV ]] || die "$DIR is not a cluster directory (no cluster.env): run up first"
  ETCD_PORT=$(env_get ETCD_PORT) ETCD_PEER=$(env_get ETCD_PEER)
  PG1_PORT=$(env_get PG1_PORT) PG2_PORT=$(env_get PG2_PORT)
  API1_PORT=$(env_get API1_PORT) API2_PORT=$(env_get API2_PORT)
  FRONT_PORT=$(env_get FRONT_PORT) STATS_PORT=$(env_get STATS_PORT)
  SERVERS=$(env_get SERVERS) SERVER_PORTS=$(env_get SERVER_PORTS) HTTP_PORTS=$(env_get HTTP_PORTS)
  PG_ROOT=$(env_get PG_ROOT)
}

new_env() { # SERVERS
  local n=$1 p
  read -r -a p <<<"$(free_ports $((8 + 2 * n)))"
  local sp="" hp="" i
  for ((i = 0; i < n; i++)); do
    sp+="${sp:+,}${p[8 + 2 * i]}"
    hp+="${hp:+,}${p[9 + 2 * i]}"
  done
  cat >"$ENV" <<EOF
# ports of this cluster, chosen free at creation (deploy/cluster.sh)
ETCD_PORT=${p[0]}
ETCD_PEER=${p[1]}
PG1_PORT=${p[2]}
PG2_PORT=${p[3]}
API1_PORT=${p[4]}
API2_PORT=${p[5]}
FRONT_PORT=${p[6]}
STATS_PORT=${p[7]}
SERVERS=$n
SERVER_PORTS=$sp
HTTP_PORTS=$hp
PG_ROOT=$(choose_pg_root)
EOF
}

nth() { # LIST(comma) N(1-based)
  local IFS=, a
  read -r -a a <<<"$1"
  printf '%s\n' "${a[$(($2 - 1))]}"
}

# ---------------------------------------------------------- processes

alive() { [[ -n ${1:-} && -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }
pid_of() { [[ -f $1 ]] && head -n 1 "$1" || true; }

# spawn PIDFILE LOG COMMAND...: start COMMAND in its own session, detached
# from this script (no lock fd, no terminal), its pid in PIDFILE.
spawn() {
  local pidf=$1 log=$2
  shift 2
  (cd / && exec setsid "$@" >>"$log" 2>&1 8>&- 9>&- </dev/null) &
  echo $! >"$pidf"
}

stop_pidfile() { # FILE NAME [SIGNAL]
  local pid t
  pid=$(pid_of "$1")
  alive "$pid" || { rm -f "$1"; return 0; }
  kill "-${3:-TERM}" "$pid" 2>/dev/null || true
  for ((t = 0; t < 300; t++)); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; note "$2 killed (did not stop in 30 s)"; fi
  rm -f "$1"
}

wait_for() { # SECONDS WHAT COMMAND...
  local s=$1 what=$2 t
  shift 2
  for ((t = 0; t < s * 5; t++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what not ready after ${s}s"
}

http_ok() { python3 - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

# --------------------------------------------------- PostgreSQL owner

as_pg() {
  if is_root; then (cd / && runuser -u "$PG_USER" -- "$@" 8>&- 9>&-); else (cd / && "$@" 8>&- 9>&-); fi
}

ensure_pg_user() {
  is_root || return 0
  id -u "$PG_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
}

# Patroni/PostgreSQL need a directory their user can reach (DIR may be
# under a 0700 parent), with short socket paths: the server's multi-host
# db_conninfo names both socket directories and a configuration line holds
# at most 198 bytes. So: /var/tmp/mcc-<hash of DIR>.
choose_pg_root() {
  local cand
  cand=/var/tmp/mcc-$(printf '%s' "$DIR" | sha256sum | cut -c1-10)
  if [[ -e $cand ]]; then
    # an earlier cluster of the same DIR path, not ours to reuse
    pkill -KILL -f "$cand/" 2>/dev/null || true
    rm -rf "$cand"
  fi
  mkdir -p "$cand"
  if is_root; then chown "$PG_USER:" "$cand"; fi
  chmod 700 "$cand"
  printf '%s\n' "$cand"
}

secret() { # FILE: a random password kept 0600 in FILE (created once)
  [[ -s $1 ]] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$1")
  cat "$1"
}

# ------------------------------------------------------------------ etcd

etcd_up() {
  local pidf=$DIR/etcd/etcd.pid
  alive "$(pid_of "$pidf")" && return 0
  mkdir -p "$DIR/etcd"
  chmod 700 "$DIR/etcd"
  spawn "$pidf" "$DIR/etcd/etcd.log" etcd --name e1 --data-dir "$DIR/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "e1=http://127.0.0.1:$ETCD_PEER" --initial-cluster-state new \
    --initial-cluster-token "motcua-$ETCD_PEER"
  wait_for "$WAIT" etcd etcdctl --endpoints "127.0.0.1:$ETCD_PORT" endpoint health
  note "etcd on 127.0.0.1:$ETCD_PORT"
}

# ---------------------------------------------------------- Patroni nodes

patroni_yml() { # NAME PGPORT APIPORT
  local name=$1 port=$2 api=$3 root=$PG_ROOT/$1
  local su rep rw
  su=$(secret "$DIR/db-superuser.pw") rep=$(secret "$DIR/db-replication.pw") rw=$(secret "$DIR/db-rewind.pw")
  # loop_wait + 2 * retry_timeout <= ttl: the leader key expires 10 s after
  # the primary's host dies; synchronous_mode: a commit is acknowledged only
  # once the standby has it, so a failover loses nothing acknowledged.
  cat <<EOF
scope: $SCOPE
name: $name
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$api
  connect_address: 127.0.0.1:$api
etcd3:
  hosts: 127.0.0.1:$ETCD_PORT
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        synchronous_commit: 'on'
        archive_mode: 'on'
        archive_timeout: 60
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:$port
  connect_address: 127.0.0.1:$port
  data_dir: $root/data
  bin_dir: $PG_BIN
  pgpass: $root/pgpass
  authentication:
    superuser:
      username: $DB_ROLE
      password: '$su'
    replication:
      username: replicator
      password: '$rep'
    rewind:
      username: rewinder
      password: '$rw'
  parameters:
    # per node: pgBackRest checks that pg1-path is this node's data directory
    archive_command: 'pgbackrest --config=$PG_ROOT/pgbackrest.conf --stanza=$STANZA --pg1-path=$root/data archive-push %p'
    unix_socket_directories: '$root/sock'
    unix_socket_permissions: '0700'
    max_connections: 200
    log_line_prefix: '%m [%p] %q%u@%d '
tags:
  nofailover: false
  noloadbalance: false
EOF
}

node_root() { printf '%s/%s\n' "$PG_ROOT" "$1"; }
node_api() { [[ $1 == pg1 ]] && echo "$API1_PORT" || echo "$API2_PORT"; }
node_port() { [[ $1 == pg1 ]] && echo "$PG1_PORT" || echo "$PG2_PORT"; }

node_up() { # NAME
  local name=$1 root pidf
  root=$(node_root "$name") pidf=$DIR/$name.patroni.pid
  alive "$(pid_of "$pidf")" && return 0
  as_pg mkdir -p "$root/sock"
  as_pg chmod 700 "$root" "$root/sock"
  patroni_yml "$name" "$(node_port "$name")" "$(node_api "$name")" | as_pg tee "$root/patroni.yml" >/dev/null
  as_pg chmod 600 "$root/patroni.yml"
  if is_root; then
    spawn "$pidf" "$DIR/$name.patroni.log" runuser -u "$PG_USER" -- patroni "$root/patroni.yml"
  else
    spawn "$pidf" "$DIR/$name.patroni.log" patroni "$root/patroni.yml"
  fi
  note "Patroni $name started (PostgreSQL 127.0.0.1:$(node_port "$name"), REST 127.0.0.1:$(node_api "$name"))"
}

# The Patroni (python) process of NAME: runuser's child when run as root.
patroni_pid() { pgrep -f "python3 [^ ]*patroni $(node_root "$1")/patroni.yml" | head -n 1 || true; }

postmaster_pid() { as_pg head -n 1 "$(node_root "$1")/data/postmaster.pid" 2>/dev/null || true; }

leader() {
  local n
  for n in pg1 pg2; do
    if http_ok "http://127.0.0.1:$(node_api $n)/primary"; then echo "$n"; return 0; fi
  done
  return 1
}

sync_standby_ok() { local n; for n in pg1 pg2; do http_ok "http://127.0.0.1:$(node_api $n)/sync" && return 0; done; return 1; }

pg_psql() { # psql on the primary's socket, as the owner
  local l
  l=$(leader) || die "no PostgreSQL primary right now"
  as_pg psql -X -v ON_ERROR_STOP=1 -h "$(node_root "$l")/sock" -p "$(node_port "$l")" -U "$DB_ROLE" "$@"
}

conninfo() { # USER [ATTRS]: libpq multi-host string over both nodes' sockets, primary only
  printf 'host=%s/sock,%s/sock port=%s,%s dbname=%s user=%s target_session_attrs=%s connect_timeout=3' \
    "$(node_root pg1)" "$(node_root pg2)" "$PG1_PORT" "$PG2_PORT" "$DB_NAME" "$1" "${2:-read-write}"
}

pgbackrest_conf() {
  as_pg mkdir -p "$PG_ROOT/backup"
  as_pg chmod 700 "$PG_ROOT/backup"
  as_pg tee "$PG_ROOT/pgbackrest.conf" >/dev/null <<EOF
# pgBackRest for the local cluster (deploy/cluster.sh). Both nodes are on
# this machine, so the repository is a local directory; on real hosts it is
# a repository host or an object store (deploy/cluster/pgbackrest.conf.example).
[global]
repo1-path=$PG_ROOT/backup/repo
repo1-retention-full=2
log-path=$PG_ROOT
lock-path=$PG_ROOT/lock
spool-path=$PG_ROOT/spool
start-fast=y
archive-async=n

[$STANZA]
pg1-path=$(node_root pg1)/data
pg1-port=$PG1_PORT
pg1-socket-path=$(node_root pg1)/sock
pg1-user=$DB_ROLE
pg2-path=$(node_root pg2)/data
pg2-port=$PG2_PORT
pg2-socket-path=$(node_root pg2)/sock
pg2-user=$DB_ROLE
EOF
}

db_up() {
  ensure_pg_user
  pgbackrest_conf
  node_up pg1
  wait_for "$WAIT" "PostgreSQL primary" leader
  node_up pg2
  wait_for "$WAIT" "synchronous standby" sync_standby_ok
  note "PostgreSQL primary $(leader), synchronous standby running"
  if [[ $(pg_psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") != 1 ]]; then
    pg_psql -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
    note "created database $DB_NAME"
  fi
  if ! as_pg pgbackrest --config="$PG_ROOT/pgbackrest.conf" --stanza="$STANZA" info 2>/dev/null | grep -q "status: ok"; then
    as_pg pgbackrest --config="$PG_ROOT/pgbackrest.conf" --stanza="$STANZA" stanza-create >/dev/null ||
      die "pgbackrest stanza-create failed (see $PG_ROOT)"
    note "pgBackRest stanza $STANZA created ($PG_ROOT/backup/repo)"
  fi
}

# -------------------------------------------------------------- officers
# shellcheck source=deploy/officers.sh
. "$REPO/deploy/officers.sh"

officers_up() {
  officers_provision "$(server_bin)" "$DIR/servers/1/server.conf" "$DIR/units" "$DIR/officers" \
    "$DIR/migrate.log"
  officers_login_testers "$BIN_DIR/motcua" "$DIR/units" "$DIR/officers" "$DIR/login.err"
}

# -------------------------------------------------------------- servers

server_conf() { # N
  local n=$1 d=$DIR/servers/$1
  mkdir -p "$d"
  [[ -f $DIR/pii.key ]] || (umask 077 && head -c 32 /dev/urandom >"$DIR/pii.key")
  (umask 077 && cat >"$d/server.conf.tmp") <<EOF
# motcua-server instance $n of the local cluster (deploy/cluster.sh).
# All instances share the database (through libpq's multi-host string: the
# primary, whichever node it is), the PKI and the file store.
[server]
listen_host = 127.0.0.1
listen_port = $(nth "$SERVER_PORTS" "$n")
log_level = info
utc_offset_minutes = 420
centre_unit = 444
max_connections = 2000
server_name = motcua-server
# this instance in the cluster-wide monitor (live_links, docs/SCALE.md)
instance_name = s$n

[monitor]
http_host = 127.0.0.1
http_port = $(nth "$HTTP_PORTS" "$n")

[tls]
tls_ca = $DIR/pki/ca.crt
tls_cert = $DIR/pki/server.crt
tls_key = $DIR/pki/server.key
tls_crl = $DIR/pki/crl.pem

[database]
db_conninfo = $(conninfo motcua_app)
db_migrate_conninfo = $(conninfo "$DB_ROLE")
# reports read from the standby while there is one (else the primary)
db_report_conninfo = $(conninfo motcua_app prefer-standby)
pii_key_file = $DIR/pii.key
db_pool_size = 16
db_max_queue = 10000

[limits]
max_preauth_per_addr = 256

[files]
data_dir = $DIR/data

[officers]
# Argon2id per password hash (docs/SECURITY.md); tests set it lower
argon2_memory_kib = ${MOTCUA_ARGON2_MEMORY_KIB:-65536}
argon2_iterations = ${MOTCUA_ARGON2_ITERATIONS:-3}
EOF
  mv -f "$d/server.conf.tmp" "$d/server.conf"
}

server_bin() {
  [[ -x $BIN_DIR/motcua-server ]] || die "$BIN_DIR/motcua-server not found: build first or set MOTCUA_BIN_DIR"
  printf '%s\n' "$BIN_DIR/motcua-server"
}

server_up() { # N
  local n=$1 d=$DIR/servers/$1 bin
  bin=$(server_bin)
  alive "$(pid_of "$d/server.pid")" && return 0
  [[ -f $d/server.conf ]] || server_conf "$n"
  spawn "$d/server.pid" "$d/server.log" "$bin" -c "$d/server.conf"
  wait_for "$WAIT" "motcua-server $n" http_ok "http://127.0.0.1:$(nth "$HTTP_PORTS" "$n")/readyz"
  note "motcua-server $n on 127.0.0.1:$(nth "$SERVER_PORTS" "$n") (monitor $(nth "$HTTP_PORTS" "$n"))"
}

migrate() {
  local bin
  bin=$(server_bin)
  server_conf 1
  "$bin" -c "$DIR/servers/1/server.conf" --migrate >"$DIR/migrate.log" 2>&1 ||
    { tail -n 20 "$DIR/migrate.log" >&2; die "migration failed"; }
}

pki_and_units() {
  [[ -f $DIR/pki/ca.crt ]] || "$PKI" init "$DIR/pki" >/dev/null 2>&1 || die "pki init failed"
  [[ -f $DIR/pki/server.crt ]] || "$PKI" server "$DIR/pki" >/dev/null 2>&1 || die "server certificate failed"
  mkdir -p "$DIR/units"
  chmod 700 "$DIR/units"
  local code role r
  while IFS='|' read -r code role; do
    [[ -n $code ]] || continue
    case ${role,,} in 1 | commune) r=commune ;; 2 | district) r=district ;; *) continue ;; esac
    [[ -f $DIR/pki/units/$code.crt ]] || "$PKI" unit "$DIR/pki" "$code" "$r" >/dev/null 2>&1 ||
      die "certificate for $code failed"
    unit_conf "$code"
  done <<<"$(pg_psql -d "$DB_NAME" -At -F '|' -c "SELECT code, role FROM units ORDER BY code")"
  [[ -f $DIR/pki/units/admin.crt ]] || "$PKI" unit "$DIR/pki" admin admin >/dev/null 2>&1
  unit_conf admin
}

unit_conf() { # CODE: a client config that reaches the cluster through HAProxy
  local f=$DIR/units/$1.conf
  [[ -f $f ]] && return 0
  (umask 077 && cat >"$f") <<EOF
# motcua client configuration for unit $1 (deploy/cluster.sh): HAProxy in
# front of every motcua-server instance.
[server]
host = 127.0.0.1
port = $FRONT_PORT
server_name = motcua-server

[tls]
ca = $DIR/pki/ca.crt
cert = $DIR/pki/units/$1.crt
key = $DIR/pki/units/$1.key
crl = $DIR/pki/crl.pem

[client]
lang = vi
timeout_s = 15
# the officer session of motcua login (0600; tester.$1 is logged in by up)
session = $DIR/units/session-$1.token
EOF
}

# ---------------------------------------------------------------- HAProxy

haproxy_cfg() {
  local i
  {
    cat <<EOF
# HAProxy in front of the motcua-server instances (deploy/cluster.sh).
# TCP passthrough: TLS ends in motcua (the client certificate is the unit's
# identity). Each instance is checked on its monitor's /readyz (database
# reachable, not draining); a failed instance's links are cut at once so
# that the desks reconnect to another.
global
  maxconn 4000
  log stdout format raw local0 info

defaults
  mode tcp
  log global
  option tcplog
  timeout connect 3s
  timeout client 180s
  timeout server 180s
  timeout check 2s
  # a connect refused by a dead instance is retried on another at once
  retries 3
  option redispatch

listen stats
  mode http
  bind 127.0.0.1:$STATS_PORT
  stats enable
  stats uri /

frontend motcua
  bind 127.0.0.1:$FRONT_PORT
  default_backend motcua_servers

backend motcua_servers
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
EOF
    for ((i = 1; i <= SERVERS; i++)); do
      printf '  server s%d 127.0.0.1:%s check port %s\n' "$i" "$(nth "$SERVER_PORTS" "$i")" "$(nth "$HTTP_PORTS" "$i")"
    done
  } >"$DIR/haproxy.cfg"
}

haproxy_up() {
  alive "$(pid_of "$DIR/haproxy.pid")" && return 0
  haproxy_cfg
  haproxy -c -q -f "$DIR/haproxy.cfg" || die "haproxy.cfg does not validate"
  spawn "$DIR/haproxy.pid" "$DIR/haproxy.log" haproxy -f "$DIR/haproxy.cfg"
  wait_for "$WAIT" HAProxy http_ok "http://127.0.0.1:$STATS_PORT/"
  note "HAProxy on 127.0.0.1:$FRONT_PORT (stats http://127.0.0.1:$STATS_PORT/)"
}

# --------------------------------------------------------------- commands

cmd_up() {
  set_dir "${1:-}"
  shift || true
  local n=2
  while [[ $# -gt 0 ]]; do
    case $1 in
      --servers) [[ ${2:-} =~ ^[1-9]$ ]] || die "--servers takes 1..9"; n=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  exec 8>>"$DIR/.lock"
  flock -w 120 8 || die "another $PROG works on $DIR"
  ensure_pg_user
  [[ -f $ENV ]] || new_env "$n"
  load_env
  etcd_up
  db_up
  migrate
  pki_and_units
  local i
  for ((i = 1; i <= SERVERS; i++)); do server_up "$i"; done
  haproxy_up
  officers_up
  printf 'motcua cluster up: units connect to 127.0.0.1:%s (HAProxy), %d servers, primary %s\n' \
    "$FRONT_PORT" "$SERVERS" "$(leader)"
  printf 'client configs: %s/units/<code>.conf\n' "$DIR"
}

cmd_down() {
  set_dir "${1:-}"
  load_env
  local i n
  stop_pidfile "$DIR/haproxy.pid" HAProxy
  for ((i = 1; i <= SERVERS; i++)); do stop_pidfile "$DIR/servers/$i/server.pid" "motcua-server $i"; done
  for n in pg2 pg1; do
    local p
    p=$(patroni_pid "$n")
    if [[ -n $p ]]; then kill -TERM "$p" 2>/dev/null || true; fi
    stop_pidfile "$DIR/$n.patroni.pid" "Patroni $n"
    # Patroni stops PostgreSQL on SIGTERM; a killed node may leave one running
    p=$(postmaster_pid "$n")
    if alive "$p"; then as_pg "$PG_BIN/pg_ctl" -D "$(node_root "$n")/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true; fi
  done
  stop_pidfile "$DIR/etcd/etcd.pid" etcd
  note "cluster in $DIR stopped"
}

cmd_status() {
  set_dir "${1:-}"
  load_env
  local rc=0 i n l=""
  alive "$(pid_of "$DIR/etcd/etcd.pid")" && echo "etcd        running 127.0.0.1:$ETCD_PORT" || { echo "etcd        stopped"; rc=3; }
  l=$(leader || true)
  for n in pg1 pg2; do
    if [[ -n $(patroni_pid "$n") ]]; then
      echo "$n         running 127.0.0.1:$(node_port $n) $([[ $n == "$l" ]] && echo primary || echo standby)"
    else
      echo "$n         stopped"
    fi
  done
  [[ -n $l ]] || rc=3
  for ((i = 1; i <= SERVERS; i++)); do
    if alive "$(pid_of "$DIR/servers/$i/server.pid")"; then echo "server $i    running 127.0.0.1:$(nth "$SERVER_PORTS" "$i")"; else echo "server $i    stopped"; rc=3; fi
  done
  alive "$(pid_of "$DIR/haproxy.pid")" && echo "haproxy     running 127.0.0.1:$FRONT_PORT" || { echo "haproxy     stopped"; rc=3; }
  return $rc
}

cmd_kill_primary() {
  set_dir "${1:-}"
  load_env
  local l pp pm
  l=$(leader) || die "no primary to kill"
  pp=$(patroni_pid "$l") pm=$(postmaster_pid "$l")
  # The whole host goes: Patroni first (so that it cannot restart PostgreSQL
  # or release the leader key), then every PostgreSQL process of the node.
  if [[ -n $pp ]]; then kill -KILL "$pp" 2>/dev/null || true; fi
  stop_pidfile "$DIR/$l.patroni.pid" "runuser of $l" KILL
  if [[ -n $pm ]]; then kill -KILL "$pm" 2>/dev/null || true; pkill -KILL -P "$pm" 2>/dev/null || true; fi
  printf '%s\n' "$l"
}

cmd_start_node() {
  set_dir "${1:-}"
  load_env
  [[ ${2:-} == pg1 || ${2:-} == pg2 ]] || die "start-node DIR pg1|pg2"
  node_up "$2"
}

cmd_kill_server() {
  set_dir "${1:-}"
  load_env
  [[ ${2:-} =~ ^[1-9]$ && $2 -le $SERVERS ]] || die "kill-server DIR N (1..$SERVERS)"
  local p
  p=$(pid_of "$DIR/servers/$2/server.pid")
  alive "$p" || die "server $2 is not running"
  kill -KILL "$p"
  rm -f "$DIR/servers/$2/server.pid"
  note "motcua-server $2 killed"
}

cmd_start_server() {
  set_dir "${1:-}"
  load_env
  [[ ${2:-} =~ ^[1-9]$ && $2 -le $SERVERS ]] || die "start-server DIR N (1..$SERVERS)"
  server_up "$2"
}

cmd_backup() {
  set_dir "${1:-}"
  load_env
  local type=${2:-full}
  [[ $type == full || $type == incr ]] || die "backup DIR [full|incr]"
  as_pg pgbackrest --config="$PG_ROOT/pgbackrest.conf" --stanza="$STANZA" --type="$type" backup ||
    die "pgbackrest backup failed (logs in $PG_ROOT)"
  # The file store: content-addressed and written once, so a copy that
  # keeps what it already has is a consistent increment.
  mkdir -p "$DIR/backup/files"
  cp -a -n "$DIR/data/." "$DIR/backup/files/" 2>/dev/null || true
  as_pg pgbackrest --config="$PG_ROOT/pgbackrest.conf" --stanza="$STANZA" info
}

cmd_restore_drill() {
  set_dir "${1:-}"
  load_env
  local target=${2:-}
  [[ -n $target ]] || die "restore-drill DIR TIME"
  local scratch=$PG_ROOT/drill port
  port=$(free_ports 1)
  as_pg rm -rf "$scratch"
  as_pg mkdir -p "$scratch/data" "$scratch/sock"
  as_pg chmod 700 "$scratch/data" "$scratch/sock"
  as_pg pgbackrest --config="$PG_ROOT/pgbackrest.conf" --stanza="$STANZA" --pg1-path="$scratch/data" \
    --type=time --target="$target" --target-action=promote restore >/dev/null ||
    die "pgbackrest restore failed"
  # a scratch server: no archiving, no replication, its own socket
  as_pg "$PG_BIN/pg_ctl" -D "$scratch/data" -l "$scratch/postgresql.log" -w -t 120 \
    -o "-p $port -c listen_addresses='' -c unix_socket_directories='$scratch/sock' -c archive_mode=off -c hot_standby=on" start >/dev/null ||
    { tail -n 20 "$scratch/postgresql.log" >&2; die "the restored cluster did not start"; }
  local t
  for ((t = 0; t < 600; t++)); do
    [[ $(as_pg psql -X -h "$scratch/sock" -p "$port" -U "$DB_ROLE" -d postgres -Atc "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]] && break
    sleep 0.2
  done
  as_pg psql -X -h "$scratch/sock" -p "$port" -U "$DB_ROLE" -d "$DB_NAME" -Atc "SELECT 'dossiers=' || count(*) FROM dossiers"
  as_pg "$PG_BIN/pg_ctl" -D "$scratch/data" -m fast -w -t 60 stop >/dev/null
  as_pg rm -rf "$scratch"
}

main() {
  [[ $# -gt 0 ]] || { usage >&2; exit 2; }
  local cmd=$1
  shift
  case $cmd in
    -h | --help | help) usage ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    leader) set_dir "${1:-}"; load_env; leader || die "no primary" ;;
    kill-primary) cmd_kill_primary "$@" ;;
    start-node) cmd_start_node "$@" ;;
    kill-server) cmd_kill_server "$@" ;;
    start-server) cmd_start_server "$@" ;;
    backup) cmd_backup "$@" ;;
    restore-drill) cmd_restore_drill "$@" ;;
    psql) set_dir "${1:-}"; shift; load_env; pg_psql -d "$DB_NAME" "$@" ;;
    *) printf '%s: unknown command %s\n' "$PROG" "$cmd" >&2; usage >&2; exit 2 ;;
  esac
}

main "$@"
