/* The WebSocket upgrade filter: which mode and target a request asks for,
 * and whether it may have it.
 *
 * Routing (path without the query):
 *   /wisp/ or /wisp        Wisp: many streams over this WebSocket
 *   /tcp/HOST/PORT         websockify mode, target from the path
 *                          (HOST: a name, IPv4, or [IPv6])
 *   any path + ?token=N    websockify mode, target from token_file
 *   anything else          404
 * Checks, in order, each refusal an HTTP status on the upgrade, a log line
 * and a counter: first the handshake itself (emnet_px_confirm_upgrade: Host,
 * Connection, Sec-WebSocket-Key 400, Sec-WebSocket-Version 426, the
 * subprotocol list 400), then draining 503, path 404/400, Origin 403,
 * bearer token 401, unknown token 404, max_connections 503,
 * max_connections_per_ip 429.
 * The target itself is checked against the allowlist only once the
 * WebSocket is open, as websockify does (upstream.c). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server.h"

/* ---- connections per client address: a small chained hash table ---- */
struct ip_entry {
    struct ip_entry *next;
    uint32_t count;
    char ip[64];
};
#define IP_BUCKETS 1024
static struct ip_entry *ip_table[IP_BUCKETS];

static struct ip_entry **ip_slot(const char *ip)
{
    uint32_t h = 2166136261u;
    for (const char *p = ip; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    struct ip_entry **e = &ip_table[h % IP_BUCKETS];
    while (*e && strcmp((*e)->ip, ip) != 0) e = &(*e)->next;
    return e;
}

uint32_t emnet_px_ip_count(const char *ip)
{
    struct ip_entry **e = ip_slot(ip);
    return *e ? (*e)->count : 0;
}

void emnet_px_ip_add(const char *ip, int delta)
{
    struct ip_entry **e = ip_slot(ip);
    if (!*e) {
        if (delta <= 0) return;
        *e = calloc(1, sizeof **e);
        if (!*e) return;
        snprintf((*e)->ip, sizeof (*e)->ip, "%s", ip);
    }
    (*e)->count = (uint32_t)((int64_t)(*e)->count + delta);
    if ((*e)->count == 0) {
        struct ip_entry *dead = *e;
        *e = dead->next;
        free(dead);
    }
}

int emnet_px_peer_addr(struct lws *wsi, struct sockaddr_storage *ss)
{
    socklen_t len = sizeof *ss;
    memset(ss, 0, sizeof *ss);
    return getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)ss, &len);
}

void emnet_px_sockaddr_ip(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, (socklen_t)len);
        else inet_ntop(AF_INET6, &a->sin6_addr, buf, (socklen_t)len);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, (socklen_t)len);
    }
}

void emnet_px_client_ip(struct lws *wsi, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    buf[0] = '\0';
    if (emnet_px_peer_addr(wsi, &ss) < 0) {
        snprintf(buf, len, "?");
        return;
    }
    emnet_px_sockaddr_ip(&ss, buf, len);
}

/* Answers a plain HTTP request with a status and a short text body. */

/* ---- the upgrade filter ---- */
static int refuse_upgrade(struct lws *wsi, const char *ip, unsigned int status, enum emnet_px_refusal why,
                          const char *detail)
{
    char code[8];
    snprintf(code, sizeof code, "%u", status);
    emnet_px_refuse(why);
    emnet_px_log(EMNET_PX_INFO, "refused", "client", ip, "reason", emnet_px_refusal_name(why), "status", code,
                 "detail", detail, NULL);
    lws_return_http_status(wsi, status, NULL);
    return -1;
}

/* Constant-time comparison: the time depends on the lengths only. */
int emnet_px_secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < lb; i++) diff |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
    return diff == 0 && la == lb;
}

int emnet_px_bearer_values_ok(const char *authorization, const char *access_token)
{
    const char *want = emnet_px.bearer;
    if (!want) return 1;
    if (authorization && strncasecmp(authorization, "Bearer ", 7) == 0) {
        const char *t = authorization + 7;
        while (*t == ' ') t++;
        if (emnet_px_secret_equal(t, want)) return 1;
    }
    return access_token && emnet_px_secret_equal(access_token, want);
}

