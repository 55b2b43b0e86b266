#!/bin/bash
# A/B of two server builds: ping@64 CPU per ping and p99 vs the echo, alternating
set -u
NEW=/work/main/build-bench/bin; OLD=/var/tmp/wt-head/build-bench/bin; ENVD=/var/tmp/pp/env
PORT=46100; ECHO=46103; PKI=$ENVD/pki; D=${D:-8}; CYC=${CYC:-4}
UNITS=$(ls $PKI/units/*.crt | xargs -n1 basename | sed 's/\.crt$//' | grep -v '^00' | paste -sd,)
"$NEW/motcua-tls-echo" --port $ECHO --ca "$PKI/ca.crt" --cert "$PKI/server.crt" --key "$PKI/server.key" --max-seconds 1800 >/var/tmp/pp/echo.log 2>&1 &
EP=$!
tick() { awk '{print $14 + $15}' /proc/$1/stat; }
for c in $(seq $CYC); do for v in old new; do
  [[ $v == old ]] && B=$OLD || B=$NEW
  "$B/motcua-server" -c "$ENVD/server.conf" --max_connections=20000 --heartbeat_s=30 --idle_timeout_s=90 \
    --max_connections_per_unit=20000 --rate_limit_rps=1000000 --rate_burst=1000000 \
    --ping_rate_rps=1000000 --ping_burst=1000000 --max_preauth=20000 --max_preauth_per_addr=20000 \
    </dev/null >/var/tmp/pp/server-$v.log 2>&1 &
  SP=$!
  for i in $(seq 100); do grep -q 'motcua-server ready' /var/tmp/pp/server-$v.log && break; sleep 0.1; done
  t0=$(tick $SP)
  j=$("$NEW/motcua-bench" ping --port $PORT --sessions $ENVD/units --ca $PKI/ca.crt --pki $PKI --units $UNITS --clients 64 --warmup 1 --duration $D)
  t1=$(tick $SP)
  e0=$(tick $EP)
  k=$("$NEW/motcua-bench" ping --echo --port $ECHO --ca $PKI/ca.crt --pki $PKI --units $UNITS --clients 64 --warmup 1 --duration $D)
  e1=$(tick $EP)
  kill $SP; wait $SP 2>/dev/null
  python3 - "$v" "$c" "$j" "$k" $((t1-t0)) $((e1-e0)) <<'PY'
import json,sys
v,c,j,k,st,et=sys.argv[1],sys.argv[2],json.loads(sys.argv[3]),json.loads(sys.argv[4]),int(sys.argv[5]),int(sys.argv[6])
print(json.dumps({"v":v,"cycle":int(c),"ok":j["ok"],"p99":j["p99_ms"],"echo_ok":k["ok"],"echo_p99":k["p99_ms"],
 "ratio":round(j["p99_ms"]/k["p99_ms"],3),"us_per_ping":round(st*1e4/j["ok"],2),"echo_us_per_ping":round(et*1e4/k["ok"],2)}))
PY
done; done
kill $EP; wait $EP 2>/dev/null
