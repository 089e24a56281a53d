// emnet's own Wisp extensions in emnet-proxy (docs/wisp-extensions.md):
// half-close (0xe0, FIN packets), reset (0xe1, CLOSE reason RESET),
// receive credit (0xe2, CREDIT packets), UDP sockets (0xe3) and packed
// messages (0xe4, several packets in one WebSocket message). How
// the target saw each end is asked of emnet-testsrv's tcp_end, which
// records FIN or RST per token; what the client saw is in its packets.
'use strict';
const crypto = require('crypto');
const net = require('net');
const L = require('./lib');
const { check, eq, sleep, wisp } = L;

const EXT = { udp: 1, confirm: 5, halfClose: 0xe0, reset: 0xe1, credit: 0xe2, udpSockets: 0xe3, packed: 0xe4 };
const FIN = 0xe0, RESET = 0xe1;

const packets = (c) => c.messages.map(wisp.parse);
const onStream = (c, id) => packets(c).filter((p) => p.id === id);
const closeOf = (c, id) => packets(c).find((p) => p.type === 4 && p.id === id);
const dataOf = (c, id) => Buffer.concat(onStream(c, id).filter((p) => p.type === 2).map((p) => p.payload));

const { metric } = L;

// A v2 client that listed exts in its INFO (an id, or [id, payload]),
// once the proxy is ready.
async function client(proxy, exts) {
  const c = L.openWs(proxy.url('/wisp/'), {}, ['wisp-v2']);
  eq(await c.opened, true, 'open offering wisp-v2');
  await c.until(() => c.messages.length >= 1, 5000, 'INFO');
  c.ws.send(wisp.infoWith(2, 0, exts.map((e) => (Array.isArray(e) ? e : [e]))));
  await c.until(() => packets(c).some((p) => p.type === 3 && p.id === 0), 5000, 'CONTINUE on stream 0');
  return c;
}

// tcp_end: mode byte and a token; the record asked for over plain TCP.
const token = () => { let t; do t = crypto.randomBytes(8); while (t.every((b) => b === 0)); return t; };
const watch = (mode, t) => Buffer.concat([Buffer.from(mode), t]);
function record(port, t) {
  return L.withTimeout(new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(watch('?', t)));
    let text = '';
    s.on('data', (d) => { text += d; });
    s.on('end', () => resolve(text.trim()));
    s.on('error', reject);
  }), 10000, 'tcp_end record');
}
const fnv1a = (buf) => {
  let h = 0xcbf29ce484222325n;
  for (const b of buf) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
};

