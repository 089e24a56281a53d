// The TCP and UDP benchmarks' work done by a page's own WebTransport, no
// emnet: emnet's protocol (docs/webtransport-protocol.md) spoken by hand
// to emnet-proxy, the same requests to the same servers as
// bench_tcp_core.c and udp_echo_100k.c, measured the same way. The
// baseline for emnet's webtransport transport, as bench-raw-ws.js is for
// its WebSocket ones.
'use strict';

const rawWt = (() => {
  const CHUNK = 65536;
  const chunk = new Uint8Array(CHUNK).map((_, i) => (i * 131 + 7) & 255);
  const hex = (s) => Uint8Array.from(s.match(/../g).map((h) => parseInt(h, 16)));

  async function session(infoUrl) {
    const info = await (await fetch(infoUrl)).json();
    const host = new URL(infoUrl).hostname;
    const wt = new WebTransport(`https://${host}:${info.port}${info.path}`, {
      serverCertificateHashes: info.certificateHashes.map((h) => ({ algorithm: 'sha-256', value: hex(h) })),
    });
    await wt.ready;
    return wt;
  }

  // A TCP stream to 127.0.0.1:port, once the proxy says it is connected.
  async function tcp(wt, port) {
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter(), r = s.readable.getReader();
    await w.write(Uint8Array.from([1, port >> 8, port & 255, 4, 127, 0, 0, 1]));
    let got = new Uint8Array(0);
    while (got.length < 8) {   // status, then the peer's socket address (7 bytes)
      const { value, done } = await r.read();
      if (done) throw new Error(`connect to ${port}: stream ended`);
      got = Uint8Array.from([...got, ...value]);
    }
    if (got[0] !== 0) throw new Error(`connect to ${port}: status ${got[0]}`);
    return { w, r, early: got.subarray(8) };
  }

  const request = (kind, bytes) => {
    const r = new Uint8Array(9);
    r[0] = kind.charCodeAt(0);
    new DataView(r.buffer).setBigUint64(1, BigInt(bytes), true);
    return r;
  };

  async function bench({ infoUrl, bulk, echo, bytes, pings }) {
    const wt = await session(infoUrl);
    // Upload: the writer's promises are the back-pressure (QUIC's flow
    // control); the server answers once it has every byte.
    const up = await tcp(wt, bulk);
    let t0 = performance.now();
    await up.w.write(request('U', bytes));
    for (let left = bytes; left > 0; left -= CHUNK) {
      const n = Math.min(left, CHUNK);
      up.w.write(n === CHUNK ? chunk : chunk.subarray(0, n));   // not awaited one by one: the writer queues
      if (up.w.desiredSize <= 0) await up.w.ready;
    }
    await up.r.read();
    const upMs = performance.now() - t0;
    await up.w.close();
    // Download.
    const down = await tcp(wt, bulk);
    t0 = performance.now();
    await down.w.write(request('D', bytes));
    let got = down.early.length;
    while (got < bytes) {
      const { value, done } = await down.r.read();
      if (done) break;
      got += value.length;
    }
    const downMs = performance.now() - t0;
    await down.w.close();
    // Ping-pong: 32 bytes out, all 32 back.
    const e = await tcp(wt, echo);
    const msg = chunk.subarray(0, 32), rtts = [];
    for (let i = 0; i < pings; i++) {
      const p0 = performance.now();
      await e.w.write(msg);
      let n = 0;
      while (n < 32) n += (await e.r.read()).value.length;
      rtts.push((performance.now() - p0) * 1000);
    }
    await e.w.close();
    wt.close();
    const pick = (v, q) => v.slice().sort((a, b) => a - b)[Math.round(q * (v.length - 1))];
    const mb = bytes / 1e6;
    return [
      `bench tcp_upload ${(mb / (upMs / 1000)).toFixed(1)} MB/s`,
      `bench tcp_download ${(mb / (downMs / 1000)).toFixed(1)} MB/s`,
      `bench tcp_rtt_median ${pick(rtts, 0.5).toFixed(1)} us`,
      `bench tcp_rtt_p99 ${pick(rtts, 0.99).toFixed(1)} us`,
    ];
  }

  // `count` TCP streams opened at once on one session: until every one is
  // connected, and until 32 bytes came back on each.
  async function open({ infoUrl, echo, count }) {
    const wt = await session(infoUrl);
    const t0 = performance.now();
    let tOpen = 0, opened = 0;
    await Promise.all(Array.from({ length: count }, async () => {
      const s = await tcp(wt, echo);
      if (++opened === count) tOpen = performance.now() - t0;
      await s.w.write(chunk.subarray(0, 32));
      let n = s.early.length;
      while (n < 32) n += (await s.r.read()).value.length;
      await s.w.close();
    }));
    const tEcho = performance.now() - t0;
    wt.close();
    return [`bench tcp_connect_all ${tOpen.toFixed(1)} ms`, `bench tcp_connect_roundtrip ${tEcho.toFixed(1)} ms`];
  }

  // UDP echo at volume, as udp_echo_100k.c with "resend": `count`
  // datagrams of 8-1200 bytes with at most `window` in flight, over one
  // flow, each numbered, and each sent again when its echo is 300 ms late,
  // until every one came back. A datagram that does not fit in the
  // session's largest QUIC datagram goes on the flow's stream as a record
  // (as emnet sends it; sent as a datagram, the browser would drop it);
  // echoes come either way.
  async function udp({ infoUrl, port, count, window: win = 64, maxAge = null }) {
    const wt = await session(infoUrl);
    if ('incomingHighWaterMark' in wt.datagrams) wt.datagrams.incomingHighWaterMark = 1024;
    if ('outgoingHighWaterMark' in wt.datagrams) wt.datagrams.outgoingHighWaterMark = 1024;
    if (maxAge !== null && 'outgoingMaxAge' in wt.datagrams) wt.datagrams.outgoingMaxAge = maxAge;
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter(), r = s.readable.getReader();
    await w.write(Uint8Array.from([2, 4]));
    let head = new Uint8Array(0);
    while (head.length < 2 || head.length < 1 + (1 << (head[1] >> 6)) + 2) {
      const { value } = await r.read();
      head = Uint8Array.from([...head, ...value]);
    }
    const vlen = 1 << (head[1] >> 6);
    let flow = head[1] & 0x3f;
    for (let i = 2; i < 1 + vlen; i++) flow = flow * 256 + head[i];
    const flowBytes = flow < 64 ? [flow] : [0x40 | (flow >> 8), flow & 255];
    const addr = [4, 127, 0, 0, 1, port >> 8, port & 255];
    const maxDatagram = wt.datagrams.maxDatagramSize || 0;
    const dw = wt.datagrams.writable.getWriter(), dr = wt.datagrams.readable.getReader();
    const size = (i) => 8 + ((i * 2654435761) >>> 0) % 1193;
    const inflight = new Map();   // seq -> when last sent
    let next = 0, echoed = 0, resent = 0, records = 0, bad = 0;
    const t0 = performance.now();
    const payload = (seq) => {
      const p = new Uint8Array(size(seq)).fill(seq & 255);
      new DataView(p.buffer).setUint32(0, seq, true);
      return p;
    };
    const sendOne = (seq) => {
      const p = payload(seq);
      if (flowBytes.length + addr.length + p.length <= maxDatagram) {
        const d = new Uint8Array(flowBytes.length + addr.length + p.length);
        d.set(flowBytes);
        d.set(addr, flowBytes.length);
        d.set(p, flowBytes.length + addr.length);
        dw.write(d).catch(() => {});
      } else {
        const len = p.length < 64 ? [p.length] : [0x40 | (p.length >> 8), p.length & 255];
        w.write(Uint8Array.from([1, ...len, ...addr, ...p])).catch(() => {});
        records++;
      }
      inflight.set(seq, performance.now());
    };
    const fill = () => {
      while (next < count && inflight.size < win) sendOne(next++);
    };
    const echo = (p) => {   // an echo's payload
      if (p.length < 8) { bad++; return; }
      const seq = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
      if (!inflight.has(seq)) return;   // the echo of a copy sent again
      if (p.length !== size(seq) || p[p.length - 1] !== (seq & 255)) { bad++; return; }
      inflight.delete(seq);
      echoed++;
    };
    // Echoes as datagrams: flow id, the sender's socket address, payload.
    const skip = flowBytes.length + addr.length;
    (async () => {
      for (;;) {
        const { value, done } = await dr.read();
        if (done) return;
        echo(value.subarray(skip));
        fill();
      }
    })().catch(() => {});
    // Echoes as records on the flow's stream: 0x01, length varint, address, payload.
    (async () => {
      let buf = new Uint8Array(0);
      for (;;) {
        const { value, done } = await r.read();
        if (done) return;
        const b = new Uint8Array(buf.length + value.length);
        b.set(buf);
        b.set(value, buf.length);
        buf = b;
        for (;;) {
          if (buf.length < 2) break;
          const ll = 1 << (buf[1] >> 6);
          if (buf.length < 1 + ll) break;
          let len = buf[1] & 0x3f;
          for (let i = 2; i < 1 + ll; i++) len = len * 256 + buf[i];
          const at = 1 + ll + (buf[1 + ll] === 6 ? 19 : 7);
          if (buf.length < at + len) break;
          if (buf[0] === 1) echo(buf.subarray(at, at + len));
          buf = buf.subarray(at + len);
        }
        fill();
      }
    })().catch(() => {});
    // Late ones go again; the loop ends when every one came back.
    fill();
    while (echoed < count && performance.now() - t0 < 100000) {
      await new Promise((res) => setTimeout(res, echoed < count - win ? 100 : 5));
      const now = performance.now();
      for (const [seq, at] of inflight) {
        if (now - at < 300) continue;
        resent++;
        sendOne(seq);
      }
    }
    const ms = performance.now() - t0;
    console.log(`raw WebTransport UDP: ${count} datagrams, echoed ${echoed}, resent ${resent}, ` +
                `${records} on the stream (maxDatagramSize ${maxDatagram}), corrupt ${bad}, ${ms.toFixed(0)} ms`);
    wt.close();
    return echoed === count && !bad ? [`bench udp_echo_rate ${(count / (ms / 1000)).toFixed(0)} datagrams/s`,
                                       `bench udp_resent_pct ${(100 * resent / count).toFixed(3)} %`] : [];
  }

  return { bench, open, udp };
})();
