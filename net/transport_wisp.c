/* The wisp transport: every TCP socket is a stream of one Wisp connection, a
 * single WebSocket to a Wisp server shared by all sockets that use the
 * same server URL (net/wisp_codec.h has the packet layout).
 *
 *   socket A --\                       CONNECT / DATA / CLOSE ->
 *   socket B ---+-- Wisp connection (one WebSocket) ---------- Wisp server
 *   socket C --/                       <- DATA / CONTINUE / CLOSE
 *
 * The connection opens lazily, on the first connect() that needs it, and
 * offers the WebSocket subprotocol "wisp-v2" (js/library_emnet_wisp.js
 * tries once more without it when a server refuses the handshake). The
 * server speaks first, and its first packet tells the version:
 *
 *   version 2   INFO (version, the extensions it offers); we answer at once
 *               with our INFO listing those of them we support (UDP 0x01,
 *               stream open confirmation 0x05, password 0x02 when
 *               EMNET_WISP_PASSWORD is set, emnet's half-close 0xe0,
 *               reset 0xe1 and receive credit 0xe2), then comes CONTINUE
 *   version 1   CONTINUE straight away (a server that did not select the
 *               subprotocol is version 1 too, unless it sends INFO first)
 *
 * The CONTINUE on stream 0 gives the credit each new stream starts with.
 * Until it comes, no CONNECT goes out (the protocol says the client waits
 * for it); streams created meanwhile are sent then. A connection that dies
 * (the WebSocket closes or fails) takes all its streams with it: connected
 * ones are reset, connecting ones fail; the next connect() opens a new
 * connection.
 *
 * Sending: credit counts DATA packets, not bytes. Each stream may send as
 * many DATA packets as its credit says; at zero, send() says EAGAIN and
 * EPOLLOUT is withheld until the server's CONTINUE gives credit again. The
 * WebSocket's own queue is bounded too (EMNET_SEND_BUFFER bytes, shared by
 * the connection's streams): once full, every stream waits until it has
 * drained to half.
 *
 * Receiving: with emnet's receive credit extension (0xe2, emnet-proxy)
 * each TCP stream has a window of EMNET_RECV_BUFFER bytes: the server
 * sends no more than that beyond what the program has read, and a CREDIT
 * packet gives more each time half a window has been read. A socket that
 * is not read holds only its own stream (the server stops reading its
 * target), in every engine. Plain Wisp has no credit towards the client
 * (CONTINUE is the server's only), so a stream cannot be slowed on its
 * own: when a stream's unread bytes reach its receive buffer limit the
 * connection stops reading the WebSocket -- every stream then waits, the
 * server's TCP reads stop and its targets are slowed by their own flow
 * control -- and reads on again once that stream has been read down to
 * half (DEVIATIONS.md P4). The same pause guards against a server that
 * sends past the credit it was given.
 *
 * Connect: with stream open confirmation (0x05) negotiated, the server
 * sends a TCP stream's first CONTINUE when its connection to the target is
 * established, and a connect completes exactly then, as Linux's completes
 * at the SYN-ACK; until then it stays in progress (connect() EALREADY,
 * send() EAGAIN, no EPOLLOUT), up to the server's CLOSE or
 * EMNET_CONNECT_TIMEOUT_MS (then ETIMEDOUT, and our CLOSE tells the server
 * to give up). Plain Wisp (version 1, or a server without 0x05) has no
 * "connected" packet; a server reports only failure (CLOSE with a reason).
 * As over websockify, a connect then completes at the first DATA or
 * CONTINUE on the stream, or EMNET_CONNECT_CONFIRM_MS after the CONNECT
 * went out without a CLOSE. Either way, a CLOSE before completion fails the
 * connect with the reason's errno (refused, unreachable, timed out,
 * blocked); a generic reason (unknown, network error) reads as a refusal.
 * After it, VOLUNTARY is an orderly end of stream and any other reason a
 * reset. Our close() sends CLOSE with VOLUNTARY.
 *
 * Ends, with emnet's extensions (docs/wisp-extensions.md), as TCP has
 * them: with half-close, shutdown(SHUT_WR) sends FIN on the stream and the
 * server's FIN is the end of stream to read while the socket may still
 * send; the stream ends at the server's CLOSE once both FINs went. With
 * reset, close() sends CLOSE RESET where Linux's would send an RST
 * (SO_LINGER {1, 0}, or data left unread), and the server's RESET is
 * ECONNRESET. Without them, shutdown(SHUT_WR) only stops sending
 * (DEVIATIONS.md W1) and the server's CLOSE ends both directions (W3).
 *
 * UDP: with emnet's UDP sockets extension (emnet-proxy) an unconnected
 * socket is one stream, its datagrams carrying their addresses (see "UDP
 * socket streams" below). Otherwise, and for a connected socket, a socket
 * gets a stream (type UDP) per destination it sends to, made on the first
 * datagram there; one DATA packet is one datagram, in both
 * directions, and what comes back on a stream is from that destination.
 * UDP streams have no credit: a full WebSocket says EAGAIN, and datagrams
 * sent before the connection is ready wait in their stream. A stream the
 * server closes with a reason is reported to a connected socket as an
 * ICMP error would be (refused: ECONNREFUSED); the next send opens another.
 *
 * Stream ids count up from 1 and are not reused until the 32-bit counter
 * wraps: servers answer our CLOSE with a CLOSE of their own, which must
 * never reach a newer stream. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>

#include "channel.h"
#include "internal.h"
#include "websocket.h"
#include "wisp_codec.h"

#define BUCKETS 256                /* stream id -> stream, chained */
/* Payload of one DATA packet we send: the whole message stays within
 * 64 KiB, a message size servers commonly cap (emnet-proxy's default). */
