// Runs tests/bench/bench-tcp.html in a headless Chromium that nothing is
// attached to (a DevTools client such as Playwright copies every WebSocket
// frame to itself and would slow WebSocket traffic 3-4x), collects what the
// page POSTs back, runs the same programs natively for reference, and
// prints a table: the median over the runs of each figure for each way of
// carrying the bytes (see the page for the variants), with ratios measured
// in the same run.
//   node tests/bench/run-tcp-bench.js [runs] [mib] [pings] [open] [datagrams]
// Needs the harness's services (tests/harness/services.sh); emnet-proxy's
// columns need its emnet-proxy. EMNET_WASM_BUILD (default build/wasm) and
// EMNET_NATIVE_BUILD (the harness's native tree) say where the programs are.
// EMNET_BENCH_BROWSER=firefox: the same page in Firefox ESR (direct-chromium.js).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { runPage, root } = require('./direct-chromium.js');

const [runs = 5, mib = 64, pings = 1000, open = 100, dgrams = 20000] = process.argv.slice(2).map(Number);
const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set: run under tests/harness/services.sh`);
  return process.env[k];
};

// Columns, in this order, for the variants that ran.
const COLUMNS = [
  ['raw', 'raw WS/wsfy'], ['rawp', 'raw WS/proxy'], ['emnet', 'emnet ws/wsfy'], ['emnetp', 'emnet ws/proxy'],
  ['wisp', 'emnet wisp'], ['wispplain', 'wisp plain'], ['rawwt', 'raw WT/proxy'], ['wt', 'emnet WT'],
  ['sockfs', 'SOCKFS/wsfy'],
  ['native', 'native'],
];
const RATIOS = [['emnet', 'raw'], ['emnetp', 'rawp'], ['wisp', 'rawp'], ['wisp', 'emnetp'], ['wisp', 'wispplain'],
                ['rawwt', 'rawp'], ['wt', 'rawwt'], ['wt', 'wisp'], ['wt', 'rawp']];

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
  const cell = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const present = new Set(Object.values(fig).flatMap((f) => Object.keys(f.v)));
  const cols = COLUMNS.filter(([v]) => present.has(v));
  const ratios = RATIOS.filter(([a, b]) => present.has(a) && present.has(b));
  const rows = [['figure', ...cols.map(([, title]) => title), ...ratios.map(([a, b]) => `${a}/${b}`)]];
  for (const [name, { unit, v }] of Object.entries(fig)) {
    const m = Object.fromEntries(cols.map(([k]) => [k, median(v[k])]));
    rows.push([`${name} (${unit})`, ...cols.map(([k]) => cell(m[k], 1)),
               ...ratios.map(([a, b]) => cell(m[a] / m[b], 2))]);
  }
  return rows.map((r) => r.map((c, i) => (i ? c.padStart(15) : c.padEnd(30))).join('')).join('\n');
}

// The same programs natively, over the kernel, as a reference column.
function nativeLines() {
  const dir = path.resolve(root, process.env.EMNET_NATIVE_BUILD || 'build/native');
  const run = (prog, args) => {
    const file = path.join(dir, prog);
    if (!fs.existsSync(file)) return [];
    try {
      return execFileSync(file, args.map(String), { encoding: 'utf8', env: process.env }).split('\n');
    } catch (e) {   // failed: it printed no figure, and says why on stderr
      return [];
    }
  };
  const lines = [];
  const keep = (run_, printed) => {
    for (const l of printed) if (l.startsWith('bench ')) lines.push(`native ${run_} ${l}`);
  };
  for (let r = 0; r < runs; r++) {
    keep(r, run('tests/bench/bench_tcp', ['127.0.0.1', env('EMNET_TCP_BULK_PORT'), env('EMNET_TCP_ECHO_PORT'),
                                         '--rounds', 1, '--mib', mib, '--pings', pings]));
    keep(r, run('tests/net/tcp_many_sockets', [open, 32]));
    keep(r, run('tests/net/udp_echo_100k', [dgrams, 64]));
    keep(r, run('tests/bench/bench_connect', [20]));
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const q = new URLSearchParams({ ws: env('EMNET_WS_TOKEN_PORT'), bulk: env('EMNET_TCP_BULK_PORT'),
                                  echo: env('EMNET_TCP_ECHO_PORT'), runs, mib, pings, open, dgrams,
                                  build: process.env.EMNET_WASM_BUILD || 'build/wasm' });
  if (process.env.EMNET_PROXY_WISP_URL) {
    q.set('proxyws', env('EMNET_PROXY_WS_URL'));
    q.set('wisp', env('EMNET_PROXY_WISP_URL'));
  }
  if (process.env.EMNET_UDP_ECHO_PORT) q.set('udp', process.env.EMNET_UDP_ECHO_PORT);
  if (process.env.EMNET_PROXY_WT_INFO_URL) q.set('wtinfo', process.env.EMNET_PROXY_WT_INFO_URL);
  if (process.env.EMNET_TCP_REFUSED_PORT) q.set('refused', process.env.EMNET_TCP_REFUSED_PORT);
  const text = await runPage('tests/bench/bench-tcp.html', q, 600000);
  process.stdout.write(text);
  if (!/^done$/m.test(text)) {
    process.exitCode = 1;
    return;
  }
  const native = nativeLines();
  process.stdout.write(native);
  console.log(`\nTCP and UDP in headless ${process.env.EMNET_BENCH_BROWSER === 'firefox' ? 'Firefox' : 'Chromium'}, median of ${runs} runs ` +
              `(${mib} MiB each way per run, ${pings} ping-pongs of 32 bytes, ${open} connections ` +
              `opened at once, ${dgrams} UDP datagrams of 8-1200 bytes with 64 in flight)`);
  console.log(table(text + native));
  console.log('wsfy = websockify; proxy = emnet-proxy (websockify mode; wisp = its Wisp mode, with every ' +
              'extension; wisp plain = the same server as plain Wisp, EMNET_WISP_EXTENSIONS=udp); ' +
              'ws = emnet\'s websockify transport.\ntcp_connect_all: until every connect completed ' +
              '(raw: every WebSocket opened; emnet: at the stream confirmation over wisp, else ' +
              'EMNET_CONNECT_CONFIRM_MS, 100 ms, after the open/CONNECT); tcp_connect_roundtrip: until ' +
              '32 bytes came back on each; connect_median/p90: one connect at a time, connect() to EPOLLOUT.');
  for (const line of text.split('\n')) if (line.startsWith('note ')) console.log(line);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
