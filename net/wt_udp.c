/* The webtransport transport's UDP flows (webtransport.h).
 *
 * A UDP socket is one flow: a stream (kind 0x02, the socket's family)
 * that lives as long as the socket, to which the proxy answers with its
 * status and the flow's id -- one UDP socket on the proxy, which hears any
 * sender, as a bound Linux socket does. Datagrams travel as QUIC
 * datagrams (flow id, socket address, payload); one that does not fit in
 * the session's largest datagram goes on the flow's stream as a record
 * instead. In an engine that loses bursts of QUIC datagrams before the
 * page can read them (Firefox), or as EMNET_WEBTRANSPORT_UDP says, a flow
 * asks for every datagram as a record, both ways (kind 0x04): a burst of
 * echoes then arrives whole, as it would on a Linux socket with room in
 * its receive queue. The proxy's error records (an ICMP error, a blocked
 * destination) reach the socket as a network's errors would: only a
 * connected socket hears them (udp.c).
 *
 * Until the reply names the flow, datagrams wait in it, up to the send
 * buffer (then EAGAIN, and a drained event once they have gone). A flow
 * whose stream ends (the session closed, the proxy refused it) is
 * forgotten: the socket's next datagram opens a new one.
 *
 * Only addresses travel in datagrams, so a destination named by a
 * getaddrinfo placeholder is looked up first, on a lookup stream (kind
 * 0x03) of the session, and its datagrams wait in order behind it. The
 * answer is kept (EMNET_RESOLVE_CACHE_MS, at least a second) for every
 * socket, and a datagram from an address a name the socket sent to
 * resolved to reads as from the name's placeholder: a socket connected to
 * the placeholder hears its peer, and recvfrom names the address the
 * program knows. A name that has no address drops its datagrams, as a
 * network drops what it cannot route. */
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

/* A name seen through a placeholder, as this socket sent to it: its
 * datagrams' sources are read back as the placeholder. */
#define FLOW_NAMES_MAX 16
struct wt_flow_name {
    uint8_t placeholder[4];        /* the IPv4 placeholder, network order */
    struct emnet_wt_ip ip;         /* what it resolved to (IPv4 as type 4) */
};

struct wt_flow {
    struct wt_stream st;           /* first: the stream's owner is this */
    struct wt_flow *prev, *next;   /* every flow, for the lookups they wait for */
    int phase;
    struct wt_flow_name names[FLOW_NAMES_MAX];
    int nnames;
    int fallback;                  /* opened through auto: wisp takes over if the session fails */
    int on_stream;                 /* every datagram a record on the stream, both ways */
    uint64_t id;
    uint8_t *in;                   /* the stream's bytes not yet decoded: the reply, then records */
    size_t in_len;
    struct wt_pending *pending, *pending_tail;
    size_t pending_bytes;
};

static struct wt_flow *flows;

/* ---- addresses ---- */

/* IPv4 as itself: a v4-mapped IPv6 address becomes type 4. */
static void norm_ip(struct emnet_wt_ip *ip)
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (ip->type == EMNET_WT_ADDR_IPV6 && !memcmp(ip->bytes, mapped, 12)) {
        memmove(ip->bytes, ip->bytes + 12, 4);
        memset(ip->bytes + 4, 0, 12);
        ip->type = EMNET_WT_ADDR_IPV4;
    }
}

static int same_ip(const struct emnet_wt_ip *a, const struct emnet_wt_ip *b)
{
    return a->type == b->type && !memcmp(a->bytes, b->bytes, a->type == EMNET_WT_ADDR_IPV4 ? 4 : 16);
}

/* ---- name lookups ----
 *
 * One per name and family asked, shared by the session's flows; the
 * stream goes once the answer is in, the answer stays until it expires. */
enum { LOOKUP_ASKING, LOOKUP_KNOWN, LOOKUP_FAILED };
#define LOOKUPS_MAX 64

