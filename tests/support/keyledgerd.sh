# Starting and stopping a real keyledgerd from a test script (bash; source
# it). The browser test and the OpenAPI lint both use it.
#
#   start_keyledgerd KEYLEDGERD DATA ADMIN_PASSWORD
#       starts KEYLEDGERD on a free loopback port with its ledger under DATA
#       (log in DATA/server.log), waits until it listens and sets
#       keyledgerd_url (http://127.0.0.1:PORT) and keyledgerd_pid; exits the
#       script with the log when it dies or does not listen within 60 s.
#   stop_keyledgerd
#       SIGTERM and wait; returns keyledgerd's exit status (0: a clean stop).
#       Safe to call when none runs, e.g. from an EXIT trap.

keyledgerd_pid=""
keyledgerd_url=""

start_keyledgerd() {
  local binary="$1" data="$2" password="$3"
  # Created here: the server's shell opens it only after the fork, and the
  # loop below must not read it before it exists.
  : >"$data/server.log"
  KEYLEDGER_ADMIN_PASSWORD="$password" \
    "$binary" --data "$data/ledger" --listen 127.0.0.1:0 --scrypt-cost 10 --no-sync \
    >"$data/server.log" 2>&1 &
  keyledgerd_pid=$!
  # keyledgerd logs one JSON line {"time":…,"level":"info","msg":"listening",
  # "url":"http://127.0.0.1:PORT",…} once it accepts connections.
  keyledgerd_url=""
  for _ in $(seq 1 600); do
    keyledgerd_url="$(sed -n 's|^{.*"msg":"listening","url":"\(http://127\.0\.0\.1:[0-9]*\)".*|\1|p;T;q' \
      "$data/server.log")"
    [[ -n "$keyledgerd_url" ]] && return 0
    if ! kill -0 "$keyledgerd_pid" 2>/dev/null; then
      echo "keyledgerd exited before listening:" >&2
      cat "$data/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "keyledgerd did not start listening within 60 s:" >&2
  cat "$data/server.log" >&2
  exit 1
}

stop_keyledgerd() {
  [[ -n "$keyledgerd_pid" ]] || return 0
  kill -TERM "$keyledgerd_pid" 2>/dev/null || true
  local status=0
  wait "$keyledgerd_pid" || status=$?
  keyledgerd_pid=""
  return "$status"
}