int emnet_px_bearer_ok(struct lws *wsi)
{
    if (!emnet_px.bearer) return 1;
    char auth[1024], arg[1024];
    int n = lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION);
    /* lws copies "name=value" into arg and returns where the value starts. */
    const char *q = lws_get_urlarg_by_name(wsi, "access_token=", arg, sizeof arg);
    return emnet_px_bearer_values_ok(n > 0 ? auth : NULL, q);
}

int emnet_px_origin_allowed(const char *origin)
{
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    if (!origin) return 1;   /* not a browser: Origin is a browser's statement */
    for (size_t i = 0; i < cfg->n_allow_origin; i++)
        if (strcmp(cfg->allow_origin[i], "*") == 0 || strcmp(cfg->allow_origin[i], origin) == 0) return 1;
    return 0;
}

int emnet_px_origin_ok(struct lws *wsi)
{
    int len = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
    if (len <= 0) return emnet_px_origin_allowed(NULL);
    char origin[512];
    if (len >= (int)sizeof origin || lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0) return 0;
    return emnet_px_origin_allowed(origin);
}

/* "/tcp/HOST/PORT" -> host, port. 0 or -1. */
static int parse_tcp_path(const char *path, char *host, size_t hostlen, uint16_t *port)
{
    const char *h = path + 5;
    const char *slash = strrchr(h, '/');
    if (!slash || slash == h) return -1;
    size_t n = (size_t)(slash - h);
    if (h[0] == '[') {
        if (n < 3 || h[n - 1] != ']') return -1;
        h++;
        n -= 2;
    }
    if (n >= hostlen) return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    char *end;
    errno = 0;
    unsigned long p = strtoul(slash + 1, &end, 10);
    if (errno || *end || end == slash + 1 || p == 0 || p > 65535) return -1;
    *port = (uint16_t)p;
    return 0;
}

/* The buffers lws_process_ws_upgrade reads lists and names into. */
#define UPGRADE_LIST_MAX 127
#define UPGRADE_NAME_MAX 64

static int is_upgrade_token(struct lws *wsi, const char *name, size_t len)
{
    (void)wsi;
    return len == 7 && strncasecmp(name, "upgrade", 7) == 0;
}

/* lws binds the WebSocket to the first offered name that is any protocol
 * of the vhost: 1 if that is a client subprotocol, 2 if it is another one
 * (the upstream sockets' own), 0 if lws does not know the name. */
static int subprotocol_kind(struct lws *wsi, const char *name, size_t len)
{
    char n[UPGRADE_NAME_MAX];
    memcpy(n, name, len);
    n[len] = '\0';
    const struct lws_protocols *p = lws_vhost_name_to_protocol(lws_get_vhost(wsi), n);
    if (!p) return 0;
    for (int i = 0; i < EMNET_PX_CLIENT_PROTOCOLS; i++)
        if (strcmp(p->name, emnet_px_client_protocols[i].name) == 0) return 1;
    return 2;
}

/* lws 4.1.6 itself reads the Connection and Sec-WebSocket-Protocol lists
 * (lws_process_ws_upgrade): into a 128-byte buffer, with lws_tokenize, and
 * subprotocol names into 64 bytes. Whatever it cannot read there makes it
 * drop the connection without a word, so each list is read here first, the
 * same way. Returns what match said of the first name it did not answer 0
 * for (lws stops there), 0 if there is none, -1 if lws would give up
 * first. name_max: the longest name lws copies (0: no copy). */