const cases = {
  // Both FINs carried, each way first; the stream ends only once both went.
  async wisp_half_close({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_end}\nallow = 127.0.0.1:${ports.tcp_sink}\n`);
    const c = await client(proxy, [EXT.confirm, EXT.halfClose, EXT.reset]);

    // The target's FIN first: FIN packet, the stream stays; the client
    // sends on, then its own FIN; tcp_end got every byte, then a FIN.
    const t = token();
    c.ws.send(wisp.connect(1, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(1, watch('H', t)));
    await c.until(() => onStream(c, 1).some((p) => p.type === FIN), 5000, 'FIN on stream 1');
    await sleep(200);
    check(!closeOf(c, 1), 'after the target\'s FIN the stream is still open');
    const body = crypto.randomBytes(200000);
    for (let o = 0; o < body.length; o += 30000) c.ws.send(wisp.data(1, body.subarray(o, o + 30000)));
    c.ws.send(wisp.fin(1));
    eq(await record(ports.tcp_end, t), `eof bytes=${body.length} fnv1a=${fnv1a(body)}`,
       'the target read everything sent after its FIN, then our FIN');
    await c.until(() => closeOf(c, 1), 5000, 'CLOSE once both FINs went');
    eq(closeOf(c, 1).reason, 0x02, 'the stream ends with CLOSE 0x02');

    // Our FIN first: tcp_sink answers at our EOF; its reply comes after
    // our FIN, then (its FIN: the stream is over) CLOSE 0x02, no FIN packet.
    c.ws.send(wisp.connect(2, 1, ports.tcp_sink, '127.0.0.1'));
    c.ws.send(wisp.data(2, 'seven b'));
    c.ws.send(wisp.fin(2));
    c.ws.send(wisp.data(2, 'after the FIN: dropped'));
    await c.until(() => closeOf(c, 2), 5000, 'CLOSE on stream 2');
    eq(dataOf(c, 2).toString(), `bytes=7 fnv1a=${fnv1a(Buffer.from('seven b'))}\n`,
       'the sink saw our FIN after 7 bytes (DATA after FIN is dropped) and answered');
    eq(closeOf(c, 2).reason, 0x02, 'then CLOSE 0x02');
    check(!onStream(c, 2).some((p) => p.type === FIN), 'no FIN packet: CLOSE ends a stream whose both ends went');
    c.ws.close(1000);
    await c.closed;
  },

  // CLOSE with RESET resets the target connection; a target's reset
  // arrives as RESET; an orderly CLOSE still ends in a FIN after the data.
  async wisp_reset({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_end}\n`);
    const c = await client(proxy, [EXT.confirm, EXT.halfClose, EXT.reset]);

    const t1 = token();
    c.ws.send(wisp.connect(1, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(1, watch('O', t1)));
    c.ws.send(wisp.data(1, 'abc'));
    await c.until(() => onStream(c, 1).some((p) => p.type === 3), 5000, 'confirmation');
    await sleep(100);
    c.ws.send(wisp.close(1, RESET));
    eq(await record(ports.tcp_end, t1), `reset bytes=3 fnv1a=${fnv1a(Buffer.from('abc'))}`,
       'CLOSE RESET: the target sees the bytes sent before, then an RST');

    const t2 = token();
    c.ws.send(wisp.connect(2, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(2, watch('O', t2)));
    c.ws.send(wisp.data(2, 'xyz!'));
    c.ws.send(wisp.close(2, 0x02));
    eq(await record(ports.tcp_end, t2), `eof bytes=4 fnv1a=${fnv1a(Buffer.from('xyz!'))}`,
       'CLOSE 0x02: what was sent is written, then FIN');

    c.ws.send(wisp.connect(3, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(3, 'R'));
    await c.until(() => closeOf(c, 3), 5000, 'CLOSE on stream 3');
    eq(closeOf(c, 3).reason, RESET, 'the target\'s reset: CLOSE RESET (0xe1)');
    c.ws.close(1000);
    await c.closed;
  },

  // A client that did not list the extensions gets plain Wisp: the
  // target's FIN ends the stream (CLOSE 0x02), its reset is 0x03, a FIN
  // packet is ignored (and counted), CLOSE RESET is an orderly close.
  async wisp_ends_not_negotiated({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_end}\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    const c = await client(proxy, [EXT.confirm]);
    const t = token();
    c.ws.send(wisp.connect(1, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(1, watch('H', t)));
    await c.until(() => closeOf(c, 1), 5000, 'CLOSE on stream 1');
    eq(closeOf(c, 1).reason, 0x02, 'the target\'s FIN: CLOSE 0x02');
    check(!onStream(c, 1).some((p) => p.type === FIN), 'no FIN packet');
    eq(await record(ports.tcp_end, t), `eof bytes=0 fnv1a=${fnv1a(Buffer.alloc(0))}`, 'then the proxy closed in order');

    c.ws.send(wisp.connect(2, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(2, 'R'));
    await c.until(() => closeOf(c, 2), 5000, 'CLOSE on stream 2');
    eq(closeOf(c, 2).reason, 0x03, 'the target\'s reset: CLOSE 0x03');

    const before = await metric(proxy, 'emnet_proxy_refusals_total{reason="protocol"}');
    c.ws.send(wisp.connect(3, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.fin(3));
    c.ws.send(wisp.data(3, 'still open'));
    await c.until(() => dataOf(c, 3).toString() === 'still open', 5000, 'echo');
    eq(await metric(proxy, 'emnet_proxy_refusals_total{reason="protocol"}'), before + 1, 'the FIN was ignored, and counted');

    const t4 = token();
    c.ws.send(wisp.connect(4, 1, ports.tcp_end, '127.0.0.1'));
    c.ws.send(wisp.data(4, watch('O', t4)));
    await c.until(() => onStream(c, 4).some((p) => p.type === 3), 5000, 'confirmation');
    c.ws.send(wisp.close(4, RESET));
    eq(await record(ports.tcp_end, t4), `eof bytes=0 fnv1a=${fnv1a(Buffer.alloc(0))}`,
       'CLOSE RESET without the extension: an orderly close');
    c.ws.close(1000);
    await c.closed;
  },

  // Receive credit: a stream sends no more than its credit (the target is
  // not read meanwhile) while the connection's other streams go on; CREDIT
  // gives more; credit past 2^31 - 1 closes the stream with 0x41.
  async wisp_receive_credit({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_source}\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    const window = Buffer.alloc(4);
    window.writeUInt32LE(100000);
    const c = await client(proxy, [EXT.confirm, [EXT.credit, window]]);
    const got = (id) => dataOf(c, id).length;
    c.ws.send(wisp.connect(1, 1, ports.tcp_source, '127.0.0.1'));
    await c.until(() => got(1) >= 100000, 5000, 'the first credit');
    await sleep(700);
    eq(got(1), 100000, 'a source that never stops: exactly the 100,000 bytes of credit, then nothing');
    c.ws.send(wisp.connect(2, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(wisp.data(2, 'another stream'));
    await c.until(() => dataOf(c, 2).toString() === 'another stream', 5000, 'echo on stream 2');
    eq([dataOf(c, 2).toString(), got(1)], ['another stream', 100000],
       'another stream of the connection flows meanwhile, while stream 1 waits for credit');
    c.ws.send(wisp.credit(1, 50000));
    await c.until(() => got(1) >= 150000, 5000, 'more after CREDIT');
    await sleep(500);
    eq(got(1), 150000, 'CREDIT 50,000: exactly 50,000 more');
    c.ws.send(wisp.credit(1, 0x7fffffff));
    c.ws.send(wisp.credit(1, 0x7fffffff));
    await c.until(() => closeOf(c, 1), 5000, 'CLOSE on stream 1');
    eq(closeOf(c, 1).reason, 0x41, 'credit past 2^31 - 1 (two grants of 2^31 - 1): CLOSE 0x41');
    c.ws.send(wisp.data(2, 'still here'));
    await c.until(() => dataOf(c, 2).length >= 24, 5000, 'echo on stream 2');
    eq(dataOf(c, 2).toString(), 'another streamstill here', 'the other stream is not disturbed');
    c.ws.close(1000);
    await c.closed;

    // Without the extension: CREDIT is ignored (counted), nothing bounds the
    // stream but the proxy's own buffer.
    const d = await client(proxy, [EXT.confirm]);
    const before = await metric(proxy, 'emnet_proxy_refusals_total{reason="protocol"}');
    d.ws.send(wisp.connect(1, 1, ports.tcp_source, '127.0.0.1'));
    d.ws.send(wisp.credit(1, 10));
    await d.until(() => dataOf(d, 1).length > 300000, 5000, 'plain Wisp: no credit limit');
    check(dataOf(d, 1).length > 300000, 'without the extension the stream is not held to any credit');
    eq(await metric(proxy, 'emnet_proxy_refusals_total{reason="protocol"}'), before + 1, 'CREDIT ignored, and counted');
    d.ws.close(1000);
    await d.closed;

    // A malformed window (0, or not 4 bytes): the handshake is refused.
    for (const [bad, what] of [[Buffer.alloc(4), 'window 0'], [Buffer.from([1, 0, 0]), '3-byte window']]) {
      const e = L.openWs(proxy.url('/wisp/'), {}, ['wisp-v2']);
      await e.opened;
      await e.until(() => e.messages.length >= 1, 5000, 'INFO');
      e.ws.send(wisp.infoWith(2, 0, [[EXT.credit, bad]]));
      const cl = await L.withTimeout(e.closed, 5000, 'close');
      eq([closeOf(e, 0) && closeOf(e, 0).reason, cl.code], [0x04, 1002], `${what}: CLOSE 0x04, then 1002`);
    }
  },

  // UDP socket streams: one proxy socket per stream, any sender heard, one
  // source port for every destination; the allowlist per datagram.
  async wisp_udp_socket({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const dgram = require('dgram');
    // Two servers that answer with the port they saw the datagram from.
    const whoami = await Promise.all([0, 1].map(() => new Promise((resolve) => {
      const u = dgram.createSocket('udp4');
      u.on('message', (m, r) => u.send(`seen from ${r.port}`, r.port, r.address));
      u.bind(0, '127.0.0.1', () => resolve(u));
    })));
    const [p1, p2] = whoami.map((u) => u.address().port);
    const proxy = await L.startProxy(proxyBin, [ports.udp_echo, ports.udp_dual, p1, p2]
      .map((p) => `allow = 127.0.0.1:${p}\n`).join('') + 'allow = [::1]:9\n');
    const rec = (port, ip = [127, 0, 0, 1]) => {
      const b = Buffer.alloc(3 + ip.length);
      b[0] = ip.length === 4 ? 4 : 6; b.writeUInt16LE(port, 1); Buffer.from(ip).copy(b, 3);
      return b;
    };
    const c = await client(proxy, [EXT.udp, EXT.udpSockets]);
    const dgrams = (id) => onStream(c, id).filter((p) => p.type === 2)
      .map((p) => ({ port: p.payload.readUInt16LE(1), family: p.payload[0], text: p.payload.subarray(7).toString() }));
    c.ws.send(wisp.connect(1, 0xe3, 0, '0.0.0.0'));
    c.ws.send(wisp.data(1, Buffer.concat([rec(ports.udp_echo), Buffer.from('hello')])));
    await c.until(() => dgrams(1).length >= 1, 5000, 'the echo');
    eq(dgrams(1)[0], { port: ports.udp_echo, family: 4, text: 'hello' }, 'the echo, with its source address first');
    c.ws.send(wisp.data(1, Buffer.concat([rec(ports.udp_dual), Buffer.from('two')])));
    await c.until(() => dgrams(1).length >= 3, 5000, 'both answers');
    const fromDual = dgrams(1).slice(1);
    check(fromDual.some((d) => d.port === ports.udp_dual && d.text === 'two') &&
          fromDual.some((d) => d.port !== ports.udp_dual && d.text === 'other:two'),
          'a datagram from a port the socket never sent to is heard too, with its own source');
    c.ws.send(wisp.data(1, Buffer.concat([rec(p1), Buffer.from('?')])));
    c.ws.send(wisp.data(1, Buffer.concat([rec(p2), Buffer.from('?')])));
    await c.until(() => dgrams(1).length >= 5, 5000, 'the two whoami answers');
    const seen = dgrams(1).slice(3).map((d) => d.text);
    eq(seen[0], seen[1], 'two servers see the same source port');

    // A destination the allowlist refuses: UDP_ERROR 0x48 naming it.
    c.ws.send(wisp.data(1, Buffer.concat([rec(9), Buffer.from('no')])));
    await c.until(() => onStream(c, 1).some((p) => p.type === 0xe3), 5000, 'UDP_ERROR');
    const err = onStream(c, 1).find((p) => p.type === 0xe3);
    eq([err.payload[0], err.payload.subarray(1).toString('hex')], [0x48, rec(9).toString('hex')],
       'a refused destination: UDP_ERROR 0x48 with its address record');
    check(!closeOf(c, 1), 'the socket stream stays open');

    // An IPv6 socket reaches IPv4 destinations (v4-mapped); a malformed
    // record closes its stream with 0x41.
    c.ws.send(wisp.connect(2, 0xe3, 0, '::'));
    c.ws.send(wisp.data(2, Buffer.concat([rec(ports.udp_echo), Buffer.from('six')])));
    await c.until(() => dgrams(2).length >= 1, 5000, 'the echo over IPv6');
    eq(dgrams(2)[0], { port: ports.udp_echo, family: 4, text: 'six' }, 'an IPv6 socket stream: IPv4 peers as family 4');
    c.ws.send(wisp.data(2, Buffer.from([5, 1, 2])));
    await c.until(() => closeOf(c, 2), 5000, 'CLOSE on stream 2');
    eq(closeOf(c, 2).reason, 0x41, 'a malformed address record: CLOSE 0x41');
    c.ws.close(1000);
    await c.closed;

    // Without the extension a CONNECT of type 0xe3 is refused.
    const d = await client(proxy, [EXT.udp]);
    d.ws.send(wisp.connect(1, 0xe3, 0, '0.0.0.0'));
    await d.until(() => closeOf(d, 1), 5000, 'CLOSE');
    eq(closeOf(d, 1).reason, 0x41, 'no UDP sockets extension: CLOSE 0x41');
    d.ws.close(1000);
    await d.closed;
    for (const u of whoami) u.close();
  },

  // Packed messages: a burst of datagrams and a TCP stream's packets in one
  // message each way, taken in order; without the extension a PACKED
  // packet is ignored, nothing in it reaches a target.
  async wisp_packed({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.udp_echo}\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    const rec = (port) => { const b = Buffer.alloc(7); b[0] = 4; b.writeUInt16LE(port, 1); b.set([127, 0, 0, 1], 3); return b; };
    const all = (c) => c.messages.flatMap(wisp.unpack).map(wisp.parse);
    const c = await client(proxy, [EXT.udp, EXT.udpSockets, EXT.packed]);
    const N = 50;
    const sent = Array.from({ length: N }, (_, i) => `datagram ${i} `.padEnd(20 + (i * 37) % 400, '.'));
    c.ws.send(wisp.packed([wisp.connect(1, 0xe3, 0, '0.0.0.0'),
                           ...sent.map((d) => wisp.data(1, Buffer.concat([rec(ports.udp_echo), Buffer.from(d)])))]));
    const echoes = () => all(c).filter((p) => p.type === 2 && p.id === 1).map((p) => p.payload.subarray(7).toString());
    await c.until(() => echoes().length >= N, 5000, 'every echo');
    eq(echoes().slice().sort(), sent.slice().sort(), 'every datagram of one packed message echoed');
    const packedIn = c.messages.filter((m) => m[0] === 0xe4).length;
    check(packedIn >= 1 && c.messages.length < 1 + N, `the echoes came packed too (${c.messages.length} messages for ${N})`);
    c.ws.send(wisp.packed([wisp.connect(2, 1, ports.tcp_echo, '127.0.0.1'), wisp.data(2, 'one '), wisp.data(2, 'two')]));
    const tcp = () => Buffer.concat(all(c).filter((p) => p.type === 2 && p.id === 2).map((p) => p.payload)).toString();
    await c.until(() => tcp() === 'one two', 5000, 'the TCP echo');
    c.ws.close(1000);
    await c.closed;

    const d = await client(proxy, [EXT.udp, EXT.udpSockets]);
    d.ws.send(wisp.packed([wisp.connect(1, 1, ports.tcp_echo, '127.0.0.1'), wisp.data(1, 'lost')]));
    d.ws.send(wisp.connect(2, 1, ports.tcp_echo, '127.0.0.1'));
    d.ws.send(wisp.data(2, 'plain'));
    await d.until(() => dataOf(d, 2).toString() === 'plain', 5000, 'the plain echo');
    check(!onStream(d, 1).length, 'no extension: the PACKED packet was ignored');
    d.ws.close(1000);
    await d.closed;
  },

  // Bad FIN packets: on stream 0 the connection ends (1002); with a
  // payload its stream is closed with 0x41; on a UDP stream it is ignored.
  async wisp_fin_bad({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.udp_echo}\n`);
    const c = await client(proxy, [EXT.udp, EXT.halfClose]);
    c.ws.send(wisp.connect(1, 1, ports.tcp_echo, '127.0.0.1'));
    c.ws.send(Buffer.concat([wisp.fin(1), Buffer.from('x')]));
    await c.until(() => closeOf(c, 1), 5000, 'CLOSE on stream 1');
    eq(closeOf(c, 1).reason, 0x41, 'FIN with a payload: CLOSE 0x41');
    c.ws.send(wisp.connect(2, 2, ports.udp_echo, '127.0.0.1'));
    c.ws.send(wisp.fin(2));
    c.ws.send(wisp.data(2, 'datagram'));
    await c.until(() => dataOf(c, 2).toString() === 'datagram', 5000, 'UDP echo');
    check(!closeOf(c, 2), 'FIN on a UDP stream: ignored');
    c.ws.send(wisp.fin(0));
    const cl = await L.withTimeout(c.closed, 5000, 'close');
    eq(cl.code, 1002, 'FIN on stream 0: close 1002');
  },
};

L.run(cases);
