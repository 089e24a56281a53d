// A page in a headless Chromium that nothing is attached to (a DevTools
// client such as Playwright copies every WebSocket frame to itself and
// slows WebSocket traffic 3-4x): started directly, in a process group of
// its own, served by the harness's static server, which hands back what
// the page POSTs to /results. Shared by the benchmark runners.
// EMNET_BENCH_BROWSER=firefox runs the page in Debian's Firefox ESR instead,
// started the same way (headless, a fresh profile, nothing attached).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { createServer } = require('../harness/static-server.js');

const root = path.resolve(__dirname, '../..');

function chromiumPath() {
  return [process.env.EMNET_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium']
    .find((p) => p && fs.existsSync(p));
}

// Firefox: a profile whose preferences keep it quiet (no first-run pages,
// no update or telemetry traffic) and let a page open WebSockets to a
// proxy right after a refused one (DEVIATIONS.md E2).
function startFirefox(profile, url) {
  const prefs = {
    'browser.shell.checkDefaultBrowser': false, 'browser.startup.homepage_override.mstone': 'ignore',
    'datareporting.policy.dataSubmissionEnabled': false, 'toolkit.telemetry.reportingpolicy.firstRun': false,
    'app.update.enabled': false, 'browser.aboutwelcome.enabled': false,
    'network.websocket.delay-failed-reconnects': false,
  };
  fs.writeFileSync(path.join(profile, 'user.js'),
    Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
  return spawn(process.env.EMNET_FIREFOX || '/usr/bin/firefox-esr',
    ['--headless', '--no-remote', '--profile', profile, url], { detached: true, stdio: 'ignore' });
}

// Opens pagePath?query (a path under the repository) and resolves with
// the text the page POSTs to /results, or 'error timed out' after
// timeoutMs. The browser is gone when it resolves.
async function runPage(pagePath, query, timeoutMs) {
  let resolveResults;
  const results = new Promise((r) => { resolveResults = r; });
  const server = createServer(root, (p, body) => { if (p === '/results') resolveResults(body); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/${pagePath}?${query}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'emnet-browser-'));
  const browser = process.env.EMNET_BENCH_BROWSER === 'firefox' ? startFirefox(profile, url) : spawn(chromiumPath(), [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
    // Extra flags for a closer look, e.g. --js-flags=--prof for V8's profiler.
    ...(process.env.EMNET_CHROMIUM_FLAGS || '').split(' ').filter(Boolean), url,
  ], { detached: true, stdio: 'ignore' });   // its own process group: stopped as one below
  // Stopped ourselves (the harness stops its command's group, which the
  // browser's group is not part of): take the browser down first.
  const stopBrowser = () => { try { process.kill(-browser.pid, 'SIGKILL'); } catch (e) { /* gone */ } };
  process.on('exit', stopBrowser);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => process.exit(1));
  const timeout = setTimeout(() => resolveResults('error timed out\n'), timeoutMs);
  try {
    return await results;
  } finally {
    clearTimeout(timeout);
    try { process.kill(-browser.pid, 'SIGTERM'); } catch (e) { /* already gone */ }
    const exited = () => browser.exitCode !== null || browser.signalCode !== null;
    await new Promise((r) => (exited() ? r() : browser.once('exit', r)));
    process.removeListener('exit', stopBrowser);
    server.close();
    server.closeAllConnections();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

module.exports = { runPage, root };
