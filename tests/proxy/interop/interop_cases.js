// emnet-proxy with programs written by others, one case per ctest:
//   node interop_cases.js EMNET_PROXY EMNET_TESTSRV CASE [NGINX]
// wisp_*: the Wisp client of @mercuryworkshop/wisp-js against emnet-proxy's
// Wisp mode, to emnet-testsrv. nginx*: two emnet-proxy instances behind
// Debian's nginx, configured from proxy/deploy/nginx.conf. Every process is
// started on 127.0.0.1 with ports found at run time and stopped by its PID.
'use strict';
const crypto = require('crypto');
const L = require('../server/lib.js');
const W = require('./wispjs.js');
const nginx = require('./nginx.js');
const { check, eq, sleep } = L;

const nginxBin = process.argv[5];

// The value of one sample of the proxy's /metrics ('name{labels}' or 'name').
async function metric(proxy, sample) {
  const body = (await L.httpGet(proxy.port, '/metrics')).body;
  for (const line of body.split('\n')) {
    const sp = line.lastIndexOf(' ');
    if (sp > 0 && line.slice(0, sp) === sample) return Number(line.slice(sp + 1));
  }
  throw new Error('no sample ' + sample + ' in /metrics');
}

// Polls a metric until want(value) holds (counters may lag the client by
// one turn of the proxy's loop); returns the last value.
async function metricUntil(proxy, sample, want, ms = 3000) {
  let v;
  for (const end = Date.now() + ms; ;) {
    v = await metric(proxy, sample);
    if (want(v) || Date.now() > end) return v;
    await sleep(50);
  }
}

// Sends buf over a Wisp TCP stream in pieces of `piece` bytes.
function sendPieces(st, buf, piece) {
  for (let off = 0; off < buf.length; off += piece) st.send(buf.subarray(off, off + piece));
}

// One websockify connection through `base` (a proxy or nginx): sends
// payload, resolves with what came back.
async function wsEcho(base, target, payload) {
  const c = L.openWs(base.url(target));
  const opened = await c.opened;
  if (opened !== true) return { opened };
  c.ws.send(payload);
  await c.until(() => c.bytes().length >= payload.length, 10000, 'websockify echo');
  const got = c.bytes();
  c.ws.close(1000);
  await c.closed;
  return { opened, got };
}

// n websockify echoes at once; returns how many came back equal.
async function manyEchoes(base, target, n, size) {
  const payloads = Array.from({ length: n }, () => crypto.randomBytes(size));
  const results = await Promise.all(payloads.map((p) => wsEcho(base, target, p)));
  return results.filter((r, i) => r.got && r.got.equals(payloads[i])).length;
}

const WS_TOTAL = 'emnet_proxy_connections_total{mode="websockify"}';
const WISP_TOTAL = 'emnet_proxy_connections_total{mode="wisp"}';

