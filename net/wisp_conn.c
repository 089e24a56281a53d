/* Wisp connections (wisp.h): one WebSocket per server URL, shared by
 * every stream to that server; the handshake (the server's INFO and ours,
 * the first CONTINUE), the stream table, and every packet in. The
 * transport as a whole is described in transport_wisp.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "websocket.h"
#include "wisp.h"

struct wisp_conn *wisp_connections;
unsigned wisp_live_streams;

static const struct emnet_ws_events conn_events;

unsigned emnet__wisp_live_streams(void)
{
    return wisp_live_streams;
}

static struct wisp_stream **wisp_bucket_of(struct wisp_conn *ss, uint32_t id)
{
    return &ss->buckets[id % BUCKETS];
}

struct wisp_stream *wisp_find_stream(struct wisp_conn *ss, uint32_t id)
{
    for (struct wisp_stream *st = *wisp_bucket_of(ss, id); st; st = st->next)
        if (st->id == id) return st;
    return NULL;
}

/* ---- sending packets ---- */

void wisp_send_packet(struct wisp_conn *ss, const uint8_t *pkt, size_t len)
{
    if (len) emnet__ws_send(ss->ws, pkt, len, NULL, 0);
}

int wisp_send_connect(struct wisp_stream *st)
{
    if (st->sockstream && !st->sess->udp_sockets) {
        /* The server turned out not to have UDP socket streams. */
        wisp_sockstream_fallback(st);
        return 0;
    }
    uint8_t pkt[EMNET_WISP_HEADER + EMNET_WISP_CONNECT_FIXED + EMNET_WISP_HOST_MAX];
    uint8_t type = st->sockstream ? EMNET_WISP_STREAM_UDP_SOCKET : st->udp ? EMNET_WISP_STREAM_UDP : EMNET_WISP_STREAM_TCP;
    size_t n = emnet_wisp_encode_connect(pkt, sizeof pkt, st->id, type, st->port, st->host, strlen(st->host));
    if (!n) {
        /* A target the protocol cannot name (port 0): refused, as a
         * server would refuse it, once the program has seen EINPROGRESS. */
        emnet__timer_schedule(&st->confirm, emnet__now_ns());
        return -EINVAL;
    }
    wisp_send_packet(st->sess, pkt, n);
    st->granted = st->sess->window;   /* the server's first credit, from our INFO */
    free(st->host);
    st->host = NULL;
    st->connect_sent = 1;
    if (st->udp) wisp_udp_connect_sent(st);
    else wisp_tcp_connect_sent(st);
    return 0;
}

/* ---- streams ---- */

/* A new stream of the connection to the configured server, for host:port;
 * its CONNECT goes out now or once the connection is ready. NULL with *err
 * set when it cannot be made. */
struct wisp_stream *wisp_stream_new(struct emnet_channel *ch, const char *host, unsigned port, int udp, int *err)
{
    const char *url = emnet__transport_url(&emnet__wisp_transport);
    if (!url) {
        *err = -ENETUNREACH;
        return NULL;
    }
    size_t hlen = strlen(host);
    if (emnet_wisp_check_host(host, hlen) != 0) {
        *err = -EINVAL;
        return NULL;
    }
    *err = -ENOMEM;
    struct wisp_stream *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->host = strdup(host);
    struct wisp_conn *ss = st->host ? wisp_conn_for(url, err) : NULL;
    if (!ss) {
        free(st->host);
        free(st);
        return NULL;
    }
    do {
        st->id = ss->next_id++;
    } while (st->id == 0 || wisp_find_stream(ss, st->id));
    st->sess = ss;
    st->ch = ch;
    st->udp = (unsigned char)udp;
    wisp_live_streams++;
    st->port = (uint16_t)port;
    st->confirm.expire = wisp_confirm_expired;
    st->next = *wisp_bucket_of(ss, st->id);
    *wisp_bucket_of(ss, st->id) = st;
    return st;
}

/* Takes the stream out of its connection (and a UDP one out of its flow)
 * and frees it. */
