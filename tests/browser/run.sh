#!/usr/bin/env bash
# The web panel's browser test, as ctest runs it (tests/browser/CMakeLists.txt):
#   run.sh KEYLEDGERD WORK_DIR
# Installs what is missing (Debian's chromium, node and npm, through
# tools/setup.sh), installs playwright-core from package-lock.json into
# WORK_DIR (in the build tree, so concurrent builds never share a
# node_modules), starts KEYLEDGERD on a free loopback port with a fresh
# data folder, runs panel.test.mjs with node's test runner, and always
# stops the server. KEYLEDGER_SCREENSHOTS=1 also writes the screenshots in
# docs/screenshots/ (off by default, so test runs leave the tree clean).
set -euo pipefail
keyledgerd="$(realpath "$1")"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

"$root/tools/setup.sh"

mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here"/*.mjs "$work/"
cd "$work"
# npm ci starts from nothing each time; skip it while the lock is unchanged.
if ! cmp -s package-lock.json node_modules/.keyledger-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.keyledger-installed-lock
fi

# shellcheck source=../support/keyledgerd.sh
source "$root/tests/support/keyledgerd.sh"
data="$(mktemp -d "${TMPDIR:-/tmp}/keyledger-browser.XXXXXX")"
cleanup() {
  stop_keyledgerd || true
  rm -rf "$data"
}
trap cleanup EXIT

# panel.test.mjs signs in with it.
export KEYLEDGER_ADMIN_PASSWORD="admin-password-for-browser-tests"
start_keyledgerd "$keyledgerd" "$data" "$KEYLEDGER_ADMIN_PASSWORD"
export KEYLEDGER_URL="$keyledgerd_url"
export KEYLEDGER_CHROMIUM="${KEYLEDGER_CHROMIUM:-/usr/bin/chromium}"
if [[ "${KEYLEDGER_SCREENSHOTS:-0}" == "1" ]]; then
  export KEYLEDGER_SCREENSHOT_DIR="$root/docs/screenshots"
  mkdir -p "$KEYLEDGER_SCREENSHOT_DIR"
fi

status=0
node --test panel.test.mjs || status=$?

# A server that does not stop cleanly (or that a sanitizer stopped) fails
# the test too.
if ! stop_keyledgerd; then
  echo "run.sh: keyledgerd did not stop cleanly" >&2
  status=1
fi
if [[ "$status" != 0 ]]; then
  echo "run.sh: last lines of the server's output:" >&2
  tail -n 40 "$data/server.log" >&2
fi
exit "$status"
