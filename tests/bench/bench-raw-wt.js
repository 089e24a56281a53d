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

  // UDP echo at volume, as udp_echo_100k.c: `count` datagrams of 8-1200
  // bytes with at most `window` in flight, over one flow.
  async function udp({ infoUrl, port, count, window: win = 64 }) {
    const wt = await session(infoUrl);
    if ('incomingHighWaterMark' in wt.datagrams) wt.datagrams.incomingHighWaterMark = 4 * win;
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
    const dw = wt.datagrams.writable.getWriter(), dr = wt.datagrams.readable.getReader();
    let sent = 0, echoed = 0;
    const t0 = performance.now();
    const size = (i) => 8 + ((i * 2654435761) >>> 0) % 1193;
    const send = () => {
      while (sent < count && sent - echoed < win) {
        const d = new Uint8Array(flowBytes.length + 7 + size(sent));
        d.set(flowBytes);
        d.set([4, 127, 0, 0, 1, port >> 8, port & 255], flowBytes.length);
        dw.write(d);
        sent++;
      }
    };
    // Echoes are read back to back (a timer per read would cost more
    // than the datagram); a watchdog gives up on those in flight after a
    // second without an echo, as udp_echo_100k.c does.
    let last = performance.now(), lost = 0, wake = null, pending = null;
    const watchdog = setInterval(() => {
      if (performance.now() - last < 1000) return;
      lost += sent - echoed;
      echoed = sent;
      last = performance.now();
      send();
      if (wake) wake();   // the loop below may be waiting for an echo that never comes
    }, 250);
    send();
    while (echoed < count) {
      pending = pending || dr.read();
      const got = await Promise.race([pending, new Promise((res) => { wake = res; })]);
      if (!got) continue;   // woken by the watchdog
      pending = null;
      if (got.done) break;
      echoed++;
      last = performance.now();
      send();
    }
    clearInterval(watchdog);
    if (lost) console.log(`raw WebTransport UDP: ${lost} datagrams lost`);
    const ms = performance.now() - t0;
    wt.close();
    return [`bench udp_echo_rate ${(count / (ms / 1000)).toFixed(0)} datagrams/s`];
  }

  return { bench, open, udp };
})();
