#!/usr/bin/env bash
# Installs ajv + yaml (npm) for the role JSON Schema tests (tests/schema). Idempotent, fast when done.
set -euo pipefail
cd "$(dirname "$0")/../schema"
if [ -f node_modules/ajv/package.json ] && [ -f node_modules/yaml/package.json ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "45-schema: npm is required (Node 20)" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
