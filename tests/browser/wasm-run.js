// Helper for browser tests: run one program of the wasm build in
// run-wasm.html and return { stdout, stderr, status } once it has exited.
'use strict';

async function runWasm(page, prog, { args = [], env = {}, timeout = 30000 } = {}) {
  // EMNET_WASM_BUILD: another wasm build tree than build/wasm, relative to the repository.
  const q = new URLSearchParams({ prog: `/${process.env.EMNET_WASM_BUILD || 'build/wasm'}/${prog}.js` });
  for (const a of args) q.append('arg', String(a));
  for (const [k, v] of Object.entries(env)) q.append('env', `${k}=${v}`);
  await page.goto(`/tests/browser/run-wasm.html?${q}`);
  await page.waitForFunction(() => window.emnetRun && window.emnetRun.status !== null, null, { timeout });
  return page.evaluate(() => window.emnetRun);
}

// Counts animation frames and remembers the longest gap between two, from
// before the page's program starts until the test reads window.frames_.
async function watchFrames(page) {
  await page.addInitScript(() => {
    window.frames_ = { count: 0, longestGap: 0, last: 0 };
    function tick(t) {
      const f = window.frames_;
      if (f.last) f.longestGap = Math.max(f.longestGap, t - f.last);
      f.last = t;
      f.count++;
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  });
}

module.exports = { runWasm, watchFrames };
