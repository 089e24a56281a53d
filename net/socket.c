/* Sockets as pollables (one table of sockets for both kinds; a SOCK_DGRAM
 * socket's calls are udp.c's) and, here, TCP: the state machine, readiness
 * and the non-blocking operations, with Linux's answers (net/ipv4/tcp.c's tcp_poll,
 * tcp_sendmsg and tcp_recvmsg, net/ipv4/af_inet.c's connect, are the
 * reference; the differential tests check them against the kernel).
 *
 * Two levels of state, as in Linux: `state` is the connection (fresh,
 * connecting, connected, closed), `phase` is what connect() has told the
 * program so far -- a non-blocking connect stays "connecting" for connect()
 * until connect() is called again (EALREADY, then 0 or the error) even
 * when the connection itself is long established or failed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "internal.h"

#define MAX_SOCKS 65536

/* Sockets by id, for the transports' callbacks. An id is a slot plus a
 * generation count, so a late callback for a closed socket can never
 * reach a newer socket that reuses the slot. */
static struct emnet_sock **socks;
static int sock_cap;
static unsigned next_gen;

#define SLOT(id) ((id) & 0xffff)

struct emnet_sock *emnet__sock_by_id(int id)
{
    int slot = SLOT(id);
    if (id <= 0 || slot >= sock_cap || !socks[slot]) return NULL;
    return socks[slot]->id == id ? socks[slot] : NULL;
}

static int sock_register(struct emnet_sock *s)
{
    int slot = 1;
    while (slot < sock_cap && socks[slot]) slot++;
    if (slot >= sock_cap) {
        int cap = sock_cap ? sock_cap * 2 : 64;
        if (cap > MAX_SOCKS) return -ENFILE;
        struct emnet_sock **n = realloc(socks, (size_t)cap * sizeof *n);
        if (!n) return -ENOMEM;
        memset(n + sock_cap, 0, (size_t)(cap - sock_cap) * sizeof *n);
        socks = n;
        sock_cap = cap;
    }
    socks[slot] = s;
    s->id = (int)(((++next_gen & 0x7fff) << 16) | (unsigned)slot);
    return 0;
}

void emnet_net_stats(struct emnet_net_stats *out)
{
    unsigned n = 0;
    for (int i = 0; i < sock_cap; i++) n += socks[i] != NULL;
    out->sockets = n;
    out->host_objects = (unsigned)(emnet_js_ws_live() + emnet_js_wisp_live());
    out->datagrams_dropped = emnet__udp_total_drops();
    out->wisp_streams = emnet__wisp_live_streams();
}

int emnet__sock_port_in_use(const struct emnet_sock *self, unsigned port)
{
    for (int i = 0; i < sock_cap; i++) {
        const struct emnet_sock *o = socks[i];
        if (!o || o == self || o->type != self->type || !o->local_len) continue;
        unsigned p = o->local.ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)&o->local)->sin_port)
                                                   : ntohs(((const struct sockaddr_in6 *)&o->local)->sin6_port);
        if (p == port) return 1;
    }
    return 0;
}

/* ---- readiness (tcp_poll) ---- */

static uint32_t sock_poll(struct emnet_pollable *p)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    if (s->type == SOCK_DGRAM) return emnet__udp_poll(s);
    int rcv_shut = s->rd_shut || s->peer_eof;
    int closed = s->state == SOCK_FRESH || s->state == SOCK_CLOSED;
    uint32_t m = 0;
    if ((rcv_shut && s->wr_shut) || closed) m |= EPOLLHUP;
    if (rcv_shut) m |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
    if (s->state != SOCK_CONNECTING) {
        if (rxbuf_len(&s->rx)) m |= EPOLLIN | EPOLLRDNORM;
        /* Room to send: the transport has taken what was queued. A
         * socket that cannot send any more says so by failing, not by
         * withholding EPOLLOUT (as Linux). */
        if (s->wr_shut || closed || !s->transport || s->transport->queued(s) < s->sndbuf_limit)
            m |= EPOLLOUT | EPOLLWRNORM;
    }
    if (s->error) m |= EPOLLERR;
    return m;
}

