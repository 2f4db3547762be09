#!/usr/bin/env bash
# Installs the Debian packages keyledger builds and tests with, but only those
# that are missing, so a second run costs one dpkg query. Runs apt-get as root
# (directly, or through sudo when invoked as another user).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang
  librocksdb-dev libcapnp-dev capnproto catch2 libboost1.81-dev libssl-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev
  curl jq  # the README's examples use them (tests/integration/readme_test.cc runs them)
  chromium  # the web panel's browser test (tests/browser), driven by playwright-core
  wrk nginx-light redis-server redis-tools  # references the benchmarks are measured against
  libfuzzer-14-dev libclang-rt-14-dev llvm-14  # libFuzzer targets and their symbolizer
  prometheus  # its promtool lints /metrics (ctest promtool_check_metrics); see the end
  nats-server libnats-dev  # replication over JetStream (server/replication); see the end
  openssl  # makes the test CA and certificates of the NATS TLS test (tests/cluster)
)
if [[ "${KEYLEDGER_EXTRA_PACKAGES:-}" != "" ]]; then
  read -r -a extra <<<"${KEYLEDGER_EXTRA_PACKAGES}"
  packages+=("${extra[@]}")
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
# Node runs the browser test and the OpenAPI linters (tests/openapi).
# Checked as commands, not packages: a machine may have node and npm from
# another build of nodejs, which bundles npm and conflicts with Debian's npm
# package.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
((${#missing[@]} == 0)) && exit 0

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "setup: installing ${missing[*]}" >&2
"${as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
# prometheus is here for its promtool alone. Where installing it started
# the Prometheus server (a machine that lets packages start services), stop
# it and keep it from starting at boot.
# nats-server likewise: the tests and tools/cluster.sh start their own, on
# loopback, with configurations they write.
for service in prometheus nats-server; do
  [[ " ${missing[*]} " == *" $service "* ]] || continue
  "${as_root[@]}" sh -c "invoke-rc.d $service stop; update-rc.d $service disable
                         systemctl disable --now $service" >/dev/null 2>&1 || true
done
