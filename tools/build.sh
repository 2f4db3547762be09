#!/usr/bin/env bash
# Configures and builds one flavour of the tree.
#   tools/build.sh [release|asan] [extra cmake args...]
# release: optimised with debug info; asan: AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
shift || true
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DKEYLEDGER_SANITIZE=ON) ;;
  *) echo "build: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
esac
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Paths relative to the checkout, so every build folder and clone shares the cache.
export CCACHE_BASEDIR="$PWD"
cmake -S . -B "$dir" -G Ninja "${args[@]}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$dir" --parallel "$(nproc)"
