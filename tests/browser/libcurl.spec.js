// Interop: libcurl.js (curl compiled to wasm, with its own Wisp v1 client,
// none of it written here) fetches over Wisp in Chromium from a Node.js HTTP
// server that this file starts on 127.0.0.1. Once through the harness's
// wisp-js server, once through an emnet-proxy started here that allows only
// that server's port and a refused one. Every case of a run goes over one
// Wisp WebSocket: a small GET, 5 MiB checked by SHA-256, a chunked response,
// a POST whose digest the server echoes, 10 requests at once, a refused port
// (curl's error, then the page still works), the name localhost (which curl
// resolves itself) and a name that only the Wisp server looks up.
'use strict';
const { test, expect, engines } = require('./fixtures');
const { spawn } = require('child_process');
const crypto = require('crypto');
const http = require('http');
const net = require('net');
const path = require('path');

const ROOT = path.join(__dirname, '../..');
const PROXY = path.join(process.env.EMNET_NATIVE_BUILD || path.join(ROOT, 'build/native'), 'proxy/emnet-proxy');

const SMALL = 'hello from the HTTP server\n';
const BIG = 5 * 1024 * 1024;
const CHUNKS = ['first chunk\n', 'second, a little longer chunk\n', 'x'.repeat(3000) + '\n', 'last\n'];
const UPLOAD = 2 * 1024 * 1024 + 17;
const ITEMS = 10;
const NOWHERE = 'emnet-test.invalid';   // RFC 2606: a name that never exists
// libcurl.js's Wisp client reports a stream as connected as soon as it has
// sent the CONNECT (Wisp v1 has no answer to wait for), so a CLOSE instead
// of a connection is curl's error 7 if it comes before curl checked its
// socket, and 52 (nothing received) if it comes after.
const CONNECT_FAILED = /^Request failed with error code (7: Could not connect to server|52: Server returned nothing \(no headers, no data\))$/;

// Bytes that differ from one offset to the next and from one seed to the
// next, so that a lost, doubled or misplaced piece changes the digest.
function pattern(seed, size) {
  const b = Buffer.alloc(size);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 255;
  }
  return b;
}
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const itemSize = (n) => 65536 + n * 1000;

// The HTTP server the page reaches through Wisp; it records what it saw.
function startHttpServer() {
  const big = pattern(0, BIG);
  const seen = { uploads: [], inFlight: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const m = /^\/item\/(\d+)$/.exec(url.pathname);
    if (url.pathname === '/small') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(SMALL) });
      res.end(SMALL);
    } else if (url.pathname === '/big') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': big.length });
      res.end(big);
    } else if (url.pathname === '/chunked') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      let i = 0;
      const next = () => {
        if (i === CHUNKS.length) return res.end();
        res.write(CHUNKS[i++]);
        setTimeout(next, 20);   // separate writes, so separate chunks on the wire
      };
      next();
    } else if (url.pathname === '/upload' && req.method === 'POST') {
      const h = crypto.createHash('sha256');
      let length = 0;
      req.on('data', (d) => { h.update(d); length += d.length; });
      req.on('end', () => {
        const got = { length, sha256: h.digest('hex') };
        seen.uploads.push(got);
        const body = JSON.stringify(got);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
    } else if (m) {
      // Held for a while, so that requests overlap.
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      setTimeout(() => {
        seen.inFlight--;
        const body = pattern(Number(m[1]) + 1, itemSize(Number(m[1])));
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
        res.end(body);
      }, 150);
    } else if (url.pathname === '/host') {
      const body = `host ${req.headers.host}\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
    } else {
      res.writeHead(404, { 'Content-Length': 0 });
      res.end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port, seen, bigSha: sha256(big),
      close: () => new Promise((done) => { server.close(done); server.closeAllConnections(); }),
    }));
  });
}

// A port nobody listens on (bound, then closed).
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const port = s.address().port; s.close(() => resolve(port)); });
  });
}

// emnet-proxy on a port the kernel picks, allowing the given loopback
// ports only, and the test page's origin. Stopped by its PID.
// curl uploads in 64 KiB pieces, and libcurl.js sends each as one Wisp
// DATA packet, 5 bytes of header more than 64 KiB: the default max_message
// must take it (it bounds a Wisp packet's payload).
async function startProxy(ports) {
  const args = ['--listen', '127.0.0.1:0', '--allow_origin', `http://127.0.0.1:${process.env.EMNET_HTTP_PORT}`,
                '--log_level', 'info', '--resolve_timeout', '2', '--drain-timeout', '2'];
  for (const p of ports) args.push('--allow', `127.0.0.1:${p}`);
  const child = spawn(PROXY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const proxy = { child, out: '', err: '' };
  proxy.exited = new Promise((resolve) => {
    child.once('exit', (code, sig) => resolve({ code, sig }));
    child.once('error', (e) => { proxy.err += `${PROXY}: ${e.message}\n`; resolve({ code: null, sig: null, error: e }); });
  });
  child.stderr.on('data', (d) => { proxy.err += d; });
  proxy.port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emnet-proxy did not start:\n${proxy.err}`)), 10000);
    child.stdout.on('data', (d) => {
      proxy.out += d;
      const m = /^listening 127\.0\.0\.1:(\d+)$/m.exec(proxy.out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proxy.exited.then(({ code, sig }) => { clearTimeout(timer); reject(new Error(`emnet-proxy exited (${code || sig}):\n${proxy.err}`)); });
  });
  proxy.metric = async (name) => {
    const text = await (await fetch(`http://127.0.0.1:${proxy.port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name + ' '));
    return line ? Number(line.slice(name.length + 1)) : null;
  };
  proxy.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), 8000);
      await proxy.exited;
      clearTimeout(timer);
    }
    return proxy.exited;
  };
  return proxy;
}

