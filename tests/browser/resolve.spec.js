// getaddrinfo() in the browsers asking emnet-proxy's /resolve (a cross-origin
// fetch from the test page: CORS), with the same answers as under Node.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm } = require('./wasm-run');

function harnessEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
}

test('getaddrinfo: EAI_NONAME and EAI_AGAIN from the proxy, families, placeholders', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const r = await runWasm(page, 'tests/net/resolve_names', { env: harnessEnv(), timeout: 30000 });
  console.log(`resolve_names: ${r.stdout.join(' | ')}`);
  expect(r.stdout).toContain('a..b AF_UNSPEC: EAI_NONAME');
  expect(r.stdout).toContain('connect to localhost: echoed');
  expect(r.stdout).toContain('again.example AF_UNSPEC: EAI_AGAIN');
  expect(r.stdout[r.stdout.length - 1]).toBe('all as expected');
  expect(r.status).toBe(0);
});

// The same over webtransport: the questions go on the WebTransport session
// (a lookup stream to emnet-proxy), not over HTTP: no /resolve fetch.
test('getaddrinfo over webtransport: the same answers, asked on the session', async ({ page }) => {
  const env = harnessEnv();
  if (!env.EMNET_PROXY_WT_INFO_URL) throw new Error('EMNET_PROXY_WT_INFO_URL is not set (emnet-proxy not built?)');
  const fetched = [];
  page.on('request', (q) => { if (/\/resolve\?name=(localhost|a\.\.b|x+\.example)&/.test(q.url())) fetched.push(q.url()); });
  const r = await runWasm(page, 'tests/net/resolve_names', {
    env: { ...env, EMNET_TRANSPORT: 'webtransport', EMNET_WEBTRANSPORT_INFO_URL: env.EMNET_PROXY_WT_INFO_URL },
    timeout: 30000,
  });
  console.log(`resolve_names over webtransport: ${r.stdout.join(' | ')}`);
  expect(r.stdout).toContain('a..b AF_UNSPEC: EAI_NONAME');
  expect(r.stdout).toContain('connect to localhost: echoed');
  expect(r.stdout).toContain('again.example AF_UNSPEC: EAI_AGAIN');
  expect(r.stdout[r.stdout.length - 1]).toBe('all as expected');
  expect(fetched).toEqual([]);
  expect(r.status).toBe(0);
});
