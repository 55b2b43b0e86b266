# The web desks of a deployment made on this machine (sourced by
# deploy/local.sh; not a command): one `motcua desk` for the district centre
# and one for a commune (issue 16, docs/DESK.md), each on 127.0.0.1 with its
# own port, its own log and pid file:
#   $DIR/desks/<unit>.log   the desk's log (its first stdout line names its address)
#   $DIR/desks/<unit>.pid
#   $DIR/desks/addresses    "<unit> <url>" per desk, for demo.sh and people
# A desk keeps running while the server stops and starts (it is the unit's
# resident link and keeps receiving offline); `down` stops it.
# The caller defines die, note, alive, BIN_DIR, DIR, START_TIMEOUT, STOP_TIMEOUT.

# desk_pid UNIT: the pid of a live desk of UNIT started here
desk_pid() {
  local f=$DIR/desks/$1.pid pid
  [[ -f $f ]] || return 1
  pid=$(head -n 1 "$f")
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q ' desk' || return 1
  printf '%s\n' "$pid"
}

# desk_start UNIT PORT: start the desk (PORT 0 = a free port) and wait for
# the line with its address
desk_start() {
  local u=$1 port=$2 log=$DIR/desks/$1.log pid off waited=0 url
  mkdir -p "$DIR/desks"
  if pid=$(desk_pid "$u"); then
    note "desk of $u already running (pid $pid)"
    return 0
  fi
  [[ -f $DIR/units/$u.conf ]] || die "no client configuration for unit $u"
  touch "$log"
  off=$(stat -c %s "$log")
  setsid "$BIN_DIR/motcua" -c "$DIR/units/$u.conf" desk --port "$port" \
    </dev/null >>"$log" 2>&1 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$DIR/desks/$u.pid"
  while :; do
    url=$(tail -c +"$((off + 1))" "$log" | sed -n 's/^desk: \(http[^ ]*\).*/\1/p' | head -n 1)
    if [[ -n $url ]]; then
      printf '%s %s\n' "$u" "$url" >>"$DIR/desks/addresses"
      note "desk of unit $u: $url (pid $pid, log $log)"
      return 0
    fi
    if ! alive "$pid"; then
      tail -c +"$((off + 1))" "$log" | tail -n 20 >&2
      rm -f "$DIR/desks/$u.pid"
      die "the desk of unit $u exited during start-up (log: $log)"
    fi
    ((waited >= START_TIMEOUT * 10)) && die "the desk of unit $u did not start in ${START_TIMEOUT}s (log: $log)"
    sleep 0.1
    waited=$((waited + 1))
  done
}

# desks_start CENTRE COMMUNE PORT [soft]: the district's desk on PORT+1 and
# the commune's on PORT (both free ports when PORT is 0). With "soft" (local.sh
# up) a desk that cannot start (its port taken...) is a warning: the server,
# the database and the CLI are up and usable without it.
desks_start() {
  local centre=$1 commune=$2 port=$3 soft=${4:-} u p
  mkdir -p "$DIR/desks"
  rm -f "$DIR/desks/addresses"
  for u in "$commune" "$centre"; do
    p=$port
    if [[ $u == "$centre" && $port != 0 ]]; then p=$((port + 1)); fi
    if [[ -n $soft ]]; then
      (desk_start "$u" "$p") || note "warning: no desk for unit $u (see $DIR/desks/$u.log); try: $PROG start-desks $DIR PORT"
    else
      desk_start "$u" "$p"
    fi
  done
}

desks_stop() {
  local f u pid
  for f in "$DIR"/desks/*.pid; do
    [[ -e $f ]] || continue
    u=$(basename "$f" .pid)
    if pid=$(desk_pid "$u"); then
      kill -TERM "$pid" 2>/dev/null || true
      if ! wait_gone "$pid" $((STOP_TIMEOUT * 10)); then
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 50 || true
      fi
      note "desk of $u stopped"
    fi
    rm -f "$f"
  done
  rm -f "$DIR/desks/addresses"
}

desks_status() {
  local f u pid
  [[ -f $DIR/desks/addresses ]] || { echo "desks:      none"; return 0; }
  while read -r u url; do
    if pid=$(desk_pid "$u"); then
      echo "desk:       running  (unit $u, $url, pid $pid)"
    else
      echo "desk:       stopped  (unit $u, was $url)"
    fi
  done <"$DIR/desks/addresses"
}
