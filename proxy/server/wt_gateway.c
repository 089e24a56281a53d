/* emnet's protocol on a WebTransport session (docs/webtransport-protocol.md):
 * each bidirectional stream the page opens starts with a header (net/
 * wt_codec.h) naming what it is for. A TCP stream becomes an upstream.c
 * target, with the same policy, resolver, timeouts and budgets as Wisp's;
 * its status goes back when the proxy's own connect completes or fails.
 * Then bytes flow both ways with TCP's ends carried by QUIC's: FIN is
 * half-close, RESET_STREAM a reset.
 *
 * Back-pressure, both ways, without a buffer of the gateway's own:
 *   - page to target: QUIC credit for the stream's bytes is given back
 *     only while the target's queue is under `buffer`; past it, once
 *     the target drained it;
 *   - target to page: the target is read while fewer than `buffer` of
 *     its bytes are unacknowledged on the stream (to_client), so a page
 *     that does not read holds the target through QUIC flow control.
 *
 * The session is an emnet_px_conn of mode EMNET_PX_WEBTRANSPORT (for the
 * sweep, the budget, limits and metrics); its streams are linked to it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "h3_codec.h"
#include "wt.h"
#include "wt_codec.h"

enum { G_HEADER, G_CONNECTING, G_OPEN, G_DONE };

struct emnet_px_wtg_stream {
    struct emnet_px_wtg_stream *hnext;   /* in the session's table, by id */
    uint32_t id;                     /* the upstream stream's id (0: none yet) */
    struct emnet_px_wt_stream *st;
    struct emnet_px_stream *up;      /* the target, while linked */
    int state;
    int kind;                        /* EMNET_WT_KIND_* of its header (UDP for both flow kinds) */
    int on_stream;                   /* a UDP flow whose datagrams to the page go as records */
    int client_fin;
    size_t held;                     /* client bytes whose credit waits for the target to drain */
    /* UDP flows: the page's records (datagrams too large for a QUIC
     * datagram) being put together, and when the last "blocked" went. */
    uint8_t *rec;
    size_t rec_len;
    int64_t blocked_said_ms;
    /* Lookups: the name asked for, and the lookup while it runs. */
    struct emnet_px_resolve *resolve;
    uint8_t family;
    char name[EMNET_WT_NAME_MAX + 1];
};

/* Upstream streams find their gateway stream by id: an upstream may
 * report (fail) before emnet_px_stream_open has returned. */
#define ID_BUCKETS 256
/* The most a UDP flow's stream holds for a page that reads it slowly:
 * beyond it, datagrams to the page are dropped, as a full receive buffer
 * drops them (Linux's default is 212992 bytes). */
#define FLOW_QUEUE_MAX (1024 * 1024)
struct emnet_px_wtg_session {
    struct emnet_px_wt_h3 *h3;        /* NULL once the proxy has closed the session */
    struct emnet_px_conn *conn;
    lws_sorted_usec_list_t later;     /* the conn goes on the next turn of the loop */
    uint32_t next_id;
    struct emnet_px_wtg_stream *by_id[ID_BUCKETS];
};

static struct emnet_px_wtg_stream *find_id(struct emnet_px_wtg_session *ws, uint32_t id)
{
    for (struct emnet_px_wtg_stream *g = ws->by_id[id % ID_BUCKETS]; g; g = g->hnext)
        if (g->id == id) return g;
    return NULL;
}

static void unhash(struct emnet_px_wtg_session *ws, struct emnet_px_wtg_stream *g)
{
    if (!g->id) return;
    for (struct emnet_px_wtg_stream **p = &ws->by_id[g->id % ID_BUCKETS]; *p; p = &(*p)->hnext) {
        if (*p == g) {
            *p = g->hnext;
            break;
        }
    }
    g->id = 0;
}

static uint64_t wt_code(uint32_t app) { return emnet_h3_wt_app_error_to_code(app); }

