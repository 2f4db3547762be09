#!/usr/bin/env bash
# A keyledger cluster on loopback (issue 20): a 3-node NATS JetStream cluster
# (Debian's nats-server, configs written here), then a keyledgerd leader and
# two followers.
#
#   tools/cluster.sh [start] [--dir DIR] [--stream NAME]   everything (see below)
#   tools/cluster.sh nats [--dir DIR] [--stream NAME]      the NATS half only
#   tools/cluster.sh stop [--dir DIR]                      stops what is running
#   tools/cluster.sh accounts STREAM LEADER_PW_FILE FOLLOWER_PW_FILE
#                                                          prints the accounts block
#
# DIR (default ./cluster-data) holds each node's config, log, pid and
# JetStream store, and the passwords of the NATS users `leader` and
# `follower` (leader.password, follower.password, 0600, made at first
# start). Ports: NATS clients 4222-4224, monitors 8222-8224, routes
# 6222-6224 (NATS_CLIENT_BASE, NATS_MONITOR_BASE, NATS_ROUTE_BASE change them);
# keyledgerd HTTP 8080-8082 and verify ports 7070-7072 for the leader and
# followers 1 and 2 (KEYLEDGER_HTTP_BASE, KEYLEDGER_VERIFY_BASE). `start`
# prints every URL once each node answers /readyz; a failed start stops
# what it started. The keyledgerd half is described above start_keyledger.
#
# The permissions are tests/support/nats_cluster.cc's nats_permissions_config,
# which keyledger_cluster_tests compares with `accounts`: in one account,
# `leader` may publish keyledger.STREAM.events and use the JetStream API for
# STREAM (create, info, get a message, a consumer and its next messages);
# `follower` may do the same except publish events or create the stream,
# and may publish keyledger.STREAM.uses, which only the leader subscribes
# to; both receive on their inboxes. Nobody else may connect.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=./cluster-data
stream=KEYLEDGER
client_base=${NATS_CLIENT_BASE:-4222}
monitor_base=${NATS_MONITOR_BASE:-8222}
route_base=${NATS_ROUTE_BASE:-6222}

die() { echo "cluster.sh: $*" >&2; exit 1; }

# The JetStream API subjects both users may publish on for stream $1.
reader_subjects() {
  local s=$1
  printf '"$JS.API.INFO", "$JS.API.STREAM.INFO.%s", "$JS.API.STREAM.MSG.GET.%s", ' "$s" "$s"
  printf '"$JS.API.DIRECT.GET.%s", "$JS.API.DIRECT.GET.%s.>", ' "$s" "$s"
  printf '"$JS.API.CONSUMER.CREATE.%s", "$JS.API.CONSUMER.CREATE.%s.>", ' "$s" "$s"
  printf '"$JS.API.CONSUMER.MSG.NEXT.%s.*", "$JS.API.CONSUMER.INFO.%s.*", ' "$s" "$s"
  printf '"$JS.API.CONSUMER.DELETE.%s.*"' "$s"
}

# The accounts block for stream $1 with the passwords in files $2 and $3.
accounts() {
  local s=$1 leader_pw follower_pw
  leader_pw=$(<"$2")
  follower_pw=$(<"$3")
  cat <<EOF
accounts {
  KEYLEDGER {
    jetstream: enabled
    users: [
      { user: "leader", password: "$leader_pw",
        permissions: {
          publish: { allow: ["keyledger.$s.events", "\$JS.API.STREAM.CREATE.$s", $(reader_subjects "$s")] }
          subscribe: { allow: ["_INBOX.>", "keyledger.$s.uses"] } } }
      { user: "follower", password: "$follower_pw",
        permissions: {
          publish: { allow: ["keyledger.$s.uses", $(reader_subjects "$s")], deny: ["keyledger.$s.events"] }
          subscribe: { allow: ["_INBOX.>"] } } }
    ]
  }
}
EOF
}

nats_server() {
  command -v nats-server 2>/dev/null || { [ -x /usr/sbin/nats-server ] && echo /usr/sbin/nats-server; } ||
    die "nats-server is not installed (tools/setup.sh installs it)"
}

