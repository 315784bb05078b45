#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real. Runs apt only when something is missing.
set -euo pipefail
packages=(
  git
  mmdebstrap systemd-container uidmap iproute2
  docker.io
  postgresql
  python3-grpcio python3-protobuf
  cloud-init
  lintian dpkg-dev fakeroot
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere (it bundles npm); take Debian's only when there is none.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