struct wt_lookup {
    struct wt_stream st;           /* first: the stream's owner is this */
    struct wt_lookup *next;
    int state;
    uint8_t family;                /* asked: 4, or 0 (any) */
    struct emnet_wt_ip ip;         /* LOOKUP_KNOWN: the first address */
    uint64_t expires_ns;
    int dns_id;                    /* getaddrinfo's question (resolve_proxy.c), 0 for a flow's */
    uint8_t in[EMNET_WT_LOOKUP_REPLY_MAX];
    size_t in_len;
    char name[EMNET_WT_NAME_MAX + 1];
};

static struct wt_lookup *lookups;
static unsigned nlookups;

static void flush_pending(struct wt_flow *f);

static void lookup_unlink(struct wt_lookup *l)
{
    for (struct wt_lookup **p = &lookups; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            nlookups--;
            return;
        }
}

static void lookup_free(struct wt_lookup *l)
{
    wt_stream_release(&l->st, 0);
    lookup_unlink(l);
    free(l);
}

/* getaddrinfo's question answered (EMNET__DNS_*), and let go of. */
static void dns_done(struct wt_lookup *l, int answer)
{
    int id = l->dns_id;
    wt_stream_release(&l->st, 0);
    free(l);
    emnet__dns_answer(id, answer);
}

/* The answer is in (or will never be): what waited for it goes now. */
static void lookup_done(struct wt_lookup *l, const struct emnet_wt_ip *ip)
{
    if (l->dns_id) {
        dns_done(l, EMNET__DNS_UNKNOWN);
        return;
    }
    wt_stream_release(&l->st, 0);
    long ms = emnet__setting(SETTING_RESOLVE_CACHE_MS);
    l->expires_ns = emnet__now_ns() + (uint64_t)(ms < 1000 ? 1000 : ms) * 1000000u;
    if (ip) {
        l->state = LOOKUP_KNOWN;
        l->ip = *ip;
        norm_ip(&l->ip);
    } else {
        l->state = LOOKUP_FAILED;
    }
    for (struct wt_flow *f = flows, *next; f; f = next) {
        next = f->next;
        if (f->pending) flush_pending(f);
    }
}

static uint8_t *lookup_reserve(struct wt_stream *st, size_t len)
{
    struct wt_lookup *l = (struct wt_lookup *)st;
    if (len > sizeof l->in - l->in_len) {
        lookup_done(l, NULL);   /* longer than any answer */
        return NULL;
    }
    return l->in + l->in_len;
}

static int lookup_commit(struct wt_stream *st, size_t len)
{
    struct wt_lookup *l = (struct wt_lookup *)st;
    struct emnet_wt_lookup_reply r;
    l->in_len += len;
    int n = emnet_wt_decode_lookup_reply(l->in, l->in_len, &r);
    if (n == 0) return 1;
    if (l->dns_id) {
        int answer = EMNET__DNS_UNKNOWN;
        if (n > 0 && r.status == EMNET_WT_STATUS_OK) {
            for (unsigned i = 0; i < r.count; i++) {
                struct emnet_wt_ip ip = r.addrs[i];
                norm_ip(&ip);
                answer |= ip.type == EMNET_WT_ADDR_IPV4 ? EMNET__DNS_IPV4 : EMNET__DNS_IPV6;
            }
        } else if (n > 0 && r.status == EMNET_WT_STATUS_NO_NAME) {
            answer = EMNET__DNS_NONAME;
        } else if (n > 0 && r.status == EMNET_WT_STATUS_TRY_AGAIN) {
            answer = EMNET__DNS_AGAIN;
        } else if (n > 0 && r.status == EMNET_WT_STATUS_BLOCKED) {
            answer = EMNET__DNS_BLOCKED;
        }
        dns_done(l, answer);
        return 0;
    }
    const struct emnet_wt_ip *ip = NULL;
    for (unsigned i = 0; n > 0 && r.status == EMNET_WT_STATUS_OK && i < r.count && !ip; i++)
        if (l->family == 0 || r.addrs[i].type == EMNET_WT_ADDR_IPV4) ip = &r.addrs[i];
    lookup_done(l, ip);
    return 0;
}