struct emnet_px_conn *emnet_px_wtg_session_open(struct emnet_px_wt_h3 *h, const char *client)
{
    struct emnet_px_conn *c = calloc(1, sizeof *c);
    struct emnet_px_wtg_session *ws = calloc(1, sizeof *ws);
    if (!c || !ws) {
        free(c);
        free(ws);
        return NULL;
    }
    ws->h3 = h;
    ws->conn = c;
    c->mode = EMNET_PX_WEBTRANSPORT;
    c->wt = ws;
    snprintf(c->client, sizeof c->client, "%s", client);
    emnet_px_conn_touch(c);
    emnet_px_queue_set_account(&c->out, &c->queued);
    c->next = emnet_px.conns;
    if (c->next) c->next->prev = c;
    emnet_px.conns = c;
    emnet_px.nconns++;
    emnet_px_ip_add(c->client, 1);
    emnet_px_metrics.conns_current++;
    emnet_px_metrics.conns_total[2]++;
    emnet_px_log(EMNET_PX_INFO, "open", "client", c->client, "mode", "webtransport", NULL);
    return c;
}

static struct emnet_px_wtg_stream *gw_of(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    struct emnet_px_wtg_stream *g = c && c->mode == EMNET_PX_WEBTRANSPORT ? find_id(c->wt, s->id) : NULL;
    if (g) g->up = s;
    return g;
}

/* The stream and its target part: the target goes on writing what the
 * page sent (flush) or is cut. */
static void detach(struct emnet_px_wtg_session *ws, struct emnet_px_wtg_stream *g, int flush)
{
    struct emnet_px_stream *up = g->up;
    g->up = NULL;
    unhash(ws, g);
    if (up) emnet_px_stream_release(up, flush);
}

void emnet_px_wtg_session_closed(struct emnet_px_conn *c)
{
    /* Every stream's target is cut: the session's end resets them all. */
    struct emnet_px_wtg_session *ws = c->wt;
    lws_sul_cancel(&ws->later);
    c->dying = 1;
    while (c->streams) {
        struct emnet_px_stream *s = c->streams;
        struct emnet_px_wtg_stream *g = gw_of(c, s);
        if (g) {
            g->up = NULL;
            unhash(ws, g);
            g->state = G_DONE;
        }
        emnet_px_stream_reset(s);
    }
    /* The QUIC streams go with the connection or are reset by the page;
     * their gateway halves are freed as wt_quic.c lets go of them. */
    for (unsigned i = 0; i < ID_BUCKETS; i++) ws->by_id[i] = NULL;
    if (c->log_limit.suppressed) {
        char n[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)c->log_limit.suppressed);
        emnet_px_log(EMNET_PX_INFO, "log_suppressed", "client", c->client, "lines", n, NULL);
    }
    if (c->prev) c->prev->next = c->next;
    else emnet_px.conns = c->next;
    if (c->next) c->next->prev = c->prev;
    emnet_px.nconns--;
    emnet_px_ip_add(c->client, -1);
    emnet_px_metrics.conns_current--;
    emnet_px_log(EMNET_PX_INFO, "close", "client", c->client, "mode", "webtransport", NULL);
    free(c->wt);
    free(c);
}

/* The session's end from this side (draining, idle, budget). */
static void closed_later(lws_sorted_usec_list_t *sul)
{
    struct emnet_px_wtg_session *ws = lws_container_of(sul, struct emnet_px_wtg_session, later);
    emnet_px_wtg_session_closed(ws->conn);
}

/* The conn is let go of on the next turn of the loop, not here: callers
 * (the sweep, the budget) still hold it when they ask for the close. */
void emnet_px_wtg_close(struct emnet_px_conn *c, int code, const char *reason)
{
    struct emnet_px_wtg_session *ws = c->wt;
    (void)code;
    if (c->closing) return;
    c->closing = 1;
    if (ws->h3)
        emnet_px_h3_close_session(ws->h3, emnet_px.draining ? EMNET_WT_CLOSE_DRAINING : EMNET_WT_CLOSE_NORMAL,
                                  reason);
    ws->h3 = NULL;
    lws_sul_schedule(emnet_px.ctx, 0, &ws->later, closed_later, 1);
}

void emnet_px_wtg_stop(void)
{
    /* At exit: sessions the proxy closed and has not let go of yet. */
    for (struct emnet_px_conn *c = emnet_px.conns, *next; c; c = next) {
        next = c->next;
        if (c->mode == EMNET_PX_WEBTRANSPORT && c->closing) emnet_px_wtg_session_closed(c);
    }
}

