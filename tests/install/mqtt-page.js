// The MQTT example in Chromium: libmosquitto, compiled unchanged into
// examples/mqtt/mqtt_echo, runs in a page and talks through emnet-proxy's
// Wisp mode to Debian's mosquitto broker, while Debian's native
// mosquitto_pub and mosquitto_sub are on the other side. Checked:
//   - a retained message the native side left is delivered to the page,
//     flagged retained; the page's own retained message reaches a native
//     subscriber that comes later, flagged retained;
//   - messages both ways with QoS 0, 1 and 2 (the page answers each on
//     emnet/from-page/echo/..., with the QoS it got);
//   - the broker restarts: the page's libmosquitto reconnects by itself,
//     subscribes again, and messages flow again;
//   - the page's connection is cut (the page is closed): the broker sends
//     the page's will to a native subscriber.
//
//   node tests/install/mqtt-page.js PROGRAM_JS   (under tests/harness/services.sh)
// PROGRAM_JS is the path of mqtt_echo.js inside the repository (the
// harness's static server serves the repository).
'use strict';
const { chromium } = require('@playwright/test');
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '../..');
const prog = path.relative(root, path.resolve(process.argv[2]));
const { EMNET_HTTP_PORT, EMNET_PROXY_WISP_URL } = process.env;
if (!EMNET_HTTP_PORT || !EMNET_PROXY_WISP_URL) throw new Error('run under tests/harness/services.sh');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A process whose output lines are kept; stopped by its own PID at the end.
function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.lines = [];
  let rest = '';
  const take = (chunk) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop();
    child.lines.push(...parts);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  child.exited = new Promise((r) => child.on('exit', (code, signal) => { children.delete(child); r({ code, signal }); }));
  children.add(child);
  return child;
}

async function until(what, test, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await test();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function connectable(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

let brokerDir;
async function startBroker(port) {
  brokerDir = brokerDir || fs.mkdtempSync(path.join(os.tmpdir(), 'emnet-mqtt-'));
  const conf = path.join(brokerDir, 'mosquitto.conf');
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const broker = start('/usr/sbin/mosquitto', ['-c', conf]);
  await until('the broker to listen', () => connectable(port));
  return broker;
}

async function run(cmd, args) {
  const child = start(cmd, args);
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${child.lines.join(' | ')}`);
  return child.lines;
}

async function main() {
  const port = await freePort();
  const mq = ['-h', '127.0.0.1', '-p', String(port)];
  const pub = (topic, msg, ...more) => run('mosquitto_pub', [...mq, '-t', topic, '-m', msg, ...more]);
  const subscriber = (...topics) => {
    const s = start('mosquitto_sub', [...mq, '-q', '2', '-F', '%t %q %r %p', ...topics.flatMap((t) => ['-t', t])]);
    return s;
  };
  const saw = (child, line, what) => until(`${what}: "${line}"`, () => child.lines.includes(line));

  let broker = await startBroker(port);
  await pub('emnet/to-page/retained', 'retained to the page', '-r', '-q', '1');
  let sub = subscriber('emnet/from-page/#');
  await sleep(300);   // subscribed before the page publishes

  const browser = await chromium.launch({
    executablePath: ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => fs.existsSync(p)),
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const q = new URLSearchParams({ prog: `/${prog}` });
    q.append('arg', '127.0.0.1');
    q.append('arg', String(port));
    q.append('env', 'EMNET_TRANSPORT=wisp');
    q.append('env', `EMNET_WISP_URL=${EMNET_PROXY_WISP_URL}`);
    await page.goto(`http://127.0.0.1:${EMNET_HTTP_PORT}/tests/browser/run-wasm.html?${q}`);
    const pageLines = () => page.evaluate(() => window.emnetRun.stdout.concat(window.emnetRun.stderr));
    const pageSaid = (line, count = 1) => until(`the page to print "${line}"`, async () =>
      (await pageLines()).filter((l) => l === line).length >= count);

    await pageSaid('subscribed qos=2');
    await pageSaid('got emnet/to-page/retained qos=1 retain=1 retained to the page');
    console.log('ok: a retained message reached the page, flagged retained');
    await saw(sub, 'emnet/from-page/retained 1 0 retained from the page', 'the page\'s retained message, live');
    const later = await run('mosquitto_sub', [...mq, '-q', '1', '-C', '1', '-W', '10', '-F', '%t %q %r %p', '-t', 'emnet/from-page/retained']);
    if (later[0] !== 'emnet/from-page/retained 1 1 retained from the page') throw new Error(`late subscriber got: ${later}`);
    console.log('ok: the page\'s retained message reached a later subscriber, flagged retained');

    for (const qos of [0, 1, 2]) {
      await pub(`emnet/to-page/q${qos}`, `message qos ${qos}`, '-q', String(qos));
      await pageSaid(`got emnet/to-page/q${qos} qos=${qos} retain=0 message qos ${qos}`);
      await saw(sub, `emnet/from-page/echo/q${qos} ${qos} 0 message qos ${qos}`, `the page's answer with QoS ${qos}`);
      console.log(`ok: QoS ${qos} both ways`);
    }

    // The broker goes away and comes back on the same port.
    sub.kill('SIGTERM');
    await sub.exited;
    broker.kill('SIGTERM');
    await broker.exited;
    await pageSaid('disconnected rc=7');   // MOSQ_ERR_CONN_LOST
    broker = await startBroker(port);
    await pageSaid('connected rc=0', 2);
    await pageSaid('subscribed qos=2', 2);
    sub = subscriber('emnet/from-page/#', 'emnet/will');
    await sleep(300);
    await pub('emnet/to-page/again', 'after the restart', '-q', '1');
    await saw(sub, 'emnet/from-page/echo/again 1 0 after the restart', 'the page\'s answer after the restart');
    console.log('ok: the page reconnected after the broker restarted, messages flow again');

    // The page's connection is cut: the broker publishes the will.
    await page.close();
    await saw(sub, 'emnet/will 1 0 page gone', 'the page\'s will');
    console.log('ok: the will was published when the page\'s connection was cut');
  } finally {
    await browser.close();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all([...children].map((c) => c.exited));
    if (brokerDir) fs.rmSync(brokerDir, { recursive: true, force: true });
  }
  console.log('mqtt example: all checks passed');
}

main().catch((e) => {
  console.error(`FAILED: ${e.message}`);
  for (const c of children) c.kill('SIGTERM');
  process.exit(1);
});
