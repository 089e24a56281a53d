// The chat demo end to end: pages running the C client as wasm, over emnet
// and the WebSocket proxy, to a real IRC server (ngIRCd), with the same
// client built natively as a third participant in a terminal process. The
// UI tests (locators) are Chromium's; one test puts a page of the
// project's engine beside a Chromium page (run by Firefox and WebKit too).
'use strict';
const { test, expect, engines } = require('./fixtures');
const { startServers, startTerminal, openChat, waitJoined, messages, waitMessages } = require('./demo-stack');

// One set of servers for the file; each test uses its own channel.
test.describe.configure({ mode: 'serial' });

let servers;
const terminals = [];

test.beforeAll(async () => {
  servers = await startServers();
});

test.afterAll(async () => {
  for (const t of terminals) t.kill();
  if (servers) expect(await servers.stop()).toBe(0);   // 0: nothing survived
});

function terminal(nick, channel) {
  const t = startTerminal(servers, nick, channel);
  terminals.push(t);
  return t;
}

test('demo: two pages in one channel see each other\'s messages, in order', async ({ browser }) => {
  const alice = await openChat(browser, servers, 'alice', '#order');
  const bob = await openChat(browser, servers, 'bob', '#order');
  await alice.waitForFunction(() => window.chat.state.tabs.get('#order').members.includes('bob'));
  // Both send at once, 15 each.
  const burst = (page, who) => page.evaluate((w) => {
    for (let i = 1; i <= 15; i++) window.chat.send(`${w} ${i}`);
  }, who);
  await Promise.all([burst(alice, 'a'), burst(bob, 'b')]);
  const sent = (w) => Array.from({ length: 15 }, (_, i) => `${w} ${i + 1}`);
  for (const page of [alice, bob]) {
    const msgs = await waitMessages(page, '#order', (m) => m.length >= 30);
    const from = (n) => msgs.filter((m) => m.from === n).map((m) => m.text);
    expect(from('alice')).toEqual(sent('a'));
    expect(from('bob')).toEqual(sent('b'));
    expect(msgs.length).toBe(30);
  }
  // The members list is drawn.
  await expect(alice.locator('#members li')).toHaveText(['alice', 'bob']);
  await alice.context().close();
  await bob.context().close();
});

test('demo: a private message opens a conversation on both sides', async ({ browser }) => {
  const carol = await openChat(browser, servers, 'carol', '#priv');
  const dave = await openChat(browser, servers, 'dave', '#priv');
  await carol.evaluate(() => window.chat.send('/msg dave just between us'));
  const got = await waitMessages(dave, 'carol', (m) => m.length >= 1);
  expect(got).toEqual([{ from: 'carol', text: 'just between us' }]);
  // Dave answers from the conversation's tab, by typing into it.
  await dave.locator('.tab[data-tab="carol"]').click();
  await dave.fill('#input', 'understood');
  await dave.press('#input', 'Enter');
  const back = await waitMessages(carol, 'dave', (m) => m.length >= 2);
  expect(back).toEqual([{ from: 'carol', text: 'just between us' }, { from: 'dave', text: 'understood' }]);
  // Nothing of it reached the channel.
  expect(await messages(carol, '#priv')).toEqual([]);
  await carol.context().close();
  await dave.context().close();
});

test('demo: a nick already taken is replaced and the newcomer can talk', async ({ browser }) => {
  const first = await openChat(browser, servers, 'erin', '#nicks');
  const second = await openChat(browser, servers, 'erin', '#nicks', { expectNick: 'erin_1' });
  const events = await second.evaluate(() => window.chat.state.events.filter((e) => e.startsWith('nickinuse')));
  expect(events).toEqual(['nickinuse\t\terin\terin_1']);
  await second.evaluate(() => window.chat.send('I am the other erin'));
  const got = await waitMessages(first, '#nicks', (m) => m.length >= 1);
  expect(got).toEqual([{ from: 'erin_1', text: 'I am the other erin' }]);
  await first.context().close();
  await second.context().close();
});

