// Static file server for the browser tests: serves the repository root on
// 127.0.0.1, on a port the kernel picks, and prints "http PORT" then "ready".
//
// Pages are cross-origin isolated (COOP/COEP), which gives them 5 us
// performance.now() resolution instead of 100 us; .wasm goes out as
// application/wasm so that streaming compilation works.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const root = path.resolve(process.argv[2] || '.');
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml',
};

function reply(res, status, type, body) {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'method not allowed\n');
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch (e) {
    return reply(res, 400, 'text/plain', 'bad path\n');
  }
  const file = path.join(root, path.normalize(rel));
  if (file !== root && !file.startsWith(root + path.sep)) return reply(res, 403, 'text/plain', 'outside the root\n');
  fs.readFile(file, (err, data) => {
    if (err) return reply(res, 404, 'text/plain', 'not found\n');
    reply(res, 200, types[path.extname(file)] || 'application/octet-stream', req.method === 'HEAD' ? '' : data);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http ${server.address().port}\nready\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();   // keep-alive sockets would hold close() open
  });
}
