// emnet's WebSocket glue for the websockify transport (--js-library). It
// owns the WebSocket objects and nothing else: every event goes straight
// to C (net/transport_websockify.c), and received bytes are copied once,
// into the socket's receive buffer in the wasm heap.
//
// Every call into C may grow memory: HEAPU8 is re-read after each one.

var LibraryEmnetWs = {
  $EMNETWS: {
    sockets: [null],   // handle -> { ws, sockId, drainBelow }
    free: [],
    draining: null,    // the timer that watches bufferedAmount
    create: function (url) {
      var Impl = typeof WebSocket != 'undefined' ? WebSocket : require('ws');
      return new Impl(url);
    },
    // bufferedAmount has no event when it goes down: while a socket waits
    // for room, look every few milliseconds (no busy loop).
    watch: function () {
      if (EMNETWS.draining !== null) return;
      EMNETWS.draining = setTimeout(function () {
        EMNETWS.draining = null;
        var again = false;
        EMNETWS.sockets.forEach(function (e) {
          if (!e || e.drainBelow < 0) return;
          if (e.ws.bufferedAmount < e.drainBelow) {
            e.drainBelow = -1;
            callUserCallback(function () { _emnet__ws_on_drain(e.sockId); });
          } else {
            again = true;
          }
        });
        if (again) EMNETWS.watch();
      }, 2);
    },
  },

  emnet_js_ws_open__deps: ['$EMNETWS', '$callUserCallback'],
  emnet_js_ws_open: function (url, sockId) {
    var ws;
    try {
      ws = EMNETWS.create(UTF8ToString(url));
    } catch (e) {
      return -{{{ cDefine('EINVAL') }}};   // a malformed URL
    }
    ws.binaryType = 'arraybuffer';
    var entry = { ws: ws, sockId: sockId, drainBelow: -1 };
    var handle = EMNETWS.free.length ? EMNETWS.free.pop() : EMNETWS.sockets.length;
    EMNETWS.sockets[handle] = entry;
    ws.onopen = function () {
      callUserCallback(function () { _emnet__ws_on_open(sockId); });
    };
    ws.onmessage = function (e) {
      var bytes = new Uint8Array(e.data);
      callUserCallback(function () {
        var p = _emnet__ws_rx_reserve(sockId, bytes.length);
        if (!p) return;
        HEAPU8.set(bytes, p);   // the global view, current after the call
        _emnet__ws_rx_commit(sockId, bytes.length);
      });
    };
    ws.onclose = function (e) {
      callUserCallback(function () { _emnet__ws_on_close(sockId, e.code); });
    };
    ws.onerror = function () {};   // a close event always follows
    return handle;
  },

  emnet_js_ws_send__deps: ['$EMNETWS'],
  emnet_js_ws_send: function (handle, buf, len) {
    var e = EMNETWS.sockets[handle];
    // slice(): a copy, since the heap may grow (and detach) before the send.
    if (e && e.ws.readyState === 1) e.ws.send(HEAPU8.slice(buf, buf + len));
  },

  emnet_js_ws_buffered__deps: ['$EMNETWS'],
  emnet_js_ws_buffered: function (handle) {
    var e = EMNETWS.sockets[handle];
    return e ? e.ws.bufferedAmount : 0;
  },

  emnet_js_ws_watch_drain__deps: ['$EMNETWS'],
  emnet_js_ws_watch_drain: function (handle, below) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    e.drainBelow = below;
    EMNETWS.watch();
  },

  emnet_js_ws_close__deps: ['$EMNETWS'],
  emnet_js_ws_close: function (handle) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    e.ws.onopen = e.ws.onmessage = e.ws.onclose = null;
    e.ws.onerror = function () {};
    if (e.ws.readyState <= 1) e.ws.close(1000);
    EMNETWS.sockets[handle] = null;
    EMNETWS.free.push(handle);
  },
};

mergeInto(LibraryManager.library, LibraryEmnetWs);