/* ---- events from the transport ---- */

void emnet__sock_connected(struct emnet_sock *s)
{
    if (s->state != SOCK_CONNECTING) return;
    s->state = SOCK_CONNECTED;
    emnet_pollable_notify(&s->base, EPOLLOUT);
}

void emnet__sock_failed(struct emnet_sock *s, int err)
{
    if (s->state != SOCK_CONNECTING) return;
    s->state = SOCK_CLOSED;
    s->error = err;
    s->rd_shut = s->wr_shut = 1;
    s->transport = NULL;
    emnet__local_disconnected(s);
    emnet_pollable_notify(&s->base, 0);
}

void emnet__sock_data(struct emnet_sock *s)
{
    if (s->state == SOCK_CONNECTING) emnet__sock_connected(s);   /* data proves the connect */
    emnet_pollable_notify(&s->base, EPOLLIN | EPOLLRDNORM);
}

void emnet__sock_peer_closed(struct emnet_sock *s, int reset)
{
    if (s->state == SOCK_CONNECTING) {
        emnet__sock_failed(s, ECONNREFUSED);
        return;
    }
    if (s->state != SOCK_CONNECTED) return;
    s->peer_eof = 1;
    s->transport = NULL;   /* nothing more goes out: the WebSocket is gone */
    emnet__sock_ends_met(s);
    if (reset) {
        /* tcp_reset: the error, both directions shut, the connection done;
         * unread data is dropped as the kernel drops it. */
        s->reset = 1;
        s->error = ECONNRESET;
        s->wr_shut = 1;
        s->state = SOCK_CLOSED;
        rxbuf_free(&s->rx);
    }
    emnet_pollable_notify(&s->base, reset ? 0 : EPOLLIN | EPOLLRDNORM | EPOLLRDHUP);
}

void emnet__sock_peer_fin(struct emnet_sock *s)
{
    if (s->state == SOCK_CONNECTING) emnet__sock_connected(s);
    if (s->state != SOCK_CONNECTED || s->peer_eof) return;
    s->peer_eof = 1;
    emnet__sock_ends_met(s);
    emnet_pollable_notify(&s->base, EPOLLIN | EPOLLRDNORM | EPOLLRDHUP);
}

size_t emnet__recv_buffer(void)
{
    long v = emnet__config_long("EMNET_RECV_BUFFER", 1 << 20);
    return v > 0 ? (size_t)v : 1;
}

int emnet__sock_close_resets(const struct emnet_sock *s)
{
    return s->type == SOCK_STREAM && ((s->opt_linger_on && s->opt_linger_secs == 0) || rxbuf_len(&s->rx) > 0);
}

void emnet__sock_ends_met(struct emnet_sock *s)
{
    /* Our FIN and the peer's have both gone: Linux's socket moves on to
     * TIME_WAIT (our FIN first) or through LAST_ACK (theirs first) and is
     * left in TCP_CLOSE, where getpeername and shutdown say ENOTCONN. The
     * other side's acknowledgement is taken as given: the connection has
     * no further use for it. */
    if (s->type == SOCK_STREAM && s->state == SOCK_CONNECTED && s->peer_eof && s->wr_shut) s->state = SOCK_CLOSED;
}

void emnet__sock_writable(struct emnet_sock *s)
{
    emnet_pollable_notify(&s->base, EPOLLOUT | EPOLLWRNORM);
}

/* ---- operations ---- */

/* sock_error(): the pending error, consumed. */
static int take_error(struct emnet_sock *s)
{
    int e = s->error;
    s->error = 0;
    return e;
}

