// emnet-proxy's WebTransport gateway against what a browser never sends,
// one case per ctest:
//   node wt_cases.js EMNET_PROXY EMNET_TESTSRV CASE WT_CLIENT
// Each case starts emnet-testsrv and emnet-proxy (webtransport_listen on a
// kernel-chosen UDP port), keeps one healthy session open alongside (a
// wt_client "hold" echoing a line through the proxy whenever asked), plays
// wt_client scenarios that each print one line per outcome, and checks
// the exact outcome for that client, then that the healthy session still
// echoes. lib.js stops every proxy with SIGTERM and checks it exits 0
// without a sanitizer report (the native tree is ASan + UBSan).
'use strict';
const fs = require('fs');
const path = require('path');
const L = require(path.join(__dirname, '..', 'server', 'lib.js'));
const { check, eq, sleep } = L;
const { spawn } = require('child_process');

const wtClient = process.argv[5];
// What the proxy frees goes back to the system, not to ASan's quarantine
// (256 MB by default), so that RSS measures what the proxy still holds.
process.env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=1'].filter(Boolean).join(':');

const ORIGIN = 'http://allowed.example';

function rss(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}

// The proxy and emnet-testsrv; conf lines are added to the defaults.
async function setup({ proxyBin, testsrvBin }, conf = '') {
  const ports = await L.startTestsrv(testsrvBin);
  const proxy = await L.startProxy(proxyBin,
    `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.udp_echo}\n` +
    `allow_origin = ${ORIGIN}\nwebtransport_listen = 127.0.0.1:0\n${conf}`);
  const m = await proxy.waitLine(/^webtransport (127\.0\.0\.1:\d+)$/);
  proxy.wt = m[1];
  return { ports, proxy };
}

// Runs one wt_client scenario to its end: its output lines. Options go
// before the address (--origin, --path, --auth).
function client(proxy, args, opts = []) {
  const p = L.startProcess(wtClient, [...(opts.includes('--origin') ? [] : ['--origin', ORIGIN]), ...opts,
    proxy.wt, ...args.map(String)]);
  return L.withTimeout(p.exited, 30000, 'wt_client ' + args.join(' ')).then((ex) => {
    const bad = p.err.filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
    check(ex.code === 0 && bad.length === 0,
      `wt_client ${args.join(' ')}: exits 0, no sanitizer report` + (bad.length ? '\n' + p.err.join('\n') : ''));
    return p.out;
  });
}

// Runs a scenario and checks that every wanted line is in its output, in
// that order, and that none of the unwanted ones is.
async function expect(proxy, args, want, opts = [], unwanted = []) {
  const out = await client(proxy, args, opts);
  let at = 0;
  for (const w of want) {
    const i = out.indexOf(w, at);
    check(i >= 0, `${[...opts, ...args].join(' ')}: "${w}"` + (i >= 0 ? '' : ` (got ${JSON.stringify(out)})`));
    if (i >= 0) at = i + 1;
  }
  for (const u of unwanted) check(!out.includes(u), `${args.join(' ')}: no "${u}"`);
  return out;
}

