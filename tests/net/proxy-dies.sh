#!/usr/bin/env bash
# proxy-dies.sh websockify|wisp PROGRAM.js
# Runs a wasm program whose TCP socket goes through a proxy of its own --
# a websockify (websockify transport), or a Wisp server
# (tests/harness/wisp-server.js, wisp transport) -- and kills that proxy
# (its whole process group, by PID) once the program has connected and
# data flows. Needs EMNET_TCP_SOURCE_PORT (run under
# tests/harness/services.sh); stops everything it started.
kind=$1 prog=$2
here=$(dirname "$0")
dir=$(mktemp -d)
. "$here/../../scripts/lib/process-groups.sh"
cleanup() { kill -KILL -- "-$proxy" 2>/dev/null; [ -n "${run:-}" ] && kill -KILL "$run" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

case $kind in
    websockify)
        port=$(free_port)
        printf '127.0.0.1_%s: 127.0.0.1:%s\n' "$EMNET_TCP_SOURCE_PORT" "$EMNET_TCP_SOURCE_PORT" >"$dir/targets"
        setsid websockify --token-plugin TokenFile --token-source "$dir" "127.0.0.1:$port" >"$dir/proxy.out" 2>&1 &
        proxy=$!
        started() { port_open "$port"; }
        settings=(EMNET_WS_URL="ws://127.0.0.1:$port/?token={host}_{port}") ;;
    wisp)
        setsid node "$here/../harness/wisp-server.js" >"$dir/proxy.out" 2>"$dir/proxy.err" </dev/null &
        proxy=$!
        started() { grep -qx ready "$dir/proxy.out" 2>/dev/null; } ;;
    *) echo "usage: $0 websockify|wisp PROGRAM.js"; exit 2 ;;
esac
i=0
until started; do
    i=$((i + 1)); [ $i -gt 100 ] && { cat "$dir"/proxy.*; echo "the $kind proxy did not start"; exit 1; }
    sleep 0.05
done
if [ "$kind" = wisp ]; then
    settings=(EMNET_TRANSPORT=wisp EMNET_WISP_URL="ws://127.0.0.1:$(awk '$1 == "wisp" { print $2 }' "$dir/proxy.out")/")
fi
env "${settings[@]}" "$here/../harness/run-node.sh" "$prog" >"$dir/out" 2>&1 &
run=$!
i=0
until grep -q connected "$dir/out" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 200 ] && { cat "$dir/out"; echo "the program did not connect"; exit 1; }
    sleep 0.05
done
sleep 0.5
kill -KILL -- "-$proxy"
wait "$proxy" 2>/dev/null
wait "$run"
status=$?
run=""
cat "$dir/out"
exit $status