/* ---- replies ---- */
static uint8_t status_of(const struct emnet_px_stream *s, enum emnet_px_fail f)
{
    switch (f) {
    case EMNET_PX_FAIL_INVALID: return EMNET_WT_STATUS_INVALID;
    case EMNET_PX_FAIL_BLOCKED_HOST:
    case EMNET_PX_FAIL_BLOCKED_PORT:
    case EMNET_PX_FAIL_BLOCKED_ADDRESS: return EMNET_WT_STATUS_BLOCKED;
    case EMNET_PX_FAIL_UNRESOLVED: return EMNET_WT_STATUS_NO_NAME;
    case EMNET_PX_FAIL_UNREACHABLE:
        return s->last_err == ENETUNREACH ? EMNET_WT_STATUS_NET_UNREACHABLE : EMNET_WT_STATUS_HOST_UNREACHABLE;
    case EMNET_PX_FAIL_REFUSED: return EMNET_WT_STATUS_REFUSED;
    case EMNET_PX_FAIL_TIMEOUT: return EMNET_WT_STATUS_TIMED_OUT;
    default: return EMNET_WT_STATUS_NO_RESOURCES;
    }
}

static void reply_status(struct emnet_px_wtg_stream *g, uint8_t status)
{
    uint8_t b = status;
    g->state = G_DONE;
    emnet_px_wt_send_bytes(g->st, &b, 1);
    emnet_px_wt_send_fin(g->st);
    /* What the page still sends on it is taken and dropped (not a
     * STOP_SENDING, which browsers answer with a reset of the stream). */
}

static int sockaddr_to_wt(const struct sockaddr_storage *ss, struct emnet_wt_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        out->ip.type = EMNET_WT_ADDR_IPV4;
        memcpy(out->ip.bytes, &a->sin_addr, 4);
        out->port = ntohs(a->sin_port);
        return 0;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        out->ip.type = EMNET_WT_ADDR_IPV6;
        memcpy(out->ip.bytes, &a->sin6_addr, 16);
        out->port = ntohs(a->sin6_port);
        return 0;
    }
    return -1;
}

/* ---- upstream events (conn.c dispatches them here) ---- */
void emnet_px_wtg_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    if (!g) return;
    if (s->udp_socket) {
        /* A UDP flow: its id is the stream's, unique in the session. */
        struct sockaddr_storage local;
        socklen_t llen = sizeof local;
        uint16_t lport = 0;
        if (getsockname(s->fd, (struct sockaddr *)&local, &llen) == 0)
            lport = ntohs(local.ss_family == AF_INET ? ((struct sockaddr_in *)&local)->sin_port
                                                     : ((struct sockaddr_in6 *)&local)->sin6_port);
        uint8_t buf[EMNET_WT_UDP_REPLY_MAX];
        size_t n = emnet_wt_encode_udp_reply(buf, sizeof buf, EMNET_WT_STATUS_OK, g->id, lport);
        emnet_px_wt_send_bytes(g->st, buf, n);
        g->state = G_OPEN;
        return;
    }
    char port[8];
    snprintf(port, sizeof port, "%u", s->port);
    emnet_px_log(EMNET_PX_INFO, "connect", "client", c->client, "mode", "webtransport", "type", "tcp", "host",
                 s->host, "port", port, "addr", s->peer, NULL);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    struct emnet_wt_sockaddr wp;
    uint8_t buf[EMNET_WT_TCP_REPLY_MAX];
    if (getpeername(s->fd, (struct sockaddr *)&peer, &plen) != 0 || sockaddr_to_wt(&peer, &wp) != 0) {
        detach(c->wt, g, 0);
        reply_status(g, EMNET_WT_STATUS_REFUSED);   /* reset between the connect and now */
        return;
    }
    size_t n = emnet_wt_encode_tcp_reply(buf, sizeof buf, EMNET_WT_STATUS_OK, &wp);
    emnet_px_wt_send_bytes(g->st, buf, n);
    g->state = G_OPEN;
}

void emnet_px_wtg_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    if (!g) return;
    uint8_t status = status_of(s, f);
    detach(c->wt, g, 0);
    reply_status(g, status);
}

void emnet_px_wtg_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    if (!g || !g->st) {
        free(chunk);
        return;
    }
    emnet_px_wt_send(g->st, chunk);
    s->to_client = emnet_px_wt_queued(g->st);
    emnet_px_stream_update_reading(s);
}

int emnet_px_wtg_stream_peer_fin(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    if (g && g->st) emnet_px_wt_send_fin(g->st);
    return 1;   /* the page may go on sending: half-close */
}

