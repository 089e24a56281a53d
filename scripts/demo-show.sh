#!/usr/bin/env bash
# Runs under tests/harness/services.sh: prints the stack it started, then
# waits; the harness stops it all on Ctrl-C.
set -eu
web=http://127.0.0.1:$EMNET_HTTP_PORT
cat <<TXT

emnet local stack (all on 127.0.0.1):
  TCP echo server             port $EMNET_TCP_ECHO_PORT
  TCP source server           port $EMNET_TCP_SOURCE_PORT
  TCP sink server             port $EMNET_TCP_SINK_PORT
  UDP echo server             port $EMNET_UDP_ECHO_PORT
  websockify -> TCP echo      ws://127.0.0.1:$EMNET_WS_ECHO_PORT/
  websockify, token targets   ws://127.0.0.1:$EMNET_WS_TOKEN_PORT/?token=echo|source|sink
  web server (repository)     $web/

Open in a browser:
  $web/tests/browser/run-wasm.html?prog=/build/wasm/tests/smoke/smoke_hello.js

Press Ctrl-C to stop everything.
TXT
while :; do sleep 3600; done
