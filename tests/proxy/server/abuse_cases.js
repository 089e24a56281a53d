// emnet-proxy against hostile clients, one case per ctest:
//   node abuse_cases.js EMNET_PROXY EMNET_TESTSRV CASE
// Clients that stop reading and then go away, or that make the proxy queue
// replies, data of ended streams or datagrams for them: the proxy must keep
// serving everybody else, hold each client's memory under its budget
// (client_buffer, client_buffer_max) and stop on SIGTERM.
'use strict';
const fs = require('fs');
const net = require('net');
const L = require('./lib.js');
const { check, eq, sleep, wisp } = L;

// AddressSanitizer keeps freed memory in quarantine (256 MB by default),
// which RSS would count as if the proxy still held it; these cases measure
// what it holds, so the quarantine stays small.
process.env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=1'].filter(Boolean).join(':');

// Resident memory of a process, in kB.
function rss(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}

// Round trips of 32 bytes through a websockify echo client: the median
// and worst in ms, so a case can tell whether others are still served.
async function roundTrips(proxy, echoPort, n) {
  const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${echoPort}`));
  if ((await c.opened) !== true) throw new Error('echo client could not open');
  const times = [];
  for (let i = 0; i < n; i++) {
    const want = c.bytes().length + 32;
    const t0 = process.hrtime.bigint();
    c.ws.send(Buffer.alloc(32, 0x30 + (i % 10)));
    await c.until(() => c.bytes().length >= want, 10000, 'echo');
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  c.ws.close(1000);
  await c.closed;
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)], max: times[n - 1] };
}

// The proxy still answers: /metrics within ms, and an echo.
async function stillServing(proxy, echoPort, what) {
  const t0 = Date.now();
  const m = await L.withTimeout(L.httpGet(proxy.port, '/metrics'), 3000, '/metrics').catch(() => null);
  check(m && m.status === 200, `${what}: /metrics answers (${Date.now() - t0} ms)`);
  const rt = await L.withTimeout(roundTrips(proxy, echoPort, 5), 5000, 'echo').catch(() => null);
  check(rt !== null, `${what}: another client's echo works` + (rt ? ` (median ${rt.median.toFixed(2)} ms)` : ''));
}

const { metric } = L;

// A Wisp v1 client (no subprotocol: the proxy sends CONTINUE, never INFO).
async function wispClient(proxy) {
  const c = L.openWs(proxy.url('/wisp/'));
  eq(await c.opened, true, 'wisp: open');
  return c;
}

// A Wisp client past the server's CONTINUE on stream 0 that no longer reads,
// and the proxy's RSS at that point.
async function nonReadingWisp(proxy) {
  const c = await wispClient(proxy);
  await c.until(() => c.messages.length >= 1, 5000, 'CONTINUE on stream 0');
  c.ws._socket.pause();
  return { c, first: c.messages.length, rss0: rss(proxy.proc.pid) };
}

// While a hostile client is at work: what it queued stays within
// client_buffer_max, the proxy's RSS within 16 MB of rss0, and another
// client's round trip within 5 times (or 20 ms of) the baseline.
async function checkHeld(proxy, echoPort, base, rss0, offered) {
  const during = await roundTrips(proxy, echoPort, 21);
  const grew = rss(proxy.proc.pid) - rss0;
  const queued = await metric(proxy, 'emnet_proxy_queued_bytes');
  check(queued <= 4 << 20, `queued for the client: ${queued} bytes, within client_buffer_max (4 MiB)`);
  check(grew < 16 * 1024, `proxy RSS +${grew} kB with ${offered} (bound 16 MB)`);
  check(during.median <= Math.max(5 * base.median, base.median + 20),
        `others' round trip: median ${during.median.toFixed(2)} ms against ${base.median.toFixed(2)} ms before`);
}

