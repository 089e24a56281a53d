/* GET /resolve?name=NAME[&port=PORT]: does NAME exist, and in which
 * families? For emnet's getaddrinfo(), which hands programs placeholder
 * addresses and lets the proxy resolve at connect time, but should still
 * say EAI_NONAME or EAI_AGAIN when Linux would.
 *
 * Answers (JSON, never an address: the client keeps its placeholder, and
 * the name is resolved and judged again at connect time):
 *   200 {"ipv4":true,"ipv6":false}   the families with an allowed address
 *   200 {"error":"noname"}           getaddrinfo said EAI_NONAME or
 *                                    EAI_NODATA, or the name cannot be a
 *                                    DNS name (an empty label, a label over
 *                                    63 bytes, over 253 in all: glibc
 *                                    refuses those without a query); also
 *                                    a name whose every address the
 *                                    allowlist refuses, byte for byte the
 *                                    same answer (see refused_name)
 *   200 {"error":"again"}            EAI_AGAIN, or no answer within
 *                                    resolve_timeout
 *   200 {"error":"fail"}             any other resolver failure
 *   403 {"error":"blocked"}          the allowlist forbids the name before
 *                                    any lookup (with PORT: that port;
 *                                    without: every port); with
 *                                    reveal_blocked_names, also every
 *                                    address it has
 *   400 {"error":"invalid"}          no name, or a bad port
 *   403 {"error":"origin"}, 401 {"error":"auth"}: the same Origin and
 *                                    bearer checks as a WebSocket upgrade
 * A page on an allowed Origin may read the answer (CORS). The lookup runs
 * off the loop (resolver.c); the reply waits for it in the wsi's user
 * data (struct emnet_px_pss) and is written from HTTP_WRITEABLE. */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct emnet_px_dns_query {
    struct lws *wsi;
    struct emnet_px_resolve *resolve;   /* while the lookup runs */
    lws_sorted_usec_list_t timeout;
    char name[256];
    uint16_t port;
    unsigned status;                    /* 0 until the answer is known */
    const char *body;
};

int emnet_px_json_reply(struct lws *wsi, unsigned status, const char *body)
{
    unsigned char buf[LWS_PRE + 2048];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    size_t len = strlen(body);
    if (lws_add_http_common_headers(wsi, status, "application/json", (lws_filepos_t)len, &p, end)) return -1;
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:", (const unsigned char *)"no-store",
                                    8, &p, end))
        return -1;
    /* A page on an allowed Origin may read the answer. */
    char origin[512];
    int olen = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
    if (olen > 0 && emnet_px_origin_ok(wsi) &&
        (lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-origin:",
                                     (const unsigned char *)origin, olen, &p, end) ||
         lws_add_http_header_by_name(wsi, (const unsigned char *)"vary:", (const unsigned char *)"Origin", 6, &p,
                                     end)))
        return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
    unsigned char out[LWS_PRE + 1024];
    if (len > sizeof out - LWS_PRE) return -1;
    memcpy(out + LWS_PRE, body, len);
    if (lws_write(wsi, out + LWS_PRE, len, LWS_WRITE_HTTP_FINAL) < (int)len) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* glibc builds no query for these and answers EAI_NONAME at once. */
static int dns_encodable(const char *name)
{
    size_t len = strlen(name);
    if (len && name[len - 1] == '.') len--;
    if (!len || len > 253) return 0;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] != '.') {
            if (++label > 63) return 0;
        } else if (!label) {
            return 0;
        } else {
            label = 0;
        }
    }
    return label > 0;
}

static void answer(struct emnet_px_dns_query *q, unsigned status, const char *body)
{
    lws_sul_cancel(&q->timeout);
    q->resolve = NULL;
    q->status = status;
    q->body = body;
    emnet_px_log(EMNET_PX_DEBUG, "resolve_query", "name", q->name, "answer", body, NULL);
    lws_callback_on_writable(q->wsi);
}

/* 1 if a name rule may reach sa: ordinary public unicast. Asked of a
 * one-rule allowlist ("*", any name on any port), which answers that alone. */
static int name_may_reach(const char *name, const struct sockaddr *sa)
{
    struct emnet_allowlist *any = emnet_allowlist_new();
    char err[64];
    int ok = any && emnet_allowlist_add(any, "*", err, sizeof err) == 0 &&
             emnet_allowlist_check_addr(any, name, sa, 1) == EMNET_ALLOW;
    emnet_allowlist_free(any);
    return ok;
}

/* The allowlist's verdict on an address: EMNET_ALLOW when it may be reached
 * on PORT, or without one on some port. Port 0 is in no rule, so
 * check_addr then says DENY_PORT for a CIDR rule that covers the address
 * (reachable on its ports), but also for a name rule that matches the name
 * whatever the address: that one reaches only addresses a name may. */
