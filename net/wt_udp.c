/* The webtransport transport's UDP flows (webtransport.h).
 *
 * A UDP socket is one flow: a stream (kind 0x02, the socket's family)
 * that lives as long as the socket, to which the proxy answers with its
 * status and the flow's id -- one UDP socket on the proxy, which hears any
 * sender, as a bound Linux socket does. Datagrams travel as QUIC
 * datagrams (flow id, socket address, payload); one that does not fit in
 * the session's largest datagram goes on the flow's stream as a record
 * instead, and the proxy's error records (an ICMP error, a blocked
 * destination) reach the socket as a network's errors would: only a
 * connected socket hears them (udp.c).
 *
 * Until the reply names the flow, datagrams wait in it, up to the send
 * buffer (then EAGAIN, and a drained event once they have gone). A flow
 * whose stream ends (the session closed, the proxy refused it) is
 * forgotten: the socket's next datagram opens a new one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "webtransport.h"

enum { FLOW_REPLY, FLOW_OPEN };

struct wt_pending {
    struct wt_pending *next;
    struct sockaddr_storage to;
    socklen_t tolen;
    size_t len;
    uint8_t data[];
};

struct wt_flow {
    struct wt_stream st;           /* first: the stream's owner is this */
    int phase;
    int fallback;                  /* opened through auto: wisp takes over if the session fails */
    uint64_t id;
    uint8_t *in;                   /* the stream's bytes not yet decoded: the reply, then records */
    size_t in_len;
    struct wt_pending *pending, *pending_tail;
    size_t pending_bytes;
};

/* ---- addresses ---- */

static int to_wt(const struct sockaddr *to, struct emnet_wt_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (emnet__placeholder_name(to)) return -EHOSTUNREACH;   /* only an address travels in a datagram */
    if (to->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)to;
        out->ip.type = EMNET_WT_ADDR_IPV4;
        memcpy(out->ip.bytes, &a->sin_addr, 4);
        out->port = ntohs(a->sin_port);
        return 0;
    }
    if (to->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)to;
        if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
            out->ip.type = EMNET_WT_ADDR_IPV4;
            memcpy(out->ip.bytes, a->sin6_addr.s6_addr + 12, 4);
        } else {
            out->ip.type = EMNET_WT_ADDR_IPV6;
            memcpy(out->ip.bytes, &a->sin6_addr, 16);
        }
        out->port = ntohs(a->sin6_port);
        return 0;
    }
    return -EAFNOSUPPORT;
}

/* A socket address as one of the socket's family (IPv4 as v4-mapped on
 * AF_INET6); -1 when it cannot be (IPv6 to an AF_INET socket). */
