// emnet's WebSockets (--js-library), for every transport that rides on
// one (net/websocket.c is the C half; net/transport_websockify.c and
// net/transport_wisp.c use it). It owns the WebSocket objects and decides
// nothing: every event goes to C, through EMNET.event.
//
// Which WebSocket: WebSocketStream where the engine has it (Chromium;
// Module.emnetPlainWebSocket asks for a plain one there too): its
// reader is read only while C wants more, so a program that reads slowly
// slows the server down instead of filling the page's memory. Under
// Node.js the npm ws package, whose pause() does the same. Elsewhere a
// plain WebSocket, which cannot stop receiving: C then bounds what it
// holds (net/socket.c resets a socket whose peer sends far past its
// buffer; the wisp transport's receive credit keeps emnet-proxy within it).
//
// Receiving, the hot path: messages that arrive back to back (a
// WebSocketStream's reads resolving one after another, or the ws package
// emitting all it parsed from one TCP read) are handed to C in one batch,
// one crossing and one drive for all of them. Each is copied once, from
// the message into the place C names (a socket's receive buffer), leaving
// out the header bytes C says to skip.
//
// Every call into C may grow memory: HEAPU8 is re-read after each one.

var LibraryEmnetWebSocket = {
  $EMNETWS__deps: ['$EMNET'],
  // For the Node.js exit (js/pre_node_wasm.js): what is still to be sent.
  $EMNETWS__postset: "Module['emnetPendingOutput'] = function () { return EMNETWS.pendingOutput(); };",
  $EMNETWS: {
    sockets: {},       // handle (from C) -> entry
    leaving: [],       // WebSockets C has closed, until their close handshake is over
    draining: null,    // the timer that watches plain WebSockets' bufferedAmount
    skipSlot: 0,       // C's word: how many of a message's first bytes to leave out
    maxBatch: 64,      // messages per crossing, at most
    maxBatchBytes: 1 << 20,
    Impl: function () {
      if (ENVIRONMENT_IS_NODE) {
        try { return require('ws'); } catch (e) {}
      }
      return typeof WebSocket != 'undefined' ? WebSocket : require('ws');
    },

    // ---- receiving ----
    bytesOf: function (data) {
      return typeof data == 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
    },
    arrived: function (e, bytes) {
      if (e.gone) return;
      if (e.packType >= 0 && EMNETWS.isPacked(e, bytes)) {
        EMNETWS.unpack(e, bytes);
      } else {
        e.inbox.push(bytes);
        e.inboxBytes += bytes.length;
      }
      e.arrivals++;
      if (e.flushQueued) return;
      e.flushQueued = true;
      e.seen = e.arrivals - 1;   // look once more before the first flush: the next read may be resolving
      queueMicrotask(function () { EMNETWS.flushSoon(e); });
    },
    // Flush once arrivals stop coming back to back (a microtask found
    // nothing new), or a batch is full: a lone message waits two microtasks.
    flushSoon: function (e) {
      if (!e.gone && e.arrivals != e.seen && e.inbox.length < EMNETWS.maxBatch &&
          e.inboxBytes < EMNETWS.maxBatchBytes) {
        e.seen = e.arrivals;
        queueMicrotask(function () { EMNETWS.flushSoon(e); });
        return;
      }
      e.flushQueued = false;
      EMNETWS.flush(e);
    },
    // Hands what waits to C: one event for the batch. A pause from C
    // leaves the rest waiting where the WebSocket can pause; a plain
    // browser WebSocket cannot, and its messages go on to C.
    flush: function (e) {
      if (e.gone || !e.inbox.length || (e.paused && e.canPause)) return;
      var h = e.handle;
      EMNET.event(function () {
        while (e.inbox.length && !e.gone && !(e.paused && e.canPause)) {
          var bytes = e.inbox.shift();
          e.inboxBytes -= bytes.length;
          var n = bytes.length;
          var p = _emnet__ws_rx_reserve(h, n, EMNETWS.word(bytes, 0), EMNETWS.word(bytes, 4));
          if (!p) continue;   // not wanted: C has dealt with it
          var skip = HEAP32[EMNETWS.skipSlot >> 2];
          HEAPU8.set(skip ? bytes.subarray(skip) : bytes, p);   // the global view, current after the call
          if (!_emnet__ws_rx_commit(h, n - skip)) EMNETWS.setPaused(e, true);
        }
      });
      if (!e.gone && e.pump) e.pump();
    },
    // ---- packed messages (emnet_js_websocket_pack) ----
    packHeader: 5,         // the type byte, then four zero bytes
    packRecord: 4,         // a record's length, u32 LE
    packSmall: 4096,       // messages this small may share a message
    packMax: 65536,        // a packed message at most (servers' usual message limit)
    isPacked: function (e, b) {
      return b.length > EMNETWS.packHeader && b[0] == e.packType && !b[1] && !b[2] && !b[3] && !b[4];
    },
    // Each record becomes a message of its own, a view of the packed one
    // (no copy); a malformed packed message reaches C whole, which says so.
    unpack: function (e, b) {
      var dv = new DataView(b.buffer, b.byteOffset, b.length), at = EMNETWS.packHeader, parts = [];
      while (at + EMNETWS.packRecord <= b.length) {
        var n = dv.getUint32(at, true);
        at += EMNETWS.packRecord;
        if (n > b.length - at) break;
        parts.push(b.subarray(at, at + n));
        at += n;
      }
      if (at != b.length || !parts.length) parts = [b];
      for (var i = 0; i < parts.length; i++) {
        e.inbox.push(parts[i]);
        e.inboxBytes += parts[i].length;
      }
      e.arrivals += parts.length - 1;
    },
    // What this turn sends, in order: small messages back to back are
    // written straight from the heap into one staging buffer as records of
    // a packed message (no array per message: a browser's ArrayBuffers are
    // dear, and a datagram each added up); a lone one leaves unpacked.
    stage: function (e, head, headLen, tail, tailLen) {
      var len = headLen + tailLen;
      if (e.stageLen + EMNETWS.packRecord + len > EMNETWS.packMax) EMNETWS.sendStaged(e);
      if (!e.stageBuf) e.stageBuf = new Uint8Array(EMNETWS.packMax);
      var b = e.stageBuf, at = e.stageLen;
      if (!e.stageCount) {
        b[0] = e.packType;
        b[1] = b[2] = b[3] = b[4] = 0;   // stream 0
        at = EMNETWS.packHeader;
      }
      b[at] = len; b[at + 1] = len >> 8; b[at + 2] = len >> 16; b[at + 3] = len >>> 24;
      at += EMNETWS.packRecord;
      b.set(HEAPU8.subarray(head, head + headLen), at);
      if (tailLen) b.set(HEAPU8.subarray(tail, tail + tailLen), at + headLen);
      e.stageLen = at + len;
      e.stageCount++;
      e.stagePayload += len;
      if (!e.stageQueued) {
        e.stageQueued = true;
        queueMicrotask(function () { if (!e.gone) EMNETWS.sendStaged(e); });
      }
    },
    sendStaged: function (e) {
      e.stageQueued = false;
      if (!e.stageCount) return;
      var from = e.stageCount == 1 ? EMNETWS.packHeader + EMNETWS.packRecord : 0;
      var msg = e.stageBuf.slice(from, e.stageLen);
      e.stageLen = e.stageCount = e.stagePayload = 0;
      if (e.writer) e.inflight += msg.length;
      EMNETWS.transmit(e, msg);
    },
    transmit: function (e, msg) {
      if (e.writer) EMNETWS.write(e, msg);
      else if (e.ws && e.ws.readyState === 1) e.ws.send(msg);
    },

    // Bytes [from, from + 4) as a u32 LE, zero past the end (no view
    // allocated per message).
    word: function (bytes, from) {
      var w = 0;
      for (var i = from; i < from + 4 && i < bytes.length; i++) w |= bytes[i] << (8 * (i - from));
      return w >>> 0;
    },
    setPaused: function (e, paused) {
      if (e.paused == paused) return;
      e.paused = paused;
      if (e.ws && e.ws.pause) {
        if (paused) e.ws.pause(); else e.ws.resume();
      }
    },

    // ---- sending ----
    // Writes are not waited for one by one (a datagram each would cost a
    // trip through the microtask queue), but a WebSocketStream is closed
    // only once every write has settled: Chromium's renderer has been seen
    // to crash when a stream is closed with several writes pending.
    write: function (e, bytes) {
      e.writes++;
      var written = function () {
        e.writes--;
        e.inflight -= bytes.length;
        EMNETWS.drained(e);
        if (!e.writes && e.closing) EMNETWS.closeStream(e);
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
      EMNET.event(function () { _emnet__ws_on_drain(e.handle); });
    },
    // A WebSocket's bufferedAmount has no event when it goes down: while one
    // waits for room, look every few milliseconds (no busy loop).
    watch: function () {
      if (EMNETWS.draining !== null) return;
      EMNETWS.draining = setTimeout(function () {
        EMNETWS.draining = null;
        var again = false;
        for (var h in EMNETWS.sockets) {
          var e = EMNETWS.sockets[h];
          if (!e.ws || e.drainBelow < 0) continue;
          if (e.ws.bufferedAmount < e.drainBelow) {
            e.drainBelow = -1;
            (function (handle) { EMNET.event(function () { _emnet__ws_on_drain(handle); }); })(e.handle);
          } else {
            again = true;
          }
        }
        if (again) EMNETWS.watch();
      }, 2);
    },

    // ---- opening and closing ----
    closed: function (e, code) {
      if (e.gone) return;
      EMNETWS.forget(e);
      EMNET.event(function () { _emnet__ws_on_close(e.handle, code, e.opened ? 1 : 0); });
    },
    // Bytes not yet handed to the network, plus one for each WebSocket
    // still closing: a process must not end before its sockets have sent
    // what the program wrote (Linux delivers it after an exit, too).
    pendingOutput: function () {
      var n = EMNETWS.leaving.length;
      for (var h in EMNETWS.sockets) {
        var e = EMNETWS.sockets[h];
        n += (e.ws ? e.ws.bufferedAmount : e.inflight) + e.stagePayload;
      }
      return n;
    },
    forget: function (e) {
      e.gone = true;
      e.inbox = [];
      if (EMNETWS.sockets[e.handle] === e) delete EMNETWS.sockets[e.handle];
      if (e.ws) {
        e.ws.onopen = e.ws.onmessage = e.ws.onclose = null;
        e.ws.onerror = function () {};
      }
    },
    // One attempt at the handshake; one that offered a subprotocol and
    // failed before the open is followed by one that does not: browsers
    // and the ws package fail a handshake whose answer names no offered
    // subprotocol, and a server may know nothing of it.
    attempt: function (e, offer) {
      var failed = function (code) {
        if (e.gone || e.opened) return;
        if (offer) EMNETWS.attempt(e, false);
        else EMNETWS.closed(e, code);
      };
      var protocols = offer ? [e.protocol] : [];
      if (typeof WebSocketStream == 'function' && !Module['emnetPlainWebSocket']) {
        var stream = e.stream = new WebSocketStream(e.url, { protocols: protocols });
        e.canPause = true;
        e.pump = function () {
          if (e.reading || e.paused || e.gone || !e.reader) return;
          e.reading = true;
          e.reader.read().then(function (r) {
            e.reading = false;
            if (r.done || e.gone) return;
            EMNETWS.arrived(e, EMNETWS.bytesOf(r.value));
            e.pump();
          }, function () { e.reading = false; });
        };
        stream.opened.then(function (c) {
          if (e.gone || e.stream !== stream) return;
          e.opened = true;
          e.reader = c.readable.getReader();
          e.writer = c.writable.getWriter();
          EMNET.event(function () { _emnet__ws_on_open(e.handle); });
          e.pump();
        }, function () {});
        stream.closed.then(function (r) {
          if (e.stream !== stream) return;
          if (e.opened) EMNETWS.closed(e, r.closeCode || 1005); else failed(r.closeCode || 1006);
        }, function (x) {
          if (e.stream !== stream) return;
          var code = x && x.closeCode ? x.closeCode : 1006;
          if (e.opened) EMNETWS.closed(e, code); else failed(code);
        });
        return;
      }
      var Impl = EMNETWS.Impl();
      var ws = e.ws = protocols.length ? new Impl(e.url, protocols) : new Impl(e.url);
      e.canPause = typeof ws.pause == 'function';
      ws.binaryType = 'arraybuffer';
      ws.onopen = function () {
        e.opened = true;
        EMNET.event(function () { _emnet__ws_on_open(e.handle); });
      };
      ws.onmessage = function (m) { EMNETWS.arrived(e, EMNETWS.bytesOf(m.data)); };
      ws.onclose = function (c) {
        if (e.opened) EMNETWS.closed(e, c.code);
        else { EMNETWS.unhook(ws); failed(c.code); }
      };
      // Before the open (the server refused the handshake) an error may
      // come without a close event.
      ws.onerror = function () {
        if (e.opened) return;
        EMNETWS.unhook(ws);
        failed(1006);
      };
    },
    unhook: function (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.onerror = function () {};
    },
  },

  emnet_js_websocket_open__deps: ['$EMNETWS', '$EMNET'],
  emnet_js_websocket_open: function (url, protocol, handle) {
    if (!EMNETWS.skipSlot) EMNETWS.skipSlot = _emnet__ws_skip_slot();
    var e = { handle: handle, url: UTF8ToString(url), protocol: protocol ? UTF8ToString(protocol) : null,
              ws: null, stream: null, reader: null, writer: null, opened: false, gone: false,
              paused: false, canPause: false, reading: false, pump: null,
              inbox: [], inboxBytes: 0, arrivals: 0, seen: 0, flushQueued: false,
              drainBelow: -1, inflight: 0, writes: 0, closing: false,
              packType: -1, stageBuf: null, stageLen: 0, stageCount: 0, stagePayload: 0, stageQueued: false };
    try {
      EMNETWS.attempt(e, !!e.protocol);
    } catch (x) {
      return -{{{ cDefine('EINVAL') }}};   // a malformed URL
    }
    EMNETWS.sockets[handle] = e;
    return 0;
  },

  emnet_js_websocket_send__deps: ['$EMNETWS'],
  emnet_js_websocket_send: function (handle, head, headLen, tail, tailLen) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    if (e.packType >= 0 && headLen + tailLen <= EMNETWS.packSmall) {
      EMNETWS.stage(e, head, headLen, tail, tailLen);   // leaves packed, once C is done
      return;
    }
    EMNETWS.sendStaged(e);   // what went before goes first
    // One message, copied out of the heap: it may grow before the send.
    var msg = new Uint8Array(headLen + tailLen);
    msg.set(HEAPU8.subarray(head, head + headLen));
    if (tailLen) msg.set(HEAPU8.subarray(tail, tail + tailLen), headLen);
    if (e.writer) e.inflight += msg.length;
    EMNETWS.transmit(e, msg);
  },

  emnet_js_websocket_pack__deps: ['$EMNETWS'],
  emnet_js_websocket_pack: function (handle, type) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    EMNETWS.sendStaged(e);   // what went before
    e.packType = type;
  },

  emnet_js_websocket_buffered__deps: ['$EMNETWS'],
  emnet_js_websocket_buffered: function (handle) {
    var e = EMNETWS.sockets[handle];
    if (!e) return 0;
    return (e.ws ? e.ws.bufferedAmount : e.inflight) + e.stagePayload;
  },

  emnet_js_websocket_watch_drain__deps: ['$EMNETWS'],
  emnet_js_websocket_watch_drain: function (handle, below) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    e.drainBelow = below;
    if (e.ws) EMNETWS.watch();
    else queueMicrotask(function () { EMNETWS.drained(e); });   // not from inside C
  },

  // C's pause or resume; what waited meanwhile is handed over after the
  // current call into C has returned.
  emnet_js_websocket_pause__deps: ['$EMNETWS'],
  emnet_js_websocket_pause: function (handle, paused) {
    var e = EMNETWS.sockets[handle];
    if (!e || e.gone) return;
    EMNETWS.setPaused(e, !!paused);
    if (!paused) queueMicrotask(function () { EMNETWS.flush(e); });
  },

  emnet_js_websocket_close__deps: ['$EMNETWS'],
  emnet_js_websocket_close: function (handle) {
    var e = EMNETWS.sockets[handle];
    if (!e) return;
    var ws = e.ws;
    EMNETWS.sendStaged(e);   // what close() sent before it still goes out
    EMNETWS.forget(e);
    if (ws) {
      if (ws.readyState <= 1) {
        EMNETWS.leaving.push(ws);
        ws.onclose = ws.onerror = function () {
          var i = EMNETWS.leaving.indexOf(ws);
          if (i >= 0) EMNETWS.leaving.splice(i, 1);
        };
        ws.close(1000);
      }
    } else if (e.stream) {
      if (e.writes) e.closing = true;   // once they settle: EMNETWS.write
      else EMNETWS.closeStream(e);
    }
  },
};

mergeInto(LibraryManager.library, LibraryEmnetWebSocket);
