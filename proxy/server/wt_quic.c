/* QUIC for the WebTransport gateway: ngtcp2 with GnuTLS, on one UDP
 * socket that lws polls (adopted as a raw descriptor, as the upstream
 * sockets are), with one lws timer per connection at ngtcp2's expiry.
 *
 * A packet finds its connection by destination connection id: every id
 * the proxy issued (and, until the handshake is done, the client's
 * original one) is in one hash table. A packet for no connection that
 * can start one (an Initial) is accepted within max_connections.
 *
 * Sending: a stream's bytes stay in its queue until the peer acknowledges
 * them (ngtcp2 may send them again); streams with bytes or a FIN to send
 * are on a list the write pass walks, datagrams wait in a short queue.
 * Receiving: credit is given back (extend_max_stream_offset and the
 * connection's) only when the layer above says the bytes were used, so a
 * target that does not read holds the browser's sender. */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wt.h"

#define SCID_LEN 16
#define CID_BUCKETS 4096
#define MAX_UDP_PAYLOAD 1452           /* Ethernet MTU less IPv6 and UDP headers */
#define PACKETS_PER_PASS 64            /* then the loop serves others, and comes back */
#define DATAGRAMS_QUEUED_MAX 256
#define STREAM_WINDOW (256 * 1024)     /* per stream, each way */
#define CONN_WINDOW (4 * 1024 * 1024)
#define IDLE_TIMEOUT_S 30
#define CLOSE_LINGER_MS 1000           /* a closed connection answers late packets this long, then goes */

struct cid_entry {
    struct cid_entry *next;
    uint8_t len;
    uint8_t id[NGTCP2_MAX_CIDLEN];
    struct emnet_px_wt_conn *qc;
};

struct datagram {
    struct datagram *next;
    size_t len;
    uint8_t data[];
};

struct emnet_px_wt_conn {
    struct emnet_px_wt_conn *prev, *next;   /* all connections */
    ngtcp2_conn *conn;
    ngtcp2_crypto_conn_ref ref;
    gnutls_session_t tls;
    struct sockaddr_storage remote;
    socklen_t remote_len;
    char peer[64];
    struct emnet_px_wt_h3 *h3;
    struct emnet_px_wt_stream *streams;
    struct emnet_px_wt_stream *wlist, *wlist_tail;
    struct datagram *dgrams, *dgrams_tail;
    size_t ndgrams;
    lws_sorted_usec_list_t timer;
    lws_sorted_usec_list_t kick;
    int kick_pending;
    int closing;                 /* CONNECTION_CLOSE sent or received: waits out CLOSE_LINGER_MS */
    int64_t close_at_ms;
    uint8_t close_pkt[MAX_UDP_PAYLOAD];
    size_t close_pkt_len;
    int in_callback;             /* inside ngtcp2: no write pass from here */
};

static struct {
    int fd;
    struct lws *wsi;
    struct sockaddr_storage local;
    socklen_t local_len;
    struct cid_entry *cids[CID_BUCKETS];
    struct emnet_px_wt_conn *conns;
    size_t nconns;
    uint8_t reset_secret[32];
} q = { .fd = -1 };

static ngtcp2_tstamp now_ts(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ngtcp2_tstamp)ts.tv_sec * NGTCP2_SECONDS + (ngtcp2_tstamp)ts.tv_nsec;
}

/* ---- connection ids ---- */
static unsigned cid_hash(const uint8_t *id, size_t len)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ id[i]) * 16777619u;
    return h % CID_BUCKETS;
}

static struct emnet_px_wt_conn *cid_find(const uint8_t *id, size_t len)
{
    for (struct cid_entry *e = q.cids[cid_hash(id, len)]; e; e = e->next)
        if (e->len == len && memcmp(e->id, id, len) == 0) return e->qc;
    return NULL;
}

static int cid_add(struct emnet_px_wt_conn *qc, const uint8_t *id, size_t len)
{
    if (len > NGTCP2_MAX_CIDLEN) return -1;
    struct cid_entry *e = malloc(sizeof *e);
    if (!e) return -1;
    e->len = (uint8_t)len;
    memcpy(e->id, id, len);
    e->qc = qc;
    unsigned h = cid_hash(id, len);
    e->next = q.cids[h];
    q.cids[h] = e;
    return 0;
}

static void cid_remove(const uint8_t *id, size_t len)
{
    for (struct cid_entry **p = &q.cids[cid_hash(id, len)]; *p; p = &(*p)->next) {
        if ((*p)->len == len && memcmp((*p)->id, id, len) == 0) {
            struct cid_entry *e = *p;
            *p = e->next;
            free(e);
            return;
        }
    }
}

