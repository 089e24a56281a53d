/* The settings table of emnet-proxy and the functions that change one
 * setting (config.h). Reading files and the cross-field checks are in
 * config_file.c.
 *
 * One table describes every key: its type, where it lives in the struct,
 * its default and its range. set, clear, init and print all walk it, so a
 * new key is one line here plus its field. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "policy/config.h"
#include "wisp_codec.h"

enum key_type { K_STR, K_OPT_STR, K_LIST, K_ALLOW, K_U32, K_BOOL };

struct key {
    const char *name;
    enum key_type type;
    size_t off, count_off;           /* field; for K_LIST also its count */
    const char *def;                 /* K_STR default */
    uint32_t def_n, min, max;        /* K_U32 (and K_BOOL's default) */
    const char *const *choices;      /* K_STR: allowed values, NULL-terminated */
    int (*check)(const char *v, const char **why);
};

#define F(field) offsetof(struct emnet_proxy_config, field)

static const char *const log_levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const log_formats[] = { "text", "json", NULL };

static int check_listen(const char *v, const char **why)
{
    char host[256];
    uint16_t port;
    if (emnet_split_host_port(v, host, sizeof host, &port) < 0) {
        *why = "expected HOST:PORT or [IPV6]:PORT with a port 0-65535";
        return -1;
    }
    return 0;
}

/* Origin header values are "null" or scheme://host[:port], without a path. */
static int check_origin(const char *v, const char **why)
{
    if (strcmp(v, "*") == 0 || strcmp(v, "null") == 0)
        return 0;
    const char *sep = strstr(v, "://");
    *why = "expected \"*\", \"null\" or SCHEME://HOST[:PORT] (an Origin, exactly as browsers send it)";
    if (!sep || sep == v || sep[3] == '\0')
        return -1;
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == '*' || *p == '#' || *p == '?' || *p == '@')
            return -1;
    }
    if (strchr(sep + 3, '/')) {
        *why = "an Origin has no path (drop everything from the '/' after the host)";
        return -1;
    }
    return 0;
}

static int check_path(const char *v, const char **why)
{
    if (v[0] == '/' && strlen(v) < 256 && !strpbrk(v, "?# \t")) return 0;
    *why = "expected a path starting with '/', without '?', '#' or spaces, under 256 bytes";
    return -1;
}

static int check_bearer(const char *v, const char **why)
{
    if (emnet__token68_ok(v, strlen(v)))
        return 0;
    *why = strcmp(v, "(set)") == 0 ? "\"(set)\" is how a printed config hides the token: give the token itself"
                                   : "a bearer token is 1-1024 characters A-Z a-z 0-9 - . _ ~ + / with '=' only at the end";
    return -1;
}

static int check_metrics_cidr(const char *v, const char **why)
{
    struct emnet_allowlist *al = emnet_allowlist_new();
    char err[8];
    int ok = 0;
    if (al && emnet_allowlist_add(al, v, err, sizeof err) == 0) {
        const char *canon = emnet_allowlist_rule(al, 0);
        const char *slash = strchr(canon, '/');
        struct emnet__addr a;
        ok = emnet__addr_parse_strict(canon, slash ? (size_t)(slash - canon) : strlen(canon), &a) == 0 &&
             (!slash || strspn(slash + 1, "0123456789") == strlen(slash + 1)); /* no ":port" */
    }
    emnet_allowlist_free(al);
    *why = "expected an address or CIDR without a port (127.0.0.0/8, ::1, 10.1.0.0/16)";
    return ok ? 0 : -1;
}

/* Text as the Wisp codec sends it: UTF-8 without NUL, within max bytes. */
static int check_wisp_text(const char *v, size_t max, const char **why)
{
    size_t n = strlen(v);
    if (n <= max && emnet_wisp_check_motd((const uint8_t *)v, n) == 0)
        return 0;
    *why = n > max ? (max == EMNET_WISP_USER_MAX ? "longer than 255 bytes" : "longer than 1024 bytes")
                   : "not valid UTF-8";
    return -1;
}

static int check_wisp_user(const char *v, const char **why)
{
    return check_wisp_text(v, EMNET_WISP_USER_MAX, why);
}

static int check_wisp_motd(const char *v, const char **why)
{
    return check_wisp_text(v, EMNET_PROXY_WISP_TEXT_MAX, why);
}

