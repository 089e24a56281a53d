// Shared code of the emnet-proxy process tests: start emnet-testsrv and
// emnet-proxy on 127.0.0.1 (ports the kernel picks), talk WebSocket to the
// proxy, stop every process by its own PID at the end.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const WebSocket = require(path.join(__dirname, '..', '..', '..', 'node_modules', 'ws'));

const children = [];
const proxies = [];
let tmpdir = null;
let failures = 0;

function tmp() {
  if (!tmpdir) tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'emnet-proxy-test-'));
  return tmpdir;
}

function cleanup() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try { process.kill(c.pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    }
  }
  if (tmpdir) fs.rmSync(tmpdir, { recursive: true, force: true });
}
process.on('exit', cleanup);

function check(cond, what) {
  if (cond) {
    console.log('ok - ' + what);
  } else {
    console.log('FAIL - ' + what);
    failures++;
  }
}

function eq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  check(g === w, what + (g === w ? '' : ` (got ${g}, want ${w})`));
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// A child process whose stdout lines can be awaited.
function startProcess(bin, args) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const p = { proc, out: [], err: [], waiters: [] };
  const partial = new Map();   // a chunk may end in the middle of a line
  const feed = (into, chunk) => {
    const lines = ((partial.get(into) || '') + chunk.toString()).split('\n');
    partial.set(into, lines.pop());
    for (const line of lines) {
      if (!line) continue;
      into.push(line);
      for (const w of p.waiters.slice()) {
        const m = line.match(w.re);
        if (m) { p.waiters.splice(p.waiters.indexOf(w), 1); w.resolve(m); }
      }
    }
  };
  proc.stdout.on('data', (d) => feed(p.out, d));
  proc.stderr.on('data', (d) => feed(p.err, d));
  p.exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  p.waitLine = (re, ms = 10000) => {
    for (const line of p.out.concat(p.err)) { const m = line.match(re); if (m) return Promise.resolve(m); }
    return new Promise((resolve, reject) => {
      const w = { re, resolve };
      p.waiters.push(w);
      setTimeout(() => reject(new Error(`timed out waiting for ${re} from ${path.basename(bin)}\n` +
                                        p.err.slice(-20).join('\n'))), ms);
    });
  };
  return p;
}

async function startTestsrv(bin) {
  const p = startProcess(bin, []);
  await p.waitLine(/^ready$/);
  const ports = {};
  for (const line of p.out) {
    const m = line.match(/^(\w+) (\d+)$/);
    if (m) ports[m[1]] = Number(m[2]);
  }
  return ports;
}

// Writes conf (text) to a file and starts the proxy on a kernel-chosen port.
// wrap: a command that execs the proxy in the end (its arguments first), so
// that the PID is still the proxy's.
async function startProxy(bin, conf, extra = [], wrap = []) {
  const file = path.join(tmp(), `proxy-${children.length}.conf`);
  fs.writeFileSync(file, conf);
  // A short drain by default, so that the final SIGTERM of every case ends it
  // quickly (a later --drain-timeout in extra wins).
  const args = ['--config', file, '--listen', '127.0.0.1:0', '--drain-timeout', '2', ...extra];
  const p = wrap.length ? startProcess(wrap[0], [...wrap.slice(1), bin, ...args]) : startProcess(bin, args);
  proxies.push(p);
  const m = await p.waitLine(/^listening 127\.0\.0\.1:(\d+)$/);
  p.port = Number(m[1]);
  p.conf = file;
  p.url = (pathq) => `ws://127.0.0.1:${p.port}${pathq}`;
  return p;
}

// A target that never answers a connect: a listener with a full accept
// queue (backlog 0, filled by a few connects of ours) drops further SYNs.
// stop() ends the fillers and the listener's process (by its PID).
async function silentTarget() {
  const hold = startProcess('python3', ['-c',
    'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\n' +
    'print(s.getsockname()[1],flush=True)\ntime.sleep(60)']);
  const port = Number((await hold.waitLine(/^(\d+)$/))[1]);
  const fillers = [];
  for (let i = 0; i < 4; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => {}));
  await sleep(300);
  return {
    port,
    stop() {
      for (const f of fillers) f.destroy();
      process.kill(hold.proc.pid, 'SIGTERM');
    },
  };
}

// A port nobody listens on (bound, then closed).
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const port = s.address().port; s.close(() => resolve(port)); });
  });
}

// Opens a WebSocket and records what happens: opened (true or an HTTP
// status), messages (Buffers), close {code, reason}.
function openWs(url, opts = {}, protocols) {
  const ws = new WebSocket(url, protocols, opts);
  ws.binaryType = 'nodebuffer';
  const r = { ws, messages: [], waiters: [] };
  r.opened = new Promise((resolve) => {
    ws.on('open', () => resolve(true));
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); res.resume(); req.destroy(); });
    ws.on('error', (e) => resolve('error: ' + e.message));
  });
  r.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (d) => {
    r.messages.push(d);
    for (const w of r.waiters.slice()) if (w.test()) { r.waiters.splice(r.waiters.indexOf(w), 1); w.resolve(); }
  });
  // Resolves once test() holds over the messages so far.
  r.until = (test, ms = 5000, what = 'messages') => {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      r.waiters.push({ test, resolve });
      setTimeout(() => reject(new Error('timed out waiting for ' + what)), ms);
    });
  };
  r.bytes = () => Buffer.concat(r.messages);
  return r;
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, sleep(ms).then(() => { throw new Error('timed out: ' + what); })]);
}