/* Every id that leads to qc (a connection has a few). */
static void cid_remove_all(struct emnet_px_wt_conn *qc)
{
    for (unsigned h = 0; h < CID_BUCKETS; h++) {
        for (struct cid_entry **p = &q.cids[h]; *p;) {
            if ((*p)->qc == qc) {
                struct cid_entry *e = *p;
                *p = e->next;
                free(e);
            } else {
                p = &(*p)->next;
            }
        }
    }
}

/* ---- streams ---- */
static struct emnet_px_wt_stream *stream_find(struct emnet_px_wt_conn *qc, int64_t id)
{
    for (struct emnet_px_wt_stream *st = qc->streams; st; st = st->next)
        if (st->id == id) return st;
    return NULL;
}

static struct emnet_px_wt_stream *stream_new(struct emnet_px_wt_conn *qc, int64_t id)
{
    struct emnet_px_wt_stream *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->id = id;
    st->qc = qc;
    st->next = qc->streams;
    qc->streams = st;
    return st;
}

static void wlist_remove(struct emnet_px_wt_conn *qc, struct emnet_px_wt_stream *st)
{
    if (!st->in_wlist) return;
    struct emnet_px_wt_stream *prev = NULL;
    for (struct emnet_px_wt_stream *p = qc->wlist; p; prev = p, p = p->wnext) {
        if (p != st) continue;
        if (prev) prev->wnext = p->wnext;
        else qc->wlist = p->wnext;
        if (qc->wlist_tail == p) qc->wlist_tail = prev;
        break;
    }
    st->wnext = NULL;
    st->in_wlist = 0;
}

static void stream_free(struct emnet_px_wt_conn *qc, struct emnet_px_wt_stream *st)
{
    wlist_remove(qc, st);
    for (struct emnet_px_wt_stream **p = &qc->streams; *p; p = &(*p)->next) {
        if (*p == st) {
            *p = st->next;
            break;
        }
    }
    emnet_px_queue_clear(&st->sendq);
    if (st->gw) emnet_px_wtg_stream_forget(st);
    free(st);
}

static int has_to_send(const struct emnet_px_wt_stream *st)
{
    return !st->reset && !st->blocked && (st->unsent || (st->fin_queued && !st->fin_sent));
}

static void wlist_update(struct emnet_px_wt_conn *qc, struct emnet_px_wt_stream *st)
{
    if (has_to_send(st) && !st->in_wlist) {
        st->in_wlist = 1;
        st->wnext = NULL;
        if (qc->wlist_tail) qc->wlist_tail->wnext = st;
        else qc->wlist = st;
        qc->wlist_tail = st;
    } else if (!has_to_send(st) && st->in_wlist) {
        wlist_remove(qc, st);
    }
}

void emnet_px_wt_send(struct emnet_px_wt_stream *st, struct emnet_px_chunk *chunk)
{
    size_t len = chunk->len - chunk->off;
    if (st->reset || st->fin_queued || !len) {
        free(chunk);
        return;
    }
    emnet_px_queue_push(&st->sendq, chunk);
    st->unsent += len;
    wlist_update(st->qc, st);
    emnet_px_wt_kick(st->qc);
}

void emnet_px_wt_send_bytes(struct emnet_px_wt_stream *st, const void *data, size_t len)
{
    struct emnet_px_chunk *chunk = emnet_px_chunk_new(len);
    if (!chunk) {
        emnet_px_wt_reset(st, 0x102);   /* H3_INTERNAL_ERROR */
        return;
    }
    memcpy(emnet_px_chunk_payload(chunk), data, len);
    emnet_px_wt_send(st, chunk);
}

void emnet_px_wt_send_fin(struct emnet_px_wt_stream *st)
{
    if (st->reset || st->fin_queued) return;
    st->fin_queued = 1;
    wlist_update(st->qc, st);
    emnet_px_wt_kick(st->qc);
}

size_t emnet_px_wt_queued(const struct emnet_px_wt_stream *st)
{
    return st->sendq.bytes - st->acked_in_head;
}

void emnet_px_wt_reset(struct emnet_px_wt_stream *st, uint64_t code)
{
    struct emnet_px_wt_conn *qc = st->qc;
    /* A stream whose end was queued ends with it: a reset now would take
     * back bytes and the FIN the peer may not have yet. */
    if (!st->reset && !st->fin_queued) ngtcp2_conn_shutdown_stream_write(qc->conn, st->id, code);
    if (!st->read_closed) ngtcp2_conn_shutdown_stream_read(qc->conn, st->id, code);
    st->reset = 1;
    st->read_closed = 1;
    st->unsent = 0;
    wlist_update(qc, st);
    emnet_px_wt_kick(qc);
}

