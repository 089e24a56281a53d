// emnet-proxy and the RFC 6455 opening handshake, and the CORS preflight of
// GET /resolve, one case per ctest:
//   node handshake_cases.js EMNET_PROXY EMNET_TESTSRV CASE
// The requests are written by hand on a TCP socket, since the ws client
// cannot send a bad key, another version, a long subprotocol list or an
// OPTIONS request. After each refusal a well-formed client must still get
// its bytes echoed through the proxy.
'use strict';
const crypto = require('crypto');
const net = require('net');
const L = require('./lib.js');
const { check, eq } = L;

const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';   // RFC 6455 1.3's example

// Whether the process logs a line matching re within a second.
function logged(proc, re) {
  return proc.waitLine(re, 1000).then(() => true, () => false);
}

// Writes text on a new connection and reads the answer: {status (the status
// line), headers (lower-case names), body, closed}. Stops at the end of a
// 101's headers, at the end of a body of content-length bytes, or when the
// server closes.
function request(port, text) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (closed) => {
      if (done) return;
      const str = buf.toString('latin1');
      const end = str.indexOf('\r\n\r\n');
      if (end < 0) {
        if (closed) { done = true; resolve({ status: null, headers: {}, body: '', closed }); }
        return;
      }
      const lines = str.slice(0, end).split('\r\n');
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        const name = l.slice(0, i).trim().toLowerCase();
        headers[name] = headers[name] === undefined ? l.slice(i + 1).trim() : headers[name] + ', ' + l.slice(i + 1).trim();
      }
      const body = str.slice(end + 4);
      const want = headers['content-length'] === undefined ? null : Number(headers['content-length']);
      const isUpgrade = / 101 /.test(lines[0]);
      const noBody = / 204 /.test(lines[0]);
      if (!closed && !isUpgrade && !noBody && (want === null || body.length < want)) return;
      done = true;
      s.destroy();
      resolve({ status: lines[0], headers, body, closed });
    };
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); finish(false); });
    s.on('close', () => finish(true));
    s.on('error', (e) => { if (!done) { done = true; reject(e); } });
    setTimeout(() => { if (!done) { done = true; s.destroy(); reject(new Error('no answer to ' + text.split('\r\n')[0])); } }, 3000);
  });
}

// An upgrade request for path with the usual headers, each replaceable
// (null leaves a header out), plus extra lines.
function upgrade(path, over = {}, extra = '') {
  const h = Object.assign({
    Host: 'proxy.test', Upgrade: 'websocket', Connection: 'Upgrade',
    'Sec-WebSocket-Key': GOOD_KEY, 'Sec-WebSocket-Version': '13',
  }, over);
  let text = `GET ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(h)) if (v !== null) text += `${k}: ${v}\r\n`;
  return text + extra + '\r\n';
}

function acceptOf(key) {
  return crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

// A well-formed client (the ws package) gets its bytes back through the proxy.
async function echoStillWorks(proxy, target, what, opts = {}) {
  const c = L.openWs(proxy.url(target), opts);
  const opened = await c.opened;
  if (opened !== true) { eq(opened, true, `${what}: a good client still opens`); return; }
  c.ws.send(Buffer.from('still here'));
  await c.until(() => c.bytes().length >= 10, 5000, 'echo');
  eq(c.bytes().toString(), 'still here', `${what}: a good client still gets its echo`);
  c.ws.close(1000);
  await c.closed;
}

async function refusals(proxy, reason) {
  const m = await L.httpGet(proxy.port, '/metrics');
  const r = m.body.match(new RegExp(`emnet_proxy_refusals_total\\{reason="${reason}"\\} (\\d+)`));
  return r ? Number(r[1]) : 0;
}

async function setup({ proxyBin, testsrvBin }, conf = '') {
  const ports = await L.startTestsrv(testsrvBin);
  const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_echo}\n${conf}`);
  return { proxy, target: `/tcp/127.0.0.1/${ports.tcp_echo}` };
}

const BAD_REQUEST = 'HTTP/1.0 400 Bad Request';   // lws answers upgrade refusals in HTTP/1.0