write_config() {  # node number 1..3
  local i=$1 routes="" j
  for j in 1 2 3; do routes+="${routes:+, }\"nats-route://127.0.0.1:$((route_base + j - 1))\""; done
  {
    echo "server_name: n$i"
    echo "host: 127.0.0.1"
    echo "port: $((client_base + i - 1))"
    echo "http: \"127.0.0.1:$((monitor_base + i - 1))\""
    echo "jetstream { store_dir: \"$dir/n$i\", max_memory_store: 256MB, max_file_store: 4GB }"
    echo "cluster { name: keyledger, listen: \"127.0.0.1:$((route_base + i - 1))\", routes: [$routes] }"
    accounts "$stream" "$dir/leader.password" "$dir/follower.password"
  } >"$dir/n$i.conf"
  chmod 600 "$dir/n$i.conf"
}

make_password() {  # file
  [ -s "$1" ] && return
  (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$1")
}

# True once every node agrees on a JetStream meta leader and that leader
# sees its two peers current (/jsz), as the tests' fixture waits.
ready() {
  local leaders="" i jsz
  for i in 1 2 3; do
    jsz=$(curl -fsS "http://127.0.0.1:$((monitor_base + i - 1))/jsz" 2>/dev/null) || return 1
    leaders+="$(jq -r '.meta_cluster.leader // ""' <<<"$jsz") "
  done
  local leader=${leaders%% *}
  [ -n "$leader" ] && [ "$leaders" = "$leader $leader $leader " ] || return 1
  local n=${leader#n}
  curl -fsS "http://127.0.0.1:$((monitor_base + n - 1))/jsz" |
    jq -e '[.meta_cluster.replicas[]? | select(.current)] | length == 2' >/dev/null
}

start_nats() {
  local server i
  server=$(nats_server)
  command -v jq >/dev/null || die "jq is not installed (tools/setup.sh installs it)"
  mkdir -p "$dir" && chmod 700 "$dir"
  make_password "$dir/leader.password"
  make_password "$dir/follower.password"
  for i in 1 2 3; do
    if [ -s "$dir/n$i.pid" ] && kill -0 "$(cat "$dir/n$i.pid")" 2>/dev/null; then
      die "NATS node n$i is already running (tools/cluster.sh stop)"
    fi
    write_config "$i"
    nohup "$server" -c "$dir/n$i.conf" >>"$dir/n$i.log" 2>&1 &
    echo $! >"$dir/n$i.pid"
  done
  for _ in $(seq 1 600); do
    ready && break
    for i in 1 2 3; do
      kill -0 "$(cat "$dir/n$i.pid")" 2>/dev/null || die "NATS node n$i exited; see $dir/n$i.log"
    done
    sleep 0.1
  done
  ready || die "the NATS cluster did not form within a minute; see $dir/n*.log"
  local urls=""
  for i in 1 2 3; do urls+="${urls:+,}nats://127.0.0.1:$((client_base + i - 1))"; done
  echo "NATS JetStream cluster ready (stream $stream, subject keyledger.$stream.events)"
  echo "  --nats $urls"
  echo "  leader:   --nats-user leader --nats-password-file $dir/leader.password"
  echo "  follower: --nats-user follower --nats-password-file $dir/follower.password"
  for i in 1 2 3; do echo "  n$i monitor: http://127.0.0.1:$((monitor_base + i - 1))/jsz"; done
}

stop_all() {
  local pidfile pid
  # keyledgerd first (followers, then the leader), then the NATS nodes.
  for pidfile in "$dir"/follower1.pid "$dir"/follower2.pid "$dir"/leader.pid "$dir"/n*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
  done
  echo "stopped what ran under $dir"
}

# ---- keyledgerd: the leader and two followers -------------------------------
# The leader (data in DIR/leader, HTTP on KEYLEDGER_HTTP_BASE, default 8080,
# verify port on KEYLEDGER_VERIFY_BASE, default 7070) publishes to the
# stream as `leader`; follower i (1, 2; DIR/follower$i, the next ports)
# follows it as `follower` with the leader's pepper. Each has a pid file and
# a log in DIR beside the NATS nodes'. KEYLEDGERD names the binary (default
# build/server/keyledgerd, built when missing). The leader's first admin
# gets KEYLEDGER_ADMIN_PASSWORD when set, else a one-time password in
# DIR/leader/initial-admin-password.
http_base=${KEYLEDGER_HTTP_BASE:-8080}
verify_base=${KEYLEDGER_VERIFY_BASE:-7070}
nodes=(leader follower1 follower2)

keyledgerd_binary() {
  local binary=${KEYLEDGERD:-build/server/keyledgerd}
  if [ ! -x "$binary" ]; then
    echo "building keyledgerd (tools/build.sh release)" >&2
    tools/build.sh release >&2 || die "the build failed"
  fi
  [ -x "$binary" ] || die "no keyledgerd at $binary"
  echo "$binary"
}

nats_urls() {
  local urls="" i
  for i in 1 2 3; do urls+="${urls:+,}nats://127.0.0.1:$((client_base + i - 1))"; done
  echo "$urls"
}

# Starts node $1 (index $2 into the ports) with the extra flags $3...
start_node() {
  local name=$1 index=$2 binary
  shift 2
  binary=$(keyledgerd_binary)
  if [ -s "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
    die "$name is already running (tools/cluster.sh stop)"
  fi
  mkdir -p "$dir/$name" && chmod 700 "$dir/$name"
  nohup "$binary" --data "$dir/$name" --listen "127.0.0.1:$((http_base + index))" \
    --verify-listen "127.0.0.1:$((verify_base + index))" --nats "$(nats_urls)" \
    --nats-stream "$stream" "$@" >>"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# Waits until node $1 on port $2 answers /readyz 200 (a follower: caught up
# and fresh), or dies with its log's last lines.
wait_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && return
    kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null ||
      die "$name exited; the end of $dir/$name.log:"$'\n'"$(tail -n 5 "$dir/$name.log")"
    sleep 0.1
  done
  die "$name was not ready within a minute; see $dir/$name.log"
}

start_keyledger() {
  local leader_url="http://127.0.0.1:$http_base" i
  start_node leader 0 --nats-user leader --nats-password-file "$dir/leader.password"
  wait_ready leader "$http_base"
  for i in 1 2; do
    KEYLEDGER_ADMIN_PASSWORD="" start_node "follower$i" "$i" --follower \
      --nats-user follower --nats-password-file "$dir/follower.password" \
      --pepper-file "$dir/leader/pepper" --leader-url "$leader_url" --node-name "follower$i"
  done
  for i in 1 2; do wait_ready "follower$i" $((http_base + i)); done
  echo "keyledger cluster ready (logs and pid files in $dir)"
  echo "  leader:    $leader_url  verify port 127.0.0.1:$verify_base  (admin, writes)"
  for i in 1 2; do
    echo "  follower$i: http://127.0.0.1:$((http_base + i))  verify port 127.0.0.1:$((verify_base + i))"
  done
  if [ -e "$dir/leader/initial-admin-password" ]; then
    echo "  admin's one-time password: in $dir/leader/initial-admin-password"
  fi
}

# `start`: NATS, then keyledgerd; anything started is stopped again when a
# step fails.
start_all() {
  trap 'echo "cluster.sh: start failed; stopping what it started" >&2; stop_all >&2' EXIT
  start_nats
  start_keyledger
  trap - EXIT
}

command=${1:-start}
[ $# -gt 0 ] && shift
if [ "$command" = accounts ]; then
  [ $# -eq 3 ] || die "usage: tools/cluster.sh accounts STREAM LEADER_PW_FILE FOLLOWER_PW_FILE"
  accounts "$@"
  exit 0
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
    --stream) stream=${2:?--stream needs a name}; shift 2 ;;
    *) die "unknown argument '$1' (see the top of tools/cluster.sh)" ;;
  esac
done
[[ "$stream" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "--stream must be 1 to 64 letters, digits, - or _"
for base in NATS_CLIENT_BASE:$client_base NATS_MONITOR_BASE:$monitor_base NATS_ROUTE_BASE:$route_base \
            KEYLEDGER_HTTP_BASE:$http_base KEYLEDGER_VERIFY_BASE:$verify_base; do
  [[ "${base#*:}" =~ ^[0-9]{1,5}$ ]] && [ "${base#*:}" -ge 1 ] && [ "${base#*:}" -le 65533 ] ||
    die "${base%%:*} must be a port from 1 to 65533 (three ports from it are used), got '${base#*:}'"
done
dir=$(realpath -m "$dir")
case "$command" in
  start) start_all ;;
  nats) start_nats ;;
  stop) stop_all ;;
  *) die "unknown command '$command' (start, nats, stop, accounts)" ;;
esac
