#!/usr/bin/env bash
# Installs what is missing, builds, and starts keyledgerd on the embedded
# defaults: data in ./keyledger-data, HTTP on 127.0.0.1:8080.
# Extra arguments are passed to keyledgerd (see `keyledgerd --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh release
exec build/server/keyledgerd "$@"