void emnet_px_wt_stop_reading(struct emnet_px_wt_stream *st, uint64_t code)
{
    if (st->read_closed) return;
    st->read_closed = 1;
    ngtcp2_conn_shutdown_stream_read(st->qc->conn, st->id, code);
    emnet_px_wt_kick(st->qc);
}

void emnet_px_wt_consumed(struct emnet_px_wt_stream *st, size_t n)
{
    if (!n) return;
    ngtcp2_conn_extend_max_stream_offset(st->qc->conn, st->id, n);
    ngtcp2_conn_extend_max_offset(st->qc->conn, n);
    emnet_px_wt_kick(st->qc);
}

struct emnet_px_wt_stream *emnet_px_wt_open_uni(struct emnet_px_wt_conn *qc)
{
    int64_t id;
    if (ngtcp2_conn_open_uni_stream(qc->conn, &id, NULL) != 0) return NULL;
    return stream_new(qc, id);
}

struct emnet_px_wt_stream *emnet_px_wt_streams(struct emnet_px_wt_conn *qc)
{
    return qc->streams;
}

/* ---- datagrams ---- */
size_t emnet_px_wt_datagram_max(struct emnet_px_wt_conn *qc)
{
    /* What one packet holds after its own header and the frame's:
     * conservative, so that a datagram never fails for its size. */
    size_t pmtu = ngtcp2_conn_get_path_max_tx_udp_payload_size(qc->conn);
    return pmtu > 64 ? pmtu - 64 : 0;
}

int emnet_px_wt_send_datagram(struct emnet_px_wt_conn *qc, const void *data, size_t len)
{
    if (qc->closing || qc->ndgrams >= DATAGRAMS_QUEUED_MAX || len > emnet_px_wt_datagram_max(qc)) return -1;
    struct datagram *d = malloc(sizeof *d + len);
    if (!d) return -1;
    d->next = NULL;
    d->len = len;
    memcpy(d->data, data, len);
    if (qc->dgrams_tail) qc->dgrams_tail->next = d;
    else qc->dgrams = d;
    qc->dgrams_tail = d;
    qc->ndgrams++;
    emnet_px_wt_kick(qc);
    return 0;
}

static void datagram_pop(struct emnet_px_wt_conn *qc)
{
    struct datagram *d = qc->dgrams;
    qc->dgrams = d->next;
    if (!qc->dgrams) qc->dgrams_tail = NULL;
    qc->ndgrams--;
    free(d);
}

/* ---- connection life ---- */
static void conn_free(struct emnet_px_wt_conn *qc)
{
    lws_sul_cancel(&qc->timer);
    lws_sul_cancel(&qc->kick);
    if (qc->h3) emnet_px_h3_free(qc->h3);
    qc->h3 = NULL;
    while (qc->streams) stream_free(qc, qc->streams);
    while (qc->dgrams) datagram_pop(qc);
    cid_remove_all(qc);
    if (qc->prev) qc->prev->next = qc->next;
    else q.conns = qc->next;
    if (qc->next) qc->next->prev = qc->prev;
    q.nconns--;
    if (qc->conn) ngtcp2_conn_del(qc->conn);
    if (qc->tls) gnutls_deinit(qc->tls);
    free(qc);
}