long emnet__sock_recv(struct emnet_sock *s, void *buf, size_t len, int flags)
{
    /* tcp_recvmsg: data first (a zero-length receive of queued data is 0),
     * then the error, the end of stream, and only then "try again". With
     * MSG_TRUNC the bytes are discarded (buf NULL), not copied. */
    size_t avail = rxbuf_len(&s->rx);
    if (avail) {
        long n = (long)rxbuf_read(&s->rx, (flags & MSG_TRUNC) ? NULL : buf, len, (flags & MSG_PEEK) != 0);
        if (s->transport && s->transport->resume) s->transport->resume(s);
        return n;
    }
    if (s->error) return -take_error(s);
    if (s->rd_shut || s->peer_eof) return 0;
    if (s->state == SOCK_CLOSED) return 0;
    if (s->state == SOCK_FRESH) return -ENOTCONN;
    return -EAGAIN;
}

size_t emnet__sock_pending(struct emnet_sock *s)
{
    return rxbuf_len(&s->rx);
}

long emnet__sock_send(struct emnet_sock *s, const void *buf, size_t len)
{
    if (s->state != SOCK_CONNECTED) {
        if (s->error) return -take_error(s);
        return s->state == SOCK_CONNECTING ? -EAGAIN : -EPIPE;
    }
    if (s->error || s->wr_shut || !s->transport) return -EPIPE;
    if (!len) return 0;
    long n = s->transport->send(s, buf, len);
    return n == 0 ? -EAGAIN : n;
}

/* tcp_disconnect: back to a fresh socket that may connect again. */
void emnet__sock_disconnect(struct emnet_sock *s)
{
    if (s->transport) s->transport->close(s);
    s->transport = NULL;
    s->state = SOCK_FRESH;
    s->phase = PHASE_UNCONNECTED;
    s->rd_shut = s->wr_shut = s->peer_eof = s->reset = 0;
    rxbuf_free(&s->rx);
    emnet_pollable_notify(&s->base, 0);
}

/* The address to connect to, as text for the transport, with Linux's
 * checks (tcp_v4_connect, tcp_v6_connect). An AF_INET6 socket may connect
 * to an AF_INET address. */
int emnet__sock_parse_addr(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len, char *host, size_t hostlen,
                      unsigned *port)
{
    if (s->domain == AF_INET && len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
    if (s->domain == AF_INET6 && len < 24 /* SIN6_LEN_RFC2133 */) return -EINVAL;
    if (addr->sa_family == AF_INET) {
        if (len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
        if (s->opt_v6only) return -ENETUNREACH;   /* an IPv6-only socket has no IPv4 route */
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)hostlen);
        *port = ntohs(in->sin_port);
        return 0;
    }
    if (addr->sa_family == AF_INET6 && s->domain == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && s->opt_v6only) return -ENETUNREACH;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))   /* an IPv4 connect, as tcp_v6_connect makes it */
            inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, host, (socklen_t)hostlen);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)hostlen);
        *port = ntohs(in6->sin6_port);
        return 0;
    }
    return -EAFNOSUPPORT;
}

/* __inet_stream_connect, non-blocking: the caller waits while it returns
 * -EINPROGRESS (blocking socket) and then calls again. */
