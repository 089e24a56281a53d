#!/usr/bin/env bash
# Installs emnet (the wasm build given, and a native build made here) to a
# scratch prefix, copies examples/ out of the tree, builds every example
# from the prefix alone, three ways (find_package in CMake, natively and
# with emcmake; emnet-config in a plain Makefile; pkg-config), and runs
# them: natively against the harness's echo servers, and as wasm under
# Node.js through emnet-proxy's Wisp mode (EMNET_PROXY_WISP_URL); and the
# MQTT example (libmosquitto from Debian's source, compiled unchanged) in
# Chromium against Debian's mosquitto broker (tests/install/mqtt-page.js).
#
#   tests/install/examples.sh WASM_BUILD_DIR WORK_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
wasm_build=$1
work=$2
prefix=$work/prefix
: "${EMNET_TCP_ECHO_PORT:?run under tests/harness/services.sh}" "${EMNET_PROXY_WISP_URL:?}"
# Debian's emcc needs Debian's acorn for its JS optimizer (-O2 and up).
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

step() { echo "--- $*"; }
rm -rf "$work"
mkdir -p "$work"

step "install: the wasm build and a native one into $prefix"
cmake --install "$wasm_build" --prefix "$prefix" --component library >/dev/null
cmake -S "$root" -B "$work/native-lib" -DCMAKE_BUILD_TYPE=Release -DEMNET_BUILD_TESTS=OFF \
      -DEMNET_BUILD_DEMO=OFF -DEMNET_BUILD_PROXY=OFF >/dev/null
cmake --build "$work/native-lib" -j2 >/dev/null
cmake --install "$work/native-lib" --prefix "$prefix" --component library >/dev/null

# Out of the tree: nothing but the prefix can be found from here.
cp -r "$root/examples" "$work/src"

step "libmosquitto (Debian's source, unchanged) for the MQTT example"
mosquitto_src=$root/$("$root/scripts/fetch-mosquitto.sh")
mosquitto_build=$root/build/third-party/mosquitto-wasm
[ -f "$mosquitto_build/lib/libmosquitto_static.a" ] ||
  "$work/src/mqtt/build-libmosquitto.sh" "$mosquitto_src" "$mosquitto_build"

step "CMake package, native and wasm"
cmake -S "$work/src" -B "$work/cmake-native" -Demnet_DIR="$prefix/lib/cmake/emnet" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >/dev/null
cmake --build "$work/cmake-native" -j2 >/dev/null
emcmake cmake -S "$work/src" -B "$work/cmake-wasm" -Demnet_DIR="$prefix/lib/cmake/emnet" \
      -DMOSQUITTO_LIBRARY="$mosquitto_build/lib/libmosquitto_static.a" \
      -DMOSQUITTO_INCLUDE_DIR="$mosquitto_src/include" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake-wasm" -j2 >/dev/null

step "emnet-config in a Makefile"
make -s -C "$work/src" EMNET_CONFIG="$prefix/bin/emnet-config" OUT="$work/make" >/dev/null

step "pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/emscripten/pkgconfig
# shellcheck disable=SC2046
emcc -O1 $(pkg-config --cflags --libs emnet) "$work/src/loop_client/loop_client.c" -o "$work/loop_client_pc.js"

failed=0
expect() {   # WHAT WANT CMD...: runs CMD and checks its last line of output
    local what=$1 want=$2 out
    shift 2
    out=$("$@" 2>&1) || true
    if [ "$(printf '%s\n' "$out" | tail -n1)" = "$want" ]; then
        echo "ok: $what"
    else
        echo "FAILED: $what"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=1
    fi
}
wasm() { EMNET_TRANSPORT=wisp EMNET_WISP_URL=$EMNET_PROXY_WISP_URL node --experimental-websocket "$@"; }

host=127.0.0.1
echo_ok="echo_client: 5 TCP and 5 UDP messages came back"
loop_ok="loop_client: 10 lines sent, 70 of 70 bytes echoed"
step "run"
expect "echo_client native (CMake)" "$echo_ok" "$work/cmake-native/echo_client" $host "$EMNET_TCP_ECHO_PORT" "$EMNET_UDP_ECHO_PORT"
expect "echo_client native (emnet-config)" "$echo_ok" "$work/make/echo_client" $host "$EMNET_TCP_ECHO_PORT" "$EMNET_UDP_ECHO_PORT"
expect "loop_client native (CMake)" "$loop_ok" "$work/cmake-native/loop_client" $host "$EMNET_TCP_ECHO_PORT" 10
expect "echo_client wasm (CMake)" "$echo_ok" wasm "$work/cmake-wasm/echo_client.js" $host "$EMNET_TCP_ECHO_PORT" "$EMNET_UDP_ECHO_PORT"
expect "echo_client wasm (emnet-config)" "$echo_ok" wasm "$work/make/echo_client.js" $host "$EMNET_TCP_ECHO_PORT" "$EMNET_UDP_ECHO_PORT"
expect "loop_client wasm (CMake)" "$loop_ok" wasm "$work/cmake-wasm/loop_client.js" $host "$EMNET_TCP_ECHO_PORT" 10
expect "loop_client wasm (pkg-config)" "$loop_ok" wasm "$work/loop_client_pc.js" $host "$EMNET_TCP_ECHO_PORT" 10
step "the MQTT example in Chromium, against Debian's mosquitto broker and clients"
if node "$root/tests/install/mqtt-page.js" "$work/cmake-wasm/mqtt_echo.js"; then
    echo "ok: mqtt example"
else
    echo "FAILED: mqtt example"
    failed=1
fi
exit $failed
