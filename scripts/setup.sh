#!/usr/bin/env bash
# Makes a Debian 12 machine ready to build and test emnet, and does nothing
# (in about a second) when it already is:
#   - Debian packages: the compilers and build tools, Emscripten 3.1.6 and
#     the node-acorn its optimizer needs, websockify, libwebsockets, ngtcp2,
#     nghttp3 and GnuTLS (emnet-proxy's WebTransport), the browsers of the
#     browser tier: Chromium, Firefox ESR, WebKitGTK's MiniBrowser and its
#     WebDriver, and Xvfb (WebKitGTK has no headless mode); dpkg-dev (the
#     emnet-proxy package, Debian source packages); the mosquitto broker
#     and its command-line clients (examples/mqtt's test);
#   - npm packages pinned by package-lock.json (Playwright drives the system
#     Chromium, puppeteer-core the system Firefox: no browser is ever
#     downloaded).
# Packages are installed only if missing; `npm ci` runs only when the lock
# file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake make pkg-config python3 ca-certificates
  emscripten node-acorn
  websockify
  nginx-light
  ngircd
  libwebsockets-dev
  libngtcp2-dev libngtcp2-crypto-gnutls-dev libnghttp3-dev libgnutls28-dev
  chromium
  firefox-esr
  webkit2gtk-driver libwebkit2gtk-4.1-0 xvfb xauth
  clang libclang-rt-14-dev
  dpkg-dev fakeroot
  mosquitto mosquitto-clients
)
# Node.js may come from elsewhere (a vendor's package of its own); only ask
# Debian for it when there is none.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

stamp=node_modules/.emnet-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing npm packages from package-lock.json"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
else
  echo "setup: npm packages present"
fi

# libmosquitto's source (Debian's mosquitto package) for examples/mqtt.
scripts/fetch-mosquitto.sh >/dev/null