void wisp_stream_free(struct wisp_stream *st)
{
    struct wisp_conn *ss = st->sess;
    for (struct wisp_stream **p = wisp_bucket_of(ss, st->id); *p; p = &(*p)->next) {
        if (*p == st) {
            *p = st->next;
            break;
        }
    }
    wisp_set_over_limit(st, 0);
    emnet__timer_schedule(&st->confirm, EMNET__NEVER);
    if (st->sess->rx_direct == st) st->sess->rx_direct = NULL;
    if (st->udp) {
        for (struct wisp_stream **p = &wisp_flow_of(st->ch)->streams; *p; p = &(*p)->sock_next) {
            if (*p == st) {
                *p = st->sock_next;
                break;
            }
        }
        while (st->pending) {
            struct wisp_pending *d = st->pending;
            st->pending = d->next;
            free(d);
        }
    } else {
        st->ch->state = NULL;
    }
    free(st->host);
    free(st);
    wisp_live_streams--;
}

/* Ends a stream from our side: CLOSE if the server knows it, VOLUNTARY
 * (the server writes what we sent, then FIN), or RESET where Linux's
 * close would send an RST and the server speaks emnet's reset extension. */
void wisp_stream_close(struct wisp_stream *st, int reset)
{
    if (st->connect_sent) {
        uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
        reset = reset && !st->udp && st->sess->reset;
        wisp_send_packet(st->sess, pkt, emnet_wisp_encode_close(pkt, sizeof pkt, st->id,
                                                           reset ? EMNET_WISP_CLOSE_RESET : EMNET_WISP_CLOSE_VOLUNTARY));
    }
    wisp_stream_free(st);
}

/* The stream ended (CLOSE from the server, or the connection died): err is 0
 * for an orderly end, else the errno Linux would report. */
void wisp_stream_ended(struct wisp_stream *st, int err)
{
    struct emnet_channel *ch = st->ch;
    if (st->udp) {
        struct sockaddr_storage to = st->to;
        socklen_t tolen = st->tolen;
        wisp_stream_free(st);
        wisp_udp_ended(ch, &to, tolen, err);
        return;
    }
    wisp_tcp_ended(st, err);
}

/* ---- connections ---- */

static void conn_timeout(struct emnet__timer *t, uint64_t now);

/* A new connection, its WebSocket opening; NULL with *err set on failure. */
static struct wisp_conn *conn_open(const char *url, int *err)
{
    *err = -ENOMEM;
    struct wisp_conn *ss = calloc(1, sizeof *ss);
    if (!ss) return NULL;
    ss->url = strdup(url);
    if (!ss->url) {
        free(ss);
        return NULL;
    }
    ss->next_id = 1;
    ss->timeout.expire = conn_timeout;
    ss->ws = emnet__ws_open(url, "wisp-v2", &conn_events, ss);
    if (ss->ws < 0) {
        *err = ss->ws;   /* a malformed URL */
        free(ss->url);
        free(ss);
        return NULL;
    }
    uint64_t ms = (uint64_t)emnet__setting(SETTING_CONNECT_TIMEOUT_MS);
    emnet__timer_schedule(&ss->timeout, emnet__now_ns() + ms * 1000000u);
    ss->next = wisp_connections;
    wisp_connections = ss;
    return ss;
}

/* Ends the connection: its WebSocket is closed, every stream ends with err
 * (connecting sockets fail with connect_err when it is not 0). */
void wisp_conn_end(struct wisp_conn *ss, int err, int connect_err)
{
    for (struct wisp_conn **p = &wisp_connections; *p; p = &(*p)->next) {
        if (*p == ss) {
            *p = ss->next;
            break;
        }
    }
    emnet__timer_schedule(&ss->timeout, EMNET__NEVER);
    emnet__ws_close(ss->ws);
    for (int b = 0; b < BUCKETS; b++) {
        while (ss->buckets[b]) {
            struct wisp_stream *st = ss->buckets[b];
            if (connect_err && (st->udp ? !st->connect_sent : !st->opened))
                wisp_stream_ended(st, connect_err);
            else
                wisp_stream_ended(st, err);
        }
    }
    free(ss->rx);
    free(ss->url);
    free(ss);
}