static const struct key keys[] = {
    { "listen", K_STR, F(listen), 0, "127.0.0.1:8080", 0, 0, 0, NULL, check_listen },
    { "tls_cert", K_OPT_STR, F(tls_cert), 0, NULL, 0, 0, 0, NULL, NULL },
    { "tls_key", K_OPT_STR, F(tls_key), 0, NULL, 0, 0, 0, NULL, NULL },
    { "allow_origin", K_LIST, F(allow_origin), F(n_allow_origin), NULL, 0, 0, 0, NULL, check_origin },
    { "bearer_token", K_OPT_STR, F(bearer_token), 0, NULL, 0, 0, 0, NULL, check_bearer },
    { "bearer_token_file", K_OPT_STR, F(bearer_token_file), 0, NULL, 0, 0, 0, NULL, NULL },
    { "token_file", K_OPT_STR, F(token_file), 0, NULL, 0, 0, 0, NULL, NULL },
    { "allow", K_ALLOW, F(allow), 0, NULL, 0, 0, 0, NULL, NULL },
    { "reveal_blocked_names", K_BOOL, F(reveal_blocked_names), 0, NULL, 0, 0, 1, NULL, NULL },
    { "max_connections", K_U32, F(max_connections), 0, NULL, 10000, 1, 10000000, NULL, NULL },
    { "max_connections_per_ip", K_U32, F(max_connections_per_ip), 0, NULL, 64, 1, 10000000, NULL, NULL },
    { "max_streams", K_U32, F(max_streams), 0, NULL, 256, 1, 1000000, NULL, NULL },
    { "max_message", K_U32, F(max_message), 0, NULL, 65536, 256, 64u << 20, NULL, NULL },
    { "idle_timeout", K_U32, F(idle_timeout), 0, NULL, 300, 0, 604800, NULL, NULL },
    { "connect_timeout", K_U32, F(connect_timeout), 0, NULL, 10, 1, 3600, NULL, NULL },
    { "resolve_timeout", K_U32, F(resolve_timeout), 0, NULL, 5, 1, 3600, NULL, NULL },
    { "wisp_credit", K_U32, F(wisp_credit), 0, NULL, 64, 1, 65535, NULL, NULL },
    { "wisp_user", K_OPT_STR, F(wisp_user), 0, NULL, 0, 0, 0, NULL, check_wisp_user },
    { "wisp_password_file", K_OPT_STR, F(wisp_password_file), 0, NULL, 0, 0, 0, NULL, NULL },
    { "wisp_motd", K_OPT_STR, F(wisp_motd), 0, NULL, 0, 0, 0, NULL, check_wisp_motd },
    { "buffer", K_U32, F(buffer), 0, NULL, 262144, 4096, 256u << 20, NULL, NULL },
    { "client_buffer", K_U32, F(client_buffer), 0, NULL, 1u << 20, 16384, 1u << 30, NULL, NULL },
    { "client_buffer_max", K_U32, F(client_buffer_max), 0, NULL, 4u << 20, 16384, 1u << 30, NULL, NULL },
    { "webtransport_listen", K_OPT_STR, F(webtransport_listen), 0, NULL, 0, 0, 0, NULL, check_listen },
    { "webtransport_path", K_STR, F(webtransport_path), 0, "/emnet", 0, 0, 0, NULL, check_path },
    { "webtransport_cert_days", K_U32, F(webtransport_cert_days), 0, NULL, 10, 1, 14, NULL, NULL },
    { "metrics", K_BOOL, F(metrics), 0, NULL, 1, 0, 1, NULL, NULL },
    { "metrics_allow", K_LIST, F(metrics_allow), F(n_metrics_allow), NULL, 0, 0, 0, NULL, check_metrics_cidr },
    { "log_level", K_STR, F(log_level), 0, "info", 0, 0, 0, log_levels, NULL },
    { "log_format", K_STR, F(log_format), 0, "text", 0, 0, 0, log_formats, NULL },
};
#define N_KEYS (sizeof keys / sizeof keys[0])

#define FIELD(c, k, type) ((type *)(void *)((char *)(c) + (k)->off))
#define CFIELD(c, k, type) ((const type *)(const void *)((const char *)(c) + (k)->off))

static const struct key *find_key(const char *name)
{
    char norm[64];
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= sizeof norm)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        norm[i] = name[i] == '-' ? '_' : name[i];
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, norm) == 0)
            return &keys[i];
    return NULL;
}

