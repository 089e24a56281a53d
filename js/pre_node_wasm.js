// Under Node.js, hand Emscripten the .wasm bytes so that it never calls the
// global fetch() on a file path (Node 20's fetch rejects it). In a browser this
// file does nothing and the .wasm is fetched as usual.
var emnetInNode = typeof process == 'object' && typeof process.versions == 'object' &&
    typeof process.versions.node == 'string';
if (emnetInNode && typeof require == 'function' && !Module['wasmBinary']) {
  Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
}

// Under Node.js the process ends when the program exits; the WebSockets'
// last bytes (a protocol's goodbye, the data before a close) would be lost
// with it. So the exit waits, at most 5 s, until emnet's sockets have sent
// everything (js/library_emnet_websocket.js), as the kernel delivers a
// socket's queued data after its process has gone.
if (emnetInNode && !Module['quit']) {
  Module['quit'] = function (status, toThrow) {
    var deadline = Date.now() + 5000;
    (function exitWhenSent() {
      var pending = Module['emnetPendingOutput'] ? Module['emnetPendingOutput']() : 0;
      if (!pending || Date.now() > deadline) process.exit(status);
      setTimeout(exitWhenSent, 5);
    })();
    throw toThrow;
  };
}