static int from_wt(const struct emnet_channel *ch, const struct emnet_wt_sockaddr *sa, struct sockaddr_storage *ss,
                   socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (ch->family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        if (sa->ip.type == EMNET_WT_ADDR_IPV4)
            memcpy(&a->sin_addr, sa->ip.bytes, 4);
        else if (!memcmp(sa->ip.bytes, mapped, 12))
            memcpy(&a->sin_addr, sa->ip.bytes + 12, 4);
        else
            return -1;
        a->sin_family = AF_INET;
        a->sin_port = htons(sa->port);
        *len = sizeof *a;
        return 0;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(sa->port);
    if (sa->ip.type == EMNET_WT_ADDR_IPV4) {
        a->sin6_addr.s6_addr[10] = a->sin6_addr.s6_addr[11] = 0xff;
        memcpy(a->sin6_addr.s6_addr + 12, sa->ip.bytes, 4);
    } else {
        memcpy(&a->sin6_addr, sa->ip.bytes, 16);
    }
    *len = sizeof *a;
    return 0;
}

/* ---- sending ---- */

/* Now: as a QUIC datagram when it fits, else as a record on the stream. */
static int send_now(struct wt_flow *f, const struct emnet_wt_sockaddr *sa, const void *buf, size_t len)
{
    uint8_t head[EMNET_WT_RECORD_HEADER_MAX > EMNET_WT_DATAGRAM_HEADER_MAX ? EMNET_WT_RECORD_HEADER_MAX
                                                                            : EMNET_WT_DATAGRAM_HEADER_MAX];
    size_t n = emnet_wt_encode_datagram_header(head, sizeof head, f->id, sa);
    if (!n) return -EINVAL;
    if (n + len <= wt_session_max_datagram(f->st.sess)) {
        wt_session_send_datagram(f->st.sess, head, n, buf, len);
        return 0;
    }
    n = emnet_wt_encode_datagram_record_header(head, sizeof head, sa, len);
    if (!n) return -EMSGSIZE;
    emnet_js_wt_stream_write(f->st.h, head, n);
    if (len) emnet_js_wt_stream_write(f->st.h, buf, len);
    return 0;
}

static void drop_pending(struct wt_flow *f)
{
    while (f->pending) {
        struct wt_pending *d = f->pending;
        f->pending = d->next;
        free(d);
    }
    f->pending_tail = NULL;
    f->pending_bytes = 0;
}

/* Lets go of the flow: its stream (ended in order, or reset) and its id. */
static void flow_free(struct wt_flow *f, int reset)
{
    if (f->phase == FLOW_OPEN && f->st.sess) wt_session_remove_flow(f->st.sess, f->id);
    wt_stream_release(&f->st, reset);
    if (f->st.ch) f->st.ch->state = NULL;
    drop_pending(f);
    free(f->in);
    free(f);
}

/* ---- the flow stream's events ---- */

static uint8_t *flow_reserve(struct wt_stream *st, size_t len)
{
    struct wt_flow *f = (struct wt_flow *)st;
    uint8_t *n = realloc(f->in, f->in_len + len);
    if (!n) {
        flow_free(f, 1);   /* the next datagram opens a new flow */
        return NULL;
    }
    f->in = n;
    return n + f->in_len;
}

/* The reply names the flow: what waited for it goes now. */
static void flow_opened(struct wt_flow *f, uint64_t id)
{
    struct emnet_channel *ch = f->st.ch;
    f->phase = FLOW_OPEN;
    f->id = id;
    wt_session_add_flow(f->st.sess, id, ch);
    int waited = f->pending != NULL;
    while (f->pending) {
        struct wt_pending *d = f->pending;
        struct emnet_wt_sockaddr sa;
        f->pending = d->next;
        if (to_wt((const struct sockaddr *)&d->to, &sa) == 0) send_now(f, &sa, d->data, d->len);
        free(d);
    }
    f->pending_tail = NULL;
    f->pending_bytes = 0;
    if (waited) emnet__chan_drained(ch);   /* room again for a sender that was told EAGAIN */
}

/* One record of the stream: a datagram too large for QUIC's, or an
 * error for a destination. */
static void flow_record(struct wt_flow *f, const struct emnet_wt_record *r)
{
    struct emnet_channel *ch = f->st.ch;
    struct sockaddr_storage from;
    socklen_t flen;
    if (from_wt(ch, &r->addr, &from, &flen) < 0) return;
    if (r->type == EMNET_WT_RECORD_ERROR) {
        emnet__chan_datagram_error(ch, (const struct sockaddr *)&from, flen, emnet_wt_status_errno(r->status));
        return;
    }
    uint8_t *p = emnet__chan_dgram_reserve(ch, r->len);
    if (!p) return;   /* dropped and counted, as Linux drops it */
    if (r->len) memcpy(p, r->payload, r->len);
    emnet__chan_dgram_commit(ch, (const struct sockaddr *)&from, flen, 0, r->len);
}

static int flow_commit(struct wt_stream *st, size_t len)
{
    struct wt_flow *f = (struct wt_flow *)st;
    f->in_len += len;
    size_t at = 0;
    if (f->phase == FLOW_REPLY) {
        struct emnet_wt_udp_reply reply;
        int n = emnet_wt_decode_udp_reply(f->in, f->in_len, &reply);
        if (n == 0) return 1;
        if (reply.status != EMNET_WT_STATUS_OK) {
            flow_free(f, 0);   /* refused: the next datagram asks again */
            return 0;
        }
        flow_opened(f, reply.flow_id);
        at = (size_t)n;
    }
    for (;;) {
        struct emnet_wt_record r;
        int n = emnet_wt_decode_record(f->in + at, f->in_len - at, &r);
        if (n == 0) break;
        if (n < 0) {
            flow_free(f, 1);   /* a protocol error: the stream is reset */
            return 0;
        }
        flow_record(f, &r);
        at += (size_t)n;
    }
    memmove(f->in, f->in + at, f->in_len - at);
    f->in_len -= at;
    return 1;
}

static void flow_fin(struct wt_stream *st)
{
    flow_free((struct wt_flow *)st, 0);
}

static void flow_error(struct wt_stream *st, int code)
{
    (void)code;
    flow_free((struct wt_flow *)st, 1);
}

static void flow_drained(struct wt_stream *st)
{
    emnet__chan_drained(st->ch);
}

static void flow_session_closed(struct wt_stream *st, int opened, const char *why)
{
    struct wt_flow *f = (struct wt_flow *)st;
    struct emnet_channel *ch = st->ch;
    if (!f->fallback || opened) {
        flow_free(f, 0);
        return;
    }
    /* auto: wisp carries this socket from now on, what waited first. */
    struct wt_pending *d = f->pending;
    f->pending = f->pending_tail = NULL;
    flow_free(f, 0);
    wt_auto_session_failed(why);
    ch->transport = &emnet__wisp_transport;
    while (d) {
        struct wt_pending *next = d->next;
        emnet__wisp_transport.send_datagram(ch, (const struct sockaddr *)&d->to, d->tolen, d->data, d->len);
        free(d);
        d = next;
    }
}

static const struct wt_stream_ops flow_ops = {
    .reserve = flow_reserve,
    .commit = flow_commit,
    .fin = flow_fin,
    .error = flow_error,
    .drained = flow_drained,
    .session_closed = flow_session_closed,
};

/* ---- the transport's operations ---- */

static struct wt_flow *flow_new(struct emnet_channel *ch, int fallback, int *err)
{
    struct wt_session *s = wt_session_get(err);
    if (!s) return NULL;
    uint8_t head[EMNET_WT_REQUEST_MAX];
    size_t n = emnet_wt_encode_udp_request(head, sizeof head, ch->family == AF_INET6 ? 6 : 4);
    struct wt_flow *f = calloc(1, sizeof *f);
    if (!f) {
        *err = -ENOBUFS;
        return NULL;
    }
    f->st.ch = ch;
    f->fallback = fallback;
    *err = wt_stream_start(&f->st, s, &flow_ops, head, n);
    if (*err < 0) {
        free(f);
        return NULL;
    }
    ch->state = f;
    return f;
}

int wt_udp_send(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf, size_t len,
                int fallback)
{
    struct emnet_wt_sockaddr sa;
    int err = to_wt(to, &sa);
    if (err < 0) return err;
    struct wt_flow *f = ch->state;
    if (!f && !(f = flow_new(ch, fallback, &err))) return err;
    if (f->phase == FLOW_OPEN) return send_now(f, &sa, buf, len);
    if (f->pending_bytes + len > ch->snd_limit) return -EAGAIN;   /* told, when the flow opens */
    struct wt_pending *d = malloc(sizeof *d + (len ? len : 1));
    if (!d) return -ENOBUFS;
    d->next = NULL;
    memcpy(&d->to, to, tolen);
    d->tolen = tolen;
    d->len = len;
    if (len) memcpy(d->data, buf, len);
    if (f->pending_tail)
        f->pending_tail->next = d;
    else
        f->pending = d;
    f->pending_tail = d;
    f->pending_bytes += len;
    return 0;
}

int wt_udp_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf,
                         size_t len)
{
    return wt_udp_send(ch, to, tolen, buf, len, 0);
}

int wt_udp_send_full(const struct emnet_channel *ch)
{
    const struct wt_flow *f = ch->state;
    return f && f->phase == FLOW_REPLY && f->pending_bytes >= ch->snd_limit;
}

void wt_udp_close(struct emnet_channel *ch)
{
    if (ch->state) flow_free(ch->state, 0);
}

/* A QUIC datagram of this flow, already in the socket's reserved entry:
 * its header names the sender. */
void wt_udp_datagram(struct emnet_channel *ch, const uint8_t *data, size_t len)
{
    struct emnet_wt_datagram d;
    struct sockaddr_storage from;
    socklen_t flen;
    int n = emnet_wt_decode_datagram(data, len, &d);
    if (n < 0 || from_wt(ch, &d.addr, &from, &flen) < 0) {
        emnet__chan_dgram_commit(ch, NULL, 0, 0, 0);   /* malformed: dropped, the entry let go */
        return;
    }
    emnet__chan_dgram_commit(ch, (const struct sockaddr *)&from, flen, (size_t)n, len - (size_t)n);
}
