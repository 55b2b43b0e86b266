#!/usr/bin/env bash
# motcua local deployment: a PostgreSQL 15 cluster, a PKI, a server and one
# ready client configuration per unit, all under one directory.
# Run deploy/local.sh --help for the commands.
set -euo pipefail

PROG=${0##*/}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PKI="$REPO/deploy/pki.sh"
BIN_DIR=${MOTCUA_BIN_DIR:-$REPO/build/bin}
PG_BIN=${MOTCUA_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=motcua            # system user owning the cluster when run as root
DB_NAME=motcua            # database name
DB_ROLE=motcua            # PostgreSQL superuser created by initdb
START_TIMEOUT=${MOTCUA_START_TIMEOUT:-30}  # seconds to wait for "ready"
STOP_TIMEOUT=${MOTCUA_STOP_TIMEOUT:-20}    # seconds to wait after SIGTERM

DEF_PORT=7443
DEF_HTTP_PORT=7480
DEF_PG_PORT=15432
DEF_DESK_PORT=8480  # the commune's desk; the district's is the next port
DESK_CENTRE=444 DESK_COMMUNE=18496 # Hương Khê's centre and its first commune

usage() {
  cat <<EOF
Usage: $PROG COMMAND DIR [OPTIONS]

Runs a complete motcua system on this machine under DIR (traffic only on
127.0.0.1 and unix sockets).

Commands:
  up DIR [--port N] [--http-port N] [--pg-port N] [--desk-port N] [--no-desks] [--no-server]
      Create what is missing, start what is stopped:
        - PostgreSQL 15 cluster (initdb from $PG_BIN), unix socket only
          (listen_addresses=''), synchronous_commit=on, wal_compression=lz4,
          checkpoints every 15 min or 4 GB of WAL, database "$DB_NAME";
          see "PostgreSQL location" below;
        - PKI in DIR/pki (deploy/pki.sh): CA, server certificate;
        - DIR/server.conf (absolute paths), then motcua-server --migrate;
        - one certificate and one client config per unit found in the
          database (SELECT code, role FROM units): DIR/units/<code>.conf,
          plus DIR/units/admin.conf for the IT administrator;
        - officer accounts (motcua-server --officers-import): per unit one
          per role (<role>.<unit>) and tester.<unit> holding every role,
          generated passwords in DIR/officers/<login>.pw (0600); once the
          server runs, every unit config is logged in as its tester
          (DIR/units/session-<unit>.token; docs/TESTING.md);
        - the server, in the background (pid DIR/server.pid, output
          DIR/server.log); waits up to ${START_TIMEOUT}s for its "ready" line;
        - two web desks (motcua desk, docs/DESK.md) on 127.0.0.1: the
          commune $DESK_COMMUNE's on --desk-port (default $DEF_DESK_PORT; 0 = free ports)
          and the district centre's on the next port; their addresses are
          printed and kept in DIR/desks/addresses (--no-desks, or
          MOTCUA_DESKS=0 as the tests set it: none).
      Ports (defaults: server $DEF_PORT, http $DEF_HTTP_PORT, PostgreSQL $DEF_PG_PORT)
      are fixed when DIR is created and stored in DIR/local.env.
      --no-server stops after the database, PKI and server.conf (no
      migration, no unit certificates, no server start).
      Before starting anything, up checks that the server's two TCP ports
      are free on 127.0.0.1 (PostgreSQL listens on its socket only) and
      stops with a message if not. If up fails half-way it stops what it
      started itself (server, PostgreSQL); "down DIR" also works after it.
  down DIR            stop the desks and the server (SIGTERM, bounded wait), then PostgreSQL
  start-desks DIR     start the two desks (after a stop-desks)
  stop-desks DIR      stop the desks
  stop-server DIR     stop only the server
  start-server DIR    start only the server (PostgreSQL must be running)
  reload-server DIR   SIGHUP: the server reloads its TLS files (CRL!) and catalogue
  revoke DIR UNIT     revoke UNIT's certificate (pki.sh revoke, new CRL) and reload the
                      server: its live sessions are closed, new connections refused
  renew DIR UNIT      new key + certificate for UNIT (old one revoked), reload the server
  stop-db DIR         stop only PostgreSQL (fault drills: the server stays up)
  start-db DIR        start only PostgreSQL
  status DIR          show what runs; exit 0 if server and database run, 3 if not
  psql DIR [ARGS...]  run psql on the local database
  sweep               remove the clusters left in /var/tmp/motcua-pg-* by DIRs since removed
                      (a cluster goes there when the PostgreSQL user cannot use DIR/pg or the
                      socket path would be too long; "up" sweeps too, and "down" keeps data)

PostgreSQL location:
  The cluster lives in DIR/pg ({data,sock,postgresql.log}). PostgreSQL
  refuses to run as root, so when this script runs as root it creates the
  system user "$PG_USER" (no home, no login shell) and runs initdb/pg_ctl
  as that user with runuser. If that user cannot reach DIR/pg (a parent
  directory is not traversable, e.g. under /root), or the socket path would
  be too long, the cluster is put in /var/tmp/motcua-pg-<hash of DIR>
  instead. The location chosen is recorded in DIR/pg.path.

Environment:
  MOTCUA_BIN_DIR        directory of motcua-server and motcua (default $REPO/build/bin)
  MOTCUA_PG_BIN         PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
  MOTCUA_START_TIMEOUT  seconds to wait for the server's ready line (default 30)
  MOTCUA_STOP_TIMEOUT   seconds to wait for the server to exit on SIGTERM (default 20)
  MOTCUA_PG_TEMPLATE    directory of an initdb template: new clusters are copies of
                        it instead of initdb runs (made by the first; used by the tests)
  MOTCUA_ARGON2_MEMORY_KIB, MOTCUA_ARGON2_ITERATIONS
                        Argon2id cost written into a new server.conf (default 65536, 3;
                        the tests use less so that provisioning is quick)
  MOTCUA_DESKS          0: up starts no desk (the test suite sets it)
  MOTCUA_LOGIN_SKIP     units (space-separated) whose tester up does not log in (a login
                        connects the unit: tests of a never-connected unit)
EOF
}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

is_port() { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

# ------------------------------------------------------------------ state

DIR="" PG_ROOT="" PG_DATA="" PG_SOCK="" PG_LOG=""
PORT="" HTTP_PORT="" PG_PORT=""

set_dir() {
  local d=$1
  [[ -n $d ]] || die "missing DIR"
  [[ $d =~ ^[A-Za-z0-9._/+@,=-]+$ ]] ||
    die "DIR '$d': please use a path made of letters, digits and . _ / + @ , = - only"
  mkdir -p "$d"
  DIR=$(cd "$d" && pwd -P)
  [[ $DIR =~ ^[A-Za-z0-9._/+@,=-]+$ ]] || die "DIR resolves to '$DIR', which has unsupported characters"
}

# local.env: KEY=VALUE lines, read without sourcing.
env_get() { # KEY
  [[ -f $DIR/local.env ]] || return 0
  sed -n "s/^$1=\\([A-Za-z0-9._/+@,=-]*\\)\$/\\1/p" "$DIR/local.env" | tail -n 1
}

load_env() {
  PORT=$(env_get MOTCUA_PORT)
  HTTP_PORT=$(env_get MOTCUA_HTTP_PORT)
  PG_PORT=$(env_get MOTCUA_PG_PORT)
  if [[ -f $DIR/pg.path ]]; then
    PG_ROOT=$(head -n 1 "$DIR/pg.path")
    set_pg_paths
  fi
}

save_env() {
  local tmp
  tmp=$(mktemp "$DIR/local.env.XXXXXX")
  cat >"$tmp" <<EOF
# Written by deploy/local.sh; read by local.sh, demo.sh and tests.
MOTCUA_DIR=$DIR
MOTCUA_PORT=$PORT
MOTCUA_HTTP_PORT=$HTTP_PORT
MOTCUA_PG_PORT=$PG_PORT
MOTCUA_PG_DIR=$PG_ROOT
MOTCUA_PG_SOCK=$PG_SOCK
MOTCUA_DB_CONNINFO=host=$PG_SOCK port=$PG_PORT dbname=$DB_NAME user=$DB_ROLE
EOF
  chmod 644 "$tmp"
  mv -f "$tmp" "$DIR/local.env"
}

set_pg_paths() {
  PG_DATA=$PG_ROOT/data
  PG_SOCK=$PG_ROOT/sock
  PG_LOG=$PG_ROOT/postgresql.log
}

lock_dir() {
  if command -v flock >/dev/null 2>&1; then
    # (the lock fd is closed for every long-lived child: see as_pg, start_server)
    exec 8>>"$DIR/.up.lock"
    flock -w 120 8 || die "another $PROG is working on $DIR"
  fi
}

# ------------------------------------------------------------- PostgreSQL

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command as the cluster owner, from "/" so that an unreadable
# current directory does not bother initdb/pg_ctl.
as_pg() {
  if is_root; then
    (cd / && runuser -u "$PG_USER" -- "$@" 8>&- 9>&-)
  else
    (cd / && "$@" 8>&- 9>&-)
  fi
}

ensure_pg_user() {
  is_root || return 0
  if ! id -u "$PG_USER" >/dev/null 2>&1; then
    command -v useradd >/dev/null || die "useradd not found (install package passwd)"
    useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$PG_USER"
    note "created system user $PG_USER"
  fi
  command -v runuser >/dev/null || die "runuser not found (install package util-linux)"
}

# Clusters in /var/tmp whose DIR is gone (removed after "down", or a test
# killed before its cleanup) are no longer named by that DIR's pg.path:
# removed unless a postmaster of theirs still runs. One without an owner
# file (made before the file was written, or half-made) counts only after a
# day. $1: the cluster being set up now (never touched).
sweep_orphan_clusters() {
  local c owner pid
  for c in /var/tmp/motcua-pg-*; do
    [[ -d $c && ! -L $c && $c != "$1" ]] || continue
    if [[ -f $c/owner ]]; then
      owner=$(head -n 1 "$c/owner")
      [[ -f $owner/pg.path && $(head -n 1 "$owner/pg.path") == "$c" ]] && continue
    else
      [[ -n $(find "$c" -maxdepth 0 -mmin +1440 2>/dev/null) ]] || continue
    fi
    if [[ -f $c/data/postmaster.pid ]]; then
      pid=$(head -n 1 "$c/data/postmaster.pid")
      [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] && continue
    fi
    rm -rf "$c" 2>/dev/null && note "removed the cluster $c (its directory is gone)"
  done
  return 0
}

# Decide where the cluster lives (once) and record it in DIR/pg.path.
choose_pg_root() {
  if [[ -f $DIR/pg.path ]]; then
    PG_ROOT=$(head -n 1 "$DIR/pg.path")
    [[ -n $PG_ROOT ]] || die "$DIR/pg.path is empty"
    set_pg_paths
    return 0
  fi
  local cand=$DIR/pg ok=1
  # unix socket paths are limited to 107 bytes: sock/.s.PGSQL.NNNNN
  if ((${#cand} + 24 > 100)); then ok=0; fi
  if ((ok)); then
    mkdir -p "$cand"
    if is_root; then
      chown "$PG_USER:" "$cand"
      chmod 700 "$cand"
      as_pg test -r "$cand" -a -w "$cand" -a -x "$cand" || ok=0
    fi
    if ((!ok)); then rmdir "$cand" 2>/dev/null || true; fi
  fi
  if ((!ok)); then
    local hash
    hash=$(printf '%s' "$DIR" | sha256sum | cut -c1-12)
    cand=/var/tmp/motcua-pg-$hash
    note "user $PG_USER cannot use $DIR/pg; the cluster goes to $cand"
    sweep_orphan_clusters "$cand"
    if [[ -e $cand ]]; then
      # DIR is new (no pg.path) but an earlier DIR of the same path left a
      # cluster here: it is not ours to reuse (stale data, maybe running).
      note "removing the leftover cluster $cand"
      if [[ -f $cand/data/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$cand/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
      fi
      rm -rf "$cand"
    fi
    mkdir -p "$cand"
    if is_root; then chown "$PG_USER:" "$cand"; fi
    chmod 700 "$cand"
  fi
  PG_ROOT=$cand
  set_pg_paths
  printf '%s\n' "$PG_ROOT" >"$DIR/pg.path"
  # after pg.path: a sweeper that sees the owner also sees pg.path
  if [[ $PG_ROOT == /var/tmp/motcua-pg-* ]]; then printf '%s\n' "$DIR" >"$PG_ROOT/owner"; fi
}

pg_conf() {
  # Settings of this deployment; included from postgresql.conf, rewritten
  # at every start so that the port recorded in local.env is the one used.
  local tmp=$PG_DATA/motcua.conf.tmp
  as_pg tee "$tmp" >/dev/null <<EOF
# Written by deploy/local.sh (rewritten at every start).
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
synchronous_commit = on
fsync = on
max_connections = 100
log_line_prefix = '%m [%p] %q%u@%d '
# Full-page images were 45-76 % of intake's WAL at 0.5-1M dossiers; lz4 stores them at 0.33
# of their size: 0.58x the WAL per dossier (docs/PERFORMANCE.md "WAL per dossier").
wal_compression = lz4
# At full intake the defaults (5 min, 1 GB) checkpointed by WAL volume every 21-46 s, each
# followed by a new image of every page touched: 0.53x the WAL per dossier (same section).
checkpoint_timeout = 15min
max_wal_size = 4GB
EOF
  as_pg mv -f "$tmp" "$PG_DATA/motcua.conf"
}

# Optional initdb template (MOTCUA_PG_TEMPLATE=DIR; the test suite sets it to
# <build>/itest-pg-template): the first cluster made with it is also copied
# to DIR/tpl, never started; later clusters are copies of it instead of
# initdb runs (same binaries, options and owner, checked through DIR/tpl/key).
pg_template_key() {
  printf '%s|%s|%s|UTF8|C.UTF-8|trust\n' "$("$PG_BIN/postgres" -V)" "$DB_ROLE" "$(id -u)"
}

pg_from_template() {
  local t=${MOTCUA_PG_TEMPLATE:-}
  [[ -n $t && -f $t/tpl/data/PG_VERSION && -f $t/tpl/key ]] || return 1
  [[ $(cat "$t/tpl/key") == "$(pg_template_key)" ]] || return 1
  [[ ! -e $PG_DATA ]] || return 1
  if ! cp -a "$t/tpl/data" "$PG_DATA" 2>/dev/null; then
    rm -rf "$PG_DATA"
    return 1
  fi
  note "PostgreSQL cluster $PG_DATA copied from the initdb template $t"
}

pg_save_template() {
  local t=${MOTCUA_PG_TEMPLATE:-} tmp
  [[ -n $t ]] || return 0
  if [[ -e $t/tpl && $(cat "$t/tpl/key" 2>/dev/null) != "$(pg_template_key)" ]]; then
    rm -rf "$t/tpl" # made by other binaries (PostgreSQL upgraded): replaced
  fi
  [[ ! -e $t/tpl ]] || return 0
  mkdir -p "$t" 2>/dev/null && tmp=$(mktemp -d "$t/tpl.XXXXXX" 2>/dev/null) || return 0
  if cp -a "$PG_DATA" "$tmp/data" 2>/dev/null && pg_template_key >"$tmp/key" &&
    mv -T "$tmp" "$t/tpl" 2>/dev/null; then
    note "initdb template saved in $t/tpl"
  else
    rm -rf "$tmp" # another one was quicker, or no space: no template
  fi
}

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_up() {
  [[ -x $PG_BIN/initdb ]] || die "PostgreSQL 15 not found in $PG_BIN (apt-get install postgresql)"
  ensure_pg_user
  choose_pg_root
  # recorded before anything starts, so that "down DIR" finds the cluster
  # even if this "up" fails half-way
  save_env
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    as_pg mkdir -p "$PG_SOCK"
    as_pg chmod 700 "$PG_SOCK"
    if ! pg_from_template; then
      note "initdb $PG_DATA"
      as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$DB_ROLE" --auth-local=trust \
        --auth-host=reject -E UTF8 --locale=C.UTF-8 >"$PG_ROOT/initdb.log" 2>&1 ||
        { tail -n 20 "$PG_ROOT/initdb.log" >&2; die "initdb failed"; }
      printf "\ninclude_if_exists = 'motcua.conf'\n" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
      pg_save_template
    fi
  fi
  if pg_running; then
    note "PostgreSQL already running ($PG_DATA)"
  else
    as_pg mkdir -p "$PG_SOCK"
    pg_conf
    note "starting PostgreSQL on socket $PG_SOCK port $PG_PORT"
    STARTED_PG=1
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null ||
      { tail -n 20 "$PG_LOG" >&2 || true; die "PostgreSQL did not start"; }
  fi
  local have
  have=$(pg_psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [[ $have != 1 ]]; then
    pg_psql -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
    note "created database $DB_NAME"
  fi
}

pg_psql() { # psql ARGS on the local socket as the cluster owner
  as_pg psql -X -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$DB_ROLE" "$@"
}

pg_down() {
  [[ -n $PG_DATA && -f $PG_DATA/PG_VERSION ]] || { note "no PostgreSQL cluster for $DIR"; return 0; }
  if pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
    note "PostgreSQL stopped"
  else
    note "PostgreSQL was not running"
  fi
}

# ---------------------------------------------------------- configuration

write_atomic() { # FILE MODE: content from stdin
  local f=$1 mode=$2 tmp
  tmp=$(mktemp "$f.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$f"
}

write_server_conf() {
  [[ -f $DIR/server.conf ]] && return 0
  # The server runs as the restricted role motcua_app (created by the
  # migrations: no UPDATE/DELETE on the progress log) and migrates as the owner.
  local conninfo="host=$PG_SOCK port=$PG_PORT dbname=$DB_NAME"
  local db_lines="db_conninfo = $conninfo user=motcua_app
db_migrate_conninfo = $conninfo user=$DB_ROLE
pii_key_file = $DIR/pii.key"
  # W8: the HMAC key of citizen ids and phones, outside the database
  [[ -f $DIR/pii.key ]] || (umask 077 && head -c 32 /dev/urandom >"$DIR/pii.key") ||
    die "could not write $DIR/pii.key"
  write_atomic "$DIR/server.conf" 600 <<EOF
# motcua-server configuration written by deploy/local.sh up.
# Every key is described in deploy/motcua-server.conf.example.

[server]
listen_host = 127.0.0.1
listen_port = $PORT
log_level = info
utc_offset_minutes = 420
centre_unit = 444
max_connections = 2000
server_name = motcua-server

[monitor]
# admin HTTP: /metrics /healthz /readyz /api/units and the dashboard at /
http_host = 127.0.0.1
http_port = $HTTP_PORT

[tls]
tls_ca = $DIR/pki/ca.crt
tls_cert = $DIR/pki/server.crt
tls_key = $DIR/pki/server.key
tls_crl = $DIR/pki/crl.pem

[database]
$db_lines
db_pool_size = 16
db_max_queue = 10000

[limits]
max_frame = 1048576
handshake_timeout_ms = 10000
idle_timeout_s = 90
heartbeat_s = 30
max_inflight = 64
list_limit_max = 1000
# Every unit of a local deployment connects from 127.0.0.1 (the demo's 21
# desks at once): the per-address pre-auth share is raised to the total. On
# a real network each desk has its own address: keep the default 16.
max_preauth_per_addr = 256

[files]
data_dir = $DIR/data

[officers]
# Argon2id per password hash (docs/SECURITY.md "Officer accounts"). The
# tests set MOTCUA_ARGON2_MEMORY_KIB / MOTCUA_ARGON2_ITERATIONS lower so
# that their dozen deployments provision quickly; production keeps 65536/3.
argon2_memory_kib = ${MOTCUA_ARGON2_MEMORY_KIB:-65536}
argon2_iterations = ${MOTCUA_ARGON2_ITERATIONS:-3}
EOF
  note "wrote $DIR/server.conf"
}

write_client_conf() { # CODE OFFICER
  local code=$1 officer=$2 f=$DIR/units/$1.conf
  [[ -f $f ]] && return 0
  write_atomic "$f" 600 <<EOF
# motcua client configuration for unit $code, written by deploy/local.sh up.
# Use: motcua -c $f COMMAND ...   (see deploy/motcua.conf.example)

[server]
host = 127.0.0.1
port = $PORT
server_name = motcua-server

[tls]
ca = $DIR/pki/ca.crt
cert = $DIR/pki/units/$code.crt
key = $DIR/pki/units/$code.key
crl = $DIR/pki/crl.pem

[client]
officer = $officer
lang = vi
timeout_s = 15
# the officer session of motcua login (0600; tester.$code is logged in by up)
session = $DIR/units/session-$code.token
EOF
}

# Map the units.role column (text or the numeric mc_role) to a cert role.
map_role() {
  case ${1,,} in
    1 | commune) echo commune ;;
    2 | district | centre | center) echo district ;;
    3 | admin) echo admin ;;
    *) echo "" ;;
  esac
}

issue_units() {
  local rows code role r n=0
  rows=$(pg_psql -d "$DB_NAME" -At -F '|' -c "SELECT code, role FROM units ORDER BY code") ||
    die "could not read the units table (did the migration run?)"
  mkdir -p "$DIR/units"
  chmod 700 "$DIR/units"
  while IFS='|' read -r code role; do
    [[ -n $code ]] || continue
    r=$(map_role "$role")
    if [[ -z $r || ! $code =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$ ]]; then
      note "skipping unit '$code' (role '$role')"
      continue
    fi
    "$PKI" unit "$DIR/pki" "$code" "$r" 2>/dev/null || die "could not issue a certificate for unit $code"
    write_client_conf "$code" "Cán bộ một cửa $code"
    n=$((n + 1))
  done <<<"$rows"
  ((n > 0)) || die "the units table is empty"
  "$PKI" unit "$DIR/pki" admin admin 2>/dev/null || die "could not issue the admin certificate"
  write_client_conf admin "Quản trị hệ thống"
  note "$n unit certificates and configs in $DIR/units (+ admin.conf)"
}

# ---------------------------------------------------------------- officers
# deploy/officers.sh: one officer per role per unit and a tester holding
# every role, passwords in DIR/officers (0600), the testers logged in.
# shellcheck source=deploy/officers.sh
. "$REPO/deploy/officers.sh"
# shellcheck source=deploy/desks.sh
. "$REPO/deploy/desks.sh"

provision_officers() {
  officers_provision "$(server_bin)" "$DIR/server.conf" "$DIR/units" "$DIR/officers" "$DIR/server.log"
}

login_testers() {
  # shellcheck disable=SC2086
  officers_login_testers "$BIN_DIR/motcua" "$DIR/units" "$DIR/officers" "$DIR/login.err" \
    ${MOTCUA_LOGIN_SKIP:-}
}

# ------------------------------------------------------------------ server

server_bin() {
  local b=$BIN_DIR/motcua-server
  [[ -x $b ]] || die "$b not found: build first (cmake -S . -B build && cmake --build build -j2) or set MOTCUA_BIN_DIR"
  printf '%s\n' "$b"
}

# alive PID: the process exists and is not a zombie
alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z ]]
}

# server_pid: prints the pid if DIR/server.pid names a live motcua-server
server_pid() {
  local pid
  [[ -f $DIR/server.pid ]] || return 1
  pid=$(head -n 1 "$DIR/server.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q motcua-server || return 1
  printf '%s\n' "$pid"
}

start_server() {
  local bin pid off waited=0
  bin=$(server_bin)
  [[ -f $DIR/server.conf ]] || die "$DIR/server.conf missing: run $PROG up $DIR"
  if pid=$(server_pid); then
    note "server already running (pid $pid)"
    return 0
  fi
  touch "$DIR/server.log"
  off=$(stat -c %s "$DIR/server.log")
  setsid "$bin" -c "$DIR/server.conf" </dev/null >>"$DIR/server.log" 2>&1 8>&- 9>&- &
  pid=$!
  STARTED_SERVER=$pid
  echo "$pid" >"$DIR/server.pid"
  while :; do
    if tail -c +"$((off + 1))" "$DIR/server.log" | grep -q 'motcua-server ready'; then
      note "server ready (pid $pid, port $PORT, log $DIR/server.log)"
      return 0
    fi
    if ! alive "$pid"; then
      tail -c +"$((off + 1))" "$DIR/server.log" | tail -n 30 >&2
      rm -f "$DIR/server.pid"
      die "motcua-server exited during start-up (log: $DIR/server.log)"
    fi
    if ((waited >= START_TIMEOUT * 10)); then
      tail -c +"$((off + 1))" "$DIR/server.log" | tail -n 30 >&2
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
      rm -f "$DIR/server.pid"
      die "motcua-server not ready after ${START_TIMEOUT}s (log: $DIR/server.log)"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

wait_gone() { # PID TENTHS
  local pid=$1 n=$2 i=0
  while alive "$pid"; do
    ((i >= n)) && return 1
    sleep 0.1
    i=$((i + 1))
  done
  return 0
}

stop_server() {
  local pid
  if ! pid=$(server_pid); then
    rm -f "$DIR/server.pid"
    note "server not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" $((STOP_TIMEOUT * 10)); then
    note "server (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 50 || true
  fi
  rm -f "$DIR/server.pid"
  note "server stopped"
}

run_migrate() {
  local bin
  bin=$(server_bin)
  note "migrating the database"
  if ! timeout 120 "$bin" -c "$DIR/server.conf" --migrate >>"$DIR/server.log" 2>&1; then
    tail -n 30 "$DIR/server.log" >&2
    die "motcua-server --migrate failed (log: $DIR/server.log)"
  fi
}

# ------------------------------------------------------------ ports, undo

# port_taken PORT: something already holds 127.0.0.1:PORT (or *:PORT), so
# the server could not bind it. Same test as the server's: a bind with
# SO_REUSEADDR (TIME_WAIT leftovers do not count). Without python3: ss.
port_taken() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)  # taken
sys.exit(1)' "$1"
  elif command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]
  else
    return 1
  fi
}

# check_ports: before "up" creates or starts anything, the server's ports
# must be free: another deployment on them (e.g. the demo on the defaults)
# would otherwise make the server exit at start-up, after the cluster had
# been made and started.
check_ports() {
  local busy=() what
  server_pid >/dev/null && return 0 # our own server holds them
  port_taken "$PORT" && busy+=("--port $PORT")
  port_taken "$HTTP_PORT" && busy+=("--http-port $HTTP_PORT")
  ((${#busy[@]} == 0)) && return 0
  what=$(printf '%s, ' "${busy[@]}")
  if [[ -n $(env_get MOTCUA_PORT) ]]; then
    die "${what%, }: already in use on 127.0.0.1 (another deployment?); $DIR keeps the ports" \
      "it was created with: stop what holds them, or 'down' and remove $DIR to choose others"
  fi
  die "${what%, }: already in use on 127.0.0.1 (another deployment, e.g. deploy/demo.sh" \
    "on the defaults?): choose free ones with --port N --http-port N --pg-port N"
}

# A failed "up" stops what it started itself (PostgreSQL, the server), so
# that nothing is left running; what was already running stays.
STARTED_PG=0 STARTED_SERVER=""
undo_up() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)); then
    if [[ -n $STARTED_SERVER ]] && alive "$STARTED_SERVER"; then
      kill -TERM "$STARTED_SERVER" 2>/dev/null || true
      wait_gone "$STARTED_SERVER" $((STOP_TIMEOUT * 10)) || kill -KILL "$STARTED_SERVER" 2>/dev/null || true
      rm -f "$DIR/server.pid"
      note "up failed: stopped the server it had started"
    fi
    if ((STARTED_PG)) && [[ -n $PG_DATA ]] && pg_running; then
      as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
      note "up failed: stopped the PostgreSQL cluster it had started ($PG_DATA)"
    fi
  fi
  exit "$rc"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local d="" o_port="" o_http="" o_pg="" no_server=0 desks=${MOTCUA_DESKS:-1} desk_port=$DEF_DESK_PORT
  while [[ $# -gt 0 ]]; do
    case $1 in
      --port) [[ $# -ge 2 ]] || die "--port needs a value"; o_port=$2; shift 2 ;;
      --http-port) [[ $# -ge 2 ]] || die "--http-port needs a value"; o_http=$2; shift 2 ;;
      --pg-port) [[ $# -ge 2 ]] || die "--pg-port needs a value"; o_pg=$2; shift 2 ;;
      --no-server) no_server=1; shift ;;
      --desk-port) [[ $# -ge 2 ]] || die "--desk-port needs a value"; desk_port=$2; shift 2 ;;
      --no-desks) desks=0; shift ;;
      -*) die "up: unknown option $1" ;;
      *) [[ -z $d ]] || die "up: too many arguments"; d=$1; shift ;;
    esac
  done
  local p
  for p in "$o_port" "$o_http" "$o_pg"; do
    [[ -z $p ]] || is_port "$p" || die "bad port '$p'"
  done
  [[ $desk_port == 0 ]] || { is_port "$desk_port" && ((desk_port < 65535)); } ||
    die "bad --desk-port '$desk_port'"
  if ((!no_server)); then server_bin >/dev/null; fi
  set_dir "$d"
  lock_dir
  load_env
  check_fixed() { # NAME STORED GIVEN
    if [[ -n $2 && -n $3 && $2 != "$3" ]]; then
      die "$DIR was set up with $1 $2; use that value, or 'down' and remove $DIR to change it"
    fi
  }
  check_fixed --port "$PORT" "$o_port"
  check_fixed --http-port "$HTTP_PORT" "$o_http"
  check_fixed --pg-port "$PG_PORT" "$o_pg"
  PORT=${PORT:-${o_port:-$DEF_PORT}}
  HTTP_PORT=${HTTP_PORT:-${o_http:-$DEF_HTTP_PORT}}
  PG_PORT=${PG_PORT:-${o_pg:-$DEF_PG_PORT}}
  if ((!no_server)); then check_ports; fi

  trap undo_up EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_up
  save_env
  "$PKI" init "$DIR/pki" 2>/dev/null || die "PKI init failed"
  "$PKI" server "$DIR/pki" 2>/dev/null || die "server certificate failed"
  write_server_conf
  if ((no_server)); then
    trap - EXIT INT TERM
    note "database and PKI ready (--no-server)"
    return 0
  fi
  run_migrate
  issue_units
  provision_officers
  start_server
  login_testers
  if [[ $desks != 0 ]]; then desks_start "$DESK_CENTRE" "$DESK_COMMUNE" "$desk_port" soft; fi
  trap - EXIT INT TERM
  cat >&2 <<EOF
$PROG: up: $DIR
  server      127.0.0.1:$PORT   (log $DIR/server.log)
  PostgreSQL  socket $PG_SOCK port $PG_PORT, database $DB_NAME
  clients     $DIR/units/<code>.conf, e.g. $BIN_DIR/motcua -c $DIR/units/444.conf procedures
EOF
  local u url
  if [[ -f $DIR/desks/addresses ]]; then
    while read -r u url; do
      printf '  desk        %s  unit %s: log in as receiving.%s (password: %s)\n' \
        "$url" "$u" "$u" "$DIR/officers/receiving.$u.pw" >&2
    done <"$DIR/desks/addresses"
  fi
  printf '  stop        %s down %s\n' "$0" "$DIR" >&2
}

need_existing_dir() {
  [[ -n ${1:-} ]] || die "missing DIR"
  [[ -d $1 ]] || die "no such directory: $1"
  set_dir "$1"
  [[ -f $DIR/local.env ]] || die "$DIR was not set up by $PROG up"
  load_env
}

cmd_down() {
  [[ $# -eq 1 ]] || die "usage: $PROG down DIR"
  need_existing_dir "$1"
  lock_dir
  desks_stop
  stop_server
  pg_down
}

cmd_start_desks() {
  [[ $# -eq 1 || $# -eq 2 ]] || die "usage: $PROG start-desks DIR [PORT]"
  need_existing_dir "$1"
  lock_dir
  desks_start "$DESK_CENTRE" "$DESK_COMMUNE" "${2:-$DEF_DESK_PORT}"
}

cmd_stop_desks() {
  [[ $# -eq 1 ]] || die "usage: $PROG stop-desks DIR"
  need_existing_dir "$1"
  lock_dir
  desks_stop
}

cmd_stop_server() {
  [[ $# -eq 1 ]] || die "usage: $PROG stop-server DIR"
  need_existing_dir "$1"
  lock_dir
  stop_server
}

cmd_start_server() {
  [[ $# -eq 1 ]] || die "usage: $PROG start-server DIR"
  need_existing_dir "$1"
  lock_dir
  pg_running || die "PostgreSQL is not running: $PROG up $DIR"
  start_server
}

cmd_stop_db() {
  [[ $# -eq 1 ]] || die "usage: $PROG stop-db DIR"
  need_existing_dir "$1"
  lock_dir
  pg_down
}

cmd_start_db() {
  [[ $# -eq 1 ]] || die "usage: $PROG start-db DIR"
  need_existing_dir "$1"
  lock_dir
  pg_up
}

cmd_reload_server() {
  [[ $# -eq 1 ]] || die "usage: $PROG reload-server DIR"
  need_existing_dir "$1"
  local pid
  pid=$(server_pid) || die "server not running"
  kill -HUP "$pid"
  note "sent SIGHUP to the server (pid $pid)"
}

# revoke / renew: change the PKI, then SIGHUP a running server so that it
# loads the new CRL (and closes sessions whose certificate is revoked).
cmd_pki_change() { # revoke|renew DIR UNIT
  local what=$1
  shift
  [[ $# -eq 2 ]] || die "usage: $PROG $what DIR UNIT"
  need_existing_dir "$1"
  local unit=$2 pid
  [[ -f $DIR/pki/units/$unit.crt ]] || die "no certificate for unit $unit in $DIR/pki/units"
  "$PKI" "$what" "$DIR/pki" "$unit" || die "pki.sh $what $unit failed"
  if pid=$(server_pid); then
    kill -HUP "$pid"
    note "$what $unit: sent SIGHUP to the server (pid $pid)"
  else
    note "$what $unit: server not running (it reads the new CRL when it starts)"
  fi
}

cmd_status() {
  [[ $# -eq 1 ]] || die "usage: $PROG status DIR"
  need_existing_dir "$1"
  local rc=0 pid n
  echo "dir:        $DIR"
  if [[ -n $PG_DATA ]] && pg_running; then
    echo "postgresql: running  (data $PG_DATA, socket $PG_SOCK, port $PG_PORT)"
  else
    echo "postgresql: stopped  (data ${PG_DATA:-none})"
    rc=3
  fi
  if pid=$(server_pid); then
    echo "server:     running  (pid $pid, 127.0.0.1:$PORT, log $DIR/server.log)"
  else
    echo "server:     stopped  (port $PORT)"
    rc=3
  fi
  n=0
  if [[ -d $DIR/units ]]; then
    n=$(find "$DIR/units" -maxdepth 1 -name '*.conf' | wc -l)
  fi
  echo "clients:    $n configs in $DIR/units"
  echo "http:       http://127.0.0.1:$HTTP_PORT/ (dashboard, /metrics, /healthz, /readyz, /api/units)"
  desks_status
  return "$rc"
}

cmd_psql() {
  [[ $# -ge 1 ]] || die "usage: $PROG psql DIR [ARGS...]"
  need_existing_dir "$1"
  shift
  pg_running || die "PostgreSQL is not running: $PROG up $DIR"
  as_pg psql -X -h "$PG_SOCK" -p "$PG_PORT" -U "$DB_ROLE" -d "$DB_NAME" "$@"
}

main() {
  [[ $# -gt 0 ]] || { usage >&2; exit 2; }
  local cmd=$1
  shift
  case $cmd in
    -h | --help | help) usage ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    stop-server) cmd_stop_server "$@" ;;
    start-server) cmd_start_server "$@" ;;
    reload-server) cmd_reload_server "$@" ;;
    revoke | renew) cmd_pki_change "$cmd" "$@" ;;
    stop-db) cmd_stop_db "$@" ;;
    start-db) cmd_start_db "$@" ;;
    status) cmd_status "$@" ;;
    start-desks) cmd_start_desks "$@" ;;
    stop-desks) cmd_stop_desks "$@" ;;
    psql) cmd_psql "$@" ;;
    sweep) [[ $# -eq 0 ]] || die "usage: $PROG sweep"; sweep_orphan_clusters "" ;;
    *) printf '%s: unknown command %s\n' "$PROG" "$cmd" >&2; usage >&2; exit 2 ;;
  esac
}

main "$@"
