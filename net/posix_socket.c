/* The socket system calls of Emscripten's libc (musl calls __syscall_*
 * with six longs), taken over for emnet's sockets: Linux's checks in
 * Linux's order, -1 and errno through musl, and blocking -- for a blocking
 * socket without MSG_DONTWAIT -- through the reactor's blocking bridge.
 * Defining these replaces Emscripten's SOCKFS for good. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "internal.h"

long __syscall_socket(long domain, long type, long protocol, long d1, long d2, long d3);

long __syscall_connect(long fd, long addr, long len, long d1, long d2, long d3);
long __syscall_bind(long fd, long addr, long len, long d1, long d2, long d3);
long __syscall_listen(long fd, long backlog, long d1, long d2, long d3, long d4);
long __syscall_accept4(long fd, long addr, long lenp, long flags, long d1, long d2);
long __syscall_sendto(long fd, long buf, long len, long flags, long addr, long alen);
long __syscall_recvfrom(long fd, long buf, long len, long flags, long addr, long alenp);
long __syscall_sendmsg(long fd, long msg, long flags, long d1, long d2, long d3);
long __syscall_recvmsg(long fd, long msg, long flags, long d1, long d2, long d3);

long __syscall_getsockopt(long fd, long level, long name, long val, long lenp, long d1);

long __syscall_getsockname(long fd, long addr, long lenp, long d1, long d2, long d3);
long __syscall_getpeername(long fd, long addr, long lenp, long d1, long d2, long d3);

#define GET_SOCK(fd)                                          \
    int err_ = 0;                                             \
    struct emnet_sock *s = emnet__sock_from_fd((int)(fd), &err_); \
    if (!s) return err_

static int blocking(struct emnet_sock *s, long flags)
{
    return !(s->base.status_flags & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
}

long __syscall_socket(long domain, long type, long protocol, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    /* Linux's order: the flags, then __sock_create's ranges (NPROTO 46,
     * SOCK_MAX 11), the family, then inet_create's IPPROTO_MAX (263). */
    if (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)) return -EINVAL;
    int base = (int)type & 0xf;
    if (domain < 0 || domain >= 46) return -EAFNOSUPPORT;
    if (base >= 11) return -EINVAL;
    if (domain != AF_INET && domain != AF_INET6) return -EAFNOSUPPORT;   /* no AF_UNIX, AF_PACKET in a page */
    if (protocol < 0 || protocol >= 263) return -EINVAL;
    if (base == SOCK_RAW) return protocol ? -EPERM : -EPROTONOSUPPORT;   /* as without CAP_NET_RAW */
    if (base == SOCK_DGRAM) {
        if (protocol != 0 && protocol != IPPROTO_UDP) return -EPROTONOSUPPORT;
    } else {
        if (base != SOCK_STREAM) return -ESOCKTNOSUPPORT;
        if (protocol != 0 && protocol != IPPROTO_TCP) return -EPROTONOSUPPORT;
    }
    long fd = emnet__sock_create((int)domain, (int)type, (int)protocol);
    if (fd >= 0) emnet__transports_socket_created();
    return fd;
}

/* Emscripten 3.1.6 defines __syscall_setsockopt, __syscall_shutdown and
 * __syscall_socketpair as C stubs, in one object with stubs that programs
 * need (getpid, uname, ...); two definitions would clash. So these three
 * are taken over one level up, as the libc functions themselves. So are
 * socket, accept and accept4: musl retries them without their flags when
 * the kernel says EINVAL (for kernels older than the flags), which would
 * turn Linux's own EINVAL into another answer. */
static int ret(long r)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (int)r;
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
    (void)type, (void)protocol, (void)sv;
    return ret(domain == AF_UNIX ? -EAFNOSUPPORT : -EOPNOTSUPP);   /* no socket pairs in a page */
}

