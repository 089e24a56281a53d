// The browser tier's `test` and `expect`: Playwright's, with the engine a
// worker option. Every spec imports them from here.
//
//   engine 'chromium'  Playwright's own Browser, BrowserContext and Page
//                      (Debian's Chromium, the config's launchOptions);
//          'firefox'   Debian's firefox-esr through puppeteer-core over
//                      WebDriver BiDi (engines/firefox.js);
//          'webkit'    WebKitGTK's MiniBrowser through WebKitWebDriver,
//                      WebDriver classic (engines/webkit.js).
//
// The Firefox and WebKit objects offer the part of Playwright's API the
// specs use with them: browser.newContext(), context.newPage() / close(),
// page.goto (relative to baseURL), evaluate(fn, arg), waitForFunction(fn,
// arg, { timeout }), addInitScript, click, waitForTimeout, on('console')
// (Firefox), context(). Locators and expect(locator) are Chromium's only.
//
// Which tests run in which engine: every test runs in Chromium's project; a
// test tagged @firefox (@webkit) runs in that engine's project too, and one
// tagged @firefox-full (@webkit-full) only in the full matrix
// (EMNET_BROWSER_MATRIX=full, `make test-browser-full`; playwright.config.js). The `chromium` fixture is a Chromium browser for
// tests that put pages of two engines side by side.
'use strict';
const base = require('@playwright/test');

const ENGINES = ['chromium', 'firefox', 'webkit'];

async function launch(engine, playwright, baseURL) {
  if (engine === 'chromium') return playwright.chromium.launch();   // the config's launchOptions
  if (engine === 'firefox') return require('./engines/firefox').FirefoxBrowser.launch({ baseURL });
  if (engine === 'webkit') return require('./engines/webkit').WebKitBrowser.launch({ baseURL });
  throw new Error(`unknown engine '${engine}' (${ENGINES.join(', ')})`);
}

const test = base.test.extend({
  engine: ['chromium', { scope: 'worker', option: true }],

  browser: [async ({ engine, playwright }, use, workerInfo) => {
    const browser = await launch(engine, playwright, workerInfo.project.use.baseURL);
    await use(browser);
    await browser.close();
  }, { scope: 'worker', timeout: 60000 }],

  chromium: [async ({ engine, browser, playwright }, use) => {
    if (engine === 'chromium') return use(browser);
    const chromium = await playwright.chromium.launch();
    await use(chromium);
    await chromium.close();
  }, { scope: 'worker', timeout: 60000 }],

  context: async ({ browser }, use) => {
    const context = await browser.newContext();
    await use(context);
    await context.close();
  },

  page: async ({ context }, use) => {
    await use(await context.newPage());
  },
});

// Tags for test(title, { tag }, fn): the engines besides Chromium that run
// it, in every run or in the full matrix only.
const engines = {
  all: ['@firefox', '@webkit'],
  firefox: ['@firefox'],
  allFull: ['@firefox-full', '@webkit-full'],
  firefoxFull: ['@firefox-full'],
  firefoxWebkitFull: ['@firefox', '@webkit-full'],
  allFullWebkit: ['@chromium-full', '@firefox-full', '@webkit'],
};

module.exports = { test, expect: base.expect, engines, ENGINES };
