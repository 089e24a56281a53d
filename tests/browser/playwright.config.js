// Tier 3: headless Chromium from Debian, driven by Playwright. No browser is
// ever downloaded: the executable is the system's. The pages and wasm come
// from the harness's static server (tests/harness/services.sh), whose port is
// in EMNET_HTTP_PORT.
'use strict';
const fs = require('fs');
const path = require('path');

function chromiumPath() {
  const candidates = [process.env.EMNET_CHROMIUM, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) throw new Error('Chromium not found: install Debian\'s chromium (scripts/setup.sh)');
  return found;
}

if (!process.env.EMNET_HTTP_PORT) {
  throw new Error('EMNET_HTTP_PORT is not set: run under tests/harness/services.sh');
}

module.exports = {
  testDir: __dirname,
  timeout: 60000,
  workers: 2,
  retries: 0,
  outputDir: path.join(__dirname, '../../build/test-results'),
  reporter: [
    ['list'],
    ['junit', { outputFile: path.join(__dirname, '../../build/reports/browser.xml') }],
  ],
  // Timing-sensitive tests run last and alone: a busy 2-core machine must
  // not make them flake.
  projects: [
    { name: 'functional', testMatch: /(?<!\.timing)\.spec\.js$/ },
    { name: 'timing', testMatch: /\.timing\.spec\.js$/, dependencies: ['functional'] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${process.env.EMNET_HTTP_PORT}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromiumPath(),
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
};