// A healthy session kept open through a case: ping() echoes one line
// through it, end() closes it and checks it closed cleanly.
async function hold(proxy, port, opts = []) {
  // lib.js's startProcess gives no stdin, which "hold" reads: spawned
  // here, and killed by its PID if the case ends without closing it.
  const proc = spawn(wtClient, ['--origin', ORIGIN, ...opts, proxy.wt, 'hold', String(port)],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  process.on('exit', () => { if (proc.exitCode === null) try { process.kill(proc.pid, 'SIGKILL'); } catch (e) { /* gone */ } });
  const p = { proc, out: [], err: [] };
  let partial = '';
  proc.stdout.on('data', (d) => { const l = (partial + d).split('\n'); partial = l.pop(); p.out.push(...l.filter(Boolean)); });
  proc.stderr.on('data', (d) => p.err.push(...String(d).split('\n').filter(Boolean)));
  proc.stdin.on('error', () => {});
  p.exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  const until = (test, ms, what) => L.withTimeout(new Promise((resolve) => {
    const poll = () => (test() ? resolve(true) : setTimeout(poll, 20));
    poll();
  }), ms, what);
  await until(() => p.out.includes('holding') || p.out.includes('done'), 10000, 'hold: session open');
  check(p.out.includes('holding'), 'the healthy session opens' + (p.out.includes('holding') ? '' : ` (${p.out})`));
  let pings = 0;
  return {
    async ping(what) {
      const n = ++pings;
      p.proc.stdin.write(`ping ${n}\n`);
      const ok = await until(() => p.out.filter((l) => l === 'echo ok').length >= n, 5000, 'hold echo').catch(() => false);
      check(ok, `${what}: the healthy session still echoes`);
    },
    async end() {
      p.proc.stdin.end();
      const ex = await L.withTimeout(p.exited, 10000, 'hold exit');
      const bad = p.err.filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
      check(ex.code === 0 && p.out.includes('session closed') && !bad.length,
        'the healthy session closes cleanly' + (bad.length ? '\n' + p.err.join('\n') : ''));
    },
  };
}

// The HTTP/3 errors wt_client can make, and the code each must close the
// connection with (RFC 9114 §8.1, RFC 9204 §6).
const H3_ERRORS = [
  ['h3_no_settings', 0x10a],        // H3_MISSING_SETTINGS: the control stream starts with GOAWAY
  ['h3_second_control', 0x103],     // H3_STREAM_CREATION_ERROR
  ['h3_settings_http2', 0x109],     // H3_SETTINGS_ERROR: ENABLE_PUSH (0x2), an HTTP/2 id
  ['h3_settings_duplicate', 0x109], // H3_SETTINGS_ERROR: H3_DATAGRAM twice
  ['h3_data_on_control', 0x105],    // H3_FRAME_UNEXPECTED
  ['h3_oversized_frame', 0x107],    // H3_EXCESSIVE_LOAD: a GOAWAY of 5000 bytes
  ['h3_frame_41', 0x106],           // H3_FRAME_ERROR: 0x41 is a stream signal, never a frame
  ['h3_control_fin', 0x104],        // H3_CLOSED_CRITICAL_STREAM
  ['h3_control_reset', 0x104],
  ['h3_push_stream', 0x103],        // only servers push
  ['h3_bad_qpack', 0x200],          // QPACK_DECOMPRESSION_FAILED: static index 99
  ['h3_truncated_frame', 0x106],    // H3_FRAME_ERROR: a stream ending inside a frame (RFC 9114 §7.1)
];

// The HTTP/3 code that carries WebTransport application error code n
// (draft-ietf-webtrans-http3 §4.4), computed here independently of the
// proxy's codec.
function wtCode(n) { return 0x52e4a40fa8dbn + BigInt(n) + BigInt(n) / 0x1en; }

const cases = {
  // Garbage and spoiled Initials at the QUIC port: no answer, no state
  // kept, no crash; the healthy session goes on.
  async quic_garbage(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    eq(await client(proxy, ['garbage', 2000]), ['sent 2000', 'done'], 'garbage: 2000 datagrams sent');
    await h.ping('after garbage');
    eq(await client(proxy, ['initials', 300]), ['sent 300', 'done'], 'initials: 300 spoiled Initials sent');
    await h.ping('after spoiled Initials');
    await expect(proxy, ['echo', ports.tcp_echo], ['status 200', 'echo ok', 'session closed']);
    await h.end();
  },

  async h3_errors(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    for (const [sc, code] of H3_ERRORS) {
      await expect(proxy, [sc], [`connection closed h3 0x${code.toString(16)}`, 'done'], [], ['connection open']);
      await h.ping(sc);
    }
    await h.end();
  },

  // What a server must live with: unknown and GREASE stream types get
  // STOP_SENDING (H3_STREAM_CREATION_ERROR, RFC 9114 §6.2) and are
  // otherwise ignored; a stream type cut short by FIN is forgotten; unknown
  // and GREASE frames of any length are skipped. The same connection then
  // serves a session.
  async h3_tolerated(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    await expect(proxy, ['h3_unknown_uni', ports.tcp_echo],
      ['stream 14 stop_sending 0x103', 'stream 18 stop_sending 0x103', 'status 200', 'echo ok', 'session closed',
       'connection open']);
    await expect(proxy, ['h3_truncated_uni', ports.tcp_echo], ['status 200', 'echo ok', 'session closed', 'connection open']);
    // A stream still open when the page closes the session: reset with
    // WT_SESSION_GONE (draft-ietf-webtrans-http3 §6).
    await expect(proxy, ['session_gone', ports.tcp_echo], ['echo ok', 'stream 4 reset 0x170d7b68', 'connection open']);
    // Unknown and reserved frames on the control stream, longer than any
    // frame the proxy holds: passed over (RFC 9114 §9), not an error.
    await expect(proxy, ['h3_large_unknown_frame', ports.tcp_echo],
      ['status 200', 'echo ok', 'session closed', 'connection open']);
    await h.ping('after tolerated streams');
    await h.end();
  },

  async connect_refusals(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    await expect(proxy, ['connect', 'GET', 'webtransport'], ['status 400', 'connection open']);
    await expect(proxy, ['connect', 'CONNECT', 'websocket'], ['status 400', 'connection open']);
    await expect(proxy, ['connect', 'CONNECT', '-'], ['status 400']);
    await expect(proxy, ['connect', 'CONNECT', 'webtransport'], ['status 404'], ['--path', '/elsewhere']);
    await expect(proxy, ['connect', 'CONNECT', 'webtransport'], ['status 403'], ['--origin', 'http://evil.example']);
    // A second session on one connection.
    await expect(proxy, ['connect', 'CONNECT', 'webtransport', 2], ['status 200', 'status 429', 'session closed']);
    await h.ping('after refusals');
    await h.end();

    // The bearer token: missing, wrong (query and header), right.
    const t = await setup(env, 'bearer_token = s3cretT0ken\n');
    await expect(t.proxy, ['connect', 'CONNECT', 'webtransport'], ['status 401']);
    await expect(t.proxy, ['connect', 'CONNECT', 'webtransport'], ['status 401'], ['--path', '/emnet?access_token=wrong']);
    await expect(t.proxy, ['connect', 'CONNECT', 'webtransport'], ['status 401'], ['--auth', 'Bearer wrong']);
    await expect(t.proxy, ['connect', 'CONNECT', 'webtransport'], ['status 200', 'session closed'],
      ['--path', '/emnet?access_token=s3cretT0ken']);
    await expect(t.proxy, ['connect', 'CONNECT', 'webtransport'], ['status 200', 'session closed'],
      ['--auth', 'Bearer s3cretT0ken']);
  },

  // max_connections counts sessions (WebSocket clients too) and refuses
  // the one over it with 429; max_connections_per_ip likewise per address.
  async session_limits(env) {
    const { ports, proxy } = await setup(env, 'max_connections = 2\n');
    const h1 = await hold(proxy, ports.tcp_echo);
    const h2 = await hold(proxy, ports.tcp_echo);
    await expect(proxy, ['connect', 'CONNECT', 'webtransport'], ['status 429', 'connection open']);
    await h1.ping('over max_connections');
    await h1.end();
    await sleep(300);
    await expect(proxy, ['connect', 'CONNECT', 'webtransport'], ['status 200', 'session closed']);
    await h2.end();

    const p = await setup(env, 'max_connections_per_ip = 1\n');
    const h3 = await hold(p.proxy, p.ports.tcp_echo);
    await expect(p.proxy, ['connect', 'CONNECT', 'webtransport'], ['status 429']);
    await h3.ping('over max_connections_per_ip');
    await h3.end();
  },

  async capsules(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    // Unknown, GREASE and DRAIN capsules: skipped, the session goes on.
    await expect(proxy, ['unknown_capsule', ports.tcp_echo], ['status 200', 'echo ok', 'session closed', 'connection open']);
    await expect(proxy, ['close_proper'], ['status 200', 'session closed', 'connection open']);
    // The longest reason a page may give (1024 bytes) is a clean close.
    await expect(proxy, ['close_max_reason'], ['status 200', 'session closed', 'connection open']);
    // Malformed closes (a reason of 1025 bytes, a reason not UTF-8): the
    // session ends all the same with the page's FIN, the connection stays.
    await expect(proxy, ['close_long_reason'], ['status 200', 'session closed', 'connection open']);
    await expect(proxy, ['close_bad_utf8'], ['status 200', 'session closed', 'connection open']);
    await h.ping('after capsules');
    await h.end();
  },

  // Stream headers the proxy answers with a status and FIN.
  async emnet_streams(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    const rows = [
      ['090050', '07', 'unknown kind'],
      ['010050000361206200', '07', 'a name with a space'],
      ['01005000fe' + '61'.repeat(20), '07', 'a name of 254 bytes'],
      ['0100010400000000', '05', 'a target the allowlist refuses (0.0.0.0:1)'],
      ['010001047f000001', '05', 'a port the allowlist refuses (127.0.0.1:1)'],
      ['0203', '07', 'a UDP flow of family 3'],
    ];
    for (const [hex, status, what] of rows) {
      await expect(proxy, ['wtstream', hex], ['status 200', `stream 4 reply ${status}`, 'stream 4 fin', 'session closed']);
      await h.ping(what);
    }
    // A header cut short by FIN.
    await expect(proxy, ['wtstream', '0100', 'fin'], ['stream 4 reply 07', 'stream 4 fin', 'session closed']);
    await expect(proxy, ['echo', ports.tcp_echo], ['status 200', `stream 4 reply 00 04 7f000001 ${ports.tcp_echo}`, 'echo ok']);
    await h.end();
  },

  async udp_flows(env) {
    const { ports, proxy } = await setup(env);
    const h = await hold(proxy, ports.tcp_echo);
    await expect(proxy, ['udp', ports.udp_echo], ['flow open', 'udp echo ok', 'session closed']);
    // Malformed datagrams and unknown flows are dropped; the flow works after.
    await expect(proxy, ['udp', ports.udp_echo, 'bad_datagrams'], ['flow open', 'udp echo ok', 'session closed'],
      [], ['unexpected datagram']);
    // A record of an unknown type, a record over 65527 bytes: the flow's
    // stream is reset with WebTransport code 0x02.
    const reset = `stream 4 reset 0x${wtCode(2).toString(16)}`;
    // A flow of kind 0x04: a burst of 64 datagrams as records, every echo
    // back as a record on the stream, in order.
    await expect(proxy, ['udp', ports.udp_echo, 'on_stream'], ['flow open', 'udp records ok', 'session closed']);
    await expect(proxy, ['udp', ports.udp_echo, 'bad_record'], ['flow open', reset, 'session closed']);
    await expect(proxy, ['udp', ports.udp_echo, 'long_record'], ['flow open', reset, 'session closed']);
    await h.ping('after bad flows');
    await h.end();
  },

  // The proxy's memory through floods: 2,000 garbage datagrams, 300
  // spoiled Initials, and three rounds of 200 connections that break
  // HTTP/3 (10 clients of 20 at once). What is asserted, and why:
  //   - after the first round, at most 64 MB over the level after a
  //     warm-up session: up to ~100 connections are alive at once, each
  //     with an ngtcp2 connection, a GnuTLS session and buffers, and
  //     ASan's allocator keeps the memory they used (measured: +30 MB);
  //   - rounds four and five, 400 more connections, add under 8 MB over
  //     the level after round three: the memory of a closed connection is
  //     reused, none is kept per connection (400 x ~50 kB would be 20 MB).
  //     (Rounds two and three come first because on a loaded machine the
  //     first round's clients overlap less: the peak of live connections,
  //     and of ASan's allocator, may come in a later round.)
  async flood_rss(env) {
    const { ports, proxy } = await setup(env);
    await expect(proxy, ['echo', ports.tcp_echo], ['status 200', 'echo ok']);
    const h = await hold(proxy, ports.tcp_echo);
    await sleep(1000);
    const before = rss(proxy.proc.pid);
    await client(proxy, ['garbage', 2000]);
    await client(proxy, ['initials', 300]);
    const round = async () => {
      const outs = await Promise.all(Array.from({ length: 10 }, () => client(proxy, ['flood', 20])));
      await sleep(1500);   // the closed connections' linger (1 s) runs out
      return outs.map((o) => Number((o.find((l) => l.startsWith('flood ')) || '').split(' ')[3] || 0))
        .reduce((a, b) => a + b, 0);
    };
    eq(await round(), 200, 'flood round 1: all 200 abusive connections closed by the proxy');
    const first = rss(proxy.proc.pid);
    await h.ping('after flood round 1');
    eq(await round(), 200, 'flood round 2: all closed');
    eq(await round(), 200, 'flood round 3: all closed');
    const third = rss(proxy.proc.pid);
    eq(await round(), 200, 'flood round 4: all closed');
    eq(await round(), 200, 'flood round 5: all closed');
    const last = rss(proxy.proc.pid);
    console.log(`# proxy RSS: ${before} kB before, ${first} kB after round 1, ${third} kB after round 3, ${last} kB after round 5`);
    check(third - before < 64 * 1024, `proxy RSS +${third - before} kB after garbage and 600 connections (bound 64 MB)`);
    check(last - third < 8 * 1024, `proxy RSS +${last - third} kB over 400 more connections (bound 8 MB)`);
    await h.ping('after the floods');
    await expect(proxy, ['echo', ports.tcp_echo], ['status 200', 'echo ok', 'session closed']);
    await h.end();
  },
};

L.run(cases);
