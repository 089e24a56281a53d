// The TCP benchmark's work done by a plain JS WebSocket, the baseline that
// emnet is compared with: the same requests to the same servers through the
// same websockify as bench_tcp_core.c, measured the same way.
//
// Upload keeps at most `window` bytes in bufferedAmount (WebSocket has no
// drain event, so it looks again after a setTimeout(0)); download counts
// message bytes; ping-pong sends 32 bytes and waits for all 32.
'use strict';

function benchRawWebSocket({ bulkUrl, echoUrl, bytes, pings, window: win = 16 << 20 }) {
  const CHUNK = 65536;
  const chunk = new Uint8Array(CHUNK).map((_, i) => (i * 131 + 7) & 255);
  const open = (url) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('cannot open ' + url));
  });
  const request = (kind) => {
    const r = new Uint8Array(9);
    r[0] = kind.charCodeAt(0);
    new DataView(r.buffer).setBigUint64(1, BigInt(bytes), true);
    return r;
  };

  async function upload(ws) {
    const t0 = performance.now();
    const acked = new Promise((resolve) => { ws.onmessage = () => resolve(); });
    ws.send(request('U'));
    let left = bytes;
    while (left > 0) {
      while (left > 0 && ws.bufferedAmount < win) {
        const n = Math.min(left, CHUNK);
        ws.send(n === CHUNK ? chunk : chunk.subarray(0, n));
        left -= n;
      }
      if (left > 0) await new Promise((r) => setTimeout(r, 0));
    }
    await acked;
    return performance.now() - t0;
  }

  function download(ws) {
    return new Promise((resolve) => {
      const t0 = performance.now();
      let got = 0;
      ws.onmessage = (e) => {
        got += e.data.byteLength;
        if (got >= bytes) resolve(performance.now() - t0);
      };
      ws.send(request('D'));
    });
  }

  function pingPong(ws) {
    return new Promise((resolve) => {
      const msg = chunk.subarray(0, 32);
      const rtts = [];
      let got = 0, t0 = 0;
      const send = () => { got = 0; t0 = performance.now(); ws.send(msg); };
      ws.onmessage = (e) => {
        got += e.data.byteLength;
        if (got < 32) return;
        rtts.push((performance.now() - t0) * 1000);
        if (rtts.length < pings) send();
        else resolve(rtts);
      };
      send();
    });
  }

  const pick = (v, q) => v.slice().sort((a, b) => a - b)[Math.round(q * (v.length - 1))];
  return (async () => {
    const bulk = await open(bulkUrl);
    const echo = await open(echoUrl);
    const up = await upload(bulk);
    const down = await download(bulk);
    const rtts = await pingPong(echo);
    bulk.close(1000);
    echo.close(1000);
    const mb = bytes / 1e6;
    return [
      `bench tcp_upload ${(mb / (up / 1000)).toFixed(1)} MB/s`,
      `bench tcp_download ${(mb / (down / 1000)).toFixed(1)} MB/s`,
      `bench tcp_rtt_median ${pick(rtts, 0.5).toFixed(1)} us`,
      `bench tcp_rtt_p99 ${pick(rtts, 0.99).toFixed(1)} us`,
    ];
  })();
}

// Opening `count` WebSockets at once, the way a page that needs that many
// TCP connections through websockify must: the time until every one has
// opened, and until 32 bytes sent on each have come back (through the echo
// server). Browsers open only one WebSocket at a time to a host while
// another is still connecting (RFC 6455, section 4.1), so this is what
// one WebSocket per connection costs before any byte moves.
function benchRawOpen({ url, count }) {
  const msg = new Uint8Array(32).map((_, i) => i);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sockets = [];
    let opened = 0, echoed = 0, tOpen = 0;
    for (let i = 0; i < count; i++) {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      let got = 0;
      ws.onerror = () => reject(new Error('cannot open ' + url));
      ws.onopen = () => {
        if (++opened === count) tOpen = performance.now() - t0;
        ws.send(msg);
      };
      ws.onmessage = (e) => {
        got += e.data.byteLength;
        if (got < 32 || ++echoed < count) return;
        const tEcho = performance.now() - t0;
        for (const s of sockets) s.close(1000);
        resolve([`bench tcp_connect_all ${tOpen.toFixed(1)} ms`, `bench tcp_connect_roundtrip ${tEcho.toFixed(1)} ms`]);
      };
      sockets.push(ws);
    }
  });
}
