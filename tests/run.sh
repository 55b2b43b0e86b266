#!/usr/bin/env bash
# motcua test runner (quick-start command 2).
#
#   tests/run.sh [--no-asan] [--no-fuzz] [--fuzz-seconds S] [--no-install] [-j N]
#
# 1. installs the Debian packages of deploy/packages.txt that are missing;
# 2. builds into build/ and runs ctest there (the ctest fixtures bring up
#    PostgreSQL and the server with deploy/local.sh);
# 3. unless --no-asan: builds with -DMC_SANITIZE=ON into build-asan/ and runs
#    ctest there too (ASAN_OPTIONS=detect_leaks=1), all but the tests
#    labelled no_asan (timing, load, outside engines: docs/TESTING.md);
# 4. unless --no-fuzz: builds the libFuzzer targets of fuzz/ with clang into
#    build-fuzz/ and runs each for S seconds (default 20: a regression run of
#    the committed corpus plus a short search; the long campaigns run outside
#    CI, docs/TESTING.md "Fuzzing") on a copy of its
#    seed corpus; a crash counts as a failed test, a clean run as a passed one;
# 5. ends with where the time went (one line per phase) and one line
#    "tests: N passed, M failed" summing every run, and exits non-zero if
#    anything failed (a failed build counts as one failure).
# JUnit reports are left in build*/ctest-junit.xml (per-test times).
# Every test takes free ports and cleans up after itself, so this can run
# beside deploy/demo.sh (docs/TESTING.md).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"

