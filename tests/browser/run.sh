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

data="$(mktemp -d "${TMPDIR:-/tmp}/keyledger-browser.XXXXXX")"
server_pid=""
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  return "$status"
}
cleanup() {
  stop_server || true
  rm -rf "$data"
}
trap cleanup EXIT

export KEYLEDGER_ADMIN_PASSWORD="admin-password-for-browser-tests"
# Created here: the server's shell opens it only after the fork, and the
# loop below must not read it before it exists.
: >"$data/server.log"
"$keyledgerd" --data "$data/ledger" --listen 127.0.0.1:0 --scrypt-cost 10 --no-sync \
  >"$data/server.log" 2>&1 &
server_pid=$!

# The server logs one JSON line {"time":…,"level":"info","msg":"listening",
# "url":"http://127.0.0.1:PORT",…} once it accepts connections.
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's|^{.*"msg":"listening","url":"\(http://127\.0\.0\.1:[0-9]*\)".*|\1|p;T;q' "$data/server.log")"
  [[ -n "$url" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: keyledgerd exited before listening:" >&2
    cat "$data/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "run.sh: keyledgerd did not start listening within 60 s:" >&2
  cat "$data/server.log" >&2
  exit 1
fi

export KEYLEDGER_URL="$url"
export KEYLEDGER_CHROMIUM="${KEYLEDGER_CHROMIUM:-/usr/bin/chromium}"
if [[ "${KEYLEDGER_SCREENSHOTS:-0}" == "1" ]]; then
  export KEYLEDGER_SCREENSHOT_DIR="$root/docs/screenshots"
  mkdir -p "$KEYLEDGER_SCREENSHOT_DIR"
fi

status=0
node --test panel.test.mjs || status=$?

# A server that does not stop cleanly (or that a sanitizer stopped) fails
# the test too.
if ! stop_server; then
  echo "run.sh: keyledgerd did not stop cleanly" >&2
  status=1
fi
if [[ "$status" != 0 ]]; then
  echo "run.sh: last lines of the server's output:" >&2
  tail -n 40 "$data/server.log" >&2
fi
exit "$status"