#define MAX_DATA ((64u << 10) - EMNET_WISP_HEADER)

struct wisp_conn;

/* A datagram sent before its stream could open (the connection was not
 * ready yet): sent once it is. */
struct wisp_pending {
    struct wisp_pending *next;
    size_t len;
    uint8_t rec_len;                     /* a UDP socket stream's: the destination's address record */
    uint8_t rec[EMNET_WISP_ADDR_MAX];
    uint8_t data[];
};

struct wisp_stream {
    uint32_t id;
    struct wisp_conn *sess;
    struct emnet_channel *ch;      /* the socket's */
    unsigned char opened;          /* TCP: the connect was reported done */
    struct wisp_stream *next;      /* in its bucket */
    uint32_t credit;               /* DATA packets the server still takes */
    unsigned char connect_sent;
    unsigned char over_limit;      /* counted in sess->full */
    uint16_t port;                 /* until the CONNECT goes out */
    char *host;
    struct emnet__timer confirm;   /* CONNECT sent, neither data nor CLOSE yet */
    /* Receive credit (TCP, when negotiated): bytes the server may send in
     * all, and bytes it sent; the difference is what it may still send. */
    uint64_t granted, delivered;
    /* UDP: a socket has a stream per destination, chained from its flow;
     * `to` is the destination as the program named it. */
    unsigned char udp;
    unsigned char sockstream;      /* a UDP socket stream (emnet's 0xe3): every destination, records */
    struct wisp_stream *sock_next;
    struct sockaddr_storage to;
    socklen_t tolen;
    struct wisp_pending *pending, *pending_tail;
    size_t pending_bytes;
};

/* A UDP socket's datagram flow: its streams, most recently used first. */
struct wisp_flow {
    struct wisp_stream *streams;
};

struct wisp_conn {
    struct wisp_conn *next;
    char *url;
    int ws;                        /* the WebSocket (websocket.h) */
    int opened;                    /* the WebSocket's open event came */
    int ready;                     /* the initial CONTINUE came */
    int version;                   /* 0 until the server's first packet, then 1 or 2 */
    int confirm;                   /* stream open confirmation (0x05) negotiated */
    int half_close;                /* emnet's half-close (0xe0): FIN packets both ways */
    int reset;                     /* emnet's reset (0xe1): CLOSE RESET both ways */
    uint32_t window;               /* emnet's receive credit (0xe2): each TCP stream's credit; 0: none */
    int udp_sockets;               /* emnet's UDP sockets (0xe3): a UDP socket is one stream */
    int paused;                    /* not reading the WebSocket */
    int send_full;                 /* the WebSocket filled up: no sends until it drains to half */
    uint32_t default_credit;
    uint32_t next_id;
    unsigned full;                 /* streams at their receive buffer limit */
    struct emnet__timer timeout;   /* not ready yet */
    uint8_t *rx;                   /* one received control message, being decoded */
    size_t rx_cap;
    struct wisp_stream *rx_direct; /* the TCP stream whose DATA payload went straight to its socket */
    struct wisp_stream *buckets[BUCKETS];
};

static struct wisp_conn *connections;
static unsigned live_streams;

static const struct emnet_ws_events conn_events;
extern const struct emnet_transport emnet__wisp_transport;

unsigned emnet__wisp_live_streams(void)
{
    return live_streams;
}

static struct wisp_stream *stream_of(struct emnet_channel *ch)
{
    return (struct wisp_stream *)ch->state;
}

