#!/usr/bin/env bash
# `make demo`: the chat demo on this machine. Starts ngIRCd, the WebSocket
# proxy in front of it and a web server for the repository, all on
# 127.0.0.1 and free ports (demo/services.sh), says what runs where and
# which URL to open, and keeps them up until Ctrl-C, which stops them all
# by PID.
#   EMNET_DEMO_PROXY=websockify    stock websockify instead of emnet-proxy
#   EMNET_DEMO_WASM_BUILD=DIR      the wasm build under build/ (default wasm)
set -u
cd "$(dirname "$0")/.."
wasm=${EMNET_DEMO_WASM_BUILD:-wasm}
native=${EMNET_DEMO_NATIVE_BUILD:-build/native}
if [ ! -f "build/$wasm/demo/client/emnet-chat-web.js" ]; then
    echo "demo: build/$wasm/demo/client/emnet-chat-web.js is missing: run make build first" >&2
    exit 1
fi

out=$(mktemp "${TMPDIR:-/tmp}/emnet-demo-out.XXXXXX")
demo/services.sh run --web >"$out" &
pid=$!
# A background job of a script ignores SIGINT, so Ctrl-C reaches only us:
# pass it on as TERM, and wait until everything is down.
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; status=$?; rm -f "$out"; exit "$status"' INT TERM HUP

for _ in $(seq 200); do
    grep -qx ready "$out" && break
    kill -0 "$pid" 2>/dev/null || { wait "$pid"; status=$?; rm -f "$out"; exit "$status"; }
    sleep 0.05
done
EMNET_DEMO_WASM_BUILD=$wasm EMNET_DEMO_NATIVE_BUILD=$native scripts/demo-show.sh "$out"
wait "$pid"
status=$?
rm -f "$out"
exit "$status"