void emnet_px_wtg_stream_closed_upstream(struct emnet_px_conn *c, struct emnet_px_stream *s, int err)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    if (!g) return;
    detach(c->wt, g, 0);
    if (!g->st) return;
    if (err) emnet_px_wt_reset(g->st, wt_code(EMNET_WT_CODE_RESET));   /* the target reset: so does the stream */
    else emnet_px_wt_send_fin(g->st);
    g->state = G_DONE;
}

/* The target took some of the page's bytes: credit held back goes now. */
void emnet_px_wtg_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    if (!g || !g->st || !g->held || s->to_target.bytes > emnet_px.cfg->buffer / 2) return;
    emnet_px_wt_consumed(g->st, g->held);
    g->held = 0;
}

/* ---- page events (wt_h3.c) ---- */
static void start_tcp(struct emnet_px_conn *c, struct emnet_px_wtg_stream *g, const struct emnet_wt_request *req)
{
    struct emnet_px_wtg_session *ws = c->wt;
    char host[256];
    if (req->addr.type == EMNET_WT_ADDR_IPV4) {
        inet_ntop(AF_INET, req->addr.bytes, host, sizeof host);
    } else if (req->addr.type == EMNET_WT_ADDR_IPV6) {
        inet_ntop(AF_INET6, req->addr.bytes, host, sizeof host);
    } else {
        memcpy(host, req->addr.bytes, req->addr.len);
        host[req->addr.len] = '\0';
    }
    if (c->nstreams >= emnet_px.cfg->max_streams) {
        emnet_px_refuse(EMNET_PX_REFUSE_MAX_STREAMS);
        reply_status(g, EMNET_WT_STATUS_NO_RESOURCES);
        return;
    }
    g->state = G_CONNECTING;
    do g->id = ++ws->next_id; while (!g->id || find_id(ws, g->id));
    g->hnext = ws->by_id[g->id % ID_BUCKETS];
    ws->by_id[g->id % ID_BUCKETS] = g;
    if (emnet_px_stream_open(c, g->id, 0, host, req->port) < 0) {
        unhash(ws, g);
        reply_status(g, EMNET_WT_STATUS_NO_RESOURCES);
    }
}

/* ---- UDP flows ---- */
static void start_udp(struct emnet_px_conn *c, struct emnet_px_wtg_stream *g, const struct emnet_wt_request *req)
{
    struct emnet_px_wtg_session *ws = c->wt;
    if (c->nstreams >= emnet_px.cfg->max_streams) {
        emnet_px_refuse(EMNET_PX_REFUSE_MAX_STREAMS);
        reply_status(g, EMNET_WT_STATUS_NO_RESOURCES);
        return;
    }
    g->state = G_CONNECTING;
    do g->id = ++ws->next_id; while (!g->id || find_id(ws, g->id));
    g->hnext = ws->by_id[g->id % ID_BUCKETS];
    ws->by_id[g->id % ID_BUCKETS] = g;
    if (emnet_px_stream_open_udp_socket(c, g->id, req->family) < 0) {
        unhash(ws, g);
        reply_status(g, EMNET_WT_STATUS_NO_RESOURCES);
    }
}

/* The flow's socket closes; its stream ends in order. */
static void end_flow(struct emnet_px_conn *c, struct emnet_px_wtg_stream *g)
{
    detach(c->wt, g, 0);
    g->state = G_DONE;
    if (g->st) emnet_px_wt_send_fin(g->st);
}

/* An ICMP-like word for the page about datagrams to addr: "blocked" at
 * most once a second per flow, so that a flood of refused datagrams does
 * not become a flood of records. */
static void flow_error(struct emnet_px_wtg_stream *g, uint8_t status, const struct emnet_wt_sockaddr *addr)
{
    int64_t now = emnet_px_now_ms();
    if (!g->st || now - g->blocked_said_ms < 1000) return;
    g->blocked_said_ms = now;
    uint8_t buf[EMNET_WT_ERROR_RECORD_MAX];
    size_t n = emnet_wt_encode_error_record(buf, sizeof buf, status, addr);
    if (n) emnet_px_wt_send_bytes(g->st, buf, n);
}

