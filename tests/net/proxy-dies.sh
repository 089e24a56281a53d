#!/usr/bin/env bash
# proxy-dies.sh PROGRAM.js
# Runs a wasm program whose TCP socket goes through a websockify of its
# own, and kills that websockify (its whole process group, by PID) once
# the program has connected and data flows. Needs EMNET_TCP_SOURCE_PORT
# (run under tests/harness/services.sh); stops everything it started.
prog=$1
here=$(dirname "$0")
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '127.0.0.1_%s: 127.0.0.1:%s\n' "$EMNET_TCP_SOURCE_PORT" "$EMNET_TCP_SOURCE_PORT" >"$dir/targets"
setsid websockify --token-plugin TokenFile --token-source "$dir" "127.0.0.1:$port" >"$dir/ws.log" 2>&1 &
ws=$!
cleanup() { kill -KILL -- "-$ws" 2>/dev/null; [ -n "${run:-}" ] && kill -KILL "$run" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
i=0
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "websockify did not start"; exit 1; }
    sleep 0.05
done
EMNET_WS_URL="ws://127.0.0.1:$port/?token={host}_{port}" "$here/../harness/run-node.sh" "$prog" >"$dir/out" 2>&1 &
run=$!
i=0
until grep -q connected "$dir/out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 200 ] && { cat "$dir/out"; echo "the program did not connect"; exit 1; }
    sleep 0.05
done
sleep 0.5
kill -KILL -- "-$ws"
wait "$ws" 2>/dev/null
wait "$run"
status=$?
run=""
cat "$dir/out"
exit $status
