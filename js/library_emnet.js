// emnet's host glue for the reactor (--js-library): what only JavaScript
// can do. It keeps no readiness state; the C side (reactor/) owns it.
//
//  - fd numbers: a placeholder stream in Emscripten's FS for each emnet fd,
//    so that emnet's fds and the FS's files share one number space;
//  - suspending and resuming a blocked call (ASYNCIFY; JSPI by hand);
//  - scheduling the hosted loop: a zero-delay macrotask for drives
//    (MessageChannel; setImmediate under Node), one setTimeout for the
//    nearest timer.
//
// Every call into C may grow memory: never keep a heap view across one.

var LibraryEmnet = {
  $EMNET: {
    resume: null,        // the pending wait's wake-up, while suspended
    waitTimer: null,
    post: null,          // posts one drive macrotask
    timer: null,
    warned: {},
    // Placeholder stream operations: emnet's fds are read, written, polled
    // and closed in C (reactor/emscripten_fd.c), never through the FS.
    // Whatever still reaches the FS (pread, lseek) fails as Linux does.
    streamOps: {},
    // Resumes a suspended wait once: on wake-up or when the timeout ends.
    startWait: function (resume, timeoutMs) {
      var done = false;
      function finish() {
        if (done) return;
        done = true;
        if (EMNET.waitTimer !== null) clearTimeout(EMNET.waitTimer);
        EMNET.waitTimer = null;
        EMNET.resume = null;
        resume(0);
      }
      EMNET.resume = finish;
      // Whole milliseconds, rounded up: a timer that fires early makes the
      // caller wait again, and a nested setTimeout is clamped to 4 ms.
      if (timeoutMs >= 0) EMNET.waitTimer = setTimeout(finish, Math.ceil(timeoutMs));
    },
    runDrive: function () {
      callUserCallback(function () { _emnet__sched_settle(); });
    },
    // Every event from the host (bytes arrived, a socket opened, closed or
    // drained) goes into C through here: after the handler, the drive it
    // asked for runs at once, in the event's own task. Waiting for the
    // posted macrotask instead would add one trip through the browser's
    // event loop to every round trip; the posted drive then finds nothing
    // pending and returns.
    event: function (handler) {
      callUserCallback(function () {
        EMNET.inEvent = true;   // a drive asked for now runs below: post none
        try {
          handler();
        } finally {
          EMNET.inEvent = false;
        }
        _emnet__sched_settle();
      });
    },
    inEvent: false,
  },

  emnet_js_fd_reserve__deps: ['$FS', '$EMNET'],
  emnet_js_fd_reserve: function (name, minFd) {
    try {
      var stream = FS.createStream({
        path: UTF8ToString(name),
        node: { mode: 49152 /* S_IFSOCK-like: no FS node behind it */ },
        flags: 2 /* O_RDWR */,
        seekable: false,
        stream_ops: EMNET.streamOps,
        emnet: true,
      }, minFd, 65535);
      return stream.fd;
    } catch (e) {
      if (e instanceof FS.ErrnoError) return -e.errno;
      throw e;
    }
  },

  emnet_js_fd_release__deps: ['$FS'],
  emnet_js_fd_release: function (fd) {
    FS.closeStream(fd);
  },

  // FD_CLOEXEC lives on the stream (Emscripten keeps none); O_CLOEXEC
  // given to open() starts it, as on Linux.
  emnet_js_stream_cloexec__deps: ['$FS'],
  emnet_js_stream_cloexec: function (fd, set) {
    var stream = FS.getStream(fd);
    if (!stream) return -{{{ cDefine('EBADF') }}};
    if (stream.emnetCloexec === undefined) stream.emnetCloexec = (stream.flags & {{{ cDefine('O_CLOEXEC') }}}) ? 1 : 0;
    if (set >= 0) stream.emnetCloexec = set;
    return stream.emnetCloexec;
  },

  // Status flags with Linux's F_SETFL semantics (replace the settable
  // bits); F_GETFL never shows O_CLOEXEC, which is not a status flag.
  emnet_js_stream_flags__deps: ['$FS'],
  emnet_js_stream_flags: function (fd, mask, value) {
    var stream = FS.getStream(fd);
    if (!stream) return -{{{ cDefine('EBADF') }}};
    stream.flags = (stream.flags & ~mask) | (value & mask);
    return stream.flags & ~{{{ cDefine('O_CLOEXEC') }}};
  },

  emnet_js_can_block: function () {
#if ASYNCIFY
    return 1;
#else
    return Module['emnetJspi'] ? 1 : 0;
#endif
  },

#if ASYNCIFY
  emnet_js_wait__deps: ['$Asyncify', '$EMNET'],
  emnet_js_wait: function (timeoutMs) {
    return Asyncify.handleSleep(function (wakeUp) { EMNET.startWait(wakeUp, timeoutMs); });
  },
#else
  // Without ASYNCIFY the wait is a JSPI suspending import when the page
  // instantiated the module that way (Module.emnetJspi); see js/jspi.js.
  emnet_js_wait__deps: ['$EMNET'],
  emnet_js_wait: function (timeoutMs) {
    return new Promise(function (resolve) { EMNET.startWait(resolve, timeoutMs); });
  },
#endif

  // Called from C while a JS callback is running (it wrote an eventfd,
  // say); the suspended program resumes once that callback has returned.
  emnet_js_wake__deps: ['$EMNET'],
  emnet_js_wake: function () {
    var resume = EMNET.resume;
    if (resume) Promise.resolve().then(resume);
  },

  emnet_js_warn_once__deps: ['$EMNET'],
  emnet_js_warn_once: function (message) {
    var text = UTF8ToString(message);
    if (EMNET.warned[text]) return;
    EMNET.warned[text] = true;
    err(text);
  },

  emnet_js_schedule_drive__deps: ['$EMNET', '$callUserCallback'],
  emnet_js_schedule_drive: function () {
    if (EMNET.inEvent) return;   // EMNET.event runs it when the handler returns
    if (!EMNET.post) {
      if (typeof MessageChannel == 'function' && !ENVIRONMENT_IS_NODE) {
        var channel = new MessageChannel();
        channel.port1.onmessage = EMNET.runDrive;
        EMNET.post = function () { channel.port2.postMessage(0); };
      } else {
        // Node: setImmediate is its unclamped macrotask, and unlike a
        // MessagePort it does not keep the process alive once idle.
        EMNET.post = function () { setImmediate(EMNET.runDrive); };
      }
    }
    EMNET.post();
  },

  emnet_js_schedule_timer__deps: ['$EMNET', '$callUserCallback'],
  emnet_js_schedule_timer: function (delayMs) {
    if (EMNET.timer !== null) clearTimeout(EMNET.timer);
    EMNET.timer = null;
    if (delayMs < 0) return;
    EMNET.timer = setTimeout(function () {
      EMNET.timer = null;
      callUserCallback(function () { _emnet__sched_timer(); });
    }, Math.ceil(delayMs));   // never early: browsers truncate fractions
  },
};

mergeInto(LibraryManager.library, LibraryEmnet);
