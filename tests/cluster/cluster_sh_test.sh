#!/usr/bin/env bash
# tools/cluster.sh start / stop end to end (issue 20): a 3-node NATS cluster,
# a keyledgerd leader and two followers on loopback ports moved off the
# defaults; a key created on the leader verifies on a follower, a deleted
# one answers 401 there; `stop` leaves nothing running. A bad port base is
# refused, and a start whose keyledgerd exits stops what it started. Exits
# 77 (skipped) without nats-server.
#   cluster_sh_test.sh SOURCE_DIR KEYLEDGERD
set -euo pipefail
source_dir=$1
export KEYLEDGERD=$2
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || {
  echo "SKIPPED: nats-server is not installed (tools/setup.sh installs it)"
  exit 77
}

# 15 free ports in a row (3 NATS clients, monitors, routes; 3 HTTP, 3 verify),
# below the kernel's ephemeral range, where the other tests' port-0
# listeners and every outgoing connection take theirs.
free_base() {
  local base port used low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
  for _ in $(seq 1 50); do
    base=$((low - 16 - RANDOM % 12000))
    used=0
    for port in $(seq "$base" $((base + 14))); do
      if ss -Htln "sport = :$port" | grep -q .; then used=1; break; fi
    done
    [ "$used" -eq 0 ] && { echo "$base"; return; }
  done
  echo "no free ports" >&2
  exit 1
}
base=$(free_base)
export NATS_CLIENT_BASE=$base NATS_MONITOR_BASE=$((base + 3)) NATS_ROUTE_BASE=$((base + 6))
export KEYLEDGER_HTTP_BASE=$((base + 9)) KEYLEDGER_VERIFY_BASE=$((base + 12))
export KEYLEDGER_ADMIN_PASSWORD=admin-password-for-cluster-sh
dir=$(mktemp -d)
cluster() { "$source_dir/tools/cluster.sh" "$@" --dir "$dir"; }
cleanup() {
  cluster stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; for log in "$dir"/*.log; do echo "== $log"; tail -n 20 "$log"; done >&2; exit 1; }

# A bad port base is refused before anything starts.
if bad=$(KEYLEDGER_HTTP_BASE=http cluster start 2>&1); then fail "a bad KEYLEDGER_HTTP_BASE was accepted"; fi
grep -q "KEYLEDGER_HTTP_BASE must be a port" <<<"$bad" || fail "unclear error for a bad port base: $bad"
ls "$dir"/*.pid >/dev/null 2>&1 && fail "a refused start left pid files"

# A keyledgerd that cannot start: start fails and stops the NATS nodes it started.
if failed=$(KEYLEDGERD=/bin/false cluster start --stream "CLUSTERSH_FAIL_$$" 2>&1); then
  fail "start succeeded with a keyledgerd that exits"
fi
grep -q "leader exited" <<<"$failed" || fail "start did not say the leader exited: $failed"
ls "$dir"/*.pid >/dev/null 2>&1 && fail "a failed start left pid files (processes running)"
rm -f "$dir"/*.log

out=$(cluster start --stream "CLUSTERSH_$$") || fail "cluster.sh start failed: $out"
echo "$out"
leader=http://127.0.0.1:$KEYLEDGER_HTTP_BASE
follower=http://127.0.0.1:$((KEYLEDGER_HTTP_BASE + 2))
grep -q "$leader" <<<"$out" || fail "start did not print the leader's URL"
grep -q "$follower" <<<"$out" || fail "start did not print follower2's URL"
grep -q "127.0.0.1:$((KEYLEDGER_VERIFY_BASE + 1))" <<<"$out" || fail "no verify port printed"

csrf=$(jq -n --arg p "$KEYLEDGER_ADMIN_PASSWORD" '{user: "admin", password: $p}' |
  curl -sf -c "$dir/jar" -H 'Content-Type: application/json' -d @- "$leader/v1/login" |
  jq -r .csrf_token) || fail "sign-in on the leader"
key=$(curl -sf -b "$dir/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"cluster.sh"}' "$leader/v1/keys") || fail "creating a key on the leader"
token=$(jq -r .key <<<"$key")
id=$(jq -r .id <<<"$key")

# Waits up to 30 s until the follower answers `verify` with HTTP $1.
follower_answers() {
  local code
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "MC-Api-Key: $token" "$follower/v1/verify")
    [ "$code" = "$1" ] && return 0
    sleep 0.1
  done
  echo "the follower still answers $code" >&2
  return 1
}
follower_answers 200 || fail "the key created on the leader does not verify on the follower"
curl -sf -b "$dir/jar" -H "X-CSRF-Token: $csrf" -X DELETE "$leader/v1/keys/$id" ||
  fail "deleting the key"
follower_answers 401 || fail "the deleted key does not answer 401 on the follower"

pids=$(cat "$dir"/*.pid)
cluster stop || fail "cluster.sh stop failed"
for pid in $pids; do
  kill -0 "$pid" 2>/dev/null && fail "process $pid still runs after stop"
done
ls "$dir"/*.pid >/dev/null 2>&1 && fail "pid files left after stop"
echo "cluster.sh start/stop: ok"
