/* The wisp transport's UDP flows (wisp.h): a UDP socket's datagrams, on a
 * stream per destination or, where the server has emnet's UDP sockets
 * extension, on one UDP socket stream; datagrams that wait for the
 * connection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "websocket.h"
#include "wisp.h"

/* One datagram, one DATA packet: on a UDP socket stream its address
 * record (rec_len bytes) goes first, in the same message. */
static void wisp_send_datagram_now(struct wisp_stream *st, const uint8_t *rec, size_t rec_len, const void *buf, size_t len)
{
    uint8_t hdr[EMNET_WISP_HEADER + EMNET_WISP_ADDR_MAX];
    emnet_wisp_encode_data_header(hdr, sizeof hdr, st->id);
    memcpy(hdr + EMNET_WISP_HEADER, rec, rec_len);
    emnet__ws_send(st->sess->ws, hdr, EMNET_WISP_HEADER + rec_len, buf, len);
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
    struct wisp_stream **head = &wisp_flow_of(ch)->streams;
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
    if (max && count >= max && last) wisp_stream_close(last, 0);
    char host[EMNET_HOST_TEXT_MAX];
    unsigned port;
    *err = emnet__addr_host(to, tolen, host, sizeof host, &port);
    if (*err < 0) return NULL;
    struct wisp_stream *st = wisp_stream_new(ch, host, port, 1, err);
    if (!st) return NULL;
    memcpy(&st->to, to, tolen);
    st->tolen = tolen;
    st->sock_next = *head;
    *head = st;
    if (st->sess->ready) wisp_send_connect(st);
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
static int wisp_from_record(const struct emnet_channel *ch, const struct emnet_wisp_addr *a, struct sockaddr_storage *ss,
                       socklen_t *len)
{
    unsigned n;
    if (emnet_wisp_addr_to_sockaddr(a, ch->family, ss, &n) < 0) return -1;
    *len = (socklen_t)n;
    return 0;
}

/* The socket's UDP socket stream, when this datagram should take it. */

/* The socket's UDP socket stream, when this datagram should take it. */
static struct wisp_stream *sockstream_for(struct emnet_channel *ch, const struct sockaddr *to,
                                          struct emnet_wisp_addr *a, int *err)
{
    if (ch->one_peer || to_record(to, a) < 0) return NULL;
    for (struct wisp_stream *st = wisp_flow_of(ch)->streams; st; st = st->sock_next) {
        if (st->sockstream) return st;
        if (st->sess->ready && !st->sess->udp_sockets) return NULL;   /* a plain server: no lookup per datagram */
    }
    const char *url = emnet__transport_url(&emnet__wisp_transport);
    struct wisp_conn *ss = url ? wisp_conn_for(url, err) : NULL;
    if (!ss || (ss->ready && !ss->udp_sockets)) return NULL;
    struct wisp_stream *st = wisp_stream_new(ch, ch->family == AF_INET6 ? "::" : "0.0.0.0", 0, 1, err);
    if (!st) return NULL;
    st->sockstream = 1;
    st->sock_next = wisp_flow_of(ch)->streams;
    wisp_flow_of(ch)->streams = st;
    if (st->sess->ready) wisp_send_connect(st);
    return st;
}


/* The server has no UDP socket streams: what waited in the socket's goes
 * out on streams per destination, in order. */
void wisp_sockstream_fallback(struct wisp_stream *st)
{
    struct emnet_channel *ch = st->ch;
    struct wisp_pending *d = st->pending;
    st->pending = st->pending_tail = NULL;
    st->pending_bytes = 0;
    wisp_stream_free(st);
    while (d) {
        struct wisp_pending *next = d->next;
        struct emnet_wisp_addr a;
        struct sockaddr_storage to;
        socklen_t tolen;
        if (emnet_wisp_decode_addr(d->rec, d->rec_len, &a) > 0 && wisp_from_record(ch, &a, &to, &tolen) == 0)
            wisp_udp_send_datagram(ch, (struct sockaddr *)&to, tolen, d->data, d->len);   /* a full queue drops it */
        free(d);
        d = next;
    }
}

/* One datagram, one DATA packet. Before the connection is ready it waits
 * in the stream (up to the send buffer); a full WebSocket says EAGAIN. */
int wisp_udp_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen,
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
    wisp_send_datagram_now(st, rec, rec_len, buf, len);
    if (emnet__ws_buffered(st->sess->ws) >= (double)ch->snd_limit) wisp_conn_full(st->sess, ch->snd_limit);
    return 0;
}
/* Its CONNECT went out. No credit for UDP (servers send no CONTINUE on
 * UDP streams): what waited for the connection goes now. */
