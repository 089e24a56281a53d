// Timing-sensitive tests of the hosted loop, in each engine. They run in their
// own Playwright project, after all other browser tests and alone, so that
// no parallel page competes for the 2 cores while they measure.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { runWasm, watchFrames } = require('./wasm-run');

test('hosted loop: 100,000 events through drive, the page keeps rendering', { tag: engines.firefoxFull }, async ({ page }) => {
  await watchFrames(page);
  const t0 = Date.now();
  const r = await runWasm(page, 'tests/loop/loop_events', { args: [100000] });
  const elapsed = Date.now() - t0;
  const frames = await page.evaluate(() => window.frames_);
  console.log(`loop_events: ${r.stdout.join(' | ')}; ${frames.count} frames in ${elapsed} ms, longest gap ${frames.longestGap.toFixed(1)} ms`);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('order: 20 40 60');
  expect(r.stdout).toContain('ticks: 4');
  expect(r.stdout.some((l) => /^events: 100000 in /.test(l))).toBe(true);
  // Responsive: frames kept coming while events flowed, never a long freeze.
  expect(frames.count).toBeGreaterThanOrEqual(3);
  expect(frames.longestGap).toBeLessThan(250);
});

test('hosted loop: timers fire in order, never early, within a few ms of their deadline', { tag: engines.allFull }, async ({ page }) => {
  const r = await runWasm(page, 'tests/loop/loop_timers');
  console.log(`loop_timers: ${r.stdout.join(' | ')}`);
  expect(r.stdout[0]).toBe('timers: 24 fired, in deadline order, 0 early');
  expect(r.status).toBe(0);
  const [, median, max] = /median_late_us=(\d+) max_late_us=(\d+)/.exec(r.stdout[3]).map(Number);
  // Typically ~1 ms (setTimeout's own granularity); the first timers may
  // wait out the page's start-up work, and a busy 2-core machine adds more.
  expect(median).toBeLessThan(10000);
  expect(max).toBeLessThan(250000);
});

