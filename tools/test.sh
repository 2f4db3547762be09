#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the
# default test suite twice: an optimised build, then AddressSanitizer +
# UndefinedBehaviorSanitizer. Set KEYLEDGER_SKIP_SANITIZERS=1 to run only the
# first pass while iterating locally (CI always runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs="$(nproc)"

tools/build.sh release
(cd build && ctest --output-on-failure --parallel "$jobs" --timeout 600)

if [[ "${KEYLEDGER_SKIP_SANITIZERS:-0}" != "1" || "${CI:-}" == "true" ]]; then
  tools/build.sh asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-asan && ctest --output-on-failure --parallel "$jobs" --timeout 900)
fi
