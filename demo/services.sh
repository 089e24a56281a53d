#!/usr/bin/env bash
# The chat demo's servers, on 127.0.0.1 and free ports: ngIRCd (the IRC
# server, config from demo/ngircd.conf) and the WebSocket proxy in front of
# it, plus with --web a static server for the repository.
#
#   demo/services.sh run [--web]
#
# Runs in the foreground. Prints "irc PORT", "ws PORT", "ws_url URL" (the
# EMNET_WS_URL template for the page), "wisp_url URL" and "wt_info_url URL"
# (WebTransport's port and certificate hash, for EMNET_WEBTRANSPORT_INFO_URL)
# with emnet-proxy,
# "http PORT" with --web, then "ready". Then it reads commands on stdin,
# one a line, each answered with a line once done:
#   proxy down | proxy up   stop the proxy (SIGKILL, as if it died), or
#                           start it again on the same port
#   irc down | irc up       the same for the IRC server
# USR1 and USR2 do "proxy down" and "proxy up" too. TERM or INT stops
# everything by PID and exits (1 if a process survived).
# Each server runs in its own process group (websockify forks one process
# per connection), and is stopped by that group's id.
#
# The proxy: emnet-proxy (its Wisp mode at /wisp/, and its
# websockify-compatible mode at /tcp/HOST/PORT), allowing only the IRC
# port, pages only from the web server's origin: ours with --web, else the
# harness's EMNET_HTTP_PORT, else EMNET_DEMO_ORIGIN. EMNET_DEMO_PROXY=websockify
# puts stock websockify there instead (no Wisp then).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATIVE_BUILD=${EMNET_NATIVE_BUILD:-$ROOT/build/native}
PROXY_KIND=${EMNET_DEMO_PROXY:-emnet-proxy}

RUN=""
IRC_PID=""
PROXY_PID=""
WEB_PID=""
IRC_PORT=""
WS_PORT=""
SLEEP_PID=""
WISP_URL=""
ORIGIN=${EMNET_DEMO_ORIGIN:-*}

say() { printf 'demo-services: %s\n' "$*" >&2; }
. "$ROOT/scripts/lib/process-groups.sh"

# wait_port PORT PID: until something listens on PORT, or PID died.
wait_port() {
    local i
    for i in $(seq 100); do
        port_open "$1" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# start_ngircd: on IRC_PORT if set (a restart), else on a free port.
start_ngircd() {
    local uid gid try port
    # As root ngIRCd refuses to stay root and switches to ServerUID, which
    # must then be able to write its pid file: give it the run directory.
    if [ "$(id -u)" -eq 0 ]; then
        uid=nobody
        gid=$(id -gn nobody)
        chown nobody "$RUN"
    else
        uid=$(id -u)
        gid=$(id -g)
    fi
    printf 'emnet chat demo\n' >"$RUN/motd"
    for try in 1 2 3 4 5; do
        port=${IRC_PORT:-$(free_port)}
        sed -e "s|@PORT@|$port|" -e "s|@RUNDIR@|$RUN|g" -e "s|@SERVER_UID@|$uid|" -e "s|@SERVER_GID@|$gid|" \
            "$ROOT/demo/ngircd.conf" >"$RUN/ngircd.conf"
        chmod 644 "$RUN/ngircd.conf" "$RUN/motd"
        setsid ngircd -n -f "$RUN/ngircd.conf" >>"$RUN/ngircd.log" 2>&1 </dev/null &
        IRC_PID=$!
        if wait_port "$port" "$IRC_PID"; then IRC_PORT=$port; return 0; fi
        stop_group "$IRC_PID"
        IRC_PID=""
        [ -z "${IRC_PORT:-}" ] || sleep 0.2
    done
    say "ngircd did not start:"
    tail -5 "$RUN/ngircd.log" >&2
    return 1
}

# free_udp_port: a UDP port on 127.0.0.1 that nothing is bound to now.
free_udp_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_proxy: on WS_PORT if set (a restart), else on a free port.
start_proxy() {
    local try port
    for try in 1 2 3 4 5; do
        port=${WS_PORT:-$(free_port)}
        case $PROXY_KIND in
        websockify)
            setsid websockify "127.0.0.1:$port" "127.0.0.1:$IRC_PORT" >>"$RUN/proxy.log" 2>&1 </dev/null &
            WS_URL="ws://127.0.0.1:$port/" ;;
        emnet-proxy)
            # WebTransport on a UDP port of its own, kept across restarts.
            WT_PORT=${WT_PORT:-$(free_udp_port)}
            setsid "$NATIVE_BUILD/proxy/emnet-proxy" --listen "127.0.0.1:$port" --allow "127.0.0.1:$IRC_PORT" \
                --allow_origin "$ORIGIN" --webtransport_listen "127.0.0.1:$WT_PORT" \
                >>"$RUN/proxy.log" 2>&1 </dev/null &
            WS_URL="ws://127.0.0.1:$port/tcp/{host}/{port}"
            WISP_URL="ws://127.0.0.1:$port/wisp/"
            WT_INFO_URL="http://127.0.0.1:$port/webtransport" ;;
        *) say "unknown EMNET_DEMO_PROXY '$PROXY_KIND' (websockify, emnet-proxy)"; return 1 ;;
        esac
        PROXY_PID=$!
        if wait_port "$port" "$PROXY_PID"; then WS_PORT=$port; return 0; fi
        stop_group "$PROXY_PID"
        PROXY_PID=""
        [ -z "${WS_PORT:-}" ] || sleep 0.2   # a restart: the old socket may linger a moment
    done
    say "the proxy ($PROXY_KIND) did not start:"
    tail -5 "$RUN/proxy.log" >&2
    return 1
}

