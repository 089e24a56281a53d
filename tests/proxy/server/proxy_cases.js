// emnet-proxy against real peers on 127.0.0.1, one case per ctest:
//   node proxy_cases.js EMNET_PROXY EMNET_TESTSRV CASE
// Each case starts its own emnet-testsrv and emnet-proxy (kernel-chosen
// ports) and stops them by PID when it ends.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const L = require('./lib.js');
const { check, eq, sleep, wisp } = L;

// Resident memory of a process, in kB.
function rss(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}

// Byte i of tests/common/pattern.h's stream (i < 2^32), what tcp_source sends.
function pattern(i) {
  let x = Math.floor(i / 4) >>> 0;
  x ^= x >>> 16; x = Math.imul(x, 0x7FEB352D) >>> 0;
  x ^= x >>> 15; x = Math.imul(x, 0x846CA68B) >>> 0;
  x ^= x >>> 16;
  return (x >>> (8 * (i & 3))) & 0xff;
}

// Whether the process logs a line matching re within a second (its stderr
// may arrive after the client saw the effect).
function logged(proc, re) {
  return proc.waitLine(re, 1000).then(() => true, () => false);
}

const CONNECT_FAILED = 'Failed to connect to downstream server';

async function echoOnce(proxy, pathq, payload, opts) {
  const c = L.openWs(proxy.url(pathq), opts);
  const opened = await c.opened;
  if (opened !== true) return { opened };
  c.ws.send(Buffer.from(payload));
  await c.until(() => c.bytes().length >= payload.length, 5000, 'echo');
  const got = c.bytes().toString();
  c.ws.close(1000);
  await c.closed;
  return { opened, got };
}

