/* Config files and the cross-field checks (config.h); the settings table
 * itself is in config.c. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/config.h"
#include "wisp_codec.h"
#include "policy/tokens.h"

#define LINE_MAX_BYTES 4096
#define CONFIG_FILE_MAX (16u << 20)
#define SMALL_FILE_MAX (1u << 20)

int emnet__token68_ok(const char *s, size_t len)
{
    size_t i = 0;
    if (len == 0 || len > 1024)
        return 0;
    while (i < len && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
                       strchr("-._~+/", s[i]) != NULL) && s[i] != '\0')
        i++;
    if (i == 0)
        return 0;
    while (i < len && s[i] == '=')
        i++;
    return i == len;
}

int emnet_split_host_port(const char *text, char *host, size_t hostlen, uint16_t *port)
{
    if (!text)
        return -1;
    const char *h = text, *colon;
    size_t hlen;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        h = text + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
        struct emnet__addr a;
        if (!memchr(h, ':', hlen) || emnet__addr_parse_numeric(h, hlen, &a) < 0)
            return -1;
    } else {
        colon = strchr(text, ':');
        if (!colon || strchr(colon + 1, ':'))
            return -1; /* none, or bare IPv6: which ':' would start the port? */
        hlen = (size_t)(colon - text);
    }
    uint16_t p;
    if (hlen == 0 || emnet__parse_u16(colon + 1, strlen(colon + 1), &p) < 0)
        return -1;
    for (size_t i = 0; i < hlen; i++)
        if ((unsigned char)h[i] <= 0x20 || h[i] == 0x7f || h[i] == '/')
            return -1;
    if (!host || hlen + 1 > hostlen)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (port)
        *port = p;
    return 0;
}

int emnet_proxy_config_parse(struct emnet_proxy_config *c, const char *text, size_t len, const char *name,
                             char *err, size_t errlen)
{
    if (!name)
        name = "(config)";
    size_t pos = 0, line = 0;
    char msg[512];
    /* editors on some systems start UTF-8 files with a byte order mark */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t start = pos, end = nl ? (size_t)(nl - text) : len;
        pos = nl ? end + 1 : len;
        line++;
        size_t raw = end - start;
        if (raw && text[end - 1] == '\r')
            raw--;
        if (raw > LINE_MAX_BYTES) {
            if (errlen)
                snprintf(err, errlen, "%s:%zu: line longer than %d bytes", name, line, LINE_MAX_BYTES);
            return -1;
        }
        if (memchr(text + start, '\0', end - start)) {
            if (errlen)
                snprintf(err, errlen, "%s:%zu: NUL byte in line", name, line);
            return -1;
        }
        while (start < end && emnet__is_space(text[start]))
            start++;
        while (end > start && emnet__is_space(text[end - 1]))
            end--;
        if (start == end || text[start] == '#')
            continue;
        const char *eq = memchr(text + start, '=', end - start);
        if (!eq) {
            char q[80];
            emnet__quote(q, sizeof q, text + start, end - start);
            if (errlen)
                snprintf(err, errlen, "%s:%zu: expected key = value, got \"%s\"", name, line, q);
            return -1;
        }
        char key[LINE_MAX_BYTES + 1], value[LINE_MAX_BYTES + 1];
        size_t kend = (size_t)(eq - text), vstart = kend + 1;
        while (kend > start && emnet__is_space(text[kend - 1]))
            kend--;
        memcpy(key, text + start, kend - start);
        key[kend - start] = '\0';
        memcpy(value, text + vstart, end - vstart);
        value[end - vstart] = '\0';
        if (kend == start) {
            if (errlen)
                snprintf(err, errlen, "%s:%zu: missing key before '='", name, line);
            return -1;
        }
        if (emnet_proxy_config_set(c, key, value, msg, sizeof msg) < 0) {
            if (errlen)
                snprintf(err, errlen, "%s:%zu: %s", name, line, msg);
            return -1;
        }
    }
    return 0;
}

