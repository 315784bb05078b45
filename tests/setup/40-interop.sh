#!/usr/bin/env bash
# Installs the grpc-js peers of the RPC interop tests and benchmark (tests/interop, from package-lock.json).
# Idempotent: skips npm when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../interop"
stamp=node_modules/.colabo-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -d node_modules/@grpc/grpc-js ]]; then
  exit 0
fi
echo "setup: npm ci in tests/interop"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