// A TCP server that sends `bytes` bytes then closes.
function talkerServer(bytes) {
  return new Promise((resolve) => {
    const s = net.createServer((sock) => {
      sock.end(Buffer.alloc(bytes, 0x61));
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const cases = {
  async websockify_token_echo({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const tokens = path.join(L.tmp(), 'tokens');
    fs.writeFileSync(tokens, `# targets\necho: 127.0.0.1:${ports.tcp_echo}\n`);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\ntoken_file = ${tokens}\n`);
    const r = await echoOnce(proxy, '/?token=echo', 'hello through a token');
    eq(r.got, 'hello through a token', 'token: bytes come back');
    const r2 = await echoOnce(proxy, '/websockify?token=echo', 'any path');
    eq(r2.got, 'any path', 'token on another path works, as in websockify');
    // A megabyte in 64 KiB messages, in order, through the proxy and back.
    const c = L.openWs(proxy.url('/?token=echo'));
    eq(await c.opened, true, 'bulk: open');
    const total = 1 << 20;
    const src = Buffer.alloc(total);
    for (let i = 0; i < total; i++) src[i] = (i * 7 + (i >> 8)) & 0xff;
    for (let off = 0; off < total; off += 65536) c.ws.send(src.subarray(off, off + 65536));
    await c.until(() => c.bytes().length >= total, 20000, '1 MiB echo');
    check(c.bytes().equals(src), 'bulk: 1 MiB comes back unchanged');
    c.ws.close(1000);
    eq((await c.closed).code, 1000, 'bulk: closed 1000');
    const bad = L.openWs(proxy.url('/?token=nope'));
    eq(await bad.opened, 404, 'unknown token: handshake refused with 404');
  },

  async websockify_path_echo({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const r = await echoOnce(proxy, `/tcp/127.0.0.1/${ports.tcp_echo}`, 'via the path');
    eq(r.got, 'via the path', '/tcp/HOST/PORT echo');
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_echo}`), {}, ['binary']);
    eq(await c.opened, true, 'subprotocol "binary" accepted');
    eq(c.ws.protocol, 'binary', 'server answers with "binary"');
    c.ws.send(Buffer.from('bin'));
    await c.until(() => c.bytes().length >= 3);
    eq(c.bytes().toString(), 'bin', 'echo with the binary subprotocol');
    c.ws.send('text frame');
    const cl = await c.closed;
    eq([cl.code, cl.reason], [1003, 'Unsupported: Text frames are not supported'], 'text frame: 1003 like websockify');
    const bad = L.openWs(proxy.url('/tcp/127.0.0.1/notaport'));
    eq(await bad.opened, 400, 'bad /tcp/ path: 400');
    const none = L.openWs(proxy.url('/elsewhere'));
    eq(await none.opened, 404, 'unknown path: 404');
    eq((await L.httpGet(proxy.port, '/index.html')).status, 404, 'plain HTTP to an unknown path: 404');
  },

  async websockify_refused({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const dead = await L.freePort();
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1/32\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${dead}`));
    eq(await c.opened, true, 'the WebSocket opens before the connect, as with websockify');
    const cl = await c.closed;
    eq([cl.code, cl.reason], [1011, CONNECT_FAILED + ': connection refused'], 'refused target: 1011');
    const r = await echoOnce(proxy, `/tcp/127.0.0.1/${ports.tcp_echo}`, 'still serving');
    eq(r.got, 'still serving', 'the proxy keeps serving others');
  },

  async websockify_target_closes({ proxyBin }) {
    const talker = await talkerServer(300000);
    const port = talker.address().port;
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${port}\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${port}`));
    eq(await c.opened, true, 'open');
    const cl = await c.closed;
    eq(c.bytes().length, 300000, 'every byte the target sent arrives before the close');
    eq([cl.code, cl.reason], [1000, 'Target closed'], 'then close 1000 "Target closed"');
    talker.close();
  },

  async websockify_target_resets({ proxyBin, testsrvBin }) {
    // tcp_end resets the connection at the byte 'R': not the 1000 of an
    // orderly end, so that the client can tell the two apart.
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_end}\n`);
    const r = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_end}`));
    eq(await r.opened, true, 'open');
    await sleep(100);   // connected to the target
    r.ws.send(Buffer.from('R'));
    const rc = await r.closed;
    eq([rc.code, rc.reason], [1011, 'Target closed: Connection reset by peer'], 'target reset: 1011');
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_end}`));
    eq(await c.opened, true, 'open');
    await sleep(100);
    c.ws.send(Buffer.from('c'));
    const cc = await c.closed;
    eq([cc.code, cc.reason], [1000, 'Target closed'], 'orderly close: 1000');
  },

  async websockify_client_closes({ proxyBin }) {
    // The client's close reaches the target as EOF, after its bytes.
    let got = Buffer.alloc(0);
    const ended = new Promise((resolve) => {
      const s = net.createServer((sock) => {
        sock.on('data', (d) => { got = Buffer.concat([got, d]); });
        sock.on('end', () => { resolve(); sock.end(); });
      });
      s.listen(0, '127.0.0.1');
      cases._srv = s;
    });
    await new Promise((r) => cases._srv.on('listening', r));
    const port = cases._srv.address().port;
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${port}\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${port}`));
    eq(await c.opened, true, 'open');
    c.ws.send(Buffer.alloc(50000, 0x62));
    c.ws.send(Buffer.alloc(50000, 0x63));
    c.ws.close(1000);
    await L.withTimeout(ended, 5000, 'target sees EOF');
    eq(got.length, 100000, 'the target got every byte, then EOF');
    cases._srv.close();
  },

  async blocked_targets({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    // Only a name rule for localhost: it resolves to loopback, which no CIDR
    // rule allows, so the name must not smuggle it in.
    const proxy = await L.startProxy(proxyBin,
      `allow = 192.0.2.1/32\nallow = 127.0.0.1:${ports.tcp_echo}\nallow = localhost:${ports.tcp_sink}\n`);
    const expect = async (target, reason, what) => {
      const c = L.openWs(proxy.url(target));
      eq(await c.opened, true, what + ': opens');
      const cl = await c.closed;
      eq([cl.code, cl.reason], [1011, CONNECT_FAILED + ': ' + reason], what);
    };
    await expect(`/tcp/10.1.2.3/${ports.tcp_echo}`, 'host not allowed', 'IP outside every rule');
    await expect(`/tcp/127.0.0.1/${ports.tcp_sink}`, 'port not allowed', 'allowed IP, other port');
    // A name whose every address is refused reads as a name that does not
    // exist (reveal_blocked_names is off); the log and metrics say why.
    await expect(`/tcp/localhost/${ports.tcp_sink}`, 'name not resolved', 'name rule, name resolves to loopback');
    // 192.0.2.1/32 has every port, so the name is looked up and its address
    // refused (127.0.0.1's rule has another port): told the same.
    await expect(`/tcp/localhost/${ports.tcp_source}`, 'name not resolved', 'name rule, other port');
    // 192.0.2.1/32 allows every port, so any name might resolve into it:
    // the name is looked up, and fails.
    await expect(`/tcp/example.invalid/${ports.tcp_source}`, 'name not resolved', 'unknown name');
    const r = await echoOnce(proxy, `/tcp/127.0.0.1/${ports.tcp_echo}`, 'others still served');
    eq(r.got, 'others still served', 'the proxy keeps serving allowed targets');
    const m = await L.httpGet(proxy.port, '/metrics');
    check(/emnet_proxy_refusals_total\{reason="blocked_host"\} 1/.test(m.body), 'metrics count blocked_host');
    check(/emnet_proxy_refusals_total\{reason="blocked_port"\} 2/.test(m.body), 'metrics count blocked_port');
    check(/emnet_proxy_refusals_total\{reason="blocked_address"\} 1/.test(m.body), 'metrics count blocked_address');
    check(await logged(proxy, /event=connect_failed .*host=localhost .*reason=blocked_address/),
      'a structured log line names the refusal');
  },

  async origin_check({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const p1 = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const target = `/tcp/127.0.0.1/${ports.tcp_echo}`;
    eq((await echoOnce(p1, target, 'x')).got, 'x', 'no Origin header: accepted');
    eq((await echoOnce(p1, target, 'x', { origin: 'http://a.example' })).opened, 403,
      'no allow_origin configured: any Origin refused with 403');
    const p2 = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow_origin = http://good.example\n`);
    eq((await echoOnce(p2, target, 'y', { origin: 'http://good.example' })).got, 'y', 'listed Origin accepted');
    eq((await echoOnce(p2, target, 'y', { origin: 'http://evil.example' })).opened, 403, 'other Origin: 403');
    check(await logged(p2, /event=refused .*reason=origin .*status=403/), 'origin refusal logged');
  },

  async subprotocols({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const url = proxy.url(`/tcp/127.0.0.1/${ports.tcp_echo}`);
    for (const [offer, want] of [[[], ''], [['binary'], 'binary'], [['wisp-v2'], 'wisp-v2'], [['x', 'binary'], 'binary']]) {
      const c = L.openWs(url, {}, offer);
      eq(await c.opened, true, `offered [${offer}]: accepted`);
      eq(c.ws.protocol, want, `offered [${offer}]: answered "${want}"`);
      c.ws.close(1000);
    }
    const bad = L.openWs(url, {}, ['x-unknown']);
    eq(await bad.opened, 400, 'only unknown subprotocols offered: 400, not a dropped connection');
    check(await logged(proxy, /event=refused .*reason=subprotocol .*status=400/), 'subprotocol refusal logged');
    const good = L.openWs(url);
    eq(await good.opened, true, 'the proxy still serves others');
    good.ws.close(1000);
  },

  async bearer_token({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nbearer_token = s3cretT0ken\n`);
    const target = `/tcp/127.0.0.1/${ports.tcp_echo}`;
    eq((await echoOnce(proxy, target, 'a')).opened, 401, 'no token: 401');
    eq((await echoOnce(proxy, target, 'a', { headers: { Authorization: 'Bearer wrong' } })).opened, 401,
      'wrong token: 401');
    eq((await echoOnce(proxy, target, 'a', { headers: { Authorization: 'Bearer s3cretT0ke' } })).opened, 401,
      'a prefix of the token: 401');
    eq((await echoOnce(proxy, target, 'a', { headers: { Authorization: 'Bearer s3cretT0ken' } })).got, 'a',
      'Authorization: Bearer accepted');
    eq((await echoOnce(proxy, target + '?access_token=s3cretT0ken', 'b')).got, 'b', 'access_token query accepted');
  },

  async limits_per_ip({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nmax_connections_per_ip = 2\nmax_message = 1024\n`);
    const target = `/tcp/127.0.0.1/${ports.tcp_echo}`;
    const a = L.openWs(proxy.url(target)), b = L.openWs(proxy.url(target));
    eq([await a.opened, await b.opened], [true, true], 'two connections from one address');
    const c = L.openWs(proxy.url(target));
    eq(await c.opened, 429, 'the third from the same address: 429');
    b.ws.close(1000);
    await b.closed;
    await sleep(100);
    const d = L.openWs(proxy.url(target));
    eq(await d.opened, true, 'after one closes, a new one is accepted');
    d.ws.send(Buffer.alloc(1024, 1));
    await d.until(() => d.bytes().length >= 1024);
    check(true, 'a message of exactly max_message passes');
    d.ws.send(Buffer.alloc(1025, 1));
    const cl = await d.closed;
    eq([cl.code, cl.reason], [1009, 'Message too big'], 'a message over max_message: 1009');
    a.ws.close(1000);
    await a.closed;
    const m = await L.httpGet(proxy.port, '/metrics');
    check(/refusals_total\{reason="max_connections_per_ip"\} 1/.test(m.body), 'per-ip refusal counted');
    check(/refusals_total\{reason="max_message"\} 1/.test(m.body), 'max_message refusal counted');
    const p2 = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nmax_connections = 1\n`);
    const e = L.openWs(p2.url(target));
    eq(await e.opened, true, 'max_connections 1: first accepted');
    eq(await L.openWs(p2.url(target)).opened, 503, 'max_connections 1: second gets 503');
    e.ws.close(1000);
  },

  async metrics_endpoint({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    await echoOnce(proxy, `/tcp/127.0.0.1/${ports.tcp_echo}`, '12345');
    await sleep(100);
    const m = await L.httpGet(proxy.port, '/metrics');
    eq(m.status, 200, 'GET /metrics from loopback: 200');
    for (const re of [/^emnet_proxy_connections 0$/m, /^emnet_proxy_connections_total\{mode="websockify"\} 1$/m,
      /^emnet_proxy_streams_total\{type="tcp"\} 1$/m, /^emnet_proxy_bytes_total\{direction="to_target"\} 5$/m,
      /^emnet_proxy_bytes_total\{direction="to_client"\} 5$/m, /^emnet_proxy_resolve_failures_total 0$/m,
      /^# TYPE emnet_proxy_refusals_total counter$/m])
      check(re.test(m.body), 'metrics has ' + re.source);
    const p2 = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nmetrics_allow = 10.0.0.0/8\n`);
    eq((await L.httpGet(p2.port, '/metrics')).status, 403, 'client outside metrics_allow: 403');
    const p3 = await L.startProxy(proxyBin, `metrics = off\n`);
    eq((await L.httpGet(p3.port, '/metrics')).status, 404, 'metrics off: 404');
  },

  async wisp_tcp({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nwisp_credit = 4\n`);
    const c = L.openWs(proxy.url('/wisp/'), {}, ['wisp-v2']);
    eq(await c.opened, true, 'open /wisp/ offering wisp-v2');
    eq(c.ws.protocol, 'wisp-v2', 'the proxy selects wisp-v2');
    await c.until(() => c.messages.length >= 1);
    const first = wisp.parse(c.messages[0]);
    eq([first.type, first.id, first.payload[0], first.payload[1]], [5, 0, 2, 0],
      'first packet: INFO version 2.0 (a v2 server)');
    eq(first.payload.subarray(2).toString('hex'), '01000000000500000000e000000000e100000000e200000000e300000000e400000000',
      'INFO lists the UDP (0x01) and stream confirmation (0x05) extensions, and emnet\'s half-close (0xe0), reset (0xe1), receive credit (0xe2), UDP sockets (0xe3) and packed messages (0xe4)');
    await sleep(300);
    eq(c.messages.length, 1, 'no CONTINUE before the client\'s INFO');
    c.ws.send(wisp.info(2, 0));
    await c.until(() => c.messages.length >= 2);
    const second = wisp.parse(c.messages[1]);
    eq([second.type, second.id, second.remaining], [3, 0, 4], 'after the client\'s INFO: CONTINUE on stream 0 with wisp_credit');
    c.ws.send(wisp.connect(1, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.connect(2, 1, ports.tcp_echo, '127.0.0.1'));
    const n = 12;
    for (let i = 0; i < n; i++) {
      c.ws.send(wisp.data(1, `one-${i};`));
      c.ws.send(wisp.data(2, `two-${i};`));
    }
    const streamBytes = (id) => Buffer.concat(c.messages.map(wisp.parse).filter((p) => p.type === 2 && p.id === id)
      .map((p) => p.payload)).toString();
    const want1 = Array.from({ length: n }, (_, i) => `one-${i};`).join('');
    const want2 = Array.from({ length: n }, (_, i) => `two-${i};`).join('');
    await c.until(() => streamBytes(1).length >= want1.length && streamBytes(2).length >= want2.length, 5000,
      'both echoes');
    eq(streamBytes(1), want1, 'stream 1 echo, in order');
    eq(streamBytes(2), want2, 'stream 2 echo, in order');
    const conts = c.messages.map(wisp.parse).filter((p) => p.type === 3 && p.id === 1);
    check(conts.length >= 1, `CONTINUE sent for stream 1 as its packets drained (${conts.length})`);
    check(conts.every((p) => p.remaining <= 4 && p.remaining >= 1), 'CONTINUE credit within 1..wisp_credit');
    c.ws.send(wisp.close(1, 2));
    await sleep(100);
    c.ws.send(wisp.data(2, 'after'));
    await c.until(() => streamBytes(2).endsWith('after'));
    check(true, 'closing stream 1 leaves stream 2 working');
    c.ws.send(wisp.close(0, 2));
    const cl = await c.closed;
    eq(cl.code, 1000, 'CLOSE on stream 0 ends the connection with 1000');
  },

  // Wisp v1: a client that offers no subprotocol gets CONTINUE on stream 0
  // as its very first packet and never an INFO; TCP and UDP both work.
  async wisp_v1_handshake({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.udp_echo}\nwisp_credit = 8\n`);
    const c = L.openWs(proxy.url('/wisp/'));
    eq(await c.opened, true, 'open /wisp/ without a subprotocol');
    eq(c.ws.protocol, '', 'no subprotocol selected');
    await c.until(() => c.messages.length >= 1);
    const first = wisp.parse(c.messages[0]);
    eq([first.type, first.id, first.remaining], [3, 0, 8], 'first packet: CONTINUE on stream 0 with wisp_credit');
    c.ws.send(wisp.connect(1, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(1, 'tcp bytes'));
    c.ws.send(wisp.connect(2, 2, ports.udp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(2, 'a datagram'));
    const on = (id) => c.messages.map(wisp.parse).filter((p) => p.type === 2 && p.id === id)
      .map((p) => p.payload.toString()).join('');
    await c.until(() => on(1) === 'tcp bytes' && on(2) === 'a datagram', 5000, 'echoes');
    check(true, 'TCP and UDP echo over Wisp v1');
    // An INFO from a v1 client is out of place: counted, ignored.
    c.ws.send(wisp.info(2, 0));
    c.ws.send(wisp.data(1, ' more'));
    await c.until(() => on(1) === 'tcp bytes more', 5000, 'echo after INFO');
    check(!c.messages.map(wisp.parse).some((p) => p.type === 5), 'no INFO ever sent to a v1 client');
    check(await logged(proxy, /event=wisp_protocol_error .*error=info_unexpected .*action=ignored/),
      'an INFO from a v1 client is logged and ignored');
    c.ws.close(1000);
    await c.closed;
  },

  // A client that offered wisp-v2 but does not answer INFO with INFO: the
  // protocol has the server take it for v1 until an INFO comes.
  async wisp_v2_no_info({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const c = L.openWs(proxy.url('/wisp/'), {}, ['wisp-v2']);
    eq(await c.opened, true, 'open offering wisp-v2');
    await c.until(() => c.messages.length >= 1);
    eq(wisp.parse(c.messages[0]).type, 5, 'INFO first');
    c.ws.send(wisp.connect(3, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(3, 'no info'));
    const parsed = () => c.messages.map(wisp.parse);
    await c.until(() => parsed().some((p) => p.type === 2 && p.id === 3), 5000, 'echo');
    const second = parsed()[1];
    eq([second.type, second.id], [3, 0], 'CONNECT instead of INFO: CONTINUE on stream 0, then the stream works');
    eq(parsed().filter((p) => p.type === 2 && p.id === 3).map((p) => p.payload.toString()).join(''), 'no info',
      'echo on the stream');
    // A malformed INFO as the first packet: CLOSE 0x04 on stream 0, then 1002.
    const d = L.openWs(proxy.url('/wisp/'), {}, ['wisp-v2']);
    eq(await d.opened, true, 'second client');
    await d.until(() => d.messages.length >= 1);
    d.ws.send(Buffer.from([5, 0, 0, 0, 0, 2, 0, 1, 9, 0, 0, 0]));
    const cl = await d.closed;
    const closes = d.messages.map(wisp.parse).filter((p) => p.type === 4);
    eq(closes.map((p) => [p.id, p.reason]), [[0, 0x04]], 'malformed extension list: CLOSE 0x04 on stream 0');
    eq([cl.code, cl.reason], [1002, 'Wisp handshake refused: bad_extension'], 'then WebSocket close 1002');
    check(!d.messages.map(wisp.parse).some((p) => p.type === 3), 'no CONTINUE for a refused INFO');
    c.ws.close(1000);
    await c.closed;
  },

  async wisp_udp({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.udp_echo}\n`);
    const c = L.openWs(proxy.url('/wisp'));
    eq(await c.opened, true, 'open /wisp');
    c.ws.send(wisp.connect(7, 2, ports.udp_echo, '127.0.0.1'));
    for (let i = 0; i < 3; i++) c.ws.send(wisp.data(7, `datagram ${i}`));
    const dgrams = () => c.messages.map(wisp.parse).filter((p) => p.type === 2 && p.id === 7)
      .map((p) => p.payload.toString());
    await c.until(() => dgrams().length >= 3);
    eq(dgrams().sort(), ['datagram 0', 'datagram 1', 'datagram 2'], 'each DATA is one datagram each way');
    check(!c.messages.map(wisp.parse).some((p) => p.type === 3 && p.id === 7), 'no CONTINUE on a UDP stream');
    // By name: the datagrams sent while the name resolves are not lost.
    c.ws.send(wisp.connect(8, 2, ports.udp_echo, 'localhost'));
    c.ws.send(wisp.data(8, 'early 1'));
    c.ws.send(wisp.data(8, 'early 2'));
    const early = () => c.messages.map(wisp.parse).filter((p) => p.type === 2 && p.id === 8)
      .map((p) => p.payload.toString());
    await c.until(() => early().length >= 2, 5000, 'early datagrams');
    eq(early().sort(), ['early 1', 'early 2'], 'datagrams sent before the name resolved are delivered');
    c.ws.close(1000);
    await c.closed;
    const m = await L.httpGet(proxy.port, '/metrics');
    check(/streams_total\{type="udp"\} 2/.test(m.body), 'udp streams counted');
  },

  async wisp_failures({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const dead = await L.freePort();
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${dead}\nallow = localhost:${ports.tcp_sink}\n` +
      `allow = nonexistent.invalid:80\nmax_streams = 3\n`);
    const c = L.openWs(proxy.url('/wisp/'));
    eq(await c.opened, true, 'open');
    const closeOf = (id) => c.messages.map(wisp.parse).find((p) => p.type === 4 && p.id === id);
    const expectClose = async (id, reason, what) => {
      await c.until(() => closeOf(id), 8000, what);
      eq(closeOf(id).reason, reason, what);
    };
    c.ws.send(wisp.connect(10, 1, ports.tcp_sink, '127.0.0.1'));
    await expectClose(10, 0x48, 'port not allowed: CLOSE 0x48');
    c.ws.send(wisp.connect(11, 1, ports.tcp_sink, 'localhost'));
    await expectClose(11, 0x42, 'name resolving to loopback without a CIDR rule: CLOSE 0x42, as a name that does not exist');
    c.ws.send(wisp.connect(12, 1, dead, '127.0.0.1'));
    await expectClose(12, 0x44, 'refused: CLOSE 0x44');
    c.ws.send(wisp.connect(13, 1, 80, 'nonexistent.invalid'));
    await expectClose(13, 0x42, 'name that does not resolve: CLOSE 0x42');
    c.ws.send(wisp.connect(20, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.connect(21, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.connect(22, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.connect(23, 1, ports.tcp_echo, '127.0.0.1'));
    await expectClose(23, 0x49, 'over max_streams: CLOSE 0x49');
    check(!closeOf(22), 'the streams within max_streams stay open');
    c.ws.send(wisp.data(22, 'alive'));
    await c.until(() => c.messages.map(wisp.parse).some((p) => p.type === 2 && p.id === 22));
    check(true, 'and still carry data');
    c.ws.close(1000);
    await c.closed;
    const m = await L.httpGet(proxy.port, '/metrics');
    check(/refusals_total\{reason="max_streams"\} 1/.test(m.body), 'max_streams refusal counted');
    check(/resolve_failures_total 1/.test(m.body), 'resolve failure counted');
  },

  async wisp_flow_control({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    let peer;
    const srv = await new Promise((resolve) => {
      const s = net.createServer((sock) => { peer = sock; sock.pause(); });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = srv.address().port;
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${port}\nallow = 127.0.0.1:${ports.tcp_source}\nbuffer = 65536\nwisp_credit = 16\n`);
    const c = L.openWs(proxy.url('/wisp/'));
    eq(await c.opened, true, 'open');
    // Target -> client: a source the client stops reading.
    c.ws.send(wisp.connect(1, 1, ports.tcp_source, '127.0.0.1'));
    const srcBytes = () => c.messages.map(wisp.parse).filter((p) => p.type === 2 && p.id === 1)
      .reduce((n, p) => n + p.payload.length, 0);
    await c.until(() => srcBytes() > 100000, 5000, 'source data');
    // Client -> target: a client that ignores credit, to a target that does not read.
    c.ws.send(wisp.connect(2, 1, port, '127.0.0.1'));
    await sleep(200);
    c.ws._socket.pause();
    const chunk = Buffer.alloc(32768, 0x33);
    for (let i = 0; i < 800; i++) c.ws.send(wisp.data(2, chunk));   // 25 MiB, far past the credit
    await sleep(300);
    const rss0 = rss(proxy.proc.pid);
    await sleep(1500);
    const rss1 = rss(proxy.proc.pid);
    check(rss1 - rss0 < 20 * 1024, `proxy memory bounded both ways (+${rss1 - rss0} kB)`);
    check(c.ws.bufferedAmount > 8 * 1024 * 1024, `the client's extra packets wait on its side (${c.ws.bufferedAmount})`);
    c.ws._socket.resume();
    let got = 0;
    peer.on('data', (d) => { got += d.length; });
    peer.resume();
    await L.withTimeout((async () => { while (got < 800 * 32768) await sleep(50); })(), 20000, 'all bytes');
    eq(got, 800 * 32768, 'every byte reaches the target once it reads');
    const conts = c.messages.map(wisp.parse).filter((p) => p.type === 3 && p.id === 2);
    check(conts.length > 0 && conts.every((p) => p.remaining <= 16), `CONTINUEs for stream 2 (${conts.length}), none above the credit`);
    check(!c.messages.map(wisp.parse).some((p) => p.type === 4), 'no stream was closed');
    c.ws.close(1000);
    await c.closed;
    peer.destroy();
    srv.close();
  },

  async wisp_malformed({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const fresh = async () => {
      const c = L.openWs(proxy.url('/wisp/'));
      eq(await c.opened, true, 'open');
      await c.until(() => c.messages.length >= 1);
      return c;
    };
    const fatal = async (bytes, reason, what, more = 0) => {
      const c = await fresh();
      c.ws.send(bytes);
      for (let i = 0; i < more; i++) c.ws.send(wisp.data(1, 'behind the bad packet'));
      const cl = await c.closed;
      eq([cl.code, cl.reason], [1002, 'Wisp protocol error: ' + reason], what);
    };
    await fatal(Buffer.from([2, 1, 0]), 'short', 'shorter than the header: close 1002');
    // Packets the client sent behind the bad one are read and dropped while
    // the close handshake runs: the close frame still arrives.
    await fatal(Buffer.from([2, 1, 0]), 'short', 'bad packet, then more: still close 1002', 8);
    await fatal(wisp.connect(0, 1, ports.tcp_echo, '127.0.0.1'), 'bad_stream_id', 'CONNECT on stream 0: close 1002');
    await fatal(wisp.data(0, 'x'), 'bad_stream_id', 'DATA on stream 0: close 1002');

    const c = await fresh();
    const packets = () => c.messages.map(wisp.parse);
    const closeOf = (id) => packets().find((p) => p.type === 4 && p.id === id);
    c.ws.send(wisp.connect(5, 1, 0, '127.0.0.1'));
    await c.until(() => closeOf(5));
    eq(closeOf(5).reason, 0x41, 'CONNECT to port 0: CLOSE 0x41');
    c.ws.send(wisp.connect(6, 3, ports.tcp_echo, '127.0.0.1'));
    await c.until(() => closeOf(6));
    eq(closeOf(6).reason, 0x41, 'CONNECT with stream type 3: CLOSE 0x41');
    c.ws.send(Buffer.from([1, 8, 0, 0, 0, 1]));
    await c.until(() => closeOf(8));
    eq(closeOf(8).reason, 0x41, 'CONNECT too short: CLOSE 0x41');
    c.ws.send(Buffer.from([0x09, 1, 0, 0, 0, 1, 2, 3]));
    c.ws.send(wisp.data(99, 'no such stream'));
    c.ws.send(wisp.connect(9, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(9, 'ping'));
    await c.until(() => packets().some((p) => p.type === 2 && p.id === 9));
    check(!closeOf(99), 'DATA before CONNECT: ignored, no CLOSE');
    check(true, 'unknown packet type: ignored, the connection goes on');
    c.ws.send(wisp.connect(9, 1, ports.tcp_echo, '127.0.0.1'));
    await c.until(() => closeOf(9));
    eq(closeOf(9).reason, 0x41, 'CONNECT on an id in use: CLOSE 0x41');
    c.ws.send('a text frame');
    const cl = await c.closed;
    eq(cl.code, 1003, 'text frame: close 1003');
    check(await logged(proxy, /event=wisp_protocol_error .*error=bad_port .*action=close_0x41/),
      'protocol errors are logged');
  },

  async sigterm_drain({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`, ['--drain-timeout', '5']);
    const target = `/tcp/127.0.0.1/${ports.tcp_echo}`;
    const c = L.openWs(proxy.url(target));
    eq(await c.opened, true, 'open before SIGTERM');
    process.kill(proxy.proc.pid, 'SIGTERM');
    await proxy.waitLine(/event=draining/);
    eq(await L.openWs(proxy.url(target)).opened, 503, 'new connections while draining: 503');
    c.ws.send(Buffer.from('still here'));
    await c.until(() => c.bytes().length >= 10);
    eq(c.bytes().toString(), 'still here', 'open connections keep working while draining');
    c.ws.close(1000);
    const ex = await L.withTimeout(proxy.exited, 5000, 'exit after the last connection');
    eq([ex.code, ex.sig], [0, null], 'exits 0 once the last connection closed');

    const p2 = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`, ['--drain-timeout', '1']);
    const d = L.openWs(p2.url(target));
    eq(await d.opened, true, 'open (second proxy)');
    const t0 = Date.now();
    process.kill(p2.proc.pid, 'SIGTERM');
    const cl = await d.closed;
    eq([cl.code, cl.reason], [1001, 'Server shutting down'], 'after the drain timeout: close 1001');
    const ex2 = await L.withTimeout(p2.exited, 5000, 'exit after the drain timeout');
    eq([ex2.code, ex2.sig], [0, null], 'and exits 0');
    check(Date.now() - t0 < 4000, 'within the drain timeout plus a little');
  },

  async sighup_reload({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n`);
    const echo = `/tcp/127.0.0.1/${ports.tcp_echo}`;
    const other = `/tcp/127.0.0.1/${ports.tcp_source}`;
    const keep = L.openWs(proxy.url(echo));
    eq(await keep.opened, true, 'a connection open across reloads');
    let o = L.openWs(proxy.url(other));
    await o.opened;
    eq((await o.closed).code, 1011, 'before reload: the other port is refused');
    fs.writeFileSync(proxy.conf, `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.tcp_source}\n`);
    process.kill(proxy.proc.pid, 'SIGHUP');
    await proxy.waitLine(/event=reloaded .*rules=2/);
    o = L.openWs(proxy.url(other));
    eq(await o.opened, true, 'after reload: open');
    await o.until(() => o.bytes().length > 1000);
    check(true, 'after reload: the newly allowed target sends data');
    o.ws.close(1000);
    fs.writeFileSync(proxy.conf, `allow = this is not a rule\n`);
    process.kill(proxy.proc.pid, 'SIGHUP');
    await proxy.waitLine(/event=reload_failed/);
    o = L.openWs(proxy.url(other));
    eq(await o.opened, true, 'bad file: open');
    await o.until(() => o.bytes().length > 0);
    check(true, 'bad file: the previous rules stay in force');
    o.ws.close(1000);
    keep.ws.send(Buffer.from('survived'));
    await keep.until(() => keep.bytes().length >= 8);
    eq(keep.bytes().toString(), 'survived', 'the connection opened before both reloads still works');
    keep.ws.close(1000);
  },

  async idle_timeout({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nidle_timeout = 1\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_echo}`));
    eq(await c.opened, true, 'open');
    const t0 = Date.now();
    const cl = await L.withTimeout(c.closed, 4000, 'idle close');
    eq([cl.code, cl.reason], [1001, 'Idle timeout'], 'no traffic for idle_timeout: close 1001');
    const dt = Date.now() - t0;
    check(dt >= 900 && dt < 4000, `after about a second (${dt} ms)`);
  },

  async flow_control_to_client({ proxyBin, testsrvBin }) {
    // tcp_source sends without end; a client that stops reading must stop
    // the proxy reading the target, not make it buffer without bound.
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_source}\nbuffer = 65536\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_source}`));
    eq(await c.opened, true, 'open');
    await c.until(() => c.bytes().length > 100000);
    c.ws._socket.pause();
    await sleep(300);
    const rss0 = rss(proxy.proc.pid);
    await sleep(1500);
    const rss1 = rss(proxy.proc.pid);
    check(rss1 - rss0 < 20 * 1024, `proxy memory bounded while the client does not read (+${rss1 - rss0} kB)`);
    const before = c.bytes().length;
    c.ws._socket.resume();
    await c.until(() => c.bytes().length > before + 4 * 1024 * 1024, 10000, 'data again');
    const all = c.bytes();
    let ok = true;
    for (let i = 0; i < all.length && ok; i += 4093) ok = all[i] === pattern(i);
    check(ok, 'reading resumes, and the stream is the source pattern without a gap');
    c.ws.close(1000);
    await c.closed;
  },

  async flow_control_to_target({ proxyBin }) {
    // A target that does not read: the proxy must stop reading the client.
    let peer;
    const srv = await new Promise((resolve) => {
      const s = net.createServer((sock) => { peer = sock; sock.pause(); });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = srv.address().port;
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${port}\nbuffer = 65536\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${port}`));
    eq(await c.opened, true, 'open');
    const chunk = Buffer.alloc(32768, 0x5a);
    const rss0 = rss(proxy.proc.pid);
    for (let i = 0; i < 1200; i++) c.ws.send(chunk);   // ~38 MiB offered
    await sleep(1500);
    const rss1 = rss(proxy.proc.pid);
    check(c.ws.bufferedAmount > 16 * 1024 * 1024, `the client is held back (${c.ws.bufferedAmount} bytes unsent)`);
    check(rss1 - rss0 < 20 * 1024, `proxy memory bounded while the target does not read (+${rss1 - rss0} kB)`);
    let got = 0;
    peer.on('data', (d) => { got += d.length; });
    peer.resume();
    await L.withTimeout((async () => { while (got < 1200 * 32768) await sleep(50); })(), 20000, 'all bytes');
    eq(got, 1200 * 32768, 'once the target reads, every byte arrives');
    c.ws.close(1000);
    await c.closed;
    peer.destroy();
    srv.close();
  },

  async tls_echo({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const dir = L.tmp();
    const key = path.join(dir, 'key.pem'), cert = path.join(dir, 'cert.pem');
    const gen = L.startProcess('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out',
      cert, '-days', '1', '-subj', '/CN=127.0.0.1']);
    eq((await gen.exited).code, 0, 'self-signed certificate made');
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\ntls_cert = ${cert}\ntls_key = ${key}\n`);
    const c = L.openWs(`wss://127.0.0.1:${proxy.port}/tcp/127.0.0.1/${ports.tcp_echo}`, { rejectUnauthorized: false });
    eq(await c.opened, true, 'wss open');
    c.ws.send(Buffer.from('over tls'));
    await c.until(() => c.bytes().length >= 8);
    eq(c.bytes().toString(), 'over tls', 'echo over wss');
    c.ws.close(1000);
    await c.closed;
  },

  async connect_timeout({ proxyBin }) {
    // A listener with a full accept queue drops further SYNs, so a connect
    // to it neither succeeds nor fails: it times out.
    const silent = await L.silentTarget();
    const port = silent.port;
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${port}\nconnect_timeout = 1\n`);
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${port}`));
    eq(await c.opened, true, 'open');
    const t0 = Date.now();
    const cl = await L.withTimeout(c.closed, 5000, 'connect timeout');
    eq([cl.code, cl.reason], [1011, CONNECT_FAILED + ': timed out'], 'no answer within connect_timeout: 1011');
    const dt = Date.now() - t0;
    check(dt >= 900 && dt < 4000, `after about connect_timeout (${dt} ms)`);
    const w = L.openWs(proxy.url('/wisp/'));
    eq(await w.opened, true, 'wisp open');
    w.ws.send(wisp.connect(3, 1, port, '127.0.0.1'));
    await w.until(() => w.messages.map(wisp.parse).some((p) => p.type === 4 && p.id === 3), 5000, 'wisp CLOSE');
    eq(w.messages.map(wisp.parse).find((p) => p.type === 4 && p.id === 3).reason, 0x43, 'Wisp: CLOSE 0x43');
    w.ws.close(1000);
    await w.closed;
    silent.stop();
  },

  async client_gone_during_resolve({ proxyBin, testsrvBin }) {
    // Clients that leave while their target's name is being looked up: the
    // lookup is abandoned (and freed when it completes), nothing else is
    // touched. ASan checks the memory side when the proxy exits.
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = *.invalid:80\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    const all = [];
    for (let i = 0; i < 20; i++) {
      const w = L.openWs(proxy.url('/wisp/'));
      all.push(w.opened.then(() => {
        for (let j = 1; j <= 5; j++) w.ws.send(wisp.connect(j, 1, 80, `n${i}-${j}.invalid`));
        w.ws.terminate();
      }));
      const t = L.openWs(proxy.url(`/tcp/t${i}.invalid/80`));
      all.push(t.opened.then(() => t.ws.terminate()));
    }
    await Promise.all(all);
    await sleep(1500);
    const r = await echoOnce(proxy, `/tcp/127.0.0.1/${ports.tcp_echo}`, 'after the storm');
    eq(r.got, 'after the storm', 'the proxy still serves');
    const m = await L.httpGet(proxy.port, '/metrics');
    check(/^emnet_proxy_connections 0$/m.test(m.body), 'no connection left behind');
  },

  async json_logs({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\nlog_format = json\n`);
    await echoOnce(proxy, `/tcp/127.0.0.1/${ports.tcp_echo}`, 'j');
    const denied = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_sink}`));
    eq((await denied.closed).code, 1011, 'a port not allowed');
    await proxy.waitLine(/"event":"connect_failed"/, 3000);
    let parsed = 0, bad = [];
    for (const l of proxy.err) {
      try { JSON.parse(l); parsed++; } catch (e) { bad.push(l); }
    }
    check(bad.length === 0 && parsed >= 4, `every log line is one JSON object (${parsed} lines)` + bad.join('\n'));
    const open = proxy.err.map((l) => JSON.parse(l)).find((o) => o.event === 'open');
    eq([open.level, open.client, open.mode, open.target], ['info', '127.0.0.1', 'websockify',
      `127.0.0.1:${ports.tcp_echo}`], 'the open event carries its fields');
    const refused = proxy.err.map((l) => JSON.parse(l)).find((o) => o.event === 'connect_failed');
    eq(refused.reason, 'blocked_port', 'the refusal carries its reason');
  },

  async check_config({ proxyBin }) {
    const good = path.join(L.tmp(), 'good.conf');
    fs.writeFileSync(good, 'allow = 10.0.0.0/8:6667\nmax_streams = 7\n');
    let p = L.startProcess(proxyBin, ['--config', good, '--check-config', '--max-message', '4096']);
    let ex = await p.exited;
    eq(ex.code, 0, '--check-config on a good file: exit 0');
    check(p.out.some((l) => l === 'max_streams = 7'), 'prints the file\'s values');
    check(p.out.some((l) => l === 'max_message = 4096'), 'flags override the file');
    const bad = path.join(L.tmp(), 'bad.conf');
    fs.writeFileSync(bad, 'no_such_key = 1\n');
    p = L.startProcess(proxyBin, ['--config', bad, '--check-config']);
    ex = await p.exited;
    eq(ex.code, 1, '--check-config on a bad file: exit 1');
    check(await logged(p, /bad\.conf:1/), 'the message names file and line');
    p = L.startProcess(proxyBin, ['--version']);
    ex = await p.exited;
    check(ex.code === 0 && /^emnet-proxy /.test(p.out[0] || ''), '--version');
  },

  async listen_ipv4_only({ proxyBin }) {
    const proxy = await L.startProxy(proxyBin, '');
    const v6 = await new Promise((resolve) => {
      const s = net.connect({ host: '::1', port: proxy.port }, () => { s.destroy(); resolve('connected'); });
      s.on('error', (e) => resolve(e.code));
    });
    check(v6 !== 'connected', `127.0.0.1 listen does not also listen on IPv6 (${v6})`);
    eq((await L.httpGet(proxy.port, '/')).status, 404, 'IPv4 works');
  },
};

L.run(cases);
