// Runs Debian's nginx from proxy/deploy/nginx.conf in front of emnet-proxy
// instances: the template's ports filled in, a private prefix directory,
// the foreground master process and its workers stopped by their PIDs.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const L = require('../server/lib.js');

const TEMPLATE = path.join(__dirname, '..', '..', '..', 'proxy', 'deploy', 'nginx.conf');

// PIDs of the processes whose parent is pid (nginx's workers).
function childPids(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch (e) { /* gone meanwhile */ }
  }
  return out;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return false; }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

// Workers outlive a master killed with SIGKILL (what lib.js does to every
// child left at exit), so they are killed by their own PIDs as well.
const workers = new Set();
process.on('exit', () => {
  for (const pid of workers) if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ }
});

// Starts nginx with the given upstream ports; resolves with
// { port, proc, workers, stop() } once it accepts connections.
async function start(bin, proxyPorts) {
  for (let attempt = 0; ; attempt++) {
    const port = await L.freePort();
    const dir = fs.mkdtempSync(path.join(L.tmp(), 'nginx-'));
    let conf = fs.readFileSync(TEMPLATE, 'utf8').replace(/@NGINX_PORT@/g, String(port));
    proxyPorts.forEach((p, i) => { conf = conf.replace(new RegExp(`@PROXY_PORT_${i + 1}@`, 'g'), String(p)); });
    if (/@[A-Z_0-9]+@/.test(conf)) throw new Error('nginx.conf: a placeholder is left: ' + conf.match(/@[A-Z_0-9]+@/)[0]);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
    const p = L.startProcess(bin, ['-p', dir + '/', '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;']);
    let up = false;
    for (let i = 0; i < 100 && !up && p.proc.exitCode === null; i++) {
      await L.sleep(50);
      // The master binds the port before it forks its worker.
      up = childPids(p.proc.pid).length > 0 && await canConnect(port);
    }
    if (!up) {
      // Another program may have taken the free port meanwhile: try another.
      if (p.proc.exitCode === null) process.kill(p.proc.pid, 'SIGKILL');
      await p.exited;
      if (attempt < 2 && p.err.some((l) => /Address already in use/.test(l))) continue;
      throw new Error('nginx did not start:\n' + p.err.join('\n'));
    }
    const n = { port, proc: p.proc, err: p.err, dir, workers: childPids(p.proc.pid) };
    for (const w of n.workers) workers.add(w);
    n.url = (pathq) => `ws://127.0.0.1:${port}${pathq}`;
    // Fast shutdown (SIGTERM) of the master, which stops its workers first.
    n.stop = async () => {
      process.kill(p.proc.pid, 'SIGTERM');
      const ex = await L.withTimeout(p.exited, 10000, 'nginx exit');
      const left = n.workers.filter(alive);
      for (const w of left) process.kill(w, 'SIGKILL');
      return { code: ex.code, sig: ex.sig, workersLeft: left.length };
    };
    return n;
  }
}

module.exports = { start };
