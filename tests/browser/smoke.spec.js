// Tier 3 smoke tests, in every engine: a wasm program runs in the page and
// its status comes back; a page's raw JS WebSocket reaches the echo server through websockify.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm } = require('./wasm-run');

test('wasm program prints and exits 0', { tag: engines.all }, async ({ page }) => {
  const r = await runWasm(page, 'tests/smoke/smoke_hello');
  expect(r.stdout).toEqual(['emnet smoke: hello from wasm, exiting with 0']);
  expect(r.status).toBe(0);
});

test('wasm program exit status is read back exactly', { tag: engines.all }, async ({ page }) => {
  const r = await runWasm(page, 'tests/smoke/smoke_hello', { args: [7] });
  expect(r.stdout).toEqual(['emnet smoke: hello from wasm, exiting with 7']);
  expect(r.status).toBe(7);
});

for (const unit of ['test_pattern', 'test_pollable']) {
  test(`wasm unit test ${unit} passes`, { tag: engines.all }, async ({ page }) => {
    const r = await runWasm(page, `tests/unit/${unit}`);
    expect(r.stderr).toEqual([]);
    expect(r.stdout[0]).toMatch(/checks, 0 failed$/);
    expect(r.status).toBe(0);
  });
}

test('raw JS WebSocket echoes through websockify', { tag: engines.all }, async ({ page }) => {
  await page.goto('/tests/browser/run-wasm.html');   // any page of the same server
  const port = Number(process.env.EMNET_WS_ECHO_PORT);
  const r = await page.evaluate(async (wsPort) => {
    const sent = new Uint8Array(200000);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 131 + (i >> 9)) & 0xff;
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/`);
    ws.binaryType = 'arraybuffer';
    const got = new Uint8Array(sent.length);
    let n = 0;
    const closed = await new Promise((resolve, reject) => {
      ws.onerror = () => reject(new Error('websocket error'));
      ws.onopen = () => { ws.send(sent.subarray(0, 1000)); ws.send(sent.subarray(1000)); };
      ws.onmessage = (e) => {
        const b = new Uint8Array(e.data);
        got.set(b.subarray(0, Math.min(b.length, got.length - n)), n);
        n += b.length;
        if (n >= sent.length) ws.close(1000);
      };
      ws.onclose = (e) => resolve({ code: e.code });
    });
    let same = n === sent.length;
    for (let i = 0; same && i < sent.length; i++) same = got[i] === sent[i];
    return { received: n, same, code: closed.code };
  }, port);
  expect(r.received).toBe(200000);
  expect(r.same).toBe(true);
  expect(r.code).toBe(1000);
});