static void flow_send(struct emnet_px_wtg_stream *g, const struct emnet_wt_sockaddr *to, const uint8_t *data,
                      size_t len)
{
    if (!g->up) return;
    switch (emnet_px_udp_socket_sendto(g->up, to->ip.type, to->ip.bytes, to->port, data, len)) {
    case EMNET_PX_UDP_BLOCKED: flow_error(g, EMNET_WT_STATUS_BLOCKED, to); break;
    case EMNET_PX_UDP_UNREACHABLE: flow_error(g, EMNET_WT_STATUS_NET_UNREACHABLE, to); break;
    default: break;
    }
}

/* Records on the flow's stream: datagrams too large for QUIC's. A record
 * is at most EMNET_WT_RECORD_HEADER_MAX + 65527 bytes: that much is held
 * at most, per flow, while one arrives. */
static void flow_records(struct emnet_px_conn *c, struct emnet_px_wtg_stream *g, const uint8_t *data, size_t len)
{
    const size_t cap = EMNET_WT_RECORD_HEADER_MAX + EMNET_WT_UDP_PAYLOAD_MAX;
    while (len && g->state != G_DONE) {
        if (!g->rec && !(g->rec = malloc(cap))) {
            end_flow(c, g);
            return;
        }
        size_t take = cap - g->rec_len < len ? cap - g->rec_len : len;
        memcpy(g->rec + g->rec_len, data, take);
        g->rec_len += take;
        data += take;
        len -= take;
        emnet_px_wt_consumed(g->st, take);
        size_t at = 0;
        for (;;) {
            struct emnet_wt_record r;
            int rc = emnet_wt_decode_record(g->rec + at, g->rec_len - at, &r);
            if (rc == 0) break;
            if (rc < 0 || r.type != EMNET_WT_RECORD_DATAGRAM) {   /* a page sends datagrams only */
                detach(c->wt, g, 0);
                g->state = G_DONE;
                emnet_px_wt_reset(g->st, wt_code(EMNET_WT_CODE_PROTOCOL));
                return;
            }
            flow_send(g, &r.addr, r.payload, r.len);
            at += (size_t)rc;
        }
        memmove(g->rec, g->rec + at, g->rec_len - at);
        g->rec_len -= at;
    }
}

void emnet_px_wtg_udp_received(struct emnet_px_conn *c, struct emnet_px_stream *s, const struct sockaddr_storage *from,
                               const uint8_t *data, size_t len)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    struct emnet_px_wtg_session *ws = c->wt;
    struct emnet_wt_sockaddr src;
    if (!g || !g->st || !ws->h3 || sockaddr_to_wt(from, &src) != 0) return;
    emnet_px_conn_touch(c);
    /* A QUIC datagram when it fits (unreliable, as UDP is); else, or on a
     * flow that asked for it, a record on the flow's stream, where QUIC's
     * flow control holds it. */
    uint8_t dgram[1500];
    size_t hl = emnet_wt_datagram_header_len(g->id, &src);
    if (!g->on_stream && hl && hl + len <= emnet_px_h3_datagram_max(ws->h3) && hl + len <= sizeof dgram) {
        emnet_wt_encode_datagram(dgram, sizeof dgram, g->id, &src, data, len);
        emnet_px_h3_send_datagram(ws->h3, dgram, hl + len);   /* dropped when too many wait, as UDP may */
        return;
    }
    size_t rh = emnet_wt_record_header_len(&src, len);
    if (emnet_px_wt_queued(g->st) + rh + len > FLOW_QUEUE_MAX) return;
    struct emnet_px_chunk *chunk = rh ? emnet_px_chunk_new(rh + len) : NULL;
    if (!chunk) return;
    emnet_wt_encode_datagram_record_header(emnet_px_chunk_payload(chunk), rh, &src, len);
    memcpy(emnet_px_chunk_payload(chunk) + rh, data, len);
    emnet_px_wt_send(g->st, chunk);
}

/* An ICMP error for the flow's datagrams to an address: one record each,
 * as the kernel reports each (it limits their rate itself). */
void emnet_px_wtg_udp_error(struct emnet_px_conn *c, struct emnet_px_stream *s, const struct sockaddr_storage *to,
                            int err)
{
    struct emnet_px_wtg_stream *g = gw_of(c, s);
    struct emnet_px_wtg_session *ws = c->wt;
    struct emnet_wt_sockaddr addr;
    uint8_t status;
    switch (err) {
    case ECONNREFUSED: status = EMNET_WT_STATUS_REFUSED; break;
    case ENETUNREACH: status = EMNET_WT_STATUS_NET_UNREACHABLE; break;
    case EHOSTUNREACH: status = EMNET_WT_STATUS_HOST_UNREACHABLE; break;
    default: return;   /* nothing Linux would report to a UDP socket as an error of its peer */
    }
    if (!g || !g->st || !ws->h3 || g->state != G_OPEN || sockaddr_to_wt(to, &addr) != 0) return;
    uint8_t buf[EMNET_WT_ERROR_RECORD_MAX];
    size_t n = emnet_wt_encode_error_record(buf, sizeof buf, status, &addr);
    if (n) emnet_px_wt_send_bytes(g->st, buf, n);
}

