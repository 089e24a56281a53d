// TCP over emnet's wisp transport in the browsers: every socket a stream of
// one WebSocket (a WebSocketStream in Chromium) to the harness's Wisp server.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm } = require('./wasm-run');

function wispEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
  return { ...env, EMNET_TRANSPORT: 'wisp', ...extra };
}

test('wisp: 8 sockets at once over one WebSocket, 2 MiB each way each, no byte mixed up', { tag: engines.allFull }, async ({ page }) => {
  test.setTimeout(120000);
  const r = await runWasm(page, 'tests/net/tcp_integrity', { args: [2, 8], env: wispEnv(), timeout: 110000 });
  console.log(`tcp_integrity over wisp: ${r.stdout.join(' | ')}`);
  expect(r.stdout[0]).toMatch(/^done: sent 16777216 received 16777216 bytes/);
  expect(r.stdout[1]).toMatch(/ equal$/);
  expect(r.status).toBe(0);
});

// Chromium only: the wisp-js server has no receive credit, so the bound
// comes from pausing the WebSocketStream, which other engines lack (they
// run the slow reader against emnet-proxy: backpressure.spec.js).
test('wisp: a slow reader pauses the connection; its buffer stays bounded', async ({ page }) => {
  const r = await runWasm(page, 'tests/net/tcp_slow_reader', { args: [1500], env: wispEnv({ EMNET_RECV_BUFFER: '262144' }),
                                                               timeout: 60000 });
  console.log(`tcp_slow_reader over wisp: ${r.stdout.join(' | ')}`);
  const buffered = Number(/buffered after the pause: (\d+)/.exec(r.stdout[0])[1]);
  // The limit, plus the messages read before the pause took effect.
  expect(buffered).toBeGreaterThan(0);
  expect(buffered).toBeLessThanOrEqual(262144 + 4 * 65536);
  expect(r.stdout[1]).toBe('read 8 MiB, all as sent');
  expect(r.status).toBe(0);
});

test('wisp: connect failures by CLOSE reason, and a new connection after the server was unreachable', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const r = await runWasm(page, 'tests/net/tcp_wisp_connect', { env: wispEnv(), timeout: 60000 });
  console.log(`tcp_wisp_connect: ${r.stdout.join(' | ')}`);
  expect(r.stdout).toContain('blocked target: poll 1 OUT ERR HUP, SO_ERROR Permission denied');
  expect(r.stdout).toContain('no server: poll 1 OUT ERR HUP, SO_ERROR Host is unreachable');
  expect(r.stdout).toContain('server back: round trip ok');
  expect(r.status).toBe(0);
});

test('wisp: a version 1 server that refuses the wisp-v2 subprotocol: the handshake is tried again without it', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const env = wispEnv();
  env.EMNET_WISP_URL = `${env.EMNET_WISP_URL}v1/`;
  const r = await runWasm(page, 'tests/net/tcp_wisp_connect', { env, timeout: 60000 });
  console.log(`tcp_wisp_connect (v1): ${r.stdout.join(' | ')}`);
  expect(r.stdout).toContain('server back: round trip ok');
  expect(r.status).toBe(0);
});

test('wisp: stream open confirmation (emnet-proxy): a connect completes at the proxy\'s word, an unanswered one times out', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const env = wispEnv({ EMNET_CONNECT_TIMEOUT_MS: '1500' });
  env.EMNET_WISP_URL = env.EMNET_PROXY_WISP_URL;
  const r = await runWasm(page, 'tests/net/tcp_wisp_confirm', { env, timeout: 60000 });
  console.log(`tcp_wisp_confirm: ${r.stdout.join(' | ')}`);
  expect(r.stdout).toContain('echo again: confirmed before the window: yes');
  expect(r.stdout).toContain('silent: poll 1 OUT ERR HUP, SO_ERROR Operation timed out');
  expect(r.stdout).toContain('all as expected');
  expect(r.status).toBe(0);
});

test('wisp: receive credit (emnet-proxy): a socket that is not read holds only its window; another socket goes on', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const env = wispEnv({ EMNET_RECV_BUFFER: '262144' });
  env.EMNET_WISP_URL = env.EMNET_PROXY_WISP_URL;
  const r = await runWasm(page, 'tests/net/tcp_wisp_credit', { env, timeout: 60000 });
  console.log(`tcp_wisp_credit: ${r.stdout.join(' | ')}`);
  expect(r.stdout).toEqual(['A holds at most its window after the pause',
                            'B: 2 MiB echoed and 200 round trips while A was not read',
                            'A still holds at most its window', 'A: read 4 MiB, all as sent']);
  expect(r.status).toBe(0);
});
