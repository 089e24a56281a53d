#!/usr/bin/env bash
# Fetches the source of Debian's mosquitto package (2.0.11: libmosquitto,
# the MQTT client library that examples/mqtt compiles unchanged) into
# build/third-party/, once; later runs find it there. The source is built
# at test time and never committed. Prints the source folder.
#
# apt is pointed at a deb-src list of its own, derived from the machine's
# Debian sources, and a state folder of its own: the machine's apt
# configuration is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=build/third-party
src=$dest/mosquitto
if [ -f "$src/lib/mosquitto.c" ]; then
  echo "$src"
  exit 0
fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ]; then
  awk 'NF==0{exit} {sub(/^Types: deb$/, "Types: deb-src"); sub(/^Suites: .*/, "Suites: bookworm"); print}' \
    "$sources" >"$work/src.sources"
  lists=(-o "Dir::Etc::sourcelist=$work/src.sources" -o Dir::Etc::sourceparts=/dev/null)
else   # the one-line format
  grep -m1 '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' >"$work/src.list"
  lists=(-o "Dir::Etc::sourcelist=$work/src.list" -o Dir::Etc::sourceparts=/dev/null)
fi
opts=("${lists[@]}" -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -q >&2
(cd "$work" && apt-get "${opts[@]}" source --download-only mosquitto >&2)
dsc=$(ls "$work"/mosquitto_2.0.11*.dsc)
rm -rf "$src.tmp"
dpkg-source --no-check -x "$dsc" "$src.tmp" >&2   # Debian's patches applied, as Debian builds it
mv "$src.tmp" "$src"
echo "$src"