asan=1 install=1 jobs=2 fuzz=1 fuzz_seconds=20
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-asan) asan=0; shift ;;
    --no-install) install=0; shift ;;
    --no-fuzz) fuzz=0; shift ;;
    --fuzz-seconds) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: bad --fuzz-seconds" >&2; exit 2; }; fuzz_seconds=$2; shift 2 ;;
    -j) [[ $# -ge 2 ]] || { echo "run.sh: -j needs a value" >&2; exit 2; }; jobs=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: bad -j $jobs" >&2; exit 2; }

total_pass=0 total_fail=0

log() { printf '\n=== %s\n' "$*"; }

# phase NAME: ends the running phase (if any) and starts NAME; the times are
# printed at the end ("where the time went").
START=$SECONDS phase_name="" phase_start=$SECONDS
TIMES=()
phase() {
  if [[ -n $phase_name ]]; then
    TIMES+=("$(printf '%5d s  %s' $((SECONDS - phase_start)) "$phase_name")")
  fi
  phase_name=$1 phase_start=$SECONDS
}

if ((install)); then
  log "packages"
  phase "packages"
  deploy/install-deps.sh
fi

# ctest_counts FILE: prints "PASSED FAILED" from ctest's summary line
# ("NN% tests passed, M tests failed out of T"); nothing if there is none.
ctest_counts() {
  sed -n 's/^[0-9]*% tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$1" |
    tail -n 1 | { read -r f t && echo "$((t - f)) $f"; } || true
}

# suite NAME BUILD_DIR [CMAKE_ARGS...]
suite() {
  local name=$1 dir=$2
  shift 2
  log "$name: configure + build ($dir)"
  phase "$name: configure + build"
  # one configure + build per directory at a time (deploy/build.sh locks
  # it): deploy/demo.sh builds build/ too when the README's two commands run
  # side by side
  if ! deploy/build.sh -j "$jobs" "$dir" "$@"; then
    echo "run.sh: $name: BUILD FAILED" >&2
    total_fail=$((total_fail + 1))
    return 0
  fi
  log "$name: ctest"
  phase "$name: ctest"
  local out=$dir/ctest-output.txt rc=0 counts p f
  # one test per job: two per core was tried (docs/TESTING.md) and on shared
  # cores pushed CPU-bound tests past their timeouts
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 \
    --output-junit ctest-junit.xml ${CTEST_EXTRA:+$CTEST_EXTRA} 2>&1 | tee "$out" || rc=$?
  counts=$(ctest_counts "$out")
  if [[ -z $counts ]]; then
    if grep -q "No tests were found" "$out"; then
      echo "run.sh: $name: no tests found" >&2
    fi
    counts="0 $((rc != 0 ? 1 : 0))"
  fi
  read -r p f <<<"$counts"
  if ((rc != 0 && f == 0)); then f=1; fi
  echo "run.sh: $name: $p passed, $f failed"
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

suite "default build" build -DCMAKE_BUILD_TYPE=RelWithDebInfo

if ((asan)); then
  lsan=1
  # LeakSanitizer needs ptrace; some containers forbid it. Probe once.
  probe=$(mktemp -d)
  printf 'int main(void){return 0;}\n' >"$probe/p.c"
  if cc -fsanitize=address -o "$probe/p" "$probe/p.c" 2>/dev/null &&
    ! ASAN_OPTIONS=detect_leaks=1 "$probe/p" >/dev/null 2>&1; then
    echo "run.sh: LeakSanitizer does not work here (ptrace restricted?): detect_leaks=0" >&2
    lsan=0
  fi
  rm -rf "$probe"
  export ASAN_OPTIONS="detect_leaks=$lsan:abort_on_error=0:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  # the tests labelled no_asan run in the default build only (docs/TESTING.md)
  CTEST_EXTRA="-LE no_asan" suite "sanitizer build (ASan+UBSan)" build-asan \
    -DCMAKE_BUILD_TYPE=Debug -DMC_SANITIZE=ON
fi

# fuzz_target NAME: run one libFuzzer target for a bounded time.
fuzz_target() {
  local t=$1 work
  work=$(mktemp -d)
  cp fuzz/corpus/"${t#fuzz_}"/* "$work"/
  if timeout $((fuzz_seconds + 120)) build-fuzz/bin/"$t" "$work" -max_total_time="$fuzz_seconds" \
    -rss_limit_mb=2048 -artifact_prefix=build-fuzz/ >build-fuzz/"$t".log 2>&1; then
    echo "run.sh: fuzz: $t: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' build-fuzz/"$t".log | tail -n 1)"
    total_pass=$((total_pass + 1))
  else
    echo "run.sh: fuzz: $t FAILED (build-fuzz/$t.log, artifacts in build-fuzz/)" >&2
    tail -n 30 build-fuzz/"$t".log >&2
    total_fail=$((total_fail + 1))
  fi
  rm -rf "$work"
}

if ((fuzz)); then
  log "fuzz: build (clang, libFuzzer + ASan/UBSan) and run ${fuzz_seconds}s per target"
  phase "fuzz: build"
  if CC=clang deploy/build.sh -j "$jobs" build-fuzz -DMC_FUZZ=ON -DMC_SANITIZE=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=Debug -- fuzz_frame fuzz_request fuzz_upload fuzz_http_host fuzz_find fuzz_config fuzz_desk_api; then
    phase "fuzz: run (${fuzz_seconds} s per target, up to $jobs at a time)"
    # The targets are independent single-process runs of a fixed length:
    # up to -j of them at once (each still gets its full time).
    fuzz_targets=(fuzz_frame fuzz_request fuzz_upload fuzz_http_host fuzz_find fuzz_config fuzz_desk_api)
    fuzz_pids=()
    for t in "${fuzz_targets[@]}"; do
      fuzz_target "$t" >"build-fuzz/$t.result" 2>&1 &
      fuzz_pids+=($!)
      while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
    done
    for i in "${!fuzz_targets[@]}"; do
      t=${fuzz_targets[$i]}
      wait "${fuzz_pids[$i]}" || true
      cat "build-fuzz/$t.result"
      if grep -q '^run.sh: fuzz: .* FAILED' "build-fuzz/$t.result"; then
        total_fail=$((total_fail + 1))
      else
        total_pass=$((total_pass + 1))
      fi
    done
  else
    echo "run.sh: fuzz: BUILD FAILED" >&2
    total_fail=$((total_fail + 1))
  fi
fi

phase ""
echo
echo "where the time went (wall clock; docs/TESTING.md):"
printf '  %s\n' "${TIMES[@]}"
printf '%7d s  total\n' $((SECONDS - START))
echo "tests: $total_pass passed, $total_fail failed"
((total_fail == 0))