long __syscall_connect(long fd, long addr, long len, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    /* move_addr_to_kernel comes before the fd is looked at. */
    if (len < 0 || len > (long)sizeof(struct sockaddr_storage)) return -EINVAL;
    if (len && !addr) return -EFAULT;
    GET_SOCK(fd);
    if (len < (long)sizeof(sa_family_t)) return -EINVAL;
    if (s->type == SOCK_DGRAM) return emnet__udp_connect(s, (const struct sockaddr *)addr, (socklen_t)len);
    long r = emnet__sock_connect(s, (const struct sockaddr *)addr, (socklen_t)len);
    if (r != -EINPROGRESS || !blocking(s, 0)) return r;
    /* SO_SNDTIMEO bounds the wait: then EINPROGRESS, as inet_wait_for_connect. */
    uint64_t deadline = emnet__deadline_after(s->base.snd_timeout_ns);
    while (s->state == SOCK_CONNECTING) {
        int w = emnet__wait_until(deadline);
        if (w < 0) return w == -EAGAIN ? -EINPROGRESS : w;
    }
    return emnet__sock_connect(s, (const struct sockaddr *)addr, (socklen_t)len);
}

long __syscall_bind(long fd, long addr, long len, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    if (len < 0 || len > (long)sizeof(struct sockaddr_storage)) return -EINVAL;
    if (len && !addr) return -EFAULT;
    GET_SOCK(fd);
    const struct sockaddr *a = (const struct sockaddr *)addr;
    if (s->domain == AF_INET) {
        /* inet_bind: AF_UNSPEC passes for the wildcard, for old programs. */
        if (len < (long)sizeof(struct sockaddr_in)) return -EINVAL;
        uint32_t ip = ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr);
        if (a->sa_family != AF_INET && (a->sa_family != AF_UNSPEC || ip != INADDR_ANY)) return -EAFNOSUPPORT;
        /* A page has no addresses of its own: the wildcard and loopback
         * are all it may claim. */
        if (ip != INADDR_ANY && (ip >> 24) != 127) return -EADDRNOTAVAIL;
    } else {
        if (len < 24 /* SIN6_LEN_RFC2133 */) return -EINVAL;
        if (a->sa_family != AF_INET6) return -EAFNOSUPPORT;
    }
    return emnet__local_bind(s, a, (socklen_t)len);
}

long __syscall_listen(long fd, long backlog, long d1, long d2, long d3, long d4)
{
    (void)backlog, (void)d1, (void)d2, (void)d3, (void)d4;
    GET_SOCK(fd);
    (void)s;
    return -EOPNOTSUPP;   /* accepting connections needs a proxy feature not built yet */
}

long __syscall_accept4(long fd, long addr, long lenp, long flags, long d1, long d2)
{
    (void)addr, (void)lenp, (void)d1, (void)d2;
    /* Linux's order: the fd exists, the flags, then is it a socket. */
    if (!emnet_pollable_get((int)fd) && !emnet__fs_fd_exists((int)fd)) return -EBADF;
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
    GET_SOCK(fd);
    /* UDP has no accept (inet_dgram_ops: sock_no_accept); a TCP socket
     * here is not listening: none can be. */
    return s->type == SOCK_DGRAM ? -EOPNOTSUPP : -EINVAL;
}

/* One datagram; a blocking socket waits while the transport cannot take
 * it yet. */
static long send_datagram(struct emnet_sock *s, const void *buf, size_t len, long flags, const struct sockaddr *to,
                          socklen_t tolen)
{
    uint64_t deadline = emnet__deadline_after(s->base.snd_timeout_ns);
    for (;;) {
        long r = emnet__udp_send(s, buf, len, (int)flags, to, tolen);
        if (r != -EAGAIN || !blocking(s, flags)) return r;
        int w = emnet__wait_until(deadline);
        if (w < 0) return w;
    }
}

