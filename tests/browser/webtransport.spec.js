// emnet-proxy's WebTransport gateway from the browser's own WebTransport API,
// no emnet in the page (tests/browser/webtransport-raw.html): the session,
// TCP streams (status, echo, FIN, refused, blocked, names, resets, many at
// once), UDP flows and lookups, each case as docs/webtransport-protocol.md
// says. Node.js and WebKitGTK have no WebTransport: this runs in Chromium
// and Firefox.
'use strict';
const { test, expect, engines } = require('./fixtures');

test('webtransport, raw: every case of the protocol page against emnet-proxy', { tag: engines.firefoxFull }, async ({ page }) => {
  test.setTimeout(60000);
  const env = process.env;
  if (!env.EMNET_PROXY_WT_INFO_URL) throw new Error('EMNET_PROXY_WT_INFO_URL is not set (emnet-proxy not built?)');
  const q = new URLSearchParams({ proxy: env.EMNET_PROXY_PORT, echo: env.EMNET_TCP_ECHO_PORT,
                                  udp: env.EMNET_UDP_ECHO_PORT, refused: env.EMNET_TCP_REFUSED_PORT });
  await page.goto(`/tests/browser/webtransport-raw.html?${q}`);
  // The page's last case is the session's close, or the exception that
  // ended it early.
  await page.waitForFunction(() => (window.wtResults || []).some((r) => r.name === 'session closed' ||
                                                                      r.name === 'exception'), null, { timeout: 50000 });
  const results = await page.evaluate(() => window.wtResults);
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} ${r.detail.slice(0, 200)}`);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.length).toBeGreaterThan(5);
});

// EMNET_TRANSPORT=auto: webtransport where the session opens; wisp, with
// one console line, where it cannot (here: nothing answers QUIC on that
// port, as where UDP is blocked).
const { runWasm } = require('./wasm-run');

function autoEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
  return { ...env, EMNET_TRANSPORT: 'auto', EMNET_WISP_URL: env.EMNET_PROXY_WISP_URL, ...extra };
}

async function countOpened(page) {
  await page.addInitScript(() => {
    window.opened = { WebTransport: 0, WebSocket: 0, WebSocketStream: 0 };
    for (const name of Object.keys(window.opened)) {
      const cls = window[name];
      if (typeof cls != 'function') continue;
      window[name] = new Proxy(cls, {
        construct(target, args) {
          window.opened[name]++;
          return Reflect.construct(target, args);
        },
      });
    }
  });
}

test('auto: webtransport when the session opens', { tag: engines.firefoxFull }, async ({ page }) => {
  await countOpened(page);
  const env = autoEnv({ EMNET_WEBTRANSPORT_INFO_URL: process.env.EMNET_PROXY_WT_INFO_URL });
  const r = await runWasm(page, 'tests/conformance/conf_tcp_echo_roundtrip', { env });
  const opened = await page.evaluate(() => window.opened);
  expect(r.stderr).toEqual([]);
  expect(r.status).toBe(0);
  expect(opened.WebTransport).toBe(1);
  expect(opened.WebSocket + opened.WebSocketStream).toBe(0);
});

// Chromium only: Firefox ignores the ICMP error of a closed UDP port and
// gives up on the session after its QUIC handshake timeout, 30 s
// (DEVIATIONS.md E3), past this program's wait.
test('auto: wisp, said once, when the session cannot open', async ({ page }) => {
  await countOpened(page);
  const env = autoEnv({ EMNET_WEBTRANSPORT_URL: `https://127.0.0.1:${process.env.EMNET_UDP_REFUSED_PORT}/emnet` });
  const r = await runWasm(page, 'tests/conformance/conf_tcp_echo_roundtrip', { env, timeout: 40000 });
  const opened = await page.evaluate(() => window.opened);
  console.log(`auto without a session: ${r.stderr.join(' | ')}`);
  expect(r.stderr.length).toBe(1);
  expect(r.stderr[0]).toMatch(/^emnet: EMNET_TRANSPORT=auto: no WebTransport \(.*\); using wisp\.$/);
  expect(r.status).toBe(0);
  expect(opened.WebSocket + opened.WebSocketStream).toBe(1);
});
