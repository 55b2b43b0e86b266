#!/usr/bin/env bash
# Years of data (issue 19): the screens and intake on a database of years.
#
#   bench/years.sh [--quick] [--db DIR] [--fill] --out F.json [years_screens.py options]
#
# --fill first fills DIR through the server's SQL functions
# (bench/years_gen.py; 1,000,000 dossiers, --quick 100,000; a stopped fill
# continues), then runs bench/years_screens.py on it: every screen's p50/p99
# as a commune and as the district beside the same statements run directly
# (ratio motcua/psql, absolute p99 beside the 50 ms target), and intake at
# 64 clients beside an empty deployment (target within 10%). DIR defaults
# to /var/tmp/years-1m (--quick: /var/tmp/years-100k), its empty twin DIR-empty;
# ports below (MOTCUA_YEARS_PORT_BASE). Runs under nice -n 10.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
QUICK=() DB="" FILL=0 REST=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=(--quick); shift ;;
    --db) DB=$2; shift 2 ;;
    --fill) FILL=1; shift ;;
    *) REST+=("$1"); shift ;;
  esac
done
if [[ -z $DB ]]; then
  if ((${#QUICK[@]})); then DB=/var/tmp/years-100k; else DB=/var/tmp/years-1m; fi
fi
# the 1M deployment on 45000-45002 (its empty twin +20), the quick one on 45030-45032 (+20)
if ((${#QUICK[@]})); then BASE=${MOTCUA_YEARS_PORT_BASE:-45030}; else BASE=${MOTCUA_YEARS_PORT_BASE:-45000}; fi
if ((FILL)); then
  nice -n 10 python3 "$HERE/years_gen.py" --db "$DB" --port-base "$BASE" "${QUICK[@]}" >&2
fi
exec nice -n 10 python3 "$HERE/years_screens.py" --db "$DB" --port-base "$BASE" \
  --empty "$DB-empty" "${QUICK[@]}" "${REST[@]}"