static void send_packet(struct emnet_px_wt_conn *qc, const uint8_t *pkt, size_t len)
{
    /* A full socket buffer drops the packet: QUIC's loss recovery sends
     * it again, as for a packet lost on the way. */
    if (sendto(q.fd, pkt, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&qc->remote, qc->remote_len) < 0 &&
        errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
        emnet_px_log(EMNET_PX_DEBUG, "wt_send_failed", "client", qc->peer, "error", strerror(errno), NULL);
}

static void schedule_timer(struct emnet_px_wt_conn *qc);

/* Ends the connection: CONNECTION_CLOSE with the error, kept to answer
 * late packets for a while, then freed by the timer. */
static void enter_closing(struct emnet_px_wt_conn *qc, const ngtcp2_connection_close_error *ccerr)
{
    if (qc->closing) return;
    qc->closing = 1;
    qc->close_at_ms = emnet_px_now_ms() + CLOSE_LINGER_MS;
    /* Inside a callback the HTTP/3 layer is on the stack: it called
     * emnet_px_wt_close (fail_conn) and goes on reading its own state
     * when that returns. Freeing it here was a use after free that any
     * peer could cause (a control stream without SETTINGS was enough):
     * on_packet frees it once ngtcp2_conn_read_pkt has returned. */
    if (qc->h3 && !qc->in_callback) {
        emnet_px_h3_free(qc->h3);
        qc->h3 = NULL;
    }
    if (!ngtcp2_conn_is_in_draining_period(qc->conn) && !ngtcp2_conn_is_in_closing_period(qc->conn)) {
        ngtcp2_path_storage ps;
        ngtcp2_path_storage_zero(&ps);
        ngtcp2_pkt_info pi;
        ngtcp2_ssize n = ngtcp2_conn_write_connection_close(qc->conn, &ps.path, &pi, qc->close_pkt,
                                                            sizeof qc->close_pkt, ccerr, now_ts());
        if (n > 0) {
            qc->close_pkt_len = (size_t)n;
            send_packet(qc, qc->close_pkt, qc->close_pkt_len);
        }
    }
    schedule_timer(qc);
}

static void close_liberr(struct emnet_px_wt_conn *qc, int liberr)
{
    if (liberr == NGTCP2_ERR_DRAINING || liberr == NGTCP2_ERR_DROP_CONN) {
        qc->closing = 1;
        qc->close_at_ms = emnet_px_now_ms() + (liberr == NGTCP2_ERR_DROP_CONN ? 0 : CLOSE_LINGER_MS);
        if (qc->h3) emnet_px_h3_free(qc->h3);
        qc->h3 = NULL;
        schedule_timer(qc);
        return;
    }
    ngtcp2_connection_close_error ccerr;
    if (liberr == NGTCP2_ERR_CRYPTO)
        ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, ngtcp2_conn_get_tls_alert(qc->conn), NULL,
                                                                    0);
    else
        ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, liberr, NULL, 0);
    enter_closing(qc, &ccerr);
}

void emnet_px_wt_close(struct emnet_px_wt_conn *qc, uint64_t h3_code, const char *reason)
{
    ngtcp2_connection_close_error ccerr;
    ngtcp2_connection_close_error_set_application_error(&ccerr, h3_code, (const uint8_t *)reason,
                                                        reason ? strlen(reason) : 0);
    enter_closing(qc, &ccerr);
}

/* ---- the write pass ---- */
/* Up to 8 pieces of what the stream has not handed to QUIC yet. */
static size_t unsent_vec(struct emnet_px_wt_stream *st, ngtcp2_vec *v, size_t max)
{
    size_t skip = st->sendq.bytes - st->unsent;   /* bytes handed to QUIC, from the head chunk's start */
    size_t n = 0;
    for (struct emnet_px_chunk *c = st->sendq.head; c && n < max; c = c->next) {
        size_t len = c->len - c->off;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        v[n].base = emnet_px_chunk_payload(c) + c->off + skip;
        v[n].len = len - skip;
        skip = 0;
        n++;
    }
    return n;
}

/* Writes packets until ngtcp2 has nothing more or congestion control
 * says stop; 0, or -1 when the connection failed (and is closing). */
static int write_pass(struct emnet_px_wt_conn *qc)
{
    if (qc->closing || qc->in_callback) return 0;
    uint8_t pkt[MAX_UDP_PAYLOAD];
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_tstamp ts = now_ts();
    int packets = 0;
    while (packets < PACKETS_PER_PASS) {
        struct emnet_px_wt_stream *st = qc->wlist;
        ngtcp2_pkt_info pi;
        ngtcp2_ssize n, accepted = -1;
        if (qc->dgrams) {
            int acc = 0;
            ngtcp2_vec v = { qc->dgrams->data, qc->dgrams->len };
            n = ngtcp2_conn_writev_datagram(qc->conn, &ps.path, &pi, pkt, sizeof pkt, &acc,
                                            NGTCP2_WRITE_DATAGRAM_FLAG_MORE, 0, &v, 1, ts);
            if (acc || n == NGTCP2_ERR_INVALID_ARGUMENT) datagram_pop(qc);   /* sent, or never will be */
            if (n == NGTCP2_ERR_WRITE_MORE) continue;
        } else {
            ngtcp2_vec v[8];
            size_t nv = st ? unsent_vec(st, v, 8) : 0;
            uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
            size_t total = 0;
            for (size_t i = 0; i < nv; i++) total += v[i].len;
            if (st && st->fin_queued && total == st->unsent) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
            n = ngtcp2_conn_writev_stream(qc->conn, &ps.path, &pi, pkt, sizeof pkt, &accepted, flags,
                                          st ? st->id : -1, v, nv, ts);
            if (st && accepted >= 0) {
                st->unsent -= (size_t)accepted;
                if ((flags & NGTCP2_WRITE_STREAM_FLAG_FIN) && (size_t)accepted == total) st->fin_sent = 1;
                wlist_update(qc, st);
            }
            if (n == NGTCP2_ERR_WRITE_MORE) continue;
            if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED || n == NGTCP2_ERR_STREAM_SHUT_WR ||
                n == NGTCP2_ERR_STREAM_NOT_FOUND) {
                /* This stream waits for the peer's credit (or is gone):
                 * the others go on. */
                st->blocked = n == NGTCP2_ERR_STREAM_DATA_BLOCKED;
                if (n != NGTCP2_ERR_STREAM_DATA_BLOCKED) st->reset = 1;
                wlist_update(qc, st);
                continue;
            }
        }
        if (n < 0) {
            close_liberr(qc, (int)n);
            return -1;
        }
        if (n == 0) break;
        send_packet(qc, pkt, (size_t)n);
        packets++;
    }
    ngtcp2_conn_update_pkt_tx_time(qc->conn, ts);
    schedule_timer(qc);
    /* The rest after other connections had a turn, but only when this
     * pass ran out of its budget: when ngtcp2 wrote nothing more with
     * bytes still queued (congestion window, pacing, the handshake), a
     * kick would come straight back here, and the loop spun at full CPU
     * until a packet arrived. The timer (ngtcp2's expiry) and the next
     * acknowledgement write the rest then. */
    if (packets >= PACKETS_PER_PASS && (qc->wlist || qc->dgrams)) emnet_px_wt_kick(qc);
    return 0;
}

