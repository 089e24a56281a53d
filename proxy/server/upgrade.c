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
 * and a counter: draining 503, path 404/400, Origin 403, bearer token 401,
 * unknown token 404, max_connections 503, max_connections_per_ip 429.
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

void emnet_px_client_ip(struct lws *wsi, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    buf[0] = '\0';
    if (emnet_px_peer_addr(wsi, &ss) < 0) {
        snprintf(buf, len, "?");
        return;
    }
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, (socklen_t)len);
        else inet_ntop(AF_INET6, &a->sin6_addr, buf, (socklen_t)len);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&ss)->sin_addr, buf, (socklen_t)len);
    }
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
static int secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < lb; i++) diff |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
    return diff == 0 && la == lb;
}

int emnet_px_bearer_ok(struct lws *wsi)
{
    const char *want = emnet_px.bearer;
    if (!want) return 1;
    char buf[1024];
    int n = lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (n > 7 && strncasecmp(buf, "Bearer ", 7) == 0) {
        const char *t = buf + 7;
        while (*t == ' ') t++;
        if (secret_equal(t, want)) return 1;
    }
    /* lws copies "name=value" into buf and returns where the value starts. */
    const char *q = lws_get_urlarg_by_name(wsi, "access_token=", buf, sizeof buf);
    if (q && secret_equal(q, want)) return 1;
    return 0;
}

int emnet_px_origin_ok(struct lws *wsi)
{
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    int len = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
    if (len <= 0) return 1;   /* not a browser: Origin is a browser's statement */
    char origin[512];
    if (len >= (int)sizeof origin || lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0) return 0;
    for (size_t i = 0; i < cfg->n_allow_origin; i++)
        if (strcmp(cfg->allow_origin[i], "*") == 0 || strcmp(cfg->allow_origin[i], origin) == 0) return 1;
    return 0;
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

/* Is name (len bytes) one of the client subprotocols? */
static int known_subprotocol(const char *name, size_t len)
{
    for (int i = 0; i < EMNET_PX_CLIENT_PROTOCOLS; i++) {
        const char *p = emnet_px_client_protocols[i].name;
        if (strlen(p) == len && strncmp(p, name, len) == 0) return 1;
    }
    return 0;
}

int emnet_px_confirm_upgrade(struct lws *wsi)
{
    char offered[256] = "";
    if (lws_hdr_copy(wsi, offered, sizeof offered, WSI_TOKEN_PROTOCOL) <= 0) return 0;   /* none offered */
    for (const char *p = offered; *p; ) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,");
        if (n && known_subprotocol(p, n)) return 0;
        p += n;
    }
    char ip[64];
    emnet_px_client_ip(wsi, ip, sizeof ip);
    refuse_upgrade(wsi, ip, HTTP_STATUS_BAD_REQUEST, EMNET_PX_REFUSE_SUBPROTOCOL, offered);
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

