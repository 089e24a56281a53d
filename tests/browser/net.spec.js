// TCP over emnet in the browsers, end to end through websockify to the
// harness's echo server.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm } = require('./wasm-run');

function harnessEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
}

// 32 MiB: 32 times the send buffer, many wraps of every queue. Chromium
// echoes through one WebSocket at only ~4 MB/s each way here, a raw JS
// WebSocket as much as emnet (sending while receiving is its slow case);
// Node carries the same program at ~50 MB/s (ctest tcp_integrity).
test('integrity: 32 MiB each way, every byte checked, checksums equal at both ends', { tag: engines.allFull }, async ({ page }) => {
  test.setTimeout(120000);
  const r = await runWasm(page, 'tests/net/tcp_integrity', { args: [32], env: harnessEnv(), timeout: 110000 });
  console.log(`tcp_integrity: ${r.stdout.join(' | ')}`);
  expect(r.stdout[0]).toMatch(/^done: sent 33554432 received 33554432 bytes/);
  expect(r.stdout[1]).toMatch(/ equal$/);
  expect(r.status).toBe(0);
});

// Chromium only: over websockify only a WebSocketStream can pause (see
// backpressure.spec.js for the other engines).
test('a slow reader: the receive buffer stays bounded while the server keeps sending', async ({ page }) => {
  const env = { ...harnessEnv(), EMNET_RECV_BUFFER: '262144' };
  const r = await runWasm(page, 'tests/net/tcp_slow_reader', { args: [1500], env, timeout: 60000 });
  console.log(`tcp_slow_reader: ${r.stdout.join(' | ')}`);
  const buffered = Number(/buffered after the pause: (\d+)/.exec(r.stdout[0])[1]);
  // The limit, plus at most one WebSocket message that arrived before the
  // pause took effect.
  expect(buffered).toBeGreaterThan(0);
  expect(buffered).toBeLessThanOrEqual(262144 + 65536);
  expect(r.stdout[1]).toBe('read 8 MiB, all as sent');
  expect(r.status).toBe(0);
});

// Firefox opens a WebSocket at a time here (about 50 s for the 450 of this
// test) and, by default, delays new WebSockets to a proxy after a failed
// one (DEVIATIONS.md E2; the tier turns that off).
test('closed sockets leave no WebSocketStream, no socket and no heap behind', { tag: engines.allFull }, async ({ page }) => {
  test.setTimeout(150000);
  const r = await runWasm(page, 'tests/net/tcp_no_leaks', { args: [100], env: harnessEnv(), timeout: 140000 });
  console.log(`tcp_no_leaks: ${r.stdout.join(' | ')}`);
  expect(r.stdout[0]).toMatch(/^150 sockets per round: alive after close 0 sockets, 0 host objects; heap no bigger/);
  expect(r.status).toBe(0);
});

test('no proxy: EHOSTUNREACH; a proxy that never answers: ETIMEDOUT', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const r = await runWasm(page, 'tests/net/tcp_proxy_unreachable', { env: harnessEnv(), timeout: 30000 });
  expect(r.stdout).toContain('no proxy: SO_ERROR Host is unreachable');
  expect(r.stdout).toContain('silent proxy: SO_ERROR Operation timed out');
  expect(r.stdout).toContain('silent proxy: timed out after the configured time');
  expect(r.status).toBe(0);
});
