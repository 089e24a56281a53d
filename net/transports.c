/* The registry of transports: each one's name (as configurations write
 * it), its operations, the setting that gives its server's URL, and the
 * routes of emnet-proxy's beside which its /resolve is found. Adding a
 * transport is one line in `registry` (and its C file). Also here: which
 * transport a destination uses (EMNET_TRANSPORT, EMNET_TRANSPORT_RULES and
 * the program's rules) and the resolve URL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "internal.h"
#include "transport_rules.h"

extern const struct emnet_transport emnet__websockify_transport, emnet__wisp_transport, emnet__webtransport_transport,
    emnet__auto_transport;

struct transport_entry {
    const char *name;
    const struct emnet_transport *ops;
    const char *url_env;                /* the server's URL, from the environment */
    const char *url_setter;             /* ... or from this call (for messages) */
    const char *routes[3];              /* emnet-proxy's routes this URL may end in */
    int https;                          /* the URL is https:// (WebTransport), not ws(s):// */
    char *url;                          /* set by the program, or read from url_env */
};

static struct transport_entry registry[] = {
    { "websockify", &emnet__websockify_transport, "EMNET_WS_URL", "emnet_net_set_url_template()",
      { "/tcp/{host}/{port}" }, 0, NULL },
    { "wisp", &emnet__wisp_transport, "EMNET_WISP_URL", "emnet_net_set_wisp_url()", { "/wisp/", "/wisp" }, 0, NULL },
    { "webtransport", &emnet__webtransport_transport, "EMNET_WEBTRANSPORT_URL", "emnet_net_set_webtransport_url()",
      { "/webtransport" }, 1, NULL },
    /* webtransport, handing sockets to wisp where it cannot be had */
    { "auto", &emnet__auto_transport, "EMNET_WEBTRANSPORT_URL", "emnet_net_set_webtransport_url()",
      { "/webtransport" }, 1, NULL },
};
#define TRANSPORTS (sizeof registry / sizeof registry[0])

/* The names in registry order, for the rules' indexes. */
static const char *const *names(void)
{
    static const char *list[TRANSPORTS + 1];
    for (size_t i = 0; i < TRANSPORTS; i++) list[i] = registry[i].name;
    return list;
}

static struct transport_entry *entry_of(const struct emnet_transport *t)
{
    for (size_t i = 0; i < TRANSPORTS; i++)
        if (registry[i].ops == t) return &registry[i];
    return NULL;
}

static struct transport_entry *entry_named(const char *name)
{
    for (size_t i = 0; i < TRANSPORTS; i++)
        if (!strcmp(registry[i].name, name)) return &registry[i];
    return NULL;
}

/* ---- servers' URLs ---- */

static int set_url(struct transport_entry *e, const char *url)
{
    int ok = url && (e->https ? !strncmp(url, "https://", 8)
                              : !strncmp(url, "ws://", 5) || !strncmp(url, "wss://", 6));
    if (!ok) {
        errno = EINVAL;
        return -1;
    }
    char *copy = strdup(url);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    free(e->url);
    e->url = copy;
    return 0;
}

int emnet_net_set_url_template(const char *t)
{
    return set_url(entry_of(&emnet__websockify_transport), t);
}

int emnet_net_set_wisp_url(const char *url)
{
    return set_url(entry_of(&emnet__wisp_transport), url);
}

int emnet_net_set_webtransport_url(const char *url)
{
    struct transport_entry *e = entry_of(&emnet__webtransport_transport);
    if (!url) {   /* back to the environment's (or the info URL) */
        free(e->url);
        e->url = NULL;
        return 0;
    }
    return set_url(e, url);
}

/* The URL, without a warning: NULL when none is set. */
static const char *url_of(struct transport_entry *e)
{
    if (!e->url) {
        const char *env = getenv(e->url_env);
        if (env) set_url(e, env);
    }
    return e->url;
}

/* WebTransport's URL may also come from emnet-proxy's description of it
 * (EMNET_WEBTRANSPORT_INFO_URL), which the host fetches. */
static const char *info_url(const struct transport_entry *e)
{
    return e->https ? emnet__text_setting(TEXT_WEBTRANSPORT_INFO_URL) : NULL;
}

const char *emnet__transport_url_quiet(const struct emnet_transport *t)
{
    struct transport_entry *e = entry_of(t);
    return e ? url_of(e) : NULL;
}

const char *emnet__transport_url(const struct emnet_transport *t)
{
    struct transport_entry *e = entry_of(t);
    const char *url = e ? url_of(e) : NULL;
    if (!url && e && !info_url(e)) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "emnet: no %s server URL: set %s%s (for a page, Module.emnetEnv) or call %s. "
                 "connect() and sends through it fail with ENETUNREACH.",
                 e->name, e->url_env, e->https ? " or EMNET_WEBTRANSPORT_INFO_URL" : "", e->url_setter);
        emnet_js_warn_once(msg);
    }
    return url;
}

/* ---- which transport: EMNET_TRANSPORT_RULES first, then the program's ---- */

static const struct emnet_transport *default_transport;
static struct emnet_transport_rules rules;
static int env_rules_read;
static int env_rules_bad;   /* malformed: no destination gets a transport */

int emnet_net_set_transport(const char *name)
{
    struct transport_entry *e = name ? entry_named(name) : NULL;
    if (!e) {
        errno = EINVAL;
        return -1;
    }
    default_transport = e->ops;
    return 0;
}

/* Read once, before the program's first rule or the first lookup, so that
 * the environment's rules always come first. */