long __syscall_sendto(long fd, long buf, long len, long flags, long addr, long alen)
{
    GET_SOCK(fd);
    if (s->type == SOCK_DGRAM) {
        if (addr && (alen < 0 || alen > (long)sizeof(struct sockaddr_storage))) return -EINVAL;
        if (!buf && len) return -EFAULT;
        return send_datagram(s, (const void *)buf, (size_t)len, flags, (const struct sockaddr *)addr,
                             addr ? (socklen_t)alen : 0);
    }
    /* The address is ignored on a stream socket, as Linux does. */
    if (!buf && len) return -EFAULT;
    /* A blocking send waits until all of it is taken (tcp_sendmsg); a
     * shortfall is reported only when an error cut it short. */
    size_t done = 0;
    uint64_t deadline = emnet__deadline_after(s->base.snd_timeout_ns);
    for (;;) {
        long r = emnet__sock_send(s, (const uint8_t *)buf + done, (size_t)len - done);
        if (r > 0) {
            done += (size_t)r;
            if (done == (size_t)len || !blocking(s, flags)) return (long)done;
            continue;
        }
        if (r == 0) return (long)done;
        if (r != -EAGAIN || !blocking(s, flags)) return done ? (long)done : r;
        int w = emnet__wait_until(deadline);
        if (w < 0) return done ? (long)done : w;
    }
}

/* One receive: the non-blocking core, made blocking and MSG_WAITALL as
 * asked. MSG_TRUNC on a stream discards instead of copying. */
static long recv_flags(struct emnet_sock *s, void *buf, size_t len, long flags)
{
    if (flags & MSG_OOB) return -EINVAL;   /* no urgent data: the proxy cannot carry it */
    uint64_t deadline = emnet__deadline_after(s->base.rcv_timeout_ns);
    if ((flags & (MSG_PEEK | MSG_WAITALL)) == (MSG_PEEK | MSG_WAITALL) && blocking(s, flags)) {
        /* Peeking cannot consume, so waiting for all means waiting until
         * all of it is there (or the stream ends), then one peek. */
        while (emnet__sock_pending(s) < len && s->state == SOCK_CONNECTED && !s->peer_eof && !s->rd_shut &&
               !s->error) {
            int w = emnet__wait_until(deadline);
            if (w == -EAGAIN) break;   /* timed out: peek at what there is */
            if (w < 0) return w;
        }
    }
    size_t got = 0;
    for (;;) {
        void *dst = (flags & MSG_TRUNC) ? NULL : (uint8_t *)buf + got;
        long r = emnet__sock_recv(s, dst, len - got, (int)flags);
        if (r > 0) {
            got += (size_t)r;
            if (got == len || !(flags & MSG_WAITALL) || (flags & MSG_PEEK)) return (long)got;
            continue;
        }
        if (r == 0 || r != -EAGAIN) return got ? (long)got : r;
        if (!blocking(s, flags)) return got ? (long)got : r;
        int w = emnet__wait_until(deadline);
        if (w < 0) return got ? (long)got : w;
    }
}

/* One datagram, waiting for it on a blocking socket (0 once SHUT_RD has
 * made waiting pointless, as __skb_wait_for_more_packets does). */
static long recv_datagram(struct emnet_sock *s, void *buf, size_t len, long flags, struct sockaddr *from,
                          socklen_t *fromlen, int *truncated)
{
    uint64_t deadline = emnet__deadline_after(s->base.rcv_timeout_ns);
    for (;;) {
        long r = emnet__udp_recv(s, buf, len, (int)flags, from, fromlen, truncated);
        if (r != -EAGAIN || !blocking(s, flags)) return r;
        if (s->rd_shut) return 0;
        int w = emnet__wait_until(deadline);
        if (w < 0) return w;
    }
}

long __syscall_recvfrom(long fd, long buf, long len, long flags, long addr, long alenp)
{
    GET_SOCK(fd);
    if (s->type == SOCK_DGRAM) {
        if (!buf && len) return -EFAULT;
        if (addr && alenp && *(int *)alenp < 0) return -EINVAL;
        int truncated;
        return recv_datagram(s, (void *)buf, (size_t)len, flags, (struct sockaddr *)addr,
                             addr ? (socklen_t *)alenp : NULL, &truncated);
    }
    if (!buf && len && !(flags & MSG_TRUNC)) return -EFAULT;
    long r = recv_flags(s, (void *)buf, (size_t)len, flags);
    if (r >= 0 && addr && alenp) *(socklen_t *)alenp = 0;   /* a stream names no sender */
    return r;
}

