// The reactor in the browsers: the hosted loop keeps the page responsive while
// it drives 100,000 events; timers fire in order near their deadlines; a
// classic blocking epoll_wait loop suspends under ASYNCIFY and under JSPI,
// woken by JavaScript writing an eventfd and by a timerfd; a build that
// cannot suspend fails at once with one console message.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm, watchFrames } = require('./wasm-run');

test('hosted loop: a UI interaction is handled while events flow', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  await page.goto('/tests/browser/run-wasm.html');
  await page.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'b';
    b.textContent = 'click';
    b.onclick = () => { b.dataset.clicked = String(performance.now()); };
    document.body.appendChild(b);
  });
  // Start a long stream of events, then click while it runs.
  await page.evaluate(() => {
    window.emnetRun = { stdout: [], stderr: [], status: null };
    window.Module = {
      arguments: ['2000000'],
      print: (l) => window.emnetRun.stdout.push(l),
      printErr: (l) => window.emnetRun.stderr.push(l),
      onExit: (s) => { window.emnetRun.status = s; },
    };
    const s = document.createElement('script');
    s.src = '/build/wasm/tests/loop/loop_events.js';
    document.body.appendChild(s);
  });
  await page.waitForFunction(() => typeof Module._main == 'function' || window.emnetRun.status !== null);
  await page.click('#b', { timeout: 2000 });
  const clickedWhileRunning = await page.evaluate(() => window.emnetRun.status === null && !!document.getElementById('b').dataset.clicked);
  await page.waitForFunction(() => window.emnetRun.status !== null, null, { timeout: 60000 });
  const r = await page.evaluate(() => window.emnetRun);
  console.log(`loop_events 2M: ${r.stdout.find((l) => l.startsWith('events:'))}`);
  expect(clickedWhileRunning).toBe(true);
  expect(r.status).toBe(0);
});

// Both in Firefox, which has JSPI too; WebKit has no JSPI, and counting
// frames needs a script before the page's own (not over WebDriver classic).
for (const build of ['blocking_wait', 'blocking_wait_jspi']) {
  test(`blocking epoll_wait loop woken by JS and by a timerfd (${build === 'blocking_wait' ? 'ASYNCIFY' : 'JSPI'})`,
       { tag: engines.firefox }, async ({ page }) => {
    await watchFrames(page);
    const r = await runWasm(page, `tests/loop/${build}`);
    expect(r.stderr).toEqual([]);
    expect(r.stdout).toEqual([
      'woken by eventfd: 7',
      'woken by timerfd: 1',
      'woken by eventfd: 3',
      'three wake-ups after about 100 ms',
      'blocking read: 8 bytes, 1 tick, after the deadline',
    ]);
    expect(r.status).toBe(0);
    const frames = await page.evaluate(() => window.frames_);
    expect(frames.count).toBeGreaterThanOrEqual(3);   // the page ran while the program waited
  });
}

test('a build that cannot suspend fails at once, with one console message', { tag: engines.firefoxWebkitFull }, async ({ page }) => {
  const r = await runWasm(page, 'tests/loop/blocking_unsupported');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('failed at once');
  expect(r.stdout).toContain('epoll_wait(-1): -1 Not supported');
  const messages = r.stderr.filter((l) => l.startsWith('emnet: a call would block'));
  expect(messages).toHaveLength(1);
  expect(messages[0]).toContain('-sASYNCIFY');
});
