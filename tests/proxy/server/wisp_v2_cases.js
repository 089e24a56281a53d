// Wisp v2 in emnet-proxy: the INFO exchange and its extensions (UDP 0x01,
// password 0x02, MOTD 0x04, stream confirmation 0x05), and what a client
// that gets them wrong is told. Every client here offers the subprotocol
// "wisp-v2"; the v1 handshake is in proxy_cases.js (wisp_v1_handshake).
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const L = require('./lib');
const { check, eq, sleep, wisp } = L;

const EXT = { udp: 1, password: 2, motd: 4, confirm: 5, halfClose: 0xe0, reset: 0xe1, credit: 0xe2, udpSockets: 0xe3, packed: 0xe4 };

function logged(proc, re) {
  return proc.waitLine(re, 1000).then(() => true, () => false);
}

const { metric } = L;

// A v2 client up to the server's INFO: {c, info (parsed)}.
async function v2Client(proxy) {
  const c = L.openWs(proxy.url('/wisp/'), {}, ['wisp-v2']);
  eq(await c.opened, true, 'open offering wisp-v2');
  await c.until(() => c.messages.length >= 1, 5000, 'INFO');
  const first = wisp.parse(c.messages[0]);
  eq([first.type, first.id], [5, 0], 'first packet: INFO on stream 0');
  return { c, info: wisp.parseInfo(c.messages[0]) };
}

const packets = (c) => c.messages.map(wisp.parse);
const dataOf = (c, id) => packets(c).filter((p) => p.type === 2 && p.id === id).map((p) => p.payload.toString()).join('');
const closeOf = (c, id) => packets(c).find((p) => p.type === 4 && p.id === id);
const continuesOf = (c, id) => packets(c).filter((p) => p.type === 3 && p.id === id);

// After the client's INFO: the CONTINUE on stream 0 that opens the connection.
async function ready(c) {
  await c.until(() => continuesOf(c, 0).length >= 1, 5000, 'CONTINUE on stream 0');
}

// A password-protected proxy: wisp_user and a password file.
async function passwordProxy(proxyBin, ports) {
  const file = path.join(L.tmp(), 'wisp-password');
  fs.writeFileSync(file, 'open sesame\n');
  return L.startProxy(proxyBin,
    `allow = 127.0.0.1:${ports.tcp_echo}\nwisp_user = alix\nwisp_password_file = ${file}\n`);
}

// The handshake was refused: CLOSE reason on stream 0, then WebSocket code.
async function refused(c, reason, code, what) {
  const cl = await L.withTimeout(c.closed, 5000, 'close');
  const closes = packets(c).filter((p) => p.type === 4);
  eq(closes.map((p) => [p.id, p.reason]), [[0, reason]], `${what}: CLOSE 0x${reason.toString(16)} on stream 0`);
  eq(cl.code, code, `${what}: then WebSocket close ${code}`);
  check(continuesOf(c, 0).length === 0, `${what}: no CONTINUE on stream 0`);
  return cl;
}