static void lookup_fin(struct wt_stream *st)
{
    lookup_done((struct wt_lookup *)st, NULL);   /* the end before a whole answer */
}

static void lookup_error(struct wt_stream *st, int code)
{
    (void)code;
    lookup_done((struct wt_lookup *)st, NULL);
}

static void lookup_drained(struct wt_stream *st)
{
    (void)st;
}

/* The session is gone, and so are the flows that waited (their own
 * session_closed): nothing to flush. */
static void lookup_session_closed(struct wt_stream *st, int opened, const char *why)
{
    (void)opened;
    (void)why;
    st->sess = NULL;
    struct wt_lookup *l = (struct wt_lookup *)st;
    if (l->dns_id) dns_done(l, EMNET__DNS_UNKNOWN);
    else lookup_free(l);
}

static const struct wt_stream_ops lookup_ops = {
    .reserve = lookup_reserve,
    .commit = lookup_commit,
    .fin = lookup_fin,
    .error = lookup_error,
    .drained = lookup_drained,
    .session_closed = lookup_session_closed,
};

/* The lookup of name for a socket of family: kept, running, or started
 * now; NULL when none can start (then the datagram is dropped). */
static struct wt_lookup *lookup_of(const char *name, int family)
{
    uint8_t asked = family == AF_INET6 ? 0 : 4;
    uint64_t now = emnet__now_ns();
    struct wt_lookup *oldest = NULL;
    for (struct wt_lookup *l = lookups, *next; l; l = next) {
        next = l->next;
        if (l->state != LOOKUP_ASKING && l->expires_ns <= now) {
            lookup_free(l);
            continue;
        }
        if (l->family == asked && !strcmp(l->name, name)) return l;
        if (l->state != LOOKUP_ASKING && (!oldest || l->expires_ns < oldest->expires_ns)) oldest = l;
    }
    if (nlookups >= LOOKUPS_MAX && oldest) lookup_free(oldest);
    size_t len = strlen(name);
    uint8_t head[EMNET_WT_REQUEST_MAX];
    int err;
    size_t n = len <= EMNET_WT_NAME_MAX ? emnet_wt_encode_lookup_request(head, sizeof head, asked, name, len) : 0;
    struct wt_session *s = n ? wt_session_get(&err) : NULL;
    struct wt_lookup *l = s ? calloc(1, sizeof *l) : NULL;
    if (!l) return NULL;
    memcpy(l->name, name, len + 1);
    l->family = asked;
    l->state = LOOKUP_ASKING;
    if (wt_stream_start(&l->st, s, &lookup_ops, head, n) < 0) {
        free(l);
        return NULL;
    }
    l->next = lookups;
    lookups = l;
    nlookups++;
    return l;
}

/* getaddrinfo's question about name, on the session (a lookup stream, of
 * any family): its answer goes to emnet__dns_answer(id). 0, or -1 when no
 * stream could start (then the caller asks no one). */
int wt_dns_query(const char *name, int id)
{
    size_t len = strlen(name);
    uint8_t head[EMNET_WT_REQUEST_MAX];
    int err;
    size_t n = len <= EMNET_WT_NAME_MAX ? emnet_wt_encode_lookup_request(head, sizeof head, 0, name, len) : 0;
    struct wt_session *s = n ? wt_session_get(&err) : NULL;
    struct wt_lookup *l = s ? calloc(1, sizeof *l) : NULL;
    if (!l) return -1;
    memcpy(l->name, name, len + 1);
    l->dns_id = id;
    l->state = LOOKUP_ASKING;
    if (wt_stream_start(&l->st, s, &lookup_ops, head, n) < 0) {
        free(l);
        return -1;
    }
    return 0;
}