static void conn_timeout(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wisp_conn *ss = (struct wisp_conn *)((char *)t - offsetof(struct wisp_conn, timeout));
    wisp_conn_end(ss, ECONNRESET, ETIMEDOUT);   /* the server never finished its handshake */
}

struct wisp_conn *wisp_conn_for(const char *url, int *err)
{
    for (struct wisp_conn *ss = wisp_connections; ss; ss = ss->next)
        if (!strcmp(ss->url, url)) return ss;
    return conn_open(url, err);
}

/* The WebSocket holds a full send buffer: every stream stops sending (its
 * socket loses EPOLLOUT) until it has drained to half. Waking them at the
 * first byte below the limit instead would wake every stream of a busy
 * connection for each message sent: with many streams, that is all the
 * page would do. */
void wisp_conn_full(struct wisp_conn *ss, size_t limit)
{
    ss->send_full = 1;
    emnet__ws_watch_drain(ss->ws, (double)(limit / 2));
}

/* ---- packets from the server ---- */

static void on_ready(struct wisp_conn *ss, uint32_t credit)
{
    ss->ready = 1;
    ss->default_credit = credit;
    emnet__timer_schedule(&ss->timeout, EMNET__NEVER);
    for (int b = 0; b < BUCKETS; b++) {
        struct wisp_stream *next;
        for (struct wisp_stream *st = ss->buckets[b]; st; st = next) {
            next = st->next;   /* a UDP socket stream may give way (sockstream_fallback) */
            if (!st->connect_sent) wisp_send_connect(st);
        }
    }
}

/* The server's INFO. First on the connection, it makes it version 2: we
 * answer at once, before anything else, with the extensions we support
 * among those it offered: UDP and stream open confirmation (no payloads),
 * and password authentication when EMNET_WISP_PASSWORD is set (with
 * EMNET_WISP_USER, default empty). An INFO after the CONTINUE (the
 * connection is version 1 by then) gets an answer without extensions, as a
 * server waiting for one expects it. */
static void on_info(struct wisp_conn *ss, const struct emnet_wisp_packet *pkt)
{
    if (ss->version == 2) return;   /* answered already */
    int udp = 0, password = 0;
    if (!ss->version) {
        ss->version = 2;
        const uint8_t *p = pkt->u.info.ext, *end = p + pkt->u.info.ext_len, *payload;
        uint8_t id;
        uint32_t len;
        /* EMNET_WISP_EXTENSIONS: the ones we may ask for (default all),
         * e.g. "udp" for plain Wisp, to compare or to work around a server. */
#define WANTS(name) emnet__config_allows("EMNET_WISP_EXTENSIONS", name)
        while (emnet_wisp_ext_next(&p, end, &id, &payload, &len) == 1) {
            if (id == EMNET_WISP_EXT_UDP) udp = WANTS("udp");
            if (id == EMNET_WISP_EXT_STREAM_CONFIRM) ss->confirm = WANTS("confirm");
            if (id == EMNET_WISP_EXT_PASSWORD) password = WANTS("password");
            if (id == EMNET_WISP_EXT_HALF_CLOSE) ss->half_close = WANTS("half-close");
            if (id == EMNET_WISP_EXT_RESET) ss->reset = WANTS("reset");
            if (id == EMNET_WISP_EXT_UDP_SOCKETS) ss->udp_sockets = WANTS("udp-sockets");
            if (id == EMNET_WISP_EXT_PACKED) ss->packed = WANTS("packed");
            if (id == EMNET_WISP_EXT_RECEIVE_CREDIT && WANTS("credit")) {
                size_t w = (size_t)emnet__setting(SETTING_RECV_BUFFER);
                ss->window = w > INT32_MAX ? INT32_MAX : (uint32_t)w;
            }
        }
#undef WANTS
    }
    const char *user, *pass;
    emnet__wisp_credentials(&user, &pass);
    if (!password) pass = NULL;
    size_t cred_max = pass ? EMNET_WISP_PASSWORD_FIXED + strlen(user) + strlen(pass) : 0;
    size_t ext_cap = 8 * EMNET_WISP_EXT_HEADER + 4 + cred_max, cap = EMNET_WISP_HEADER + EMNET_WISP_INFO_FIXED + ext_cap;
    uint8_t *info = malloc(cap + cred_max);
    if (!info) return;   /* the server waits in vain, and its timeout ends the connection */
    uint8_t *ext = info + EMNET_WISP_HEADER + EMNET_WISP_INFO_FIXED, *cred = ext + ext_cap;
    size_t elen = 0;
    if (udp) elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_UDP, NULL, 0);
    if (ss->confirm) elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_STREAM_CONFIRM, NULL, 0);
    if (ss->half_close) elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_HALF_CLOSE, NULL, 0);
    if (ss->reset) elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_RESET, NULL, 0);
    if (ss->udp_sockets && udp)
        elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_UDP_SOCKETS, NULL, 0);
    else
        ss->udp_sockets = 0;   /* they need UDP */
    if (ss->packed) elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_PACKED, NULL, 0);
    if (ss->window) {
        uint8_t w[4] = { (uint8_t)ss->window, (uint8_t)(ss->window >> 8), (uint8_t)(ss->window >> 16),
                         (uint8_t)(ss->window >> 24) };
        elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_RECEIVE_CREDIT, w, sizeof w);
    }
    if (pass) {
        size_t n = emnet_wisp_encode_password(cred, cred_max, user, strlen(user), pass, strlen(pass));
        if (n)
            elen += emnet_wisp_encode_ext(ext + elen, ext_cap - elen, EMNET_WISP_EXT_PASSWORD, cred, n);
        else
            emnet_js_warn_once("emnet: EMNET_WISP_USER or EMNET_WISP_PASSWORD is too long or not UTF-8; "
                               "the Wisp server is not sent them.");
    }
    /* The INFO is built in place: its extensions already sit after the
     * header and version (encode_info moves them, overlap is fine). */
    wisp_send_packet(ss, info, emnet_wisp_encode_info(info, cap, 2, 0, ext, elen));
    free(info);
    if (ss->packed) emnet__ws_pack(ss->ws, EMNET_WISP_PACKED);   /* after the INFO, which goes alone */
}

