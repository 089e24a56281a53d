// emnet-proxy must not tell a client which names exist behind it, one case
// per ctest:
//   node name_probe_cases.js EMNET_PROXY EMNET_TESTSRV CASE
// A name that resolves only to addresses the allowlist refuses (localhost:
// 127.0.0.1, which a name rule never reaches) is answered exactly as a name
// that does not exist (one under .invalid), in websockify mode and in Wisp;
// reveal_blocked_names = on tells them apart again. GET /resolve is in
// resolve_cases.js (resolve_blocked_names).
'use strict';
const L = require('./lib.js');
const { check, eq, wisp } = L;

const EXISTS = 'localhost';
const MISSING = 'nothing-here.invalid';
const CONNECT_FAILED = 'Failed to connect to downstream server: ';

function logged(proc, re) {
  return proc.waitLine(re, 1000).then(() => true, () => false);
}

// websockify mode: what the client sees of /tcp/HOST/PORT, all of it.
async function websockify(proxy, host, port) {
  const c = L.openWs(proxy.url(`/tcp/${host}/${port}`));
  const opened = await c.opened;
  const closed = await c.closed;
  return { opened, code: closed.code, reason: closed.reason, messages: c.messages.length };
}

// Wisp: the CLOSE packets the server sends for CONNECTs to each [host, port,
// type], after its stream id (the bytes that could differ: the reason).
async function wispCloses(proxy, targets) {
  const c = L.openWs(proxy.url('/wisp/'));
  eq(await c.opened, true, 'wisp: open');
  const closeOf = (id) => c.messages.map(wisp.parse).find((p) => p.type === 4 && p.id === id);
  targets.forEach(([host, port, type], i) => c.ws.send(wisp.connect(i + 1, type, port, host)));
  await c.until(() => targets.every((t, i) => closeOf(i + 1)), 8000, 'CLOSE for every stream');
  const out = targets.map((t, i) => closeOf(i + 1).payload.toString('hex'));
  c.ws.close(1000);
  await c.closed;
  return out;
}

const TCP = 1, UDP = 2;

const cases = {
  async name_probe_default({ proxyBin }) {
    const port = await L.freePort();
    const proxy = await L.startProxy(proxyBin, `allow = *:${port}\n`);
    const a = await websockify(proxy, EXISTS, port);
    const b = await websockify(proxy, MISSING, port);
    eq(a, b, `websockify: ${EXISTS} (only refused addresses) is answered as ${MISSING} (no such name)`);
    eq([b.opened, b.code, b.reason], [true, 1011, CONNECT_FAILED + 'name not resolved'], '... which is "name not resolved"');
    const w = await wispCloses(proxy, [[EXISTS, port, TCP], [MISSING, port, TCP], [EXISTS, port, UDP],
                                       [MISSING, port, UDP]]);
    eq(w[0], w[1], 'wisp TCP: the same CLOSE for both names');
    eq(w[2], w[3], 'wisp UDP: the same CLOSE for both names');
    eq(w[0], '42', '... reason 0x42');
    // The operator still sees the true reason.
    check(await logged(proxy, /event=connect_failed .*host=localhost .*reason=blocked_address answered=unresolved/),
          'the log line says blocked_address (and what the client was told)');
    check(await logged(proxy, /event=connect_failed .*host=nothing-here\.invalid .*reason=unresolved(?! answered)/),
          'the missing name is logged as unresolved');
    const m = await L.httpGet(proxy.port, '/metrics');
    check(/^emnet_proxy_refusals_total\{reason="blocked_address"\} 3$/m.test(m.body), 'metrics count blocked_address');
  },

  async name_probe_reveal({ proxyBin }) {
    const port = await L.freePort();
    const proxy = await L.startProxy(proxyBin, `allow = *:${port}\nreveal_blocked_names = on\n`);
    const a = await websockify(proxy, EXISTS, port);
    const b = await websockify(proxy, MISSING, port);
    eq([a.code, a.reason], [1011, CONNECT_FAILED + 'address not allowed'], 'reveal_blocked_names: websockify says blocked');
    eq([b.code, b.reason], [1011, CONNECT_FAILED + 'name not resolved'], '... and a missing name not resolved');
    const w = await wispCloses(proxy, [[EXISTS, port, TCP], [MISSING, port, TCP], [EXISTS, port, UDP]]);
    eq(w, ['48', '42', '48'], 'wisp: 0x48 for the refused name, 0x42 for the missing one');
    check(await logged(proxy, /event=connect_failed .*host=localhost .*reason=blocked_address(?! answered)/),
          'logged as blocked_address');
  },

  async name_probe_rules({ proxyBin }) {
    // Refusals that need no lookup depend on the rules and the name's text
    // only: they say "blocked" for both names alike, and for a literal.
    const port = await L.freePort();
    const other = port === 65535 ? port - 1 : port + 1;
    const p1 = await L.startProxy(proxyBin, `allow = *:${port}\n`);
    for (const [host, p, want, what] of [
      [EXISTS, other, 'port not allowed', 'no rule has the port'],
      [MISSING, other, 'port not allowed', 'no rule has the port'],
      ['127.0.0.1', port, 'host not allowed', 'an IP literal no CIDR rule covers'],
    ]) {
      const r = await websockify(p1, host, p);
      eq([r.code, r.reason], [1011, CONNECT_FAILED + want], `${host}:${p === port ? 'PORT' : 'OTHER'}: ${what}`);
    }
    eq(await wispCloses(p1, [[EXISTS, other, TCP], [MISSING, other, TCP], ['127.0.0.1', port, TCP]]),
       ['48', '48', '48'], 'wisp: 0x48 for each');
    // A name no name rule matches: without CIDR rules it is refused before
    // any lookup; with one that has the port it is looked up, and then a
    // refused address reads as a missing name.
    const p2 = await L.startProxy(proxyBin, `allow = irc.example.org:${port}\n`);
    for (const host of [EXISTS, MISSING]) {
      const r = await websockify(p2, host, port);
      eq([r.code, r.reason], [1011, CONNECT_FAILED + 'host not allowed'], `name rules only, ${host}: host not allowed`);
    }
    const p3 = await L.startProxy(proxyBin, `allow = 192.0.2.0/24:${port}\nallow = 127.0.0.1:${other}\n`);
    const a = await websockify(p3, EXISTS, port);
    const b = await websockify(p3, MISSING, port);
    eq(a, b, `a CIDR rule elsewhere: ${EXISTS} answered as ${MISSING}`);
    eq(b.reason, CONNECT_FAILED + 'name not resolved', '... not resolved');
    // 127.0.0.1's own rule has another port: refused after the lookup, so
    // told the same too, while the literal keeps its reason.
    const w = await wispCloses(p3, [[EXISTS, port, TCP], [MISSING, port, TCP], ['127.0.0.1', port, TCP]]);
    eq(w, ['42', '42', '48'], 'wisp: 0x42 for both names, 0x48 for the literal');
    check(await logged(p3, /event=connect_failed .*host=localhost .*reason=blocked_port answered=unresolved/),
          'logged with the true reason');
  },
};

L.run(cases);
