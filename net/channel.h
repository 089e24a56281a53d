/* The seam between sockets and transports (DESIGN.md's data path).
 *
 * A transport carries a channel for a socket: a byte stream (a TCP socket)
 * or a datagram flow (a UDP socket, to any number of destinations). The
 * socket owns the channel record and all socket state -- its receive
 * buffer, its datagram queue, its errors; the transport owns what hangs
 * off `state` and never sees a socket. It reports what happens on the
 * channel through the typed events below, and the socket decides what a
 * program sees.
 *
 * A new transport is one C file with a `struct emnet_transport`, a line in
 * transports.c (its name and settings), and, when it needs the host, a JS
 * backend (WebSocket-based ones share websocket.h's). */
#ifndef EMNET_NET_CHANNEL_H
#define EMNET_NET_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct emnet_channel {
    const struct emnet_transport *transport;   /* NULL: no channel (never opened, or over) */
    void *state;                               /* the transport's own */
    int family;                                /* the socket's: AF_INET or AF_INET6 */
    size_t rcv_limit, snd_limit;               /* the socket's buffer limits, in bytes */
    int datagrams;                             /* a datagram flow (UDP), not a byte stream */
    int one_peer;                              /* datagrams: to and from one peer only (a connected UDP socket) */
};

struct emnet_transport {
    const char *name;

    /* ---- byte streams ---- */
    /* Starts connecting to host:port (a name or an address in text); the
     * transport later reports opened or failed. */
    int (*open)(struct emnet_channel *ch, const char *host, unsigned port);
    /* Queues up to len bytes; returns how many it took (0 when full: a
     * drained event follows once there is room). */
    long (*send)(struct emnet_channel *ch, const void *buf, size_t len);
    /* The program has read: the bytes the socket holds went down (to
     * emnet__chan_rx_held). */
    void (*consumed)(struct emnet_channel *ch);
    /* shutdown(SHUT_WR): tells the peer (TCP's FIN); 1, or 0 where the
     * transport cannot (NULL: never). */
    int (*shutdown_write)(struct emnet_channel *ch);

    /* ---- datagram flows (NULL: the transport carries none) ---- */
    /* Sends one datagram to `to` (an address of the socket's family, or a
     * getaddrinfo placeholder: emnet__addr_host names it). 0, -EAGAIN when
     * it cannot take it now (a drained event follows), or -errno. */
    int (*send_datagram)(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf,
                         size_t len);

    /* ---- both ---- */
    /* A socket was created and every socket goes over this transport:
     * start what its first connect or datagram would otherwise wait for
     * (NULL: nothing to start). */
    void (*prepare)(void);
    /* Whether a send now would be refused for want of room; asked on every
     * readiness check, so it never calls into the host. */
    int (*send_full)(const struct emnet_channel *ch);
    /* Ends the channel: in order, or with a reset (where Linux's close
     * sends an RST). No event follows; ch->state is the transport's to free. */
    void (*close)(struct emnet_channel *ch, int reset);
};

/* ---- events, from the transport to the socket (socket.c, tcp.c, udp.c) ----
 * After failed or ended the channel is over: the transport has let go of
 * it (ch->transport is NULL) and hears nothing more of it. */
void emnet__chan_opened(struct emnet_channel *ch);
void emnet__chan_failed(struct emnet_channel *ch, int err);    /* the open failed: a connect's errno */
/* Received bytes are written straight into the socket's receive buffer:
 * reserve room, write, commit. NULL: out of memory -- the transport ends
 * the channel with a reset (emnet__chan_ended(ch, ECONNRESET)): a stream
 * never goes on with a hole. Counted in emnet_net_stats(). */
uint8_t *emnet__chan_rx_reserve(struct emnet_channel *ch, size_t len);
void emnet__chan_rx_commit(struct emnet_channel *ch, size_t len);
size_t emnet__chan_rx_held(const struct emnet_channel *ch);    /* received, not yet read */
void emnet__chan_drained(struct emnet_channel *ch);            /* room to send again */
void emnet__chan_peer_fin(struct emnet_channel *ch);           /* the peer's FIN: it may still read */
void emnet__chan_ended(struct emnet_channel *ch, int err);     /* 0: the peer closed in order; else an errno */
/* A datagram, written straight into its queue entry: reserve room for len
 * bytes (NULL: out of memory, the datagram is dropped and counted, as
 * Linux drops it), write, then commit it as data[off, off + len) from
 * `from` -- bytes before off are the transport's, e.g. a header it reads
 * the source from. */
uint8_t *emnet__chan_dgram_reserve(struct emnet_channel *ch, size_t len);
void emnet__chan_dgram_commit(struct emnet_channel *ch, const struct sockaddr *from, socklen_t fromlen, size_t off,
                              size_t len);
/* An error a network reports for a destination (as an ICMP error). */
void emnet__chan_datagram_error(struct emnet_channel *ch, const struct sockaddr *from, socklen_t fromlen, int err);

/* ---- addresses ---- */
#define EMNET_HOST_TEXT_MAX 256
/* A destination as a proxy is told it: the name behind a getaddrinfo
 * placeholder, or the address in text (IPv4 for a v4-mapped one); and the
 * port. -EINVAL when it names neither. */
int emnet__addr_host(const struct sockaddr *a, socklen_t len, char *host, size_t hostlen, unsigned *port);

#endif
