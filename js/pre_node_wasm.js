// Under Node.js, hand Emscripten the .wasm bytes so that it never calls the
// global fetch() on a file path (Node 20's fetch rejects it). In a browser this
// file does nothing and the .wasm is fetched as usual.
if (typeof process == 'object' && typeof process.versions == 'object' &&
    typeof process.versions.node == 'string' && typeof require == 'function' &&
    !Module['wasmBinary']) {
  Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
}
