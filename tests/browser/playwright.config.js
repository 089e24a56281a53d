// Tier 3: Debian's Chromium (driven by Playwright), Firefox ESR and
// WebKitGTK (tests/browser/fixtures.js). No browser is ever downloaded: the
// executables are the system's. The pages and wasm come
// from the harness's static server (tests/harness/services.sh), whose port is
// in EMNET_HTTP_PORT.
'use strict';
const fs = require('fs');
const path = require('path');

function chromiumPath() {
  const candidates = [process.env.EMNET_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) throw new Error('Chromium not found: install Debian\'s chromium (scripts/setup.sh)');
  return found;
}

if (!process.env.EMNET_HTTP_PORT) {
  throw new Error('EMNET_HTTP_PORT is not set: run under tests/harness/services.sh');
}

const functional = /(?<!\.timing)\.spec\.js$/;
const timing = /\.timing\.spec\.js$/;

// One project per engine (tests/browser/fixtures.js drives each). Chromium
// runs every test; Firefox and WebKit the tests tagged @firefox / @webkit.
// Not tagged, because the engine lacks what they test:
//   Firefox  the raw WebTransport protocol page and EMNET_TRANSPORT=auto
//            (webtransport.spec.js), libcurl.js (interop, not engines),
//            the demo's Chromium-only UI tests (Playwright locators);
//   WebKit   everything over WebTransport (WebKitGTK has none), JSPI (no
//            WebAssembly.Suspending), tests that need a script before the
//            page's own (WebDriver classic has none: frame counting,
//            WebSocket counting), and one context at a time per worker
//            (WebKitWebDriver holds one session).
// No engine has WebSocketStream but Chromium: there a plain WebSocket
// carries websockify and Wisp, and a slow reader is bounded only where
// the proxy holds back (Wisp to emnet-proxy, WebTransport).
//
// `make test` runs a part of each other engine's list: in Firefox the TCP and
// UDP conformance scenarios over every transport, the chat demo beside a
// Chromium page, blocking calls, back-pressure, smoke tests; in WebKit the
// smoke tests, the TCP scenarios over websockify and wisp and the demo.
// Tests tagged @firefox-full / @webkit-full run only in the full matrix
// (EMNET_BROWSER_MATRIX=full, `make test-browser-full`): the reactor's
// scenarios, scale (1,000 sockets, 32 MiB), timing, leaks, UDP in WebKit;
// a test tagged @chromium-full leaves Chromium's `make test` run too (the
// TCP scenarios over wisp to wisp-js: the wasm tier runs them under Node,
// and Chromium's WebSocket path is run by websockify and Wisp to emnet-proxy).
const full = process.env.EMNET_BROWSER_MATRIX === 'full';
const engineProjects = [
  { name: 'chromium', grepInvert: full ? undefined : /@chromium-full/, use: { engine: 'chromium' } },
  { name: 'firefox', grep: full ? /@firefox/ : /@firefox(?!-)/, use: { engine: 'firefox' } },
  { name: 'webkit', grep: full ? /@webkit/ : /@webkit(?!-)/, use: { engine: 'webkit' } },
];
// EMNET_BROWSER_ENGINES (e.g. "chromium firefox") limits the engines.
const wanted = (process.env.EMNET_BROWSER_ENGINES || 'chromium firefox webkit').split(/[\s,]+/).filter(Boolean);
const engines = engineProjects.filter((p) => wanted.includes(p.name));

module.exports = {
  testDir: __dirname,
  timeout: 60000,
  workers: 2,
  retries: 0,
  outputDir: path.join(__dirname, '../../build/test-results'),
  reporter: [
    ['list'],
    ['junit', { outputFile: path.join(__dirname, '../../build/reports/browser.xml'), includeProjectInTestName: true }],
  ],
  // Timing-sensitive tests run last and alone, one engine after the other:
  // a busy 2-core machine must not make them flake.
  projects: [
    ...engines.map((p) => ({ ...p, testMatch: functional })),
    ...engines.map((p, i) => ({
      ...p, name: `${p.name}-timing`, testMatch: timing,
      dependencies: i === 0 ? engines.map((e) => e.name) : [`${engines[i - 1].name}-timing`],
    })),
  ],
  use: {
    baseURL: `http://127.0.0.1:${process.env.EMNET_HTTP_PORT}`,
    launchOptions: {
      executablePath: chromiumPath(),
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
};
