// Receive back-pressure where the page's WebSocket cannot pause: a slow
// reader (tests/net/tcp_slow_reader.c) connected to the source server,
// which sends without end, reads nothing for 2 s, then reads 8 MiB and
// checks every byte. What it holds after the pause (FIONREAD) must stay
// near EMNET_RECV_BUFFER, however fast the server sends:
//   - over Wisp to emnet-proxy, the proxy stops at each socket's window
//     (emnet's receive credit extension, net/transport_wisp.c), in every
//     engine: Firefox and WebKit have no WebSocketStream, and a plain
//     WebSocket delivers all it receives;
//   - over WebTransport, a stream is read only while C wants more, and
//     QUIC's flow control holds the proxy back (Chromium and Firefox).
// Without a bound, the socket would be reset (ECONNRESET: four times past
// the buffer) and the 8 MiB never read.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm } = require('./wasm-run');

const RECV_BUFFER = 262144;

function harnessEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
  return { ...env, EMNET_RECV_BUFFER: String(RECV_BUFFER), ...extra };
}

async function slowReader(page, env) {
  const r = await runWasm(page, 'tests/net/tcp_slow_reader', { args: [2000], env, timeout: 60000 });
  const m = /buffered after the pause: (\d+)/.exec(r.stdout[0] || '');
  return { r, buffered: m ? Number(m[1]) : NaN };
}

test('back-pressure: a slow reader over Wisp to emnet-proxy holds only its window', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  if (!process.env.EMNET_PROXY_WISP_URL) throw new Error('EMNET_PROXY_WISP_URL is not set (emnet-proxy not built?)');
  const { r, buffered } = await slowReader(page, harnessEnv({ EMNET_TRANSPORT: 'wisp',
                                                              EMNET_WISP_URL: process.env.EMNET_PROXY_WISP_URL }));
  console.log(`tcp_slow_reader over wisp to emnet-proxy: ${r.stdout.join(' | ')} ${r.stderr.join(' | ')}`);
  // The window, plus what the proxy had sent before the window closed
  // (credit is granted as the socket is read, never past the buffer).
  expect(buffered).toBeGreaterThan(0);
  expect(buffered).toBeLessThanOrEqual(RECV_BUFFER + 65536);
  expect(r.stdout[1]).toBe('read 8 MiB, all as sent');
  expect(r.status).toBe(0);
});

test('back-pressure: a slow reader over WebTransport holds a bounded buffer', { tag: engines.firefox }, async ({ page }) => {
  if (!process.env.EMNET_PROXY_WT_INFO_URL) throw new Error('EMNET_PROXY_WT_INFO_URL is not set (emnet-proxy not built?)');
  const { r, buffered } = await slowReader(page, harnessEnv({ EMNET_TRANSPORT: 'webtransport',
                                                              EMNET_WEBTRANSPORT_INFO_URL: process.env.EMNET_PROXY_WT_INFO_URL }));
  console.log(`tcp_slow_reader over webtransport: ${r.stdout.join(' | ')} ${r.stderr.join(' | ')}`);
  // The buffer, plus what the page had read from the stream before C's
  // buffer filled: js/library_emnet_webtransport.js stops reading a stream
  // with 256 KiB waiting for C (maxWaiting).
  expect(buffered).toBeGreaterThan(0);
  expect(buffered).toBeLessThanOrEqual(RECV_BUFFER + 262144);
  expect(r.stdout[1]).toBe('read 8 MiB, all as sent');
  expect(r.status).toBe(0);
});