static struct wisp_flow *flow_of(struct emnet_channel *ch)
{
    return (struct wisp_flow *)ch->state;
}

static struct wisp_stream **bucket_of(struct wisp_conn *ss, uint32_t id)
{
    return &ss->buckets[id % BUCKETS];
}

static struct wisp_stream *find_stream(struct wisp_conn *ss, uint32_t id)
{
    for (struct wisp_stream *st = *bucket_of(ss, id); st; st = st->next)
        if (st->id == id) return st;
    return NULL;
}

/* ---- sending packets ---- */

static void send_packet(struct wisp_conn *ss, const uint8_t *pkt, size_t len)
{
    if (len) emnet__ws_send(ss->ws, pkt, len, NULL, 0);
}

static void conn_full(struct wisp_conn *ss, size_t limit);

/* One datagram, one DATA packet: on a UDP socket stream its address
 * record (rec_len bytes) goes first, in the same message. */
static void send_datagram_now(struct wisp_stream *st, const uint8_t *rec, size_t rec_len, const void *buf, size_t len)
{
    uint8_t hdr[EMNET_WISP_HEADER + EMNET_WISP_ADDR_MAX];
    emnet_wisp_encode_data_header(hdr, sizeof hdr, st->id);
    memcpy(hdr + EMNET_WISP_HEADER, rec, rec_len);
    emnet__ws_send(st->sess->ws, hdr, EMNET_WISP_HEADER + rec_len, buf, len);
}

static void sockstream_fallback(struct wisp_stream *st);