static int list_find(struct lws *wsi, enum lws_token_indexes h, size_t name_max,
                     int (*match)(struct lws *, const char *, size_t))
{
    char buf[UPGRADE_LIST_MAX];
    int n = lws_hdr_copy(wsi, buf, sizeof buf, h);
    if (n < 0) return -1;
    struct lws_tokenize ts;
    lws_tokenize_init(&ts, buf, LWS_TOKENIZE_F_COMMA_SEP_LIST | LWS_TOKENIZE_F_MINUS_NONTERM |
                                LWS_TOKENIZE_F_DOT_NONTERM | LWS_TOKENIZE_F_RFC7230_DELIMS);
    ts.len = (size_t)n;
    for (;;) {
        switch (lws_tokenize(&ts)) {
        case LWS_TOKZE_TOKEN: {
            if (name_max && ts.token_len + 1 >= name_max) return -1;
            int r = match(wsi, ts.token, ts.token_len);
            if (r) return r;
            break;
        }
        case LWS_TOKZE_DELIMITER:
            break;
        case LWS_TOKZE_ENDED:
            return 0;
        default:            /* numbers, quoted strings, "a=b", malformed lists */
            return -1;
        }
    }
}

/* RFC 6455 4.1: the key is 16 random bytes in base64, 24 characters. The
 * 4 bits left over in the last character are not checked (decoders ignore
 * them, and so do other servers). Nothing may follow it, not even spaces:
 * lws keeps those in the value and would hash them into a wrong
 * Sec-WebSocket-Accept. */
static int key_ok(struct lws *wsi)
{
    char key[32];
    if (lws_hdr_total_length(wsi, WSI_TOKEN_KEY) != 24 || lws_hdr_copy(wsi, key, sizeof key, WSI_TOKEN_KEY) != 24)
        return 0;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    return strspn(key, b64) == 22 && strcmp(key + 22, "==") == 0;
}

/* 426 with the version we speak, as RFC 6455 4.2.2 and 4.4 ask. */
static int refuse_version(struct lws *wsi, const char *ip, const char *version)
{
    static const char body[] = "WebSocket version 13 required\n";
    unsigned char buf[LWS_PRE + 512];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    char len[8];
    int n = snprintf(len, sizeof len, "%zu", sizeof body - 1);
    emnet_px_refuse(EMNET_PX_REFUSE_PROTOCOL);
    emnet_px_log(EMNET_PX_INFO, "refused", "client", ip, "reason", emnet_px_refusal_name(EMNET_PX_REFUSE_PROTOCOL),
                 "status", "426", "detail", "version", "version", version, NULL);
    if (lws_add_http_header_status(wsi, 426, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"sec-websocket-version:", (const unsigned char *)"13",
                                    2, &p, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, (const unsigned char *)"text/plain", 10, &p,
                                     end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, (const unsigned char *)len, n, &p, end) ||
        lws_finalize_http_header(wsi, &p, end) || end - p < (ptrdiff_t)sizeof body)
        return -1;
    memcpy(p, body, sizeof body - 1);
    p += sizeof body - 1;
    return lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP) == (int)(p - start) ? 1 : -1;
}

/* The handshake as RFC 6455 4.2.1 describes it, checked before lws answers
 * it: lws 4.1.6 accepts any key and any version, and drops the connection
 * without a status when Host, the key, Connection: Upgrade or a readable
 * subprotocol list is missing. Returns 1 when refused (status sent; lws
 * then ends the connection), -1 if the refusal could not be written, 0 to
 * go on. */
