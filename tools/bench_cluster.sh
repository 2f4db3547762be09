#!/usr/bin/env bash
# The replication benchmarks of issue 20 (tests/bench/cluster_bench.cc), run
# by `tools/bench.sh cluster`: a 3-node NATS JetStream cluster on loopback,
# a keyledgerd leader and followers, each figure beside its reference
# measured in the same run. With quick=1 it prints only (the ctest smoke
# run); otherwise it replaces the figures between the cluster markers of
# docs/BENCHMARKS.md (the prose around them stays; tools/bench.sh's full run
# keeps the whole cluster section).
#   tools/bench_cluster.sh BIN_DIR QUICK RUNS EVENTS DELETIONS
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1" quick="$2" runs="$3" events="$4" deletions="$5"

if ((quick)); then
  args=(--runs 1 --events 2000 --deletions 20 --seconds 0.3 --warmup 0 --connections 8 --clients 2)
else
  args=(--runs "$runs" --events "$events" --deletions "$deletions" --seconds 3 --warmup 1)
fi
command=("$bin/keyledger_bench_cluster" "${args[@]}")
echo "+ ${command[*]}" >&2
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_time=$SECONDS
status=0
figures="$("${command[@]}")" || status=$?
if ((status != 0)); then
  ((status == 77)) && echo "bench: cluster benchmarks skipped (no nats-server)" >&2
  exit "$status"
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
if ((quick)); then
  printf '%s\n' "$figures"
  # Every benchmark must have printed its table and its goal line (figures
  # only: no time is asserted).
  if (($(grep -c '^Goal (' <<<"$figures") != 4 || $(grep -c '^| --- ' <<<"$figures") != 4)); then
    echo "bench: the quick cluster run did not print every benchmark's figures" >&2
    exit 1
  fi
  echo "bench: quick cluster run done in $((SECONDS - start_time)) s"
  exit 0
fi

page=docs/BENCHMARKS.md
begin='<!-- cluster figures: begin (tools/bench.sh cluster writes what follows) -->'
end='<!-- cluster figures: end -->'
if ! grep -qxF "$begin" "$page" || ! grep -qxF "$end" "$page"; then
  echo "bench: $page has no cluster figures markers" >&2
  exit 1
fi
machine="$(nproc) vCPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r), nats-server $(nats-server --version 2>/dev/null | awk '{print $NF}')"
block="$(mktemp)"
trap 'rm -f "$block"' EXIT
cat > "$block" <<DOC
Regenerate with \`tools/bench.sh cluster --runs ${runs}$( ((events != 1000000)) && echo " --events $events")$( ((deletions != 1000)) && echo " --deletions $deletions")\`, which ran \`${command[*]}\`.

- Machine: ${machine}; shared with other builds while it ran
- Load average (1, 5, 15 min) before: ${load_before}; after: ${load_after}
- Commit: $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), took $(( (SECONDS - start_time) / 60 )) min
- Nothing pinned: three nats-servers, up to three keyledgerd and the load generators share the cores.

${figures}
DOC
awk -v begin="$begin" -v end="$end" -v block="$block" '
  $0 == begin { print; print ""; while ((getline line < block) > 0) print line; skipping = 1; next }
  $0 == end { skipping = 0 }
  !skipping { print }
' "$page" > "$page.new"
mv "$page.new" "$page"
echo "wrote the cluster figures into $page"