test('demo: two pages and the terminal client all see each other', async ({ browser }) => {
  const term = terminal('term', '#three');
  await term.waitEvent((e) => e[0] === 'join' && e[1] === '#three' && e[2] === 'term');
  const fay = await openChat(browser, servers, 'fay', '#three');
  const gus = await openChat(browser, servers, 'gus', '#three');
  await fay.waitForFunction(() => window.chat.state.tabs.get('#three').members.join(' ') === 'fay gus term');
  await term.waitEvent((e) => e[0] === 'members' && e[1] === '#three' && e[3] === 'fay gus term');

  term.send('hello from the terminal');
  await fay.evaluate(() => window.chat.send('hello from fay'));
  await gus.evaluate(() => window.chat.send('hello from gus'));
  for (const page of [fay, gus]) {
    const msgs = await waitMessages(page, '#three', (m) => m.length >= 3);
    expect(msgs.map((m) => `${m.from}: ${m.text}`).sort()).toEqual(
      ['fay: hello from fay', 'gus: hello from gus', 'term: hello from the terminal']);
  }
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'fay' && e[3] === 'hello from fay');
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'gus' && e[3] === 'hello from gus');
  // The terminal leaves: the pages see it go.
  expect(await term.quit()).toBe(0);
  await fay.waitForFunction(() => window.chat.state.tabs.get('#three').members.join(' ') === 'fay gus');
  await fay.context().close();
  await gus.context().close();
});

test('demo: the proxy dies and comes back; the pages reconnect, rejoin and carry on', async ({ browser }) => {
  const term = terminal('watcher', '#restart');
  await term.waitEvent((e) => e[0] === 'join' && e[2] === 'watcher');
  const hal = await openChat(browser, servers, 'hal', '#restart');
  const ivy = await openChat(browser, servers, 'ivy', '#restart');
  await hal.evaluate(() => window.chat.send('before'));
  await waitMessages(ivy, '#restart', (m) => m.some((x) => x.text === 'before'));

  const down = Date.now();
  await servers.proxyDown();
  // Both pages notice and say they are retrying; the terminal, connected
  // to the server directly, sees them leave.
  for (const page of [hal, ivy]) {
    await page.waitForFunction(() => window.chat.state.events.some((e) => e.startsWith('status\t\tretry\t')));
  }
  await term.waitEvent((e) => e[0] === 'quit' && e[2] === 'hal');
  await term.waitEvent((e) => e[0] === 'quit' && e[2] === 'ivy');
  await hal.waitForTimeout(1500);   // stays down through at least one failed attempt
  await servers.proxyUp();
  const up = Date.now();
  await waitJoined(hal, '#restart', 'hal', 40000);
  await waitJoined(ivy, '#restart', 'ivy', 40000);
  console.log(`proxy down ${up - down} ms; both pages back in the channel ${Date.now() - up} ms after it returned`);
  const retries = await hal.evaluate(() => window.chat.state.events.filter((e) => e.startsWith('status\t\tretry\t')));
  expect(retries[0]).toMatch(/in 1 s$/);   // back-off: 1 s, then 2 s, ...
  if (retries.length > 1) expect(retries[1]).toMatch(/in 2 s$/);

  await hal.evaluate(() => window.chat.send('after'));
  const msgs = await waitMessages(ivy, '#restart', (m) => m.some((x) => x.text === 'after'));
  expect(msgs.map((m) => m.text)).toEqual(['before', 'after']);
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'hal' && e[3] === 'after');
  term.send('welcome back');
  await waitMessages(hal, '#restart', (m) => m.some((x) => x.from === 'watcher' && x.text === 'welcome back'));
  expect(await term.quit()).toBe(0);
  await hal.context().close();
  await ivy.context().close();
});

