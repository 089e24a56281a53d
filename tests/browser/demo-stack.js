// For the chat demo's tests: starts the demo's servers (demo/services.sh:
// ngIRCd and the WebSocket proxy in front of it), runs the terminal client
// (emnet-chat) as a process driven through its stdin and stdout, and opens
// the chat page. Every process started here is stopped by its own PID.
'use strict';
const { spawn } = require('child_process');
const path = require('path');

const ROOT = path.join(__dirname, '../..');
const NATIVE_BUILD = process.env.EMNET_DEMO_NATIVE_BUILD || process.env.EMNET_NATIVE_BUILD || path.join(ROOT, 'build/native');
const WASM_BUILD = process.env.EMNET_DEMO_WASM_BUILD || 'wasm';   // a folder of build/

// Lines of a child's stdout, with a way to wait for one.
class LineReader {
  constructor(stream) {
    this.lines = [];
    this.waiters = [];
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      const parts = (rest + d).split('\n');
      rest = parts.pop();
      for (const l of parts) {
        this.lines.push(l);
        this.waiters = this.waiters.filter((w) => !w.check());
      }
    });
  }

  // Resolves with the first line (from index `from` on) that pred accepts.
  waitFor(pred, { from = 0, timeout = 15000, what = 'a line' } = {}) {
    return new Promise((resolve, reject) => {
      const w = {
        check: () => {
          for (let i = from; i < this.lines.length; i++) {
            if (pred(this.lines[i])) { clearTimeout(w.timer); resolve(this.lines[i]); return true; }
          }
          return false;
        },
      };
      if (w.check()) return;
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${what}; last lines:\n${this.lines.slice(-15).join('\n')}`));
      }, timeout);
      this.waiters.push(w);
    });
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// demo/services.sh in its own process group; resolves once it is ready.
async function startServers() {
  const child = spawn(path.join(ROOT, 'demo/services.sh'), ['run'], {
    cwd: ROOT, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const out = new LineReader(child.stdout);
  await Promise.race([
    out.waitFor((l) => l === 'ready', { timeout: 20000, what: 'the demo servers' }),
    exited(child).then((code) => { throw new Error(`demo/services.sh exited (${code}): ${err}`); }),
  ]);
  const value = (key) => out.lines.find((l) => l.startsWith(key + ' ')).slice(key.length + 1);
  const servers = {
    child, out,
    ircPort: Number(value('irc')),
    wsUrl: value('ws_url'),
    // With emnet-proxy (the default), its Wisp mode: the pages' default.
    wispUrl: out.lines.some((l) => l.startsWith('wisp_url ')) ? value('wisp_url') : '',
    // And its WebTransport (the info URL gives its port and certificate hash).
    wtInfoUrl: out.lines.some((l) => l.startsWith('wt_info_url ')) ? value('wt_info_url') : '',
    // Commands on its stdin: 'proxy down', 'proxy up', 'irc down', 'irc up';
    // each resolves once the script has answered with the same words.
    async command(what) {
      const from = out.lines.length;
      child.stdin.write(what + '\n');
      await out.waitFor((l) => l === what, { from, what });
    },
    proxyDown() { return this.command('proxy down'); },
    proxyUp() { return this.command('proxy up'); },
    ircDown() { return this.command('irc down'); },
    ircUp() { return this.command('irc up'); },
    // Stops it all; resolves with the script's exit status (1 if a
    // process survived).
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const done = exited(child);
      process.kill(child.pid, 'SIGTERM');
      return done;
    },
  };
  return servers;
}

// The native terminal client, talking straight to ngIRCd.
function startTerminal(servers, nick, channel) {
  const child = spawn(path.join(NATIVE_BUILD, 'demo/client/emnet-chat'),
    ['--nick', nick, '--channel', channel, '127.0.0.1', String(servers.ircPort)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const out = new LineReader(child.stdout);
  return {
    child, out,
    get stderr() { return err; },
    send(line) { child.stdin.write(line + '\n'); },
    // Events "type\twhere\twho\ttext" as arrays.
    events(type) { return out.lines.map((l) => l.split('\t')).filter((f) => !type || f[0] === type); },
    waitEvent(pred, opts = {}) {
      return out.waitFor((l) => pred(l.split('\t')), opts).then((l) => l.split('\t'));
    },
    async quit() {
      const done = exited(child);
      child.stdin.end('/quit done\n');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await done;
      clearTimeout(t);
      return code;
    },
    kill() { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
}

// Opens the chat page for nick and waits until it has joined channel.
// Wisp through the demo's emnet-proxy unless told otherwise; transport
// 'wisp' needs a Wisp server that may reach the IRC port.
async function openChat(browser, servers, nick, channel,
                        { expectNick = nick, transport = servers.wispUrl ? 'wisp' : 'websockify',
                          wispUrl = servers.wispUrl, wtInfoUrl = servers.wtInfoUrl } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const q = new URLSearchParams({
    irc: `127.0.0.1:${servers.ircPort}`, ws: servers.wsUrl, nick, channel,
    transport, wisp: wispUrl, build: WASM_BUILD, connect: '1',
  });
  if (wtInfoUrl) q.set('wt', wtInfoUrl);
  await page.goto(`/demo/web/index.html?${q}`);
  await waitJoined(page, channel, expectNick);
  return page;
}

// Until the page is registered as nick and in channel.
function waitJoined(page, channel, nick, timeout = 20000) {
  return page.waitForFunction(([c, n]) => {
    const s = window.chat && window.chat.state;
    const t = s && s.tabs.get(c.toLowerCase());
    return s.nick === n && t && !t.left && t.members.includes(n);
  }, [channel, nick], { timeout });
}

// The messages (type msg) of a tab, as { from, text }.
function messages(page, tab) {
  return page.evaluate((t) => {
    const x = window.chat.state.tabs.get(t.toLowerCase());
    return x ? x.lines.filter((l) => l.type === 'msg').map((l) => ({ from: l.from, text: l.text })) : [];
  }, tab);
}

// Until pred(msgs, arg) holds for the tab's messages. pred runs in the
// page: it sees only its arguments.
async function waitMessages(page, tab, pred, { arg = null, timeout = 15000 } = {}) {
  await page.waitForFunction(([t, src, a]) => {
    const x = window.chat.state.tabs.get(t.toLowerCase());
    const msgs = x ? x.lines.filter((l) => l.type === 'msg').map((l) => ({ from: l.from, text: l.text })) : [];
    return new Function('msgs', 'arg', `return (${src})(msgs, arg)`)(msgs, a);
  }, [tab, pred.toString(), arg], { timeout });
  return messages(page, tab);
}

module.exports = { startServers, startTerminal, openChat, waitJoined, messages, waitMessages, LineReader };
