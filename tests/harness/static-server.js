// Static file server for the browser tests: serves the repository root on
// 127.0.0.1, on a port the kernel picks, and prints "http PORT" then "ready".
// Also a module: createServer(root, onPost) for runners that need pages to
// send results back (a POST's body goes to onPost(path, text)).
//
// Pages are cross-origin isolated (COOP/COEP), which gives them 5 us
// performance.now() resolution instead of 100 us; .wasm goes out as
// application/wasm so that streaming compilation works.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml',
};
const MAX_POST = 1 << 20;   // results are small; anything bigger is refused

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

function receivePost(req, res, onPost) {
  const parts = [];
  let size = 0;
  req.on('data', (d) => {
    size += d.length;
    if (size > MAX_POST) req.destroy();
    else parts.push(d);
  });
  req.on('end', () => {
    onPost(new URL(req.url, 'http://x').pathname, Buffer.concat(parts).toString('utf8'));
    reply(res, 204, 'text/plain', '');
  });
}

function serveFile(root, req, res) {
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
}

function createServer(rootDir, onPost) {
  const root = path.resolve(rootDir);
  return http.createServer((req, res) => {
    if (req.method === 'POST' && onPost) return receivePost(req, res, onPost);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'method not allowed\n');
    serveFile(root, req, res);
  });
}

module.exports = { createServer };

if (require.main === module) {
  const server = createServer(process.argv[2] || '.');
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http ${server.address().port}\nready\n`);
  });
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();   // keep-alive sockets would hold close() open
    });
  }
}
