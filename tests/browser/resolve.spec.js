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
