// emnet's WebTransport backend (--js-library) for the webtransport
// transport (net/transport_webtransport.c, net/wt_session.c and
// net/wt_udp.c are its C half). It owns the browser's WebTransport
// objects and decides nothing: C encodes and decodes every byte of
// emnet's protocol (docs/webtransport-protocol.md), and every event goes
// to C through EMNET.event.
//
//  - One session per URL (C asks for it once, by number), shared by every
//    socket. With no URL, the session's URL and certificate hashes come
//    from emnet-proxy's info URL (GET /webtransport), fetched here because
//    only the host can fetch.
//  - One bidirectional stream per handle (C's number): its first bytes
//    are the header C gives; then bytes both ways.
//  - Back-pressure, per stream: a stream is read only while C wants more
//    (one read() outstanding at a time, none once C says pause), so a
//    socket that is not read stops its own sender through QUIC's stream
//    flow control, and no other. Writes are pipelined; C hears a drain
//    when the bytes not yet taken by the stream fall below its mark.
//  - Ends: our FIN is writer.close(); the reader's done is the peer's FIN;
//    a reset is writer.abort + reader.cancel with stream error code 1; a
//    stream the peer reset (an error with a streamErrorCode) goes to C
//    with its code. A session that closes ends every stream in C at once.
//  - Datagrams: session.datagrams, whole, to and from C.
//
// Receiving: what arrives back to back on any stream (and datagrams) is
// handed to C in one batch, one crossing and one drive for all, each chunk
// copied once into the place C names (reserve, then commit).
//
// Every call into C may grow memory: HEAPU8 is re-read after each one.

