#!/bin/sh
# libmotcua-client never prints: none of its objects may reference stdout,
# stderr or the functions that write to them (ctest: client_lib_no_print).
# A front-end prints; the library returns results and mc_client_error.
# Usage: no_print.sh path/to/libmotcua-client.a
set -eu
lib=$1
banned=' (stdout|stderr|printf|vprintf|puts|putchar|perror|__printf_chk|__vprintf_chk)$'
# one pass over nm's output (a process per symbol took ~30 s on a loaded machine)
found=$(nm -A --undefined-only "$lib" | awk '{print $1, $NF}' | grep -E "$banned" || true)
if [ -n "$found" ]; then
  echo "libmotcua-client prints:"
  echo "$found"
  exit 1
fi
echo "libmotcua-client: no reference to stdout/stderr/printf/puts in $(ar t "$lib" | wc -l) objects"
