/* What every socket has, TCP (tcp.c) or UDP (udp.c): the table of the
 * program's sockets, creation, the channel a transport carries for it
 * (channel.h), and emnet_net_stats(). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "internal.h"
#include "websocket.h"

#define MAX_SOCKS 65536

/* The program's sockets, for the stats and for local port choices. */
static struct emnet_sock **socks;
static int sock_cap;
static unsigned long rx_failures;

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
    s->slot = slot;
    return 0;
}

void emnet__sock_count_rx_failure(void)
{
    rx_failures++;
}

void emnet_net_stats(struct emnet_net_stats *out)
{
    unsigned n = 0;
    for (int i = 0; i < sock_cap; i++) n += socks[i] != NULL;
    out->sockets = n;
    out->host_objects = emnet__ws_live() + emnet__wt_live_streams();
    out->datagrams_dropped = emnet__udp_total_drops();
    out->wisp_streams = emnet__wisp_live_streams();
    out->receive_failures = rx_failures;
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

/* ---- the channel ---- */

struct emnet_sock *emnet__sock_of(struct emnet_channel *ch)
{
    return (struct emnet_sock *)((char *)ch - offsetof(struct emnet_sock, ch));
}

void emnet__sock_close_channel(struct emnet_sock *s, int reset)
{
    const struct emnet_transport *t = s->ch.transport;
    if (!t) return;
    s->ch.transport = NULL;
    t->close(&s->ch, reset);
    s->ch.state = NULL;
}

void emnet__chan_drained(struct emnet_channel *ch)
{
    emnet_pollable_notify(&emnet__sock_of(ch)->base, EPOLLOUT | EPOLLWRNORM);
}

uint8_t *emnet__chan_dgram_reserve(struct emnet_channel *ch, size_t len)
{
    return emnet__udp_reserve(emnet__sock_of(ch), len);
}

void emnet__chan_dgram_commit(struct emnet_channel *ch, const struct sockaddr *from, socklen_t fromlen, size_t off,
                              size_t len)
{
    (void)fromlen;
    emnet__udp_commit(emnet__sock_of(ch), from, off, len);
}

void emnet__chan_datagram_error(struct emnet_channel *ch, const struct sockaddr *from, socklen_t fromlen, int err)
{
    (void)fromlen;
    emnet__udp_datagram_error(emnet__sock_of(ch), from, err);
}

/* ---- both kinds ---- */

struct emnet_sock *emnet__sock_from_fd(int fd, int *err)
{
    struct emnet_pollable *p = emnet__fd_lookup(fd, &emnet__tcp_ops, -ENOTSOCK, err);
    if (!p) {
        int e2 = 0;
        p = emnet__fd_lookup(fd, &emnet__udp_ops, -ENOTSOCK, &e2);
        if (p) *err = 0;
    }
    return (struct emnet_sock *)p;
}

/* Shared by both kinds' ops: a closed fd's last reference. */
void emnet__sock_destroy(struct emnet_pollable *p)
{
    struct emnet_sock *s = (struct emnet_sock *)p;
    emnet__sock_close_channel(s, s->type == SOCK_STREAM && emnet__sock_close_resets(s));
    socks[s->slot] = NULL;
    rxbuf_free(&s->rx);
    emnet__udp_free_queue(s);
    free(s);
}

int emnet__sock_create(int domain, int type, int protocol)
{
    struct emnet_sock *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    int kind = type & 0xf;
    emnet_pollable_init(&s->base, kind == SOCK_DGRAM ? &emnet__udp_ops : &emnet__tcp_ops);
    s->domain = domain;
    s->type = kind;
    s->protocol = protocol ? protocol : kind == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    s->state = SOCK_FRESH;
    s->ch.family = domain;
    s->ch.datagrams = kind == SOCK_DGRAM;
    s->ch.rcv_limit = (size_t)emnet__setting(SETTING_RECV_BUFFER);
    s->ch.snd_limit = (size_t)emnet__setting(SETTING_SEND_BUFFER);
    int r = sock_register(s);
    if (r < 0) {
        free(s);
        return r;
    }
    int fd = emnet_pollable_install(&s->base, type & (O_NONBLOCK | O_CLOEXEC));
    if (fd < 0) {
        socks[s->slot] = NULL;
        free(s);
    }
    return fd;
}
