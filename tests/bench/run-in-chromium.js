// Runs one program of the wasm build in headless Chromium and prints what
// it printed (for scripts/bench.sh). Nothing else is attached to the page
// but this script, which only waits for the program to exit.
//   node tests/bench/run-in-chromium.js tests/bench/bench_epoll [args...]
// Needs EMNET_HTTP_PORT (run under tests/harness/services.sh).
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

async function main() {
  const [prog, ...args] = process.argv.slice(2);
  const executablePath = [process.env.EMNET_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium']
    .find((p) => p && fs.existsSync(p));
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const q = new URLSearchParams({ prog: `/build/wasm/${prog}.js` });
    for (const a of args) q.append('arg', a);
    await page.goto(`http://127.0.0.1:${process.env.EMNET_HTTP_PORT}/tests/browser/run-wasm.html?${q}`);
    await page.waitForFunction(() => window.emnetRun.status !== null, null, { timeout: 300000 });
    const r = await page.evaluate(() => window.emnetRun);
    for (const line of r.stdout) console.log(line);
    for (const line of r.stderr) console.error(line);
    process.exitCode = r.status;
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