// Watches the page's WebSockets: their URLs, the Wisp CONNECTs sent
// (stream, type, port, host), the CLOSEs received (stream, reason) and the
// type of the first packet each WebSocket received.
function watchWebSockets(page) {
  const seen = { sockets: [], connects: [], closes: [], firstPacket: [] };
  page.on('websocket', (ws) => {
    const index = seen.sockets.length;
    seen.sockets.push(ws.url());
    ws.on('framesent', ({ payload }) => {
      const b = Buffer.from(payload);
      if (b.length >= 8 && b[0] === 0x01) {
        seen.connects.push({ stream: b.readUInt32LE(1), type: b[5] === 0x02 ? 'udp' : 'tcp',
                             port: b.readUInt16LE(6), host: b.subarray(8).toString() });
      }
    });
    ws.on('framereceived', ({ payload }) => {
      const b = Buffer.from(payload);
      if (seen.firstPacket[index] === undefined) seen.firstPacket[index] = b[0];
      if (b.length >= 6 && b[0] === 0x04) seen.closes.push({ stream: b.readUInt32LE(1), reason: b[5] });
    });
  });
  return seen;
}

// All the cases, in one page, over the Wisp server at wispUrl.
// expected: the CLOSE reason the Wisp server gives for a refused connect
// (refused), and those it may give for NOWHERE (name).
async function runCases(page, wispUrl, server, refusedPort, expected) {
  const sockets = watchWebSockets(page);
  // Each case a step of the report, with its time on the console.
  const step = (name, fn) => test.step(name, async () => {
    const t = Date.now();
    await fn();
    console.log(`  ${name}: ${Date.now() - t} ms`);
  });
  const base = `http://127.0.0.1:${server.port}`;
  await page.goto(`/tests/browser/libcurl.html?wisp=${encodeURIComponent(wispUrl)}`);
  const version = await page.evaluate(() => window.curlPage.ready);
  console.log(`libcurl.js ${version.lib} (curl ${version.curl}, Wisp client ${version.wisp}) over ${wispUrl}`);
  const logs = () => page.evaluate(() => window.curlPage.logs.join('\n'));
  // The one CONNECT sent since `before` (to host:port), and the reason of
  // the CLOSE that answered it (frames reach the test a little after the page).
  const closeReason = async (before, port, host) => {
    await expect.poll(() => sockets.connects.slice(before)).toEqual([{ stream: expect.any(Number), type: 'tcp', port, host }]);
    const stream = sockets.connects[before].stream;
    await expect.poll(() => sockets.closes.filter((c) => c.stream === stream).length).toBe(1);
    return sockets.closes.find((c) => c.stream === stream).reason;
  };

  await step('a small GET', async () => {
    const r = await page.evaluate((u) => window.curlPage.request(u), `${base}/small`);
    expect(r, await logs()).toMatchObject({ ok: true, status: 200, text: SMALL });
  });

  await step('5 MiB, every byte checked by SHA-256', async () => {
    const r = await page.evaluate((u) => window.curlPage.request(u), `${base}/big`);
    expect(r, await logs()).toMatchObject({ ok: true, status: 200, length: BIG, sha256: server.bigSha });
    console.log(`  5 MiB in ${r.ms.toFixed(0)} ms`);
  });

  await step('a chunked response', async () => {
    const r = await page.evaluate((u) => window.curlPage.request(u), `${base}/chunked`);
    expect(r, await logs()).toMatchObject({ ok: true, status: 200, text: CHUNKS.join('') });
    const te = r.headers.filter(([k]) => k.toLowerCase() === 'transfer-encoding').map(([, v]) => v);
    expect(te).toEqual(['chunked']);
    expect(r.headers.some(([k]) => k.toLowerCase() === 'content-length')).toBe(false);
  });

  await step('a POST: the server\'s digest of the body equals the page\'s', async () => {
    const { sent, response } = await page.evaluate(([u, n]) => window.curlPage.upload(u, n), [`${base}/upload`, UPLOAD]);
    expect(response, await logs()).toMatchObject({ ok: true, status: 200 });
    console.log(`  POST of ${UPLOAD} bytes in ${response.ms.toFixed(0)} ms`);
    expect(sent.length).toBe(UPLOAD);
    expect(JSON.parse(response.text)).toEqual(sent);
    expect(server.seen.uploads).toEqual([sent]);
  });

  await step(`${ITEMS} requests at once`, async () => {
    const urls = Array.from({ length: ITEMS }, (_, n) => `${base}/item/${n}`);
    const rs = await page.evaluate((us) => window.curlPage.all(us), urls);
    const want = Array.from({ length: ITEMS }, (_, n) => {
      const b = pattern(n + 1, itemSize(n));
      return { ok: true, status: 200, length: b.length, sha256: sha256(b) };
    });
    expect(rs.map(({ ok, status, length, sha256: h }) => ({ ok, status, length, sha256: h })), await logs()).toEqual(want);
    expect(server.seen.maxInFlight).toBeGreaterThan(1);   // they did overlap at the server
    console.log(`  ${ITEMS} at once: at most ${server.seen.maxInFlight} in flight at the server`);
  });

  await step('a refused port: curl\'s error, then the page still works', async () => {
    const before = sockets.connects.length;
    const r = await page.evaluate((u) => window.curlPage.request(u), `http://127.0.0.1:${refusedPort}/`);
    const reason = await closeReason(before, refusedPort, '127.0.0.1');
    console.log(`  refused: ${r.error}; CLOSE reason 0x${reason.toString(16)}`);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(CONNECT_FAILED) });
    expect(reason).toBe(expected.refused);
    const again = await page.evaluate((u) => window.curlPage.request(u), `${base}/small`);
    expect(again).toMatchObject({ ok: true, status: 200, text: SMALL });
  });

  await step('the name localhost: curl resolves it itself, to 127.0.0.1', async () => {
    const before = sockets.connects.length;
    const r = await page.evaluate((u) => window.curlPage.request(u), `http://localhost:${server.port}/host`);
    expect(r, await logs()).toMatchObject({ ok: true, status: 200, text: `host localhost:${server.port}\n` });
    // curl answers localhost and *.localhost itself (RFC 6761): the name
    // never reaches the Wisp server; a new connection to 127.0.0.1 does.
    await expect.poll(() => sockets.connects.slice(before)).toEqual([
      { stream: expect.any(Number), type: 'tcp', port: server.port, host: '127.0.0.1' }]);
  });

  await step('a name only the Wisp server looks up: sent as it is, and its answer reaches curl', async () => {
    const before = sockets.connects.length;
    const r = await page.evaluate((u) => window.curlPage.request(u), `http://${NOWHERE}:${server.port}/host`);
    const reason = await closeReason(before, server.port, NOWHERE);
    console.log(`  ${NOWHERE}: ${r.error}; CLOSE reason 0x${reason.toString(16)}`);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(CONNECT_FAILED) });
    expect(expected.name).toContain(reason);
  });

  await step('one Wisp WebSocket for all of it', async () => {
    expect(sockets.sockets).toEqual([wispUrl]);
    // Every connection curl made was a stream of it.
    const hosts = new Set(sockets.connects.map((c) => `${c.host}:${c.port}`));
    expect([...hosts].sort()).toEqual([`127.0.0.1:${refusedPort}`, `127.0.0.1:${server.port}`,
                                       `${NOWHERE}:${server.port}`].sort());
    console.log(`  ${sockets.connects.length} streams over 1 WebSocket, its first packet of type ${sockets.firstPacket[0]}`);
  });
  return sockets;
}

