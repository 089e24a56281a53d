/* A socket's local end: the address and port getsockname names, chosen as
 * Linux chooses them (net/ipv4/inet_connection_sock.c, udp.c's port
 * lookup, the route's source address).
 *
 * A page has no address and no ports of its own, and the proxy's end of a
 * connection is not visible to it: emnet hands out local ports itself,
 * from Linux's ephemeral range, unique among the program's sockets of a
 * type -- bind to port 0, a UDP socket's first send, a connect -- so that
 * a program sees what it would see on Linux. A connect to a loopback peer
 * makes the local address loopback, as the route would; any other peer
 * leaves the wildcard (the page's address there is the proxy's). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "internal.h"

#define EPHEMERAL_LOW 32768     /* net.ipv4.ip_local_port_range */
#define EPHEMERAL_HIGH 60999

static socklen_t addr_len_of(int family)
{
    return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* The address in the socket's own family: an AF_INET6 socket reports
 * IPv4 peers as v4-mapped addresses, as Linux does. */
void emnet__sock_normalize_addr(const struct emnet_sock *s, const struct sockaddr *a, struct sockaddr_storage *out,
                                socklen_t *outlen)
{
    memset(out, 0, sizeof *out);
    if (s->domain == AF_INET6 && a->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = in->sin_port;
        in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(in6->sin6_addr.s6_addr + 12, &in->sin_addr, 4);
        *outlen = sizeof *in6;
        return;
    }
    if (a->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        struct sockaddr_in *o = (struct sockaddr_in *)out;
        o->sin_family = AF_INET;
        o->sin_port = in->sin_port;
        o->sin_addr = in->sin_addr;
        *outlen = sizeof *o;
        return;
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
    struct sockaddr_in6 *o = (struct sockaddr_in6 *)out;
    o->sin6_family = AF_INET6;
    o->sin6_port = in6->sin6_port;
    o->sin6_addr = in6->sin6_addr;
    o->sin6_scope_id = in6->sin6_scope_id;
    *outlen = sizeof *o;
}

static unsigned local_port(const struct emnet_sock *s)
{
    if (!s->local_len) return 0;
    return s->local.ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)&s->local)->sin_port)
                                         : ntohs(((const struct sockaddr_in6 *)&s->local)->sin6_port);
}

static void set_local_port(struct emnet_sock *s, unsigned port)
{
    if (!s->local_len) {
        memset(&s->local, 0, sizeof s->local);
        s->local.ss_family = (sa_family_t)s->domain;
        s->local_len = addr_len_of(s->domain);
    }
    if (s->domain == AF_INET)
        ((struct sockaddr_in *)&s->local)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)&s->local)->sin6_port = htons((uint16_t)port);
}

/* inet_autobind / udp_lib_get_port with port 0: a free ephemeral port. */
static int pick_port(struct emnet_sock *s)
{
    static unsigned next;
    unsigned span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    if (!next) next = EPHEMERAL_LOW + (unsigned)(emnet__now_ns() / 1000u) % span;
    for (unsigned i = 0; i < span; i++) {
        unsigned port = next;
        next = next == EPHEMERAL_HIGH ? EPHEMERAL_LOW : next + 1;
        if (!emnet__sock_port_in_use(s, port)) {
            set_local_port(s, port);
            return 0;
        }
    }
    return -EAGAIN;   /* every ephemeral port taken: Linux's answer too */
}

int emnet__local_autobind(struct emnet_sock *s)
{
    if (local_port(s)) return 0;
    int r = pick_port(s);
    if (r == 0) s->port_autobound = 1;
    return r;
}

int emnet__local_bind(struct emnet_sock *s, const struct sockaddr *a, socklen_t len)
{
    (void)len;   /* checked by the caller */
    /* inet_bind: a socket bound already (by bind, a send or connect). */
    if (local_port(s) || s->state != SOCK_FRESH) return -EINVAL;
    struct sockaddr_in v4;
    if (s->domain == AF_INET && a->sa_family != AF_INET) {   /* AF_UNSPEC for the wildcard */
        memcpy(&v4, a, sizeof v4);
        v4.sin_family = AF_INET;
        a = (const struct sockaddr *)&v4;
    }
    unsigned port = a->sa_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)a)->sin6_port)
                                             : ntohs(((const struct sockaddr_in *)a)->sin_port);
    struct sockaddr_storage norm;
    socklen_t nlen;
    emnet__sock_normalize_addr(s, a, &norm, &nlen);
    if (port && emnet__sock_port_in_use(s, port)) return -EADDRINUSE;
    s->local = norm;   /* its port is 0 until pick_port() fills it in */
    s->local_len = nlen;
    if (!port) {
        int r = pick_port(s);
        if (r < 0) {
            s->local_len = 0;
            return r;
        }
    }
    /* Which parts bind() fixed (SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK). */
    if (s->domain == AF_INET)
        s->addr_locked = ((const struct sockaddr_in *)&norm)->sin_addr.s_addr != htonl(INADDR_ANY);
    else
        s->addr_locked = !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&norm)->sin6_addr);
    s->port_autobound = port == 0;
    return 0;
}

/* The route's source address for the peer just connected to. */
void emnet__local_connected(struct emnet_sock *s)
{
    if (s->addr_locked || !s->local_len) return;
    struct sockaddr_storage peer;
    socklen_t plen;
    emnet__sock_normalize_addr(s, (const struct sockaddr *)&s->peer, &peer, &plen);
    if (s->domain == AF_INET) {
        const struct sockaddr_in *p = (const struct sockaddr_in *)&peer;
        if ((ntohl(p->sin_addr.s_addr) >> 24) == 127)
            ((struct sockaddr_in *)&s->local)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return;
    }
    const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)&peer;
    struct sockaddr_in6 *l = (struct sockaddr_in6 *)&s->local;
    if (IN6_IS_ADDR_LOOPBACK(&p->sin6_addr)) {
        l->sin6_addr = in6addr_loopback;
    } else if (IN6_IS_ADDR_V4MAPPED(&p->sin6_addr) && p->sin6_addr.s6_addr[12] == 127) {
        memset(&l->sin6_addr, 0, sizeof l->sin6_addr);
        l->sin6_addr.s6_addr[10] = l->sin6_addr.s6_addr[11] = 0xff;
        l->sin6_addr.s6_addr[12] = 127;
        l->sin6_addr.s6_addr[15] = 1;
    }
}

/* The connection is gone (disconnect, a failed connect): the address the
 * route chose goes back to the wildcard; the port stays. */
void emnet__local_disconnected(struct emnet_sock *s)
{
    if (s->addr_locked || !s->local_len) return;
    if (s->domain == AF_INET)
        ((struct sockaddr_in *)&s->local)->sin_addr.s_addr = htonl(INADDR_ANY);
    else
        memset(&((struct sockaddr_in6 *)&s->local)->sin6_addr, 0, sizeof(struct in6_addr));
}