start_web() {
    setsid node "$ROOT/tests/harness/static-server.js" "$ROOT" >"$RUN/web.out" 2>"$RUN/web.err" </dev/null &
    WEB_PID=$!
    local i
    for i in $(seq 100); do
        grep -qx ready "$RUN/web.out" 2>/dev/null && { HTTP_PORT=$(awk '$1 == "http" { print $2 }' "$RUN/web.out"); return 0; }
        kill -0 "$WEB_PID" 2>/dev/null || break
        sleep 0.05
    done
    say "the web server did not start:"
    cat "$RUN/web.err" >&2
    return 1
}

stop_all() {
    local status=${1:-0} GROUP survivors=0
    trap - EXIT INT TERM USR1 USR2
    [ -z "$SLEEP_PID" ] || kill "$SLEEP_PID" 2>/dev/null
    for GROUP in $WEB_PID $PROXY_PID $IRC_PID; do stop_group "$GROUP"; done
    for GROUP in $WEB_PID $PROXY_PID $IRC_PID; do
        if group_alive; then say "process group $GROUP survived"; survivors=$((survivors + 1)); fi
    done
    [ -n "$RUN" ] && rm -rf "$RUN"
    [ "$survivors" -eq 0 ] || status=1
    exit "$status"
}

# "Dies": SIGKILL, no goodbye to anyone (emnet-proxy would drain on TERM).
kill_now() {
    local GROUP=$1 i
    [ -n "$GROUP" ] || return 0
    kill -KILL -- "-$GROUP" 2>/dev/null
    for i in $(seq 50); do group_alive || break; sleep 0.1; done
    wait "$GROUP" 2>/dev/null
}
proxy_down() { kill_now "$PROXY_PID"; PROXY_PID=""; echo "proxy down"; }
proxy_up() {
    if [ -n "$PROXY_PID" ] || start_proxy; then echo "proxy up"; else echo "proxy failed"; fi
}
irc_down() { kill_now "$IRC_PID"; IRC_PID=""; echo "irc down"; }
irc_up() {
    if [ -n "$IRC_PID" ] || start_ngircd; then echo "irc up"; else echo "irc failed"; fi
}

main() {
    if [ "${1:-}" != run ]; then
        echo "usage: $0 run [--web]" >&2
        exit 2
    fi
    local web=0
    [ "${2:-}" = --web ] && web=1
    command -v ngircd >/dev/null || { say "ngircd is missing (scripts/setup.sh installs it)"; exit 1; }
    RUN=$(mktemp -d "${TMPDIR:-/tmp}/emnet-demo.XXXXXX")
    chmod 755 "$RUN"
    trap 'stop_all 1' EXIT
    trap 'stop_all 0' INT TERM
    trap proxy_down USR1
    trap proxy_up USR2
    start_ngircd || exit 1
    # emnet-proxy accepts pages from the origin that serves them only.
    if [ "$web" -eq 1 ]; then
        start_web || exit 1
        ORIGIN=http://127.0.0.1:$HTTP_PORT
    elif [ -n "${EMNET_HTTP_PORT:-}" ]; then
        ORIGIN=http://127.0.0.1:$EMNET_HTTP_PORT   # the test harness's web server
    fi
    start_proxy || exit 1
    echo "irc $IRC_PORT"
    echo "ws $WS_PORT"
    echo "ws_url $WS_URL"
    [ -z "${WISP_URL:-}" ] || echo "wisp_url $WISP_URL"
    [ -z "${WT_INFO_URL:-}" ] || echo "wt_info_url $WT_INFO_URL"
    [ "$web" -eq 0 ] || echo "http $HTTP_PORT"
    echo "ready"
    trap 'stop_all 0' EXIT
    local cmd
    while read -r cmd; do
        case $cmd in
        "proxy down") proxy_down ;;
        "proxy up") proxy_up ;;
        "irc down") irc_down ;;
        "irc up") irc_up ;;
        *) say "unknown command '$cmd' (proxy down|up, irc down|up)" ;;
        esac
    done
    # No more commands (stdin was /dev/null, or closed): just keep running.
    # `wait` returns whenever a trapped signal arrives; go back to waiting.
    while :; do
        sleep 3600 &
        SLEEP_PID=$!
        wait "$SLEEP_PID" 2>/dev/null
        kill "$SLEEP_PID" 2>/dev/null
    done
}

main "$@"
