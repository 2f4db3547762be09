#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (built by `tools/build.sh fuzz`,
# clang-14 + ASan + UBSan) and prints executions, time and findings per
# target.
#
#   tools/fuzz.sh                 every target, 10,000,000 executions each
#   tools/fuzz.sh --smoke         every target for 20 s (a quick check)
#   tools/fuzz.sh --runs N        N executions per target
#   tools/fuzz.sh --max-seconds S stop each target after S seconds
#   tools/fuzz.sh --jobs J        fuzz J targets at the same time (default 1)
#   tools/fuzz.sh --only T[,T..]  only these targets (e.g. --only token,json_body)
#   tools/fuzz.sh --no-build      use the fuzzers already in build-fuzz
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>)
# plus what earlier runs found (build-fuzz/fuzz-work/<target>/corpus, never
# committed). A crash, leak, timeout or out-of-memory input is copied to
# tests/fuzz/regressions/<target>/, where the fuzz_replay_<target> ctest
# test replays it in every build from then on. Exit status 1 on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(token json_body http_request verify_frame event_codec record_codec ledger_tool)
runs=10000000
max_seconds=0
jobs=1
only=""
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) runs=0; max_seconds=20 ;;
    --runs) runs="$2"; shift ;;
    --max-seconds) max_seconds="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --only) only="$2"; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "fuzz: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

targets=("${all_targets[@]}")
if [[ -n "$only" ]]; then
  IFS=, read -r -a targets <<<"$only"
  for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: no target '$t'" >&2; exit 2; }
  done
fi

[[ "$build" == 1 ]] && tools/build.sh fuzz

# Reports, not recoveries: stop at the first error of any kind.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
work_root=build-fuzz/fuzz-work

fuzz_one() {
  local target="$1"
  local work="$work_root/$target"
  # Only this run's findings: an earlier run's were reported (and copied to
  # tests/fuzz/regressions) when it ended.
  rm -rf "$work/artifacts"
  mkdir -p "$work/corpus" "$work/artifacts"
  local args=(-print_final_stats=1 -timeout=60 -rss_limit_mb=4096
              "-artifact_prefix=$work/artifacts/")
  # --smoke runs by time alone.
  [[ "$runs" != 0 ]] && args+=("-runs=$runs")
  [[ "$max_seconds" != 0 ]] && args+=("-max_total_time=$max_seconds")
  local started=$SECONDS
  set +e
  "build-fuzz/tests/fuzz/fuzz_$target" "${args[@]}" "$work/corpus" "tests/fuzz/corpus/$target" \
    >"$work/log" 2>&1
  local status=$?
  set -e
  echo "$status $((SECONDS - started))" >"$work/result"
}

# Up to $jobs targets at a time.
running=0
for target in "${targets[@]}"; do
  echo "fuzz: $target ..." >&2
  fuzz_one "$target" &
  running=$((running + 1))
  if [[ "$running" -ge "$jobs" ]]; then wait -n; running=$((running - 1)); fi
done
wait

findings=0
printf '%-14s %14s %9s %10s %16s  %s\n' target executions seconds exec/s corpus finding
for target in "${targets[@]}"; do
  work="$work_root/$target"
  read -r status seconds <"$work/result"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  executions=${executions:-0}
  per_second=$((executions / (seconds > 0 ? seconds : 1)))
  files=$(find "$work/corpus" -type f | wc -l)
  bytes=$(du -sb "$work/corpus" | cut -f1)
  finding="none"
  shopt -s nullglob
  artifacts=("$work"/artifacts/{crash,leak,timeout,oom,slow-unit}-*)
  shopt -u nullglob
  if [[ "$status" != 0 || ${#artifacts[@]} -gt 0 ]]; then
    findings=$((findings + 1))
    finding="exit $status, see $work/log"
    mkdir -p "tests/fuzz/regressions/$target"
    for artifact in "${artifacts[@]}"; do
      cp "$artifact" "tests/fuzz/regressions/$target/"
      finding+="; reproducer tests/fuzz/regressions/$target/$(basename "$artifact")"
    done
  fi
  printf '%-14s %14s %9s %10s %16s  %s\n' "$target" "$executions" "$seconds" "$per_second" \
    "$files files/${bytes}B" "$finding"
done
[[ "$findings" == 0 ]] || { echo "fuzz: $findings target(s) with findings" >&2; exit 1; }