int emnet_proxy_config_load(struct emnet_proxy_config *c, const char *path, char *err, size_t errlen)
{
    char *text;
    size_t len;
    if (!path || emnet__read_file(path, CONFIG_FILE_MAX, &text, &len, err, errlen) < 0)
        return -1;
    char *copy = strdup(path);
    if (!copy) {
        free(text);
        if (errlen)
            snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    free(c->config_path);
    c->config_path = copy;
    int rc = emnet_proxy_config_parse(c, text, len, path, err, errlen);
    free(text);
    return rc;
}

int emnet_proxy_config_bearer_token(const struct emnet_proxy_config *c, char *out, size_t outlen, char *err,
                                    size_t errlen)
{
    const char *tok = c->bearer_token;
    char *text = NULL;
    size_t len;
    if (!tok && c->bearer_token_file) {
        char msg[400];
        if (emnet__read_file(c->bearer_token_file, SMALL_FILE_MAX, &text, &len, msg, sizeof msg) < 0) {
            if (errlen)
                snprintf(err, errlen, "bearer_token_file: %s", msg);
            return -1;
        }
        size_t s = 0, e = 0;
        while (e < len && text[e] != '\n' && text[e] != '\r')
            e++;
        while (s < e && emnet__is_space(text[s]))
            s++;
        while (e > s && emnet__is_space(text[e - 1]))
            e--;
        if (!emnet__token68_ok(text + s, e - s)) {
            free(text);
            if (errlen)
                snprintf(err, errlen, "bearer_token_file: %s: the first line is not a bearer token "
                                      "(1-1024 characters A-Z a-z 0-9 - . _ ~ + / and '=' at the end)",
                         c->bearer_token_file);
            return -1;
        }
        text[e] = '\0';
        tok = text + s;
    }
    if (!tok)
        return 0;
    size_t n = strlen(tok);
    if (n + 1 > outlen) {
        free(text);
        if (errlen)
            snprintf(err, errlen, "bearer token: longer than the %zu bytes given for it", outlen);
        return -1;
    }
    memcpy(out, tok, n + 1);
    free(text);
    return 1;
}

int emnet_proxy_config_wisp_password(const struct emnet_proxy_config *c, char *out, size_t outlen, char *err,
                                     size_t errlen)
{
    if (!c->wisp_password_file)
        return 0;
    char msg[400], *text;
    size_t len;
    if (emnet__read_file(c->wisp_password_file, SMALL_FILE_MAX, &text, &len, msg, sizeof msg) < 0) {
        if (errlen)
            snprintf(err, errlen, "wisp_password_file: %s", msg);
        return -1;
    }
    /* The whole first line: spaces may be part of a password. */
    size_t e = 0;
    while (e < len && text[e] != '\n' && text[e] != '\r')
        e++;
    const char *why = NULL;
    if (e == 0)
        why = "the first line is empty";
    else if (e > EMNET_PROXY_WISP_TEXT_MAX)
        why = "the first line is longer than 1024 bytes";
    else if (emnet_wisp_check_motd((const uint8_t *)text, e) < 0)
        why = "the first line is not valid UTF-8";
    else if (e + 1 > outlen)
        why = "the password does not fit";
    if (why) {
        free(text);
        if (errlen)
            snprintf(err, errlen, "wisp_password_file: %s: %s", c->wisp_password_file, why);
        return -1;
    }
    memcpy(out, text, e);
    out[e] = '\0';
    free(text);
    return 1;
}

static int fail(char *err, size_t errlen, const char *msg)
{
    if (errlen)
        snprintf(err, errlen, "%s", msg);
    return -1;
}

int emnet_proxy_config_validate(const struct emnet_proxy_config *c, char *err, size_t errlen)
{
    char host[256], msg[600];
    uint16_t port;
    if (!c->listen || emnet_split_host_port(c->listen, host, sizeof host, &port) < 0)
        return fail(err, errlen, "listen: not set, or not HOST:PORT");
    if (!c->log_level || !c->log_format || !c->allow)
        return fail(err, errlen, "configuration not initialised (out of memory?)");
    if (!c->tls_cert != !c->tls_key)
        return fail(err, errlen, c->tls_cert ? "tls_cert is set but tls_key is not: TLS needs both"
                                             : "tls_key is set but tls_cert is not: TLS needs both");
    const char *tls[2] = { c->tls_cert, c->tls_key };
    for (int i = 0; i < 2 && tls[0]; i++) {
        char *text;
        size_t len;
        if (emnet__read_file(tls[i], SMALL_FILE_MAX, &text, &len, msg, sizeof msg) < 0) {
            if (errlen)
                snprintf(err, errlen, "%s: %s", i ? "tls_key" : "tls_cert", msg);
            return -1;
        }
        free(text);
    }
    if (c->bearer_token && c->bearer_token_file)
        return fail(err, errlen, "bearer_token and bearer_token_file are both set: choose one");
    if (c->client_buffer_max < c->client_buffer)
        return fail(err, errlen, "client_buffer_max is below client_buffer: the hard limit must be at least the budget");
    if (c->bearer_token_file) {
        char tok[1100];
        if (emnet_proxy_config_bearer_token(c, tok, sizeof tok, err, errlen) < 0)
            return -1;
    }
    if (!c->wisp_user != !c->wisp_password_file)
        return fail(err, errlen, c->wisp_user ? "wisp_user is set but wisp_password_file is not: password "
                                                "authentication needs both"
                                              : "wisp_password_file is set but wisp_user is not: password "
                                                "authentication needs both");
    if (c->wisp_password_file) {
        char pw[EMNET_PROXY_WISP_TEXT_MAX + 1];
        if (emnet_proxy_config_wisp_password(c, pw, sizeof pw, err, errlen) < 0)
            return -1;
    }
    if (c->token_file) {
        struct emnet_tokens *t = emnet_tokens_load(c->token_file, msg, sizeof msg);
        if (!t) {
            if (errlen)
                snprintf(err, errlen, "token_file: %s", msg);
            return -1;
        }
        emnet_tokens_free(t);
    }
    return 0;
}