/* Where a datagram to `to` goes, in *out: 0, 1 while a lookup runs, or
 * -1 when it cannot go (a name with no address). */
enum { DEST_READY = 0, DEST_WAIT = 1, DEST_NONE = -1 };
static int to_wt(const struct sockaddr *to, struct emnet_wt_sockaddr *out);

static int dest_of(struct wt_flow *f, const struct sockaddr *to, struct emnet_wt_sockaddr *out)
{
    const char *name = emnet__placeholder_name(to);
    if (!name) return to_wt(to, out) == 0 ? DEST_READY : DEST_NONE;
    struct wt_lookup *l = lookup_of(name, f->st.ch->family);
    if (!l || l->state == LOOKUP_FAILED) return DEST_NONE;
    if (l->state == LOOKUP_ASKING) return DEST_WAIT;
    memset(out, 0, sizeof *out);
    out->ip = l->ip;
    out->port = ntohs(to->sa_family == AF_INET ? ((const struct sockaddr_in *)to)->sin_port
                                               : ((const struct sockaddr_in6 *)to)->sin6_port);
    /* Remembered, so that the answers read as from the placeholder. */
    uint8_t ph[4];
    if (to->sa_family == AF_INET)
        memcpy(ph, &((const struct sockaddr_in *)to)->sin_addr, 4);
    else
        memcpy(ph, ((const struct sockaddr_in6 *)to)->sin6_addr.s6_addr + 12, 4);
    int i;
    for (i = 0; i < f->nnames; i++)
        if (!memcmp(f->names[i].placeholder, ph, 4)) break;
    if (i == f->nnames && i < FLOW_NAMES_MAX) f->nnames++;
    if (i < FLOW_NAMES_MAX) {
        memcpy(f->names[i].placeholder, ph, 4);
        f->names[i].ip = l->ip;
    }
    return DEST_READY;
}

/* A sender as the program knows it: the placeholder of a name this
 * socket sent to, when the sender's address is what the name resolved to. */
static void as_known(const struct wt_flow *f, struct emnet_wt_sockaddr *sa)
{
    if (!f->nnames) return;
    struct emnet_wt_ip ip = sa->ip;
    norm_ip(&ip);
    for (int i = 0; i < f->nnames; i++)
        if (same_ip(&f->names[i].ip, &ip)) {
            memset(&sa->ip, 0, sizeof sa->ip);
            sa->ip.type = EMNET_WT_ADDR_IPV4;
            memcpy(sa->ip.bytes, f->names[i].placeholder, 4);
            return;
        }
}