long __syscall_sendmsg(long fd, long msgp, long flags, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    GET_SOCK(fd);
    const struct msghdr *msg = (const struct msghdr *)msgp;
    if (!msg) return -EFAULT;
    size_t total = 0;
    for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) total += msg->msg_iov[i].iov_len;
    uint8_t *tmp = malloc(total ? total : 1);
    if (!tmp) return -ENOMEM;
    for (size_t i = 0, off = 0; i < (size_t)msg->msg_iovlen; i++) {
        memcpy(tmp + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
        off += msg->msg_iov[i].iov_len;
    }
    long r = s->type == SOCK_DGRAM
                 ? send_datagram(s, tmp, total, flags, (const struct sockaddr *)msg->msg_name,
                                 msg->msg_name ? msg->msg_namelen : 0)
                 : __syscall_sendto(fd, (long)tmp, (long)total, flags, 0, 0);
    free(tmp);
    return r;
}

long __syscall_recvmsg(long fd, long msgp, long flags, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    GET_SOCK(fd);
    struct msghdr *msg = (struct msghdr *)msgp;
    if (!msg) return -EFAULT;
    size_t total = 0;
    for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) total += msg->msg_iov[i].iov_len;
    uint8_t *tmp = malloc(total ? total : 1);
    if (!tmp) return -ENOMEM;
    int truncated = 0;
    socklen_t namelen = msg->msg_name ? msg->msg_namelen : 0;
    long r = s->type == SOCK_DGRAM ? recv_datagram(s, tmp, total, flags, (struct sockaddr *)msg->msg_name,
                                                   msg->msg_name ? &namelen : NULL, &truncated)
                                   : recv_flags(s, tmp, total, flags);
    for (size_t i = 0, off = 0; r > 0 && i < (size_t)msg->msg_iovlen && off < (size_t)r; i++) {
        size_t c = (size_t)r - off < msg->msg_iov[i].iov_len ? (size_t)r - off : msg->msg_iov[i].iov_len;
        memcpy(msg->msg_iov[i].iov_base, tmp + off, c);
        off += c;
    }
    free(tmp);
    if (r >= 0) {
        msg->msg_namelen = s->type == SOCK_DGRAM && msg->msg_name ? namelen : 0;
        msg->msg_controllen = 0;
        msg->msg_flags = truncated ? MSG_TRUNC : 0;
    }
    return r;
}

static long sys_shutdown(long fd, long how)
{
    GET_SOCK(fd);
    if (how < SHUT_RD || how > SHUT_RDWR) return -EINVAL;
    if (s->state == SOCK_CONNECTING) {
        /* inet_shutdown of a connect in progress: tcp_disconnect, which
         * leaves ECONNRESET for SO_ERROR (and pollers) of a SYN_SENT one. */
        emnet__sock_disconnect(s);
        s->error = ECONNRESET;
        emnet_pollable_notify(&s->base, 0);
        return 0;
    }
    /* A socket with no connection says ENOTCONN but records the shutdown
     * all the same (inet_shutdown does, so that pollers see EPOLLHUP). */
    long r = s->state == SOCK_FRESH || s->state == SOCK_CLOSED ? -ENOTCONN : 0;
    if (how != SHUT_WR) s->rd_shut = 1;
    if (how != SHUT_RD && !s->wr_shut) {
        emnet__sock_shutdown_write(s);
        s->wr_shut = 1;
    }
    emnet__sock_ends_met(s);
    emnet_pollable_notify(&s->base, 0);
    return r;
}

/* Linux doubles what SO_RCVBUF/SO_SNDBUF are set to (half is for its own
 * bookkeeping), within net.core.[rw]mem_max. */
#define RMEM_MAX 212992
#define WMEM_MAX 212992

/* sk_getsockopt's copy out: as much of the value as the caller has room
 * for, and that length. */
static int put_opt(long val, long lenp, const void *v, size_t size)
{
    if (!lenp) return -EFAULT;
    int len = *(int *)lenp;
    if (len < 0) return -EINVAL;
    if (len > (int)size) len = (int)size;
    if (len && !val) return -EFAULT;
    memcpy((void *)val, v, (size_t)len);
    *(int *)lenp = len;
    return 0;
}

