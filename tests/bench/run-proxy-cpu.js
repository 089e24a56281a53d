// emnet-proxy's CPU per byte for a page's own WebSocket (websockify mode)
// and its own WebTransport (emnet's protocol), in a Chromium started
// directly: each run uploads then downloads MiB megabytes through the
// harness's emnet-proxy, whose CPU time (user + system, /proc) is read
// before and after. Prints MB per proxy CPU-second each way, and the
// ratio WebTransport / WebSocket, medians of the runs.
//   node tests/bench/run-proxy-cpu.js [runs] [MiB]     (default 3, 256)
// Needs the harness's services (tests/harness/services.sh).
'use strict';
const fs = require('fs');
const { runPage } = require('./direct-chromium.js');

const [runs = 3, mib = 256] = process.argv.slice(2).map(Number);
const need = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set: run under tests/harness/services.sh`);
  return process.env[k];
};

// The harness's emnet-proxy: the process that listens on EMNET_PROXY_PORT
// (found through its listening socket's inode: other proxies may run).
function proxyPid() {
  const port = Number(need('EMNET_PROXY_PORT')).toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${port}`) && f[3] === '0A') inodes.add(f[9]);
    }
  }
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds;
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch (e) {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return pid;
      } catch (e) { /* gone */ }
    }
  }
  throw new Error(`no process listens on port ${need('EMNET_PROXY_PORT')}`);
}
const cpuSeconds = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;   // USER_HZ
};

async function once(via, pid) {
  const q = new URLSearchParams({ via, proxyws: need('EMNET_PROXY_WS_URL'), wtinfo: need('EMNET_PROXY_WT_INFO_URL'),
                                  bulk: need('EMNET_TCP_BULK_PORT'), echo: need('EMNET_TCP_ECHO_PORT'), mib });
  const before = cpuSeconds(pid);
  const text = await runPage('tests/bench/bench-proxy-cpu.html', q, 600000);
  const cpu = cpuSeconds(pid) - before;
  const fig = (name) => Number((new RegExp(`bench ${name} ([\\d.]+)`).exec(text) || [])[1]);
  if (!fig('tcp_upload')) throw new Error(`${via}: ${text.trim()}`);
  // Each way moves mib MiB; the CPU is split in proportion to the time
  // each way took (the proxy is busy throughout a transfer).
  const mb = (mib * 1048576) / 1e6, up = fig('tcp_upload'), down = fig('tcp_download');
  const tUp = mb / up, tDown = mb / down;
  return { up, down, upPerCpu: mb / (cpu * tUp / (tUp + tDown)), downPerCpu: mb / (cpu * tDown / (tUp + tDown)), cpu };
}

async function main() {
  const pid = proxyPid();
  const res = { ws: [], wt: [] };
  for (let r = 0; r < runs; r++) for (const via of ['ws', 'wt']) res[via].push(await once(via, pid));
  const med = (a, k) => a.map((x) => x[k]).sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`emnet-proxy CPU per byte, a page's own WebSocket vs its own WebTransport, ${mib} MiB each way, ` +
              `median of ${runs} runs (Chromium; the proxy ${process.env.EMNET_NATIVE_BUILD || 'build/native'})`);
  for (const via of ['ws', 'wt']) {
    console.log(`${via === 'ws' ? 'WebSocket   ' : 'WebTransport'}  upload ${med(res[via], 'up').toFixed(1)} MB/s, ` +
                `${med(res[via], 'upPerCpu').toFixed(1)} MB/CPU-s; download ${med(res[via], 'down').toFixed(1)} MB/s, ` +
                `${med(res[via], 'downPerCpu').toFixed(1)} MB/CPU-s`);
  }
  console.log(`WebTransport/WebSocket MB per proxy CPU-second: upload ` +
              `${(med(res.wt, 'upPerCpu') / med(res.ws, 'upPerCpu')).toFixed(2)}, download ` +
              `${(med(res.wt, 'downPerCpu') / med(res.ws, 'downPerCpu')).toFixed(2)}`);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
