#!/bin/sh
# compare.sh NAME NATIVE_PROGRAM WASM_PROGRAM.js
# Runs one conformance scenario natively (the kernel answers) and as wasm
# under Node.js (emnet answers) and fails on any difference in their traces
# or exit statuses. The native trace is also kept in the wasm build tree for
# the browser tier (tests/browser/conformance.spec.js).
name=$1 native=$2 wasm=$3
# EMNET_TEST_VIA=emnet-proxy: emnet's websockify transport goes to the
# harness's emnet-proxy instead of websockify; emnet-proxy-wisp: the wisp
# transport to emnet-proxy's Wisp mode instead of the wisp-js server.
case ${EMNET_TEST_VIA:-} in
    emnet-proxy | emnet-proxy-wisp)
        if [ -z "${EMNET_PROXY_WS_URL:-}" ]; then
            echo "compare: EMNET_PROXY_WS_URL is not set (emnet-proxy not built?)" >&2
            exit 1
        fi
        export EMNET_WS_URL=$EMNET_PROXY_WS_URL
        if [ "$EMNET_TEST_VIA" = emnet-proxy-wisp ]; then
            export EMNET_TRANSPORT=wisp EMNET_WISP_URL=$EMNET_PROXY_WISP_URL
        fi ;;
esac
here=$(dirname "$0")
out=$(dirname "$wasm")/traces
mkdir -p "$out"
if [ ! -x "$native" ]; then
    echo "compare: $native is missing: build the native tree first (make native)" >&2
    exit 1
fi
# The kernel's trace; a run whose own timing checks failed was stalled by
# the machine's load (tier 1 checks them on their own), so ask again.
for try in 1 2 3; do
    "$native" >"$out/$name.native" 2>"$out/$name.native.err"
    echo "exit $?" >>"$out/$name.native"
    grep -q ': NO$' "$out/$name.native" || break
done
"$here/../harness/run-node.sh" "$wasm" >"$out/$name.wasm" 2>"$out/$name.wasm.err"
echo "exit $?" >>"$out/$name.wasm"
if diff -u "$out/$name.native" "$out/$name.wasm" >"$out/$name.diff"; then
    echo "$name: native and wasm traces agree ($(wc -l <"$out/$name.native") lines)"
    exit 0
fi
echo "$name: traces differ (--- native, +++ wasm over emnet):"
cat "$out/$name.diff"
echo "wasm stderr:"
cat "$out/$name.wasm.err"
exit 1