/* Returns 0 once the connection has ended (ss is gone). */
static int on_packet(struct wisp_conn *ss, const struct emnet_wisp_packet *pkt)
{
    if (pkt->stream_id == 0) {
        switch (pkt->type) {
        case EMNET_WISP_INFO:
            on_info(ss, pkt);
            return 1;
        case EMNET_WISP_CONTINUE:
            if (!ss->version) ss->version = 1;
            if (!ss->ready) on_ready(ss, pkt->u.cont.remaining);
            return 1;
        case EMNET_WISP_CLOSE: {
            /* The server ends the whole connection (e.g. authentication). */
            int err = emnet_wisp_close_reason_errno(pkt->u.close.reason);
            wisp_conn_end(ss, ECONNRESET, err && err != ECONNRESET ? err : ECONNREFUSED);
            return 0;
        }
        default:
            return 1;
        }
    }
    struct wisp_stream *st = wisp_find_stream(ss, pkt->stream_id);
    if (!st) return 1;   /* a stream we closed: the server's late packets */
    switch (pkt->type) {
    case EMNET_WISP_DATA:
        if (st->udp) wisp_udp_on_data(st, pkt->u.data.data, pkt->u.data.len);
        else wisp_tcp_on_data(ss, st, pkt->u.data.data, pkt->u.data.len);
        break;
    case EMNET_WISP_CONTINUE:
        wisp_on_continue(st, pkt->u.cont.remaining);
        break;
    case EMNET_WISP_CLOSE:
        wisp_stream_ended(st, emnet_wisp_close_reason_errno(pkt->u.close.reason));
        break;
    case EMNET_WISP_FIN:
        /* The target's FIN: end of stream to read; we may still send. */
        if (ss->half_close && !st->udp) wisp_tcp_on_fin(st);
        break;
    case EMNET_WISP_UDP_ERROR:
        wisp_udp_on_error(st, pkt);
        break;
    default:
        break;   /* CONNECT and INFO are not the server's to send on a stream */
    }
    return 1;
}

/* ---- the WebSocket's events ---- */

static void conn_opened(void *owner)
{
    struct wisp_conn *ss = owner;
    ss->opened = 1;
}

