#!/usr/bin/env bash
# emnet-proxy against websockify (websockify mode) and against wisp-js's
# Node server (Wisp mode), in the same run, on the same machine, with the
# same native client (emnet-bench-proxy, tests/bench/proxy/) and the same
# target (emnet-testsrv). Prints tables of throughput and memory per idle
# connection or stream, with the goals each figure is held to.
#
#   scripts/bench-proxy.sh              (BUILD=DIR: another optimised native tree)
#
# Builds nothing: `make bench` builds build/native-release first. Every
# server runs in its own process group on a free 127.0.0.1 port and is
# stopped by its PID (websockify forks a process per connection: the whole
# group goes); the script fails if one survives. wisp-js is the npm package
# @mercuryworkshop/wisp-js (node_modules/), run as the test harness runs it
# (tests/harness/wisp-server.js).
#
# Tunables (environment): EMNET_BENCH_PROXY_ROUNDS (3: throughput runs per
# figure, the median is shown), EMNET_BENCH_PROXY_MIB (64: MiB each way per
# connection or stream), EMNET_BENCH_PROXY_IDLE (10000: idle connections and
# idle Wisp streams for emnet-proxy), EMNET_BENCH_PROXY_WS_IDLE (200: idle
# connections for websockify, which forks a Python process for each).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build/native-release}
TESTSRV=$BUILD/tests/servers/emnet-testsrv
PROXY=$BUILD/proxy/emnet-proxy
CLIENT=$BUILD/tests/bench/proxy/emnet-bench-proxy
ROUNDS=${EMNET_BENCH_PROXY_ROUNDS:-3}
MIB=${EMNET_BENCH_PROXY_MIB:-64}
IDLE=${EMNET_BENCH_PROXY_IDLE:-10000}
WS_IDLE=${EMNET_BENCH_PROXY_WS_IDLE:-200}

say() { printf 'bench-proxy: %s\n' "$*" >&2; }
. "$ROOT/scripts/lib/process-groups.sh"

for f in "$TESTSRV" "$PROXY" "$CLIENT"; do
    if [ ! -x "$f" ]; then
        say "$f is missing: build the tree first (make native-release, or set BUILD)"
        exit 1
    fi
done
if ! command -v websockify >/dev/null; then
    say "websockify is not installed (scripts/setup.sh installs it)"
    exit 1
fi
if ! command -v node >/dev/null || [ ! -d "$ROOT/node_modules/@mercuryworkshop/wisp-js" ]; then
    say "node or the npm package @mercuryworkshop/wisp-js is missing (scripts/setup.sh installs them)"
    exit 1
fi

# Every idle connection holds an fd in the client, two in the proxy (the
# WebSocket and the target) and one in emnet-testsrv. Ask for more than
# that; a container may cap the hard limit lower, and then the connection
# count follows the cap (said in the output).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)
MAX_IDLE=$(((FD_LIMIT - 32) / 2))
IDLE_CONNS=$IDLE
[ "$IDLE_CONNS" -gt "$MAX_IDLE" ] && IDLE_CONNS=$MAX_IDLE
IDLE_STREAMS=$IDLE
[ "$IDLE_STREAMS" -gt $((FD_LIMIT - 32)) ] && IDLE_STREAMS=$((FD_LIMIT - 32))
PORTS=$(sysctl -n net.ipv4.ip_local_port_range 2>/dev/null | awk '{ print $2 - $1 + 1 }')
if [ -n "$PORTS" ] && [ "$PORTS" -lt $((2 * IDLE_CONNS + 1000)) ]; then
    say "only $PORTS ephemeral ports for $((2 * IDLE_CONNS)) loopback connections: expect failures"
fi

STATE=$(mktemp -d "${TMPDIR:-/tmp}/emnet-bench-proxy.XXXXXX")
PIDS=()

