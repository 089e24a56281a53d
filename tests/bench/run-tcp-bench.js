// Runs tests/bench/bench-tcp.html in a headless Chromium that nothing is
// attached to (a DevTools client such as Playwright copies every WebSocket
// frame to itself and would slow WebSocket traffic 3-4x), collects what the
// page POSTs back and prints a table: the median over the runs of each
// figure for a raw JS WebSocket, emnet and Emscripten's SOCKFS, with the
// ratios against the raw WebSocket measured in the same run.
//   node tests/bench/run-tcp-bench.js [runs] [mib] [pings]
// Needs the harness's services (tests/harness/services.sh).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { createServer } = require('../harness/static-server.js');

const root = path.resolve(__dirname, '../..');
const [runs = 5, mib = 64, pings = 1000] = process.argv.slice(2).map(Number);
const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set: run under tests/harness/services.sh`);
  return process.env[k];
};

function chromiumPath() {
  return [process.env.EMNET_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium']
    .find((p) => p && fs.existsSync(p));
}

function table(text) {
  const fig = {};   // figure -> variant -> [values]
  for (const line of text.split('\n')) {
    const m = /^(\w+) \d+ bench (\w+) ([\d.]+) (\S+)$/.exec(line);
    if (!m) continue;
    const [, variant, name, value, unit] = m;
    fig[name] = fig[name] || { unit, v: {} };
    (fig[name].v[variant] = fig[name].v[variant] || []).push(+value);
  }
  const median = (a) => (a ? a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)] : NaN);
  const rows = [];
  rows.push(['figure', 'raw JS WebSocket', 'emnet', 'SOCKFS', 'emnet/raw', 'SOCKFS/raw']);
  for (const [name, { unit, v }] of Object.entries(fig)) {
    const raw = median(v.raw), em = median(v.emnet), so = median(v.sockfs);
    rows.push([`${name} (${unit})`, raw.toFixed(1), em.toFixed(1), so.toFixed(1),
               (em / raw).toFixed(2), (so / raw).toFixed(2)]);
  }
  return rows.map((r) => r.map((c, i) => (i ? c.padStart(17) : c.padEnd(24))).join('')).join('\n');
}

async function main() {
  const q = new URLSearchParams({ ws: env('EMNET_WS_TOKEN_PORT'), bulk: env('EMNET_TCP_BULK_PORT'),
                                  echo: env('EMNET_TCP_ECHO_PORT'), runs, mib, pings });
  let resolveResults;
  const results = new Promise((r) => { resolveResults = r; });
  const server = createServer(root, (p, body) => { if (p === '/results') resolveResults(body); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/tests/bench/bench-tcp.html?${q}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'emnet-bench-chromium-'));
  const browser = spawn(chromiumPath(), [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic', `--user-data-dir=${profile}`, url,
  ], { detached: true, stdio: 'ignore' });   // its own process group: stopped as one below
  // Stopped ourselves (the harness stops its command's group, which the
  // browser's group is not part of): take the browser down first.
  const stopBrowser = () => { try { process.kill(-browser.pid, 'SIGKILL'); } catch (e) { /* gone */ } };
  process.on('exit', stopBrowser);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => process.exit(1));
  const timeout = setTimeout(() => resolveResults('error timed out\n'), 600000);
  try {
    const text = await results;
    process.stdout.write(text);
    if (!/^done$/m.test(text)) {
      process.exitCode = 1;
      return;
    }
    console.log(`\nTCP through websockify in headless Chromium, median of ${runs} runs ` +
                `(${mib} MiB each way per run, ${pings} ping-pongs of 32 bytes)`);
    console.log(table(text));
  } finally {
    clearTimeout(timeout);
    try { process.kill(-browser.pid, 'SIGTERM'); } catch (e) { /* already gone */ }
    await new Promise((r) => (browser.exitCode !== null ? r() : browser.once('exit', r)));
    server.close();
    server.closeAllConnections();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