int emnet__sock_connect(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len)
{
    int r;
    if (len < (socklen_t)sizeof(addr->sa_family)) return -EINVAL;
    if (s->type == SOCK_DGRAM) return emnet__udp_connect(s, addr, len);
    if (addr->sa_family == AF_UNSPEC) {
        /* connect(AF_UNSPEC) disconnects (and a fresh socket stays so). */
        if (s->state != SOCK_FRESH) {
            emnet__sock_disconnect(s);
            s->error = ECONNRESET;
        }
        emnet__local_disconnected(s);
        return 0;
    }
    switch (s->phase) {
    case PHASE_CONNECTED:
        return -EISCONN;
    case PHASE_CONNECTING:
        if (s->state == SOCK_CONNECTING) return -EALREADY;
        if (s->state == SOCK_CONNECTED) {
            s->phase = PHASE_CONNECTED;
            return 0;
        }
        /* Failed: say why, once, and become a fresh socket again. */
        r = s->error ? -take_error(s) : -ECONNABORTED;
        emnet__sock_disconnect(s);
        return r;
    case PHASE_UNCONNECTED:
        break;
    }
    if (s->state != SOCK_FRESH) return -EISCONN;
    char host[64];
    unsigned port;
    r = emnet__sock_parse_addr(s, addr, len, host, sizeof host, &port);
    if (r < 0) return r;
    memcpy(&s->peer, addr, addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    s->peer_len = addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    const char *name = emnet__placeholder_name(addr);   /* a name from getaddrinfo: the proxy resolves it */
    s->transport = emnet__transport_for(name ? name : host, port);
    if (!s->transport) return -ENETUNREACH;
    /* inet_hash_connect: the port, and the route's source address. */
    if (emnet__local_autobind(s) < 0) {
        s->transport = NULL;
        return -EADDRNOTAVAIL;
    }
    emnet__local_connected(s);
    s->state = SOCK_CONNECTING;
    s->phase = PHASE_CONNECTING;
    r = s->transport->open(s, name ? name : host, port);
    if (r < 0) {
        s->transport = NULL;
        s->state = SOCK_FRESH;
        s->phase = PHASE_UNCONNECTED;
        emnet__local_disconnected(s);
        return r;
    }
    return -EINPROGRESS;
}

static long sock_read(struct emnet_pollable *p, void *buf, size_t len)
{
    if (!len) return 0;   /* read() of nothing never reaches the protocol on Linux */
    struct emnet_sock *s = (struct emnet_sock *)p;
    if (s->type == SOCK_DGRAM) {
        int truncated;
        long r = emnet__udp_recv(s, buf, len, 0, NULL, NULL, &truncated);
        /* After SHUT_RD a read that would wait returns 0 instead. */
        if (r == -EAGAIN && s->rd_shut && !(p->status_flags & O_NONBLOCK)) return 0;
        return r;
    }
    return emnet__sock_recv(s, buf, len, 0);
}

static long sock_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    if (s->type == SOCK_DGRAM) return emnet__udp_send(s, buf, len, 0, NULL, 0);
    return emnet__sock_send(s, buf, len);
}

static long sock_ioctl(struct emnet_pollable *p, unsigned long request, void *arg)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    if (request == FIONREAD) {
        if (!arg) return -EFAULT;
        /* A datagram socket: the size of the next datagram only. */
        *(int *)arg = (int)(s->type == SOCK_DGRAM ? emnet__udp_next_size(s) : rxbuf_len(&s->rx));
        return 0;
    }
    return -ENOTTY;
}

static void sock_destroy(struct emnet_pollable *p)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    if (s->transport) s->transport->close(s);
    socks[SLOT(s->id)] = NULL;
    rxbuf_free(&s->rx);
    emnet__udp_free_queue(s);
    free(s);
}

static const struct emnet_pollable_ops sock_ops = {
    .name = "socket:[tcp]",
    .poll = sock_poll,
    .read = sock_read,
    .write = sock_write,
    .ioctl = sock_ioctl,
    .destroy = sock_destroy,
    .gather_writes = 1,
};

struct emnet_sock *emnet__sock_from_fd(int fd, int *err)
{
    return (struct emnet_sock *)emnet__fd_lookup(fd, &sock_ops, -ENOTSOCK, err);
}

int emnet__sock_create(int domain, int type, int protocol)
{
    struct emnet_sock *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    emnet_pollable_init(&s->base, &sock_ops);
    s->domain = domain;
    s->type = type & 0xf;
    s->protocol = protocol ? protocol : s->type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    s->state = SOCK_FRESH;
    s->rcvbuf_limit = emnet__recv_buffer();
    s->sndbuf_limit = (size_t)emnet__config_long("EMNET_SEND_BUFFER", 1 << 20);
    int r = sock_register(s);
    if (r < 0) {
        free(s);
        return r;
    }
    int fd = emnet_pollable_install(&s->base, type & (O_NONBLOCK | O_CLOEXEC));
    if (fd < 0) {
        socks[SLOT(s->id)] = NULL;
        free(s);
    }
    return fd;
}
