#!/usr/bin/env bash
# The long reliability suites (the default test run has short smoke
# versions of each):
#   crash   keyledger_crash_loop: SIGKILL keyledgerd mid-traffic, >= 20 cycles;
#           fails on any acknowledged change lost or half-applied change
#   faults  the storage fault tests (full disk on a tmpfs, read-only folder;
#           need root to mount)
#   soak    keyledger_soak: 10 minutes read-only (verify and list), then 10
#           minutes of mixed load (0.5% changes); errors, p99, memory. The
#           mixed soak's memory check fails today: RocksDB memtables grow
#           with every change until their 64 MiB flush (see
#           docs/reliability/crash-faults-soak.md)
#   cluster the cluster chaos run (tests/cluster/chaos.h): a keyledgerd leader
#           and two followers on a 3-node NATS cluster, >= 20 cycles of kill
#           -9 (a NATS node, the stream's leader node, the keyledger leader,
#           a follower) and restart with writes and verifications in flight,
#           the invariants checked after each cycle; needs nats-server
#           (skipped without it)
#
#   tools/reliability.sh [--only crash|faults|soak|cluster] [--cycles N] [--soak-seconds N]
#                        [--seed N]
# --cycles is the crash loop's and the chaos run's; --seed repeats a chaos
# run (each prints its seed).
# Builds what it needs in build/ (release) first. Exits non-zero if any
# suite failed.
set -euo pipefail
cd "$(dirname "$0")/.."
only="" cycles=25 soak_seconds=600 seed=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --cycles) cycles="$2"; shift 2 ;;
    --soak-seconds) soak_seconds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    *) echo "reliability: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$only" in ""|crash|faults|soak|cluster) ;;
  *) echo "reliability: --only crash|faults|soak|cluster" >&2; exit 2 ;;
esac
[[ "$cycles" =~ ^[1-9][0-9]*$ ]] || { echo "reliability: --cycles must be a positive number" >&2; exit 2; }
[[ -z "$seed" || "$seed" =~ ^[0-9]+$ ]] || { echo "reliability: --seed must be a number" >&2; exit 2; }

export CCACHE_BASEDIR="$PWD"
# With -g, ccache also hashes the working folder (for the debug info), so
# without this a second clone never hits the first one's cache.
export CCACHE_NOHASHDIR=1
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build build --parallel "$(nproc)" --target keyledgerd keyledger keyledger_crash_loop \
  keyledger_soak keyledger_reliability_tests keyledger_cluster_tests

failed=0
run() {
  echo "== $1 ($(date -u +%H:%M:%S) UTC, load: $(cut -d' ' -f1-3 /proc/loadavg))"
  shift
  local status=0
  "$@" || status=$?
  case $status in
    0) echo "== passed" ;;
    77) echo "== SKIPPED (see above)" ;;
    *) echo "== FAILED"; failed=1 ;;
  esac
}
[[ -z "$only" || "$only" == crash ]] &&
  run "crash loop, $cycles cycles" build/tests/reliability/keyledger_crash_loop \
    --cycles "$cycles" --workers 8 --min-run-ms 1000 --max-run-ms 4000
[[ -z "$only" || "$only" == faults ]] &&
  run "storage faults" build/tests/reliability/keyledger_reliability_tests '[faults]'
if [[ -z "$only" || "$only" == soak ]]; then
  run "read-only soak, $soak_seconds s" build/tests/reliability/keyledger_soak \
    --seconds "$soak_seconds" --interval 10 --warmup 120 --workers 4 --changes-per-10k 0
  run "mixed soak, $soak_seconds s" build/tests/reliability/keyledger_soak \
    --seconds "$soak_seconds" --interval 10 --warmup 120 --workers 4
fi
[[ -z "$only" || "$only" == cluster ]] &&
  run "cluster chaos, $cycles cycles" env KEYLEDGER_CHAOS_CYCLES="$cycles" \
    ${seed:+KEYLEDGER_CHAOS_SEED="$seed"} build/tests/cluster/keyledger_cluster_tests '[chaos_long]'
exit "$failed"