enum emnet_verdict emnet_px_name_verdict(const char *name, uint16_t port, const struct sockaddr *sa)
{
    const struct emnet_allowlist *al = emnet_px.allow;
    if (port) return emnet_allowlist_check_addr(al, name, sa, port);
    if (emnet_allowlist_check_addr(al, NULL, sa, 0) == EMNET_DENY_PORT) return EMNET_ALLOW;
    if (emnet_allowlist_check_addr(al, name, sa, 0) == EMNET_DENY_PORT && name_may_reach(name, sa))
        return EMNET_ALLOW;
    return EMNET_DENY_ADDRESS;
}

static enum emnet_verdict verdict(const struct emnet_px_dns_query *q, const struct sockaddr *sa)
{
    return emnet_px_name_verdict(q->name, q->port, sa);
}

static enum emnet_px_refusal refusal_of(enum emnet_verdict v)
{
    switch (v) {
    case EMNET_DENY_PORT: return EMNET_PX_REFUSE_BLOCKED_PORT;
    case EMNET_DENY_HOST: return EMNET_PX_REFUSE_BLOCKED_HOST;
    default: return EMNET_PX_REFUSE_BLOCKED_ADDRESS;
    }
}

/* The name exists, but the allowlist refuses every address it has. Unless
 * reveal_blocked_names, the client gets the very answer of a name that
 * does not exist (status, body, headers), so that it cannot map which
 * internal names exist; the log and the metrics keep the true reason.
 * (An IP literal never gets here: check_host judged it as the address it
 * is, and refuses it as "blocked" before any lookup.) */
static void refused_name(struct emnet_px_dns_query *q, enum emnet_verdict v)
{
    int reveal = emnet_px.cfg->reveal_blocked_names;
    unsigned status = reveal ? HTTP_STATUS_FORBIDDEN : HTTP_STATUS_OK;
    char ip[64], code[8];
    emnet_px_client_ip(q->wsi, ip, sizeof ip);
    snprintf(code, sizeof code, "%u", status);
    emnet_px_refuse(refusal_of(v));
    emnet_px_log(EMNET_PX_INFO, "refused", "client", ip, "path", "/resolve", "host", q->name, "reason",
                 emnet_px_refusal_name(refusal_of(v)), "status", code, NULL);
    answer(q, status, reveal ? "{\"error\":\"blocked\"}" : "{\"error\":\"noname\"}");
}

static void on_resolved(void *arg, int err, struct addrinfo *res)
{
    struct emnet_px_dns_query *q = arg;
    if (err == EAI_NONAME || err == EAI_NODATA) {
        answer(q, HTTP_STATUS_OK, "{\"error\":\"noname\"}");
    } else if (err == EAI_AGAIN) {
        answer(q, HTTP_STATUS_OK, "{\"error\":\"again\"}");
    } else if (err) {
        answer(q, HTTP_STATUS_OK, "{\"error\":\"fail\"}");
    } else {
        int v4 = 0, v6 = 0;
        enum emnet_verdict refused = EMNET_DENY_ADDRESS;
        for (struct addrinfo *a = res; a; a = a->ai_next) {
            if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
            enum emnet_verdict v = verdict(q, a->ai_addr);
            if (v != EMNET_ALLOW) {
                refused = v;
                continue;
            }
            if (a->ai_family == AF_INET) v4 = 1;
            else v6 = 1;
        }
        static const char *const families[2][2] = {
            { NULL, "{\"ipv4\":false,\"ipv6\":true}" },
            { "{\"ipv4\":true,\"ipv6\":false}", "{\"ipv4\":true,\"ipv6\":true}" },
        };
        if (v4 || v6) answer(q, HTTP_STATUS_OK, families[v4][v6]);
        else refused_name(q, refused);
    }
    if (res) freeaddrinfo(res);
}

static void on_timeout(lws_sorted_usec_list_t *sul)
{
    struct emnet_px_dns_query *q = lws_container_of(sul, struct emnet_px_dns_query, timeout);
    emnet_px_log(EMNET_PX_INFO, "resolve_timeout", "host", q->name, NULL);
    if (q->resolve) emnet_px_resolve_abandon(q->resolve);
    answer(q, HTTP_STATUS_OK, "{\"error\":\"again\"}");
}

static int refuse(struct lws *wsi, const char *ip, unsigned status, enum emnet_px_refusal why, const char *body)
{
    char code[8];
    snprintf(code, sizeof code, "%u", status);
    emnet_px_refuse(why);
    emnet_px_log(EMNET_PX_INFO, "refused", "client", ip, "path", "/resolve", "reason", emnet_px_refusal_name(why),
                 "status", code, NULL);
    return emnet_px_json_reply(wsi, status, body);
}