test('demo: the IRC server restarts; pages and terminal come back to their channel', async ({ browser }) => {
  const term = terminal('night', '#reboot');
  await term.waitEvent((e) => e[0] === 'join' && e[2] === 'night');
  const oz = await openChat(browser, servers, 'oz', '#reboot');
  await oz.waitForFunction(() => window.chat.state.tabs.get('#reboot').members.includes('night'));
  const from = term.out.lines.length;
  await servers.ircDown();
  await oz.waitForFunction(() => window.chat.state.events.some((e) => e.startsWith('status\t\tretry\t')));
  await term.waitEvent((e) => e[0] === 'status' && e[2] === 'retry', { from });
  await servers.ircUp();
  const up = Date.now();
  await waitJoined(oz, '#reboot', 'oz', 40000);
  await term.waitEvent((e) => e[0] === 'join' && e[1] === '#reboot' && e[2] === 'night', { from, timeout: 40000 });
  await oz.waitForFunction(() => window.chat.state.tabs.get('#reboot').members.join(' ') === 'night oz', null,
    { timeout: 40000 });
  console.log(`page and terminal back in the channel ${Date.now() - up} ms after the server returned`);
  term.send('good morning');
  await waitMessages(oz, '#reboot', (m) => m.some((x) => x.from === 'night' && x.text === 'good morning'));
  await oz.evaluate(() => window.chat.send('morning'));
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'oz' && e[3] === 'morning');
  expect(await term.quit()).toBe(0);
  await oz.context().close();
});

// The Wisp transport, through the harness's emnet-proxy (which allows
// loopback targets), when the tree has one.
if (process.env.EMNET_PROXY_WISP_URL) {
  test('demo: a page on the wisp transport chats with a page on websockify', async ({ browser }) => {
    const wispUrl = process.env.EMNET_PROXY_WISP_URL;
    const mo = await openChat(browser, servers, 'mo', '#wisp', { transport: 'wisp', wispUrl });
    const ned = await openChat(browser, servers, 'ned', '#wisp', { transport: 'websockify' });
    await mo.waitForFunction(() => window.chat.state.tabs.get('#wisp').members.includes('ned'));
    await mo.evaluate(() => { for (let i = 1; i <= 20; i++) window.chat.send(`over wisp ${i} ✓`); });
    const got = await waitMessages(ned, '#wisp', (m) => m.length >= 20);
    expect(got.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `over wisp ${i + 1} ✓`));
    await ned.evaluate(() => window.chat.send('over websockify'));
    await waitMessages(mo, '#wisp', (m) => m.some((x) => x.from === 'ned' && x.text === 'over websockify'));
    await mo.context().close();
    await ned.context().close();
  });
}

// WebTransport, through the demo's own emnet-proxy: the page's default
// transport when it is given the proxy's WebTransport and the engine has it.
test('demo: a page on webtransport (its default) chats with a page on wisp and a terminal', async ({ browser }) => {
  // The tests' demo stack is always emnet-proxy, which serves WebTransport.
  expect(servers.wtInfoUrl, 'the demo\'s emnet-proxy printed no wt_info_url').toBeTruthy();
  const term = terminal('tess', '#wt');
  await term.waitEvent((e) => e[0] === 'join' && e[2] === 'tess');
  const context = await browser.newContext();
  const wt = await context.newPage();
  const q = new URLSearchParams({ irc: `127.0.0.1:${servers.ircPort}`, ws: servers.wsUrl, nick: 'wendy',
                                  channel: '#wt', wisp: servers.wispUrl, wt: servers.wtInfoUrl,
                                  build: process.env.EMNET_DEMO_WASM_BUILD || 'wasm',
                                  connect: '1' });
  await wt.goto(`/demo/web/index.html?${q}`);
  expect(await wt.evaluate(() => document.getElementById('transport').value)).toBe('webtransport');
  await waitJoined(wt, '#wt', 'wendy');
  const wi = await openChat(browser, servers, 'will', '#wt', { transport: 'wisp' });
  await wt.waitForFunction(() => window.chat.state.tabs.get('#wt').members.includes('will'));
  await wt.evaluate(() => { for (let i = 1; i <= 20; i++) window.chat.send(`over webtransport ${i} ✓`); });
  const got = await waitMessages(wi, '#wt', (m) => m.length >= 20);
  expect(got.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `over webtransport ${i + 1} ✓`));
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'wendy' && e[3] === 'over webtransport 20 ✓');
  await wi.evaluate(() => window.chat.send('over wisp'));
  term.send('from a terminal');
  await waitMessages(wt, '#wt', (m) => m.some((x) => x.from === 'will' && x.text === 'over wisp') &&
                                      m.some((x) => x.from === 'tess' && x.text === 'from a terminal'));
  expect(await term.quit()).toBe(0);
  await context.close();
  await wi.context().close();
});