/* ---- name lookups ---- */
static void on_lookup(void *arg, int err, struct addrinfo *res)
{
    struct emnet_px_wtg_stream *g = arg;
    g->resolve = NULL;
    struct emnet_wt_ip ips[EMNET_WT_LOOKUP_MAX];
    size_t n = 0;
    int refused = 0;
    for (struct addrinfo *a = err ? NULL : res; a && n < EMNET_WT_LOOKUP_MAX; a = a->ai_next) {
        if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
            (g->family == 4 && a->ai_family != AF_INET) || (g->family == 6 && a->ai_family != AF_INET6))
            continue;
        if (emnet_px_name_verdict(g->name, 0, a->ai_addr) != EMNET_ALLOW) {
            refused = 1;
            continue;
        }
        struct emnet_wt_sockaddr sa;
        if (sockaddr_to_wt((const struct sockaddr_storage *)(const void *)a->ai_addr, &sa) != 0) continue;
        int dup = 0;
        for (size_t i = 0; i < n; i++) dup |= memcmp(&ips[i], &sa.ip, sizeof sa.ip) == 0;
        if (!dup) ips[n++] = sa.ip;
    }
    if (res) freeaddrinfo(res);
    uint8_t status = EMNET_WT_STATUS_OK;
    if (err == EAI_AGAIN) status = EMNET_WT_STATUS_TRY_AGAIN;
    else if (!n && refused && emnet_px.cfg->reveal_blocked_names) status = EMNET_WT_STATUS_BLOCKED;
    else if (!n) status = EMNET_WT_STATUS_NO_NAME;   /* blocked names answer as names that do not exist */
    if (!g->st) {   /* the page went meanwhile */
        free(g);
        return;
    }
    g->state = G_DONE;
    if (status != EMNET_WT_STATUS_OK) {
        reply_status(g, status);
        return;
    }
    uint8_t buf[EMNET_WT_LOOKUP_REPLY_MAX];
    size_t len = emnet_wt_encode_lookup_reply(buf, sizeof buf, status, ips, n);
    emnet_px_wt_send_bytes(g->st, buf, len);
    emnet_px_wt_send_fin(g->st);
}

static void start_lookup(struct emnet_px_wtg_stream *g, const struct emnet_wt_request *req)
{
    memcpy(g->name, req->addr.bytes, req->addr.len);
    g->name[req->addr.len] = '\0';
    g->family = req->family;
    g->state = G_CONNECTING;
    g->resolve = emnet_px_resolve_start(g->name, 0, 0, on_lookup, g);
    if (!g->resolve) reply_status(g, EMNET_WT_STATUS_NO_RESOURCES);
}

static void to_target(struct emnet_px_wtg_stream *g, const uint8_t *data, size_t len)
{
    if (!len) return;
    if (!g->up) {   /* the target is gone: what still comes is dropped, credited */
        emnet_px_wt_consumed(g->st, len);
        return;
    }
    emnet_px_stream_write(g->up, data, len);
    if (g->up && g->up->to_target.bytes <= emnet_px.cfg->buffer) emnet_px_wt_consumed(g->st, len);
    else g->held += len;
}

