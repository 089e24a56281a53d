// emnet-proxy's GET /resolve, one case per ctest:
//   node resolve_cases.js EMNET_PROXY EMNET_TESTSRV CASE
// Whether a name exists and in which families, by the proxy's resolver and
// allowlist, compared with what this machine's own getaddrinfo says.
'use strict';
const { execFile } = require('child_process');
const dns = require('dns');
const http = require('http');
const L = require('./lib.js');
const { check, eq, sleep } = L;

// GET with optional headers: {status, body, headers}.
function get(port, pathq, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: pathq, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
    }).on('error', reject);
  });
}

// This machine's getaddrinfo (Node's dns.lookup) on name, in a child process
// with a short resolver timeout: 'noname', 'again', or {ipv4, ipv6}.
function nativeLookup(name) {
  const code = `require('dns').lookup(${JSON.stringify(name)}, { all: true }, (e, a) => console.log(JSON.stringify(
    e ? { code: e.code } : { ipv4: a.some((x) => x.family === 4), ipv6: a.some((x) => x.family === 6) })))`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', code], { env: { ...process.env, RES_OPTIONS: 'timeout:1 attempts:1' }, timeout: 20000 },
      (err, stdout) => {
        const r = err ? { code: 'EAI_AGAIN' } : JSON.parse(stdout);
        if (r.code === dns.NOTFOUND || r.code === 'ENOTFOUND' || r.code === 'EAI_NODATA') resolve('noname');
        else if (r.code) resolve('again');
        else resolve(r);
      });
  });
}

function answerOf(res) {
  const j = JSON.parse(res.body);
  return j.error || { ipv4: j.ipv4, ipv6: j.ipv6 };
}

