// emnet's settings reach C through getenv("EMNET_..."). Emscripten's
// environment is its own, so copy them in before main runs: under Node from
// process.env, in a page from Module.emnetEnv (an object the page sets).
Module['preRun'] = [].concat(Module['preRun'] || [], function emnetImportEnv() {
  if (typeof ENV == 'undefined') return;   // the program never reads its environment
  var src = {};
  if (typeof process == 'object' && process.env) src = process.env;
  if (Module['emnetEnv']) src = Module['emnetEnv'];
  for (var k in src) {
    if (k.indexOf('EMNET_') == 0) ENV[k] = String(src[k]);
  }
});