void emnet_px_wtg_page_bytes(struct emnet_px_conn *c, struct emnet_px_wt_stream *st, const uint8_t *data, size_t len,
                              int fin)
{
    emnet_px_conn_touch(c);
    struct emnet_px_wtg_stream *g = st->gw;
    if (!g) {
        if (!(g = calloc(1, sizeof *g))) {
            emnet_px_wt_reset(st, wt_code(EMNET_WT_CODE_RESET));
            return;
        }
        g->st = st;
        st->gw = g;
    }
    if (g->state == G_HEADER) {
        /* The header, held in the stream's head until whole. */
        size_t take = EMNET_WT_REQUEST_MAX - st->head_len;
        if (take > len) take = len;
        memcpy(st->head + st->head_len, data, take);
        st->head_len += take;
        struct emnet_wt_request req;
        int rc = emnet_wt_decode_request(st->head, st->head_len, &req);
        if (rc == 0 && !fin && st->head_len < EMNET_WT_REQUEST_MAX) {
            emnet_px_wt_consumed(st, take);
            return;
        }
        if (rc <= 0) {
            emnet_px_wt_consumed(st, take);
            reply_status(g, EMNET_WT_STATUS_INVALID);
            return;
        }
        size_t extra = st->head_len - (size_t)rc;   /* bytes after the header in this call */
        emnet_px_wt_consumed(st, take - extra);
        data += take - extra;
        len -= take - extra;
        st->head_len = 0;
        g->on_stream = req.kind == EMNET_WT_KIND_UDP_ON_STREAM;
        g->kind = g->on_stream ? EMNET_WT_KIND_UDP : req.kind;
        if (g->kind == EMNET_WT_KIND_TCP) start_tcp(c, g, &req);
        else if (g->kind == EMNET_WT_KIND_UDP) start_udp(c, g, &req);
        else start_lookup(g, &req);
        if (g->state == G_DONE) {
            emnet_px_wt_consumed(st, len);
            return;
        }
    }
    if (g->state == G_DONE) {
        emnet_px_wt_consumed(st, len);
        return;
    }
    if (g->kind == EMNET_WT_KIND_UDP) {
        flow_records(c, g, data, len);
        if (fin && g->state != G_DONE) end_flow(c, g);
        return;
    }
    if (g->kind == EMNET_WT_KIND_LOOKUP) {   /* nothing more may come on it */
        emnet_px_wt_consumed(st, len);
        return;
    }
    to_target(g, data, len);
    if (fin && g->up && !g->client_fin) {
        g->client_fin = 1;
        emnet_px_stream_client_fin(g->up);
    }
}

void emnet_px_wtg_stream_reset(struct emnet_px_conn *c, struct emnet_px_wt_stream *st)
{
    struct emnet_px_wtg_stream *g = st->gw;
    if (!g || g->state == G_DONE) return;   /* answered already: its FIN stands */
    struct emnet_px_stream *up = g->up;
    g->up = NULL;
    unhash(c->wt, g);
    g->state = G_DONE;
    if (up) emnet_px_stream_reset(up);   /* TCP's RST to the target */
    emnet_px_wt_reset(st, wt_code(EMNET_WT_CODE_RESET));
}

void emnet_px_wtg_stream_acked(struct emnet_px_conn *c, struct emnet_px_wt_stream *st)
{
    (void)c;
    struct emnet_px_wtg_stream *g = st->gw;
    if (!g || !g->up) return;
    g->up->to_client = emnet_px_wt_queued(st);
    emnet_px_stream_client_drained(g->up);
}

void emnet_px_wtg_stream_closed(struct emnet_px_conn *c, struct emnet_px_wt_stream *st)
{
    struct emnet_px_wtg_stream *g = st->gw;
    if (!g) return;
    g->st = NULL;
    st->gw = NULL;
    /* Both directions ended in order: the target gets what is queued. */
    if (c) detach(c->wt, g, 1);
    free(g->rec);
    if (g->resolve) {
        emnet_px_resolve_abandon(g->resolve);
        g->resolve = NULL;
    }
    free(g);
}

void emnet_px_wtg_datagram(struct emnet_px_conn *c, const uint8_t *data, size_t len)
{
    struct emnet_wt_datagram d;
    if (emnet_wt_decode_datagram(data, len, &d) < 0 || d.flow_id > UINT32_MAX) return;   /* dropped, as UDP may */
    struct emnet_px_wtg_stream *g = find_id(c->wt, (uint32_t)d.flow_id);
    if (!g || g->kind != EMNET_WT_KIND_UDP || g->state != G_OPEN) return;
    emnet_px_conn_touch(c);
    flow_send(g, &d.addr, d.payload, d.len);
}

void emnet_px_wtg_stream_forget(struct emnet_px_wt_stream *st)
{
    /* Its session ended before the stream did: nothing else holds it. */
    struct emnet_px_wtg_stream *g = st->gw;
    st->gw = NULL;
    if (!g) return;
    if (g->resolve) emnet_px_resolve_abandon(g->resolve);
    free(g->rec);
    free(g);
}