// Plain HTTP GET on the proxy's port: {status, body}.
function httpGet(port, pathq) {
  return new Promise((resolve, reject) => {
    require('http').get({ host: '127.0.0.1', port, path: pathq }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

// Reads one counter of GET /metrics: name (a full series such as
// 'x{reason="y"}' too), the sum over its labels if several, or only the
// lines that contain label.
async function metric(proxy, name, label) {
  const { body } = await httpGet(proxy.port, '/metrics');
  let sum = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    if (label && !line.includes(label)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}

// --- Wisp packets (written here independently of net/wisp_codec.c, so the
// test checks the codec's use, not the codec against itself). ---
const wisp = {
  connect(id, type, port, host) {
    const h = Buffer.from(host);
    const b = Buffer.alloc(8 + h.length);
    b[0] = 1; b.writeUInt32LE(id, 1); b[5] = type; b.writeUInt16LE(port, 6); h.copy(b, 8);
    return b;
  },
  data(id, payload) {
    const p = Buffer.from(payload);
    const b = Buffer.alloc(5 + p.length);
    b[0] = 2; b.writeUInt32LE(id, 1); p.copy(b, 5);
    return b;
  },
  close(id, reason) { const b = Buffer.alloc(6); b[0] = 4; b.writeUInt32LE(id, 1); b[5] = reason; return b; },
  // emnet's half-close extension (docs/wisp-extensions.md): type 0xe0.
  fin(id) { const b = Buffer.alloc(5); b[0] = 0xe0; b.writeUInt32LE(id, 1); return b; },
  // emnet's packed messages extension: type 0xe4 on stream 0, then
  // records (u32 length, one packet); and the packets of a message.
  packed(pkts) {
    return Buffer.concat([Buffer.from([0xe4, 0, 0, 0, 0]), ...pkts.map((p) => {
      const n = Buffer.alloc(4); n.writeUInt32LE(p.length); return Buffer.concat([n, p]);
    })]);
  },
  unpack(m) {
    if (m[0] !== 0xe4 || m.length < 5) return [m];
    const out = [];
    for (let o = 5; o + 4 <= m.length;) { const n = m.readUInt32LE(o); out.push(m.subarray(o + 4, o + 4 + n)); o += 4 + n; }
    return out;
  },
  // emnet's receive credit extension: type 0xe2, bytes u32.
  credit(id, n) { const b = Buffer.alloc(9); b[0] = 0xe2; b.writeUInt32LE(id, 1); b.writeUInt32LE(n, 5); return b; },
  info(major, minor) { const b = Buffer.alloc(7); b[0] = 5; b.writeUInt32LE(0, 1); b[5] = major; b[6] = minor; return b; },
  // INFO with extensions: exts is a list of [id, payload].
  infoWith(major, minor, exts) {
    return Buffer.concat([wisp.info(major, minor), ...exts.map(([id, payload]) => {
      const p = Buffer.from(payload || []);
      const h = Buffer.alloc(5); h[0] = id; h.writeUInt32LE(p.length, 1);
      return Buffer.concat([h, p]);
    })]);
  },
  // The client's password extension payload.
  password(user, pass) {
    const u = Buffer.from(user), p = Buffer.from(pass);
    const h = Buffer.alloc(3); h[0] = u.length; h.writeUInt16LE(p.length, 1);
    return Buffer.concat([h, u, p]);
  },
  // An INFO packet's fields: {major, minor, exts: [[id, payload]]}.
  parseInfo(m) {
    const exts = [];
    for (let o = 7; o + 5 <= m.length;) {
      const n = m.readUInt32LE(o + 1);
      exts.push([m[o], m.subarray(o + 5, o + 5 + n)]);
      o += 5 + n;
    }
    return { major: m[5], minor: m[6], exts };
  },
  parse(m) {
    const p = { type: m[0], id: m.readUInt32LE(1), payload: m.subarray(5) };
    if (p.type === 3) p.remaining = m.readUInt32LE(5);
    if (p.type === 4) p.reason = m[5];
    return p;
  },
};

// Runs one named case from cases, with a deadline; exits 0 only if every
// check passed.
function run(cases) {
  const [proxyBin, testsrvBin, name] = process.argv.slice(2);
  const fn = cases[name];
  if (!fn) {
    console.log('unknown case ' + name + '; known: ' + Object.keys(cases).join(' '));
    process.exit(2);
  }
  const timer = setTimeout(() => { console.log('FAIL - case timed out'); process.exit(1); }, 50000);
  fn({ proxyBin, testsrvBin }).then(async () => {
    // Every proxy must end cleanly on SIGTERM, with no sanitizer report
    // (the native tree is built with ASan and UBSan).
    for (const p of proxies) {
      if (p.proc.exitCode === null && p.proc.signalCode === null) process.kill(p.proc.pid, 'SIGTERM');
      const ex = await withTimeout(p.exited, 8000, 'proxy exit on SIGTERM');
      check(ex.code === 0, `proxy ${p.proc.pid} exits 0 on SIGTERM (${ex.code}/${ex.sig})`);
      const bad = p.err.filter((l) => /AddressSanitizer|LeakSanitizer|runtime error:/.test(l));
      check(bad.length === 0, `proxy ${p.proc.pid}: no sanitizer report` + (bad.length ? '\n' + p.err.join('\n') : ''));
    }
    clearTimeout(timer);
    console.log(failures ? `${failures} checks failed` : 'all checks passed');
    process.exit(failures ? 1 : 0);
  }, (e) => {
    console.log('FAIL - ' + (e && e.stack || e));
    for (const p of proxies) console.log(p.err.slice(-40).join('\n'));
    process.exit(1);
  });
}

module.exports = { check, eq, sleep, startProcess, startTestsrv, startProxy, freePort, silentTarget, openWs, withTimeout,
                   httpGet, metric, wisp, run, tmp };