int emnet_px_resolve_http(struct lws *wsi, struct emnet_px_pss *pss)
{
    char ip[64], namebuf[300], portbuf[32];
    emnet_px_client_ip(wsi, ip, sizeof ip);
    if (!emnet_px_origin_ok(wsi)) return refuse(wsi, ip, HTTP_STATUS_FORBIDDEN, EMNET_PX_REFUSE_ORIGIN, "{\"error\":\"origin\"}");
    if (!emnet_px_bearer_ok(wsi)) return refuse(wsi, ip, HTTP_STATUS_UNAUTHORIZED, EMNET_PX_REFUSE_AUTH, "{\"error\":\"auth\"}");

    const char *name = lws_get_urlarg_by_name(wsi, "name=", namebuf, sizeof namebuf);
    const char *port = lws_get_urlarg_by_name(wsi, "port=", portbuf, sizeof portbuf);
    unsigned long p = 0;
    char *end = NULL;
    if (port) p = strtoul(port, &end, 10);
    if (!name || !*name || (port && (!*port || *end || p > 65535)) || pss->dns)
        return emnet_px_json_reply(wsi, HTTP_STATUS_BAD_REQUEST, "{\"error\":\"invalid\"}");
    if (!dns_encodable(name)) return emnet_px_json_reply(wsi, HTTP_STATUS_OK, "{\"error\":\"noname\"}");

    enum emnet_verdict v = emnet_allowlist_check_host(emnet_px.allow, name, (uint16_t)p);
    if (p ? v != EMNET_ALLOW : v == EMNET_DENY_HOST)
        return refuse(wsi, ip, HTTP_STATUS_FORBIDDEN,
                      v == EMNET_DENY_PORT ? EMNET_PX_REFUSE_BLOCKED_PORT : EMNET_PX_REFUSE_BLOCKED_HOST,
                      "{\"error\":\"blocked\"}");

    struct emnet_px_dns_query *q = calloc(1, sizeof *q);
    if (!q) return -1;
    q->wsi = wsi;
    snprintf(q->name, sizeof q->name, "%s", name);
    q->port = (uint16_t)p;
    pss->dns = q;
    q->resolve = emnet_px_resolve_start(q->name, q->port, 0, on_resolved, q);
    if (!q->resolve) {
        answer(q, HTTP_STATUS_OK, "{\"error\":\"again\"}");
        return 0;
    }
    lws_sul_schedule(emnet_px.ctx, 0, &q->timeout, on_timeout,
                     (lws_usec_t)emnet_px.cfg->resolve_timeout * LWS_US_PER_SEC);
    /* lws's own wait for a reply must not end it first. */
    lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, (int)emnet_px.cfg->resolve_timeout + 5);
    return 0;
}

int emnet_px_resolve_http_writeable(struct lws *wsi, struct emnet_px_pss *pss)
{
    struct emnet_px_dns_query *q = pss ? pss->dns : NULL;
    if (!q || !q->status) return 0;
    pss->dns = NULL;
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    unsigned status = q->status;
    const char *body = q->body;
    free(q);
    return emnet_px_json_reply(wsi, status, body);
}

void emnet_px_resolve_http_closed(struct emnet_px_pss *pss)
{
    struct emnet_px_dns_query *q = pss->dns;
    if (!q) return;
    pss->dns = NULL;
    lws_sul_cancel(&q->timeout);
    if (q->resolve) emnet_px_resolve_abandon(q->resolve);
    free(q);
}

/* OPTIONS /resolve: the CORS preflight a browser sends before a GET that
 * carries Authorization. Browsers send it without credentials, so it is
 * answered before (and without) the bearer check; it tells nothing the
 * GET's own answer does not (which Origins may read). An Origin that may
 * not is refused as the GET would be. */
int emnet_px_resolve_preflight(struct lws *wsi)
{
    char ip[64], origin[512];
    emnet_px_client_ip(wsi, ip, sizeof ip);
    if (!emnet_px_origin_ok(wsi))
        return refuse(wsi, ip, HTTP_STATUS_FORBIDDEN, EMNET_PX_REFUSE_ORIGIN, "{\"error\":\"origin\"}");
    int olen = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
    emnet_px_log(EMNET_PX_DEBUG, "resolve_preflight", "client", ip, "origin", olen > 0 ? origin : NULL, NULL);

    unsigned char buf[LWS_PRE + 1024];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    static const struct { const char *name, *value; } always[] = {
        { "allow:", "GET, OPTIONS" }, { "vary:", "Origin" },
    }, cors[] = {
        { "access-control-allow-methods:", "GET" },
        { "access-control-allow-headers:", "Authorization" },
        { "access-control-max-age:", "600" },
    };
    /* 204 carries no Content-Length (RFC 9110 8.6). */
    if (lws_add_http_header_status(wsi, HTTP_STATUS_NO_CONTENT, &p, end)) return -1;
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)always[i].name,
                                        (const unsigned char *)always[i].value, (int)strlen(always[i].value), &p, end))
            return -1;
    if (olen > 0) {
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)"access-control-allow-origin:",
                                        (const unsigned char *)origin, olen, &p, end))
            return -1;
        for (size_t i = 0; i < sizeof cors / sizeof cors[0]; i++)
            if (lws_add_http_header_by_name(wsi, (const unsigned char *)cors[i].name,
                                            (const unsigned char *)cors[i].value, (int)strlen(cors[i].value), &p, end))
                return -1;
    }
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}
