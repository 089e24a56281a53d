#!/usr/bin/env bash
# The test-service harness: starts the real servers that tests talk to, runs
# one command with their addresses in the environment, then stops every
# process it started, by its own PID, however the command ended.
#
#   tests/harness/services.sh run -- COMMAND [ARGS...]
#
# Started, each on a free 127.0.0.1 port (never a fixed one):
#   emnet-testsrv   tcp echo, source, sink, bulk, end; udp echo, burst, dual  (tests/servers/testsrv.c)
#                   -> EMNET_TCP_ECHO_PORT EMNET_TCP_SOURCE_PORT EMNET_TCP_SINK_PORT
#                      EMNET_TCP_BULK_PORT EMNET_TCP_END_PORT EMNET_UDP_ECHO_PORT EMNET_UDP_BURST_PORT
#                      EMNET_UDP_DUAL_PORT
#                   a tcp port whose connects never complete  -> EMNET_TCP_SILENT_PORT
#   (no server)     a free UDP port nobody listens on         -> EMNET_UDP_REFUSED_PORT
#   websockify      fixed target: the tcp echo                -> EMNET_WS_ECHO_PORT
#   websockify      token form, ws://127.0.0.1:PORT/?token=echo|source|sink, and
#                   ?token=127.0.0.1_<port> for each of them -> EMNET_WS_TOKEN_PORT
#                   emnet's URL template for it               -> EMNET_WS_URL
#   (no server)     a free port nobody listens on             -> EMNET_TCP_REFUSED_PORT
#   EMNET_CONNECT_CONFIRM_MS=400 for emnet (websockify's slow refusals under load)
#   static server   the repository over HTTP, for pages       -> EMNET_HTTP_PORT
#   wisp server     @mercuryworkshop/wisp-js, loopback targets only -> EMNET_WISP_PORT,
#                   emnet's URL for it                        -> EMNET_WISP_URL
#   emnet-proxy     loopback targets only (proxy/)            -> EMNET_PROXY_PORT,
#                   its websockify mode for emnet             -> EMNET_PROXY_WS_URL
#                   its Wisp mode                             -> EMNET_PROXY_WISP_URL
#                   its WebTransport (UDP port, self-signed certificate whose
#                   hash http://127.0.0.1:EMNET_PROXY_PORT/webtransport gives)
#                                                             -> EMNET_PROXY_WT_PORT, EMNET_PROXY_WT_URL,
#                                                                EMNET_PROXY_WT_INFO_URL
# The same variables are written to the file named by EMNET_SERVICES_ENV.
#
# Each service runs in its own process group (its PID is the group id), so
# that stopping it also stops anything it forked (websockify forks a process
# per connection). On exit the harness checks that none of them survived and
# fails if one did.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NATIVE_BUILD=${EMNET_NATIVE_BUILD:-$ROOT/build/native}
TESTSRV=$NATIVE_BUILD/tests/servers/emnet-testsrv
PROXY=$NATIVE_BUILD/proxy/emnet-proxy

STATE=""
SERVICE_PIDS=()
SERVICE_NAMES=()
CMD_PID=""

say() { printf 'services: %s\n' "$*" >&2; }
. "$ROOT/scripts/lib/process-groups.sh"

