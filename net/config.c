/* emnet's network settings: set from C, or read once from the environment
 * (EMNET_* variables; a page sets them in Module.emnetEnv). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "transport_rules.h"

static char *url_template;

int emnet_net_set_url_template(const char *t)
{
    if (!t || (strncmp(t, "ws://", 5) != 0 && strncmp(t, "wss://", 6) != 0)) {
        errno = EINVAL;
        return -1;
    }
    char *copy = strdup(t);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    free(url_template);
    url_template = copy;
    return 0;
}

const char *emnet__url_template(void)
{
    if (!url_template) {
        const char *env = getenv("EMNET_WS_URL");
        if (env) emnet_net_set_url_template(env);
    }
    return url_template;
}

/* ---- transports ---- */

static char *wisp_url;
static const struct emnet_transport_ops *default_transport;

/* The transports by the name a configuration uses, in one order for the
 * rules' indexes. */
static const char *const transport_names[] = { "websockify", "wisp", NULL };
static const struct emnet_transport_ops *const transport_ops[] = {
    &emnet__websockify_transport,
    &emnet__wisp_transport,
};

static const struct emnet_transport_ops *transport_named(const char *name)
{
    for (int i = 0; transport_names[i]; i++)
        if (!strcmp(name, transport_names[i])) return transport_ops[i];
    return NULL;
}

int emnet_net_set_transport(const char *name)
{
    const struct emnet_transport_ops *t = name ? transport_named(name) : NULL;
    if (!t) {
        errno = EINVAL;
        return -1;
    }
    default_transport = t;
    return 0;
}

int emnet_net_set_wisp_url(const char *url)
{
    if (!url || (strncmp(url, "ws://", 5) != 0 && strncmp(url, "wss://", 6) != 0)) {
        errno = EINVAL;
        return -1;
    }
    char *copy = strdup(url);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    free(wisp_url);
    wisp_url = copy;
    return 0;
}

const char *emnet__wisp_url(void)
{
    if (!wisp_url) {
        const char *env = getenv("EMNET_WISP_URL");
        if (env) emnet_net_set_wisp_url(env);
    }
    return wisp_url;
}

/* ---- transport rules: EMNET_TRANSPORT_RULES first, then the program's ---- */

static struct emnet_transport_rules rules;
static int env_rules_read;
static int env_rules_bad;   /* malformed: no destination gets a transport */

/* Read once, before the program's first rule or the first lookup, so that
 * the environment's rules always come first. */
static void read_env_rules(void)
{
    if (env_rules_read) return;
    env_rules_read = 1;
    const char *env = getenv("EMNET_TRANSPORT_RULES");
    if (env && emnet_transport_rules_add_list(&rules, env, transport_names) < 0) env_rules_bad = 1;
}

int emnet_net_add_transport_rule(const char *rule)
{
    read_env_rules();
    int r = emnet_transport_rules_add(&rules, rule, transport_names);
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

static const struct emnet_transport_ops *default_transport_get(void)
{
    if (!default_transport) {
        const char *env = getenv("EMNET_TRANSPORT");
        if (!env || !*env) {
            default_transport = &emnet__websockify_transport;
        } else if (!(default_transport = transport_named(env))) {
            emnet_js_warn_once("emnet: EMNET_TRANSPORT names no transport (websockify or wisp); "
                               "connect() fails with ENETUNREACH.");
            return NULL;
        }
    }
    return default_transport;
}

const struct emnet_transport_ops *emnet__transport_for(const char *host, unsigned port)
{
    read_env_rules();
    if (env_rules_bad) {
        emnet_js_warn_once("emnet: EMNET_TRANSPORT_RULES is malformed (rules are \"TRANSPORT HOST[:PORTS]\" "
                           "separated by ';', see emnet/net.h); connect() fails with ENETUNREACH.");
        return NULL;
    }
    int i = emnet_transport_rules_match(&rules, host, port);
    return i >= 0 ? transport_ops[i] : default_transport_get();
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

/* emnet-proxy's /resolve beside the route one of its WebSocket URLs ends
 * in ("/wisp/", "/wisp" or "/tcp/{host}/{port}"; a path before it, as a
 * reverse proxy may add, stays), on the same host and port, with the same
 * query (an access_token stays): ws -> http, wss -> https. */
static const char *derive(const char *url, int wisp, char *buf, size_t len)
{
    if (!url) return NULL;
    const char *scheme = !strncmp(url, "wss://", 6) ? "https://" : !strncmp(url, "ws://", 5) ? "http://" : NULL;
    if (!scheme) return NULL;
    const char *authority = url + (scheme[4] == 's' ? 6 : 5);
    const char *path = authority + strcspn(authority, "/?");
    const char *query = path + strcspn(path, "?");
    size_t plen = (size_t)(query - path), rlen = 0;
    static const char *const routes[] = { "/wisp/", "/wisp", "/tcp/{host}/{port}" };
    for (int i = wisp ? 0 : 2; i < (wisp ? 2 : 3) && !rlen; i++) {
        size_t n = strlen(routes[i]);
        if (plen >= n && !strncmp(query - n, routes[i], n)) rlen = n;
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
    const struct emnet_transport_ops *t = emnet__transport_for(host, port);
    if (t == &emnet__wisp_transport) return derive(emnet__wisp_url(), 1, buf, len);
    if (t == &emnet__websockify_transport) return derive(emnet__url_template(), 0, buf, len);
    return NULL;
}

long emnet__config_long(const char *env_name, long fallback)
{
    const char *v = getenv(env_name);
    if (!v || !*v) return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 0 ? fallback : n;
}

int emnet__config_allows(const char *env_name, const char *name)
{
    const char *v = getenv(env_name);
    if (!v) return 1;   /* unset: everything */
    size_t n = strlen(name);
    for (const char *p = v; *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, name, n) == 0) return 1;
        p += len;
    }
    return 0;
}
