// emnet's WebSocket glue for the websockify transport (--js-library). It
// owns the WebSocket objects and nothing else: every event goes straight
// to C (net/transport_websockify.c), and received bytes are copied once,
// into the socket's receive buffer in the wasm heap.
//
// Where the engine has WebSocketStream (Chromium), it is used instead of
// WebSocket: its reader is read only while the socket's receive buffer has
// room, so a program that reads slowly slows the server down (through the
// proxy's TCP flow control) instead of filling the page's memory. A plain
// WebSocket (Node.js) cannot be paused: there the buffer grows.
//
// Every call into C may grow memory: HEAPU8 is re-read after each one.

var LibraryEmnetWs = {
  $EMNETWS__deps: ['$EMNET'],
  $EMNETWS: {
    sockets: [null],   // handle -> { ws, sockId, drainBelow }
    free: [],
    draining: null,    // the timer that watches bufferedAmount
    create: function (url) {
      var Impl = typeof WebSocket != 'undefined' ? WebSocket : require('ws');
      return new Impl(url);
    },
    // One write in flight per WebSocketStream, the rest wait in its outbox:
    // Chromium's renderer has been seen to crash when a stream is closed
    // with several writes pending.
    writeNext: function (e) {
      if (e.writing) return;
      if (!e.outbox.length) {
        if (e.closing) EMNETWS.closeStream(e);
        return;
      }
      var bytes = e.outbox.shift();
      e.writing = true;
      var written = function () {
        e.writing = false;
        e.inflight -= bytes.length;
        EMNETWS.drained(e);
        EMNETWS.writeNext(e);
      };
      e.writer.write(bytes).then(written, written);
    },
    // What close() sent before it still goes out (as the kernel sends a
    // closed socket's queue), then the stream closes with 1000.
    closeStream: function (e) {
      e.closing = false;
      try { e.stream.close({ closeCode: 1000, reason: '' }); } catch (x) {}
    },
    // A WebSocketStream's writes settle one by one: tell C as soon as the
    // bytes in flight are below the mark it waits for.
    drained: function (e) {
      if (e.drainBelow < 0 || e.inflight >= e.drainBelow || e.gone) return;
      e.drainBelow = -1;
      EMNET.event(function () { _emnet__ws_on_drain(e.sockId); });
    },
    // A WebSocket's bufferedAmount has no event when it goes down: while a
    // socket waits for room, look every few milliseconds (no busy loop).
    watch: function () {
      if (EMNETWS.draining !== null) return;
      EMNETWS.draining = setTimeout(function () {
        EMNETWS.draining = null;
        var again = false;
        EMNETWS.sockets.forEach(function (e) {
          if (!e || !e.ws || e.drainBelow < 0) return;
          if (e.ws.bufferedAmount < e.drainBelow) {
            e.drainBelow = -1;
            EMNET.event(function () { _emnet__ws_on_drain(e.sockId); });
          } else {
            again = true;
          }
        });
        if (again) EMNETWS.watch();
      }, 2);
    },
  },

  emnet_js_ws_open__deps: ['$EMNETWS', '$EMNET'],
  emnet_js_ws_open: function (url, sockId) {
    url = UTF8ToString(url);
    var entry = { ws: null, stream: null, sockId: sockId, drainBelow: -1, inflight: 0, paused: false, reading: false,
                  outbox: [], writing: false };
    // A message: into the socket's buffer; C answers whether it wants more.
    function deliver(bytes) {
      if (entry.gone) return;   // a read that completed after close(): not for anyone
      EMNET.event(function () {
        var p = _emnet__ws_rx_reserve(sockId, bytes.length);
        if (!p) return;
        HEAPU8.set(bytes, p);   // the global view, current after the call
        entry.paused = !_emnet__ws_rx_commit(sockId, bytes.length);
      });
    }
    function closed(code) {
      if (entry.gone) return;
      entry.gone = true;
      EMNET.event(function () { _emnet__ws_on_close(sockId, code); });
    }
    try {
      if (typeof WebSocketStream == 'function') {
        entry.stream = new WebSocketStream(url);
        entry.pump = function () {
          if (entry.reading || entry.paused || entry.gone || !entry.reader) return;
          entry.reading = true;
          entry.reader.read().then(function (r) {
            entry.reading = false;
            if (r.done) return;
            deliver(typeof r.value == 'string' ? new TextEncoder().encode(r.value) : new Uint8Array(r.value));
            entry.pump();
          }, function () { entry.reading = false; });
        };
        entry.stream.opened.then(function (c) {
          entry.reader = c.readable.getReader();
          entry.writer = c.writable.getWriter();
          EMNET.event(function () { _emnet__ws_on_open(sockId); });
          entry.pump();
        }, function () {});
        entry.stream.closed.then(function (c) { closed(c.closeCode || 1005); },
                                 function (e) { closed(e && e.closeCode ? e.closeCode : 1006); });
      } else {
        var ws = entry.ws = EMNETWS.create(url);
        ws.binaryType = 'arraybuffer';
        ws.onopen = function () {
          entry.opened = true;
          EMNET.event(function () { _emnet__ws_on_open(sockId); });
        };
        ws.onmessage = function (e) { deliver(new Uint8Array(e.data)); };
        ws.onclose = function (e) { closed(e.code); };
        // After the open a close event follows an error; before it (the
        // proxy refused the handshake) Node's WebSocket may send none.
        ws.onerror = function () { if (!entry.opened) closed(1006); };
      }
    } catch (e) {
      return -{{{ cDefine('EINVAL') }}};   // a malformed URL
    }
    var handle = EMNETWS.free.length ? EMNETWS.free.pop() : EMNETWS.sockets.length;
    EMNETWS.sockets[handle] = entry;
    return handle;
  },

  // The socket's buffer has room again: read on (WebSocketStream only).
  emnet_js_ws_resume__deps: ['$EMNETWS'],
  emnet_js_ws_resume: function (handle) {
    var e = EMNETWS.sockets[handle];
    if (!e || !e.paused) return;
    e.paused = false;
    if (e.pump) e.pump();
  },

  emnet_js_ws_send__deps: ['$EMNETWS'],
  emnet_js_ws_send: function (handle, buf, len) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    // slice(): a copy, since the heap may grow (and detach) before the send.
    var bytes = HEAPU8.slice(buf, buf + len);
    if (e.writer) {
      e.inflight += len;
      e.outbox.push(bytes);
      EMNETWS.writeNext(e);
    } else if (e.ws && e.ws.readyState === 1) {
      e.ws.send(bytes);
    }
  },

  emnet_js_ws_buffered__deps: ['$EMNETWS'],
  emnet_js_ws_buffered: function (handle) {
    var e = EMNETWS.sockets[handle];
    if (!e) return 0;
    return e.ws ? e.ws.bufferedAmount : e.inflight;
  },

  emnet_js_ws_watch_drain__deps: ['$EMNETWS'],
  emnet_js_ws_watch_drain: function (handle, below) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    e.drainBelow = below;
    if (e.writer) Promise.resolve().then(function () { EMNETWS.drained(e); });   // not from inside C
    else EMNETWS.watch();
  },

  emnet_js_ws_live__deps: ['$EMNETWS'],
  emnet_js_ws_live: function () {
    return EMNETWS.sockets.length - 1 - EMNETWS.free.length;
  },

  emnet_js_ws_close__deps: ['$EMNETWS'],
  emnet_js_ws_close: function (handle) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    e.gone = true;
    if (e.ws) {
      e.ws.onopen = e.ws.onmessage = e.ws.onclose = null;
      e.ws.onerror = function () {};
      if (e.ws.readyState <= 1) e.ws.close(1000);
    } else if (e.writing) {
      e.closing = true;   // after the outbox: EMNETWS.writeNext
    } else {
      EMNETWS.closeStream(e);
    }
    EMNETWS.sockets[handle] = null;
    EMNETWS.free.push(handle);
  },
};

mergeInto(LibraryManager.library, LibraryEmnetWs);