/* Room for one message. A DATA packet goes straight into its socket, its
 * 5-byte header left out -- a TCP stream's bytes into the receive buffer,
 * a datagram into its queue entry: one copy from the WebSocket message to
 * the socket, one from there to the program. Every other packet goes into
 * the connection's buffer, to be decoded whole. */
static uint8_t *conn_reserve(void *owner, size_t len, const uint8_t *head, size_t head_len, size_t *skip)
{
    struct wisp_conn *ss = owner;
    ss->rx_direct = NULL;
    if (head_len >= EMNET_WISP_HEADER && head[0] == EMNET_WISP_DATA && len > EMNET_WISP_HEADER) {
        uint32_t id = (uint32_t)head[1] | (uint32_t)head[2] << 8 | (uint32_t)head[3] << 16 | (uint32_t)head[4] << 24;
        struct wisp_stream *st = id ? wisp_find_stream(ss, id) : NULL;
        if (st) {
            uint8_t *p;
            if (st->udp) {
                p = emnet__chan_dgram_reserve(st->ch, len - EMNET_WISP_HEADER);
                if (!p) return NULL;   /* dropped, as a datagram may be */
            } else {
                emnet__timer_schedule(&st->confirm, EMNET__NEVER);
                p = emnet__chan_rx_reserve(st->ch, len - EMNET_WISP_HEADER);
                if (!p) {
                    wisp_stream_overflow(ss, st);
                    return NULL;
                }
            }
            ss->rx_direct = st;
            ss->rx_direct_at = p;
            *skip = EMNET_WISP_HEADER;
            return p;
        }
    }
    if (len > ss->rx_cap || !ss->rx) {
        size_t cap = ss->rx_cap ? ss->rx_cap : 4096;
        while (cap < len) cap *= 2;
        uint8_t *p = realloc(ss->rx, cap);
        if (!p) {
            /* A packet we cannot hold: which stream it was for is unknown
             * past its header, so the connection cannot go on whole. */
            emnet_js_warn_once("emnet: out of memory for a Wisp packet; the connection was reset.");
            wisp_conn_end(ss, ECONNRESET, ECONNREFUSED);
            return NULL;
        }
        ss->rx = p;
        ss->rx_cap = cap;
    }
    return ss->rx;
}

/* The message is in: 1 to read on, 0 to pause the WebSocket. */
static int conn_commit(void *owner, size_t len)
{
    struct wisp_conn *ss = owner;
    struct wisp_stream *st = ss->rx_direct;
    if (st) {
        ss->rx_direct = NULL;
        if (st->udp) {
            wisp_udp_arrived(st, ss->rx_direct_at, len);
        } else {
            emnet__chan_rx_commit(st->ch, len);
            wisp_data_arrived(ss, st, len);
        }
    } else {
        struct emnet_wisp_packet pkt;
        if (emnet_wisp_decode(ss->rx, len, &pkt) < 0) {
            emnet_js_warn_once("emnet: the Wisp server sent a malformed packet; it was dropped.");
            return 1;
        }
        if (!on_packet(ss, &pkt)) return 0;
    }
    ss->paused = ss->full > 0;
    return !ss->paused;
}

static void conn_closed(void *owner, int code, int opened)
{
    (void)code, (void)opened;   /* every close ends every stream the same way */
    struct wisp_conn *ss = owner;
    ss->ws = 0;   /* gone already */
    /* Before the handshake the server itself could not be reached. */
    wisp_conn_end(ss, ECONNRESET, ss->ready ? ECONNREFUSED : EHOSTUNREACH);
}

static void conn_drained(void *owner)
{
    struct wisp_conn *ss = owner;
    ss->send_full = 0;
    for (int b = 0; b < BUCKETS; b++) {
        for (struct wisp_stream *st = ss->buckets[b]; st; st = st->next)
            if (st->udp || (st->credit && st->opened)) emnet__chan_drained(st->ch);
    }
}

static const struct emnet_ws_events conn_events = {
    .opened = conn_opened,
    .reserve = conn_reserve,
    .commit = conn_commit,
    .closed = conn_closed,
    .drained = conn_drained,
};
