#!/usr/bin/env bash
# deploy/cluster/*.example load in the tools they are for: HAProxy's config
# check, Patroni's validator (listen addresses moved to free loopback ports:
# the validator binds them; connect addresses stay as written), and the
# motcua [database] snippet within the configuration line limit.
set -euo pipefail
SRC=${1:?source dir}
D=$SRC/deploy/cluster
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
haproxy -c -q -f "$D/haproxy.cfg.example" || { echo "haproxy.cfg.example: invalid"; fail=1; }
read -r p1 p2 < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
sed -e "s/listen: 10.0.0.11:8008/listen: 127.0.0.1:$p1/" \
    -e "s/listen: 10.0.0.11:5432/listen: 127.0.0.1:$p2/" "$D/patroni.yml.example" >"$tmp/p.yml"
grep -q "127.0.0.1:$p1" "$tmp/p.yml" || { echo "patroni.yml.example: restapi.listen moved?"; fail=1; }
patroni --validate-config "$tmp/p.yml" || { echo "patroni.yml.example: invalid"; fail=1; }
if awk 'length($0) > 198 { print FILENAME ":" FNR ": longer than 198 bytes"; bad=1 } END { exit bad }' \
  "$D/motcua-server-db.conf.example"; then :; else fail=1; fi
((fail == 0)) && echo "cluster examples: ok"
exit $fail
