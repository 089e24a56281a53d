#!/usr/bin/env bash
# wisp-password.sh EMNET_PROXY NATIVE_SCENARIO WASM_SCENARIO.js TCP_WISP_CONFIRM.js
# Wisp v2 password authentication against an emnet-proxy of its own that
# requires it (wisp_user, wisp_password_file): with EMNET_WISP_USER and
# EMNET_WISP_PASSWORD right, a conformance scenario (an echo round trip)
# gives the kernel's trace; with a wrong password, or none, the proxy
# refuses the Wisp connection and the connect fails with EACCES (seen by
# tcp_wisp_confirm, which names SO_ERROR: the trace has numbers only). Needs the
# harness (tests/harness/services.sh); stops the proxy it started, by PID.
proxy_bin=$1 native=$2 wasm=$3 named=$4
here=$(dirname "$0")
dir=$(mktemp -d)
cleanup() { [ -n "${proxy:-}" ] && kill -KILL "$proxy" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

echo 'open sesame' >"$dir/password"
"$proxy_bin" --listen 127.0.0.1:0 --allow 127.0.0.0/8 --log_level warn \
    --wisp_user alice --wisp_password_file "$dir/password" >"$dir/proxy.out" 2>&1 &
proxy=$!
for _ in $(seq 100); do grep -q '^listening' "$dir/proxy.out" && break; sleep 0.05; done
port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/proxy.out")
[ -n "$port" ] || { cat "$dir/proxy.out"; echo "emnet-proxy did not start"; exit 1; }
export EMNET_TRANSPORT=wisp EMNET_WISP_URL="ws://127.0.0.1:$port/wisp/"

status=0
EMNET_WISP_USER=alice EMNET_WISP_PASSWORD='open sesame' \
    "$here/../conformance/compare.sh" "$(basename "$wasm" .js).password" "$native" "$wasm" || status=1
for pw in wrong ''; do
    out=$(EMNET_WISP_USER=alice EMNET_WISP_PASSWORD=$pw "$here/../harness/run-node.sh" "$named" 2>&1)
    if grep -q '^echo: poll 1 OUT ERR HUP, SO_ERROR Permission denied$' <<<"$out"; then
        echo "password '${pw}': refused, EACCES"
    else
        echo "password '${pw}': not refused with EACCES:"; echo "$out"; status=1
    fi
done
exit $status