stop_all() {
    local status=$? i survivors=0 GROUP
    trap - EXIT INT TERM HUP
    if [ -n "$CMD_PID" ]; then stop_group "$CMD_PID"; wait "$CMD_PID" 2>/dev/null; fi
    for ((i = ${#SERVICE_PIDS[@]} - 1; i >= 0; i--)); do
        stop_group "${SERVICE_PIDS[$i]}"
        wait "${SERVICE_PIDS[$i]}" 2>/dev/null
    done
    for GROUP in "${SERVICE_PIDS[@]}" $CMD_PID; do
        if group_alive; then
            say "process group $GROUP survived"
            survivors=$((survivors + 1))
        fi
    done
    if [ ${#SERVICE_PIDS[@]} -gt 0 ]; then
        say "stopped ${#SERVICE_PIDS[@]} services (${SERVICE_NAMES[*]}), $survivors survivors"
    fi
    [ -n "$STATE" ] && rm -rf "$STATE"
    if [ "$survivors" -gt 0 ] && [ "$status" -eq 0 ]; then status=1; fi
    exit "$status"
}

# start NAME COMMAND...: runs it in a new session with output to $STATE/NAME.*
start() {
    local name=$1
    shift
    setsid "$@" >"$STATE/$name.out" 2>"$STATE/$name.err" </dev/null &
    SERVICE_PIDS+=($!)
    SERVICE_NAMES+=("$name:$!")
}

last_pid() { echo "${SERVICE_PIDS[${#SERVICE_PIDS[@]} - 1]}"; }

# wait_ready NAME: until the service printed "ready" (or died: then fail).
wait_ready() {
    local name=$1 pid i
    pid=$(last_pid)
    for i in $(seq 100); do
        grep -qx ready "$STATE/$name.out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    say "$name did not start:"
    cat "$STATE/$name.err" >&2
    return 1
}


# start_websockify NAME ARGS...: websockify cannot report a port it picked,
# so take a free one and try again if another process won the race for it.
# Sets WS_PORT (not echoed: a $(...) subshell would lose the PID it records).
start_websockify() {
    local name=$1 try port i pid
    shift
    for try in 1 2 3 4 5; do
        port=$(free_port)
        start "$name" websockify "127.0.0.1:$port" "$@"
        pid=$(last_pid)
        for i in $(seq 100); do
            if port_open "$port"; then WS_PORT=$port; return 0; fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        stop_group "$pid"
    done
    say "websockify ($name) did not start:"
    cat "$STATE/$name.err" >&2
    return 1
}

# wait_listening NAME: until emnet-proxy printed "listening HOST:PORT".
wait_listening() {
    local name=$1 pid i
    pid=$(last_pid)
    for i in $(seq 100); do
        grep -q '^listening ' "$STATE/$name.out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    say "$name did not start:"
    cat "$STATE/$name.err" >&2
    return 1
}

port_of() { awk -v k="$2" '$1 == k { print $2 }' "$STATE/$1.out"; }

start_all() {
    STATE=$(mktemp -d "${TMPDIR:-/tmp}/emnet-services.XXXXXX")
    if [ ! -x "$TESTSRV" ]; then
        say "$TESTSRV is missing: build the native tree first (make build)"
        return 1
    fi
    start testsrv "$TESTSRV"
    wait_ready testsrv || return 1
    export EMNET_TCP_ECHO_PORT=$(port_of testsrv tcp_echo)
    export EMNET_TCP_SOURCE_PORT=$(port_of testsrv tcp_source)
    export EMNET_TCP_SINK_PORT=$(port_of testsrv tcp_sink)
    export EMNET_TCP_BULK_PORT=$(port_of testsrv tcp_bulk)
    export EMNET_TCP_END_PORT=$(port_of testsrv tcp_end)
    export EMNET_TCP_SILENT_PORT=$(port_of testsrv tcp_silent)
    export EMNET_UDP_ECHO_PORT=$(port_of testsrv udp_echo)
    export EMNET_UDP_BURST_PORT=$(port_of testsrv udp_burst)
    export EMNET_UDP_DUAL_PORT=$(port_of testsrv udp_dual)
    # A UDP port with nothing bound to it: datagrams sent there come back as
    # ICMP port unreachable (ECONNREFUSED on a connected socket).
    export EMNET_UDP_REFUSED_PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

    # A port with nothing listening, for refused connects.
    export EMNET_TCP_REFUSED_PORT=$(free_port)

    # Tokens by name, and by address ("127.0.0.1_PORT") for emnet's
    # websockify transport, whose URL template EMNET_WS_URL names them.
    mkdir -p "$STATE/tokens"
    {
        printf 'echo: 127.0.0.1:%s\nsource: 127.0.0.1:%s\nsink: 127.0.0.1:%s\nbulk: 127.0.0.1:%s\n' \
            "$EMNET_TCP_ECHO_PORT" "$EMNET_TCP_SOURCE_PORT" "$EMNET_TCP_SINK_PORT" "$EMNET_TCP_BULK_PORT"
        for p in "$EMNET_TCP_ECHO_PORT" "$EMNET_TCP_SOURCE_PORT" "$EMNET_TCP_SINK_PORT" "$EMNET_TCP_BULK_PORT" \
                 "$EMNET_TCP_END_PORT" "$EMNET_TCP_REFUSED_PORT"; do
            printf '127.0.0.1_%s: 127.0.0.1:%s\n' "$p" "$p"
            printf 'localhost_%s: localhost:%s\n' "$p" "$p"   # a name, resolved by the proxy
        done
    } >"$STATE/tokens/targets"
    start_websockify websockify-echo "127.0.0.1:$EMNET_TCP_ECHO_PORT" || return 1
    export EMNET_WS_ECHO_PORT=$WS_PORT
    start_websockify websockify-token --token-plugin TokenFile --token-source "$STATE/tokens" || return 1
    export EMNET_WS_TOKEN_PORT=$WS_PORT
    export EMNET_WS_URL="ws://127.0.0.1:$EMNET_WS_TOKEN_PORT/?token={host}_{port}"
    # websockify reports a refused connect only by closing after the open;
    # on a 2-core machine busy with parallel browser tests its forked
    # handler may take longer than emnet's default window to do so.
    export EMNET_CONNECT_CONFIRM_MS=${EMNET_CONNECT_CONFIRM_MS:-400}

    start static-server node "$ROOT/tests/harness/static-server.js" "$ROOT"
    wait_ready static-server || return 1
    export EMNET_HTTP_PORT=$(port_of static-server http)

    start wisp-server node "$ROOT/tests/harness/wisp-server.js"
    wait_ready wisp-server || return 1
    export EMNET_WISP_PORT=$(port_of wisp-server wisp)
    export EMNET_WISP_URL="ws://127.0.0.1:$EMNET_WISP_PORT/"

    # emnet-proxy, allowing loopback targets only; it prints its port. Its
    # limits leave room for 1,000 streams on one Wisp connection and for
    # 100 websockify connections at once, all from 127.0.0.1
    # (tests/net/tcp_many_sockets.c, the TCP benchmark). A WebTransport
    # session whose browser was killed stays until QUIC's idle timeout:
    # a drain of 2 s lets the proxy exit within the harness's grace.
    if [ -x "$PROXY" ]; then
        start emnet-proxy "$PROXY" --listen 127.0.0.1:0 --allow 127.0.0.0/8 --allow ::1 \
            --allow_origin '*' --token_file "$STATE/tokens" --log_level warn \
            --max_streams 2048 --max_connections_per_ip 512 --webtransport_listen 127.0.0.1:0 \
            --drain-timeout 2
        wait_listening emnet-proxy || return 1
        export EMNET_PROXY_PORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$STATE/emnet-proxy.out")
        # Its WebTransport (HTTP/3) port, printed just after; the page
        # fetches the certificate's hash from http://.../webtransport.
        for _ in $(seq 100); do grep -q '^webtransport ' "$STATE/emnet-proxy.out" && break; sleep 0.05; done
        export EMNET_PROXY_WT_PORT=$(sed -n 's/^webtransport 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$STATE/emnet-proxy.out")
        export EMNET_PROXY_WT_URL="https://127.0.0.1:$EMNET_PROXY_WT_PORT/emnet"
        export EMNET_PROXY_WT_INFO_URL="http://127.0.0.1:$EMNET_PROXY_PORT/webtransport"
        export EMNET_PROXY_WS_URL="ws://127.0.0.1:$EMNET_PROXY_PORT/tcp/{host}/{port}"
        export EMNET_PROXY_WISP_URL="ws://127.0.0.1:$EMNET_PROXY_PORT/wisp/"
    fi

    export EMNET_SERVICES_ENV=$STATE/env
    env | grep -E '^EMNET_(TCP|UDP|WS|HTTP|CONNECT|WISP|PROXY)_' | sort | sed "s/^\([A-Z_]*\)=\(.*\)/export \1='\2'/" >"$EMNET_SERVICES_ENV"
    say "started ${SERVICE_NAMES[*]}"
    say "ports: tcp echo $EMNET_TCP_ECHO_PORT, source $EMNET_TCP_SOURCE_PORT, sink $EMNET_TCP_SINK_PORT," \
        "bulk $EMNET_TCP_BULK_PORT, udp echo $EMNET_UDP_ECHO_PORT, burst $EMNET_UDP_BURST_PORT, dual $EMNET_UDP_DUAL_PORT," \
        "refused $EMNET_UDP_REFUSED_PORT, websockify echo $EMNET_WS_ECHO_PORT, token $EMNET_WS_TOKEN_PORT," \
        "http $EMNET_HTTP_PORT, wisp $EMNET_WISP_PORT, emnet-proxy ${EMNET_PROXY_PORT:-(not built)}"
}

main() {
    if [ "${1:-}" != run ] || [ "${2:-}" != -- ] || [ $# -lt 3 ]; then
        echo "usage: $0 run -- COMMAND [ARGS...]" >&2
        exit 2
    fi
    shift 2
    trap stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    start_all || exit 1
    # The command runs in its own process group too, so an interrupt stops
    # everything it started (ctest's tests, Playwright's browser).
    setsid "$@" &
    CMD_PID=$!
    wait "$CMD_PID"
    local status=$?
    CMD_PID=""
    exit "$status"
}

main "$@"