int emnet_proxy_config_key_kind(const char *key)
{
    const struct key *k = find_key(key);
    if (!k)
        return -1;
    return k->type == K_LIST || k->type == K_ALLOW;
}

static void free_list(struct emnet_proxy_config *c, const struct key *k)
{
    char ***list = FIELD(c, k, char **);
    size_t *count = (size_t *)(void *)((char *)c + k->count_off);
    for (size_t i = 0; i < *count; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *count = 0;
}

static void reset_key(struct emnet_proxy_config *c, const struct key *k, int with_default)
{
    switch (k->type) {
    case K_STR:
    case K_OPT_STR:
        free(*FIELD(c, k, char *));
        *FIELD(c, k, char *) = with_default && k->def ? strdup(k->def) : NULL;
        break;
    case K_LIST:
        free_list(c, k);
        break;
    case K_ALLOW:
        emnet_allowlist_free(*FIELD(c, k, struct emnet_allowlist *));
        *FIELD(c, k, struct emnet_allowlist *) = with_default ? emnet_allowlist_new() : NULL;
        break;
    case K_U32:
        *FIELD(c, k, uint32_t) = k->def_n;
        break;
    case K_BOOL:
        *FIELD(c, k, int) = (int)k->def_n;
        break;
    }
}

void emnet_proxy_config_init(struct emnet_proxy_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_KEYS; i++)
        reset_key(c, &keys[i], 1);
}

void emnet_proxy_config_free(struct emnet_proxy_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < N_KEYS; i++)
        reset_key(c, &keys[i], 0);
    free(c->config_path);
    memset(c, 0, sizeof *c);
}

int emnet_proxy_config_clear(struct emnet_proxy_config *c, const char *key)
{
    const struct key *k = find_key(key);
    if (!k || (k->type != K_LIST && k->type != K_ALLOW))
        return -1;
    reset_key(c, k, 1);
    return 0;
}

