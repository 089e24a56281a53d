// emnet's WebSocket glue for the wisp transport (--js-library): one
// WebSocket per Wisp connection of net/transport_wisp.c, which decodes and
// encodes every packet. Each message is one Wisp packet: it is copied once
// into a buffer C hands out (_emnet__wisp_rx_reserve), then C decodes it
// (_emnet__wisp_rx_commit). Every call into C goes through EMNET.event.
//
// Receiving can stop: C asks for a pause while one of the connection's
// streams holds as many unread bytes as its receive buffer allows. That
// works where the WebSocket can stop reading: WebSocketStream (Chromium),
// whose reader is then not read, and the npm ws package under Node.js
// (pause()), preferred there for that reason over Node's own WebSocket.
// A plain browser WebSocket cannot pause: there the buffers grow.
//
// Every call into C may grow memory: HEAPU8 is re-read after each one.

var LibraryEmnetWisp = {
  $EMNETWISP__deps: ['$EMNET'],
  $EMNETWISP: {
    conns: [null],   // handle -> { ws | stream, connId, drainBelow, ... }
    free: [],
    draining: null,  // the timer that watches bufferedAmount
    // The WebSocket subprotocol of Wisp version 2. A server may select it
    // or not (then it is version 1, unless its first packet is INFO); one
    // that knows nothing of it may refuse the handshake, since browsers and
    // the ws package fail a handshake that does not name an offered
    // subprotocol: the connection then tries once more without offering it.
    protocol: 'wisp-v2',
    create: function (url, offer) {
      var Impl = null;
      if (ENVIRONMENT_IS_NODE) {
        try { Impl = require('ws'); } catch (e) {}
      }
      if (!Impl) Impl = typeof WebSocket != 'undefined' ? WebSocket : require('ws');
      return offer ? new Impl(url, [EMNETWISP.protocol]) : new Impl(url);
    },
    drainedNow: function (c) {
      c.drainBelow = -1;
      EMNET.event(function () { _emnet__wisp_on_drain(c.connId); });
    },
    // A WebSocketStream's writes settle one by one: tell C as soon as the
    // bytes in flight are below the mark it waits for.
    drained: function (c) {
      if (c.drainBelow < 0 || c.inflight >= c.drainBelow || c.gone) return;
      EMNETWISP.drainedNow(c);
    },
    // A WebSocket's bufferedAmount has no event when it goes down: while a
    // connection waits for room, look every few milliseconds (no busy loop).
    watch: function () {
      if (EMNETWISP.draining !== null) return;
      EMNETWISP.draining = setTimeout(function () {
        EMNETWISP.draining = null;
        var again = false;
        EMNETWISP.conns.forEach(function (c) {
          if (!c || !c.ws || c.drainBelow < 0) return;
          if (c.ws.bufferedAmount < c.drainBelow) EMNETWISP.drainedNow(c);
          else again = true;
        });
        if (again) EMNETWISP.watch();
      }, 2);
    },
  },

  emnet_js_wisp_open__deps: ['$EMNETWISP', '$EMNET'],
  emnet_js_wisp_open: function (url, connId) {
    url = UTF8ToString(url);
    var c = { ws: null, stream: null, connId: connId, drainBelow: -1, inflight: 0,
              paused: false, reading: false, gone: false };
    function deliver(bytes) {
      if (c.gone) return;   // arrived after the connection was closed
      EMNET.event(function () {
        var p = _emnet__wisp_rx_reserve(connId, bytes.length);
        if (!p) return;
        HEAPU8.set(bytes, p);   // the global view, current after the call
        if (!_emnet__wisp_rx_commit(connId, bytes.length) && !c.gone && !c.paused) {
          c.paused = true;
          if (c.ws && c.ws.pause) c.ws.pause();
        }
      });
    }
    function closed(code) {
      if (c.gone) return;
      c.gone = true;
      EMNET.event(function () { _emnet__wisp_on_close(connId, code); });
    }
    // One attempt at the handshake; a failed one that offered the
    // subprotocol is followed by one that does not (see protocol above).
    function attempt(offer) {
      function failed(code) {
        if (c.gone || c.opened) return;
        if (offer) attempt(false);
        else closed(code);
      }
      if (typeof WebSocketStream == 'function') {
        var stream = c.stream = new WebSocketStream(url, offer ? { protocols: [EMNETWISP.protocol] } : {});
        c.pump = function () {
          if (c.reading || c.paused || c.gone || !c.reader) return;
          c.reading = true;
          c.reader.read().then(function (r) {
            c.reading = false;
            if (r.done) return;
            deliver(typeof r.value == 'string' ? new TextEncoder().encode(r.value) : new Uint8Array(r.value));
            c.pump();
          }, function () { c.reading = false; });
        };
        stream.opened.then(function (conn) {
          if (c.gone || c.stream !== stream) return;
          c.opened = true;
          c.reader = conn.readable.getReader();
          c.writer = conn.writable.getWriter();
          EMNET.event(function () { _emnet__wisp_on_open(connId); });
          c.pump();
        }, function () {});
        stream.closed.then(function (r) {
          if (c.stream !== stream) return;
          if (c.opened) closed(r.closeCode || 1005); else failed(r.closeCode || 1006);
        }, function (e) {
          if (c.stream !== stream) return;
          var code = e && e.closeCode ? e.closeCode : 1006;
          if (c.opened) closed(code); else failed(code);
        });
      } else {
        var ws = c.ws = EMNETWISP.create(url, offer);
        ws.binaryType = 'arraybuffer';
        ws.onopen = function () {
          c.opened = true;
          EMNET.event(function () { _emnet__wisp_on_open(connId); });
        };
        ws.onmessage = function (e) {
          deliver(typeof e.data == 'string' ? new TextEncoder().encode(e.data) : new Uint8Array(e.data));
        };
        ws.onclose = function (e) {
          if (c.opened) closed(e.code);
          else { forget(ws); failed(e.code); }
        };
        // Before the open (the server refused the handshake) an error may
        // come without a close event.
        ws.onerror = function () {
          if (c.opened) return;
          forget(ws);
          failed(1006);
        };
      }
    }
    // A WebSocket that failed before it opened: nothing more from it.
    function forget(ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.onerror = function () {};
    }
    try {
      attempt(true);
    } catch (e) {
      return -{{{ cDefine('EINVAL') }}};   // a malformed URL
    }
    var handle = EMNETWISP.free.length ? EMNETWISP.free.pop() : EMNETWISP.conns.length;
    EMNETWISP.conns[handle] = c;
    return handle;
  },

  emnet_js_wisp_send__deps: ['$EMNETWISP'],
  emnet_js_wisp_send: function (handle, head, headLen, tail, tailLen) {
    var c = EMNETWISP.conns[handle];
    if (!c) return;
    // One message, copied out of the heap: it may grow before the send.
    var msg = new Uint8Array(headLen + tailLen);
    msg.set(HEAPU8.subarray(head, head + headLen));
    if (tailLen) msg.set(HEAPU8.subarray(tail, tail + tailLen), headLen);
    if (c.writer) {
      c.inflight += msg.length;
      var written = function () {
        c.inflight -= msg.length;
        EMNETWISP.drained(c);
      };
      c.writer.write(msg).then(written, written);
    } else if (c.ws && c.ws.readyState === 1) {
      c.ws.send(msg);
    }
  },

  emnet_js_wisp_buffered__deps: ['$EMNETWISP'],
  emnet_js_wisp_buffered: function (handle) {
    var c = EMNETWISP.conns[handle];
    if (!c) return 0;
    return c.ws ? c.ws.bufferedAmount : c.inflight;
  },

  emnet_js_wisp_watch_drain__deps: ['$EMNETWISP'],
  emnet_js_wisp_watch_drain: function (handle, below) {
    var c = EMNETWISP.conns[handle];
    if (!c) return;
    c.drainBelow = below;
    if (c.writer) Promise.resolve().then(function () { EMNETWISP.drained(c); });   // not from inside C
    else EMNETWISP.watch();
  },

  emnet_js_wisp_pause__deps: ['$EMNETWISP'],
  emnet_js_wisp_pause: function (handle, paused) {
    var c = EMNETWISP.conns[handle];
    if (!c || c.gone || c.paused == !!paused) return;
    c.paused = !!paused;
    if (c.ws && c.ws.pause) {
      if (paused) c.ws.pause(); else c.ws.resume();
    }
    if (!paused && c.pump) c.pump();
  },

  emnet_js_wisp_close__deps: ['$EMNETWISP'],
  emnet_js_wisp_close: function (handle) {
    var c = EMNETWISP.conns[handle];
    if (!c) return;
    c.gone = true;
    if (c.ws) {
      c.ws.onopen = c.ws.onmessage = c.ws.onclose = null;
      c.ws.onerror = function () {};
      if (c.ws.readyState <= 1) c.ws.close(1000);
    } else {
      try { c.stream.close({ closeCode: 1000, reason: '' }); } catch (x) {}
    }
    EMNETWISP.conns[handle] = null;
    EMNETWISP.free.push(handle);
  },

  emnet_js_wisp_live__deps: ['$EMNETWISP'],
  emnet_js_wisp_live: function () {
    return EMNETWISP.conns.length - 1 - EMNETWISP.free.length;
  },
};

mergeInto(LibraryManager.library, LibraryEmnetWisp);
