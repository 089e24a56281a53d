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

long emnet__config_long(const char *env_name, long fallback)
{
    const char *v = getenv(env_name);
    if (!v || !*v) return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 0 ? fallback : n;
}