// Engines side by side: a page of the project's engine (Firefox, WebKit or
// Chromium), on the transport the page picks for itself (webtransport
// where the engine has it, else wisp), and a Chromium page on websockify
// chat with each other and with the terminal client.
test('demo: a page of this engine and a Chromium page chat with each other and the terminal', { tag: engines.all },
     async ({ browser, chromium, engine }) => {
  const term = terminal('tia', '#engines');
  await term.waitEvent((e) => e[0] === 'join' && e[2] === 'tia');
  const context = await browser.newContext();
  const own = await context.newPage();
  const q = new URLSearchParams({ irc: `127.0.0.1:${servers.ircPort}`, ws: servers.wsUrl, nick: 'una',
                                  channel: '#engines', wisp: servers.wispUrl, wt: servers.wtInfoUrl,
                                  build: process.env.EMNET_DEMO_WASM_BUILD || 'wasm', connect: '1' });
  await own.goto(`/demo/web/index.html?${q}`);
  const transport = await own.evaluate(() => document.getElementById('transport').value);
  expect(transport).toBe(engine !== 'webkit' && servers.wtInfoUrl ? 'webtransport' : servers.wispUrl ? 'wisp' : 'websockify');
  await waitJoined(own, '#engines', 'una');
  const other = await openChat(chromium, servers, 'vic', '#engines', { transport: 'websockify' });
  await own.waitForFunction(() => window.chat.state.tabs.get('#engines').members.join(' ') === 'tia una vic');
  await own.evaluate((t) => { for (let i = 1; i <= 20; i++) window.chat.send(`${t} ${i} ✓`); }, engine);
  await other.evaluate(() => { for (let i = 1; i <= 20; i++) window.chat.send(`chromium ${i} ✓`); });
  term.send('from a terminal');
  const want = (w) => Array.from({ length: 20 }, (_, i) => `${w} ${i + 1} ✓`);
  for (const [page, from, what] of [[other, 'una', engine], [own, 'vic', 'chromium']]) {
    const msgs = await waitMessages(page, '#engines', (m, a) => m.filter((x) => x.from === a).length >= 20 &&
                                                              m.some((x) => x.from === 'tia'), { arg: from });
    expect(msgs.filter((m) => m.from === from).map((m) => m.text)).toEqual(want(what));
  }
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'una' && e[3] === `${engine} 20 ✓`);
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'vic' && e[3] === 'chromium 20 ✓');
  console.log(`demo: a ${engine} page on ${transport} and a Chromium page on websockify`);
  expect(await term.quit()).toBe(0);
  await context.close();
  await other.context().close();
});

// Bytes of the text the server can relay after ":nick!~emnet@127.0.0.1 PRIVMSG #chan :" in 512.
function room(nick, chan) {
  return 512 - Buffer.byteLength(`:${nick}!~emnet@127.0.0.1 PRIVMSG ${chan} :\r\n`);
}

