#!/usr/bin/env bash
# wisp-dies.sh PROGRAM.js
# Runs a wasm program whose TCP socket goes over the wisp transport to a
# Wisp server of its own (tests/harness/wisp-server.js), and kills that
# server (its process group, by PID) once the program has connected and
# data flows: the connection's WebSocket dies under the stream. Needs
# EMNET_TCP_SOURCE_PORT (run under tests/harness/services.sh); stops
# everything it started.
prog=$1
here=$(dirname "$0")
dir=$(mktemp -d)
setsid node "$here/../harness/wisp-server.js" >"$dir/wisp.out" 2>"$dir/wisp.err" </dev/null &
wisp=$!
cleanup() { kill -KILL -- "-$wisp" 2>/dev/null; [ -n "${run:-}" ] && kill -KILL "$run" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
i=0
until grep -qx ready "$dir/wisp.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && { cat "$dir/wisp.err"; echo "the Wisp server did not start"; exit 1; }
    sleep 0.05
done
port=$(awk '$1 == "wisp" { print $2 }' "$dir/wisp.out")
EMNET_TRANSPORT=wisp EMNET_WISP_URL="ws://127.0.0.1:$port/" "$here/../harness/run-node.sh" "$prog" >"$dir/out" 2>&1 &
run=$!
i=0
until grep -q connected "$dir/out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 200 ] && { cat "$dir/out"; echo "the program did not connect"; exit 1; }
    sleep 0.05
done
sleep 0.5
kill -KILL -- "-$wisp"
wait "$wisp" 2>/dev/null
wait "$run"
status=$?
run=""
cat "$dir/out"
exit $status
