// WebKit for the browser tier: Debian's WebKitGTK MiniBrowser driven by
// WebKitWebDriver (WebDriver classic, a few HTTP requests made here with
// fetch), under an Xvfb display of its own (WebKitGTK has no headless mode).
// Playwright cannot drive a stock WebKitGTK. It offers the small part of
// Playwright's Browser / BrowserContext / Page that the specs use; what
// WebDriver classic cannot do (a script before the page's own, console
// events) throws, so that a spec that needs it fails instead of testing less.
//
// One driver per worker, a WebDriver session (a MiniBrowser process) per
// open context; a closed context's session is kept, on a blank page, for
// the next context.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');

const MINIBROWSER_CANDIDATES = [
  process.env.EMNET_MINIBROWSER,
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser',
];

function miniBrowserPath() {
  const found = MINIBROWSER_CANDIDATES.find((p) => p && fs.existsSync(p));
  if (!found) throw new Error('WebKitGTK MiniBrowser not found: install Debian\'s webkit2gtk-driver (scripts/setup.sh)');
  return found;
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';   // the W3C key of an element reference
const POLL_MS = 25;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The driver process: `xvfb-run -a WebKitWebDriver --port=N`, in a process
// group of its own so that stopping it stops its Xvfb too.
class Driver {
  static async start() {
    const port = await freePort();
    const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`],
                        { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
    // A worker that ends without closing its browser still stops them.
    const onExit = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch (e) { /* gone */ } };
    process.once('exit', onExit);
    child.once('exit', () => process.removeListener('exit', onExit));
    const driver = new Driver(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 20000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${err}`);
      try {
        const s = await driver.request('GET', '/status');
        if (s && s.ready) return driver;
      } catch (e) { /* not listening yet */ }
      if (Date.now() > deadline) {
        await driver.stop();
        throw new Error(`WebKitWebDriver did not answer on port ${port}: ${err}`);
      }
      await sleep(100);
    }
  }

  constructor(child, base) {
    this.child = child;
    this.base = base;
  }

  // timeoutMs: a page whose script never yields (or a wedged driver) must
  // not hold the test past its own timeout.
  async request(method, path, body, timeoutMs = 0) {
    const r = await fetch(this.base + path, {
      method,
      signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch (e) { throw new Error(`WebDriver ${method} ${path}: HTTP ${r.status} ${text.slice(0, 200)}`); }
    const v = json.value;
    if (!r.ok || (v && v.error)) {
      throw new Error(`WebDriver ${method} ${path}: ${v && v.error}: ${v && v.message}`);
    }
    return v;
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch (e) { return; }
    const t = setTimeout(() => { try { process.kill(-this.child.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, 5000);
    await exited;
    clearTimeout(t);
  }
}

// Runs fn's source in the page with arg, awaiting a promise it returns;
// an exception comes back as one (not under the key "error", which would
// read as WebDriver's own).
const RUNNER = `
  const done = arguments[arguments.length - 1];
  const fn = eval('(' + arguments[0] + ')');
  Promise.resolve().then(() => fn(arguments[1])).then(
    (v) => done({ ok: v === undefined ? null : v }),
    (e) => done({ thrown: String(e) + (e && e.stack ? ' at ' + e.stack : '') }));`;

class WebKitPage {
  constructor(context, driver, session, baseURL) {
    this._context = context;
    this._driver = driver;
    this._session = session;
    this._baseURL = baseURL;
  }

  _cmd(method, path, body, timeoutMs) {
    return this._driver.request(method, `/session/${this._session}${path}`, body, timeoutMs);
  }

  context() { return this._context; }

  async goto(url) {
    await this._cmd('POST', '/url', { url: new URL(url, this._baseURL).href });
  }

  async evaluate(fn, arg, timeoutMs = 0) {
    const src = typeof fn == 'function' ? fn.toString() : `() => (${fn})`;
    const r = await this._cmd('POST', '/execute/async', { script: RUNNER, args: [src, arg === undefined ? null : arg] },
                              timeoutMs);
    if (r && 'thrown' in r) throw new Error(`page.evaluate: ${r.thrown}`);
    return r ? r.ok : r;
  }

  async waitForFunction(fn, arg, { timeout = 0 } = {}) {
    const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
    for (;;) {
      if (this._context._closed) throw new Error('waitForFunction: the page was closed');
      // Each look is bounded: a page that does not answer is looked at again.
      const v = await this.evaluate(fn, arg, 10000).catch((e) => {
        if (e.name === 'TimeoutError' || e.name === 'AbortError') return false;
        throw e;
      });
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`page.waitForFunction: timeout ${timeout} ms exceeded`);
      await sleep(POLL_MS);
    }
  }

  async click(selector) {
    const el = await this._cmd('POST', '/element', { using: 'css selector', value: selector });
    await this._cmd('POST', `/element/${el[ELEMENT]}/click`, {});
  }

  waitForTimeout(ms) { return sleep(ms); }

  async addInitScript() {
    throw new Error('addInitScript: WebDriver classic (WebKit) runs no script before the page\'s own');
  }

  on(event) {
    throw new Error(`page.on('${event}'): WebDriver classic (WebKit) reports no page events`);
  }

  async close() { await this._context.close(); }
}

class WebKitContext {
  constructor(browser, driver, session, baseURL) {
    this._browser = browser;
    this._driver = driver;
    this._session = session;
    this._baseURL = baseURL;
    this._page = null;
  }

  // A session has one window; a context gives one page.
  async newPage() {
    if (this._page) throw new Error('webkit: one page per context');
    this._page = new WebKitPage(this, this._driver, this._session, this._baseURL);
    return this._page;
  }

  pages() { return this._page ? [this._page] : []; }

  // The session goes back to the browser's pool once it shows a blank
  // page (nothing of this page's runs on); if it cannot, it is ended.
  async close() {
    if (this._closed) return;
    this._closed = true;
    await this._browser._release(this._session);
  }
}

class WebKitBrowser {
  static async launch({ baseURL }) {
    return new WebKitBrowser(await Driver.start(), baseURL);
  }

  constructor(driver, baseURL) {
    this._driver = driver;
    this._baseURL = baseURL;
    this._sessions = new Set();
    this._idle = [];
    this._releasing = new Set();
  }

  browserType() { return { name: () => 'webkit' }; }

  async newContext({ baseURL = this._baseURL } = {}) {
    const session = this._idle.pop() || await this._newSession();
    return new WebKitContext(this, this._driver, session, baseURL);   // the driver of this session
  }

  async _newSession() {
    const s = await this._driver.request('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] },
          // A script may wait as long as the test lets it.
          timeouts: { script: 600000, pageLoad: 60000, implicit: 0 },
        },
      },
    });
    this._sessions.add(s.sessionId);
    return s.sessionId;
  }

  // Starting a MiniBrowser takes over a second: a closed context's session
  // serves the next one, once it has left the page.
  _release(session) {
    const done = this._driver.request('POST', `/session/${session}/url`, { url: 'about:blank' }, 10000)
      .then(() => { this._idle.push(session); },
            () => this._endSession(session))
      .finally(() => { this._releasing.delete(done); });
    this._releasing.add(done);
    return done;
  }

  // A session that cannot be ended is a wedged MiniBrowser: the driver
  // (and with it the browser) is started anew.
  async _endSession(session) {
    this._sessions.delete(session);
    try {
      await this._driver.request('DELETE', `/session/${session}`, undefined, 10000);
    } catch (e) {
      await this._driver.stop();
      this._sessions.clear();
      this._idle = [];
      this._driver = await Driver.start();
    }
  }

  async close() {
    await Promise.all(this._releasing);
    for (const session of [...this._sessions]) await this._endSession(session);
    await this._driver.stop();
  }
}

module.exports = { WebKitBrowser, miniBrowserPath };
