/* emnet's network settings: set from C, or read once from the environment
 * (EMNET_* variables; a page sets them in Module.emnetEnv). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/* Transports by the name a configuration uses. */
static const struct emnet_transport_ops *transport_named(const char *name)
{
    if (!strcmp(name, "websockify")) return &emnet__websockify_transport;
    if (!strcmp(name, "wisp")) return &emnet__wisp_transport;
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

/* One transport for every destination for now; per-destination rules
 * (a list matched on host and port) will be looked up here first. */
const struct emnet_transport_ops *emnet__transport_for(const char *host, unsigned port)
{
    (void)host, (void)port;
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

long emnet__config_long(const char *env_name, long fallback)
{
    const char *v = getenv(env_name);
    if (!v || !*v) return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 0 ? fallback : n;
}
