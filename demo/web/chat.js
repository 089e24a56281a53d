// The page side of the chat demo: it draws what the C client reports and
// hands it what the user types. Every IRC matter (commands, splitting,
// members, reconnection) is decided in C (demo/irc, demo/client); an event
// arrives as one line "type\twhere\twho\ttext".
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const SERVER_TAB = '*';
  const q = new URLSearchParams(location.search);

  // What the page shows; window.chat exposes it to the tests.
  const state = {
    nick: '',
    status: 'idle',
    current: SERVER_TAB,
    tabs: new Map(),      // name -> { name, lines: [{ type, from, text }], members: [], left, unread }
    events: [],           // every event line, in order
  };
  window.chat = { state, send };

  function tab(name) {
    const key = name || SERVER_TAB;
    let t = state.tabs.get(key.toLowerCase());
    if (!t) {
      t = { name: key, lines: [], members: [], left: false, unread: false };
      state.tabs.set(key.toLowerCase(), t);
      drawTabs();
    }
    return t;
  }

  function add(name, line) {
    const t = tab(name);
    t.lines.push(line);
    if (t === tab(state.current)) drawLine(line);
    else if (!t.unread && line.type !== 'info') { t.unread = true; drawTabs(); }
  }

  function select(name) {
    state.current = name || SERVER_TAB;
    const t = tab(state.current);
    t.unread = false;
    $('title').textContent = t.name === SERVER_TAB ? 'server' : t.name;
    $('messages').textContent = '';
    t.lines.forEach(drawLine);
    drawMembers();
    drawTabs();
    $('input').focus();
  }

  function drawTabs() {
    const nav = $('tabs');
    nav.textContent = '';
    for (const t of state.tabs.values()) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tab' + (t.name.toLowerCase() === state.current.toLowerCase() ? ' current' : '') +
        (t.unread ? ' unread' : '') + (t.left ? ' left' : '');
      b.textContent = t.name === SERVER_TAB ? 'server' : t.name;
      b.dataset.tab = t.name;
      b.addEventListener('click', () => select(t.name));
      nav.appendChild(b);
    }
  }

  function drawLine(line) {
    const li = document.createElement('li');
    li.className = line.type + (line.from && line.from === state.nick ? ' mine' : '');
    if (line.from) {
      li.dataset.from = line.from;
      const from = document.createElement('span');
      from.className = 'from';
      from.textContent = line.from;
      li.appendChild(from);
    }
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = line.text;
    li.appendChild(text);
    const list = $('messages');
    const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.appendChild(li);
    if (atEnd) list.scrollTop = list.scrollHeight;
  }

  function drawMembers() {
    const ul = $('members');
    ul.textContent = '';
    for (const m of tab(state.current).members) {
      const li = document.createElement('li');
      li.textContent = m;
      if (m === state.nick) li.className = 'me';
      ul.appendChild(li);
    }
  }

  function setStatus(kind, text) {
    state.status = kind;
    const s = $('status');
    s.textContent = text;
    s.className = kind === 'connected' || kind === 'registered' ? '' : 'down';
  }

  // Where a departing nick was: its quit is shown in those tabs.
  function tabsWith(nick) {
    return [...state.tabs.values()].filter((t) => t.members.includes(nick));
  }

  const handlers = {
    status(where, who, text) {
      setStatus(who, text);
      add(SERVER_TAB, { type: 'info', text });
      if (who === 'disconnected') for (const t of state.tabs.values()) t.members = [];
      drawMembers();
    },
    welcome(where, who) {
      state.nick = who;
      setStatus('registered', `connected as ${who}`);
      add(SERVER_TAB, { type: 'info', text: `registered as ${who}` });
    },
    nickinuse(where, who, text) { add(state.current, { type: 'info', text: `nick ${who} is taken, trying ${text}` }); },
    nick(where, who, text) {
      if (who === state.nick) state.nick = text;
      for (const t of tabsWith(who)) add(t.name, { type: 'info', text: `${who} is now ${text}` });
    },
    join(where, who) {
      const t = tab(where);
      if (who === state.nick) { t.left = false; select(where); }
      add(where, { type: 'info', text: `${who} joined` });
    },
    part(where, who, text) {
      if (who === state.nick) { tab(where).left = true; tab(where).members = []; drawTabs(); }
      add(where, { type: 'info', text: `${who} left${text ? ' (' + text + ')' : ''}` });
    },
    kick(where, who, text) { handlers.part(where, who, text); },
    quit(where, who, text) {
      for (const t of tabsWith(who)) add(t.name, { type: 'info', text: `${who} quit${text ? ' (' + text + ')' : ''}` });
    },
    members(where, who, text) {
      tab(where).members = text ? text.split(' ') : [];
      if (tab(where) === tab(state.current)) drawMembers();
    },
    msg(where, who, text) { add(where, { type: 'msg', from: who, text }); },
    notice(where, who, text) { add(where, { type: 'notice', from: who, text }); },
    topic(where, who, text) { add(where, { type: 'info', text: `topic: ${text}` }); },
    server(where, who, text) { add(SERVER_TAB, { type: 'info', text }); },
    error(where, who, text) {
      const line = { type: 'error', text: `${who}: ${text}` };
      add(SERVER_TAB, line);
      if (state.current !== SERVER_TAB) add(state.current, line);
    },
  };

  function onChatEvent(line) {
    state.events.push(line);
    const [type, where, who, text] = line.split('\t');
    const h = handlers[type];
    if (h) h(where, who, text || '');
  }

  // Text or a command typed for the tab shown.
  function send(text) {
    if (!text) return;
    const target = state.current === SERVER_TAB ? '' : state.current;
    window.Module.ccall('emnet_chat_page_input', null, ['string', 'string'], [target, text]);
  }

  function start(settings) {
    const [host, port] = settings.irc.split(/:(?=\d+$)/);
    const args = ['--nick', settings.nick];
    if (settings.channel) args.push('--channel', settings.channel);
    args.push(host, port);
    const env = { EMNET_TRANSPORT: settings.transport };
    if (settings.ws) env.EMNET_WS_URL = settings.ws;
    if (settings.wisp) env.EMNET_WISP_URL = settings.wisp;
    if (settings.wt) env.EMNET_WEBTRANSPORT_INFO_URL = settings.wt;
    window.Module = {
      arguments: args,
      emnetEnv: env,
      onChatEvent,
      print: (l) => console.log(l),
      printErr: (l) => console.warn(l),
      onRuntimeInitialized() {
        $('input').disabled = false;
        $('send').disabled = false;
        $('input').focus();
      },
      onAbort: (what) => setStatus('failed', `the program stopped: ${what}`),
    };
    const script = document.createElement('script');
    script.src = `../../build/${settings.build}/demo/client/emnet-chat-web.js`;
    script.onerror = () => setStatus('failed', `cannot load ${script.src}: build the wasm tree first`);
    document.body.appendChild(script);
    setStatus('connecting', 'starting');
  }

  // Settings: from the query, editable until Connect.
  $('nick').value = q.get('nick') || 'guest' + Math.floor(Math.random() * 1000);
  $('channel').value = q.get('channel') || '#emnet';
  $('irc').value = q.get('irc') || '127.0.0.1:6667';
  // WebTransport when the page was given the proxy's and the engine has
  // it; else Wisp when given a Wisp server; unless the query chooses.
  const canWt = typeof WebTransport === 'function' && !!q.get('wt');
  const transport = q.get('transport') || (canWt ? 'webtransport' : q.get('wisp') ? 'wisp' : 'websockify');
  $('transport').value = ['wisp', 'webtransport'].includes(transport) ? transport : 'websockify';
  $('ws').value = q.get('ws') || '';
  $('wisp').value = q.get('wisp') || '';
  $('wt').value = q.get('wt') || '';
  function showTransport() {
    const t = $('transport').value;
    document.querySelector('.for-wisp').hidden = t !== 'wisp';
    document.querySelector('.for-webtransport').hidden = t !== 'webtransport';
    document.querySelector('.for-websockify').hidden = t !== 'websockify';
  }
  $('transport').addEventListener('change', showTransport);
  showTransport();

  let started = false;
  function connect() {
    if (started) return;
    started = true;
    for (const el of $('settings').elements) el.disabled = true;
    const t = $('transport').value;
    start({
      nick: $('nick').value.trim(), channel: $('channel').value.trim(), irc: $('irc').value.trim(),
      transport: t, ws: t === 'websockify' ? $('ws').value.trim() : '', wisp: t === 'wisp' ? $('wisp').value.trim() : '',
      wt: t === 'webtransport' ? $('wt').value.trim() : '',
      build: /^[A-Za-z0-9_.-]+$/.test(q.get('build') || '') ? q.get('build') : 'wasm',
    });
  }
  $('settings').addEventListener('submit', (e) => { e.preventDefault(); connect(); });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('input').value;
    $('input').value = '';
    send(text);
  });
  tab(SERVER_TAB);
  select(SERVER_TAB);
  if (q.get('connect') === '1') connect();
})();
