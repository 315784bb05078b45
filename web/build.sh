#!/usr/bin/env bash
# Builds the web dashboard into web/dist, which the colabo-master build embeds (src/Master).
# Installs the npm packages from package-lock.json first when node_modules does not match it.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.colabo-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -d node_modules/vite ]]; then
  echo "web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
npx --no-install vite build --logLevel warn
echo "web: built $(find dist -type f | wc -l) files into web/dist"