static void read_env_rules(void)
{
    if (env_rules_read) return;
    env_rules_read = 1;
    const char *env = getenv("EMNET_TRANSPORT_RULES");
    if (env && emnet_transport_rules_add_list(&rules, env, names()) < 0) env_rules_bad = 1;
}

int emnet_net_add_transport_rule(const char *rule)
{
    read_env_rules();
    int r = emnet_transport_rules_add(&rules, rule, names());
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return 0;
}

void emnet_net_clear_transport_rules(void)
{
    read_env_rules();
    emnet_transport_rules_clear(&rules);
    env_rules_bad = 0;
}

static const struct emnet_transport *default_transport_get(void)
{
    if (!default_transport) {
        const char *env = getenv("EMNET_TRANSPORT");
        struct transport_entry *e = env && *env ? entry_named(env) : &registry[0];
        if (!e) {
            emnet_js_warn_once("emnet: EMNET_TRANSPORT names no transport (websockify, wisp, webtransport or auto); "
                               "connect() fails with ENETUNREACH.");
            return NULL;
        }
        default_transport = e->ops;
    }
    return default_transport;
}

const struct emnet_transport *emnet__transport_for(const char *host, unsigned port)
{
    read_env_rules();
    if (env_rules_bad) {
        emnet_js_warn_once("emnet: EMNET_TRANSPORT_RULES is malformed (rules are \"TRANSPORT HOST[:PORTS]\" "
                           "separated by ';', see emnet/net.h); connect() fails with ENETUNREACH.");
        return NULL;
    }
    int i = emnet_transport_rules_match(&rules, host, port);
    return i >= 0 ? registry[i].ops : default_transport_get();
}

void emnet__transports_socket_created(void)
{
    read_env_rules();
    if (env_rules_bad || rules.n) return;
    const struct emnet_transport *t = default_transport_get();
    if (t && t->prepare) t->prepare();
}

const struct emnet_transport *emnet__datagram_transport_for(const char *host, unsigned port)
{
    const struct emnet_transport *t = emnet__transport_for(host, port);
    if (t && t->send_datagram) return t;
    for (size_t i = 0; i < TRANSPORTS; i++)
        if (registry[i].ops->send_datagram && url_of(&registry[i])) return registry[i].ops;
    emnet_js_warn_once("emnet: UDP needs a transport that carries datagrams (wisp or webtransport; websockify "
                       "carries only TCP): set EMNET_WISP_URL or call emnet_net_set_wisp_url(). Sends fail with "
                       "ENETUNREACH.");
    return NULL;
}

/* ---- name lookup through the proxy (resolve.c) ---- */

static char *resolve_url;   /* explicit: an http(s) URL, or "off" */

int emnet_net_set_resolve_url(const char *url)
{
    if (url && strcmp(url, "off") != 0 && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        errno = EINVAL;
        return -1;
    }
    char *copy = url ? strdup(url) : NULL;
    if (url && !copy) {
        errno = ENOMEM;
        return -1;
    }
    free(resolve_url);
    resolve_url = copy;
    return 0;
}

/* emnet-proxy's /resolve beside the route the transport's URL ends in (a
 * path before it, as a reverse proxy may add, stays), on the same host and
 * port, with the same query (an access_token stays): ws -> http,
 * wss -> https; WebTransport's from its info URL (http(s), on the proxy's
 * WebSocket port: its session URL is on the QUIC port, where no /resolve
 * is served). */
static const char *derive(const struct transport_entry *e, const char *url, char *buf, size_t len)
{
    if (!url) return NULL;
    const char *scheme = NULL, *authority = NULL;
    if (!strncmp(url, "wss://", 6) || !strncmp(url, "https://", 8)) scheme = "https://";
    else if (!strncmp(url, "ws://", 5) || !strncmp(url, "http://", 7)) scheme = "http://";
    if (!scheme) return NULL;
    authority = strstr(url, "://") + 3;
    const char *path = authority + strcspn(authority, "/?");
    const char *query = path + strcspn(path, "?");
    size_t plen = (size_t)(query - path), rlen = 0;
    for (int i = 0; i < 3 && e->routes[i] && !rlen; i++) {
        size_t n = strlen(e->routes[i]);
        if (plen >= n && !strncmp(query - n, e->routes[i], n)) rlen = n;
    }
    if (!rlen) return NULL;
    int n = snprintf(buf, len, "%s%.*s/resolve%s", scheme, (int)(query - rlen - authority), authority, query);
    return n > 0 && (size_t)n < len ? buf : NULL;
}

const char *emnet__resolve_url(const char *host, unsigned port, char *buf, size_t len)
{
    static int env_read;
    if (!env_read) {
        env_read = 1;
        const char *env = getenv("EMNET_RESOLVE_URL");
        if (!resolve_url && env && *env && emnet_net_set_resolve_url(env) < 0)
            emnet_js_warn_once("emnet: EMNET_RESOLVE_URL is neither an http(s) URL nor \"off\"; ignored.");
    }
    if (resolve_url) return strcmp(resolve_url, "off") ? resolve_url : NULL;
    struct transport_entry *e = entry_of(emnet__transport_for(host, port));
    return e ? derive(e, e->https ? info_url(e) : url_of(e), buf, len) : NULL;
}

/* Whether getaddrinfo asks on the WebTransport session (a lookup stream)
 * rather than over HTTP: when the name goes over webtransport and no
 * EMNET_RESOLVE_URL says otherwise. */
int emnet__resolve_on_session(const char *host, unsigned port)
{
    char buf[8];
    emnet__resolve_url(host, port, buf, sizeof buf);   /* reads EMNET_RESOLVE_URL, once */
    return !resolve_url && emnet__transport_for(host, port) == &emnet__webtransport_transport;
}