const cases = {
  // INFO lists UDP and stream confirmation (and MOTD when configured); the
  // MOTD arrives byte for byte; UDP streams need the client's UDP entry.
  async wisp_v2_extensions({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const motd = 'Welcome \u20ac: be nice';
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.udp_echo}\nwisp_motd = ${motd}\nwisp_credit = 8\n`);
    const { c, info } = await v2Client(proxy);
    eq([info.major, info.minor], [2, 0], 'INFO version 2.0');
    eq(info.exts.map(([id]) => id),
       [EXT.udp, EXT.motd, EXT.confirm, EXT.halfClose, EXT.reset, EXT.credit, EXT.udpSockets, EXT.packed],
       'extensions: UDP, MOTD, stream confirmation, half-close, reset, receive credit, UDP sockets, packed messages');
    eq(info.exts[1][1].toString(), motd, 'the MOTD, as configured (UTF-8)');
    check(info.exts[0][1].length === 0 && info.exts[2][1].length === 0, 'UDP and confirmation carry no payload');
    await sleep(200);
    eq(c.messages.length, 1, 'nothing more until the client answers');
    // The client lists UDP (and an extension the server does not know).
    c.ws.send(wisp.infoWith(2, 0, [[EXT.udp], [0x7e, 'unknown'], [EXT.motd]]));
    await ready(c);
    eq(continuesOf(c, 0)[0].remaining, 8, 'CONTINUE on stream 0 with wisp_credit');
    c.ws.send(wisp.connect(1, 2, ports.udp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(1, 'a datagram'));
    c.ws.send(wisp.connect(2, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(2, 'tcp'));
    await c.until(() => dataOf(c, 1) === 'a datagram' && dataOf(c, 2) === 'tcp', 5000, 'echoes');
    check(true, 'UDP negotiated: UDP and TCP echo');
    check(continuesOf(c, 2).length === 0, 'no confirmation when the client did not list 0x05');
    c.ws.close(1000);
    await c.closed;

    // Without the client's UDP entry, a UDP CONNECT is invalid.
    const d = (await v2Client(proxy)).c;
    d.ws.send(wisp.infoWith(2, 0, []));
    await ready(d);
    d.ws.send(wisp.connect(3, 2, ports.udp_echo, '127.0.0.1'));
    d.ws.send(wisp.data(3, 'dropped'));
    d.ws.send(wisp.connect(4, 1, ports.tcp_echo, '127.0.0.1'));
    d.ws.send(wisp.data(4, 'still fine'));
    await d.until(() => closeOf(d, 3) && dataOf(d, 4) === 'still fine', 5000, 'CLOSE and echo');
    eq(closeOf(d, 3).reason, 0x41, 'UDP CONNECT without the UDP extension: CLOSE 0x41');
    eq(dataOf(d, 3), '', 'no datagram went through');
    check(await logged(proxy, /event=wisp_protocol_error .*error=udp_not_negotiated .*action=close_0x41/),
      'logged as a protocol error');
    // A second INFO after the handshake: ignored, counted.
    d.ws.send(wisp.infoWith(2, 0, [[EXT.udp]]));
    d.ws.send(wisp.data(4, ' again'));
    await d.until(() => dataOf(d, 4) === 'still fine again', 5000, 'echo after INFO');
    check(await logged(proxy, /event=wisp_protocol_error .*error=info_unexpected/), 'a second INFO is logged and ignored');
    d.ws.close(1000);
    await d.closed;
  },

  // Malformed INFO and extension records: CLOSE 0x04 on stream 0 and close
  // 1002, counted as protocol refusals; other clients are not disturbed.
  async wisp_v2_malformed_info({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const file = path.join(L.tmp(), 'pw');
    fs.writeFileSync(file, 'pw\n');
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nwisp_user = u\nwisp_password_file = ${file}\n`);
    const good = (await v2Client(proxy)).c;
    good.ws.send(wisp.infoWith(2, 0, [[EXT.password, wisp.password('u', 'pw')]]));
    await ready(good);
    good.ws.send(wisp.connect(1, 1, ports.tcp_echo, '127.0.0.1'));
    const before = await metric(proxy, 'emnet_proxy_refusals_total{reason="protocol"}');
    const bad = [
      [Buffer.from([5, 0, 0, 0, 0, 2]), 'short', 'INFO without its minor version'],
      [Buffer.concat([wisp.info(2, 0), Buffer.from([1, 9, 0, 0, 0])]), 'bad_extension', 'extension longer than the INFO'],
      [wisp.infoWith(3, 0, []), 'info_version', 'major version 3'],
      [wisp.infoWith(2, 0, [[EXT.udp, 'x']]), 'bad_extension_payload', 'UDP entry with a payload'],
      [wisp.infoWith(2, 0, [[EXT.confirm, 'x']]), 'bad_extension_payload', 'confirmation entry with a payload'],
      [wisp.infoWith(2, 0, [[EXT.password, Buffer.from([5, 1, 0, 0x61])]]), 'bad_extension_payload',
        'password record cut short'],
      [wisp.infoWith(2, 0, [[EXT.password, Buffer.from([1, 1, 0, 0x61, 0])]]), 'bad_extension_payload',
        'NUL in the password'],
      [wisp.infoWith(2, 0, [[EXT.udp], [EXT.udp]]), 'extension_repeated', 'UDP listed twice'],
    ];
    for (const [bytes, name, what] of bad) {
      const { c } = await v2Client(proxy);
      c.ws.send(bytes);
      const cl = await refused(c, 0x04, 1002, what);
      eq(cl.reason, 'Wisp handshake refused: ' + name, `${what}: the close reason names it`);
    }
    eq(await metric(proxy, 'emnet_proxy_refusals_total{reason="protocol"}'), before + bad.length,
      'each counted as a protocol refusal');
    check(await logged(proxy, /event=wisp_protocol_error .*stream=0 .*error=bad_extension_payload .*action=close_0x04/),
      'logged as protocol errors');
    good.ws.send(wisp.data(1, 'undisturbed'));
    await good.until(() => dataOf(good, 1) === 'undisturbed', 5000, 'echo');
    check(true, 'an authenticated client is not disturbed');
    good.ws.close(1000);
    await good.closed;
  },

  // Password authentication: required by wisp_user + wisp_password_file.
  async wisp_v2_password({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await passwordProxy(proxyBin, ports);
    const { c, info } = await v2Client(proxy);
    const pw = info.exts.find(([id]) => id === EXT.password);
    check(pw && pw[1].equals(Buffer.from([1])), 'INFO lists password authentication, required (payload 01)');
    c.ws.send(wisp.infoWith(2, 0, [[EXT.udp], [EXT.password, wisp.password('alix', 'open sesame')]]));
    await ready(c);
    c.ws.send(wisp.connect(1, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(1, 'authenticated'));
    await c.until(() => dataOf(c, 1) === 'authenticated', 5000, 'echo');
    check(true, 'right user and password: CONTINUE, then echo');
    const auth0 = await metric(proxy, 'emnet_proxy_refusals_total{reason="auth"}');

    const wrong = [
      [[[EXT.password, wisp.password('alix', 'open sesame!')]], 0xc0, 'wrong password'],
      [[[EXT.password, wisp.password('alix', 'open')]], 0xc0, 'a prefix of the password'],
      [[[EXT.password, wisp.password('bob', 'open sesame')]], 0xc0, 'wrong user'],
      [[[EXT.password, wisp.password('', '')]], 0xc0, 'empty credentials'],
      [[[EXT.udp]], 0xc2, 'no credentials'],
    ];
    const tcp0 = await metric(proxy, 'emnet_proxy_streams_total{type="tcp"}');
    for (const [exts, reason, what] of wrong) {
      const d = (await v2Client(proxy)).c;
      // Packets right behind the INFO (a client that does not wait for
      // CONTINUE) open no stream, and do not cost the client its answer.
      d.ws.send(wisp.infoWith(2, 0, exts));
      d.ws.send(wisp.connect(9, 1, ports.tcp_echo, '127.0.0.1'));
      for (let i = 0; i < 4; i++) d.ws.send(wisp.data(9, 'must not pass'));
      await refused(d, reason, 1008, what);
    }
    eq(await metric(proxy, 'emnet_proxy_streams_total{type="tcp"}'), tcp0, 'no stream opened for any of them');
    // A client that sends CONNECT instead of INFO cannot be taken as v1 here.
    const e = (await v2Client(proxy)).c;
    e.ws.send(wisp.connect(9, 1, ports.tcp_echo, '127.0.0.1'));
    await refused(e, 0xc2, 1008, 'CONNECT instead of INFO');
    // A v1 client has no way to authenticate: CLOSE 0xc2 is its first packet.
    const v1 = L.openWs(proxy.url('/wisp/'));
    eq(await v1.opened, true, 'v1 client opens');
    const cl = await refused(v1, 0xc2, 1008, 'v1 client');
    eq(cl.reason, 'Wisp handshake refused: v1_client', 'v1 client: the close reason says why');
    eq(await metric(proxy, 'emnet_proxy_refusals_total{reason="auth"}'), auth0 + wrong.length + 2,
      'every refusal counted as auth');
    check(await logged(proxy, /event=refused .*reason=wisp_auth .*detail=bad_password .*action=close_0xc0/),
      'a wrong password is logged');
    check(!proxy.err.some((l) => l.includes('open sesame')), 'the password never appears in the log');
    c.ws.send(wisp.data(1, ' still'));
    await c.until(() => dataOf(c, 1) === 'authenticated still', 5000, 'echo');
    check(true, 'the authenticated client is not disturbed');
    c.ws.close(1000);
    await c.closed;
  },

  // Stream confirmation (0x05): a CONTINUE on the stream once the proxy's
  // connect has completed, before any data; failures are CLOSE only.
  async wisp_v2_confirm({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    // A target that greets at once, so that data follows the connect closely.
    const greeter = net.createServer((s) => { s.end('hello from the target'); });
    await new Promise((r) => greeter.listen(0, '127.0.0.1', r));
    const gport = greeter.address().port;
    const dead = await L.freePort();
    // A listener whose accept queue is full drops SYNs: a connect to it
    // hangs. On SIGUSR1 it starts accepting (and greets), so the proxy's
    // next SYN retry completes the connect.
    const hold = L.startProcess('python3', ['-c', [
      'import signal, socket, time',
      's = socket.socket()', 's.bind(("127.0.0.1", 0))', 's.listen(0)',
      'print(s.getsockname()[1], flush=True)',
      'go = []', 'signal.signal(signal.SIGUSR1, lambda *a: go.append(1))',
      'kept = []',
      'while True:',
      '    if go:',
      '        a, _ = s.accept()', '        a.sendall(b"late hello")', '        kept.append(a)',
      '    else:',
      '        time.sleep(0.05)',
    ].join('\n')]);
    const hport = Number((await hold.waitLine(/^(\d+)$/))[1]);
    const fillers = [];
    for (let i = 0; i < 3; i++) fillers.push(net.connect(hport, '127.0.0.1').on('error', () => {}));
    await sleep(300);
    const proxy = await L.startProxy(proxyBin, [gport, dead, hport, ports.tcp_echo]
      .map((p) => `allow = 127.0.0.1:${p}\n`).join('') + 'wisp_credit = 8\nconnect_timeout = 12\n');
    const { c } = await v2Client(proxy);
    c.ws.send(wisp.infoWith(2, 0, [[EXT.confirm]]));
    await ready(c);

    // A listening target: the confirmation, then the greeting.
    c.ws.send(wisp.connect(1, 1, gport, '127.0.0.1'));
    await c.until(() => dataOf(c, 1) === 'hello from the target', 5000, 'greeting');
    const s1 = packets(c).filter((p) => p.id === 1);
    eq([s1[0].type, s1[0].remaining], [3, 8], 'first packet on the stream: CONTINUE with the credit (the confirmation)');
    check(s1.findIndex((p) => p.type === 2) > 0, 'the confirmation comes before any data');

    // A refused port: CLOSE 0x44 and no confirmation.
    c.ws.send(wisp.connect(2, 1, dead, '127.0.0.1'));
    await c.until(() => closeOf(c, 2), 5000, 'CLOSE');
    eq(closeOf(c, 2).reason, 0x44, 'refused port: CLOSE 0x44');
    eq(continuesOf(c, 2).length, 0, 'refused port: no confirmation');

    // A target that does not answer the SYN: no confirmation while the
    // connect hangs; once the target answers, the confirmation comes, then
    // the target's data.
    const t0 = Date.now();
    c.ws.send(wisp.connect(3, 1, hport, '127.0.0.1'));
    c.ws.send(wisp.data(3, 'early'));
    await sleep(1500);
    eq(packets(c).filter((p) => p.id === 3).length, 0, 'no confirmation (or anything) while the SYNs go unanswered');
    process.kill(hold.proc.pid, 'SIGUSR1');
    await c.until(() => dataOf(c, 3) === 'late hello', 12000, 'the late greeting');
    const s3 = packets(c).filter((p) => p.id === 3);
    eq(s3[0].type, 3, `once the connect completes (${Date.now() - t0} ms): the confirmation first`);
    eq(s3[0].remaining, 7, 'its credit counts the DATA packet still queued');
    check(s3.findIndex((p) => p.type === 2) > 0, 'then the data');
    c.ws.close(1000);
    await c.closed;
    for (const f of fillers) f.destroy();
    process.kill(hold.proc.pid, 'SIGTERM');
    greeter.close();
  },

  // A target that never answers: no confirmation until connect_timeout,
  // then CLOSE 0x43.
  async wisp_v2_confirm_timeout({ proxyBin }) {
    const silent = await L.silentTarget();
    const port = silent.port;
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${port}\nconnect_timeout = 1\n`);
    const { c } = await v2Client(proxy);
    c.ws.send(wisp.infoWith(2, 0, [[EXT.confirm]]));
    await ready(c);
    const t0 = Date.now();
    c.ws.send(wisp.connect(5, 1, port, '127.0.0.1'));
    await c.until(() => closeOf(c, 5), 5000, 'CLOSE');
    const dt = Date.now() - t0;
    eq(closeOf(c, 5).reason, 0x43, 'CLOSE 0x43 (connect timed out)');
    check(dt >= 900 && dt < 4000, `after about connect_timeout (${dt} ms)`);
    eq(continuesOf(c, 5).length, 0, 'no confirmation before it');
    c.ws.close(1000);
    await c.closed;
    silent.stop();
  },
};

L.run(cases);
