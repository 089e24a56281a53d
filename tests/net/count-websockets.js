// Preloaded into Node.js (node --require FILE): counts the WebSockets the
// program opens, through the global WebSocket and through the npm ws
// package, and prints "websockets opened: N" when the process exits. It
// counts constructions, whatever the program's own bookkeeping says.
'use strict';
const Module = require('module');

let opened = 0;
const counted = new WeakMap();   // class -> its counting stand-in
function counting(cls) {
  if (typeof cls != 'function') return cls;
  if (!counted.has(cls)) {
    counted.set(cls, new Proxy(cls, {
      construct(target, args, newTarget) {
        opened++;
        return Reflect.construct(target, args, newTarget === counted.get(cls) ? target : newTarget);
      },
    }));
  }
  return counted.get(cls);
}

if (typeof globalThis.WebSocket == 'function') globalThis.WebSocket = counting(globalThis.WebSocket);
const load = Module._load;
Module._load = function (request, ...rest) {
  const exported = load.call(this, request, ...rest);
  return request === 'ws' ? counting(exported) : exported;
};
process.on('exit', () => process.stdout.write(`websockets opened: ${opened}\n`));
