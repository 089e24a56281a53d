// JSPI for emnet's blocking calls, in a build without ASYNCIFY (pre-js;
// CMake: emnet_wasm_link(<target> JSPI)). Where the engine has
// WebAssembly.Suspending (Chromium), emnet's wait import becomes a
// suspending import and main a promising export: epoll_wait(-1) then
// suspends the program while the page runs, as ASYNCIFY would, without
// ASYNCIFY's code growth. Elsewhere (Node 20) nothing changes and blocking
// calls fail with ENOTSUP as in any build that cannot suspend.
//
// Needs readable import and export names: link with -O2, not -O3/-Os.
if (typeof WebAssembly == 'object' && typeof WebAssembly.Suspending == 'function' &&
    typeof WebAssembly.promising == 'function') {
  Module['emnetJspi'] = true;
  Module['instantiateWasm'] = function (info, receiveInstance) {
    var env = Object.assign({}, info['env']);
    env['emnet_js_wait'] = new WebAssembly.Suspending(env['emnet_js_wait']);
    var imports = Object.assign({}, info, { 'env': env });
    var bytes = Module['wasmBinary'] ? Promise.resolve(Module['wasmBinary'])
      : fetch(wasmBinaryFile, { credentials: 'same-origin' }).then(function (r) { return r.arrayBuffer(); });
    bytes.then(function (b) { return WebAssembly.instantiate(b, imports); }).then(function (r) {
      var exports = Object.assign({}, r.instance.exports);   // the exports object is frozen
      var name = exports['main'] ? 'main' : '__main_argc_argv';
      var promisingMain = WebAssembly.promising(r.instance.exports[name]);
      // main now returns a Promise: keep the runtime alive ('unwind') and
      // exit with main's status once it settles.
      exports[name] = function (argc, argv) {
        promisingMain(argc, argv).then(function (status) {
          try { exit(status); } catch (e) { if (!(e instanceof ExitStatus)) throw e; }
        }, function (e) {
          err('emnet: main failed: ' + e);
          try { exit(1); } catch (x) { if (!(x instanceof ExitStatus)) throw x; }
        });
        throw 'unwind';
      };
      receiveInstance({ exports: exports }, r.module);
    });
    return {};
  };
}
