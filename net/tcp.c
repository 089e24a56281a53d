/* TCP sockets: the state machine, readiness and the non-blocking
 * operations, with Linux's answers (net/ipv4/tcp.c's tcp_poll, tcp_sendmsg
 * and tcp_recvmsg, net/ipv4/af_inet.c's connect, are the reference; the
 * differential tests check them against the kernel), and the events of a
 * byte-stream channel (channel.h).
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

/* ---- readiness (tcp_poll) ---- */

static uint32_t sock_poll(struct emnet_pollable *p)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
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
        if (s->wr_shut || closed || !s->ch.transport || !s->ch.transport->send_full(&s->ch))
            m |= EPOLLOUT | EPOLLWRNORM;
    }
    if (s->error) m |= EPOLLERR;
    return m;
}

/* ---- events of the channel ---- */

static void connected(struct emnet_sock *s)
{
    if (s->state != SOCK_CONNECTING) return;
    s->state = SOCK_CONNECTED;
    emnet_pollable_notify(&s->base, EPOLLOUT);
}

void emnet__chan_opened(struct emnet_channel *ch)
{
    connected(emnet__sock_of(ch));
}

void emnet__chan_failed(struct emnet_channel *ch, int err)
{
    struct emnet_sock *s = emnet__sock_of(ch);
    s->ch.transport = NULL;
    s->ch.state = NULL;
    if (s->state != SOCK_CONNECTING) return;
    s->state = SOCK_CLOSED;
    s->error = err;
    s->rd_shut = s->wr_shut = 1;
    emnet__local_disconnected(s);
    emnet_pollable_notify(&s->base, 0);
}

/* A peer that sends far past the receive buffer, on an engine that cannot
 * stop a WebSocket (a plain browser WebSocket, a Wisp server without
 * receive credit), is cut off here: what a socket holds stays bounded. */
#define RX_HARD_LIMIT_FACTOR 4

uint8_t *emnet__chan_rx_reserve(struct emnet_channel *ch, size_t len)
{
    struct emnet_sock *s = emnet__sock_of(ch);
    uint8_t *p = NULL;
    size_t hard = ch->rcv_limit > SIZE_MAX / (2 * RX_HARD_LIMIT_FACTOR)
                      ? SIZE_MAX / 2
                      : RX_HARD_LIMIT_FACTOR * ch->rcv_limit + (64u << 10);
    if (rxbuf_len(&s->rx) + len <= hard) p = rxbuf_reserve(&s->rx, len);
    if (!p) emnet__sock_count_rx_failure();
    return p;
}

void emnet__chan_rx_commit(struct emnet_channel *ch, size_t len)
{
    struct emnet_sock *s = emnet__sock_of(ch);
    rxbuf_commit(&s->rx, len);
    connected(s);   /* data proves the connect */
    emnet_pollable_notify(&s->base, EPOLLIN | EPOLLRDNORM);
}

size_t emnet__chan_rx_held(const struct emnet_channel *ch)
{
    return rxbuf_len(&emnet__sock_of((struct emnet_channel *)ch)->rx);
}

void emnet__chan_ended(struct emnet_channel *ch, int err)
{
    struct emnet_sock *s = emnet__sock_of(ch);
    s->ch.transport = NULL;   /* nothing more goes out */
    s->ch.state = NULL;
    if (s->state == SOCK_CONNECTING) {
        if (err) {
            emnet__chan_failed(ch, err);
            return;
        }
        connected(s);   /* it had connected: the peer closed it at once */
    }
    if (s->state != SOCK_CONNECTED) return;
    s->peer_eof = 1;
    emnet__sock_ends_met(s);
    if (err) {
        /* tcp_reset: the error, both directions shut, the connection done;
         * unread data is dropped as the kernel drops it. */
        s->reset = 1;
        s->error = err;
        s->wr_shut = 1;
        s->state = SOCK_CLOSED;
        rxbuf_free(&s->rx);
    }
    emnet_pollable_notify(&s->base, err ? 0 : EPOLLIN | EPOLLRDNORM | EPOLLRDHUP);
}

