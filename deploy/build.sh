#!/usr/bin/env bash
# deploy/build.sh [-j N] [-q] DIR [CMAKE_ARGS...] [-- TARGET...]
#
# Configures and builds this source tree in DIR (cmake -S <repo> -B DIR
# CMAKE_ARGS, then cmake --build DIR -jN [--target TARGET...]) while
# holding DIR/.build.lock (flock). deploy/demo.sh, tests/run.sh and the
# benches build through this script: the README runs the demo and the test
# suite side by side, both on build/, and two cmake runs in one directory at
# once break each other's build (the second waits here, then finds the
# build up to date). -j: parallel jobs (default 2); -q: cmake's own output
# goes to DIR/build.log (the last 30 lines are printed on failure).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
jobs=2 quiet=0
while [[ $# -gt 0 ]]; do
  case $1 in
    -j) jobs=$2; shift 2 ;;
    -q) quiet=1; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[[ $# -ge 1 ]] || { echo "build.sh: usage: build.sh [-j N] [-q] DIR [CMAKE_ARGS...] [-- TARGET...]" >&2; exit 2; }
dir=$1
shift
cmake_args=() targets=()
while [[ $# -gt 0 && $1 != -- ]]; do cmake_args+=("$1"); shift; done
[[ $# -eq 0 ]] || { shift; targets=("$@"); }
mkdir -p "$dir"
exec 9>>"$dir/.build.lock"
flock -w 3600 9 || { echo "build.sh: $dir stayed locked for an hour" >&2; exit 1; }
build() {
  cmake -S "$REPO" -B "$dir" "${cmake_args[@]}" &&
    cmake --build "$dir" -j"$jobs" ${targets[@]:+--target "${targets[@]}"}
}
if ((quiet)); then
  build >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; echo "build.sh: build failed in $dir" >&2; exit 1; }
else
  build
fi
