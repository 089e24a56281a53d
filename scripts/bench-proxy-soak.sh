#!/usr/bin/env bash
# emnet-proxy soak: 1,000 WebSocket clients, well-behaved and hostile, against
# one emnet-proxy of the optimised build, for a bounded time, all on
# 127.0.0.1 on ports the kernel picks (tests/bench/proxy_soak.js says what
# each client does and what is printed).
#
#   scripts/bench-proxy-soak.sh          (BUILD=DIR: another optimised native tree)
#
# Tunables (environment): EMNET_SOAK_SECONDS (120: the mixed phase),
# EMNET_SOAK_BASELINE_SECONDS (20: well-behaved clients alone),
# EMNET_SOAK_RSS_LIMIT_MB (4096: hostile load stops past it),
# EMNET_SOAK_FLOOD_RATE (0: CONNECT flooders as fast as the proxy reads),
# EMNET_SOAK_MIX (other client counts, e.g. "flooder=0,bulk=2").
#
# Builds nothing: `make bench` builds build/native-release first. The Node.js
# client runs in a session of its own and starts the proxy and emnet-testsrv
# itself; it stops them by their PIDs, and this script stops its whole
# process group on exit or Ctrl-C, so nothing survives a failure. Exit
# status: the client's (0: every PASS/FAIL line passed, 1: one failed).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build/native-release}
PROXY=$BUILD/proxy/emnet-proxy
TESTSRV=$BUILD/tests/servers/emnet-testsrv

say() { printf 'bench-proxy-soak: %s\n' "$*" >&2; }
. "$ROOT/scripts/lib/process-groups.sh"

for f in "$TESTSRV" "$PROXY"; do
    if [ ! -x "$f" ]; then
        say "$f is missing: build the tree first (make native-release, or set BUILD)"
        exit 1
    fi
done

# 1,000 WebSockets here, as many in the proxy plus its targets.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

GROUP=
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [ -n "$GROUP" ]; then
        stop_group "$GROUP"
        if group_alive "$GROUP"; then
            say "process group $GROUP survived"
            [ "$status" -eq 0 ] && status=1
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

setsid node "$ROOT/tests/bench/proxy_soak.js" "$PROXY" "$TESTSRV" </dev/null &
GROUP=$!
wait "$GROUP"
status=$?
exit "$status"