var LibraryEmnetWebTransport = {
  $EMNETWT__deps: ['$EMNET'],
  $EMNETWT: {
    sessions: {},      // session number (from C) -> session
    streams: {},       // handle (from C) -> stream entry
    dirty: [],         // streams and sessions with arrivals for C
    flushQueued: false,
    arrivals: 0,
    seen: 0,
    maxBatch: 256,     // chunks waiting before a flush is forced
    maxWaiting: 262144,   // bytes a stream may have waiting for C before it stops reading
    waiting: 0,
    resetCode: 1,      // docs/webtransport-protocol.md: TCP's RST
    datagramQueue: 1024,   // datagrams an engine may hold each way before it drops

    noop: function () {},
    hex: function (h) {
      var b = new Uint8Array(h.length >> 1);
      for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16);
      return b;
    },
    resetError: function () {
      try {
        return new WebTransportError('reset', { streamErrorCode: EMNETWT.resetCode });
      } catch (x) {
        return EMNETWT.resetCode;
      }
    },
    // Calls C with a string on the stack (no heap allocation to free).
    withString: function (text, f) {
      var n = lengthBytesUTF8(text) + 1, sp = stackSave(), p = stackAlloc(n);
      stringToUTF8(text, p, n);
      try { f(p); } finally { stackRestore(sp); }
    },

    // ---- sessions ----
    connect: async function (s, url, hashes, infoUrl) {
      var wt;
      try {
        if (!url) {
          var info = await (await fetch(infoUrl)).json();
          url = 'https://' + new URL(infoUrl).hostname + ':' + info.port + (info.path || '/');
          if (!hashes && info.certificateHashes) hashes = info.certificateHashes.join(',');
        }
        var opts = {}, list = hashes.split(',').map(function (h) { return h.trim(); }).filter(Boolean);
        if (list.length) {
          opts.serverCertificateHashes = list.map(function (h) { return { algorithm: 'sha-256', value: EMNETWT.hex(h) }; });
        }
        wt = s.wt = new WebTransport(url, opts);
        wt.closed.then(function () { EMNETWT.sessionClosed(s, 'closed'); },
                       function (x) { EMNETWT.sessionClosed(s, String(x && x.message || x)); });
        await wt.ready;
      } catch (x) {
        EMNETWT.sessionClosed(s, String(x && x.message || x));
        return;
      }
      if (s.gone) return;
      s.ready = true;
      var max = wt.datagrams && wt.datagrams.maxDatagramSize || 0;
      EMNET.event(function () { _emnet__wt_on_session_ready(s.sid, max); });
      try {
        // Room for a burst, as a socket's receive queue has: an engine's
        // own queue may be a few datagrams deep (Firefox), and what does
        // not fit is dropped before C sees it. C's queue decides what is
        // kept; the reads below take every datagram as soon as it comes.
        if ('incomingHighWaterMark' in wt.datagrams) wt.datagrams.incomingHighWaterMark = EMNETWT.datagramQueue;
        if ('outgoingHighWaterMark' in wt.datagrams) wt.datagrams.outgoingHighWaterMark = EMNETWT.datagramQueue;
        s.dgWriter = wt.datagrams.writable.getWriter();
        EMNETWT.readDatagrams(s, wt.datagrams.readable.getReader());
      } catch (x) { /* no datagrams: UDP's are lost, as UDP may lose them */ }
      var waiting = s.waiting;
      s.waiting = [];
      waiting.forEach(EMNETWT.startStream);
    },
    sessionClosed: function (s, why) {
      if (s.gone) return;
      s.gone = true;
      delete EMNETWT.sessions[s.sid];
      s.streams.forEach(function (e) { EMNETWT.forget(e); });
      s.inbox = [];
      EMNET.event(function () {
        EMNETWT.withString(why, function (p) { _emnet__wt_on_session_closed(s.sid, s.ready ? 1 : 0, p); });
      });
    },
    readDatagrams: function (s, reader) {
      reader.read().then(function (r) {
        if (r.done || s.gone) return;
        EMNETWT.arrive(s, r.value);
        EMNETWT.readDatagrams(s, reader);
      }, EMNETWT.noop);
    },

    // ---- streams ----
    // A session takes only as many streams at once as the proxy allows
    // (QUIC's MAX_STREAMS); Chromium refuses a stream past that instead of
    // waiting. Such a stream waits, like a SYN in a backlog, and is tried
    // again as others end; C's connect timeout bounds the wait.
    startStream: function (e) {
      if (e.gone && !e.writer) return;   // C let go before it existed: nothing to tell the proxy
      if (e.s.blocked.length) e.s.blocked.push(e);   // after those that wait already
      else EMNETWT.create(e);
    },
    create: function (e) {
      var s = e.s;
      e.creating = true;
      s.wt.createBidirectionalStream().then(function (bs) {
        e.creating = false;
        var at = s.blocked.indexOf(e);
        if (at >= 0) s.blocked.splice(at, 1);
        EMNETWT.kick(s);
        e.writer = bs.writable.getWriter();
        e.reader = bs.readable.getReader();
        if (e.gone) {   // C let go while it was being created
          EMNETWT.abandon(e, e.closeReset);
          return;
        }
        e.writer.closed.then(EMNETWT.noop, function (x) { EMNETWT.failed(e, x); });   // STOP_SENDING
        var pre = e.pre;
        e.pre = [];
        pre.forEach(function (b) {
          e.inflight -= b.length;   // counted when it was queued
          EMNETWT.write(e, b);
        });
        if (e.finPending) EMNETWT.fin(e);
        EMNETWT.pump(e);
      }, function () {
        e.creating = false;
        if (s.gone) return;
        if (s.blocked.indexOf(e) < 0) s.blocked.unshift(e);
        if (!s.retry) s.retry = setTimeout(function () {
          s.retry = null;
          EMNETWT.kick(s);
        }, 5);
      });
    },
    // The first stream that waits for room is tried again.
    kick: function (s) {
      while (s.blocked.length && s.blocked[0].gone) s.blocked.shift();
      if (s.blocked.length && !s.gone && !s.blocked[0].creating) EMNETWT.create(s.blocked[0]);
    },
    // One read at a time, and only while C wants more: the stream's
    // flow control holds the rest at the sender.
    pump: function (e) {
      if (e.reading || e.paused || e.gone || e.ended || !e.reader || e.inboxBytes >= EMNETWT.maxWaiting) return;
      e.reading = true;
      e.reader.read().then(function (r) {
        e.reading = false;
        if (e.gone) {
          if (!r.done) EMNETWT.discard(e.reader);
          return;
        }
        if (r.done) {
          e.ended = true;   // read no more: a finished reader answers done again at once
          EMNETWT.arrive(e, { fin: true });
          return;
        }
        EMNETWT.arrive(e, r.value);
        EMNETWT.pump(e);
      }, function (x) {
        e.reading = false;
        e.ended = true;
        EMNETWT.failed(e, x);
      });
    },
    // A stream that errored: reset by the peer (its code), or anything
    // else (-1). A session's end is reported once, for all its streams.
    failed: function (e, x) {
      if (e.gone || e.failed || (x && x.source == 'session') || e.s.gone) return;
      e.failed = true;
      var code = x && typeof x.streamErrorCode == 'number' ? x.streamErrorCode : -1;
      EMNETWT.arrive(e, { error: code });
    },
    discard: function (reader) {
      reader.read().then(function (r) { if (!r.done) EMNETWT.discard(reader); }, EMNETWT.noop);
    },
    // What C let go of: a reset both ways, or our FIN and whatever still
    // comes read and dropped (a STOP_SENDING would make the proxy reset
    // the target, which an orderly close must not).
    abandon: function (e, reset) {
      if (!e.writer) return;
      if (reset) {
        // Bytes the program sent before its close have left on Linux when
        // the RST goes; an abort drops the writes the stream has not
        // taken yet (Firefox takes them later than Chromium: a token sent
        // just before SO_LINGER {1, 0} and close never reached the
        // server). So the reset follows the last write.
        var err = EMNETWT.resetError();
        var writer = e.writer, reader = e.reader;
        var go = function () {
          writer.abort(err).catch(EMNETWT.noop);
          reader.cancel(err).catch(EMNETWT.noop);
        };
        if (e.lastWrite) e.lastWrite.then(go, go);
        else go();
        return;
      }
      if (!e.finSent) {
        e.finSent = true;
        e.writer.close().catch(EMNETWT.noop);
      }
      if (!e.reading) EMNETWT.discard(e.reader);
    },
    forget: function (e) {
      e.gone = true;
      e.inbox = [];
      e.inboxBytes = 0;
      if (EMNETWT.streams[e.h] === e) delete EMNETWT.streams[e.h];
      e.s.streams.delete(e);
    },
    write: function (e, bytes) {
      e.inflight += bytes.length;
      var settled = function () {
        e.inflight -= bytes.length;
        EMNETWT.drained(e);
      };
      e.lastWrite = e.writer.write(bytes);
      e.lastWrite.then(settled, settled);
    },
    drained: function (e) {
      if (e.drainBelow < 0 || e.inflight >= e.drainBelow || e.gone) return;
      e.drainBelow = -1;
      EMNET.event(function () { _emnet__wt_on_drain(e.h); });
    },
    fin: function (e) {
      if (!e.writer) {
        e.finPending = true;
        return;
      }
      if (e.finSent) return;
      e.finSent = true;
      e.writer.close().catch(EMNETWT.noop);
    },

    // ---- to C, in batches ----
    arrive: function (e, item) {
      e.inbox.push(item);
      if (item instanceof Uint8Array) e.inboxBytes += item.length;
      if (!e.dirty) {
        e.dirty = true;
        EMNETWT.dirty.push(e);
      }
      EMNETWT.arrivals++;
      EMNETWT.waiting++;
      if (EMNETWT.flushQueued) return;
      EMNETWT.flushQueued = true;
      EMNETWT.seen = EMNETWT.arrivals - 1;   // look once more: the next read may be resolving
      queueMicrotask(EMNETWT.flushSoon);
    },
    // Flush once arrivals stop coming back to back, or the batch is full.
    flushSoon: function () {
      if (EMNETWT.arrivals != EMNETWT.seen && EMNETWT.waiting < EMNETWT.maxBatch) {
        EMNETWT.seen = EMNETWT.arrivals;
        queueMicrotask(EMNETWT.flushSoon);
        return;
      }
      EMNETWT.flushQueued = false;
      EMNETWT.flush();
    },
    flush: function () {
      var list = EMNETWT.dirty;
      EMNETWT.dirty = [];
      EMNETWT.waiting = 0;
      if (!list.length) return;
      EMNET.event(function () {
        for (var i = 0; i < list.length; i++) {
          var e = list[i];
          e.dirty = false;
          if (e.isSession) EMNETWT.deliverDatagrams(e);
          else EMNETWT.deliver(e);
        }
      });
      for (var i = 0; i < list.length; i++) if (!list[i].isSession) EMNETWT.pump(list[i]);
    },
    deliver: function (e) {
      while (e.inbox.length && !e.gone && !e.paused) {
        var it = e.inbox.shift();
        if (it instanceof Uint8Array) {
          e.inboxBytes -= it.length;
          var p = _emnet__wt_rx_reserve(e.h, it.length);
          if (!p) continue;   // not wanted: C has dealt with it
          HEAPU8.set(it, p);   // the global view, current after the call
          if (!_emnet__wt_rx_commit(e.h, it.length)) e.paused = true;
        } else if (it.fin) {
          _emnet__wt_on_fin(e.h);
        } else {
          var h = e.h;
          EMNETWT.forget(e);   // C lets go of it now
          _emnet__wt_on_error(h, it.error);
        }
      }
    },
    deliverDatagrams: function (s) {
      var list = s.inbox;
      s.inbox = [];
      for (var i = 0; i < list.length && !s.gone; i++) {
        var b = list[i];
        var p = _emnet__wt_dgram_reserve(s.sid, b.length, EMNETWT.word(b, 0), EMNETWT.word(b, 4));
        if (!p) continue;   // no such flow, or its queue is full: dropped, as UDP drops it
        HEAPU8.set(b, p);
        _emnet__wt_dgram_commit(s.sid, b.length);
      }
    },
    // Bytes [from, from + 4) as a u32 LE, zero past the end.
    word: function (bytes, from) {
      var w = 0;
      for (var i = from; i < from + 4 && i < bytes.length; i++) w |= bytes[i] << (8 * (i - from));
      return w >>> 0;
    },
  },

  emnet_js_wt_available: function () {
    return typeof WebTransport == 'function' ? 1 : 0;
  },

  // Firefox's QUIC stack queues ten datagrams per connection and drops the
  // oldest beyond that, before any script can read them: a burst (64
  // sockets' echoes at once) loses most of itself whatever the page's
  // incomingHighWaterMark. No property tells; the engine's name does.
  emnet_js_wt_datagram_bursts_lost: function () {
    return typeof navigator == 'object' && /\bFirefox\//.test(navigator.userAgent || '') ? 1 : 0;
  },

  emnet_js_wt_session_open__deps: ['$EMNETWT'],
  emnet_js_wt_session_open: function (sid, url, hashes, infoUrl) {
    var s = { sid: sid, isSession: true, wt: null, ready: false, gone: false, streams: new Set(), waiting: [],
              blocked: [], retry: null,
              dgWriter: null, inbox: [], dirty: false };
    EMNETWT.sessions[sid] = s;
    EMNETWT.connect(s, UTF8ToString(url), UTF8ToString(hashes), UTF8ToString(infoUrl));
  },

  emnet_js_wt_session_close__deps: ['$EMNETWT'],
  emnet_js_wt_session_close: function (sid) {
    var s = EMNETWT.sessions[sid];
    if (s && s.wt) try { s.wt.close({ closeCode: 0, reason: '' }); } catch (x) {}
  },

  emnet_js_wt_stream_open__deps: ['$EMNETWT'],
  emnet_js_wt_stream_open: function (sid, h, head, len) {
    var s = EMNETWT.sessions[sid];
    var e = { h: h, s: s, writer: null, reader: null, gone: false, failed: false, paused: false, reading: false,
              creating: false, ended: false, inbox: [], inboxBytes: 0, dirty: false, inflight: len, drainBelow: -1, pre: [HEAPU8.slice(head, head + len)],
              finPending: false, finSent: false, closeReset: false };
    EMNETWT.streams[h] = e;
    s.streams.add(e);
    if (s.ready) EMNETWT.startStream(e);
    else s.waiting.push(e);
  },

  emnet_js_wt_stream_write__deps: ['$EMNETWT'],
  emnet_js_wt_stream_write: function (h, buf, len) {
    var e = EMNETWT.streams[h];
    if (!e) return;
    var bytes = HEAPU8.slice(buf, buf + len);   // a copy: the heap may grow before it is sent
    if (e.writer) {
      EMNETWT.write(e, bytes);
    } else {
      e.pre.push(bytes);
      e.inflight += bytes.length;
    }
  },

  emnet_js_wt_stream_inflight__deps: ['$EMNETWT'],
  emnet_js_wt_stream_inflight: function (h) {
    var e = EMNETWT.streams[h];
    return e ? e.inflight : 0;
  },

  emnet_js_wt_stream_watch_drain__deps: ['$EMNETWT'],
  emnet_js_wt_stream_watch_drain: function (h, below) {
    var e = EMNETWT.streams[h];
    if (!e) return;
    e.drainBelow = below;
    queueMicrotask(function () { EMNETWT.drained(e); });   // not from inside C
  },

  // C's pause or resume; what waited meanwhile is handed over after the
  // current call into C has returned.
  emnet_js_wt_stream_pause__deps: ['$EMNETWT'],
  emnet_js_wt_stream_pause: function (h, paused) {
    var e = EMNETWT.streams[h];
    if (!e) return;
    e.paused = !!paused;
    if (paused) return;
    queueMicrotask(function () {
      if (e.gone) return;
      if (e.inbox.length && !e.dirty) {
        e.dirty = true;
        EMNETWT.dirty.push(e);
        EMNETWT.flush();
      }
      EMNETWT.pump(e);
    });
  },

  emnet_js_wt_stream_fin__deps: ['$EMNETWT'],
  emnet_js_wt_stream_fin: function (h) {
    var e = EMNETWT.streams[h];
    if (e) EMNETWT.fin(e);
  },

  emnet_js_wt_stream_close__deps: ['$EMNETWT'],
  emnet_js_wt_stream_close: function (h, reset) {
    var e = EMNETWT.streams[h];
    if (!e) return;
    EMNETWT.forget(e);
    e.closeReset = !!reset;
    EMNETWT.abandon(e, !!reset);   // not created yet: startStream does it
  },

  emnet_js_wt_datagram_send__deps: ['$EMNETWT'],
  emnet_js_wt_datagram_send: function (sid, head, headLen, buf, len) {
    var s = EMNETWT.sessions[sid];
    if (!s || !s.dgWriter) return;   // lost, as UDP may lose it
    var b = new Uint8Array(headLen + len);
    b.set(HEAPU8.subarray(head, head + headLen));
    if (len) b.set(HEAPU8.subarray(buf, buf + len), headLen);
    s.dgWriter.write(b).catch(EMNETWT.noop);
  },
};

mergeInto(LibraryManager.library, LibraryEmnetWebTransport);