static int put_int_opt(long val, long lenp, int v)
{
    return put_opt(val, lenp, &v, sizeof v);
}

/* SO_RCVTIMEO / SO_SNDTIMEO as a struct timeval; Linux copies as much of
 * it as the caller has room for. */
static int put_timeout_opt(long val, long lenp, uint64_t ns)
{
    struct timeval tv = { .tv_sec = (time_t)(ns / 1000000000u), .tv_usec = (suseconds_t)(ns % 1000000000u / 1000u) };
    return put_opt(val, lenp, &tv, sizeof tv);
}

/* sock_set_timeout: a zero timeval waits without end, a negative one not at
 * all, microseconds out of range are EDOM. */
static int set_timeout_opt(long val, long len, uint64_t *ns)
{
    struct timeval tv;
    if (len < (long)sizeof tv) return -EINVAL;
    if (!val) return -EFAULT;
    memcpy(&tv, (const void *)val, sizeof tv);
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) return -EDOM;
    if (tv.tv_sec < 0)
        *ns = 1;   /* the shortest wait there is: the call tries once */
    else
        *ns = (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
    return 0;
}

long __syscall_getsockopt(long fd, long level, long name, long val, long lenp, long d1)
{
    (void)d1;
    GET_SOCK(fd);
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->domain == AF_INET6)
        return put_int_opt(val, lenp, s->opt_v6only);
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_RCVTIMEO: return put_timeout_opt(val, lenp, s->base.rcv_timeout_ns);
        case SO_SNDTIMEO: return put_timeout_opt(val, lenp, s->base.snd_timeout_ns);
        case SO_ERROR: {
            int e = s->error;
            s->error = 0;
            return put_int_opt(val, lenp, e);
        }
        case SO_TYPE: return put_int_opt(val, lenp, s->type);
        case SO_DOMAIN: return put_int_opt(val, lenp, s->domain);
        case SO_PROTOCOL: return put_int_opt(val, lenp, s->protocol);
        case SO_ACCEPTCONN: return put_int_opt(val, lenp, 0);
        /* Linux's defaults: tcp_rmem/tcp_wmem for TCP, [rw]mem_default for UDP. */
        case SO_RCVBUF:
            return put_int_opt(val, lenp, s->opt_rcvbuf ? s->opt_rcvbuf : s->type == SOCK_DGRAM ? 212992 : 131072);
        case SO_SNDBUF:
            return put_int_opt(val, lenp, s->opt_sndbuf ? s->opt_sndbuf : s->type == SOCK_DGRAM ? 212992 : 16384);
        case SO_KEEPALIVE: return put_int_opt(val, lenp, s->opt_keepalive);
        case SO_REUSEADDR: return put_int_opt(val, lenp, s->opt_reuseaddr);
        case SO_BROADCAST: return put_int_opt(val, lenp, s->opt_broadcast);
        case SO_LINGER: {
            struct linger lg = { .l_onoff = s->opt_linger_on, .l_linger = s->opt_linger_secs };
            return put_opt(val, lenp, &lg, sizeof lg);
        }
        default: return -ENOPROTOOPT;
        }
    }
    int tcp = s->type == SOCK_STREAM;
    if (tcp && level == IPPROTO_TCP && name == TCP_NODELAY) return put_int_opt(val, lenp, s->opt_nodelay);
    /* An unknown level: IPv4's ip_getsockopt answers EOPNOTSUPP, IPv6's
     * ENOPROTOOPT. */
    if (level != SOL_SOCKET && !(tcp && level == IPPROTO_TCP) && !(!tcp && level == IPPROTO_UDP) &&
        level != IPPROTO_IP && level != IPPROTO_IPV6)
        return s->domain == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
    return -ENOPROTOOPT;
}