// A client of tcp_source (which sends without end) in websockify or Wisp
// mode, once data flows.
async function sourceClient(proxy, ports, mode, what) {
  let c;
  if (mode === 'websockify') {
    c = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_source}`));
    eq(await c.opened, true, `${what}: open`);
  } else {
    c = await wispClient(proxy);
    c.ws.send(wisp.connect(1, 1, ports.tcp_source, '127.0.0.1'));
  }
  await c.until(() => c.bytes().length > 200000, 5000, 'data flowing');
  return c;
}

// A TCP server that sends `bytes` bytes to each client, then closes.
function talker(bytes) {
  return new Promise((resolve) => {
    const sockets = new Set();
    const s = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => {});
      sock.on('close', () => sockets.delete(sock));
      sock.end(Buffer.alloc(bytes, 0x61));
    });
    s.stop = () => { for (const k of sockets) k.destroy(); s.close(); };
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const cases = {
  // A client whose output is pending (it stopped reading a target that
  // sends without end) sends FIN. The proxy used to spin on the zero-length
  // read for ever, deaf to everyone and to SIGTERM.
  async freeze_fin({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_source}\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    for (const mode of ['websockify', 'wisp']) {
      for (let round = 0; round < 3; round++) {
        const c = await sourceClient(proxy, ports, mode, `${mode} ${round}`);
        c.ws._socket.pause();
        await sleep(400);           // the proxy's writes to this client back up
        c.ws._socket.end();         // FIN, still not reading
        await sleep(300);
        await stillServing(proxy, ports.tcp_echo, `${mode} FIN ${round}`);
        // Dropped at once, not left to the idle timeout.
        let open = -1;
        for (let i = 0; i < 20 && open !== 0; i++) {
          open = await metric(proxy, 'emnet_proxy_connections');
          if (open) await sleep(100);
        }
        eq(open, 0, `${mode} FIN ${round}: the connection is gone`);
        c.ws._socket.destroy();
      }
    }
  },

  // A slow reader that just closes (FIN or RST, whichever the kernel sends
  // for what it had not read).
  async freeze_slow_close({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_source}\nallow = 127.0.0.1:${ports.tcp_echo}\n`);
    for (let round = 0; round < 6; round++) {
      const mode = round % 2 ? 'wisp' : 'websockify';
      const c = await sourceClient(proxy, ports, mode, `${mode} ${round}`);
      // Read slowly: a little now and then.
      for (let i = 0; i < 5; i++) {
        c.ws._socket.pause();
        await sleep(120);
        c.ws._socket.resume();
        await sleep(5);
      }
      c.ws._socket.pause();
      await sleep(200);
      c.ws._socket.destroy();       // close() with unread bytes
      await sleep(200);
      await stillServing(proxy, ports.tcp_echo, `${mode} slow close ${round}`);
    }
    eq(await metric(proxy, 'emnet_proxy_connections'), 0, 'every connection is gone');
  },

  // Stream after stream to a target that sends 200 KB and closes, never
  // reading: the data of ended streams stays queued for the client, and
  // used to count against nothing (378 MB after 1,584 streams).
  async stream_cycling({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const t = await talker(200000);
    const tport = t.address().port;
    // Streams left open while the client is paused may add up past the
    // default 256 once it reads again.
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${tport}\nallow = 127.0.0.1:${ports.tcp_echo}\n` +
                                               'max_streams = 1024\n');
    const base = await roundTrips(proxy, ports.tcp_echo, 21);
    const { c, first, rss0 } = await nonReadingWisp(proxy);
    const N = 300;
    for (let i = 1; i <= N; i++) c.ws.send(wisp.connect(i, 1, tport, '127.0.0.1'));
    await sleep(1500);
    await checkHeld(proxy, ports.tcp_echo, base, rss0, `${N} streams x 200 KB offered`);
    check(await metric(proxy, 'emnet_proxy_budget_pauses_total') >= 1, 'the client went over its budget and was paused');
    // Reading again, the client gets every byte of every stream, then its CLOSE.
    c.ws._socket.resume();
    const got = new Map(), closed = new Map();
    let seen = first;
    const scan = () => {
      for (; seen < c.messages.length; seen++) {
        const p = wisp.parse(c.messages[seen]);
        if (p.type === 2) got.set(p.id, (got.get(p.id) || 0) + p.payload.length);
        if (p.type === 4) closed.set(p.id, p.reason);
      }
      return closed.size >= N;
    };
    await c.until(scan, 40000, 'every stream closed');
    let whole = 0, orderly = 0;
    for (let i = 1; i <= N; i++) {
      if (got.get(i) === 200000) whole++;
      if (closed.get(i) === 2) orderly++;
    }
    eq([whole, orderly], [N, N], 'every stream: 200000 bytes, then CLOSE 0x02');
    c.ws.close(1000);
    await c.closed;
    t.stop();
  },

  // CONNECT after CONNECT to a port the allowlist forbids, never reading:
  // each refusal is a CLOSE reply queued for the client, and a log line.
  async connect_flood({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin,
      `allow = 127.0.0.1:${ports.tcp_echo}\nallow = 127.0.0.1:${ports.tcp_source}\n`);
    const base = await roundTrips(proxy, ports.tcp_echo, 21);
    const { c, first, rss0 } = await nonReadingWisp(proxy);
    // First the kernel's buffers towards the client fill (a stream of a
    // target that sends without end), so that the replies to the flood stay
    // with the proxy whatever the machine's load.
    c.ws.send(wisp.connect(1, 1, ports.tcp_source, '127.0.0.1'));
    await sleep(1000);
    const N = 200000;
    const tFlood = Date.now();
    for (let i = 2; i <= N + 1; i++) c.ws.send(wisp.connect(i, 1, 1, '127.0.0.1'));
    await sleep(2000);
    check(await metric(proxy, 'emnet_proxy_budget_pauses_total') >= 1, 'the client went over its budget and was paused');
    await checkHeld(proxy, ports.tcp_echo, base, rss0, `${N} CONNECTs`);
    c.ws._socket.resume();
    c.ws.send(wisp.close(1, 2));
    const t0 = Date.now();
    let seen = first, closes = 0, blocked = 0;
    await c.until(() => {
      for (; seen < c.messages.length; seen++) {
        const p = wisp.parse(c.messages[seen]);
        if (p.type === 4 && p.id !== 1) { closes++; if (p.reason === 0x48) blocked++; }
      }
      return closes >= N;
    }, 40000, 'every CLOSE');
    eq([closes, blocked], [N, N], `every CONNECT answered with CLOSE 0x48 (${Date.now() - t0} ms once reading)`);
    eq(await metric(proxy, 'emnet_proxy_refusals_total', 'blocked_port'), N, 'each refusal counted');
    const lines = proxy.err.filter((l) => /event=connect_failed/.test(l)).length;
    // The proxy's limit: a burst of 20 lines, then 2 a second (a loaded
    // machine makes the flood last longer, not the rate higher).
    const allowed = 20 + 2 * Math.ceil((Date.now() - tFlood) / 1000) + 2;
    check(lines <= allowed, `refusals logged at a bounded rate (${lines} lines for ${N}, at most ${allowed} for the time it took)`);
    check(await metric(proxy, 'emnet_proxy_log_lines_suppressed_total') >= N - lines,
          'the lines left out are counted');
    check(await proxy.waitLine(/event=log_suppressed .*lines=\d+/, 3000).then(() => true, () => false),
          'a log_suppressed line says how many were left out');
    c.ws.close(1000);
    await c.closed;
  },

  // Over budget (eight streams of a target that sends without end, not
  // read), then FIN: dropped at once, though its reads are paused.
  async budget_fin({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_source}\n`);
    const d = await wispClient(proxy);
    d.ws._socket.pause();
    for (let i = 1; i <= 8; i++) d.ws.send(wisp.connect(i, 1, ports.tcp_source, '127.0.0.1'));
    await sleep(1500);
    check(await metric(proxy, 'emnet_proxy_budget_pauses_total') >= 1, 'the client went over its budget and was paused');
    const queued = await metric(proxy, 'emnet_proxy_queued_bytes');
    check(queued <= 4 << 20, `queued for the client: ${queued} bytes, within client_buffer_max (4 MiB)`);
    d.ws._socket.end();
    let open = -1;
    for (let i = 0; i < 20 && open !== 0; i++) {
      open = await metric(proxy, 'emnet_proxy_connections');
      if (open) await sleep(100);
    }
    eq(open, 0, 'a paused client that sends FIN is dropped at once');
    eq(await metric(proxy, 'emnet_proxy_peers_gone_total'), 1, 'counted as gone');
    d.ws._socket.destroy();
  },

  // UDP datagrams sent while a name resolves wait for the socket: 24
  // streams x 32 datagrams x 60 KB to a name whose lookup never ends (the
  // proxy runs with a resolver that points at a server that never answers).
  async early_udp({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const dgram = require('dgram');
    const hole = dgram.createSocket('udp4');
    await new Promise((resolve, reject) => { hole.once('error', reject); hole.bind(53, '127.0.0.77', resolve); });
    const resolv = require('path').join(L.tmp(), 'resolv.conf');
    fs.writeFileSync(resolv, 'nameserver 127.0.0.77\noptions timeout:30 attempts:1\n');
    const wrap = ['unshare', '-m', 'sh', '-c', 'mount --bind "$1" /etc/resolv.conf && shift 2 && exec "$@"', 'sh', resolv, '--'];
    const proxy = await L.startProxy(proxyBin,
      `allow = *:9\nallow = 127.0.0.1:${ports.tcp_echo}\nresolve_timeout = 1\n`, [], wrap);
    const base = await roundTrips(proxy, ports.tcp_echo, 21);
    const c = await wispClient(proxy);
    await c.until(() => c.messages.length >= 1, 5000, 'CONTINUE on stream 0');
    const rss0 = rss(proxy.proc.pid);
    const S = 24, D = 32, payload = Buffer.alloc(60000, 0x75);
    for (let id = 1; id <= S; id++) {
      c.ws.send(wisp.connect(id, 2, 9, `never-answers-${id}.example.org`));
      for (let k = 0; k < D; k++) c.ws.send(wisp.data(id, payload));
    }
    await sleep(1500);
    await checkHeld(proxy, ports.tcp_echo, base, rss0, `${S * D * payload.length >> 20} MB of datagrams offered`);
    // The lookups time out; every stream is closed and the client is read again.
    let seen = 0;
    const closed = new Set();
    await c.until(() => {
      for (; seen < c.messages.length; seen++) {
        const p = wisp.parse(c.messages[seen]);
        if (p.type === 4 && p.id) closed.add(p.id);
      }
      return closed.size >= S;
    }, 30000, 'every stream closed');
    eq(closed.size, S, 'every stream ends once its lookup times out');
    c.ws.close(1000);
    await c.closed;
    hole.close();
  },

  // client_buffer_max = client_buffer: a client that stops reading is not
  // paused but closed, with 1008 once it reads again, and counted.
  async budget_hard_limit({ proxyBin, testsrvBin }) {
    const ports = await L.startTestsrv(testsrvBin);
    const proxy = await L.startProxy(proxyBin, `allow = 127.0.0.1:${ports.tcp_source}\n` +
                                               'client_buffer = 65536\nclient_buffer_max = 65536\n');
    const c = L.openWs(proxy.url(`/tcp/127.0.0.1/${ports.tcp_source}`));
    eq(await c.opened, true, 'open');
    c.ws._socket.pause();
    await sleep(1000);
    c.ws._socket.resume();
    const cl = await L.withTimeout(c.closed, 10000, 'close');
    eq([cl.code, cl.reason], [1008, 'Client buffer limit exceeded'], 'closed with 1008');
    eq(await metric(proxy, 'emnet_proxy_refusals_total', 'client_buffer'), 1, 'counted');
    check(await proxy.waitLine(/event=refused .*reason=client_buffer/, 2000).then(() => true, () => false),
          'logged');
  },
};

L.run(cases);
