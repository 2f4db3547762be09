#!/usr/bin/env bash
# Configures and builds one flavour of the tree.
#   tools/build.sh [release|asan|fuzz] [extra cmake args...]
# release: optimised with debug info; asan: AddressSanitizer + UBSan;
# fuzz: clang-14 libFuzzer targets with ASan + UBSan (folder build-fuzz,
# builds only the fuzzers; run them with tools/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
targets=()
shift || true
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DKEYLEDGER_SANITIZE=ON) ;;
  # Optimised (fuzzing wants executions per second) but with asserts and
  # debug info for readable reports. Warnings stay warnings: the project's
  # warning-clean compiler is g++, and clang's extra warnings must not block
  # a fuzz run.
  fuzz) dir=build-fuzz
        args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKEYLEDGER_FUZZ=ON -DKEYLEDGER_WERROR=OFF
              -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14)
        targets=(--target keyledger_fuzzers) ;;
  *) echo "build: unknown flavour '$flavour' (release|asan|fuzz)" >&2; exit 2 ;;
esac
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Paths relative to the checkout, so every build folder and clone shares the cache.
export CCACHE_BASEDIR="$PWD"
# With -g, ccache also hashes the working folder (for the debug info), so
# without this a second clone never hits the first one's cache.
export CCACHE_NOHASHDIR=1
cmake -S . -B "$dir" -G Ninja "${args[@]}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
