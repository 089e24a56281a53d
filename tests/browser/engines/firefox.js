// Firefox for the browser tier: Debian's firefox-esr driven by puppeteer-core
// over WebDriver BiDi (Playwright cannot drive a stock Firefox). It offers
// the small part of Playwright's Browser / BrowserContext / Page that the
// specs use; anything else is missing on purpose, so that a spec that
// needs more fails loudly instead of testing less.
'use strict';
const fs = require('fs');
const puppeteer = require('puppeteer-core');

function firefoxPath() {
  const candidates = [process.env.EMNET_FIREFOX, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) throw new Error('Firefox not found: install Debian\'s firefox-esr (scripts/setup.sh)');
  return found;
}

// Playwright's waitForFunction polls until the test's own timeout when
// given none; puppeteer's 0 means the same.
const POLL_MS = 20;

class FirefoxPage {
  constructor(context, page, baseURL) {
    this._context = context;
    this._page = page;
    this._baseURL = baseURL;
  }

  context() { return this._context; }
  url() { return this._page.url(); }

  async goto(url) {
    return this._page.goto(new URL(url, this._baseURL).href, { waitUntil: 'load', timeout: 60000 });
  }

  evaluate(fn, arg) { return this._page.evaluate(fn, arg); }

  async waitForFunction(fn, arg, { timeout = 0 } = {}) {
    return this._page.waitForFunction(fn, { timeout, polling: POLL_MS }, arg);
  }

  async addInitScript(fn, arg) { await this._page.evaluateOnNewDocument(fn, arg); }

  async click(selector, { timeout = 30000 } = {}) {
    await this._page.waitForSelector(selector, { timeout });
    await this._page.click(selector);
  }

  waitForTimeout(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  on(event, handler) {
    if (event !== 'console') throw new Error(`firefox page: no '${event}' event here`);
    this._page.on('console', handler);   // puppeteer's message has text() and type(), as Playwright's
    return this;
  }

  async close() { if (!this._page.isClosed()) await this._page.close(); }
}

class FirefoxContext {
  constructor(context, baseURL) {
    this._context = context;
    this._baseURL = baseURL;
    this._pages = [];
  }

  async newPage() {
    const page = new FirefoxPage(this, await this._context.newPage(), this._baseURL);
    this._pages.push(page);
    return page;
  }

  pages() { return this._pages.slice(); }

  async close() {
    if (this._closed) return;
    this._closed = true;
    await this._context.close();
  }
}

class FirefoxBrowser {
  static async launch({ baseURL }) {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath(),
      headless: true,
      protocolTimeout: 180000,
      extraPrefsFirefox: {
        // A page in a background tab must not have its timers throttled:
        // some tests open several pages of one browser at once.
        'dom.min_background_timeout_value': 4,
        'dom.timeout.enable_budget_timer_throttling': false,
        // Firefox delays (and may fail) new WebSockets to a host whose last
        // one failed; a websockify refusal counts as one. Tests make many
        // refused connects in a row (DEVIATIONS.md E2).
        'network.websocket.delay-failed-reconnects': false,
      },
    });
    return new FirefoxBrowser(browser, baseURL);
  }

  constructor(browser, baseURL) {
    this._browser = browser;
    this._baseURL = baseURL;
  }

  browserType() { return { name: () => 'firefox' }; }
  version() { return this._browser.version(); }

  async newContext({ baseURL = this._baseURL } = {}) {
    return new FirefoxContext(await this._browser.createBrowserContext(), baseURL);
  }

  async close() { await this._browser.close(); }
}

module.exports = { FirefoxBrowser, firefoxPath };
