#!/usr/bin/env bash
# Builds the Debian package of emnet-proxy from a CMake build tree:
# `cmake --install --component proxy --prefix /usr` into a staging folder,
# the maintainer scripts of proxy/packaging/, a control file with the
# dependencies dpkg-shlibdeps finds for the binary, then dpkg-deb.
#
#   scripts/build-proxy-deb.sh [--build-dir DIR] [--out DIR] [--no-build]
#
#   --build-dir DIR  the build tree (default build/native-release, made
#                    as `make native-release` makes it if missing)
#   --out DIR        where the .deb goes (default build/packages)
#   --no-build       use the emnet-proxy already built in DIR
# Prints the package's path on its last line. Needs dpkg-dev (for
# dpkg-shlibdeps; build-essential brings it), no root and no fakeroot: the
# files are owned by root in the package (dpkg-deb --root-owner-group).
# EMNET_DEB_REVISION (default 1) is the Debian revision; EMNET_DEB_MAINTAINER
# the Maintainer field (default: the author of the last commit).
set -euo pipefail
umask 022
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_dir=$ROOT/build/native-release
out_dir=$ROOT/build/packages
do_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build_dir=$(cd "$2" 2>/dev/null && pwd || echo "$2"); shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-proxy-deb: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

say() { echo "build-proxy-deb: $*" >&2; }

if [ "$do_build" = 1 ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    say "configuring $build_dir (Release, no sanitizers)"
    cmake -S "$ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DEMNET_SANITIZE=OFF >&2
  fi
  cmake --build "$build_dir" --target emnet-proxy -j"${JOBS:-2}" >&2
fi
bin=$build_dir/proxy/emnet-proxy
[ -x "$bin" ] || { say "no $bin: build the emnet-proxy target first"; exit 1; }

# The version is the project's (CMakeLists.txt: project(emnet VERSION ...)).
version=$(sed -n 's/^project(emnet VERSION \([0-9][0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt" | head -n1)
[ -n "$version" ] || { say "cannot read the project version from CMakeLists.txt"; exit 1; }
bin_version=$("$bin" --version 2>/dev/null | sed -n 's/^emnet-proxy \([^ ]*\).*/\1/p')
if [ "$bin_version" != "$version" ]; then
  say "warning: the binary says version '$bin_version', the project $version"
fi
deb_version=$version-${EMNET_DEB_REVISION:-1}
arch=$(dpkg --print-architecture)
maintainer=${EMNET_DEB_MAINTAINER:-$(git -C "$ROOT" log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$maintainer" ] || maintainer="emnet maintainers <root@localhost>"

work=$(mktemp -d "${TMPDIR:-/tmp}/emnet-proxy-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/stage
mkdir -p "$stage"

say "staging: cmake --install $build_dir --component proxy --prefix /usr"
DESTDIR=$stage cmake --install "$build_dir" --component proxy --prefix /usr --strip >&2

# Debian's layout: compressed man page, a copyright file, nothing else
# writable or executable that should not be.
gzip -9n "$stage/usr/share/man/man8/emnet-proxy.8"
install -m 0644 "$ROOT/proxy/packaging/copyright" "$stage/usr/share/doc/emnet-proxy/copyright"
for want in usr/bin/emnet-proxy etc/emnet-proxy/emnet-proxy.conf usr/lib/systemd/system/emnet-proxy.service \
            usr/share/man/man8/emnet-proxy.8.gz usr/share/doc/emnet-proxy/README.md; do
  [ -f "$stage/$want" ] || { say "the install did not put /$want"; exit 1; }
done
grep -q '^ExecStart=/usr/bin/emnet-proxy --config /etc/emnet-proxy/emnet-proxy.conf ' \
  "$stage/usr/lib/systemd/system/emnet-proxy.service" || { say "the unit's ExecStart is not the installed binary"; exit 1; }

# Dependencies: what dpkg-shlibdeps finds for the binary's libraries (with
# the versions their symbols need), plus passwd for the account postinst
# makes. Without dpkg-shlibdeps: the package of each library, as installed.
shlibs=
if command -v dpkg-shlibdeps >/dev/null; then
  mkdir -p "$work/src/debian"
  printf 'Source: emnet\n\nPackage: emnet-proxy\nArchitecture: any\n' >"$work/src/debian/control"
  shlibs=$(cd "$work/src" && dpkg-shlibdeps -O "$stage/usr/bin/emnet-proxy" 2>/dev/null |
           sed -n 's/^shlibs:Depends=//p')
fi
if [ -z "$shlibs" ]; then
  say "dpkg-shlibdeps gave nothing: listing the libraries' packages"
  pkgs=()
  while read -r lib; do
    path=$(ldd "$stage/usr/bin/emnet-proxy" | awk -v l="$lib" '$1 == l { print $3 }')
    [ -n "$path" ] || continue
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1) || true
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1) || true
    [ -n "$pkg" ] && pkgs+=("$pkg (>= $(dpkg-query -W -f='${Version}' "$pkg"))")
  done < <(objdump -p "$stage/usr/bin/emnet-proxy" | awk '$1 == "NEEDED" { print $2 }')
  shlibs=$(printf '%s\n' "${pkgs[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')
fi
depends="$shlibs, passwd"

mkdir -p "$stage/DEBIAN"
install -m 0755 "$ROOT/proxy/packaging/postinst" "$ROOT/proxy/packaging/prerm" "$ROOT/proxy/packaging/postrm" \
  "$stage/DEBIAN/"
echo /etc/emnet-proxy/emnet-proxy.conf >"$stage/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: emnet-proxy
Version: $deb_version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Section: net
Priority: optional
Description: WebSocket and WebTransport to TCP/UDP gateway for emnet
 emnet-proxy turns WebSocket connections (websockify and Wisp protocols)
 and WebTransport sessions over HTTP/3 from emnet programs in a browser
 into real TCP and UDP connections. Every target is denied unless the
 configuration allows it; limits, Origin and bearer-token checks, and
 Prometheus metrics are built in.
 .
 The package runs it as the systemd service emnet-proxy.service, as the
 system user emnet-proxy, with /etc/emnet-proxy/emnet-proxy.conf.
EOF

mkdir -p "$out_dir"
deb=$(cd "$out_dir" && pwd)/emnet-proxy_${deb_version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >&2
say "built $deb"
dpkg-deb --info "$deb" >&2
dpkg-deb --contents "$deb" >&2
echo "$deb"
