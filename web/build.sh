#!/usr/bin/env bash
# Builds the web dashboard into web/dist, which the colabo-master build embeds (src/Master).
# Installs the npm packages from package-lock.json first when node_modules does not match it.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.colabo-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -d node_modules/vite ]]; then
  # Not `npm ci`: the registry here serves only this platform's optional packages (rollup's native
  # binaries), so the lock file lacks the other platforms' entries and `npm ci` refuses it. `npm install`
  # with the lock file installs the same pinned versions.
  echo "web: npm install (from package-lock.json)"
  npm install --no-audit --no-fund --no-save --loglevel=error
  echo "$want" > "$stamp"
fi
npx --no-install vite build --logLevel warn
echo "web: built $(find dist -type f | wc -l) files into web/dist"