static int send_connect(struct wisp_stream *st)
{
    if (st->sockstream && !st->sess->udp_sockets) {
        /* The server turned out not to have UDP socket streams. */
        sockstream_fallback(st);
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
    send_packet(st->sess, pkt, n);
    st->granted = st->sess->window;   /* the server's first credit, from our INFO */
    free(st->host);
    st->host = NULL;
    st->connect_sent = 1;
    if (st->udp) {
        /* No credit for UDP (servers send no CONTINUE on UDP streams):
         * what waited for the connection goes now. */
        int waited = st->pending != NULL;
        while (st->pending) {
            struct wisp_pending *d = st->pending;
            st->pending = d->next;
            send_datagram_now(st, d->rec, d->rec_len, d->data, d->len);
            free(d);
        }
        st->pending_tail = NULL;
        st->pending_bytes = 0;
        if (emnet__ws_buffered(st->sess->ws) >= (double)st->ch->snd_limit)
            conn_full(st->sess, st->ch->snd_limit);
        else if (waited)
            emnet__chan_drained(st->ch);   /* room again for a sender that was told EAGAIN */
        return 0;
    }
    st->credit = st->sess->default_credit;
    /* With confirmation the server says when the target accepted; else
     * silence for a while is taken for success. */
    uint64_t ms = (uint64_t)emnet__setting(st->sess->confirm ? SETTING_CONNECT_TIMEOUT_MS : SETTING_CONNECT_CONFIRM_MS);
    emnet__timer_schedule(&st->confirm, emnet__now_ns() + ms * 1000000u);
    return 0;
}

/* ---- streams ---- */

static void set_over_limit(struct wisp_stream *st, int over)
{
    struct wisp_conn *ss = st->sess;
    if (over == st->over_limit) return;
    st->over_limit = (unsigned char)over;
    if (over) {
        ss->full++;
    } else if (--ss->full == 0 && ss->paused) {
        ss->paused = 0;
        emnet__ws_pause(ss->ws, 0);
    }
}

/* Receive credit: once the program has read half a window's worth, the
 * server may send that much more (one CREDIT per half window, not one per
 * read). What the socket holds plus what the server may still send never
 * passes the window, so a stream that is not read holds only itself. */
static void grant_credit(struct wisp_stream *st)
{
    uint32_t window = st->sess->window;
    int64_t outstanding = (int64_t)(st->granted - st->delivered);
    uint64_t used = (uint64_t)(outstanding > 0 ? outstanding : 0) + emnet__chan_rx_held(st->ch);
    if (used >= window || window - used < window / 2) return;
    uint32_t more = window - (uint32_t)used;
    uint8_t pkt[EMNET_WISP_CREDIT_SIZE];
    send_packet(st->sess, pkt, emnet_wisp_encode_credit(pkt, sizeof pkt, st->id, more));
    st->granted += more;
}

/* Takes the stream out of its connection (and a UDP one out of its flow)
 * and frees it. */
static void stream_free(struct wisp_stream *st)
{
    struct wisp_conn *ss = st->sess;
    for (struct wisp_stream **p = bucket_of(ss, st->id); *p; p = &(*p)->next) {
        if (*p == st) {
            *p = st->next;
            break;
        }
    }
    set_over_limit(st, 0);
    emnet__timer_schedule(&st->confirm, EMNET__NEVER);
    if (st->sess->rx_direct == st) st->sess->rx_direct = NULL;
    if (st->udp) {
        for (struct wisp_stream **p = &flow_of(st->ch)->streams; *p; p = &(*p)->sock_next) {
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
    live_streams--;
}

static void stream_ended(struct wisp_stream *st, int err);

static void confirm_expired(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wisp_stream *st = (struct wisp_stream *)((char *)t - offsetof(struct wisp_stream, confirm));
    if (!st->connect_sent) {
        stream_ended(st, ECONNREFUSED);
    } else if (st->sess->confirm) {
        /* The server never confirmed (nor gave up): we give up, as Linux
         * does on a SYN nobody answers, and tell the server to stop. */
        uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
        send_packet(st->sess, pkt, emnet_wisp_encode_close(pkt, sizeof pkt, st->id, EMNET_WISP_CLOSE_VOLUNTARY));
        stream_ended(st, ETIMEDOUT);
    } else {
        st->opened = 1;
        emnet__chan_opened(st->ch);
    }
}

/* The stream ended (CLOSE from the server, or the connection died): err is 0
 * for an orderly end, else the errno Linux would report. */
static void stream_ended(struct wisp_stream *st, int err)
{
    struct emnet_channel *ch = st->ch;
    if (st->udp) {
        /* The destination's stream is gone; the socket's flow is not. A
         * connected socket hears why, as from an ICMP error; the next send
         * to there opens a new stream. */
        struct sockaddr_storage to = st->to;
        socklen_t tolen = st->tolen;
        stream_free(st);
        int e = err == ECONNRESET ? ENETUNREACH : err == ETIMEDOUT ? 0 : err;
        if (tolen) emnet__chan_datagram_error(ch, (const struct sockaddr *)&to, tolen, e);   /* a socket stream names none */
        return;
    }
    int opened = st->opened;
    stream_free(st);
    if (!opened && err)
        emnet__chan_failed(ch, err == ECONNRESET ? ECONNREFUSED : err);   /* a generic reason reads as a refusal */
    else
        emnet__chan_ended(ch, err);
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
    ss->next = connections;
    connections = ss;
    return ss;
}

/* Ends the connection: its WebSocket is closed, every stream ends with err
 * (connecting sockets fail with connect_err when it is not 0). */
static void conn_end(struct wisp_conn *ss, int err, int connect_err)
{
    for (struct wisp_conn **p = &connections; *p; p = &(*p)->next) {
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
                stream_ended(st, connect_err);
            else
                stream_ended(st, err);
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
    conn_end(ss, ECONNRESET, ETIMEDOUT);   /* the server never finished its handshake */
}

static struct wisp_conn *conn_for(const char *url, int *err)
{
    for (struct wisp_conn *ss = connections; ss; ss = ss->next)
        if (!strcmp(ss->url, url)) return ss;
    return conn_open(url, err);
}

/* The WebSocket holds a full send buffer: every stream stops sending (its
 * socket loses EPOLLOUT) until it has drained to half. Waking them at the
 * first byte below the limit instead would wake every stream of a busy
 * connection for each message sent: with many streams, that is all the
 * page would do. */
static void conn_full(struct wisp_conn *ss, size_t limit)
{
    ss->send_full = 1;
    emnet__ws_watch_drain(ss->ws, (double)(limit / 2));
}

/* ---- the transport's operations ---- */

/* A new stream of the connection to the configured server, for host:port;
 * its CONNECT goes out now or once the connection is ready. NULL with *err
 * set when it cannot be made. */
static struct wisp_stream *stream_new(struct emnet_channel *ch, const char *host, unsigned port, int udp, int *err)
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
    struct wisp_conn *ss = st->host ? conn_for(url, err) : NULL;
    if (!ss) {
        free(st->host);
        free(st);
        return NULL;
    }
    do {
        st->id = ss->next_id++;
    } while (st->id == 0 || find_stream(ss, st->id));
    st->sess = ss;
    st->ch = ch;
    st->udp = (unsigned char)udp;
    live_streams++;
    st->port = (uint16_t)port;
    st->confirm.expire = confirm_expired;
    st->next = *bucket_of(ss, st->id);
    *bucket_of(ss, st->id) = st;
    return st;
}

static int wisp_open(struct emnet_channel *ch, const char *host, unsigned port)
{
    int err;
    struct wisp_stream *st = stream_new(ch, host, port, 0, &err);
    if (!st) return err;
    ch->state = st;
    if (st->sess->ready) send_connect(st);   /* the host was checked: it fits */
    return 0;
}

/* Ends a stream from our side: CLOSE if the server knows it, VOLUNTARY
 * (the server writes what we sent, then FIN), or RESET where Linux's
 * close would send an RST and the server speaks emnet's reset extension. */
static void stream_close(struct wisp_stream *st, int reset)
{
    if (st->connect_sent) {
        uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
        reset = reset && !st->udp && st->sess->reset;
        send_packet(st->sess, pkt, emnet_wisp_encode_close(pkt, sizeof pkt, st->id,
                                                           reset ? EMNET_WISP_CLOSE_RESET : EMNET_WISP_CLOSE_VOLUNTARY));
    }
    stream_free(st);
}

/* UDP: the socket's stream to this destination, made on the first
 * datagram to it. The socket's streams are kept most recently used first;
 * past EMNET_UDP_DESTINATIONS (default 64) the least recently used one is
 * closed, so that a socket talking to many destinations in turn (a
 * resolver, a tracker) does not use up the server's streams. A late reply
 * from a destination whose stream was closed is lost, as a datagram may
 * be. */
static struct wisp_stream *udp_stream_for(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen,
                                          int *err)
{
    struct wisp_stream **head = &flow_of(ch)->streams;
    unsigned count = 0;
    struct wisp_stream *last = NULL;   /* the least recently used destination stream */
    for (struct wisp_stream **p = head; *p; p = &(*p)->sock_next) {
        struct wisp_stream *st = *p;
        if (st->sockstream) continue;
        count++;
        last = st;
        if (st->tolen == tolen && !memcmp(&st->to, to, tolen)) {
            *p = st->sock_next;   /* to the front */
            st->sock_next = *head;
            *head = st;
            return st;
        }
    }
    unsigned max = (unsigned)emnet__setting(SETTING_UDP_DESTINATIONS);
    if (max && count >= max && last) stream_close(last, 0);
    char host[EMNET_HOST_TEXT_MAX];
    unsigned port;
    *err = emnet__addr_host(to, tolen, host, sizeof host, &port);
    if (*err < 0) return NULL;
    struct wisp_stream *st = stream_new(ch, host, port, 1, err);
    if (!st) return NULL;
    memcpy(&st->to, to, tolen);
    st->tolen = tolen;
    st->sock_next = *head;
    *head = st;
    if (st->sess->ready) send_connect(st);
    return st;
}

/* ---- UDP socket streams (emnet's UDP sockets extension, 0xe3) ----
 *
 * Where the server has them, an unconnected UDP socket is one stream: one
 * socket of the proxy's, so it hears any sender and every server sees one
 * source port, as on Linux (DEVIATIONS.md U1, U2). Each datagram carries
 * its destination's (or source's) address record. A connected socket, or a
 * destination named by a getaddrinfo placeholder, keeps a stream per
 * destination: the server names the peer (and reports its ICMP errors on
 * it). Until the connection's handshake says whether the server has them,
 * datagrams wait in the socket stream; without them they go on as before. */

/* The destination as an address record; -1 when it is a name's
 * placeholder, which only a per-destination stream can name. */
static int to_record(const struct sockaddr *to, struct emnet_wisp_addr *a)
{
    if (emnet__placeholder_name(to)) return -1;
    return emnet_wisp_addr_from_sockaddr(to, a);
}

/* An address record as an address of the socket's family. */
static int from_record(const struct emnet_channel *ch, const struct emnet_wisp_addr *a, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    unsigned n;
    if (emnet_wisp_addr_to_sockaddr(a, ch->family, ss, &n) < 0) return -1;
    *len = (socklen_t)n;
    return 0;
}

/* The socket's UDP socket stream, when this datagram should take it. */
static struct wisp_stream *sockstream_for(struct emnet_channel *ch, const struct sockaddr *to,
                                          struct emnet_wisp_addr *a, int *err)
{
    if (ch->one_peer || to_record(to, a) < 0) return NULL;
    for (struct wisp_stream *st = flow_of(ch)->streams; st; st = st->sock_next) {
        if (st->sockstream) return st;
        if (st->sess->ready && !st->sess->udp_sockets) return NULL;   /* a plain server: no lookup per datagram */
    }
    const char *url = emnet__transport_url(&emnet__wisp_transport);
    struct wisp_conn *ss = url ? conn_for(url, err) : NULL;
    if (!ss || (ss->ready && !ss->udp_sockets)) return NULL;
    struct wisp_stream *st = stream_new(ch, ch->family == AF_INET6 ? "::" : "0.0.0.0", 0, 1, err);
    if (!st) return NULL;
    st->sockstream = 1;
    st->sock_next = flow_of(ch)->streams;
    flow_of(ch)->streams = st;
    if (st->sess->ready) send_connect(st);
    return st;
}

static int wisp_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen,
                              const void *buf, size_t len);

/* The server has no UDP socket streams: what waited in the socket's goes
 * out on streams per destination, in order. */
static void sockstream_fallback(struct wisp_stream *st)
{
    struct emnet_channel *ch = st->ch;
    struct wisp_pending *d = st->pending;
    st->pending = st->pending_tail = NULL;
    st->pending_bytes = 0;
    stream_free(st);
    while (d) {
        struct wisp_pending *next = d->next;
        struct emnet_wisp_addr a;
        struct sockaddr_storage to;
        socklen_t tolen;
        if (emnet_wisp_decode_addr(d->rec, d->rec_len, &a) > 0 && from_record(ch, &a, &to, &tolen) == 0)
            wisp_send_datagram(ch, (struct sockaddr *)&to, tolen, d->data, d->len);   /* a full queue drops it */
        free(d);
        d = next;
    }
}

/* One datagram, one DATA packet. Before the connection is ready it waits
 * in the stream (up to the send buffer); a full WebSocket says EAGAIN. */
static int wisp_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen,
                              const void *buf, size_t len)
{
    if (!ch->state && !(ch->state = calloc(1, sizeof(struct wisp_flow)))) return -ENOBUFS;
    int err = 0;
    struct emnet_wisp_addr a;
    uint8_t rec[EMNET_WISP_ADDR_MAX];
    size_t rec_len = 0;
    struct wisp_stream *st = sockstream_for(ch, to, &a, &err);
    if (st) rec_len = emnet_wisp_encode_addr(rec, sizeof rec, &a);
    else if (err) return err;
    else st = udp_stream_for(ch, to, tolen, &err);
    if (!st) return err;
    if (!st->connect_sent) {
        if (st->pending_bytes + len > ch->snd_limit) return -EAGAIN;   /* sent, and told, on ready */
        struct wisp_pending *d = malloc(sizeof *d + (len ? len : 1));
        if (!d) return -ENOBUFS;
        d->next = NULL;
        d->len = len;
        d->rec_len = (uint8_t)rec_len;
        memcpy(d->rec, rec, rec_len);
        if (len) memcpy(d->data, buf, len);
        if (st->pending_tail)
            st->pending_tail->next = d;
        else
            st->pending = d;
        st->pending_tail = d;
        st->pending_bytes += len;
        return 0;
    }
    if (st->sess->send_full) return -EAGAIN;
    send_datagram_now(st, rec, rec_len, buf, len);
    if (emnet__ws_buffered(st->sess->ws) >= (double)ch->snd_limit) conn_full(st->sess, ch->snd_limit);
    return 0;
}

/* Sending stops at zero credit or at a full WebSocket; EPOLLOUT then goes
 * away for this socket (wisp_send_full) and comes back through
 * on_continue() or on_drained(), which tell every stream, not only those
 * that tried: a socket that saw no EPOLLOUT has not tried. */
static long wisp_send(struct emnet_channel *ch, const void *buf, size_t len)
{
    struct wisp_stream *st = stream_of(ch);
    struct wisp_conn *ss = st->sess;
    size_t done = 0;
    if (ss->send_full) return 0;
    double queued = emnet__ws_buffered(ss->ws);
    while (done < len && st->connect_sent && st->credit && queued < (double)ch->snd_limit) {
        size_t n = len - done, room = ch->snd_limit - (size_t)queued;
        if (n > room) n = room;
        if (n > MAX_DATA) n = MAX_DATA;
        uint8_t hdr[EMNET_WISP_HEADER];
        emnet_wisp_encode_data_header(hdr, sizeof hdr, st->id);
        emnet__ws_send(ss->ws, hdr, sizeof hdr, (const uint8_t *)buf + done, n);
        st->credit--;
        done += n;
        queued += (double)(n + sizeof hdr);   /* what the WebSocket holds grows by what it was given */
    }
    if (queued >= (double)ch->snd_limit) conn_full(ss, ch->snd_limit);
    return (long)done;
}

/* A UDP socket's flow: what waits for the connection to open, or a full
 * WebSocket. */
static int flow_send_full(const struct emnet_channel *ch)
{
    const struct wisp_flow *f = ch->state;
    size_t n = 0;
    for (const struct wisp_stream *st = f ? f->streams : NULL; st; st = st->sock_next) {
        if (st->connect_sent && st->sess->send_full) return 1;
        n += st->pending_bytes;
    }
    return n >= ch->snd_limit;
}

/* Polled on every readiness check: no call into JS. The WebSocket's fill
 * is known from send_full, set whenever a send fills it. */
static int wisp_send_full(const struct emnet_channel *ch)
{
    if (ch->datagrams) return flow_send_full(ch);
    const struct wisp_stream *st = ch->state;
    /* No credit is a full send buffer, whatever the WebSocket holds. */
    return !st || !st->connect_sent || st->credit == 0 || st->sess->send_full;
}

static void wisp_consumed(struct emnet_channel *ch)
{
    struct wisp_stream *st = stream_of(ch);
    if (ch->datagrams || !st) return;   /* datagrams are dropped when full, never held up */
    if (st->sess->window && st->connect_sent) grant_credit(st);
    /* At half the limit, not at the first byte read: one resume per read
     * would cost a trip through JS each. */
    if (st->over_limit && emnet__chan_rx_held(ch) <= ch->rcv_limit / 2) set_over_limit(st, 0);
}

static void wisp_close(struct emnet_channel *ch, int reset)
{
    if (!ch->state) return;
    if (!ch->datagrams) {
        stream_close(stream_of(ch), reset);
        return;
    }
    struct wisp_flow *f = flow_of(ch);
    while (f->streams) stream_close(f->streams, 0);
    free(f);
    ch->state = NULL;
}

/* Our FIN, after every DATA packet already sent (one WebSocket, in order),
 * where the server speaks emnet's half-close extension. */
static int wisp_shutdown_write(struct emnet_channel *ch)
{
    struct wisp_stream *st = stream_of(ch);
    if (ch->datagrams || !st || !st->connect_sent || !st->sess->half_close) return 0;
    uint8_t pkt[EMNET_WISP_FIN_SIZE];
    send_packet(st->sess, pkt, emnet_wisp_encode_fin(pkt, sizeof pkt, st->id));
    return 1;
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
            if (!st->connect_sent) send_connect(st);
        }
    }
}

