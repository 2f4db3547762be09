#!/usr/bin/env bash
# Fails when a part of keyledger includes a header of a part it must not
# depend on. Dependencies point one way (docs/SERVER.md, "The parts"):
# storage and projections on core; inside server/, http on core only, the
# writer on core and projections, web on http, verify on http and
# projections (never the writer: a follower has none), replication on core
# and projections, api on those, the
# writer and web, and daemon on everything it wires; the client on core
# alone; and tools never on server.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"

allowed() {
  case "$1" in
    core) echo "core" ;;
    storage) echo "core storage" ;;
    projections) echo "core projections" ;;
    tools) echo "core storage projections tools" ;;
    server/http) echo "core server/http" ;;
    server/writer) echo "core projections server/writer" ;;
    server/web) echo "core server/http server/web" ;;
    server/verify) echo "core projections server/http server/verify" ;;
    server/replication) echo "core projections server/replication" ;;
    server/api) echo "core projections server/http server/writer server/verify server/web server/api" ;;
    server/daemon) echo "core storage projections server/http server/writer server/verify server/replication server/web server/api server/daemon" ;;
    server/client) echo "core server/client" ;;
  esac
}

part_of_header() {
  case "$1" in
    server/*/*) echo "$1" | cut -d/ -f1-2 ;;
    *) echo "$1" | cut -d/ -f1 ;;
  esac
}

failures=0
for part in core storage projections tools server/http server/writer server/web server/verify \
  server/replication server/api server/daemon server/client; do
  [[ -d "$part" ]] || { echo "missing part: $part" >&2; failures=1; continue; }
  ok=" $(allowed "$part") "
  while IFS=: read -r file header; do
    target=$(part_of_header "$header")
    if [[ "$ok" != *" $target "* ]]; then
      echo "$file includes $header: $part may not depend on $target" >&2
      failures=1
    fi
  done < <(find "$part" -maxdepth 1 -name '*.h' -o -maxdepth 1 -name '*.cc' | sort |
             xargs grep -oH '^#include "[a-z0-9_/]*\.h"' | sed 's/#include "\(.*\)"/\1/')
done
# The daemon's pieces a follower (which has no writer and no API) also runs:
# the metrics and the operational pages are handed the writer's figures and
# the ledger's health through the daemon's own types.
for file in server/daemon/{metrics,system_pages,process_metrics}.{h,cc}; do
  [[ -f "$file" ]] || continue
  while IFS= read -r header; do
    echo "$file includes $header: the follower's metrics and pages may not depend on" \
      "server/api or server/writer" >&2
    failures=1
  done < <(grep -o '^#include "server/\(api\|writer\)/[a-z0-9_/]*\.h"' "$file" |
             sed 's/#include "\(.*\)"/\1/')
done
# Nothing but the parts may sit in server/ itself.
if compgen -G "server/*.cc" >/dev/null || compgen -G "server/*.h" >/dev/null; then
  echo "server/ holds sources outside its parts: $(ls server/*.cc server/*.h 2>/dev/null)" >&2
  failures=1
fi
if [[ $failures -ne 0 ]]; then exit 1; fi
echo "every include points the allowed way"