static int parse_u32(const char *v, uint32_t *out)
{
    if (!*v)
        return -1;
    uint64_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > 0xffffffffu)
            return -2;
    }
    *out = (uint32_t)n;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = { "on", "true", "yes", "1" }, *const no[] = { "off", "false", "no", "0" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static int set_error(char *err, size_t errlen, const char *key, const char *value, const char *why)
{
    char q[80];
    emnet__quote(q, sizeof q, value, strlen(value));
    if (errlen)
        snprintf(err, errlen, "%s: \"%s\": %s", key, q, why);
    return -1;
}

static int list_append(struct emnet_proxy_config *c, const struct key *k, const char *v)
{
    char ***list = FIELD(c, k, char **);
    size_t *count = (size_t *)(void *)((char *)c + k->count_off);
    char *copy = strdup(v);
    char **nl = copy ? realloc(*list, (*count + 1) * sizeof *nl) : NULL;
    if (!nl) {
        free(copy);
        return -1;
    }
    nl[(*count)++] = copy;
    *list = nl;
    return 0;
}

int emnet_proxy_config_set(struct emnet_proxy_config *c, const char *key, const char *value, char *err,
                           size_t errlen)
{
    const struct key *k = find_key(key);
    if (!k) {
        char q[80];
        emnet__quote(q, sizeof q, key ? key : "", key ? strlen(key) : 0);
        if (errlen)
            snprintf(err, errlen, "unknown key \"%s\"", q);
        return -1;
    }
    if (!value)
        return set_error(err, errlen, k->name, "", "missing value");
    /* values are trimmed the way file lines are, so that a printed config
     * reads back the same */
    size_t len = strlen(value);
    while (len && emnet__is_space(value[len - 1]))
        len--;
    while (len && emnet__is_space(*value)) {
        value++;
        len--;
    }
    char buf[4097];
    if (len >= sizeof buf)
        return set_error(err, errlen, k->name, value, "value longer than 4096 bytes");
    memcpy(buf, value, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            return set_error(err, errlen, k->name, buf, "control character in value");
    const char *why = NULL;
    if (len == 0 && k->type != K_OPT_STR)
        return set_error(err, errlen, k->name, buf, "empty value");
    if (len && k->check && k->check(buf, &why) < 0) {
        if (strstr(buf, " #") || strstr(buf, "\t#"))
            why = "comments must be on lines of their own";
        return set_error(err, errlen, k->name, buf, why);
    }
    if (k->choices) {
        size_t i = 0;
        while (k->choices[i] && strcmp(k->choices[i], buf) != 0)
            i++;
        if (!k->choices[i])
            return set_error(err, errlen, k->name, buf,
                             k->choices == log_levels ? "expected error, warn, info or debug" : "expected text or json");
    }
    switch (k->type) {
    case K_STR:
    case K_OPT_STR: {
        char *copy = len ? strdup(buf) : NULL;
        if (len && !copy)
            return set_error(err, errlen, k->name, buf, "out of memory");
        free(*FIELD(c, k, char *));
        *FIELD(c, k, char *) = copy;
        return 0;
    }
    case K_LIST: {
        /* metrics_allow keeps the canonical form (fd00::/8, not [fd00::/8]),
         * which the allowlist reads back as the same rule */
        struct emnet_allowlist *tmp = k->check == check_metrics_cidr ? emnet_allowlist_new() : NULL;
        char msg[8];
        const char *v = buf;
        if (tmp && emnet_allowlist_add(tmp, buf, msg, sizeof msg) == 0)
            v = emnet_allowlist_rule(tmp, 0);
        int rc = list_append(c, k, v);
        emnet_allowlist_free(tmp);
        if (rc < 0)
            return set_error(err, errlen, k->name, buf, "out of memory");
        return 0;
    }
    case K_ALLOW: {
        struct emnet_allowlist **al = FIELD(c, k, struct emnet_allowlist *);
        if (!*al && !(*al = emnet_allowlist_new()))
            return set_error(err, errlen, k->name, buf, "out of memory");
        char msg[256];
        if (emnet_allowlist_add(*al, buf, msg, sizeof msg) < 0) {
            if (errlen)
                snprintf(err, errlen, "%s: %s%s", k->name, msg,
                         strstr(buf, " #") ? " (comments must be on lines of their own)" : "");
            return -1;
        }
        return 0;
    }
    case K_U32: {
        uint32_t n;
        int rc = parse_u32(buf, &n);
        char why_buf[96];
        if (rc == 0 && n >= k->min && n <= k->max) {
            *FIELD(c, k, uint32_t) = n;
            return 0;
        }
        if (rc == -1)
            return set_error(err, errlen, k->name, buf, "not a number (decimal digits only)");
        snprintf(why_buf, sizeof why_buf, "out of range (%u-%u%s)", k->min, k->max,
                 k->min == 0 ? ", 0 = never" : "");
        return set_error(err, errlen, k->name, buf, why_buf);
    }
    case K_BOOL: {
        int b;
        if (parse_bool(buf, &b) < 0)
            return set_error(err, errlen, k->name, buf, "expected on/off, true/false, yes/no or 1/0");
        *FIELD(c, k, int) = b;
        return 0;
    }
    }
    return -1;
}

void emnet_proxy_config_print(const struct emnet_proxy_config *c, FILE *out)
{
    fprintf(out, "# emnet-proxy: effective configuration\n");
    if (c->config_path)
        fprintf(out, "# read from %s\n", c->config_path);
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        switch (k->type) {
        case K_STR:
        case K_OPT_STR: {
            const char *v = *CFIELD(c, k, char *);
            if (!v)
                fprintf(out, "# %s =\n", k->name);
            else
                fprintf(out, "%s = %s\n", k->name, k->off == F(bearer_token) ? "(set)" : v);
            break;
        }
        case K_LIST: {
            char *const *list = *(char **const *)(const void *)((const char *)c + k->off);
            size_t n = *(const size_t *)(const void *)((const char *)c + k->count_off);
            if (n == 0)
                fprintf(out, "# %s =   (none: %s)\n", k->name,
                        k->off == F(allow_origin) ? "only clients that send no Origin" : "loopback only");
            for (size_t j = 0; j < n; j++)
                fprintf(out, "%s = %s\n", k->name, list[j]);
            break;
        }
        case K_ALLOW: {
            const struct emnet_allowlist *al = *CFIELD(c, k, struct emnet_allowlist *);
            size_t n = emnet_allowlist_count(al);
            if (n == 0)
                fprintf(out, "# %s =   (none: every target is denied)\n", k->name);
            for (size_t j = 0; j < n; j++)
                fprintf(out, "%s = %s\n", k->name, emnet_allowlist_rule(al, j));
            break;
        }
        case K_U32:
            fprintf(out, "%s = %u\n", k->name, *CFIELD(c, k, uint32_t));
            break;
        case K_BOOL:
            fprintf(out, "%s = %s\n", k->name, *CFIELD(c, k, int) ? "on" : "off");
            break;
        }
    }
}