int emnet_px_confirm_upgrade(struct lws *wsi)
{
    char upgrade[16], ip[64];
    /* Only WebSocket upgrades are ours; lws deals with the others. */
    if (lws_hdr_copy(wsi, upgrade, sizeof upgrade, WSI_TOKEN_UPGRADE) <= 0 || strcasecmp(upgrade, "websocket") != 0)
        return 0;
    emnet_px_client_ip(wsi, ip, sizeof ip);
    const char *bad = NULL;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HOST) <= 0) bad = "no Host";
    else if (list_find(wsi, WSI_TOKEN_CONNECTION, 0, is_upgrade_token) != 1) bad = "no Connection: Upgrade";
    else if (!key_ok(wsi)) bad = "bad Sec-WebSocket-Key";
    if (bad) {
        refuse_upgrade(wsi, ip, HTTP_STATUS_BAD_REQUEST, EMNET_PX_REFUSE_PROTOCOL, bad);
        return 1;
    }
    /* lws keeps the spaces that may end a header value; they do no harm
     * here (lws reads the version with atoi). */
    char version[16];
    int vlen = lws_hdr_copy(wsi, version, sizeof version, WSI_TOKEN_VERSION);
    if (vlen < 0) vlen = snprintf(version, sizeof version, "?");
    while (vlen > 0 && (version[vlen - 1] == ' ' || version[vlen - 1] == '\t')) version[--vlen] = '\0';
    if (strcmp(version, "13") != 0) return refuse_version(wsi, ip, version[0] ? version : "none");

    int offered = lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL);
    if (offered <= 0) return 0;   /* none offered: the first protocol */
    int found = list_find(wsi, WSI_TOKEN_PROTOCOL, UPGRADE_NAME_MAX, subprotocol_kind);
    if (found == 1) return 0;
    char detail[UPGRADE_LIST_MAX + 32];
    if (found < 0) snprintf(detail, sizeof detail, "unreadable list (%d bytes)", offered);
    else lws_hdr_copy(wsi, detail, sizeof detail, WSI_TOKEN_PROTOCOL);
    refuse_upgrade(wsi, ip, HTTP_STATUS_BAD_REQUEST, EMNET_PX_REFUSE_SUBPROTOCOL, detail);
    return 1;
}

int emnet_px_filter(struct lws *wsi, struct emnet_px_pss *pss)
{
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    char ip[64], path[1024], tokbuf[512];
    emnet_px_client_ip(wsi, ip, sizeof ip);
    memset(pss, 0, sizeof *pss);
    if (emnet_px.draining) return refuse_upgrade(wsi, ip, HTTP_STATUS_SERVICE_UNAVAILABLE, EMNET_PX_REFUSE_DRAINING, NULL);
    if (lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) < 0)
        return refuse_upgrade(wsi, ip, HTTP_STATUS_BAD_REQUEST, EMNET_PX_REFUSE_PATH, "no path");

    const char *token = lws_get_urlarg_by_name(wsi, "token=", tokbuf, sizeof tokbuf);
    int have_token = token != NULL;
    if (strcmp(path, "/wisp/") == 0 || strcmp(path, "/wisp") == 0) {
        pss->mode = EMNET_PX_WISP;
    } else if (strncmp(path, "/tcp/", 5) == 0) {
        pss->mode = EMNET_PX_WEBSOCKIFY;
        if (parse_tcp_path(path, pss->host, sizeof pss->host, &pss->port) < 0)
            return refuse_upgrade(wsi, ip, HTTP_STATUS_BAD_REQUEST, EMNET_PX_REFUSE_PATH, path);
    } else if (have_token) {
        pss->mode = EMNET_PX_WEBSOCKIFY;
    } else {
        return refuse_upgrade(wsi, ip, HTTP_STATUS_NOT_FOUND, EMNET_PX_REFUSE_PATH, path);
    }

    if (!emnet_px_origin_ok(wsi)) {
        char origin[256] = "";
        lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
        return refuse_upgrade(wsi, ip, HTTP_STATUS_FORBIDDEN, EMNET_PX_REFUSE_ORIGIN, origin);
    }
    if (!emnet_px_bearer_ok(wsi)) return refuse_upgrade(wsi, ip, HTTP_STATUS_UNAUTHORIZED, EMNET_PX_REFUSE_AUTH, NULL);

    if (pss->mode == EMNET_PX_WEBSOCKIFY && !pss->host[0]) {
        if (!emnet_px.tokens ||
            emnet_tokens_lookup(emnet_px.tokens, token, pss->host, sizeof pss->host, &pss->port) < 0)
            return refuse_upgrade(wsi, ip, HTTP_STATUS_NOT_FOUND, EMNET_PX_REFUSE_TOKEN, token);
    }
    if (emnet_px.nconns >= cfg->max_connections)
        return refuse_upgrade(wsi, ip, HTTP_STATUS_SERVICE_UNAVAILABLE, EMNET_PX_REFUSE_MAX_CONNECTIONS, NULL);
    if (emnet_px_ip_count(ip) >= cfg->max_connections_per_ip)
        return refuse_upgrade(wsi, ip, 429, EMNET_PX_REFUSE_MAX_PER_IP, NULL);
    return 0;
}