test('demo: multi-byte UTF-8 near the line limit arrives intact; a longer message is split between characters', async ({ browser }) => {
  const chan = '#utf8';
  const term = terminal('reader', chan);
  await term.waitEvent((e) => e[0] === 'join' && e[2] === 'reader');
  const jo = await openChat(browser, servers, 'jo', chan);
  const kim = await openChat(browser, servers, 'kim', chan);

  // Exactly the room, in 1- to 4-byte characters with emoji (and dots to fill).
  const parts = ['é', '€', '😀', 'a', '🎉', 'ß', '中', '👍🏽'];
  let near = '';
  for (let i = 0; Buffer.byteLength(near + parts[i % parts.length]) <= room('jo', chan); i++) near += parts[i % parts.length];
  while (Buffer.byteLength(near) < room('jo', chan)) near += '.';   // the relayed line: exactly 512 bytes
  const nearBytes = Buffer.byteLength(near);
  expect(nearBytes).toBe(room('jo', chan));
  await jo.evaluate((t) => window.chat.send(t), near);
  const one = await waitMessages(kim, chan, (m) => m.length >= 1);
  expect(one).toEqual([{ from: 'jo', text: near }]);
  const termLine = await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'jo');
  expect(termLine[3]).toBe(near);   // the terminal's bytes: the same UTF-8

  // About 4 lines' worth: words, then a long run of emoji without spaces.
  const long = 'Grüße aus dem Browser 🌍 '.repeat(30) + '🚀'.repeat(200) + ' fin';
  await jo.evaluate((t) => window.chat.send(t), long);
  const msgs = await waitMessages(kim, chan, (m) => m.length >= 2 && m.map((x) => x.text).join('').endsWith('fin'));
  const pieces = msgs.slice(1).map((m) => m.text);
  expect(pieces.length).toBeGreaterThanOrEqual(4);
  let rebuilt = '';
  for (const p of pieces) {
    expect(p).not.toContain('\uFFFD');                          // no broken character
    expect(Buffer.byteLength(p)).toBeLessThanOrEqual(room('jo', chan));
    // Cut at a space (which neither piece keeps) or between characters.
    if (rebuilt && long.startsWith(rebuilt + ' ' + p)) rebuilt += ' ' + p;
    else rebuilt += p;
    expect(long.startsWith(rebuilt)).toBe(true);
  }
  expect(rebuilt).toBe(long);
  // The terminal got the same pieces, byte for byte.
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'jo' && e[3].endsWith('fin'));
  const termPieces = term.events('msg').filter((e) => e[2] === 'jo').slice(1).map((e) => e[3]);
  expect(termPieces).toEqual(pieces);
  console.log(`near-limit message: ${nearBytes} bytes (room ${room('jo', chan)}); ` +
    `${Buffer.byteLength(long)} bytes split into ${pieces.length} lines`);
  expect(await term.quit()).toBe(0);
  await jo.context().close();
  await kim.context().close();
});

test('demo: the page stays usable while messages pour in', async ({ browser }) => {
  const chan = '#busy';
  const term = terminal('flood', chan);
  await term.waitEvent((e) => e[0] === 'join' && e[2] === 'flood');
  const lee = await openChat(browser, servers, 'lee', chan);
  await lee.waitForFunction(() => window.chat.state.tabs.get('#busy').members.includes('flood'));
  // The terminal sends a line every 5 ms all through the interaction,
  // and a while after it.
  let sentCount = 0;
  const flood = setInterval(() => term.send(`flood ${++sentCount}`), 5);
  await lee.waitForFunction(() => window.chat.state.tabs.get('#busy').lines.some((l) => l.from === 'flood'));
  const started = Date.now();
  await lee.locator('.tab[data-tab="*"]').click();
  await expect(lee.locator('#title')).toHaveText('server');
  await lee.locator('.tab[data-tab="#busy"]').click();
  await expect(lee.locator('#title')).toHaveText('#busy');
  await lee.fill('#input', 'still typing fine');
  await lee.locator('#send').click();
  const uiMs = Date.now() - started;
  await term.waitEvent((e) => e[0] === 'msg' && e[2] === 'lee' && e[3] === 'still typing fine');
  await lee.waitForTimeout(300);
  clearInterval(flood);
  const N = sentCount;
  const msgs = await waitMessages(lee, chan, (m, n) => m.filter((x) => x.from === 'flood').length >= n,
    { arg: N, timeout: 30000 });
  expect(msgs.filter((x) => x.from === 'flood').map((x) => x.text))
    .toEqual(Array.from({ length: N }, (_, i) => `flood ${i + 1}`));
  await expect(lee.locator('#messages li.msg[data-from="flood"]')).toHaveCount(N);
  // Our line landed in the middle of the stream: traffic flowed throughout.
  const mine = msgs.findIndex((x) => x.from === 'lee');
  expect(mine).toBeGreaterThan(0);
  expect(mine).toBeLessThan(msgs.length - 1);
  console.log(`UI round (2 tab clicks, type, send) took ${uiMs} ms while ${N} lines arrived; ` +
    `own line after ${mine} of them`);
  expect(await term.quit()).toBe(0);
  await lee.context().close();
});