/* Flow control after bytes reached a TCP stream's socket. */
static void data_arrived(struct wisp_conn *ss, struct wisp_stream *st, size_t len)
{
    st->delivered += len;
    st->opened = 1;   /* data proves the connect (the socket knows it from the commit) */
    /* With receive credit the server stops at the window on its own: the
     * whole connection pauses only for one that does not. */
    size_t held = emnet__chan_rx_held(st->ch);
    if (ss->window ? held > ss->window : held >= st->ch->rcv_limit) set_over_limit(st, 1);
}

/* A TCP stream's socket could not take its bytes (out of memory): the
 * stream cannot go on with a hole, so it ends with a reset both ways. */
static void stream_overflow(struct wisp_conn *ss, struct wisp_stream *st)
{
    uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
    send_packet(ss, pkt, emnet_wisp_encode_close(pkt, sizeof pkt, st->id,
                                                 ss->reset ? EMNET_WISP_CLOSE_RESET : EMNET_WISP_CLOSE_CLIENT_ERROR));
    stream_ended(st, ECONNRESET);
}

static void on_data(struct wisp_conn *ss, struct wisp_stream *st, const uint8_t *data, size_t len)
{
    if (st->sockstream) {   /* the source's address record, then the datagram */
        struct emnet_wisp_addr a;
        struct sockaddr_storage from;
        socklen_t flen;
        int r = emnet_wisp_decode_addr(data, len, &a);
        if (r < 0 || from_record(st->ch, &a, &from, &flen) < 0) {
            emnet_js_warn_once("emnet: the Wisp server sent a datagram without a valid source; it was dropped.");
            return;
        }
        emnet__chan_datagram(st->ch, (const struct sockaddr *)&from, flen, data + r, len - (size_t)r);
        return;
    }
    if (st->udp) {   /* one packet, one datagram */
        emnet__chan_datagram(st->ch, (const struct sockaddr *)&st->to, st->tolen, data, len);
        return;
    }
    emnet__timer_schedule(&st->confirm, EMNET__NEVER);
    if (!len) {   /* an empty DATA still proves the connect */
        if (!st->opened) {
            st->opened = 1;
            emnet__chan_opened(st->ch);
        }
        return;
    }
    uint8_t *p = emnet__chan_rx_reserve(st->ch, len);
    if (!p) {
        stream_overflow(ss, st);
        return;
    }
    memcpy(p, data, len);
    emnet__chan_rx_commit(st->ch, len);
    data_arrived(ss, st, len);
}

