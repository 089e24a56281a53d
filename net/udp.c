/* UDP sockets: the receive queue, readiness, and the datagram calls, with
 * Linux's answers (net/ipv4/udp.c's udp_sendmsg and udp_recvmsg,
 * net/core/datagram.c's datagram_poll, net/ipv4/datagram.c's connect are
 * the reference; the differential tests check them against the kernel).
 *
 * Datagrams travel over a transport that can carry them (Wisp's UDP
 * streams: one per destination, see transport_wisp.c). What comes back is
 * queued here with its source address, whole: a read takes one datagram,
 * truncating it to the buffer as Linux does. The queue is bounded by the
 * receive buffer (SO_RCVBUF, 212992 bytes by default as on Linux) and, as
 * on Linux, a datagram that arrives when it is full is dropped and counted.
 *
 * A page has no address and no ports of its own: emnet hands out local
 * ports (bind to port 0, or the first send or connect) from Linux's
 * ephemeral range, unique among the program's sockets, so that
 * getsockname answers as Linux would. The proxy's own UDP socket has
 * another port; servers see that one. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "internal.h"

#define RMEM_DEFAULT 212992     /* net.core.rmem_default */
/* What a queued datagram costs against the receive buffer besides its
 * bytes: about what Linux charges for a loopback skb (its truesize). */
#define DGRAM_OVERHEAD 768
#define UDP_MAX_V4 65507        /* 65535 - IPv4 header - UDP header */
#define UDP_MAX_V6 65527        /* 65535 - UDP header (the IPv6 header is not counted) */

struct emnet_dgram {
    struct emnet_dgram *next;
    size_t off, len, charge;       /* the datagram is data[off, off + len) */
    struct sockaddr_storage from;
    socklen_t fromlen;
    uint8_t data[];
};

static unsigned long total_drops;

unsigned long emnet__udp_total_drops(void)
{
    return total_drops;
}

size_t emnet__udp_rcvbuf(struct emnet_sock *s)
{
    return s->opt_rcvbuf ? (size_t)s->opt_rcvbuf : RMEM_DEFAULT;
}

void emnet__udp_free_queue(struct emnet_sock *s)
{
    free(s->dq_reserved);
    s->dq_reserved = NULL;
    while (s->dq_head) {
        struct emnet_dgram *d = s->dq_head;
        s->dq_head = d->next;
        free(d);
    }
    s->dq_tail = NULL;
    s->dq_charge = 0;
}

size_t emnet__udp_next_size(struct emnet_sock *s)
{
    return s->dq_head ? s->dq_head->len : 0;
}

/* ---- addresses ---- */

/* Same address and port (both in the socket's family). */
static int same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) return 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
    return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
}

/* ---- readiness (datagram_poll) ---- */

static uint32_t udp_poll(struct emnet_pollable *p)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    uint32_t m = 0;
    if (s->error) m |= EPOLLERR;
    if (s->rd_shut) m |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
    if (s->rd_shut && s->wr_shut) m |= EPOLLHUP;
    if (s->dq_head) m |= EPOLLIN | EPOLLRDNORM;
    if (!s->ch.transport || !s->ch.transport->send_full(&s->ch)) m |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
    return m;
}

/* ---- events from the channel ---- */

/* A datagram arrives in two steps, so that its bytes are written once,
 * straight into its queue entry: room for len bytes (a header the
 * transport reads first may come before the datagram), then the commit. */
uint8_t *emnet__udp_reserve(struct emnet_sock *s, size_t len)
{
    free(s->dq_reserved);
    s->dq_reserved = malloc(sizeof *s->dq_reserved + (len ? len : 1));
    if (!s->dq_reserved) {   /* as the kernel drops what it cannot allocate */
        s->dq_drops++;
        total_drops++;
        return NULL;
    }
    return s->dq_reserved->data;
}

void emnet__udp_commit(struct emnet_sock *s, const struct sockaddr *from, size_t off, size_t len)
{
    struct emnet_dgram *d = s->dq_reserved;
    s->dq_reserved = NULL;
    if (!d || !from) {   /* no datagram after all */
        free(d);
        return;
    }
    struct sockaddr_storage src;
    socklen_t srclen;
    emnet__sock_normalize_addr(s, from, &src, &srclen);
    if (s->state == SOCK_CONNECTED && !same_peer(&src, &s->peer)) {   /* not from the peer */
        free(d);
        return;
    }
    /* __udp_enqueue_schedule_skb: taken while what is queued is within
     * the buffer, whatever its own size; dropped once it is over. */
    if (s->dq_charge > emnet__udp_rcvbuf(s)) {
        s->dq_drops++;
        total_drops++;
        free(d);
        return;
    }
    d->next = NULL;
    d->off = off;
    d->len = len;
    d->charge = len + DGRAM_OVERHEAD;
    d->from = src;
    d->fromlen = srclen;
    if (s->dq_tail)
        s->dq_tail->next = d;
    else
        s->dq_head = d;
    s->dq_tail = d;
    s->dq_charge += d->charge;
    emnet_pollable_notify(&s->base, EPOLLIN | EPOLLRDNORM);
}