test.describe('libcurl.js over Wisp', () => {
  test.describe.configure({ mode: 'parallel' });   // each test has its own servers and page
  let server;
  test.beforeEach(async () => { server = await startHttpServer(); });
  test.afterEach(async () => { await server.close(); });

  test('libcurl.js through the wisp-js server: GET, 5 MiB, chunked, POST, 10 at once, refused, names', async ({ page }) => {
    // The harness's wisp-js server lets streams reach 127.0.0.1 and
    // localhost only: any other name is refused before a lookup (0x48). A
    // failed connect is a network error to it (0x03).
    await runCases(page, `ws://127.0.0.1:${process.env.EMNET_WISP_PORT}/`, server, await freePort(),
                    { refused: 0x03, name: [0x48] });
  });

  test('libcurl.js through emnet-proxy\'s Wisp mode: GET, 5 MiB, chunked, POST, 10 at once, refused, names', async ({ page }) => {
    const refused = await freePort();
    const proxy = await startProxy([server.port, refused]);
    let stopped;
    try {
      // A CIDR rule has the port, so the name is looked up: it does not
      // exist (0x42), or the lookup found no DNS server in time (0x43).
      await runCases(page, `ws://127.0.0.1:${proxy.port}/wisp/`, server, refused,
                      { refused: 0x44, name: [0x42, 0x43] });
      expect(proxy.err).toContain(`host=${NOWHERE} port=${server.port}`);
      expect(await proxy.metric('emnet_proxy_connections_total{mode="wisp"}')).toBe(1);
    } catch (e) {
      console.log(`emnet-proxy's log:\n${proxy.err}`);
      throw e;
    } finally {
      stopped = await proxy.stop();
    }
    expect(stopped, 'emnet-proxy stops on SIGTERM with status 0').toEqual({ code: 0, sig: null });
  });
});
