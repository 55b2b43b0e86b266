#!/bin/bash
# A/B: handshake budget 8 (build-bench) vs none (build-bench-hs0) under fair.sh's storm case, alternating
cd /work/main
echo 0 > /proc/self/autogroup
for c in 1 2 3; do
  for b in hs0 hs8; do
    d=build-bench; [[ $b == hs0 ]] && d=build-bench-hs0
    MOTCUA_BENCH_BUILD=/work/main/$d MOTCUA_FAIR_CASES=storm MOTCUA_FAIR_MODES=modelled \
      bench/fair.sh --quick --rounds 2 --out /var/tmp/pp/hsab-$b-$c.json > /var/tmp/pp/hsab-$b-$c.log 2>&1
    echo "$b $c: $(grep 'fair \[' /var/tmp/pp/hsab-$b-$c.log | head -1)"
    grep 'third phase' /var/tmp/pp/hsab-$b-$c.log | sed 's/.*loop turns/  turns/'
  done
done
echo done