void emnet__udp_datagram_error(struct emnet_sock *s, const struct sockaddr *from, int err)
{
    /* An unconnected socket is not told of errors for its destinations
     * (without IP_RECVERR): it could not tell which send they belong to. */
    if (s->state != SOCK_CONNECTED || !err) return;
    struct sockaddr_storage src;
    socklen_t srclen;
    emnet__sock_normalize_addr(s, from, &src, &srclen);
    if (!same_peer(&src, &s->peer)) return;
    s->error = err;
    emnet_pollable_notify(&s->base, EPOLLERR);
}

/* ---- calls ---- */

static int take_error(struct emnet_sock *s)
{
    int e = s->error;
    s->error = 0;
    return e;
}

long emnet__udp_recv(struct emnet_sock *s, void *buf, size_t len, int flags, struct sockaddr *from,
                     socklen_t *fromlen, int *truncated)
{
    *truncated = 0;
    /* __skb_recv_udp: a pending error comes before queued datagrams. */
    if (s->error) return -take_error(s);
    struct emnet_dgram *d = s->dq_head;
    if (!d) return -EAGAIN;   /* the caller waits, or sees 0 after SHUT_RD */
    size_t n = d->len < len ? d->len : len;
    if (n && buf) memcpy(buf, d->data + d->off, n);
    *truncated = d->len > len;
    if (from && fromlen) {
        socklen_t room = *fromlen;
        memcpy(from, &d->from, room < d->fromlen ? room : d->fromlen);
        *fromlen = d->fromlen;
    } else if (fromlen) {
        *fromlen = d->fromlen;
    }
    long r = (flags & MSG_TRUNC) ? (long)d->len : (long)n;
    if (!(flags & MSG_PEEK)) {
        s->dq_head = d->next;
        if (!s->dq_head) s->dq_tail = NULL;
        s->dq_charge -= d->charge;
        free(d);
    }
    return r;
}

/* The destination's checks, as udp_sendmsg and udpv6_sendmsg make them;
 * *to is NULL when the call names none (AF_UNSPEC on an IPv6 socket). */
static int check_destination(struct emnet_sock *s, const struct sockaddr **to, socklen_t tolen)
{
    const struct sockaddr *a = *to;
    if (s->domain == AF_INET) {
        if (tolen < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
        if (a->sa_family != AF_INET && a->sa_family != AF_UNSPEC) return -EAFNOSUPPORT;
    } else {
        if (tolen < (socklen_t)sizeof(sa_family_t)) return -EINVAL;
        switch (a->sa_family) {
        case AF_INET6:
            if (tolen < 24 /* SIN6_LEN_RFC2133 */) return -EINVAL;
            break;
        case AF_INET:
            if (tolen < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
            break;
        case AF_UNSPEC:
            *to = NULL;
            return 0;
        default:
            return -EINVAL;
        }
    }
    unsigned port = a->sa_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)a)->sin6_port)
                                             : ntohs(((const struct sockaddr_in *)a)->sin_port);
    return port ? 0 : -EINVAL;
}

