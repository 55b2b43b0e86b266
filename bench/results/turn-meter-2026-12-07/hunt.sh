#!/bin/bash
# run fair.sh's upload case once with perf on the server's loop thread
cd /work/main
echo 0 > /proc/self/autogroup
MOTCUA_FAIR_MODES=modelled MOTCUA_FAIR_CASES=${CASES:-upload} bench/fair.sh --quick --rounds 1 --out /var/tmp/pp/hunt.json > /var/tmp/pp/hunt.log 2>&1 &
FP=$!
for i in $(seq 600); do
  SP=$(pgrep -f "motcua-server -c /var/tmp/fair-bench-env/server.conf --max_connections=2000" | head -1)
  [[ -n $SP ]] && break; sleep 0.2
done
echo "server $SP"
perf record -F 999 -g --call-graph dwarf,8192 -t $SP -o /var/tmp/pp/hunt.perf >/dev/null 2>&1 &
PF=$!
wait $FP
kill -INT $PF 2>/dev/null; wait $PF
grep "fair \[" /var/tmp/pp/hunt.log | head -6
python3 -c "
import json;d=json.load(open('/var/tmp/pp/hunt.json'))
for r in d['rounds']: print({k:v for k,v in r['flood_phase'].items() if 'since_start' in k} if 'flood_phase' in r else r.keys())"
