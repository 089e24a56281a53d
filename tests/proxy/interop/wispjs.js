// Promise wrappers around the Wisp client of @mercuryworkshop/wisp-js, an
// implementation written independently of emnet: what it manages to do
// through emnet-proxy is what another Wisp client will see.
'use strict';
const { client: wispjs, extensions } = require('@mercuryworkshop/wisp-js/client');
const path = require('path');
// The "ws" module as wisp-js itself finds it.
const ws = require(require.resolve('ws', { paths: [path.dirname(require.resolve('@mercuryworkshop/wisp-js/client'))] }));

// Resolves with the ClientConnection once it is usable (after the server's
// CONTINUE on stream 0), rejects if it errs, closes or takes too long.
// opts go to wisp-js unchanged ({ wisp_version: 1 } for a v1 client).
// noSubprotocol: wisp-js's WebSocket does not offer its subprotocol, so
// that the Wisp v2 INFO exchange can be tried on its own.
function connect(url, opts = {}, ms = 5000, noSubprotocol = false) {
  return new Promise((resolve, reject) => {
    const conn = noSubprotocol ? withoutSubprotocol(() => new wispjs.ClientConnection(url, opts))
      : new wispjs.ClientConnection(url, opts);
    const timer = setTimeout(() => reject(new Error('wisp-js: no open within ' + ms + ' ms')), ms);
    conn.closed = new Promise((closed) => {
      conn.onclose = () => { clearTimeout(timer); closed(); reject(new Error('wisp-js: closed before open')); };
    });
    conn.onerror = () => { clearTimeout(timer); reject(new Error('wisp-js: WebSocket error')); };
    conn.onopen = () => { clearTimeout(timer); resolve(conn); };
  });
}

// wisp-js creates its WebSocket with the "ws" module's WebSocket class,
// looked up when it connects: replaced meanwhile by one that drops the
// subprotocol argument.
function withoutSubprotocol(make) {
  const Real = ws.WebSocket;
  ws.WebSocket = class extends Real {
    constructor(url, protocols, options) { super(url, options); }
  };
  try { return make(); } finally { ws.WebSocket = Real; }
}

// Opens a stream and records what comes back: messages (Buffers, one per
// DATA packet), the CLOSE reason, and how many CONTINUE packets arrived
// (wisp-js has no event for them, so its handler is wrapped).
function stream(conn, host, port, type = 'tcp') {
  const s = conn.create_stream(host, port, type);
  const r = { s, messages: [], continues: 0, waiters: [] };
  r.closed = new Promise((resolve) => { s.onclose = (reason) => { r.reason = reason; resolve(reason); }; });
  s.onmessage = (data) => {
    r.messages.push(Buffer.from(data));
    for (const w of r.waiters.slice()) if (w.test()) { r.waiters.splice(r.waiters.indexOf(w), 1); w.resolve(); }
  };
  const onContinue = s.continue_received.bind(s);
  s.continue_received = (remaining) => { r.continues++; onContinue(remaining); };
  r.send = (bytes) => s.send(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  r.bytes = () => Buffer.concat(r.messages);
  // Resolves once test() holds over what arrived so far.
  r.until = (test, ms = 10000, what = 'data') => {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), ms);
      r.waiters.push({ test, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  };
  return r;
}

// Close reasons of the Wisp protocol that the tests expect.
const reasons = { voluntary: 0x02, refused: 0x44, blocked: 0x48 };

module.exports = { connect, stream, reasons, extensions };