long emnet__udp_send(struct emnet_sock *s, const void *buf, size_t len, int flags, const struct sockaddr *to,
                     socklen_t tolen)
{
    /* inet_send_prepare: the port is bound before anything is checked. */
    int r = emnet__local_autobind(s);
    if (r < 0) return r;
    if (len > 0xFFFF) return -EMSGSIZE;
    if (flags & MSG_OOB) return -EOPNOTSUPP;
    if (to && (r = check_destination(s, &to, tolen)) < 0) return r;
    struct sockaddr_storage dest;
    socklen_t dlen;
    if (to) {
        /* AF_UNSPEC on an IPv4 socket is taken as AF_INET (old programs). */
        struct sockaddr_in v4;
        if (s->domain == AF_INET && to->sa_family == AF_UNSPEC) {
            memcpy(&v4, to, sizeof v4);
            v4.sin_family = AF_INET;
            to = (const struct sockaddr *)&v4;
        }
        emnet__sock_normalize_addr(s, to, &dest, &dlen);
    } else {
        if (s->state != SOCK_CONNECTED) return -EDESTADDRREQ;
        dest = s->peer;
        dlen = s->peer_len;
    }
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)&dest)->sin6_addr;
    int v4 = dest.ss_family == AF_INET || IN6_IS_ADDR_V4MAPPED(a6);
    uint32_t ip4 = 0;
    if (dest.ss_family == AF_INET)
        ip4 = ntohl(((const struct sockaddr_in *)&dest)->sin_addr.s_addr);
    else if (v4)
        ip4 = ((uint32_t)a6->s6_addr[12] << 24) | ((uint32_t)a6->s6_addr[13] << 16) |
              ((uint32_t)a6->s6_addr[14] << 8) | a6->s6_addr[15];
    /* The route says broadcast: only with SO_BROADCAST (the page knows
     * no subnets, so only the limited broadcast address is one). */
    if (v4 && ip4 == INADDR_BROADCAST && !s->opt_broadcast) return -EACCES;
    if (len > (v4 ? UDP_MAX_V4 : UDP_MAX_V6)) return -EMSGSIZE;
    if (v4 && s->opt_v6only) return -ENETUNREACH;   /* an IPv6-only socket has no IPv4 route */
    if (s->error) return -take_error(s);
    if (s->wr_shut) return -EPIPE;
    if (!s->ch.transport) {
        char host[EMNET_HOST_TEXT_MAX];
        unsigned port;
        r = emnet__addr_host((const struct sockaddr *)&dest, dlen, host, sizeof host, &port);
        if (r < 0) return r;
        s->ch.transport = emnet__datagram_transport_for(host, port);
        if (!s->ch.transport) return -ENETUNREACH;
    }
    r = s->ch.transport->send_datagram(&s->ch, (const struct sockaddr *)&dest, dlen, buf, len);
    return r < 0 ? r : (long)len;
}

/* ip4_datagram_connect / ip6_datagram_connect: a default peer, nothing
 * sent. Datagrams from anyone else are no longer received. */
int emnet__udp_connect(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len)
{
    if (addr->sa_family == AF_UNSPEC) {
        /* udp_disconnect: the peer goes, and what connect chose locally. */
        s->state = SOCK_FRESH;
        s->phase = PHASE_UNCONNECTED;
        s->ch.one_peer = 0;
        s->peer_len = 0;
        emnet__local_disconnected(s);
        if (s->port_autobound) s->local_len = 0;
        emnet_pollable_notify(&s->base, 0);
        return 0;
    }
    /* inet_dgram_connect binds a port before the protocol checks. */
    if (emnet__local_autobind(s) < 0) return -EAGAIN;
    if (s->domain == AF_INET6 && addr->sa_family == AF_INET && s->opt_v6only) return -EINVAL;
    if (s->domain == AF_INET || addr->sa_family == AF_INET) {
        if (len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
        if (addr->sa_family != AF_INET) return -EAFNOSUPPORT;
    } else {
        if (len < 24 /* SIN6_LEN_RFC2133 */) return -EINVAL;
        if (addr->sa_family != AF_INET6) return -EAFNOSUPPORT;
        if (IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)addr)->sin6_addr) && s->opt_v6only)
            return -ENETUNREACH;
    }
    emnet__sock_normalize_addr(s, addr, &s->peer, &s->peer_len);
    s->state = SOCK_CONNECTED;
    s->phase = PHASE_CONNECTED;
    s->ch.one_peer = 1;
    emnet__local_connected(s);
    emnet_pollable_notify(&s->base, EPOLLOUT);
    return 0;
}

/* ---- the fd's operations ---- */

static long udp_read(struct emnet_pollable *p, void *buf, size_t len)
{
    if (!len) return 0;   /* read() of nothing never reaches the protocol on Linux */
    struct emnet_sock *s = (struct emnet_sock *)p;
    int truncated;
    long r = emnet__udp_recv(s, buf, len, 0, NULL, NULL, &truncated);
    /* After SHUT_RD a read that would wait returns 0 instead. */
    if (r == -EAGAIN && s->rd_shut && !(p->status_flags & O_NONBLOCK)) return 0;
    return r;
}

static long udp_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    return emnet__udp_send((struct emnet_sock *)p, buf, len, 0, NULL, 0);
}

static long udp_ioctl(struct emnet_pollable *p, unsigned long request, void *arg)
{
    if (request != FIONREAD) return -ENOTTY;
    if (!arg) return -EFAULT;
    *(int *)arg = (int)emnet__udp_next_size((struct emnet_sock *)p);   /* the next datagram only */
    return 0;
}

const struct emnet_pollable_ops emnet__udp_ops = {
    .name = "socket:[udp]",
    .poll = udp_poll,
    .read = udp_read,
    .write = udp_write,
    .ioctl = udp_ioctl,
    .destroy = emnet__sock_destroy,
    .gather_writes = 1,
};