const cases = {
  // RFC 6455 4.2.1: Sec-WebSocket-Key is base64 of 16 bytes; Host and
  // Connection: Upgrade are required. lws would accept any key, and drops
  // the connection without a status when one of these is missing.
  async handshake_key(env) {
    const { proxy, target } = await setup(env);
    let r = await request(proxy.port, upgrade(target));
    eq(r.status, 'HTTP/1.1 101 Switching Protocols', 'a good raw handshake: 101');
    eq(r.headers['sec-websocket-accept'], acceptOf(GOOD_KEY), 'with the accept value of RFC 6455');
    const bad = {
      'a short key': { 'Sec-WebSocket-Key': 'abc' },
      '15 bytes': { 'Sec-WebSocket-Key': crypto.randomBytes(15).toString('base64') },
      '17 bytes': { 'Sec-WebSocket-Key': crypto.randomBytes(17).toString('base64') },
      'not base64': { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25j!Q==' },
      'base64url': { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25j_Q==' },
      'no padding': { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ' },
      // lws would hash the spaces too and answer a wrong Sec-WebSocket-Accept.
      'spaces after the key': { 'Sec-WebSocket-Key': GOOD_KEY + '  ' },
      'no key': { 'Sec-WebSocket-Key': null },
      'no Host': { Host: null },
      'no Connection: Upgrade': { Connection: 'keep-alive' },
    };
    for (const [what, over] of Object.entries(bad)) {
      r = await request(proxy.port, upgrade(target, over));
      eq(r.status, BAD_REQUEST, `${what}: 400`);
    }
    r = await request(proxy.port, upgrade(target, {}, `Sec-WebSocket-Key: ${GOOD_KEY}\r\n`));
    eq(r.status, BAD_REQUEST, 'two keys: 400');
    r = await request(proxy.port, upgrade(target, { Connection: 'keep-alive, Upgrade' }));
    eq(r.status, 'HTTP/1.1 101 Switching Protocols', 'Connection: keep-alive, Upgrade: 101');
    check(await logged(proxy, /event=refused .*reason=protocol .*status=400 .*detail="bad Sec-WebSocket-Key"/),
      'bad key logged as a refusal');
    check(await logged(proxy, /event=refused .*reason=protocol .*status=400 .*detail="no Host"/), 'no Host logged');
    eq(await refusals(proxy, 'protocol'), Object.keys(bad).length + 1, 'each counted as reason="protocol"');
    await echoStillWorks(proxy, target, 'after bad keys');
  },

  // RFC 6455 4.2.2 and 4.4: a version other than 13 gets 426 and the
  // version the server speaks. lws would accept any version.
  async handshake_version(env) {
    const { proxy, target } = await setup(env);
    for (const [what, v] of [['version 8', '8'], ['version 14', '14'], ['no version', null], ['"13, 8"', '13, 8']]) {
      const r = await request(proxy.port, upgrade(target, { 'Sec-WebSocket-Version': v }));
      eq(r.status, 'HTTP/1.0 426 ', `${what}: 426`);
      eq(r.headers['sec-websocket-version'], '13', `${what}: Sec-WebSocket-Version: 13`);
      eq(r.body, 'WebSocket version 13 required\n', `${what}: says so`);
    }
    check(await logged(proxy, /event=refused .*reason=protocol .*status=426 .*version=8/), 'logged with the version');
    eq(await refusals(proxy, 'protocol'), 4, 'each counted as reason="protocol"');
    let r = await request(proxy.port, upgrade(target));
    eq(r.status, 'HTTP/1.1 101 Switching Protocols', 'version 13: 101');
    r = await request(proxy.port, upgrade(target, { 'Sec-WebSocket-Version': '13  ' }));
    eq(r.status, 'HTTP/1.1 101 Switching Protocols', 'version 13 with spaces after it: 101');
    await echoStillWorks(proxy, target, 'after other versions');
  },

  // lws 4.1.6 reads the offered list into 127 bytes and each name into 64,
  // and drops the connection when it cannot; the proxy answers 400 instead.
  // The first name lws knows decides, as lws binds that one.
  async handshake_subprotocol_list(env) {
    const { proxy, target } = await setup(env);
    const offer = async (list) => request(proxy.port, upgrade(target, { 'Sec-WebSocket-Protocol': list }));
    let r = await offer('foo, binary');
    eq([r.status, r.headers['sec-websocket-protocol']], ['HTTP/1.1 101 Switching Protocols', 'binary'],
      'a short list with a known name: 101 with that name');
    const pad = (n, first) => first + ', ' + 'x'.repeat(n - first.length - 2);
    r = await offer(pad(126, 'wisp-v2'));
    eq([r.status, r.headers['sec-websocket-protocol']], ['HTTP/1.1 101 Switching Protocols', 'wisp-v2'],
      'a 126-byte list: 101');
    r = await offer('y'.repeat(62) + ', binary');
    eq(r.status, 'HTTP/1.1 101 Switching Protocols', 'a 62-byte name before a known one: 101');
    const refused = {
      'a 127-byte list': pad(127, 'binary'),
      'a 300-byte list': 'x'.repeat(292) + ', binary',
      'a 3000-byte list': 'x,'.repeat(1496) + 'binary',
      'a 63-byte name first': 'y'.repeat(63) + ', binary',
      'only unknown names': 'foo, bar',
      'a number first': '12, binary',
      'the upstream protocol first': 'emnet-upstream, binary',
    };
    for (const [what, list] of Object.entries(refused)) {
      r = await offer(list);
      eq(r.status, BAD_REQUEST, `${what}: 400, not a dropped connection`);
    }
    check(await logged(proxy, /event=refused .*reason=subprotocol .*status=400 .*detail="unreadable list \(300 bytes\)"/),
      'an unreadable list is logged with its size');
    eq(await refusals(proxy, 'subprotocol'), Object.keys(refused).length, 'each counted as reason="subprotocol"');
    await echoStillWorks(proxy, target, 'after long lists');
  },

  // OPTIONS /resolve, the preflight a browser sends before a GET carrying
  // Authorization, without credentials: answered before the bearer check.
  async resolve_preflight(env) {
    const { proxy, target } = await setup(env, 'bearer_token = s3cretT0ken\nallow_origin = https://ok.example\n');
    const preflight = (origin, extra = '') => request(proxy.port, 'OPTIONS /resolve?name=localhost HTTP/1.1\r\n' +
      'Host: proxy.test\r\n' + (origin ? `Origin: ${origin}\r\n` : '') +
      'Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\n' + extra + '\r\n');
    let r = await preflight('https://ok.example');
    eq(r.status, 'HTTP/1.1 204 ', 'allowed Origin: 204 without a token');
    eq(r.headers['access-control-allow-origin'], 'https://ok.example', 'Access-Control-Allow-Origin: the Origin');
    eq(r.headers['access-control-allow-methods'], 'GET', 'Access-Control-Allow-Methods: GET');
    eq(r.headers['access-control-allow-headers'], 'Authorization', 'Access-Control-Allow-Headers: Authorization');
    eq(r.headers['access-control-max-age'], '600', 'Access-Control-Max-Age');
    eq(r.headers.vary, 'Origin', 'Vary: Origin');
    eq(r.headers['content-length'], undefined, 'no Content-Length on a 204');
    r = await preflight('https://evil.example');
    eq([r.status, r.body], ['HTTP/1.1 403 Forbidden', '{"error":"origin"}'], 'other Origin: 403');
    eq(r.headers['access-control-allow-origin'], undefined, 'other Origin: no CORS headers');
    check(await logged(proxy, /event=refused .*path=\/resolve .*reason=origin .*status=403/), 'the 403 is logged');
    eq(await refusals(proxy, 'origin'), 1, 'and counted as reason="origin"');
    eq(await refusals(proxy, 'auth'), 0, 'no preflight is refused for the missing token');
    r = await preflight(null);
    eq([r.status, r.headers.allow, r.headers['access-control-allow-origin']], ['HTTP/1.1 204 ', 'GET, OPTIONS', undefined],
      'OPTIONS without Origin: 204 with Allow, no CORS headers');
    // The GET itself: readable by the page (Access-Control-Allow-Origin) with
    // or without the token; the preflight covers the Authorization header.
    const get = (auth) => request(proxy.port, 'GET /resolve?name=localhost HTTP/1.1\r\nHost: proxy.test\r\n' +
      'Origin: https://ok.example\r\n' + (auth ? `Authorization: ${auth}\r\n` : '') + '\r\n');
    r = await get(null);
    eq([r.status, r.body, r.headers['access-control-allow-origin']],
      ['HTTP/1.1 401 Unauthorized', '{"error":"auth"}', 'https://ok.example'], 'GET without the token: 401, readable');
    r = await get('Bearer s3cretT0ken');
    eq([r.status.split(' ')[1], r.headers['access-control-allow-origin']], ['200', 'https://ok.example'],
      'GET with the token: 200, readable');
    await echoStillWorks(proxy, target, 'after preflights', { headers: { Authorization: 'Bearer s3cretT0ken' } });
  },
};

L.run(cases);
