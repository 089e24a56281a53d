#!/bin/sh
# over-proxy-wisp.sh COMMAND [ARGS...]
# Runs COMMAND with emnet's wisp transport pointed at the harness's
# emnet-proxy (its Wisp mode) instead of the wisp-js server.
if [ -z "${EMNET_PROXY_WISP_URL:-}" ]; then
    echo "over-proxy-wisp: EMNET_PROXY_WISP_URL is not set (emnet-proxy not built?)" >&2
    exit 1
fi
EMNET_TRANSPORT=wisp EMNET_WISP_URL=$EMNET_PROXY_WISP_URL exec "$@"
