#!/usr/bin/env bash
# Builds colabo-agent_<version>_amd64.deb and colabo-master_<version>_amd64.deb into OUTDIR
# (default artifacts/deb): self-contained, trimmed, ReadyToRun, single-file binaries, systemd units,
# maintainer scripts that create users and directories, configs as conffiles.
# Usage: packaging/build-debs.sh [OUTDIR]     env: VERSION (default 0.1.0), RID (default linux-x64),
#   DEB_COMPRESSION (default xz; the system test uses gzip, which packs the master in seconds, not minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$(mkdir -p "${1:-$repo/artifacts/deb}" && cd "${1:-$repo/artifacts/deb}" && pwd)
version=${VERSION:-0.1.0}
rid=${RID:-linux-x64}
compression=${DEB_COMPRESSION:-xz}
arch=amd64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

publish() { # project outdir
  dotnet publish "$repo/$1" -c Release -r "$rid" -o "$2" -nologo -v quiet \
    -p:Version="$version" >/dev/null
}

package() { # name binary project description
  local name=$1 binary=$2 project=$3 description=$4
  local root="$work/$name"
  mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/colabo" \
           "$root/usr/share/doc/$name" "$root/usr/share/lintian/overrides"
  publish "$project" "$work/publish-$name"
  install -m 0755 "$work/publish-$name/$binary" "$root/usr/bin/$binary"
  if [ "$name" = colabo-master ]; then
    # Served at https://MASTER:8140/downloads/ for `colabo bootstrap cloud-init` user-data.
    install -d "$root/usr/share/colabo-master/downloads"
    install -m 0644 "$out/colabo-agent_${version}_${arch}.deb" \
      "$root/usr/share/colabo-master/downloads/colabo-agent_${arch}.deb"
  fi
  install -m 0644 "$here/systemd/$name.service" "$root/lib/systemd/system/$name.service"
  local short=${name#colabo-}
  install -m 0644 "$here/deb/$short/$short.yaml" "$root/etc/colabo/$short.yaml"
  for script in postinst prerm postrm; do
    install -m 0755 "$here/deb/$short/$script" "$root/DEBIAN/$script"
  done
  echo "/etc/colabo/$short.yaml" > "$root/DEBIAN/conffiles"
  install -m 0644 "$here/deb/copyright" "$root/usr/share/doc/$name/copyright"
  local doc=docs/master.md
  [ "$short" = agent ] && doc=docs/agent-daemon.md
  install -m 0644 "$repo/$doc" "$root/usr/share/doc/$name/README.md"
  sed "s/@NAME@/$name/g; s/@VERSION@/$version/g; s/@DATE@/$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}")/g" \
    "$here/deb/changelog.in" | gzip -9n > "$root/usr/share/doc/$name/changelog.gz"
  sed "s/@NAME@/$name/g" "$here/deb/lintian-overrides" > "$root/usr/share/lintian/overrides/$name"
  local size
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  cat > "$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: Colabo.Config maintainers <config@colabo.dev>
Installed-Size: $size
Depends: libc6 (>= 2.31), libgcc-s1, libstdc++6, libssl3, zlib1g, ca-certificates, adduser, init-system-helpers (>= 1.54)
Section: admin
Priority: optional
Homepage: https://colabo.dev/config
Description: $description
CONTROL
  cat "$here/deb/$short/description" >> "$root/DEBIAN/control"
  dpkg-deb --root-owner-group "-Z$compression" --build "$root" "$out/${name}_${version}_${arch}.deb" >/dev/null
  echo "$out/${name}_${version}_${arch}.deb"
}

# The master embeds the web dashboard (web/dist) at build time.
bash "$repo/web/build.sh" >/dev/null
package colabo-agent colabo-agent src/Agent "Colabo.Config agent: converges this host to its catalog"
package colabo-master colabo-master src/Master "Colabo.Config master: roles, catalogs, enrollment CA and drift"