const cases = {
  async resolve_answers({ proxyBin }) {
    const proxy = await L.startProxy(proxyBin, 'allow = 127.0.0.0/8\nallow = ::1\nallow = *.invalid:80\n' +
                                               'resolve_timeout = 2\n');
    const want = await nativeLookup('localhost');
    let r = await get(proxy.port, '/resolve?name=localhost');
    eq([r.status, answerOf(r)], [200, want], 'localhost: the families getaddrinfo finds here');
    eq(r.headers['content-type'], 'application/json', 'JSON');
    eq(r.headers['cache-control'], 'no-store', 'not kept by caches');
    r = await get(proxy.port, '/resolve?name=LOCALHOST&port=6379');
    eq([r.status, answerOf(r)], [200, want], 'case does not matter, nor a port the allowlist has');
    // glibc's hosts file lookup takes "localhost." for another name.
    const wantDot = await nativeLookup('localhost.');
    r = await get(proxy.port, '/resolve?name=localhost.');
    eq([r.status, answerOf(r)], [200, wantDot], `"localhost.": ${JSON.stringify(wantDot)} as here`);
    for (const name of ['a..b', 'x'.repeat(64) + '.example', ('a'.repeat(62) + '.').repeat(4) + 'example']) {
      r = await get(proxy.port, '/resolve?name=' + encodeURIComponent(name));
      eq([r.status, answerOf(r)], [200, 'noname'], `no DNS name at all (${name.slice(0, 20)}...): noname, as glibc`);
    }
    // A name for DNS: this machine's resolver decides (no DNS here: "noname"
    // at once or "again" after the timeout); the proxy must say the same.
    const wantInvalid = await nativeLookup('nothing-here.invalid');
    r = await get(proxy.port, '/resolve?name=nothing-here.invalid&port=80');
    eq([r.status, answerOf(r)], [200, wantInvalid], `a name DNS cannot find: ${JSON.stringify(wantInvalid)} as here`);
    for (const q of ['', '?name=', '?port=80', '?name=localhost&port=65536', '?name=localhost&port=8x']) {
      r = await get(proxy.port, '/resolve' + q);
      eq([r.status, answerOf(r)], [400, 'invalid'], `bad request "${q}": 400`);
    }
    eq((await get(proxy.port, '/resolver?name=localhost')).status, 404, 'other paths: 404');
  },

  async resolve_policy({ proxyBin }) {
    // Only a network elsewhere: localhost (127.0.0.1) can be reached on no port.
    const p1 = await L.startProxy(proxyBin, 'allow = 10.0.0.0/8:22\n');
    let r = await get(p1.port, '/resolve?name=localhost');
    eq([r.status, answerOf(r)], [200, 'noname'], 'every address of the name forbidden: as a name that does not exist');
    const logged = await p1.waitLine(/event=refused .*path=\/resolve .*reason=blocked_address status=200/, 2000)
      .then(() => true, () => false);
    check(logged, '... logged with the true reason');
    r = await get(p1.port, '/resolve?name=localhost&port=80');
    eq([r.status, answerOf(r)], [403, 'blocked'], 'no rule has the port: blocked before any lookup');
    // Only a name rule: other names are never looked up.
    const p2 = await L.startProxy(proxyBin, 'allow = irc.example.org:6667\n');
    r = await get(p2.port, '/resolve?name=localhost');
    eq([r.status, answerOf(r)], [403, 'blocked'], 'a name no rule names: blocked');
    check(await p2.waitLine(/event=refused .*path=\/resolve reason=blocked_host/, 2000).then(() => true, () => false),
          'the refusal is logged');
    // The port decides.
    const p3 = await L.startProxy(proxyBin, 'allow = 127.0.0.1:6379\n');
    r = await get(p3.port, '/resolve?name=localhost&port=6379');
    eq([r.status, answerOf(r).ipv4], [200, true], 'allowed on that port');
    r = await get(p3.port, '/resolve?name=localhost&port=6380');
    eq([r.status, answerOf(r)], [403, 'blocked'], 'not on another');
    r = await get(p3.port, '/resolve?name=localhost');
    eq([r.status, answerOf(r).ipv4], [200, true], 'without a port: allowed on some port');
    const m = await get(p3.port, '/metrics');
    check(/^emnet_proxy_refusals_total\{reason="blocked_port"\} 1$/m.test(m.body), 'counted as a refusal');
  },

  async resolve_origin_and_token({ proxyBin }) {
    const p = await L.startProxy(proxyBin, 'allow = 127.0.0.0/8\nallow_origin = http://good.example\n' +
                                           'bearer_token = s3cret\n');
    let r = await get(p.port, '/resolve?name=localhost');
    eq([r.status, answerOf(r)], [401, 'auth'], 'no bearer token: 401');
    r = await get(p.port, '/resolve?name=localhost', { Authorization: 'Bearer s3cret' });
    eq(r.status, 200, 'Authorization: Bearer');
    r = await get(p.port, '/resolve?access_token=s3cret&name=localhost', { Origin: 'http://bad.example' });
    eq([r.status, answerOf(r)], [403, 'origin'], 'an Origin not allowed: 403');
    eq(r.headers['access-control-allow-origin'], undefined, '... which that page may not read');
    r = await get(p.port, '/resolve?access_token=s3cret&name=localhost', { Origin: 'http://good.example' });
    eq(r.status, 200, 'the allowed Origin with access_token');
    eq(r.headers['access-control-allow-origin'], 'http://good.example', '... may read the answer (CORS)');
  },

  async resolve_blocked_names({ proxyBin }) {
    // localhost resolves to loopback only, which a name rule never reaches:
    // it must read exactly as a name that does not exist.
    const conf = 'allow = *:6379\nallow_origin = http://good.example\n';
    const exists = 'localhost', missing = 'nothing-here.invalid';
    const native = await nativeLookup(missing);
    const p = await L.startProxy(proxyBin, conf);
    const seen = (r) => ({ status: r.status, body: r.body, type: r.headers['content-type'],
                           cache: r.headers['cache-control'], cors: r.headers['access-control-allow-origin'],
                           vary: r.headers.vary, length: r.headers['content-length'] });
    for (const [q, headers] of [['&port=6379', {}], ['', {}], ['&port=6379', { Origin: 'http://good.example' }]]) {
      const a = seen(await get(p.port, `/resolve?name=${exists}${q}`, headers));
      const b = seen(await get(p.port, `/resolve?name=${missing}${q}`, headers));
      const what = `"${q || 'no port'}"${headers.Origin ? ' with an Origin' : ''}`;
      eq([a.status, JSON.parse(a.body).error], [200, 'noname'], `${what}: ${exists} answers noname`);
      if (native !== 'noname') {
        console.log(`# ${missing} is ${JSON.stringify(native)} here, not noname: not compared`);
        continue;
      }
      eq(a, b, `${what}: the very answer of ${missing} (status, body, headers)`);
    }
    const logged = await p.waitLine(/event=refused .*path=\/resolve host=localhost reason=blocked_address status=200/,
                                    2000).then(() => true, () => false);
    check(logged, 'the log keeps the true reason');
    const m = await get(p.port, '/metrics');
    check(/^emnet_proxy_refusals_total\{reason="blocked_address"\} 3$/m.test(m.body), 'and the metrics');
    // Refused before any lookup (no rule has the port): blocked, alike for both.
    for (const name of [exists, missing]) {
      const r = await get(p.port, `/resolve?name=${name}&port=80`);
      eq([r.status, answerOf(r)], [403, 'blocked'], `${name} on a port no rule has: blocked`);
    }

    const p2 = await L.startProxy(proxyBin, conf + 'reveal_blocked_names = on\n');
    for (const q of ['&port=6379', '']) {
      const r = await get(p2.port, `/resolve?name=${exists}${q}`);
      eq([r.status, answerOf(r)], [403, 'blocked'], `reveal_blocked_names, "${q || 'no port'}": blocked`);
      eq([r.headers['content-type'], r.headers['cache-control']], ['application/json', 'no-store'], '... as JSON');
      const r2 = await get(p2.port, `/resolve?name=${missing}${q}`);
      eq([r2.status, answerOf(r2)], [200, native], `... while ${missing} stays ${JSON.stringify(native)}`);
    }
  },

  async resolve_client_gone({ proxyBin }) {
    // Clients that leave before their answer: the lookup is abandoned,
    // nothing is written to a closed connection (ASan checks at exit).
    const p = await L.startProxy(proxyBin, 'allow = *.invalid:80\nallow = 127.0.0.0/8\n');
    const reqs = [];
    for (let i = 0; i < 30; i++) {
      const req = http.get({ host: '127.0.0.1', port: p.port, path: `/resolve?name=gone${i}.invalid` });
      req.on('error', () => {});
      reqs.push(req);
    }
    await sleep(5);
    for (const req of reqs) req.destroy();
    await sleep(1500);
    const r = await get(p.port, '/resolve?name=localhost');
    eq(r.status, 200, 'the proxy still answers');
  },
};

L.run(cases);
