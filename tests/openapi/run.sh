#!/usr/bin/env bash
# Lints the OpenAPI document that keyledgerd serves, as ctest runs it
# (tests/openapi/CMakeLists.txt):
#   run.sh KEYLEDGERD WORK_DIR
# Installs what is missing (node, npm and curl, through tools/setup.sh),
# installs the two linters at the versions package-lock.json pins into
# WORK_DIR (in the build tree, so concurrent builds never share a
# node_modules), starts KEYLEDGERD on a free loopback port with a fresh data
# folder, fetches /openapi.json, checks it is server/web/assets/openapi.json byte
# for byte (the embedding), and lints it with `redocly lint` (redocly.yaml)
# and `spectral lint` (.spectral.yaml). Any error or warning of either fails.
#
# By hand, on the file as edited (no rebuild, no server):
#   tests/openapi/run.sh --file server/web/assets/openapi.json build/tests/openapi/work
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
document_file=""
keyledgerd=""
if [[ $# -eq 3 && "$1" == "--file" ]]; then
  document_file="$(realpath "$2")"
elif [[ $# -eq 2 && "$1" != "--file" ]]; then
  keyledgerd="$(realpath "$1")"
else
  echo "usage: run.sh KEYLEDGERD WORK_DIR | run.sh --file OPENAPI_JSON WORK_DIR" >&2
  exit 2
fi
work="${*: -1}"

"$root/tools/setup.sh"

mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/redocly.yaml" "$here/.spectral.yaml" "$work/"
cd "$work"
# npm ci starts from nothing each time; skip it while the lock is unchanged.
# No install scripts: the linters need none, and one of spectral's
# dependencies would report the install over the network.
if ! cmp -s package-lock.json node_modules/.keyledger-installed-lock 2>/dev/null; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.keyledger-installed-lock
fi
# Neither linter may report to anyone or look for updates.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

# shellcheck source=../support/keyledgerd.sh
source "$root/tests/support/keyledgerd.sh"
data=""
cleanup() {
  stop_keyledgerd || true
  [[ -z "$data" ]] || rm -rf "$data"
}
trap cleanup EXIT

# Starts KEYLEDGERD and saves what it serves at /openapi.json as
# $work/openapi.json.
fetch_served_document() {
  data="$(mktemp -d "${TMPDIR:-/tmp}/keyledger-openapi.XXXXXX")"
  start_keyledgerd "$keyledgerd" "$data" "admin-password-for-openapi-lint"
  curl --silent --show-error --fail --output openapi.json "$keyledgerd_url/openapi.json"
  if ! stop_keyledgerd; then
    echo "run.sh: keyledgerd did not stop cleanly:" >&2
    tail -n 40 "$data/server.log" >&2
    exit 1
  fi
  if ! cmp openapi.json "$root/server/web/assets/openapi.json"; then
    echo "run.sh: /openapi.json is not server/web/assets/openapi.json (a stale build?)" >&2
    exit 1
  fi
}

if [[ -n "$keyledgerd" ]]; then
  fetch_served_document
else
  cp "$document_file" openapi.json
fi

status=0
echo "== redocly lint (redocly.yaml: the recommended ruleset)"
# Redocly exits non-zero on errors only: its JSON totals also count the
# warnings, and any problem that an ignore file would hide.
node_modules/.bin/redocly lint openapi.json --config redocly.yaml --lint-config=error \
  --format=stylish --max-problems=1000 || status=1
node_modules/.bin/redocly lint openapi.json --config redocly.yaml --lint-config=error \
  --format=json >redocly-result.json 2>/dev/null || true
if ! node -e '
  const totals = JSON.parse(require("fs").readFileSync("redocly-result.json", "utf8")).totals;
  console.log(`redocly: ${totals.errors} errors, ${totals.warnings} warnings, ${totals.ignored} ignored`);
  process.exit(totals.errors + totals.warnings + totals.ignored === 0 ? 0 : 1);'; then
  status=1
fi

echo "== spectral lint (.spectral.yaml: spectral:oas)"
node_modules/.bin/spectral lint openapi.json --ruleset .spectral.yaml --fail-severity=warn \
  --format=stylish || status=1

if [[ "$status" != 0 ]]; then
  echo "run.sh: the OpenAPI document has lint errors or warnings (above)" >&2
fi
exit "$status"