void wisp_udp_connect_sent(struct wisp_stream *st)
{
    int waited = st->pending != NULL;
    while (st->pending) {
        struct wisp_pending *d = st->pending;
        st->pending = d->next;
        wisp_send_datagram_now(st, d->rec, d->rec_len, d->data, d->len);
        free(d);
    }
    st->pending_tail = NULL;
    st->pending_bytes = 0;
    if (emnet__ws_buffered(st->sess->ws) >= (double)st->ch->snd_limit)
        wisp_conn_full(st->sess, st->ch->snd_limit);
    else if (waited)
        emnet__chan_drained(st->ch);   /* room again for a sender that was told EAGAIN */
}

/* A destination's stream is gone; the socket's flow is not. A connected
 * socket hears why, as from an ICMP error; the next send to there opens
 * a new stream. */
void wisp_udp_ended(struct emnet_channel *ch, const struct sockaddr_storage *to, socklen_t tolen, int err)
{
    int e = err == ECONNRESET ? ENETUNREACH : err == ETIMEDOUT ? 0 : err;
    if (tolen) emnet__chan_datagram_error(ch, (const struct sockaddr *)to, tolen, e);   /* a socket stream names none */
}

/* A UDP socket's flow: what waits for the connection to open, or a full
 * WebSocket. */
int wisp_udp_send_full(const struct emnet_channel *ch)
{
    const struct wisp_flow *f = ch->state;
    size_t n = 0;
    for (const struct wisp_stream *st = f ? f->streams : NULL; st; st = st->sock_next) {
        if (st->connect_sent && st->sess->send_full) return 1;
        n += st->pending_bytes;
    }
    return n >= ch->snd_limit;
}

void wisp_udp_close(struct emnet_channel *ch)
{
    struct wisp_flow *f = wisp_flow_of(ch);
    if (!f) return;
    while (f->streams) wisp_stream_close(f->streams, 0);
    free(f);
    ch->state = NULL;
}

/* ---- packets from the server ---- */

/* A datagram's DATA payload, already in the socket's reserved entry:
 * on a UDP socket stream the source's address record comes first. */
void wisp_udp_arrived(struct wisp_stream *st, const uint8_t *payload, size_t len)
{
    if (!st->sockstream) {   /* one packet, one datagram, from the stream's destination */
        emnet__chan_dgram_commit(st->ch, (const struct sockaddr *)&st->to, st->tolen, 0, len);
        return;
    }
    struct emnet_wisp_addr a;
    struct sockaddr_storage from;
    socklen_t flen;
    int r = emnet_wisp_decode_addr(payload, len, &a);
    if (r < 0 || wisp_from_record(st->ch, &a, &from, &flen) < 0) {
        emnet_js_warn_once("emnet: the Wisp server sent a datagram without a valid source; it was dropped.");
        emnet__chan_dgram_commit(st->ch, NULL, 0, 0, 0);   /* lets go of the reserved entry */
        return;
    }
    emnet__chan_dgram_commit(st->ch, (const struct sockaddr *)&from, flen, (size_t)r, len - (size_t)r);
}

/* The same from a decoded packet (an empty datagram, say). */
void wisp_udp_on_data(struct wisp_stream *st, const uint8_t *data, size_t len)
{
    uint8_t *p = emnet__chan_dgram_reserve(st->ch, len);
    if (!p) return;
    if (len) memcpy(p, data, len);
    wisp_udp_arrived(st, p, len);
}
/* A datagram of the socket stream could not go (blocked, say): as an ICMP
 * error, which only a connected socket hears. */
void wisp_udp_on_error(struct wisp_stream *st, const struct emnet_wisp_packet *pkt)
{
    struct emnet_wisp_addr a;
    struct sockaddr_storage to;
    socklen_t tolen;
    if (st->sockstream && emnet_wisp_decode_addr(pkt->u.udp_error.addr, pkt->u.udp_error.addr_len, &a) > 0 &&
        wisp_from_record(st->ch, &a, &to, &tolen) == 0)
        emnet__chan_datagram_error(st->ch, (const struct sockaddr *)&to, tolen,
                                   emnet_wisp_close_reason_errno(pkt->u.udp_error.reason));
}
