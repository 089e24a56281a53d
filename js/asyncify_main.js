// ASYNCIFY builds (pre-js; CMake: emnet_wasm_link(<target> ASYNCIFY)).
// Emscripten 3.1.6 drops the value main returns once main has slept in a
// blocking call: the runtime stays alive and nobody exits, so Node ends
// with status 0 and a page never hears of it. Deliver it: main's return
// value, whenever it comes, becomes the exit status, as in a native build.
Module['onRuntimeInitialized'] = (function (previous) {
  return function () {
    if (previous) previous();
    var realMain = Module['_main'];
    if (!realMain) return;
    function exitWith(status) {
      runtimeKeepaliveCounter = 0;   // the sleeps kept the runtime alive; main is done now
      try {
        exit(status);
      } catch (e) {
        if (!(e instanceof ExitStatus) && e !== 'unwind') throw e;
      }
    }
    Module['_main'] = function (argc, argv) {
      Asyncify.asyncPromiseHandlers = {
        resolve: exitWith,
        reject: function (e) { err('main failed: ' + e); exitWith(1); },
      };
      var ret = realMain(argc, argv);
      if (Asyncify.currData) throw 'unwind';   // asleep: the status comes through the handlers
      Asyncify.asyncPromiseHandlers = null;
      return ret;
    };
  };
})(Module['onRuntimeInitialized']);
