// emnet-proxy soak: 1,000 WebSocket clients against one emnet-proxy on
// 127.0.0.1 (ports the kernel picks), well-behaved and hostile at once, for a
// bounded time, and a report of what the well-behaved clients saw and what
// the proxy spent.
//
//   node tests/bench/proxy_soak.js [EMNET_PROXY EMNET_TESTSRV]
//   (default: BUILD or EMNET_NATIVE_BUILD, else build/native-release)
//
// Clients, all from 127.0.0.1 in this one process:
//   well-behaved (800): 300 Wisp clients with 3 TCP echo streams each and 424
//     websockify-mode clients, each stream sending 32 bytes to emnet-testsrv's
//     tcp_echo and waiting for them every ~200 ms; 72 Wisp clients with 2 UDP
//     streams to udp_echo doing the same (2 s without an answer = lost);
//     4 Wisp clients moving data through tcp_echo as fast as it goes
//     (60 KiB packets, Wisp credit honoured, at most 256 KiB in flight).
//   hostile (200, 40 of each kind):
//     cycler   Wisp: a TCP CONNECT every 200 ms to a server of this script
//              that sends 200 KB and closes; never reads the WebSocket.
//     flooder  Wisp: CONNECTs to a port the allowlist forbids, as fast as the
//              proxy reads them; never reads the WebSocket.
//     udp      Wisp: at most once a second, when its last stream is closed,
//              a UDP CONNECT to a name under emnet-soak.invalid (allowed,
//              never resolves), followed at once by 36 DATA packets of 60 KiB
//              (more than the 32 the proxy keeps for a stream waiting for its
//              lookup); reads its CLOSEs.
//     slowfin  websockify mode to tcp_source (which sends without end),
//              reads one message every 200 ms for 2-6 s, then half-closes
//              (FIN) and stops reading, half-closes and keeps reading, or
//              drops the connection; a new one after that.
//     loop     opens a connection (websockify mode or Wisp), closes it as
//              soon as it is open (cleanly or by dropping it), again, with
//              25 ms between connections.
//
// A hostile client the proxy closes comes back 0.5 s later; a well-behaved
// one 1 s later.
//
// Phases: the well-behaved clients alone (EMNET_SOAK_BASELINE_SECONDS, 20),
// then with the hostile ones (EMNET_SOAK_SECONDS, 120), after a 3 s warm-up.
// At the end: GET /metrics (pass: an answer within 3 s), then SIGTERM with
// the clients still connected (pass: the proxy is gone within 8 s; its
// drain timeout is 2 s). Hostile load stops early when the proxy's RSS
// passes EMNET_SOAK_RSS_LIMIT_MB (4096, or half the available memory if
// less; a FAIL too). EMNET_SOAK_FLOOD_RATE caps each flooder (CONNECTs per
// second; 0, the default: as fast as the proxy reads). EMNET_SOAK_MIX
// changes client counts ("flooder=0,bulk=2"; names as in N below). The
// per-client budget (client_buffer 1 MiB, client_buffer_max 8 MiB) is
// passed when this proxy accepts those keys (asked with --check-config),
// and the report says which. The proxy's stderr goes to a file, as to a
// journal, so that it never waits
// for this process; the file is measured and tallied, then deleted.
//
// Every process it starts (emnet-testsrv, emnet-proxy) it stops by its PID,
// also on failure or SIGINT/SIGTERM, and a watchdog ends the run at its
// bounded time plus 60 s whatever the proxy does. Exit status: 0 when every
// PASS/FAIL line passed, 1 when one failed, 2 when the run could not start.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { monitorEventLoopDelay } = require('perf_hooks');

const root = path.resolve(__dirname, '..', '..');
const WebSocket = require(path.join(root, 'node_modules', 'ws'));

// ---------------------------------------------------------------- settings
const envNum = (k, d) => {
  const v = process.env[k];
  if (v === undefined || v === '') return d;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) { console.error(`proxy_soak: ${k}=${v} is not a number`); process.exit(2); }
  return n;
};
const MIXED_S = envNum('EMNET_SOAK_SECONDS', 120);
const BASE_S = envNum('EMNET_SOAK_BASELINE_SECONDS', 20);
const WARMUP_S = 3;
const FLOOD_RATE = envNum('EMNET_SOAK_FLOOD_RATE', 0);
const memAvailMB = (() => {
  const m = /MemAvailable:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) / 1024 : 8192;
})();
const RSS_LIMIT_MB = envNum('EMNET_SOAK_RSS_LIMIT_MB', Math.min(4096, Math.floor(memAvailMB / 2)));

const N = {
  wispEcho: 300, wispEchoStreams: 3,
  wsfyEcho: 424,
  wispUdp: 72, wispUdpStreams: 2,
  bulk: 4,
  cycler: 40, flooder: 40, udp: 40, slowfin: 40, loop: 40,
};
// EMNET_SOAK_MIX=kind=count,...: other counts (e.g. "flooder=0,bulk=2").
for (const item of (process.env.EMNET_SOAK_MIX || '').split(',').filter(Boolean)) {
  const [k, v] = item.split('=');
  if (!(k in N) || !(Number(v) >= 0)) { console.error(`proxy_soak: EMNET_SOAK_MIX: bad item ${item}`); process.exit(2); }
  N[k] = Number(v);
}
const PERIOD_MS = 200;          // one 32-byte round trip per stream per period
const UDP_LOSS_MS = 2000;
const TALK_BYTES = 200 * 1000;  // what the cyclers' target sends before closing
const CYCLE_MS = 200;
const UDP_DATA = 60 * 1024;
const UDP_BURST = 36;
const LOOP_GAP_MS = 25;
const BULK_CHUNK = 60 * 1024;
const BULK_WINDOW = 256 * 1024;
const SLOW_NAME = 'emnet-soak.invalid';
const METRICS_OK_MS = 3000;
const TERM_OK_MS = 8000;

const build = path.resolve(root, process.env.BUILD || process.env.EMNET_NATIVE_BUILD || 'build/native-release');
const PROXY = process.argv[2] || path.join(build, 'proxy', 'emnet-proxy');
const TESTSRV = process.argv[3] || path.join(build, 'tests', 'servers', 'emnet-testsrv');

