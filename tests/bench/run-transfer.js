// Long transfers in a headless Chromium started directly (nothing
// attached, tests/bench/direct-chromium.js): tests/net/tcp_integrity sends
// MiB megabytes to the echo server in writes of random size and reads them
// back in reads of random size, checking every byte against the pattern,
// over each transport: websockify, emnet-proxy's websockify mode, wisp to
// emnet-proxy, wisp to the wisp-js server, webtransport to emnet-proxy. Prints one line per transport
// and fails unless every byte came back as sent.
//   node tests/bench/run-transfer.js [MiB]        (default 1024)
// Needs the harness's services (tests/harness/services.sh) and emnet-proxy.
'use strict';
const { runPage } = require('./direct-chromium.js');

const mib = Number(process.argv[2] || 1024);
const harness = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMNET_')));
const need = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set: run under tests/harness/services.sh`);
  return process.env[k];
};

const TRANSPORTS = [
  ['websockify', {}],
  ['emnet-proxy websockify mode', { EMNET_WS_URL: need('EMNET_PROXY_WS_URL') }],
  ['wisp to emnet-proxy', { EMNET_TRANSPORT: 'wisp', EMNET_WISP_URL: need('EMNET_PROXY_WISP_URL') }],
  ['wisp to wisp-js', { EMNET_TRANSPORT: 'wisp' }],
  ['webtransport to emnet-proxy', { EMNET_TRANSPORT: 'webtransport',
                                    EMNET_WEBTRANSPORT_INFO_URL: need('EMNET_PROXY_WT_INFO_URL') }],
];

async function main() {
  const build = process.env.EMNET_WASM_BUILD || 'build/wasm';
  let failed = 0;
  for (const [name, extra] of TRANSPORTS) {
    const q = new URLSearchParams({ prog: `/${build}/tests/net/tcp_integrity.js`, post: '/results' });
    q.append('arg', String(mib));
    for (const [k, v] of Object.entries({ ...harness, ...extra })) q.append('env', `${k}=${v}`);
    const text = await runPage('tests/browser/run-wasm.html', q, (mib * 2 + 120) * 1000);
    let r;
    try {
      r = JSON.parse(text);
    } catch (e) {
      r = { status: -1, stdout: [text.trim()], stderr: [] };
    }
    const lines = r.stdout.concat(r.stderr).join(' | ');
    const ok = r.status === 0 && /done: sent (\d+) received \1 bytes.*equal/.test(lines);
    if (!ok) failed++;
    console.log(`transfer ${mib} MiB each way, ${name}: ${ok ? 'every byte as sent' : 'FAILED'}: ${lines}`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