static void on_kick(lws_sorted_usec_list_t *sul)
{
    struct emnet_px_wt_conn *qc = lws_container_of(sul, struct emnet_px_wt_conn, kick);
    qc->kick_pending = 0;
    write_pass(qc);
}

void emnet_px_wt_kick(struct emnet_px_wt_conn *qc)
{
    if (qc->kick_pending || qc->closing) return;
    qc->kick_pending = 1;
    lws_sul_schedule(emnet_px.ctx, 0, &qc->kick, on_kick, 1);
}

static void on_timer(lws_sorted_usec_list_t *sul)
{
    struct emnet_px_wt_conn *qc = lws_container_of(sul, struct emnet_px_wt_conn, timer);
    if (qc->closing) {
        if (emnet_px_now_ms() >= qc->close_at_ms) conn_free(qc);
        else schedule_timer(qc);
        return;
    }
    int rv = ngtcp2_conn_handle_expiry(qc->conn, now_ts());
    if (rv != 0) {
        close_liberr(qc, rv == NGTCP2_ERR_IDLE_CLOSE ? NGTCP2_ERR_DROP_CONN : rv);
        return;
    }
    write_pass(qc);
}

static void schedule_timer(struct emnet_px_wt_conn *qc)
{
    lws_usec_t us;
    if (qc->closing) {
        int64_t ms = qc->close_at_ms - emnet_px_now_ms();
        us = ms > 0 ? (lws_usec_t)ms * 1000 : 1;
    } else {
        ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(qc->conn), now = now_ts();
        if (expiry == UINT64_MAX) return;
        us = expiry > now ? (lws_usec_t)((expiry - now) / NGTCP2_MICROSECONDS) + 1 : 1;
    }
    lws_sul_schedule(emnet_px.ctx, 0, &qc->timer, on_timer, us);
}

/* ---- ngtcp2 callbacks ---- */
/* The HTTP/3 layer, unless the connection is closing: frames after the
 * one that closed it (in the same packet) are not its business. */
static struct emnet_px_wt_h3 *live_h3(const struct emnet_px_wt_conn *qc)
{
    return qc->closing ? NULL : qc->h3;
}

static void cb_rand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx)
{
    (void)ctx;
    gnutls_rnd(GNUTLS_RND_RANDOM, dest, len);
}

static int cb_new_cid(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen, void *user)
{
    (void)conn;
    struct emnet_px_wt_conn *qc = user;
    if (gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen) != 0) return NGTCP2_ERR_CALLBACK_FAILURE;
    cid->datalen = cidlen;
    if (ngtcp2_crypto_generate_stateless_reset_token(token, q.reset_secret, sizeof q.reset_secret, cid) != 0)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    return cid_add(qc, cid->data, cid->datalen) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

static int cb_remove_cid(ngtcp2_conn *conn, const ngtcp2_cid *cid, void *user)
{
    (void)conn;
    (void)user;
    cid_remove(cid->data, cid->datalen);
    return 0;
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *user)
{
    (void)conn;
    struct emnet_px_wt_conn *qc = user;
    emnet_px_h3_handshake_done(qc->h3);
    return 0;
}

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t offset, const uint8_t *data,
                               size_t len, void *user, void *stream_user)
{
    (void)conn;
    (void)offset;
    (void)stream_user;
    struct emnet_px_wt_conn *qc = user;
    struct emnet_px_wt_stream *st = stream_find(qc, id);
    if (!st && !(st = stream_new(qc, id))) return NGTCP2_ERR_CALLBACK_FAILURE;
    if (st->read_closed) {   /* we stopped reading: what still comes is credited and dropped */
        emnet_px_wt_consumed(st, len);
        return 0;
    }
    if (flags & NGTCP2_STREAM_DATA_FLAG_FIN) st->read_closed = 1;
    if (live_h3(qc)) emnet_px_h3_stream_data(qc->h3, st, data, len, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0);
    return 0;
}