const say = (s) => process.stderr.write(`proxy_soak: ${s}\n`);
const out = (s = '') => process.stdout.write(s + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

// ---------------------------------------------------------------- children
const children = [];   // { name, proc, exited }
let tmpdir = null;

function killChildren(sig) {
  for (const c of children) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) {
      try { process.kill(c.proc.pid, sig); } catch (e) { /* gone */ }
    }
  }
}
function removeTmp() {
  if (tmpdir) { try { fs.rmSync(tmpdir, { recursive: true, force: true }); } catch (e) { /* ignore */ } tmpdir = null; }
}
process.on('exit', () => { killChildren('SIGKILL'); removeTmp(); });
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => { say(`${sig}: stopping`); killChildren('SIGKILL'); removeTmp(); process.exit(code); });
}
process.on('uncaughtException', (e) => {
  say('error: ' + (e && e.stack || e));
  killChildren('SIGKILL'); removeTmp(); process.exit(2);
});

function start(name, bin, args, opts = {}) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const c = { name, proc, outLines: [], errText: '' };
  c.exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig, t: now() })));
  proc.on('error', (e) => { say(`${name}: ${e.message}`); });
  let partial = '';
  if (proc.stderr) proc.stderr.on('data', (d) => { c.errText = (c.errText + d).slice(-4000); });
  proc.stdout.on('data', (d) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop();
    c.outLines.push(...lines.filter(Boolean));
    if (c.onLine) for (const l of lines) if (l) c.onLine(l);
  });
  children.push(c);
  return c;
}

function waitLine(c, re, ms) {
  return new Promise((resolve, reject) => {
    const hit = () => c.outLines.find((l) => re.test(l));
    if (hit()) return resolve(hit());
    const timer = setTimeout(() => reject(new Error(`${c.name} did not print ${re} within ${ms} ms\n${c.errText.slice(-2000)}`)), ms);
    c.onLine = (l) => { if (re.test(l)) { clearTimeout(timer); c.onLine = null; resolve(l); } };
    c.exited.then((x) => { clearTimeout(timer); reject(new Error(`${c.name} exited (${x.code}/${x.sig})\n${c.errText.slice(-2000)}`)); });
  });
}

// ---------------------------------------------------------------- /proc
const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout) > 0 ? Number(r.stdout) : 100;
})();
function procRssKB(pid) {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch (e) { return NaN; }
}
function procCpuS(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;   // utime + stime
  } catch (e) { return NaN; }
}
function procFds(pid) {
  try { return fs.readdirSync(`/proc/${pid}/fd`).length; } catch (e) { return NaN; }
}
const nodeCpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

// ---------------------------------------------------------------- the proxy's log
// stderr goes to a file (as to a journal: the proxy never waits for this
// process to read); its size is sampled, its events tallied at the end.
const log = { file: null, fd: -1, bytes: 0, lines: 0, scanned: 0, events: new Map(), warnings: [], when: {} };
const SHUTDOWN_EVENTS = new Set(['draining', 'drain_timeout', 'exit']);
function logSize() {
  try { return fs.fstatSync(log.fd).size; } catch (e) { return NaN; }
}
function tallyLog(limitBytes) {
  const fd = fs.openSync(log.file, 'r');
  const buf = Buffer.alloc(4 << 20);
  let carry = '', pos = 0;
  const re = /time=(\S+) level=(\w+) event=(\w+)([^\n]*)/g;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n <= 0) break;
    pos += n;
    const text = carry + buf.toString('latin1', 0, n);
    const end = text.lastIndexOf('\n');
    carry = end < 0 ? text : text.slice(end + 1);
    const whole = end < 0 ? '' : text.slice(0, end + 1);
    for (let k = whole.indexOf('\n'); k !== -1; k = whole.indexOf('\n', k + 1)) log.lines++;
    let m;
    re.lastIndex = 0;
    while ((m = re.exec(whole)) !== null) {
      const r = / reason=(\w+)/.exec(m[4]);
      const key = m[3] + (r ? `/${r[1]}` : '');
      log.events.set(key, (log.events.get(key) || 0) + 1);
      if (SHUTDOWN_EVENTS.has(m[3])) log.when[m[3]] = Date.parse(m[1]);
      if (m[2] !== 'info' && m[2] !== 'debug') {
        log.warnings.push(m[0].slice(0, 300));
        if (log.warnings.length > 5) log.warnings.shift();
      }
    }
    if (pos >= limitBytes) break;
  }
  fs.closeSync(fd);
  log.scanned = pos;
}

// ---------------------------------------------------------------- Wisp and raw frames
const W = { CONNECT: 1, DATA: 2, CONTINUE: 3, CLOSE: 4, INFO: 5 };
function wConnect(id, udp, port, host) {
  const h = Buffer.from(host);
  const b = Buffer.alloc(8 + h.length);
  b[0] = W.CONNECT; b.writeUInt32LE(id, 1); b[5] = udp ? 2 : 1; b.writeUInt16LE(port, 6); h.copy(b, 8);
  return b;
}
function wData(id, payload) {
  const b = Buffer.alloc(5 + payload.length);
  b[0] = W.DATA; b.writeUInt32LE(id, 1); payload.copy(b, 5);
  return b;
}
// A client frame header (binary, final) for a payload of n bytes, masked with
// the key 0 so that the payload goes out as it is: hostile and bulk senders
// write frames straight to the socket, costing this process next to nothing.
function frameHeader(n, extra = 0) {
  let h;
  if (n < 126) { h = Buffer.alloc(6 + extra); h[1] = 0x80 | n; }
  else if (n < 65536) { h = Buffer.alloc(8 + extra); h[1] = 0x80 | 126; h.writeUInt16BE(n, 2); }
  else { h = Buffer.alloc(14 + extra); h[1] = 0x80 | 127; h.writeBigUInt64BE(BigInt(n), 2); }
  h[0] = 0x82;
  return h;
}
function rawFrame(payload) { return Buffer.concat([frameHeader(payload.length), payload]); }
// Header of a frame carrying a Wisp DATA packet of len payload bytes on id
// (frame header and the 5-byte Wisp header in one buffer; the payload follows).
function dataHeader(id, len) {
  const fh = frameHeader(5 + len, 5);
  const o = fh.length - 5;
  fh[o] = W.DATA; fh.writeUInt32LE(id, o + 1);
  return fh;
}

