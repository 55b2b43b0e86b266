#!/bin/bash
set -u
ENVD=/var/tmp/pp/env; PORT=46100; PKI=$ENVD/pki; NEW=/work/main/build-bench/bin; OLD=/var/tmp/wt-head/build-bench/bin
UNITS=$(ls $PKI/units/*.crt | xargs -n1 basename | sed 's/\.crt$//' | grep -v '^00' | paste -sd,)
for v in old new old new; do
  [[ $v == old ]] && B=$OLD || B=$NEW
  "$B/motcua-server" -c "$ENVD/server.conf" --max_connections=20000 --heartbeat_s=30 --idle_timeout_s=90 \
    --max_connections_per_unit=20000 --rate_limit_rps=1000000 --rate_burst=1000000 \
    --ping_rate_rps=1000000 --ping_burst=1000000 --max_preauth=20000 --max_preauth_per_addr=20000 \
    </dev/null >/var/tmp/pp/server.log 2>&1 &
  SP=$!
  for i in $(seq 100); do grep -q 'motcua-server ready' /var/tmp/pp/server.log && break; sleep 0.1; done
  ( sleep 2; perf stat -x, -e syscalls:sys_enter_clock_gettime,raw_syscalls:sys_enter,task-clock -p $SP -o /var/tmp/pp/stat-$v.txt -- sleep 4 ) &
  PS=$!
  j=$("$NEW/motcua-bench" ping --port $PORT --sessions $ENVD/units --ca $PKI/ca.crt --pki $PKI --units $UNITS --clients 64 --warmup 1 --duration 6)
  wait $PS
  ok=$(sed 's/.*"ok":\([0-9]*\).*/\1/' <<<"$j"); secs=$(sed 's/.*"seconds":\([0-9.]*\).*/\1/' <<<"$j")
  echo "$v rate=$(python3 -c "print(round($ok/$secs))") $(grep -v '^#' /var/tmp/pp/stat-$v.txt | grep -v '^$' | cut -d, -f1,3 | tr '\n' ' ')"
  kill $SP; wait $SP
done
