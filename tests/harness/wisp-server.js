// A Wisp server for the tests (the npm package @mercuryworkshop/wisp-js):
// listens on 127.0.0.1, on a port the kernel picks, prints "wisp PORT" then
// "ready", and stops on SIGTERM. Version 2 for clients that offer the
// subprotocol "wisp-v2" (without stream open confirmation), else 1. It lets streams reach the loopback
// address only (127.0.0.1, and the name localhost, resolved to it): the
// harness's servers, nothing else.
'use strict';
const http = require('http');
const net = require('net');
const { server: wisp, logging } = require('@mercuryworkshop/wisp-js/server');

// The library refuses loopback targets by default; allow them, and only
// them: a target must be named 127.0.0.1 or localhost.
wisp.options.allow_loopback_ips = true;
wisp.options.allow_private_ips = false;
wisp.options.hostname_whitelist = [/^127\.0\.0\.1$/, /^localhost$/];
wisp.options.dns_result_order = 'ipv4first';
logging.set_level(process.env.EMNET_WISP_LOG === 'debug' ? logging.DEBUG : logging.WARN);

// The TCP side of a stream. The library's own closes a stream's TCP
// connection with end() alone: a target that keeps sending (the source
// server) is then still read, at full speed, for a stream nobody has any
// more. Here closing a stream closes its connection, and a stream that
// falls behind stops reading its target (TCP flow control does the rest).
// The interface is the one the library's streams call.
const QUEUE_HIGH = 16, QUEUE_LOW = 4;   // chunks of at most 64 KiB

class LoopbackTCPSocket {
  constructor(hostname, port) {
    this.hostname = hostname;
    this.port = port;
    this.socket = null;
    this.chunks = [];
    this.ended = false;
    this.wake = null;
  }

  notify() {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
  }

  connect() {
    return new Promise((resolve, reject) => {
      let connected = false;
      // family 4: "localhost" is the IPv4 loopback, where the servers listen.
      const s = this.socket = net.connect({ host: this.hostname, port: this.port, family: 4 });
      s.setNoDelay(true);
      s.on('connect', () => {
        connected = true;
        resolve();
      });
      s.on('data', (d) => {
        this.chunks.push(d);
        if (this.chunks.length >= QUEUE_HIGH) s.pause();
        this.notify();
      });
      s.on('error', () => {});   // 'close' follows
      s.on('close', () => {
        this.ended = true;
        this.socket = null;
        if (!connected) reject(new Error(`connect to ${this.hostname}:${this.port} failed`));
        this.notify();
      });
    });
  }

  async recv() {
    while (!this.chunks.length && !this.ended) await new Promise((r) => { this.wake = r; });
    if (!this.chunks.length) return null;
    if (this.chunks.length <= QUEUE_LOW && this.socket) this.socket.resume();
    return this.chunks.shift();
  }

  send(data) {
    return new Promise((resolve) => {
      if (!this.socket) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  async close() {
    if (this.socket) this.socket.destroy();
    this.socket = null;
    this.ended = true;
    this.notify();
  }

  pause() {}
  resume() {}
}

const server = http.createServer((req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('a Wisp server: connect with a WebSocket\n');
});
// Under /v1/ it is a server that knows nothing of Wisp v2: it never
// selects the subprotocol "wisp-v2" (clients that insist on it see the
// handshake fail) and speaks version 1.
server.on('upgrade', (req, socket, head) => {
  if (req.url.startsWith('/v1/')) delete req.headers['sec-websocket-protocol'];
  wisp.routeRequest(req, socket, head, { TCPSocket: LoopbackTCPSocket });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`wisp ${server.address().port}`);
  console.log('ready');
});

process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
