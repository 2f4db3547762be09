#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the
# default test suite twice: an optimised build, then AddressSanitizer +
# UndefinedBehaviorSanitizer. Set KEYLEDGER_SKIP_SANITIZERS=1 to run only the
# first pass while iterating locally (CI always runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs="$(nproc)"

# Runs ctest in build folder $1 with per-test timeout $2. A test that cannot
# run here reports itself skipped (tests/support/skip.h). As root, a skip
# fails the run: CI runs as root with everything the scripts install, so
# there nothing may be skipped; elsewhere (no root for a tmpfs) it is listed.
run_ctest() {
  local log="$1/ctest-output.log"
  (cd "$1" && ctest --output-on-failure --parallel "$jobs" --timeout "$2") | tee "$log"
  if grep -q '(Skipped)' "$log"; then
    if [[ $(id -u) -eq 0 ]]; then
      echo "test: tests were skipped in $1 (see '(Skipped)' above); as root every test must run" >&2
      exit 1
    fi
    echo "test: some tests were skipped in $1 (see '(Skipped)' above): run as root to run them" >&2
  fi
}

tools/build.sh release
run_ctest build 600

if [[ "${KEYLEDGER_SKIP_SANITIZERS:-0}" != "1" || "${CI:-}" == "true" ]]; then
  tools/build.sh asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_ctest build-asan 900
fi
