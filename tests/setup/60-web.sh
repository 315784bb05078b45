#!/usr/bin/env bash
# Builds the web dashboard (web/: npm install from package-lock.json, vite build into web/dist) so
# the master build embeds it, and installs playwright-core for tests/Dashboard.Tests, which drive
# Debian's chromium (installed by 00-packages.sh).
set -euo pipefail
exec "$(dirname "$0")/../../web/build.sh"
