#!/usr/bin/env bash
# Prints what the chat demo runs where, from the lines demo/services.sh
# printed (the file given as $1).
set -eu
get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
irc=$(get irc "$1")
ws=$(get ws "$1")
ws_url=$(get ws_url "$1")
wisp_url=$(get wisp_url "$1")
wt_info_url=$(get wt_info_url "$1")
http=$(get http "$1")
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
page="http://127.0.0.1:$http/demo/web/index.html?irc=127.0.0.1:$irc&ws=$(enc "$ws_url")&channel=%23emnet&build=${EMNET_DEMO_WASM_BUILD:-wasm}"
# The page picks WebTransport when the browser has it, else Wisp.
[ -z "$wisp_url" ] || page="$page&wisp=$(enc "$wisp_url")"
[ -z "$wt_info_url" ] || page="$page&wt=$(enc "$wt_info_url")"
cat <<TXT

emnet chat demo (all on 127.0.0.1):
  IRC server (ngIRCd)          port $irc
  WebSocket proxy              port $ws   (emnet's URL template: $ws_url)
${wisp_url:+  Wisp                         $wisp_url
}${wt_info_url:+  WebTransport (HTTP/3, UDP)   its port and certificate hash: $wt_info_url
}  web server (repository)      port $http

Open in a browser (twice, with two nicks, to talk to yourself):
  $page

Join from a terminal too:
  ${EMNET_DEMO_NATIVE_BUILD:-build/native}/demo/client/emnet-chat --nick you --channel '#emnet' 127.0.0.1 $irc

Press Ctrl-C to stop everything.
TXT