static int to_wt(const struct sockaddr *to, struct emnet_wt_sockaddr *out)
{
    memset(out, 0, sizeof *out);
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

/* Now: as a QUIC datagram when it fits (and the flow takes them), else
 * as a record on the stream. */
static int send_now(struct wt_flow *f, const struct emnet_wt_sockaddr *sa, const void *buf, size_t len)
{
    uint8_t head[EMNET_WT_RECORD_HEADER_MAX > EMNET_WT_DATAGRAM_HEADER_MAX ? EMNET_WT_RECORD_HEADER_MAX
                                                                            : EMNET_WT_DATAGRAM_HEADER_MAX];
    size_t n = emnet_wt_encode_datagram_header(head, sizeof head, f->id, sa);
    if (!n) return -EINVAL;
    if (!f->on_stream && n + len <= wt_session_max_datagram(f->st.sess)) {
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
    if (f->prev) f->prev->next = f->next;
    else if (flows == f) flows = f->next;
    if (f->next) f->next->prev = f->prev;
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

/* What waited goes, in order, as far as its destinations are known. */
static void flush_pending(struct wt_flow *f)
{
    struct emnet_channel *ch = f->st.ch;
    int went = 0;
    while (f->pending && f->phase == FLOW_OPEN) {
        struct wt_pending *d = f->pending;
        struct emnet_wt_sockaddr sa;
        int r = dest_of(f, (const struct sockaddr *)&d->to, &sa);
        if (r == DEST_WAIT) break;
        f->pending = d->next;
        f->pending_bytes -= d->len;
        if (r == DEST_READY) send_now(f, &sa, d->data, d->len);
        free(d);
        went = 1;
    }
    if (!f->pending) f->pending_tail = NULL;
    if (went) emnet__chan_drained(ch);   /* room again for a sender that was told EAGAIN */
}

/* The reply names the flow: what waited for it goes now. */
static void flow_opened(struct wt_flow *f, uint64_t id)
{
    f->phase = FLOW_OPEN;
    f->id = id;
    wt_session_add_flow(f->st.sess, id, f->st.ch);
    flush_pending(f);
}

/* One record of the stream: a datagram too large for QUIC's, or an
 * error for a destination. */
static void flow_record(struct wt_flow *f, const struct emnet_wt_record *r)
{
    struct emnet_channel *ch = f->st.ch;
    struct sockaddr_storage from;
    socklen_t flen;
    struct emnet_wt_sockaddr addr = r->addr;
    as_known(f, &addr);
    if (from_wt(ch, &addr, &from, &flen) < 0) return;
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

/* Whether new flows carry their datagrams on their streams
 * (EMNET_WEBTRANSPORT_UDP). */
static int flows_on_stream(void)
{
    const char *how = emnet__text_setting(TEXT_WEBTRANSPORT_UDP);
    if (how && !strcmp(how, "stream")) return 1;
    if (how && !strcmp(how, "datagrams")) return 0;
    return emnet_js_wt_datagram_bursts_lost();
}

static struct wt_flow *flow_new(struct emnet_channel *ch, int fallback, int *err)
{
    struct wt_session *s = wt_session_get(err);
    if (!s) return NULL;
    int on_stream = flows_on_stream();
    uint8_t head[EMNET_WT_REQUEST_MAX];
    size_t n = emnet_wt_encode_udp_request(head, sizeof head, on_stream ? EMNET_WT_KIND_UDP_ON_STREAM : EMNET_WT_KIND_UDP,
                                           ch->family == AF_INET6 ? 6 : 4);
    struct wt_flow *f = calloc(1, sizeof *f);
    if (!f) {
        *err = -ENOBUFS;
        return NULL;
    }
    f->st.ch = ch;
    f->fallback = fallback;
    f->on_stream = on_stream;
    *err = wt_stream_start(&f->st, s, &flow_ops, head, n);
    if (*err < 0) {
        free(f);
        return NULL;
    }
    f->next = flows;
    if (flows) flows->prev = f;
    flows = f;
    ch->state = f;
    return f;
}

int wt_udp_send(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf, size_t len,
                int fallback)
{
    struct emnet_wt_sockaddr sa;
    int err = emnet__placeholder_name(to) ? 0 : to_wt(to, &sa);
    if (err < 0) return err;
    struct wt_flow *f = ch->state;
    if (!f && !(f = flow_new(ch, fallback, &err))) return err;
    if (f->phase == FLOW_OPEN && !f->pending) {
        int r = dest_of(f, to, &sa);
        if (r == DEST_READY) return send_now(f, &sa, buf, len);
        if (r == DEST_NONE) return 0;   /* a name with no address: dropped on the way, as UDP may */
    }
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
    if (n >= 0 && ch->state) as_known(ch->state, &d.addr);
    if (n < 0 || from_wt(ch, &d.addr, &from, &flen) < 0) {
        emnet__chan_dgram_commit(ch, NULL, 0, 0, 0);   /* malformed: dropped, the entry let go */
        return;
    }
    emnet__chan_dgram_commit(ch, (const struct sockaddr *)&from, flen, (size_t)n, len - (size_t)n);
}
