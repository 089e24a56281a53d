// emnet's name lookup through emnet-proxy (--js-library): asks the
// proxy's /resolve whether a name exists and in which families, and hands
// the answer to C (net/resolve_proxy.c), which waits for it in
// getaddrinfo(). Anything but a well-formed answer from emnet-proxy (no
// fetch, a network error, another server's 404) is "no answer", and the
// name keeps its placeholder as if nobody had been asked.

var LibraryEmnetDns = {
  emnet_js_dns_query__deps: ['$EMNET'],
  emnet_js_dns_query: function (url, name, port, id) {
    url = UTF8ToString(url);
    name = UTF8ToString(name);
    var query = url + (url.indexOf('?') < 0 ? '?' : '&') + 'name=' + encodeURIComponent(name) + '&port=' + port;
    // The values of net/internal.h's EMNET__DNS_*.
    function answer(value) {
      EMNET.event(function () { _emnet__dns_answer(id, value); });
    }
    function parse(text) {
      var j;
      try { j = JSON.parse(text); } catch (e) { return 0; }
      if (!j || typeof j != 'object') return 0;
      if (j.error === 'noname') return -1;
      if (j.error === 'again') return -2;
      if (j.error === 'blocked') return -3;
      if (typeof j.ipv4 == 'boolean' && typeof j.ipv6 == 'boolean') return (j.ipv4 ? 1 : 0) | (j.ipv6 ? 2 : 0);
      return 0;
    }
    if (typeof fetch != 'function') {
      Promise.resolve().then(function () { answer(0); });   // C is still inside this call: answer later
      return;
    }
    fetch(query, { credentials: 'omit' }).then(function (r) { return r.text(); })
      .then(function (text) { answer(parse(text)); }, function () { answer(0); });
  },
};

mergeInto(LibraryManager.library, LibraryEmnetDns);
