#!/usr/bin/env bash
# Builds libmosquitto, unchanged, with Emscripten, by its own CMake build:
# the client library only (no broker, no TLS, no threads: a page's program
# has one thread), as a static library.
#
#   examples/mqtt/build-libmosquitto.sh MOSQUITTO_SOURCE BUILD_DIR
#   -> BUILD_DIR/lib/libmosquitto_static.a, headers in MOSQUITTO_SOURCE/include
set -euo pipefail
src=$1
out=$2
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # Debian's emcc: its JS optimizer needs acorn
emcmake cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release \
  -DWITH_TLS=OFF -DWITH_THREADING=OFF -DWITH_SRV=OFF -DWITH_CJSON=OFF \
  -DWITH_BROKER=OFF -DWITH_APPS=OFF -DWITH_CLIENTS=OFF -DWITH_PLUGINS=OFF -DWITH_LIB_CPP=OFF \
  -DWITH_STATIC_LIBRARIES=ON -DDOCUMENTATION=OFF -Wno-dev >/dev/null
cmake --build "$out" --target libmosquitto_static -j2 >/dev/null