static int cb_acked(ngtcp2_conn *conn, int64_t id, uint64_t offset, uint64_t len, void *user, void *stream_user)
{
    (void)conn;
    (void)offset;
    (void)stream_user;
    struct emnet_px_wt_conn *qc = user;
    struct emnet_px_wt_stream *st = stream_find(qc, id);
    if (!st) return 0;
    /* Acknowledgements come in order: drop whole chunks from the head. */
    size_t n = (size_t)len;
    while (n && st->sendq.head) {
        struct emnet_px_chunk *c = st->sendq.head;
        size_t left = c->len - c->off - st->acked_in_head;
        if (n < left) {
            st->acked_in_head += n;
            n = 0;
            break;
        }
        n -= left;
        st->acked_in_head = 0;
        free(emnet_px_queue_pop(&st->sendq));
    }
    if (live_h3(qc)) emnet_px_h3_stream_acked(qc->h3, st);
    return 0;
}

static int cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t code, void *user,
                           void *stream_user)
{
    (void)conn;
    (void)flags;
    (void)code;
    (void)stream_user;
    struct emnet_px_wt_conn *qc = user;
    struct emnet_px_wt_stream *st = stream_find(qc, id);
    if (!st) return 0;
    if (live_h3(qc)) emnet_px_h3_stream_closed(qc->h3, st);
    stream_free(qc, st);
    /* A stream the peer opened makes room for another. */
    if (!ngtcp2_conn_is_local_stream(qc->conn, id)) {
        if (id & 2) ngtcp2_conn_extend_max_streams_uni(qc->conn, 1);
        else ngtcp2_conn_extend_max_streams_bidi(qc->conn, 1);
    }
    return 0;
}

static int cb_stream_reset(ngtcp2_conn *conn, int64_t id, uint64_t final_size, uint64_t code, void *user,
                           void *stream_user)
{
    (void)conn;
    (void)final_size;
    (void)stream_user;
    struct emnet_px_wt_conn *qc = user;
    struct emnet_px_wt_stream *st = stream_find(qc, id);
    if (!st) return 0;
    st->read_closed = 1;
    if (live_h3(qc)) emnet_px_h3_stream_reset(qc->h3, st, code);
    return 0;
}

/* No stream_stop_sending callback: in ngtcp2 0.12 it reports that *we*
 * stopped reading a stream (ngtcp2_conn_shutdown_stream_read, called by
 * emnet_px_wt_stop_reading and emnet_px_wt_reset), not a STOP_SENDING
 * from the peer. Taken for the peer's, it reset our own sending side the
 * moment our STOP_SENDING went out: a refused CONNECT lost its :status
 * and its FIN, and the page waited for an answer that never came. The
 * peer's STOP_SENDING reaches us as NGTCP2_ERR_STREAM_SHUT_WR in
 * write_pass (ngtcp2 answers it with RESET_STREAM itself). */

static int cb_extend_max_stream_data(ngtcp2_conn *conn, int64_t id, uint64_t max, void *user, void *stream_user)
{
    (void)conn;
    (void)max;
    (void)stream_user;
    struct emnet_px_wt_conn *qc = user;
    struct emnet_px_wt_stream *st = stream_find(qc, id);
    if (st && st->blocked) {
        st->blocked = 0;
        wlist_update(qc, st);
    }
    return 0;
}

static int cb_recv_datagram(ngtcp2_conn *conn, uint32_t flags, const uint8_t *data, size_t len, void *user)
{
    (void)conn;
    (void)flags;
    struct emnet_px_wt_conn *qc = user;
    if (live_h3(qc)) emnet_px_h3_datagram(qc->h3, data, len);
    return 0;
}

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref)
{
    return ((struct emnet_px_wt_conn *)ref->user_data)->conn;
}

