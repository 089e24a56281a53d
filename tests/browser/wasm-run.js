// Helper for browser tests: run one program of the wasm build in
// run-wasm.html and return { stdout, stderr, status } once it has exited.
'use strict';

async function runWasm(page, prog, { args = [], env = {}, timeout = 30000 } = {}) {
  const q = new URLSearchParams({ prog: `/build/wasm/${prog}.js` });
  for (const a of args) q.append('arg', String(a));
  for (const [k, v] of Object.entries(env)) q.append('env', `${k}=${v}`);
  await page.goto(`/tests/browser/run-wasm.html?${q}`);
  await page.waitForFunction(() => window.emnetRun && window.emnetRun.status !== null, null, { timeout });
  return page.evaluate(() => window.emnetRun);
}

module.exports = { runWasm };
