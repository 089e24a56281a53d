#!/bin/sh
# Runs one Emscripten-built program (prog.js + prog.wasm) under Node.js.
# ctest uses it as the emulator of the wasm build; run it by hand the same way:
#   tests/harness/run-node.sh build/wasm/tests/smoke/smoke_hello.js [args...]
# --experimental-websocket gives Node 20 the browser's global WebSocket.
exec node --experimental-websocket "$@"