cleanup() {
    local status=$? GROUP survivors=0
    trap - EXIT INT TERM HUP
    for GROUP in "${PIDS[@]}"; do stop_group "$GROUP"; done
    for GROUP in "${PIDS[@]}"; do
        if group_alive; then
            say "process group $GROUP survived"
            survivors=$((survivors + 1))
        fi
    done
    rm -rf "$STATE"
    [ "$survivors" -gt 0 ] && [ "$status" -eq 0 ] && status=1
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# start NAME COMMAND...: in a new session (its PID is its process group);
# sets LAST_PID.
start() {
    local name=$1
    shift
    setsid "$@" >"$STATE/$name.out" 2>"$STATE/$name.err" </dev/null &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

stop() {   # stop PID: stops that group now and forgets it
    local pid=$1 i
    stop_group "$pid"
    for i in "${!PIDS[@]}"; do [ "${PIDS[$i]}" = "$pid" ] && unset 'PIDS[i]'; done
}

wait_line() {   # wait_line NAME REGEX: until the service printed it (or died)
    local i
    for i in $(seq 100); do
        grep -qE "$2" "$STATE/$1.out" 2>/dev/null && return 0
        kill -0 "$LAST_PID" 2>/dev/null || break
        sleep 0.05
    done
    say "$1 did not start:"
    cat "$STATE/$1.err" >&2
    exit 1
}


# websockify cannot report a port it picked: take a free one, retry on a race.
start_websockify() {
    local try i
    for try in 1 2 3 4 5; do
        WS_PORT=$(free_port)
        start websockify websockify --token-plugin TokenFile --token-source "$STATE/tokens" "127.0.0.1:$WS_PORT"
        WS_PID=$LAST_PID
        for i in $(seq 100); do
            port_open "$WS_PORT" && return 0
            kill -0 "$WS_PID" 2>/dev/null || break
            sleep 0.05
        done
        stop "$WS_PID"
    done
    say "websockify did not start:"
    cat "$STATE/websockify.err" >&2
    exit 1
}

# wisp-js prints "wisp PORT" (the port the kernel chose), then "ready".
start_wispjs() {
    start wispjs node "$ROOT/tests/harness/wisp-server.js"
    WJ_PID=$LAST_PID
    wait_line wispjs '^ready$'
    WJ_PORT=$(awk '$1 == "wisp" { print $2 }' "$STATE/wispjs.out")
}

# start_proxy: a fresh emnet-proxy that allows the two targets and holds the
# idle counts; sets PX_PORT and PX_PID.
start_proxy() {
    start proxy "$PROXY" --listen 127.0.0.1:0 --allow "127.0.0.1:$BULK_PORT" --allow "127.0.0.1:$ECHO_PORT" \
        --max-connections $((IDLE_CONNS + 100)) --max-connections-per-ip $((IDLE_CONNS + 100)) \
        --max-streams "$IDLE_STREAMS" --log-level warn
    PX_PID=$LAST_PID
    wait_line proxy '^listening '
    PX_PORT=$(awk '/^listening / { n = split($2, a, ":"); print a[n] }' "$STATE/proxy.out")
}

# client NAME ARGS...: runs the client, appends its "key value" lines to
# $STATE/NAME.res; a failure is reported and remembered.
FAILED=0
client() {
    local name=$1
    shift
    if ! "$CLIENT" "$@" >"$STATE/run.out" 2>"$STATE/run.err"; then
        say "$name failed: $(tr '\n' ' ' <"$STATE/run.err")"
        FAILED=1
    fi
    cat "$STATE/run.out" >>"$STATE/$name.res"
}

# value NAME KEY: the median of KEY's values in NAME's results, or "-".
value() {
    [ -f "$STATE/$1.res" ] || { echo -; return; }
    awk -v k="$2" '$1 == k { v[n++] = $2 } END {
        if (!n) { print "-"; exit }
        for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        print (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2 }' "$STATE/$1.res"
}

start testsrv "$TESTSRV"
TS_PID=$LAST_PID
wait_line testsrv '^ready$'
BULK_PORT=$(awk '$1 == "tcp_bulk" { print $2 }' "$STATE/testsrv.out")
ECHO_PORT=$(awk '$1 == "tcp_echo" { print $2 }' "$STATE/testsrv.out")
mkdir -p "$STATE/tokens"
printf 'bulk: 127.0.0.1:%s\necho: 127.0.0.1:%s\n' "$BULK_PORT" "$ECHO_PORT" >"$STATE/tokens/targets"
start_websockify
start_wispjs
start_proxy

# ---- throughput: the same work through both, interleaved per round ----
half=$((MIB / 2))
for round in $(seq "$ROUNDS"); do
    say "throughput round $round of $ROUNDS"
    client ws1 tput "ws://127.0.0.1:$WS_PORT/?token=bulk" --conns 1 --mib "$MIB" --pgid "$WS_PID"
    client px1 tput "ws://127.0.0.1:$PX_PORT/tcp/127.0.0.1/$BULK_PORT" --conns 1 --mib "$MIB" --pgid "$PX_PID"
    client ws4 tput "ws://127.0.0.1:$WS_PORT/?token=bulk" --conns 4 --mib "$half" --pgid "$WS_PID"
    client px4 tput "ws://127.0.0.1:$PX_PORT/tcp/127.0.0.1/$BULK_PORT" --conns 4 --mib "$half" --pgid "$PX_PID"
    client wisp1 wisp-tput "ws://127.0.0.1:$PX_PORT/wisp/" --streams 1 --mib "$MIB" --target "127.0.0.1:$BULK_PORT" \
        --pgid "$PX_PID"
    client wisp4 wisp-tput "ws://127.0.0.1:$PX_PORT/wisp/" --streams 4 --mib "$half" --target "127.0.0.1:$BULK_PORT" \
        --pgid "$PX_PID"
    client wj1 wisp-tput "ws://127.0.0.1:$WJ_PORT/" --streams 1 --mib "$MIB" --target "127.0.0.1:$BULK_PORT" \
        --pgid "$WJ_PID"
    client wj4 wisp-tput "ws://127.0.0.1:$WJ_PORT/" --streams 4 --mib "$half" --target "127.0.0.1:$BULK_PORT" \
        --pgid "$WJ_PID"
done
stop "$PX_PID"
stop "$WJ_PID"

# ---- idle: each proxy fresh, measured before and after ----
say "idle: $WS_IDLE websockify connections"
client wsidle idle "ws://127.0.0.1:$WS_PORT/?token=echo" --conns "$WS_IDLE" --window 25 --pgid "$WS_PID"
stop "$WS_PID"
say "idle: $IDLE_CONNS emnet-proxy connections"
start_proxy
client pxidle idle "ws://127.0.0.1:$PX_PORT/tcp/127.0.0.1/$ECHO_PORT" --conns "$IDLE_CONNS" --pgid "$PX_PID"
stop "$PX_PID"
USED=$((IDLE_CONNS / 5))
say "idle: $USED emnet-proxy connections, after a 64 KiB echo each"
start_proxy
client pxidle_used idle "ws://127.0.0.1:$PX_PORT/tcp/127.0.0.1/$ECHO_PORT" --conns "$USED" --echo-bytes 65536 \
    --pgid "$PX_PID"
stop "$PX_PID"
say "idle: $WS_IDLE emnet-proxy connections (websockify's count)"
start_proxy
client pxidle_small idle "ws://127.0.0.1:$PX_PORT/tcp/127.0.0.1/$ECHO_PORT" --conns "$WS_IDLE" --pgid "$PX_PID"
stop "$PX_PID"
say "idle: $IDLE_STREAMS Wisp streams on one WebSocket"
start_proxy
client wispidle wisp-idle "ws://127.0.0.1:$PX_PORT/wisp/" --streams "$IDLE_STREAMS" --target "127.0.0.1:$ECHO_PORT" \
    --pgid "$PX_PID"
stop "$PX_PID"
stop "$TS_PID"

# ---- the tables ----
row() {   # row LABEL BASE_VALUE PX_VALUE [GOAL]: GOAL, the least ratio PX / BASE asked for
    awk -v l="$1" -v w="$2" -v p="$3" -v g="${4:-}" 'BEGIN {
        r = "-"
        if (w != "-" && p != "-" && w > 0 && p > 0) r = (p / w < 0.1) ? sprintf("1/%.0f", w / p) : sprintf("%.2f", p / w)
        if (g != "") g = (r == "-") ? sprintf("  goal >= %sx: not measured", g) \
                                    : sprintf("  goal >= %sx: %s", g, (p / w >= g + 0) ? "met" : "MISSED")
        printf "%-50s %12s %12s %7s%s\n", l, w, p, r, g }'
}
# The issue's goals for websockify mode, in MB per proxy CPU-second.
cpu_goal() { [ "$1" = up ] && echo 4 || echo 2; }
echo
echo "one native client, target emnet-testsrv tcp_bulk, 64 KiB messages, MB/s = 10^6 bytes/s, median of"
echo "$ROUNDS runs; $MIB MiB each way for 1 connection (stream), $half MiB each for 4"
echo
echo "websockify mode: emnet-proxy (/tcp/HOST/PORT) vs websockify (a token)"
printf '%-50s %12s %12s %7s\n' figure websockify emnet-proxy ratio
for n in 1 4; do
    for dir in up down; do
        row "websockify mode, $n conn, ${dir}load MB/s" "$(value ws$n ${dir}_MBps)" "$(value px$n ${dir}_MBps)"
    done
done
for n in 1 4; do
    for dir in up down; do
        row "websockify mode, $n conn, ${dir}load MB/proxy-CPU-s" "$(value ws$n ${dir}_MB_per_cpu_s)" \
            "$(value px$n ${dir}_MB_per_cpu_s)" "$(cpu_goal $dir)"
    done
done
for n in 1 4; do
    for dir in up down; do
        row "websockify mode, $n conn, ${dir}load: client busy" "$(value ws$n ${dir}_client_busy)" \
            "$(value px$n ${dir}_client_busy)"
    done
done
echo
echo "Wisp: emnet-proxy (/wisp/) vs wisp-js (Node.js), n streams on 1 WebSocket, Wisp v1, CONTINUE credit"
printf '%-50s %12s %12s %7s\n' figure wisp-js emnet-proxy ratio
for n in 1 4; do
    for dir in up down; do
        row "Wisp, $n stream(s), ${dir}load MB/s" "$(value wj$n ${dir}_MBps)" "$(value wisp$n ${dir}_MBps)"
    done
done
for n in 1 4; do
    for dir in up down; do
        row "Wisp, $n stream(s), ${dir}load MB/proxy-CPU-s" "$(value wj$n ${dir}_MB_per_cpu_s)" \
            "$(value wisp$n ${dir}_MB_per_cpu_s)"
    done
done
for n in 1 4; do
    for dir in up down; do
        row "Wisp, $n stream(s), ${dir}load: client busy" "$(value wj$n ${dir}_client_busy)" \
            "$(value wisp$n ${dir}_client_busy)"
    done
done
echo "(MB/proxy-CPU-s: bytes moved per second of CPU the proxy's processes used in that phase, i.e. what the"
echo " proxy would carry with a core to itself. client busy: the client's CPU seconds per second; near 1"
echo " the client, not the proxy, set the MB/s: see tests/bench/proxy/README.md)"

# per-connection KB from a result file: (after - before) / opened
per() {
    awk -v k="$2" '$1 == "before_" k { b = $2 } $1 == "after_" k { a = $2 } $1 == "opened" { n = $2 }
        END { if (n > 0 && a != "") printf "%.2f", (a - b) / n; else print "-" }' "$STATE/$1.res" 2>/dev/null || echo -
}
opened() { awk '$1 == "opened" { print $2 }' "$STATE/$1.res" 2>/dev/null; }
echo
echo "memory of idle connections (KB each = (after - before) / count; PSS shares copy-on-write pages fairly)"
printf '%-50s %12s %12s %7s\n' figure websockify emnet-proxy ratio
row "idle connections held" "$(opened wsidle)" "$(opened pxidle)"
row "KB PSS per idle connection" "$(per wsidle pss_kb)" "$(per pxidle pss_kb)"
row "KB RSS per idle connection" "$(per wsidle rss_kb)" "$(per pxidle rss_kb)"
row "KB PSS per idle connection, $WS_IDLE held" "$(per wsidle pss_kb)" "$(per pxidle_small pss_kb)"
row "KB RSS per idle conn. after a 64 KiB echo" - "$(per pxidle_used rss_kb)"
row "idle Wisp streams held on 1 WebSocket" - "$(opened wispidle)"
row "KB RSS per idle Wisp stream" - "$(per wispidle rss_kb)"
echo "(the last row: $USED connections, each of which has echoed one 64 KiB message, so that lws's"
echo " receive buffer and the proxy's queues have been used once: what idle connections keep after traffic)"
echo "websockify processes with $WS_IDLE connections:" \
    "$(awk '$1 == "after_procs" { print $2 }' "$STATE/wsidle.res" 2>/dev/null)"
if [ "$IDLE_CONNS" -lt "$IDLE" ]; then
    echo "note: the open-files limit here is $FD_LIMIT (hard), and each proxied connection takes two of the"
    echo "      proxy's descriptors, so $IDLE_CONNS connections were held instead of $IDLE"
fi

# ---- the goals ----
echo
goal() {   # goal TEXT VALUE OP LIMIT
    awk -v t="$1" -v v="$2" -v op="$3" -v l="$4" 'BEGIN {
        if (v == "-" || v == "") { printf "goal %-58s not measured\n", t; exit }
        ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 < l + 0)
        printf "goal %-58s %s (%s)\n", t, ok ? "met" : "MISSED", v }'
}
ratio() {
    awk -v w="$1" -v p="$2" 'BEGIN { if (w == "-" || p == "-" || w == 0) print "-"; else printf "%.2fx", p / w }'
}
for n in 1 4; do
    for dir in up down; do
        goal "$n conn ${dir}load MB/s >= 3x websockify" \
            "$(ratio "$(value ws$n ${dir}_MBps)" "$(value px$n ${dir}_MBps)")" ">=" 3
        goal "$n conn ${dir}load MB/proxy-CPU-s >= $(cpu_goal $dir)x websockify" \
            "$(ratio "$(value ws$n ${dir}_MB_per_cpu_s)" "$(value px$n ${dir}_MB_per_cpu_s)")" ">=" "$(cpu_goal $dir)"
    done
done
goal "$IDLE concurrent idle websockify-mode connections" "$(opened pxidle)" ">=" "$IDLE"
goal "$IDLE idle Wisp streams on one WebSocket" "$(opened wispidle)" ">=" "$IDLE"
goal "under 8 KB RSS per idle connection" "$(per pxidle rss_kb)" "<" 8
goal "under 2 KB RSS per idle Wisp stream" "$(per wispidle rss_kb)" "<" 2
exit "$FAILED"