void emnet__chan_peer_fin(struct emnet_channel *ch)
{
    struct emnet_sock *s = emnet__sock_of(ch);
    connected(s);
    if (s->state != SOCK_CONNECTED || s->peer_eof) return;
    s->peer_eof = 1;
    emnet__sock_ends_met(s);
    emnet_pollable_notify(&s->base, EPOLLIN | EPOLLRDNORM | EPOLLRDHUP);
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
        if (s->ch.transport && s->ch.transport->consumed) s->ch.transport->consumed(&s->ch);
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
    if (s->error || s->wr_shut || !s->ch.transport) return -EPIPE;
    if (!len) return 0;
    long n = s->ch.transport->send(&s->ch, buf, len);
    return n == 0 ? -EAGAIN : n;
}

/* tcp_disconnect: back to a fresh socket that may connect again. */
void emnet__sock_disconnect(struct emnet_sock *s)
{
    emnet__sock_close_channel(s, emnet__sock_close_resets(s));
    s->state = SOCK_FRESH;
    s->phase = PHASE_UNCONNECTED;
    s->rd_shut = s->wr_shut = s->peer_eof = s->reset = 0;
    rxbuf_free(&s->rx);
    emnet_pollable_notify(&s->base, 0);
}

/* The address to connect to, with Linux's checks (tcp_v4_connect,
 * tcp_v6_connect), as the transport is told it (emnet__addr_host: the name
 * behind a getaddrinfo placeholder, or the address in text). An AF_INET6
 * socket may connect to an AF_INET address. */
int emnet__sock_parse_addr(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len, char *host, size_t hostlen,
                           unsigned *port)
{
    if (s->domain == AF_INET && len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
    if (s->domain == AF_INET6 && len < 24 /* SIN6_LEN_RFC2133 */) return -EINVAL;
    if (addr->sa_family == AF_INET) {
        if (len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
        if (s->opt_v6only) return -ENETUNREACH;   /* an IPv6-only socket has no IPv4 route */
    } else if (addr->sa_family == AF_INET6 && s->domain == AF_INET6) {
        /* A v4-mapped address is an IPv4 connect, as tcp_v6_connect makes it. */
        if (IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)addr)->sin6_addr) && s->opt_v6only)
            return -ENETUNREACH;
    } else {
        return -EAFNOSUPPORT;
    }
    return emnet__addr_host(addr, len, host, hostlen, port);
}

/* __inet_stream_connect, non-blocking: the caller waits while it returns
 * -EINPROGRESS (blocking socket) and then calls again. */
int emnet__sock_connect(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len)
{
    int r;
    if (len < (socklen_t)sizeof(addr->sa_family)) return -EINVAL;
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
    char host[EMNET_HOST_TEXT_MAX];   /* a name from getaddrinfo is the proxy's to resolve */
    unsigned port;
    r = emnet__sock_parse_addr(s, addr, len, host, sizeof host, &port);
    if (r < 0) return r;
    memcpy(&s->peer, addr, addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    s->peer_len = addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    const struct emnet_transport *t = emnet__transport_for(host, port);
    if (!t) return -ENETUNREACH;
    /* inet_hash_connect: the port, and the route's source address. */
    if (emnet__local_autobind(s) < 0) return -EADDRNOTAVAIL;
    emnet__local_connected(s);
    s->state = SOCK_CONNECTING;
    s->phase = PHASE_CONNECTING;
    s->ch.transport = t;
    r = t->open(&s->ch, host, port);
    if (r < 0) {
        s->ch.transport = NULL;
        s->ch.state = NULL;
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
    return emnet__sock_recv((struct emnet_sock *)p, buf, len, 0);
}

static long sock_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    return emnet__sock_send((struct emnet_sock *)p, buf, len);
}

static long sock_ioctl(struct emnet_pollable *p, unsigned long request, void *arg)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    if (request == FIONREAD) {
        if (!arg) return -EFAULT;
        *(int *)arg = (int)rxbuf_len(&s->rx);
        return 0;
    }
    return -ENOTTY;
}

/* shutdown(SHUT_WR): our FIN goes to the peer where the transport
 * carries one (Wisp to emnet-proxy); websockify's cannot (DEVIATIONS.md W1). */
void emnet__sock_shutdown_write(struct emnet_sock *s)
{
    if (s->state == SOCK_CONNECTED && s->ch.transport && s->ch.transport->shutdown_write)
        s->ch.transport->shutdown_write(&s->ch);
}

const struct emnet_pollable_ops emnet__tcp_ops = {
    .name = "socket:[tcp]",
    .poll = sock_poll,
    .read = sock_read,
    .write = sock_write,
    .ioctl = sock_ioctl,
    .destroy = emnet__sock_destroy,
    .gather_writes = 1,
};