static long sys_setsockopt(long fd, long level, long name, long val, long len)
{
    GET_SOCK(fd);
    if (level == SOL_SOCKET && name == SO_RCVTIMEO) return set_timeout_opt(val, len, &s->base.rcv_timeout_ns);
    if (level == SOL_SOCKET && name == SO_SNDTIMEO) return set_timeout_opt(val, len, &s->base.snd_timeout_ns);
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && s->domain == AF_INET6) {
        if (len < (long)sizeof(int)) return -EINVAL;
        if (!val) return -EFAULT;
        if (s->local_len) return -EINVAL;   /* bound already: too late to choose */
        s->opt_v6only = *(const int *)val != 0;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
        /* sk_setsockopt: the whole struct or EINVAL; off keeps the time. */
        struct linger lg;
        if (len < (long)sizeof lg) return -EINVAL;
        if (!val) return -EFAULT;
        memcpy(&lg, (const void *)val, sizeof lg);
        s->opt_linger_on = lg.l_onoff != 0;
        if (lg.l_onoff) s->opt_linger_secs = lg.l_linger;
        return 0;
    }
    int known = (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF || name == SO_KEEPALIVE ||
                                         name == SO_REUSEADDR || name == SO_BROADCAST)) ||
                (s->type == SOCK_STREAM && level == IPPROTO_TCP && name == TCP_NODELAY);
    if (!known) return -ENOPROTOOPT;
    if (len < (long)sizeof(int)) return -EINVAL;
    if (!val) return -EFAULT;
    int v = *(const int *)val;
    if (level == IPPROTO_TCP) {
        s->opt_nodelay = v != 0;   /* the proxy's TCP socket sends at once anyway */
        return 0;
    }
    switch (name) {
    case SO_RCVBUF:
        s->opt_rcvbuf = 2 * ((unsigned)v > RMEM_MAX ? RMEM_MAX : (v < 1152 ? 1152 : v));
        return 0;
    case SO_SNDBUF:
        s->opt_sndbuf = 2 * ((unsigned)v > WMEM_MAX ? WMEM_MAX : (v < 2304 ? 2304 : v));
        return 0;
    case SO_KEEPALIVE:
        s->opt_keepalive = v != 0;
        return 0;
    case SO_BROADCAST:
        s->opt_broadcast = v != 0;   /* sends to 255.255.255.255 need it (udp.c) */
        return 0;
    default:
        s->opt_reuseaddr = v != 0;
        return 0;
    }
}

static int put_addr(const struct sockaddr_storage *a, socklen_t alen, long addr, long lenp)
{
    if (!lenp) return -EFAULT;
    socklen_t len = *(socklen_t *)lenp;
    if ((int)len < 0) return -EINVAL;
    if (len && !addr) return -EFAULT;
    memcpy((void *)addr, a, len < alen ? len : alen);
    *(socklen_t *)lenp = alen;   /* the full size, even if it did not fit */
    return 0;
}

long __syscall_getsockname(long fd, long addr, long lenp, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    GET_SOCK(fd);
    if (s->local_len) return put_addr(&s->local, s->local_len, addr, lenp);
    /* Unbound, or bound implicitly by connect (the proxy's own address
     * and port are not known here): the wildcard address, port 0. */
    struct sockaddr_storage any;
    memset(&any, 0, sizeof any);
    any.ss_family = (sa_family_t)s->domain;
    return put_addr(&any, s->domain == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6), addr,
                    lenp);
}

long __syscall_getpeername(long fd, long addr, long lenp, long d1, long d2, long d3)
{
    (void)d1, (void)d2, (void)d3;
    GET_SOCK(fd);
    /* inet_getname: ENOTCONN in SYN_SENT and TCP_CLOSE -- before the
     * connection, after it failed, after a reset, and once both sides
     * have sent their FIN. */
    if (s->state != SOCK_CONNECTED) return -ENOTCONN;
    return put_addr(&s->peer, s->peer_len, addr, lenp);
}

int shutdown(int fd, int how)
{
    return ret(sys_shutdown(fd, how));
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    return ret(sys_setsockopt(fd, level, name, (long)val, (long)len));
}

int socket(int domain, int type, int protocol)
{
    return ret(__syscall_socket(domain, type, protocol, 0, 0, 0));
}

int accept4(int fd, struct sockaddr *restrict addr, socklen_t *restrict len, int flags)
{
    return ret(__syscall_accept4(fd, (long)addr, (long)len, flags, 0, 0));
}

int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
    return accept4(fd, addr, len, 0);
}