/* ---- accepting ---- */
static int tls_setup(struct emnet_px_wt_conn *qc)
{
    static const char *priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
                                  "+CHACHA20-POLY1305:%DISABLE_TLS13_COMPAT_MODE";
    if (gnutls_init(&qc->tls, GNUTLS_SERVER | GNUTLS_ENABLE_EARLY_DATA | GNUTLS_NO_END_OF_EARLY_DATA) != 0) {
        qc->tls = NULL;
        return -1;
    }
    if (gnutls_priority_set_direct(qc->tls, priority, NULL) != 0) return -1;
    if (ngtcp2_crypto_gnutls_configure_server_session(qc->tls) != 0) return -1;
    if (gnutls_credentials_set(qc->tls, GNUTLS_CRD_CERTIFICATE, emnet_px_wt_cert_credentials()) != 0) return -1;
    gnutls_datum_t alpn = { (unsigned char *)"h3", 2 };
    if (gnutls_alpn_set_protocols(qc->tls, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0) return -1;
    qc->ref.get_conn = get_conn;
    qc->ref.user_data = qc;
    gnutls_session_set_ptr(qc->tls, &qc->ref);
    ngtcp2_conn_set_tls_native_handle(qc->conn, qc->tls);
    return 0;
}

static struct emnet_px_wt_conn *accept_conn(const uint8_t *pkt, size_t len, const struct sockaddr *from,
                                            socklen_t fromlen)
{
    ngtcp2_pkt_hd hd;
    if (ngtcp2_accept(&hd, pkt, len) != 0) return NULL;
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    /* Sessions are counted at the CONNECT (wt_h3.c), which refuses one
     * over max_connections with a 429 the page can read. Here only the
     * QUIC state is bounded: room for max_connections sessions and as
     * many connections on their way to one. This used to add the
     * sessions (emnet_px.nconns) to the QUIC connections that carry
     * them, counting each session twice: with max_connections 2 and one
     * session open, a second client could not even finish a handshake. */
    if (emnet_px.draining || q.nconns >= 2 * (size_t)cfg->max_connections) {
        emnet_px_refuse(emnet_px.draining ? EMNET_PX_REFUSE_DRAINING : EMNET_PX_REFUSE_MAX_CONNECTIONS);
        return NULL;   /* no state for it: the client times out and may try again */
    }
    struct emnet_px_wt_conn *qc = calloc(1, sizeof *qc);
    if (!qc) return NULL;
    memcpy(&qc->remote, from, fromlen);
    qc->remote_len = fromlen;
    emnet_px_sockaddr_ip(&qc->remote, qc->peer, sizeof qc->peer);

    static const ngtcp2_callbacks callbacks = {
        .recv_client_initial = ngtcp2_crypto_recv_client_initial_cb,
        .recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb,
        .handshake_completed = cb_handshake_completed,
        .encrypt = ngtcp2_crypto_encrypt_cb,
        .decrypt = ngtcp2_crypto_decrypt_cb,
        .hp_mask = ngtcp2_crypto_hp_mask_cb,
        .recv_stream_data = cb_recv_stream_data,
        .acked_stream_data_offset = cb_acked,
        .stream_close = cb_stream_close,
        .rand = cb_rand,
        .get_new_connection_id = cb_new_cid,
        .remove_connection_id = cb_remove_cid,
        .update_key = ngtcp2_crypto_update_key_cb,
        .stream_reset = cb_stream_reset,
        .extend_max_stream_data = cb_extend_max_stream_data,
        .delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb,
        .delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb,
        .recv_datagram = cb_recv_datagram,
        .get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb,
        .version_negotiation = ngtcp2_crypto_version_negotiation_cb,
    };
    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = now_ts();
    settings.max_tx_udp_payload_size = MAX_UDP_PAYLOAD;
    settings.max_window = CONN_WINDOW;
    settings.max_stream_window = STREAM_WINDOW;
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_stream_data_bidi_local = STREAM_WINDOW;
    params.initial_max_stream_data_bidi_remote = STREAM_WINDOW;
    params.initial_max_stream_data_uni = STREAM_WINDOW;
    params.initial_max_data = CONN_WINDOW;
    /* The page's streams at once: max_streams, as for a Wisp connection
     * (and one for the CONNECT); each that ends makes room for another. */
    params.initial_max_streams_bidi = (uint64_t)emnet_px.cfg->max_streams + 1;
    params.initial_max_streams_uni = 16;
    params.max_idle_timeout = IDLE_TIMEOUT_S * NGTCP2_SECONDS;
    params.active_connection_id_limit = 4;
    params.max_datagram_frame_size = 65535;   /* without it, the browser sends no datagram */
    params.original_dcid = hd.dcid;
    params.stateless_reset_token_present = 1;

    ngtcp2_cid scid;
    scid.datalen = SCID_LEN;
    gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, SCID_LEN);
    if (ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, q.reset_secret,
                                                     sizeof q.reset_secret, &scid) != 0) {
        free(qc);
        return NULL;
    }
    ngtcp2_path path = {
        .local = { (ngtcp2_sockaddr *)&q.local, q.local_len },
        .remote = { (ngtcp2_sockaddr *)&qc->remote, qc->remote_len },
    };
    if (ngtcp2_conn_server_new(&qc->conn, &hd.scid, &scid, &path, hd.version, &callbacks, &settings, &params, NULL,
                               qc) != 0) {
        free(qc);
        return NULL;
    }
    qc->next = q.conns;
    if (qc->next) qc->next->prev = qc;
    q.conns = qc;
    q.nconns++;
    if (tls_setup(qc) != 0 || !(qc->h3 = emnet_px_h3_new(qc)) || cid_add(qc, scid.data, scid.datalen) != 0 ||
        cid_add(qc, hd.dcid.data, hd.dcid.datalen) != 0) {
        conn_free(qc);
        return NULL;
    }
    return qc;
}