const cases = {
  // Several TCP streams at once on one Wisp connection, one of them far
  // larger than the credit, so that wisp-js must wait for CONTINUE.
  async wisp_tcp({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nwisp_credit = 4\n`);
    const conn = await W.connect(proxy.url('/wisp/'));
    eq(conn.max_buffer_size, 4, 'wisp-js reads the initial credit from CONTINUE on stream 0');
    const streams = [];
    for (let i = 0; i < 6; i++) streams.push({ st: W.stream(conn, '127.0.0.1', ports.tcp_echo), data: crypto.randomBytes(256 * 1024), piece: 16384 });
    streams.push({ st: W.stream(conn, '127.0.0.1', ports.tcp_echo), data: crypto.randomBytes(4 << 20), piece: 32768 });
    for (const s of streams) sendPieces(s.st, s.data, s.piece);
    await Promise.all(streams.map((s) => s.st.until(() => s.st.bytes().length >= s.data.length, 30000, 'echo')));
    streams.forEach((s, i) => check(s.st.bytes().equals(s.data), `stream ${i}: ${s.data.length} bytes come back unchanged`));
    const big = streams[streams.length - 1];
    check(big.st.continues >= big.data.length / big.piece / 4,
      `the 4 MiB stream needed CONTINUE credit and got it (${big.st.continues} CONTINUE packets for ${big.data.length / big.piece} DATA)`);
    check(streams.every((s) => s.st.continues > 0), 'every stream got CONTINUE packets');
    eq(await metric(proxy, 'emnet_proxy_streams_total{type="tcp"}'), 7, 'the proxy opened 7 TCP streams');
    const sent = streams.reduce((a, s) => a + s.data.length, 0);
    eq(await metric(proxy, 'emnet_proxy_bytes_total{direction="to_target"}'), sent, 'every byte reached the target once');
    for (const s of streams) s.st.s.close(W.reasons.voluntary);
    eq(await metricUntil(proxy, 'emnet_proxy_streams{type="tcp"}', (v) => v === 0), 0,
      "wisp-js's CLOSE closes the target connections");
    conn.close();
    await L.withTimeout(conn.closed, 5000, 'wisp-js connection closes');
    eq(await metricUntil(proxy, 'emnet_proxy_connections', (v) => v === 0), 0, 'the proxy let the connection go');
  },

  // UDP streams: one DATA = one datagram each way, boundaries kept.
  async wisp_udp({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.udp_echo}\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    const conn = await W.connect(proxy.url('/wisp/'));
    check(conn.udp_enabled, 'wisp-js allows UDP streams on this connection');
    const u = W.stream(conn, '127.0.0.1', ports.udp_echo, 'udp');
    const t = W.stream(conn, '127.0.0.1', ports.tcp_echo);
    t.send(Buffer.from('tcp beside udp'));
    const sizes = [1, 2, 100, 1400, 9000, 60000];
    let ok = 0;
    for (const n of sizes) {
      const d = crypto.randomBytes(n);
      const before = u.messages.length;
      u.send(d);
      await u.until(() => u.messages.length > before, 5000, `echo of a ${n}-byte datagram`);
      if (u.messages.length === before + 1 && u.messages[before].equals(d)) ok++;
    }
    eq(ok, sizes.length, `datagrams of ${sizes.join(', ')} bytes each come back as one equal message`);
    // A burst: 20 datagrams of 500 bytes sent at once, 20 messages back.
    const burst = Array.from({ length: 20 }, (_, i) => Buffer.concat([Buffer.from([i]), crypto.randomBytes(499)]));
    const base = u.messages.length;
    for (const d of burst) u.send(d);
    await u.until(() => u.messages.length >= base + burst.length, 5000, 'the burst');
    const back = u.messages.slice(base);
    check(back.every((m) => m.length === 500), 'burst: every message is one 500-byte datagram');
    check(burst.every((d) => back.some((m) => m.equals(d))), 'burst: every datagram came back');
    eq(u.continues, 0, 'no CONTINUE on a UDP stream');
    await t.until(() => t.bytes().length >= 14);
    eq(t.bytes().toString(), 'tcp beside udp', 'a TCP stream on the same connection is unaffected');
    eq(await metric(proxy, 'emnet_proxy_streams_total{type="udp"}'), 1, 'the proxy opened one UDP stream');
    u.s.close(W.reasons.voluntary);
    t.s.close(W.reasons.voluntary);
    eq(await metricUntil(proxy, 'emnet_proxy_streams{type="udp"}', (v) => v === 0), 0, 'CLOSE ends the UDP socket');
    conn.close();
    await L.withTimeout(conn.closed, 5000, 'wisp-js connection closes');
  },

  // Failures reach wisp-js as the stream's close reason.
  async wisp_failures({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const dead = await L.freePort();
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${dead}\n`);
    const conn = await W.connect(proxy.url('/wisp/'));
    const expect = async (host, port, type, want, what) => {
      const st = W.stream(conn, host, port, type);
      const reason = await L.withTimeout(st.closed, 5000, what);
      eq(reason, want, `${what}: wisp-js sees close reason 0x${want.toString(16)}`);
    };
    await expect('127.0.0.1', dead, 'tcp', W.reasons.refused, 'allowed port nobody listens on');
    await expect('127.0.0.1', ports.tcp_sink, 'tcp', W.reasons.blocked, 'allowed address, other port');
    await expect('10.1.2.3', ports.tcp_echo, 'tcp', W.reasons.blocked, 'address outside every rule');
    await expect('localhost', ports.tcp_sink, 'tcp', W.reasons.blocked, 'a name, port not allowed');
    await expect('127.0.0.1', ports.udp_echo, 'udp', W.reasons.blocked, 'UDP to a port not allowed');
    const st = W.stream(conn, '127.0.0.1', ports.tcp_echo);
    st.send(Buffer.from('after the failures'));
    await st.until(() => st.bytes().length >= 18, 5000, 'echo after failures');
    eq(st.bytes().toString(), 'after the failures', 'the connection still carries other streams');
    eq(await metric(proxy, 'emnet_proxy_refusals_total{reason="blocked_port"}'), 3, 'metrics: 3 blocked ports');
    eq(await metric(proxy, 'emnet_proxy_refusals_total{reason="blocked_host"}'), 1, 'metrics: 1 blocked host');
    eq(await metric(proxy, 'emnet_proxy_connect_failures_total'), 1, 'metrics: 1 refused connect');
    conn.close();
    await L.withTimeout(conn.closed, 5000, 'wisp-js connection closes');
  },

  // Version negotiation: wisp-js asks for Wisp v2 with the WebSocket
  // subprotocol "wisp-v2" and falls back to v1 (a second WebSocket) when
  // the upgrade fails; an explicit v1 client must work as well.
  async wisp_versions({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const echo = async (conn, text) => {
      const st = W.stream(conn, '127.0.0.1', ports.tcp_echo);
      st.send(Buffer.from(text));
      await st.until(() => st.bytes().length >= text.length, 5000, 'echo');
      st.s.close(W.reasons.voluntary);
      return st.bytes().toString();
    };
    const v1 = await W.connect(proxy.url('/wisp/'), { wisp_version: 1 });
    eq(v1.wisp_version, 1, 'a v1 client stays at v1');
    eq(await echo(v1, 'v1 echo'), 'v1 echo', 'v1 client: TCP echo');
    v1.close();
    await L.withTimeout(v1.closed, 5000, 'v1 connection closes');
    // Without the subprotocol the proxy speaks v1 (CONTINUE first, no
    // INFO): wisp-js, set for v2, must settle on v1 from that first packet.
    const info = await W.connect(proxy.url('/wisp/'), {}, 5000, true);
    eq([info.wisp_version, info.info_received], [1, false],
      'without the subprotocol: the proxy sends no INFO, wisp-js (set for v2) settles on v1');
    eq(Object.keys(info.server_exts), [], 'no extensions on v1');
    eq(await echo(info, 'info echo'), 'info echo', 'that client: TCP echo');
    info.close();
    await L.withTimeout(info.closed, 5000, 'v1 connection closes');
    const v2 = await W.connect(proxy.url('/wisp/'));
    eq(await echo(v2, 'default echo'), 'default echo', 'default (v2) client: TCP echo');
    eq(v2.ws.protocol, 'wisp-v2', 'the proxy accepts the subprotocol wisp-v2');
    eq(v2.wisp_version, 2, 'wisp-js and the proxy agree on Wisp v2');
    check(v2.info_received && v2.udp_enabled, "wisp-js read the proxy's INFO and its UDP extension");
    v2.close();
    await L.withTimeout(v2.closed, 5000, 'v2 connection closes');
    eq(await metric(proxy, WISP_TOTAL), 3, 'the proxy counted three Wisp connections');
  },

  // Two instances behind nginx: both take connections; one drains and
  // exits, nginx moves new connections to the other.
  async nginx({ proxyBin, testsrvBin }) {
    if (!nginxBin) throw new Error('no nginx given');
    const ports = await L.startTestsrv(testsrvBin);
    // Behind nginx every client has nginx's address: the per-address limit
    // would count them all as one.
    const conf = `allow = 127.0.0.1:${ports.tcp_echo}\nmax_connections_per_ip = 10000\n`;
    const pa = await L.startProxy(proxyBin, conf, ['--drain-timeout', '10']);
    const pb = await L.startProxy(proxyBin, conf, ['--drain-timeout', '10']);
    const ng = await nginx.start(nginxBin, [pa.port, pb.port]);
    const target = `/tcp/127.0.0.1/${ports.tcp_echo}`;

    const N = 40;
    eq(await manyEchoes(ng, target, N, 4096), N, `${N} WebSockets at once through nginx: every echo equal`);
    const a1 = await metricUntil(pa, WS_TOTAL, (v) => v > 0);
    const b1 = await metricUntil(pb, WS_TOTAL, (v) => v > 0);
    console.log(`# connections per instance: ${a1} + ${b1}`);
    check(a1 > 0 && b1 > 0, `both instances served connections (${a1} and ${b1})`);
    eq(a1 + b1, N, 'each connection was served once');
    eq((await L.httpGet(ng.port, '/metrics')).status, 404, "nginx does not expose the instances' /metrics");

    // A long-lived connection, then SIGTERM to the instance that holds it.
    const keep = L.openWs(ng.url(target));
    eq(await keep.opened, true, 'a long-lived connection opens');
    const holder = (await metricUntil(pa, 'emnet_proxy_connections', (v) => v === 1, 1000)) === 1 ? pa : pb;
    const other = holder === pa ? pb : pa;
    eq(await metric(holder, 'emnet_proxy_connections'), 1, 'one instance holds it');
    const otherBefore = await metric(other, WS_TOTAL);
    process.kill(holder.proc.pid, 'SIGTERM');
    await holder.waitLine(/event=draining/, 5000);
    const M = 10;
    eq(await manyEchoes(ng, target, M, 1024), M, `while one instance drains: ${M} new connections all work`);
    const refused = await metric(holder, 'emnet_proxy_refusals_total{reason="draining"}');
    check(refused >= 1, `nginx tried the draining instance, got 503 and went on (${refused} refused)`);
    eq(await metric(other, WS_TOTAL), otherBefore + M, `the other instance took all ${M}`);
    keep.ws.send(Buffer.from('still here'));
    await keep.until(() => keep.bytes().length >= 10, 5000, 'echo on the draining instance');
    eq(keep.bytes().toString(), 'still here', 'the open connection keeps working during the drain');
    keep.ws.close(1000);
    await keep.closed;
    const ex = await L.withTimeout(holder.exited, 8000, 'drained instance exits');
    eq(ex.code, 0, 'the drained instance exits 0 once its last connection closed');

    // The instance is gone (its port refuses): nginx still serves.
    eq(await manyEchoes(ng, target, M, 1024), M, `after it exited: ${M} new connections all work`);
    eq(await metric(other, WS_TOTAL), otherBefore + 2 * M, 'all of them on the remaining instance');

    // nginx's limit per client address (limit_conn 64), which the proxy
    // cannot apply behind it.
    const held = Array.from({ length: 64 }, () => L.openWs(ng.url(target)));
    const opened = await Promise.all(held.map((c) => c.opened));
    eq(opened.filter((o) => o === true).length, 64, '64 connections from one address are allowed');
    const extra = L.openWs(ng.url(target));
    eq(await extra.opened, 503, 'the 65th gets 503 from nginx');
    for (const c of held) c.ws.close(1000);
    await Promise.all(held.map((c) => c.closed));

    const st = await ng.stop();
    eq([st.code, st.workersLeft], [0, 0], 'nginx and its worker stop on SIGTERM');
  },

  // Wisp through nginx: wisp-js connections spread over both instances.
  async nginx_wisp({ proxyBin, testsrvBin }) {
    if (!nginxBin) throw new Error('no nginx given');
    const ports = await L.startTestsrv(testsrvBin);
    const conf = `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.udp_echo}\nwisp_credit = 8\n`;
    const pa = await L.startProxy(proxyBin, conf);
    const pb = await L.startProxy(proxyBin, conf);
    const ng = await nginx.start(nginxBin, [pa.port, pb.port]);
    // Wisp v1, so that nginx sees one upgrade per connection whatever
    // becomes of wisp-js's v2 attempt (see wisp_versions).
    const conns = [];
    for (let i = 0; i < 4; i++) conns.push(await W.connect(ng.url('/wisp/'), { wisp_version: 1 }));
    let ok = 0;
    await Promise.all(conns.map(async (conn) => {
      const data = crypto.randomBytes(512 * 1024);
      const t = W.stream(conn, '127.0.0.1', ports.tcp_echo);
      const u = W.stream(conn, '127.0.0.1', ports.udp_echo, 'udp');
      sendPieces(t, data, 16384);
      const dgram = crypto.randomBytes(1000);
      u.send(dgram);
      await t.until(() => t.bytes().length >= data.length, 20000, 'TCP echo through nginx');
      await u.until(() => u.messages.length >= 1, 5000, 'UDP echo through nginx');
      if (t.bytes().equals(data) && u.messages.length === 1 && u.messages[0].equals(dgram)) ok++;
    }));
    eq(ok, conns.length, `${conns.length} wisp-js connections through nginx: 512 KiB TCP and a datagram each, equal`);
    const a = await metric(pa, WISP_TOTAL), b = await metric(pb, WISP_TOTAL);
    console.log(`# wisp connections per instance: ${a} + ${b}`);
    check(a > 0 && b > 0, `both instances served Wisp connections (${a} and ${b})`);
    for (const conn of conns) conn.close();
    await Promise.all(conns.map((c) => L.withTimeout(c.closed, 5000, 'wisp-js connection closes')));
    const st = await ng.stop();
    eq([st.code, st.workersLeft], [0, 0], 'nginx and its worker stop on SIGTERM');
  },

  // A default wisp-js client (Wisp v2, subprotocol "wisp-v2") through nginx.
  // Whatever becomes of its upgrade, nginx must not set the instances aside
  // for other clients (max_fails=0 in nginx.conf).
  async nginx_wisp_v2({ proxyBin, testsrvBin }) {
    if (!nginxBin) throw new Error('no nginx given');
    const ports = await L.startTestsrv(testsrvBin);
    const conf = `allow = 127.0.0.1:${ports.tcp_echo}\n`;
    const pa = await L.startProxy(proxyBin, conf);
    const pb = await L.startProxy(proxyBin, conf);
    const ng = await nginx.start(nginxBin, [pa.port, pb.port]);
    let conn = null;
    try {
      conn = await W.connect(ng.url('/wisp/'));
    } catch (e) {
      check(false, 'a default wisp-js client connects through nginx: ' + e.message +
            '\n' + ng.err.filter((l) => /upstream/.test(l)).join('\n'));
    }
    if (conn) {
      eq(conn.wisp_version, 2, 'through nginx: Wisp v2');
      const st = W.stream(conn, '127.0.0.1', ports.tcp_echo);
      st.send(Buffer.from('v2 via nginx'));
      await st.until(() => st.bytes().length >= 12, 5000, 'echo');
      eq(st.bytes().toString(), 'v2 via nginx', 'through nginx: TCP echo');
      conn.close();
      await L.withTimeout(conn.closed, 5000, 'wisp-js connection closes');
    }
    const target = `/tcp/127.0.0.1/${ports.tcp_echo}`;
    eq(await manyEchoes(ng, target, 4, 100), 4, 'other clients are still served right after');
    check(!ng.err.some((l) => /temporarily disabled|no live upstreams/.test(l)), 'nginx never set an instance aside');
    const st = await ng.stop();
    eq([st.code, st.workersLeft], [0, 0], 'nginx and its worker stop on SIGTERM');
  },
};

L.run(cases);