static void on_continue(struct wisp_stream *st, uint32_t credit)
{
    if (st->udp) return;   /* UDP streams have no credit */
    uint32_t before = st->credit;
    emnet__timer_schedule(&st->confirm, EMNET__NEVER);
    st->credit = credit;
    /* With 0x05 the first CONTINUE is the confirmation; without, the
     * server writes to the target before it gives credit back: either
     * way the stream is connected. */
    if (!st->opened) {
        st->opened = 1;
        emnet__chan_opened(st->ch);
    } else if (!before && credit) {
        emnet__chan_drained(st->ch);
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
    size_t ext_cap = 7 * EMNET_WISP_EXT_HEADER + 4 + cred_max, cap = EMNET_WISP_HEADER + EMNET_WISP_INFO_FIXED + ext_cap;
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
    send_packet(ss, info, emnet_wisp_encode_info(info, cap, 2, 0, ext, elen));
    free(info);
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
            conn_end(ss, ECONNRESET, err && err != ECONNRESET ? err : ECONNREFUSED);
            return 0;
        }
        default:
            return 1;
        }
    }
    struct wisp_stream *st = find_stream(ss, pkt->stream_id);
    if (!st) return 1;   /* a stream we closed: the server's late packets */
    switch (pkt->type) {
    case EMNET_WISP_DATA:
        on_data(ss, st, pkt->u.data.data, pkt->u.data.len);
        break;
    case EMNET_WISP_CONTINUE:
        on_continue(st, pkt->u.cont.remaining);
        break;
    case EMNET_WISP_CLOSE:
        stream_ended(st, emnet_wisp_close_reason_errno(pkt->u.close.reason));
        break;
    case EMNET_WISP_FIN:
        /* The target's FIN: end of stream to read; we may still send. */
        if (ss->half_close && !st->udp) {
            st->opened = 1;
            emnet__chan_peer_fin(st->ch);
        }
        break;
    case EMNET_WISP_UDP_ERROR: {
        /* A datagram of the socket stream could not go (blocked, say): as
         * an ICMP error, which only a connected socket hears. */
        struct emnet_wisp_addr a;
        struct sockaddr_storage to;
        socklen_t tolen;
        if (st->sockstream && emnet_wisp_decode_addr(pkt->u.udp_error.addr, pkt->u.udp_error.addr_len, &a) > 0 &&
            from_record(st->ch, &a, &to, &tolen) == 0)
            emnet__chan_datagram_error(st->ch, (const struct sockaddr *)&to, tolen,
                                       emnet_wisp_close_reason_errno(pkt->u.udp_error.reason));
        break;
    }
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

/* Room for one message. A DATA packet of a TCP stream goes straight into
 * its socket's receive buffer, its 5-byte header left out (one copy from
 * the WebSocket message to the socket, one from there to the program);
 * every other packet into the connection's buffer, to be decoded whole. */
static uint8_t *conn_reserve(void *owner, size_t len, const uint8_t *head, size_t head_len, size_t *skip)
{
    struct wisp_conn *ss = owner;
    ss->rx_direct = NULL;
    if (head_len >= EMNET_WISP_HEADER && head[0] == EMNET_WISP_DATA && len > EMNET_WISP_HEADER) {
        uint32_t id = (uint32_t)head[1] | (uint32_t)head[2] << 8 | (uint32_t)head[3] << 16 | (uint32_t)head[4] << 24;
        struct wisp_stream *st = id ? find_stream(ss, id) : NULL;
        if (st && !st->udp) {
            emnet__timer_schedule(&st->confirm, EMNET__NEVER);
            uint8_t *p = emnet__chan_rx_reserve(st->ch, len - EMNET_WISP_HEADER);
            if (!p) {
                stream_overflow(ss, st);
                return NULL;
            }
            ss->rx_direct = st;
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
            conn_end(ss, ECONNRESET, ECONNREFUSED);
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
        emnet__chan_rx_commit(st->ch, len);
        data_arrived(ss, st, len);
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
    conn_end(ss, ECONNRESET, ss->ready ? ECONNREFUSED : EHOSTUNREACH);
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

const struct emnet_transport emnet__wisp_transport = {
    .name = "wisp",
    .open = wisp_open,
    .send = wisp_send,
    .consumed = wisp_consumed,
    .shutdown_write = wisp_shutdown_write,
    .send_datagram = wisp_send_datagram,
    .send_full = wisp_send_full,
    .close = wisp_close,
};