/* ---- receiving ---- */
static void on_packet(const uint8_t *pkt, size_t len, const struct sockaddr *from, socklen_t fromlen)
{
    ngtcp2_version_cid vc;
    if (ngtcp2_pkt_decode_version_cid(&vc, pkt, len, SCID_LEN) != 0) return;   /* not QUIC v1, or garbage */
    struct emnet_px_wt_conn *qc = cid_find(vc.dcid, vc.dcidlen);
    if (!qc && !(qc = accept_conn(pkt, len, from, fromlen))) return;
    if (qc->closing) {
        if (qc->close_pkt_len) send_packet(qc, qc->close_pkt, qc->close_pkt_len);
        return;
    }
    ngtcp2_path path = {
        .local = { (ngtcp2_sockaddr *)&q.local, q.local_len },
        .remote = { (ngtcp2_sockaddr *)from, fromlen },
    };
    ngtcp2_pkt_info pi = { 0 };
    qc->in_callback = 1;
    int rv = ngtcp2_conn_read_pkt(qc->conn, &path, &pi, pkt, len, now_ts());
    qc->in_callback = 0;
    if (qc->closing && qc->h3) {   /* the HTTP/3 layer closed the connection from a callback */
        emnet_px_h3_free(qc->h3);
        qc->h3 = NULL;
    }
    if (rv != 0) {
        close_liberr(qc, rv);
        return;
    }
    write_pass(qc);
}

static int on_readable(void)
{
    uint8_t buf[65536];
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(q.fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
        if (n < 0) break;
        on_packet(buf, (size_t)n, (struct sockaddr *)&from, fromlen);
    }
    return 0;
}

static int quic_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void)wsi;
    (void)user;
    (void)in;
    (void)len;
    if (reason == LWS_CALLBACK_RAW_RX_FILE) return on_readable();
    return 0;
}

const struct lws_protocols emnet_px_wt_protocol = { "emnet-webtransport", quic_callback, 0, 0, 0, NULL, 0 };

const char *emnet_px_wt_peer(const struct emnet_px_wt_conn *qc) { return qc->peer; }
struct emnet_px_wt_h3 *emnet_px_wt_h3_of(struct emnet_px_wt_conn *qc) { return qc->h3; }

int emnet_px_wt_start(const char *listen, char *err, size_t errlen)
{
    char host[256];
    uint16_t port;
    if (emnet_split_host_port(listen, host, sizeof host, &port) != 0) {
        snprintf(err, errlen, "webtransport_listen: not HOST:PORT: %s", listen);
        return -1;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sslen;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        sslen = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        sslen = sizeof *a6;
    } else {
        snprintf(err, errlen, "webtransport_listen: not a numeric address: %s", host);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
        snprintf(err, errlen, "webtransport_listen %s: %s", listen, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    /* Room for bursts of a browser's packets while the loop is busy. */
    int rcvbuf = 4 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    q.local_len = sizeof q.local;
    getsockname(fd, (struct sockaddr *)&q.local, &q.local_len);
    gnutls_rnd(GNUTLS_RND_KEY, q.reset_secret, sizeof q.reset_secret);

    lws_adopt_desc_t desc;
    memset(&desc, 0, sizeof desc);
    desc.vh = emnet_px.vhost;
    desc.type = LWS_ADOPT_RAW_FILE_DESC;
    desc.fd.filefd = fd;
    desc.vh_prot_name = emnet_px_wt_protocol.name;
    q.wsi = lws_adopt_descriptor_vhost_via_info(&desc);
    if (!q.wsi) {
        snprintf(err, errlen, "webtransport_listen: lws did not take the socket");
        return -1;
    }
    q.fd = fd;
    return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&q.local)->sin_port)
                                   : ntohs(((struct sockaddr_in6 *)&q.local)->sin6_port);
}

void emnet_px_wt_stop(void)
{
    emnet_px_wtg_stop();
    while (q.conns) conn_free(q.conns);
    q.fd = -1;   /* lws closes it with the context */
}
