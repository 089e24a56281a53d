#!/usr/bin/env node
// Takes demo/screenshot.png: two users chatting in the demo page. Starts
// the demo's servers itself (demo/services.sh run --web) and stops them
// by PID when done.
//   node scripts/demo-screenshot.js          (needs build/wasm; EMNET_DEMO_WASM_BUILD=DIR for another)
'use strict';
const path = require('path');
const { spawn } = require('child_process');
const { chromium } = require('playwright-core');
const { LineReader } = require('../tests/browser/demo-stack');

const ROOT = path.join(__dirname, '..');

async function main() {
  const services = spawn(path.join(ROOT, 'demo/services.sh'), ['run', '--web'],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const out = new LineReader(services.stdout);
  let browser;
  try {
    await out.waitFor((l) => l === 'ready', { timeout: 20000, what: 'the demo servers' });
    const get = (k) => out.lines.find((l) => l.startsWith(k + ' ')).slice(k.length + 1);
    browser = await chromium.launch({
      executablePath: process.env.EMNET_CHROMIUM || '/usr/lib/chromium/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const open = async (nick) => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 560 } });
      const q = new URLSearchParams({ irc: `127.0.0.1:${get('irc')}`, ws: get('ws_url'), nick, channel: '#emnet',
        build: process.env.EMNET_DEMO_WASM_BUILD || 'wasm', connect: '1' });
      await page.goto(`http://127.0.0.1:${get('http')}/demo/web/index.html?${q}`);
      await page.waitForFunction((n) => window.chat && window.chat.state.nick === n &&
        (window.chat.state.tabs.get('#emnet') || { members: [] }).members.includes(n), nick, { timeout: 20000 });
      return page;
    };
    const ada = await open('ada');
    const linus = await open('linus');
    await ada.waitForFunction(() => window.chat.state.tabs.get('#emnet').members.includes('linus'));
    const say = async (page, text) => {
      await page.fill('#input', text);
      await page.press('#input', 'Enter');
      await page.waitForTimeout(150);
    };
    await say(ada, 'Hi Linus! This chat client is C, compiled to wasm, running in the page.');
    await say(linus, 'And its sockets and epoll are emnet\'s, over a WebSocket to the proxy?');
    await say(ada, 'Yes: non-blocking connect, EPOLLOUT, SO_ERROR, the same code as natively.');
    await say(linus, 'Nice. And UTF-8 all the way: Grüße, ¡hola!, naïve café, 5 €.');
    await say(ada, 'The terminal build of the same client can join as well: build/native/demo/client/emnet-chat');
    await linus.waitForFunction(() => window.chat.state.tabs.get('#emnet').lines.filter((l) => l.type === 'msg').length >= 5);
    const file = path.join(ROOT, 'demo/screenshot.png');
    await linus.screenshot({ path: file });
    console.log(`wrote ${path.relative(ROOT, file)}`);
  } finally {
    if (browser) await browser.close();
    const done = new Promise((resolve) => services.once('exit', resolve));
    process.kill(services.pid, 'SIGTERM');
    const code = await done;
    if (code !== 0) { console.error(`demo/services.sh exited ${code}`); process.exitCode = 1; }
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