// ---------------------------------------------------------------- measurements
class Samples {
  constructor() { this.a = new Float64Array(1 << 14); this.n = 0; }
  add(v) {
    if (this.n === this.a.length) { const b = new Float64Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  stats() {
    if (!this.n) return { n: 0, p50: NaN, p99: NaN, max: NaN };
    const s = this.a.slice(0, this.n).sort();
    const q = (p) => s[Math.min(this.n - 1, Math.floor(p * this.n))];
    return { n: this.n, p50: q(0.5), p99: q(0.99), max: s[this.n - 1] };
  }
}
const KINDS = ['wisp_tcp', 'websockify', 'wisp_udp'];
function newPhase(name) {
  const p = { name, rtt: {}, lost: 0, bulkBytes: 0, t0: now(), t1: null, samples: [] };
  for (const k of [...KINDS, 'all']) p.rtt[k] = new Samples();
  return p;
}
let phase = null;          // null during setup and warm-up
let windowRtt = new Samples();
let windowCompleted = 0;
let completedTotal = 0;
function recordRtt(kind, ms) {
  if (!phase) return;
  phase.rtt[kind].add(ms);
  phase.rtt.all.add(ms);
  windowRtt.add(ms);
  windowCompleted++;
  completedTotal++;
}

// Per kind of client: how its connections went.
const tally = {};
function T(kind) {
  return tally[kind] || (tally[kind] = {
    clients: 0, attempts: 0, opened: 0, refused: new Map(), failed: new Map(), byProxy: new Map(), byUs: 0,
    openNow: 0, extra: new Map(),
  });
}
const bump = (map, key, n = 1) => map.set(key, (map.get(key) || 0) + n);

const clients = new Set();   // every connection not yet closed
const state = { stopping: false, hostileOn: false, guardTripped: null, proxyPort: 0 };

// One WebSocket to the proxy with its bookkeeping. Handlers: open(c),
// message(c, buf), closed(c) (c.byUs: this side closed it). The socket's
// last error is kept, so that a connection dropped under a client that does
// not read (no close frame seen) is told apart.
function connect(kind, pathq, h) {
  const t = T(kind);
  t.attempts++;
  const ws = new WebSocket(`ws://127.0.0.1:${state.proxyPort}${pathq}`, { perMessageDeflate: false, handshakeTimeout: 5000 });
  ws.binaryType = 'nodebuffer';
  const c = { ws, kind, opened: false, byUs: false, sockErr: null, timers: [] };
  clients.add(c);
  c.close = (how) => {
    if (c.byUs) return;
    c.byUs = true;
    if (how === 'drop') ws.terminate(); else ws.close(1000);
  };
  ws.on('open', () => {
    c.opened = true;
    t.opened++;
    t.openNow++;
    ws._socket.on('error', (e) => { c.sockErr = c.sockErr || e.code || e.message; });
    if (h.open) h.open(c);
  });
  ws.on('message', (d) => { if (h.message) h.message(c, d); });
  ws.on('error', (e) => {
    if (c.opened) return;
    const m = /Unexpected server response: (\d+)/.exec(e.message);
    if (m) bump(t.refused, m[1]); else bump(t.failed, e.code || e.message.slice(0, 40));
  });
  ws.on('close', (code) => {
    clients.delete(c);
    for (const x of c.timers) { clearTimeout(x); clearInterval(x); }
    if (c.opened) {
      t.openNow--;
      if (c.byUs) t.byUs++;
      else bump(t.byProxy, code === 1006 ? `1006/${c.sockErr || 'eof'}` : String(code));
    }
    if (h.closed) h.closed(c);
  });
  return c;
}

// ---------------------------------------------------------------- well-behaved

// A 32-byte round trip every PERIOD_MS: send() sends, got(n) counts bytes back.
function rtStream(kind, sendFn, udp) {
  const s = { kind, udp, pending: false, t0: 0, bytes: 0, timer: null, lossTimer: null };
  const payload = Buffer.alloc(32, 0x5a);
  const schedule = (at) => {
    if (state.stopping) return;
    s.timer = setTimeout(s.send, Math.max(0, at - now()));
  };
  s.send = () => {
    s.timer = null;
    if (state.stopping || s.dead) return;
    s.pending = true; s.t0 = now(); s.bytes = 0;
    sendFn(payload);
    if (udp) {
      s.lossTimer = setTimeout(() => {
        s.lossTimer = null;
        if (!s.pending) return;
        s.pending = false;
        if (phase) phase.lost++;
        s.send();
      }, UDP_LOSS_MS);
    }
  };
  s.got = (n) => {
    if (!s.pending) return;
    s.bytes += n;
    if (s.bytes < 32) return;
    s.pending = false;
    if (s.lossTimer) { clearTimeout(s.lossTimer); s.lossTimer = null; }
    const t = now();
    recordRtt(kind, t - s.t0);
    schedule(Math.max(t, s.t0 + PERIOD_MS * (0.8 + 0.4 * Math.random())));
  };
  s.begin = () => schedule(now() + Math.random() * PERIOD_MS);
  s.stop = () => {
    s.dead = true;
    if (s.timer) clearTimeout(s.timer);
    if (s.lossTimer) clearTimeout(s.lossTimer);
  };
  return s;
}
const liveStreams = new Set();   // for the censored samples at the end

function wispEchoClient(kind, nstreams, udp, port) {
  T(kind).clients++;
  const open = () => {
    const streams = new Map();
    connect(kind, '/wisp/', {
      open(c) {
        for (let i = 1; i <= nstreams; i++) {
          const s = rtStream(kind, (p) => c.ws.send(wData(i, p)), udp);
          streams.set(i, s);
          liveStreams.add(s);
          c.ws.send(wConnect(i, udp, port, '127.0.0.1'));
          s.begin();
        }
      },
      message(c, m) {
        if (m.length < 5) return;
        const id = m.readUInt32LE(1);
        const s = streams.get(id);
        if (!s) return;
        if (m[0] === W.DATA) s.got(m.length - 5);
        else if (m[0] === W.CLOSE) {
          bump(T(kind).extra, `stream CLOSE 0x${(m[5] || 0).toString(16)}`);
          s.stop(); liveStreams.delete(s); streams.delete(id);
        }
      },
      closed(c) {
        for (const s of streams.values()) { s.stop(); liveStreams.delete(s); }
        if (!c.byUs && !state.stopping) setTimeout(open, 1000);
      },
    });
  };
  open();
}

function wsfyEchoClient(port) {
  const kind = 'websockify';
  T(kind).clients++;
  const open = () => {
    let s = null;
    connect(kind, `/tcp/127.0.0.1/${port}`, {
      open(c) { s = rtStream(kind, (p) => c.ws.send(p), false); liveStreams.add(s); s.begin(); },
      message(c, m) { if (s) s.got(m.length); },
      closed(c) {
        if (s) { s.stop(); liveStreams.delete(s); }
        if (!c.byUs && !state.stopping) setTimeout(open, 1000);
      },
    });
  };
  open();
}

// Bulk: 60 KiB DATA packets through tcp_echo, at most 256 KiB in flight.
function bulkClient(port) {
  const kind = 'bulk';
  T(kind).clients++;
  const payload = Buffer.alloc(BULK_CHUNK, 0x42);
  const open = () => {
    let credit = 0, sent = 0, back = 0, started = false;
    const hdr = dataHeader(1, BULK_CHUNK);
    let sock = null;
    const pump = () => {
      if (!sock || state.stopping || !started) return;
      while (credit > 0 && sent - back + BULK_CHUNK <= BULK_WINDOW && sock.writableLength < 256 * 1024) {
        sock.cork(); sock.write(hdr); sock.write(payload); sock.uncork();
        credit--; sent += BULK_CHUNK;
      }
    };
    connect(kind, '/wisp/', {
      open(c) {
        sock = c.ws._socket;
        sock.on('drain', pump);
        c.ws.send(wConnect(1, false, port, '127.0.0.1'));
      },
      message(c, m) {
        if (m.length < 5) return;
        const id = m.readUInt32LE(1);
        if (m[0] === W.CONTINUE && m.length >= 9) {
          credit = m.readUInt32LE(5);
          if (id === 0 && !started) { started = true; }
          pump();
        } else if (m[0] === W.DATA && id === 1) {
          back += m.length - 5;
          if (phase) phase.bulkBytes += m.length - 5;
          pump();
        } else if (m[0] === W.CLOSE && id === 1) {
          bump(T(kind).extra, `stream CLOSE 0x${(m[5] || 0).toString(16)}`);
        }
      },
      closed(c) { if (!c.byUs && !state.stopping) setTimeout(open, 1000); },
    });
  };
  open();
}

// ---------------------------------------------------------------- hostile
const hostileGo = () => state.hostileOn && !state.stopping;
const again = (fn, ms) => { if (hostileGo()) setTimeout(() => { if (hostileGo()) fn(); }, ms); };

// (a) a stream after another to a target that sends 200 KB and closes; never reads.
function cyclerClient(talkPort) {
  const kind = 'cycler';
  T(kind).clients++;
  const open = () => {
    let id = 1;
    connect(kind, '/wisp/', {
      open(c) {
        c.ws.pause();
        const sock = c.ws._socket;
        c.timers.push(setInterval(() => {
          if (!hostileGo() || sock.writableLength > 65536 || sock.destroyed) return;
          sock.write(rawFrame(wConnect(id++, false, talkPort, '127.0.0.1')));
          bump(T(kind).extra, 'CONNECTs written');
        }, CYCLE_MS));
      },
      closed() { again(open, 500); },
    });
  };
  open();
}

// (b) CONNECTs to a forbidden port as fast as they are taken; never reads.
function flooderClient(blockedPort) {
  const kind = 'flooder';
  T(kind).clients++;
  const PER = 1000;
  const batch = Buffer.concat(Array.from({ length: PER }, (_, i) => rawFrame(wConnect(i + 1, false, blockedPort, '127.0.0.1'))));
  const open = () => {
    connect(kind, '/wisp/', {
      open(c) {
        c.ws.pause();
        const sock = c.ws._socket;
        if (FLOOD_RATE > 0) {
          // FLOOD_RATE CONNECTs a second, in 50 ms slices.
          const per = Math.max(1, Math.round(FLOOD_RATE / 20));
          const slice = batch.subarray(0, batch.length / PER * Math.min(per, PER));
          c.timers.push(setInterval(() => {
            if (!hostileGo() || sock.destroyed || sock.writableLength > 65536) return;
            sock.write(slice);
            bump(T(kind).extra, 'CONNECTs written', Math.min(per, PER));
          }, 50));
          return;
        }
        const pump = () => {
          while (hostileGo() && !sock.destroyed) {
            bump(T(kind).extra, 'CONNECTs written', PER);
            if (!sock.write(batch)) return;   // 'drain' calls again
          }
        };
        sock.on('drain', pump);
        pump();
      },
      closed() { again(open, 500); },
    });
  };
  open();
}

// (c) UDP CONNECT to a name that does not resolve, then 36 x 60 KiB at once.
const udpLookup = new Samples();
function udpClient() {
  const kind = 'udp';
  T(kind).clients++;
  const payload = Buffer.alloc(UDP_DATA, 0x55);
  const open = () => {
    let id = 1;
    const started = new Map();
    connect(kind, '/wisp/', {
      open(c) {
        const sock = c.ws._socket;
        // One stream at a time (a new one once the last is closed, or after
        // 10 s), so that CONNECT to CLOSE does not grow with a backlog of
        // this client's own; it still includes the wait behind the part of
        // the last burst the proxy has not read yet.
        const burst = () => {
          if (!hostileGo() || sock.destroyed) return;
          for (const t of started.values()) if (now() - t < 10000) return;
          const sid = id++;
          sock.cork();
          sock.write(rawFrame(wConnect(sid, true, 9, `u${sid}.${SLOW_NAME}`)));
          for (let i = 0; i < UDP_BURST; i++) { sock.write(dataHeader(sid, UDP_DATA)); sock.write(payload); }
          sock.uncork();
          started.set(sid, now());
          bump(T(kind).extra, 'UDP CONNECTs sent');
          bump(T(kind).extra, 'DATA packets sent', UDP_BURST);
        };
        c.timers.push(setTimeout(() => { burst(); c.timers.push(setInterval(burst, 1000)); }, Math.random() * 1000));
      },
      message(c, m) {
        if (m.length >= 6 && m[0] === W.CLOSE) {
          const sid = m.readUInt32LE(1);
          bump(T(kind).extra, `stream CLOSE 0x${m[5].toString(16)}`);
          if (started.has(sid)) { udpLookup.add(now() - started.get(sid)); started.delete(sid); }
        }
      },
      closed() { again(open, 500); },
    });
  };
  open();
}

// (d) slow reader of an endless sender, then FIN (reading or not) or a drop.
const finWait = new Samples();
function slowfinClient(sourcePort, n) {
  const kind = 'slowfin';
  T(kind).clients++;
  let round = n;
  const open = () => {
    const how = ['fin_unread', 'fin_read', 'drop'][round++ % 3];
    connect(kind, `/tcp/127.0.0.1/${sourcePort}`, {
      open(c) {
        const ws = c.ws;
        ws.pause();
        let want = false;
        c.timers.push(setInterval(() => { want = true; ws.resume(); }, 200));
        c.message = () => { if (want) { want = false; ws.pause(); } };
        c.timers.push(setTimeout(() => {
          for (const x of c.timers) clearInterval(x);
          c.byUs = true;
          bump(T(kind).extra, how);
          if (how === 'drop') { ws.terminate(); return; }
          const t0 = now();
          ws._socket.end();                     // FIN, the WebSocket not closed
          if (how === 'fin_unread') {
            // Not reading, this side cannot see the proxy's close; it ends after 5 s.
            ws.pause();
            c.timers.push(setTimeout(() => ws.terminate(), 5000));
            return;
          }
          ws.resume();
          ws.once('close', () => finWait.add(now() - t0));
          c.timers.push(setTimeout(() => {
            bump(T(kind).extra, 'fin_read: not closed 5 s after the FIN');
            ws.terminate();
          }, 5000));
        }, 2000 + Math.random() * 4000));
      },
      message(c) { if (c.message) c.message(); },
      closed() { again(open, 100); },
    });
  };
  open();
}

// (e) open, close at once, again.
function loopClient(echoPort, n) {
  const kind = 'loop';
  T(kind).clients++;
  let round = n;
  const open = () => {
    const i = round++;
    connect(kind, i % 2 ? '/wisp/' : `/tcp/127.0.0.1/${echoPort}`, {
      open(c) { c.close(i % 4 < 2 ? 'clean' : 'drop'); },
      closed() { again(open, LOOP_GAP_MS); },
    });
  };
  open();
}

// The cyclers' target: 200 KB, then close (given up after 10 s).
function startTalker() {
  const chunk = Buffer.alloc(TALK_BYTES, 0x61);
  const srv = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.end(chunk);
    const t = setTimeout(() => sock.destroy(), 10000);
    sock.on('close', () => clearTimeout(t));
  });
  srv.on('error', (e) => say('talker: ' + e.message));
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

// ---------------------------------------------------------------- HTTP
function httpGet(port, pathq, ms) {
  return new Promise((resolve) => {
    const t0 = now();
    const req = http.get({ host: '127.0.0.1', port, path: pathq, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, ms: now() - t0 }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.setTimeout(ms, () => { req.destroy(new Error(`no answer within ${ms} ms`)); });
    req.on('error', (e) => resolve({ error: e.message }));
  });
}
function parseMetrics(body) {
  const m = new Map();
  for (const line of (body || '').split('\n')) {
    if (!line || line[0] === '#') continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

// ---------------------------------------------------------------- sampling
const series = [];   // one sample a second
let proxyPid = 0, testsrvPid = 0;
function sample() {
  const s = {
    t: now(), rss: procRssKB(proxyPid), cpu: procCpuS(proxyPid), fds: procFds(proxyPid),
    node: nodeCpuS(), ts: procCpuS(testsrvPid), log: logSize(), done: completedTotal, phase: phase && phase.name,
  };
  series.push(s);
  if (phase) phase.samples.push(s);
  if (state.hostileOn && phase && !state.guardTripped && s.rss / 1024 > RSS_LIMIT_MB) {
    state.guardTripped = { t: (s.t - phase.t0) / 1000, rss: s.rss };
    state.hostileOn = false;
    say(`proxy RSS ${(s.rss / 1024).toFixed(0)} MB passed the ${RSS_LIMIT_MB} MB guard: hostile load stopped`);
  }
  return s;
}

// ---------------------------------------------------------------- output helpers
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const fms = (x) => (!Number.isFinite(x) ? '-' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const mb = (kb) => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : '-');
const pad = (s, n) => String(s).padStart(n);
const fmtMap = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${v}`).join(' ') || '-';

function phaseSummary(p) {
  const ss = p.samples;
  const first = ss[0], last = ss[ss.length - 1];
  const secs = (p.t1 - p.t0) / 1000;
  const rss = ss.map((s) => s.rss).filter(Number.isFinite);
  const fds = ss.map((s) => s.fds).filter(Number.isFinite);
  return {
    secs,
    rssStart: first ? first.rss : NaN, rssMax: rss.length ? Math.max(...rss) : NaN, rssEnd: last ? last.rss : NaN,
    fdsStart: first ? first.fds : NaN, fdsMax: fds.length ? Math.max(...fds) : NaN, fdsEnd: last ? last.fds : NaN,
    cpu: last && first ? last.cpu - p.cpu0 : NaN,
    node: last && first ? last.node - p.node0 : NaN,
    ts: last && first ? last.ts - p.ts0 : NaN,
    log: last ? last.log - p.log0 : NaN,
    lag: p.lag,
  };
}

// ---------------------------------------------------------------- main
async function main() {
  for (const f of [PROXY, TESTSRV]) {
    if (!fs.existsSync(f)) { say(`${f} is missing: build the tree first (make native-release)`); process.exit(2); }
  }
  const total = WARMUP_S + BASE_S + MIXED_S;
  const watchdog = setTimeout(() => {
    out('FAIL soak overran its bounded time; processes killed');
    killChildren('SIGKILL'); removeTmp(); process.exit(1);
  }, (total + 60) * 1000);

  tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'emnet-soak-'));
  const ts = start('emnet-testsrv', TESTSRV, []);
  testsrvPid = ts.proc.pid;
  await waitLine(ts, /^ready$/, 10000);
  const ports = {};
  for (const l of ts.outLines) { const m = /^(\w+) (\d+)$/.exec(l); if (m) ports[m[1]] = Number(m[2]); }
  const talker = await startTalker();
  const talkPort = talker.address().port;
  const blockedPort = ports.tcp_sink;   // a real server, which the allowlist forbids

  // Does this proxy know the per-client budget keys?
  const budgetArgs = ['--client-buffer', '1048576', '--client-buffer-max', '8388608'];
  const chk = spawnSync(PROXY, [...budgetArgs, '--check-config'], { encoding: 'utf8', timeout: 10000 });
  const budget = chk.status === 0;

  const conf = [
    '# written by tests/bench/proxy_soak.js',
    `allow = 127.0.0.1:${ports.tcp_echo}`,
    `allow = 127.0.0.1:${ports.udp_echo}`,
    `allow = 127.0.0.1:${ports.tcp_source}`,
    `allow = 127.0.0.1:${talkPort}`,
    `allow = *.${SLOW_NAME}:9`,
    'max_connections = 10000',
    'max_connections_per_ip = 4000',
    'log_level = info',
    '',
  ].join('\n');
  const confFile = path.join(tmpdir, 'proxy.conf');
  fs.writeFileSync(confFile, conf);
  log.file = path.join(tmpdir, 'proxy.log');
  log.fd = fs.openSync(log.file, 'w');
  const px = start('emnet-proxy', PROXY,
                   ['--config', confFile, '--listen', '127.0.0.1:0', '--drain-timeout', '2', ...(budget ? budgetArgs : [])],
                   { stdio: ['ignore', 'pipe', log.fd] });
  proxyPid = px.proc.pid;
  px.exited.then(() => { px.errText = fs.readFileSync(log.file, 'latin1').slice(-2000); });
  const lst = await waitLine(px, /^listening 127\.0\.0\.1:\d+$/, 10000);
  state.proxyPort = Number(lst.split(':').pop());

  const nWell = N.wispEcho + N.wsfyEcho + N.wispUdp + N.bulk;
  const nHostile = N.cycler + N.flooder + N.udp + N.slowfin + N.loop;
  out(`emnet-proxy soak: ${nWell + nHostile} WebSocket clients (${nWell} well-behaved, ${nHostile} hostile)` +
      ' from one Node.js process to one emnet-proxy');
  out(`  proxy ${path.relative(root, PROXY) || PROXY} on 127.0.0.1:${state.proxyPort}; targets on 127.0.0.1:` +
      ` tcp_echo ${ports.tcp_echo}, udp_echo ${ports.udp_echo}, tcp_source ${ports.tcp_source},` +
      ` 200 KB talker ${talkPort}; forbidden ${blockedPort}`);
  out(`  config: max_connections 10000, max_connections_per_ip 4000 (all clients come from 127.0.0.1),` +
      ` max_streams 256 (default), buffer 262144 (default), log_level info, drain timeout 2 s`);
  if (budget) out('  per-client budget: client_buffer 1048576, client_buffer_max 8388608');
  else out('  note: this emnet-proxy does not accept client_buffer / client_buffer_max: run without a per-client budget');
  out(`  well-behaved: ${N.wispEcho} Wisp x ${N.wispEchoStreams} TCP echo streams, ${N.wsfyEcho} websockify echo,` +
      ` ${N.wispUdp} Wisp x ${N.wispUdpStreams} UDP echo streams (32 B every ~${PERIOD_MS} ms), ${N.bulk} Wisp bulk`);
  out(`  hostile: ${N.cycler} cyclers, ${N.flooder} CONNECT flooders` +
      `${FLOOD_RATE ? ` (${FLOOD_RATE}/s each)` : ''}, ${N.udp} early-UDP, ${N.slowfin} slow readers + FIN,` +
      ` ${N.loop} open/close loops`);
  out(`  phases: ${WARMUP_S} s warm-up, ${BASE_S} s baseline (well-behaved only), ${MIXED_S} s mixed;` +
      ` hostile load stops if the proxy's RSS passes ${RSS_LIMIT_MB} MB`);

  // Sampling starts now, once a second.
  sample();
  const sampler = setInterval(sample, 1000);

  // Well-behaved clients, 50 at a time.
  const wellMakers = [];
  for (let i = 0; i < N.wispEcho; i++) wellMakers.push(() => wispEchoClient('wisp_tcp', N.wispEchoStreams, false, ports.tcp_echo));
  for (let i = 0; i < N.wsfyEcho; i++) wellMakers.push(() => wsfyEchoClient(ports.tcp_echo));
  for (let i = 0; i < N.wispUdp; i++) wellMakers.push(() => wispEchoClient('wisp_udp', N.wispUdpStreams, true, ports.udp_echo));
  for (let i = 0; i < N.bulk; i++) wellMakers.push(() => bulkClient(ports.tcp_echo));
  for (let i = 0; i < wellMakers.length; i += 50) { wellMakers.slice(i, i + 50).forEach((f) => f()); await sleep(20); }
  const wellCount = wellMakers.length;
  const openWell = () => ['wisp_tcp', 'websockify', 'wisp_udp', 'bulk'].reduce((a, k) => a + T(k).openNow, 0);
  for (let i = 0; i < 100 && openWell() < wellCount; i++) await sleep(100);
  say(`${openWell()} of ${wellCount} well-behaved clients open; warming up`);
  await sleep(WARMUP_S * 1000);

  const lag = monitorEventLoopDelay({ resolution: 10 });
  const beginPhase = (name) => {
    const p = newPhase(name);
    const s = sample();
    p.samples = [s];
    p.cpu0 = s.cpu; p.node0 = s.node; p.ts0 = s.ts; p.log0 = s.log;
    lag.reset(); lag.enable();
    windowRtt = new Samples(); windowCompleted = 0;
    phase = p;
    return p;
  };
  const endPhase = (p) => {
    p.t1 = now();
    p.samples.push(sample());
    p.lag = { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
    lag.disable();
    phase = null;
  };
  const timeline = [];
  const flushWindow = (p) => {
    const s = sample(), s0 = p.lastTick || p.samples[0];
    const dt = (s.t - s0.t) / 1000;
    if (dt < 1) return;
    const w = windowRtt.stats();
    timeline.push(`  ${p.name.padEnd(8)} ${pad(((s.t - p.t0) / 1000).toFixed(0), 4)} s  round trips/s ${pad((windowCompleted / dt).toFixed(0), 6)}` +
                  `  p50 ${pad(fms(w.p50), 6)} p99 ${pad(fms(w.p99), 6)} max ${pad(fms(w.max), 6)} ms` +
                  `  proxy RSS ${pad(mb(s.rss), 7)} MB CPU ${pad(((s.cpu - s0.cpu) / dt * 100).toFixed(0), 3)}%` +
                  `  node CPU ${pad(((s.node - s0.node) / dt * 100).toFixed(0), 3)}%  log ${pad(((s.log - s0.log) / dt / 1024).toFixed(0), 6)} KB/s`);
    say(timeline[timeline.length - 1].trim());
    p.lastTick = s;
    windowRtt = new Samples(); windowCompleted = 0;
  };
  const tick = (p, every) => setInterval(() => flushWindow(p), every);

  // ---- baseline
  const base = beginPhase('baseline');
  let ticker = tick(base, 10000);
  await sleep(BASE_S * 1000);
  clearInterval(ticker);
  flushWindow(base);
  endPhase(base);
  const metrics1 = await httpGet(state.proxyPort, '/metrics', 3000);

  // ---- mixed
  say('starting the hostile clients');
  state.hostileOn = true;
  const hostileMakers = [];
  for (let i = 0; i < N.cycler; i++) hostileMakers.push(() => cyclerClient(talkPort));
  for (let i = 0; i < N.flooder; i++) hostileMakers.push(() => flooderClient(blockedPort));
  for (let i = 0; i < N.udp; i++) hostileMakers.push(() => udpClient());
  for (let i = 0; i < N.slowfin; i++) hostileMakers.push(() => slowfinClient(ports.tcp_source, i));
  for (let i = 0; i < N.loop; i++) hostileMakers.push(() => loopClient(ports.tcp_echo, i));
  hostileMakers.sort(() => Math.random() - 0.5);
  const mixed = beginPhase('mixed');
  ticker = tick(mixed, 10000);
  for (let i = 0; i < hostileMakers.length; i += 20) { hostileMakers.slice(i, i + 20).forEach((f) => f()); await sleep(50); }
  await sleep(Math.max(0, MIXED_S * 1000 - (now() - mixed.t0)));
  clearInterval(ticker);
  flushWindow(mixed);
  // Round trips still waiting count with the time they have waited so far.
  // (UDP ones are left to their loss timer.)
  let censored = 0, stuck = 0;
  const tEnd = now();
  for (const s of liveStreams) {
    if (!s.pending || s.udp) continue;
    censored++;
    if (tEnd - s.t0 > 1000) stuck++;
    mixed.rtt[s.kind].add(tEnd - s.t0);
    mixed.rtt.all.add(tEnd - s.t0);
  }
  endPhase(mixed);
  state.hostileOn = false;
  state.stopping = true;   // no more sends, reconnects or new connections

  // ---- the end: /metrics, then SIGTERM with the clients connected
  // Pass: an answer within METRICS_OK_MS; a later one is still waited for
  // (up to 10 s) to say how late it was.
  const metrics2 = await httpGet(state.proxyPort, '/metrics', 10000);
  const metricsAnswered = !!(metrics2.status === 200 && /emnet_proxy_connections /.test(metrics2.body));
  const metricsOk = metricsAnswered && metrics2.ms <= METRICS_OK_MS;
  const openAtEnd = {}, closedBefore = {};
  for (const k of Object.keys(tally)) { openAtEnd[k] = tally[k].openNow; closedBefore[k] = new Map(tally[k].byProxy); }
  const tTerm = now(), wallTerm = Date.now();
  try { process.kill(proxyPid, 'SIGTERM'); } catch (e) { /* gone */ }
  // Pass: gone within TERM_OK_MS (the drain timeout is 2 s); waited for up
  // to 15 s, then killed.
  const ex = await Promise.race([px.exited, sleep(15000).then(() => null)]);
  if (!ex) { try { process.kill(proxyPid, 'SIGKILL'); } catch (e) { /* gone */ } await px.exited; }
  const termMs = ex ? ex.t - tTerm : NaN;
  const termOk = !!ex && termMs <= TERM_OK_MS;
  clearInterval(sampler);
  for (const c of [...clients]) { try { c.ws.terminate(); } catch (e) { /* ignore */ } }
  talker.close();
  try { process.kill(testsrvPid, 'SIGTERM'); } catch (e) { /* gone */ }
  await Promise.race([ts.exited, sleep(3000)]);
  log.bytes = logSize();
  tallyLog(256 << 20);

  // ---------------------------------------------------------------- report
  out();
  out('timeline (every 10 s: completed 32-byte round trips of the well-behaved clients, latency in the window)');
  for (const l of timeline) out(l);

  out();
  out('round trip of 32 bytes, well-behaved clients (ms; mixed includes round trips still waiting at the end)');
  out(`${'clients'.padEnd(12)} ${'baseline n'.padStart(10)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}` +
      `   ${'mixed n'.padStart(9)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}   ratio p50   p99   max`);
  for (const k of [...KINDS, 'all']) {
    const b = base.rtt[k].stats(), m = mixed.rtt[k].stats();
    out(`${k.padEnd(12)} ${pad(b.n, 10)} ${pad(fms(b.p50), 7)} ${pad(fms(b.p99), 7)} ${pad(fms(b.max), 7)}` +
        `   ${pad(m.n, 9)} ${pad(fms(m.p50), 7)} ${pad(fms(m.p99), 7)} ${pad(fms(m.max), 7)}` +
        `   ${pad(f1(m.p50 / b.p50), 9)} ${pad(f1(m.p99 / b.p99), 5)} ${pad(f1(m.max / b.max), 5)}`);
  }
  const bs = phaseSummary(base), ms = phaseSummary(mixed);
  const rate = (p) => p.rtt.all.n / ((p.t1 - p.t0) / 1000);
  out(`round trips completed per second: baseline ${rate(base).toFixed(0)}, mixed ${rate(mixed).toFixed(0)}` +
      ` (ratio ${f2(rate(mixed) / rate(base))}); UDP lost (no echo in ${UDP_LOSS_MS / 1000} s): baseline ${base.lost},` +
      ` mixed ${mixed.lost}; still waiting at the end ${censored} (${stuck} for over 1 s)`);
  // Seconds of the mixed phase in which the round trips all but stopped.
  {
    const baseRate = rate(base);
    let slow = 0, run = 0, longest = 0;
    for (let i = 1; i < mixed.samples.length; i++) {
      const a = mixed.samples[i - 1], b = mixed.samples[i];
      const dt = (b.t - a.t) / 1000;
      if (dt < 0.5) continue;
      const r = (b.done - a.done) / dt;
      if (r < 0.1 * baseRate) { slow++; run++; longest = Math.max(longest, run); } else run = 0;
    }
    out(`seconds of the mixed phase with under 10% of the baseline's round trips: ${slow} (longest run ${longest} s)`);
    // A stop to the end: no round trip and no log line from some second on.
    const ss = mixed.samples;
    let k = ss.length - 1;
    while (k > 0 && ss[k].done === ss[k - 1].done && ss[k].log === ss[k - 1].log) k--;
    const quiet = (ss[ss.length - 1].t - ss[k].t) / 1000;
    if (quiet >= 3) {
      const cpu = (ss[ss.length - 1].cpu - ss[k].cpu) / quiet;
      out(`the proxy stopped: no round trip completed and no log line was written in the last ${quiet.toFixed(0)} s` +
          ` of the mixed phase, while it used ${(cpu * 100).toFixed(0)}% of a core`);
    }
  }
  out(`bulk Wisp through tcp_echo (${N.bulk} clients, bytes echoed): baseline ${f1(base.bulkBytes / bs.secs / 1e6)} MB/s,` +
      ` mixed ${f1(mixed.bulkBytes / ms.secs / 1e6)} MB/s`);

  out();
  out(`${'process'.padEnd(44)} ${'baseline'.padStart(16)} ${'mixed'.padStart(20)}`);
  const row = (l, a, b) => out(`${l.padEnd(44)} ${pad(a, 16)} ${pad(b, 20)}`);
  row('proxy RSS MB start / max / end', `${mb(bs.rssStart)}/${mb(bs.rssMax)}/${mb(bs.rssEnd)}`,
      `${mb(ms.rssStart)}/${mb(ms.rssMax)}/${mb(ms.rssEnd)}`);
  row('proxy fds start / max / end', `${bs.fdsStart}/${bs.fdsMax}/${bs.fdsEnd}`, `${ms.fdsStart}/${ms.fdsMax}/${ms.fdsEnd}`);
  row('proxy CPU s (% of one core)', `${f1(bs.cpu)} (${(bs.cpu / bs.secs * 100).toFixed(0)}%)`,
      `${f1(ms.cpu)} (${(ms.cpu / ms.secs * 100).toFixed(0)}%)`);
  row('emnet-testsrv CPU s', f1(bs.ts), f1(ms.ts));
  row('client (this node process) CPU s (% of one core)', `${f1(bs.node)} (${(bs.node / bs.secs * 100).toFixed(0)}%)`,
      `${f1(ms.node)} (${(ms.node / ms.secs * 100).toFixed(0)}%)`);
  row('client event-loop delay p99 / max ms', `${f1(bs.lag.p99)}/${f1(bs.lag.max)}`, `${f1(ms.lag.p99)}/${f1(ms.lag.max)}`);
  row('proxy log bytes written in the phase', String(bs.log), String(ms.log));
  const nodeBusy = Math.max(bs.node / bs.secs, ms.node / ms.secs);
  if (nodeBusy > 0.85 || ms.lag.p99 > 50) {
    out(`note: the client process was busy (${(nodeBusy * 100).toFixed(0)}% of a core, event-loop delay p99` +
        ` ${f1(ms.lag.p99)} ms): part of the latency may be the client's own`);
  }
  out(`cores: ${os.cpus().length}; the proxy, the client and emnet-testsrv share them`);
  if (state.guardTripped) {
    out(`proxy RSS passed ${RSS_LIMIT_MB} MB ${f1(state.guardTripped.t)} s into the mixed phase` +
        ` (${mb(state.guardTripped.rss)} MB): hostile load stopped there`);
  }

  out();
  out('clients by kind (connections: attempted / opened; closed by the proxy: WebSocket close code, or 1006 and');
  out('the socket error when no close frame was read; the hostile ones that never read see no close frame)');
  const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  for (const [k, t] of Object.entries(tally)) {
    const after = new Map([...t.byProxy].map(([c, n]) => [c, n - (closedBefore[k].get(c) || 0)]).filter(([, n]) => n > 0));
    out(`  ${k.padEnd(10)} clients ${pad(t.clients, 4)}  connections ${t.attempts}/${t.opened}` +
        `  closed by proxy ${sum(closedBefore[k])} [${fmtMap(closedBefore[k])}]  open at the end ${openAtEnd[k]}` +
        ` (after SIGTERM: ${sum(after)} closed by proxy [${fmtMap(after)}])`);
    if (t.refused.size || t.failed.size) out(`             upgrade refused [${fmtMap(t.refused)}]  failed [${fmtMap(t.failed)}]`);
    if (t.extra.size) out(`             ${fmtMap(t.extra)}`);
  }
  const ul = udpLookup.stats(), fw = finWait.stats();
  out(`early UDP: CONNECT written to CLOSE read ${ul.n ? `p50 ${fms(ul.p50)} ms, max ${fms(ul.max)} ms over ${ul.n} streams` : 'never seen'}`);
  out(`  (names under ${SLOW_NAME} never resolve; how fast the lookup fails is up to this machine's resolver;`);
  out('  the time includes the wait behind what the proxy had not yet read of the previous burst)');
  out(`slow readers: FIN to the proxy's close ${fw.n ? `p50 ${fms(fw.p50)} ms, max ${fms(fw.max)} ms over ${fw.n}` : 'never seen'}`);

  out();
  out(`proxy log: ${log.bytes} bytes, ${log.lines} lines` +
      `${log.scanned < log.bytes ? ` in its first ${log.scanned} bytes` : ''}; by event[/reason]: ${fmtMap(log.events)}`);
  for (const w of log.warnings) out(`  ${w}`);

  out();
  const m1 = parseMetrics(metrics1.body), m2 = parseMetrics(metrics2.body);
  if (metricsAnswered) {
    out('GET /metrics at the end (after the mixed phase; + what the mixed phase added)');
    for (const [k, v] of m2) {
      if (!k.startsWith('emnet_proxy_')) continue;
      if (v === 0 && !m1.get(k)) continue;
      const d = m1.has(k) ? v - m1.get(k) : NaN;
      out(`  ${k} ${v}${Number.isFinite(d) && /_total/.test(k) ? `   (+${d})` : ''}`);
    }
  } else if (metrics1.status === 200) {
    out('GET /metrics after the baseline (none at the end):');
    for (const [k, v] of m1) if (k.startsWith('emnet_proxy_') && v) out(`  ${k} ${v}`);
  }

  out();
  const checks = [
    [metricsOk, `proxy answers GET /metrics at the end within ${METRICS_OK_MS / 1000} s` +
      (metricsAnswered ? ` (${fms(metrics2.ms)} ms)` : ` (${metrics2.error || `status ${metrics2.status}`})`)],
    [termOk, `proxy exits on SIGTERM within ${TERM_OK_MS / 1000} s, clients still connected` +
      (ex ? ` (${fms(termMs)} ms, exit ${ex.code === null ? ex.sig : ex.code})` : ' (still running after 15 s: killed)') +
      (Object.keys(log.when).length ? '; its log: ' + [...SHUTDOWN_EVENTS].filter((e) => log.when[e])
        .map((e) => `${e} +${log.when[e] - wallTerm} ms`).join(', ') : '; its log: nothing after SIGTERM')],
    [!state.guardTripped, `proxy RSS stays under ${RSS_LIMIT_MB} MB under hostile load (max ${mb(ms.rssMax)} MB)`],
  ];
  for (const [ok, what] of checks) out(`${ok ? 'PASS' : 'FAIL'} ${what}`);
  clearTimeout(watchdog);
  removeTmp();
  process.exit(checks.every(([ok]) => ok) ? 0 : 1);
}

main().catch((e) => {
  say('error: ' + (e && e.stack || e));
  killChildren('SIGKILL'); removeTmp(); process.exit(2);
});
