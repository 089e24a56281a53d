// The network half of the package test (package_test.sh):
//   node wisp_echo.js serve                  a TCP echo server on 127.0.0.1;
//                                            prints "echo PORT", runs until killed
//   node wisp_echo.js client PROXY ECHO      one Wisp v1 connection to the proxy
//                                            on 127.0.0.1:PROXY, one TCP stream
//                                            through it to 127.0.0.1:ECHO; checks
//                                            that random bytes come back intact
// Wisp packets and the WebSocket client are tests/proxy/server/lib.js's.
'use strict';
const crypto = require('crypto');
const net = require('net');
const path = require('path');
const L = require(path.join(__dirname, '..', 'server', 'lib.js'));
const { wisp } = L;

const [mode, a, b] = process.argv.slice(2);

if (mode === 'serve') {
  const server = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
  server.listen(0, '127.0.0.1', () => console.log('echo ' + server.address().port));
} else if (mode === 'client') {
  const proxyPort = Number(a), echoPort = Number(b);
  const timer = setTimeout(() => { console.log('FAIL - Wisp echo timed out'); process.exit(1); }, 15000);
  (async () => {
    let failed = 0;
    const check = (cond, what) => { console.log((cond ? 'ok - ' : 'FAIL - ') + what); if (!cond) failed++; };
    const c = L.openWs(`ws://127.0.0.1:${proxyPort}/wisp/`);
    const opened = await c.opened;
    check(opened === true, `WebSocket to ws://127.0.0.1:${proxyPort}/wisp/ opens (${opened})`);
    if (opened !== true) process.exit(1);
    await c.until(() => c.messages.length >= 1, 5000, 'the first Wisp packet');
    const first = wisp.parse(c.messages[0]);
    check(first.type === 3 && first.id === 0 && first.remaining > 0,
          `Wisp v1: first packet CONTINUE on stream 0 (type ${first.type}, credit ${first.remaining})`);
    const payload = crypto.randomBytes(48 * 1024);
    c.ws.send(wisp.connect(1, 1, echoPort, '127.0.0.1'));
    for (let o = 0; o < payload.length; o += 4096) c.ws.send(wisp.data(1, payload.subarray(o, o + 4096)));
    const packets = () => c.messages.slice(1).map(wisp.parse);
    const echoed = () => Buffer.concat(packets().filter((p) => p.type === 2 && p.id === 1).map((p) => p.payload));
    await c.until(() => echoed().length >= payload.length || packets().some((p) => p.type === 4 && p.id === 1),
                  10000, 'the echoed bytes');
    const closes = packets().filter((p) => p.type === 4);
    check(closes.length === 0, 'the stream was not closed by the proxy' +
          (closes.length ? ` (CLOSE reason 0x${closes[0].reason.toString(16)})` : ''));
    check(echoed().equals(payload), `${payload.length} random bytes through the proxy to the echo server and back`);
    c.ws.send(wisp.close(1, 2));
    c.ws.close(1000);
    const closed = await L.withTimeout(c.closed, 5000, 'the WebSocket close');
    check(closed.code === 1000, `WebSocket closed (${closed.code})`);
    clearTimeout(timer);
    process.exit(failed ? 1 : 0);
  })().catch((e) => { console.log('FAIL - ' + (e && e.stack || e)); process.exit(1); });
} else {
  console.log('usage: wisp_echo.js serve | client PROXY_PORT ECHO_PORT');
  process.exit(2);
}
