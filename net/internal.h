/* Private cross-file declarations of net/ (wasm builds).
 * Internal functions return >= 0 or -EXXX; only posix_socket.c sets errno. */
#ifndef EMNET_NET_INTERNAL_H
#define EMNET_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "emnet/net.h"
#include "emnet/reactor.h"
#include "../reactor/internal.h"
#include "channel.h"

/* ---- rxbuf.c: the bytes received and not yet read ---- */
struct rxbuf {
    uint8_t *data;
    size_t start, end, cap;
};
size_t rxbuf_len(const struct rxbuf *b);
/* Room for len more bytes at the end: a pointer to write them to, or NULL
 * when out of memory. Call rxbuf_commit(len) once they are there. */
uint8_t *rxbuf_reserve(struct rxbuf *b, size_t len);
void rxbuf_commit(struct rxbuf *b, size_t len);
/* Copies up to len bytes out (dst NULL: discards them); consumes them
 * unless peek. */
size_t rxbuf_read(struct rxbuf *b, void *dst, size_t len, int peek);
void rxbuf_free(struct rxbuf *b);

/* ---- resolve.c ---- */

/* The name behind a placeholder address from getaddrinfo, or NULL. */
const char *emnet__placeholder_name(const struct sockaddr *sa);

/* Name lookup through the proxy (resolve_proxy.c, js/library_emnet_dns.js).
 * What the proxy said of a name: EMNET__DNS_* below, or a set of
 * EMNET__DNS_IPV4 | EMNET__DNS_IPV6 (0: no answer to use). */
#define EMNET__DNS_IPV4 1
#define EMNET__DNS_IPV6 2
#define EMNET__DNS_NONAME (-1)    /* no such name: EAI_NONAME */
#define EMNET__DNS_AGAIN (-2)     /* try later: EAI_AGAIN */
#define EMNET__DNS_BLOCKED (-3)   /* the proxy's policy forbids it: keep the placeholder */
#define EMNET__DNS_UNKNOWN 0      /* no usable answer: keep the placeholder */
/* Asks, blocking while the proxy answers, when the program can block and a
 * resolve URL is configured for (name, port); else EMNET__DNS_UNKNOWN. */
int emnet__dns_ask(const char *name, unsigned port);
/* 1 when the question goes on the WebTransport session instead
 * (transports.c), then wt_dns_query (wt_udp.c) asks it. */
int emnet__resolve_on_session(const char *host, unsigned port);
int wt_dns_query(const char *name, int id);
/* Entry point the host calls with the answer to request id (exported). */
void emnet__dns_answer(int id, int answer);
/* The host: starts a lookup whose answer comes to emnet__dns_answer(id). */
void emnet_js_dns_query(const char *url, const char *name, unsigned port, int id);

/* ---- config.c: every EMNET_* setting, its name and default in one table ----
 * Read where the value is needed (a connect, a new socket), never on a hot
 * path, so that a program's setenv() before a connect takes effect. */
enum emnet_setting {
    SETTING_CONNECT_TIMEOUT_MS,   /* an unanswered connect gives up: ETIMEDOUT */
    SETTING_CONNECT_CONFIRM_MS,   /* silence that confirms a connect, where no "connected" comes */
    SETTING_RECV_BUFFER,          /* a stream socket's receive buffer */
    SETTING_SEND_BUFFER,          /* bytes a WebSocket may hold queued */
    SETTING_UDP_DESTINATIONS,     /* per-destination streams a UDP socket keeps */
    SETTING_RESOLVE_CACHE_MS,
    SETTING_RESOLVE_TIMEOUT_MS,
    SETTING_COUNT
};
long emnet__setting(enum emnet_setting which);
/* Text settings, named once in config.c: the value, or NULL when unset
 * or empty (none has another default). */
enum emnet_text_setting {
    TEXT_WEBTRANSPORT_INFO_URL,       /* emnet-proxy's GET /webtransport: the session's port, path, hashes */
    TEXT_WEBTRANSPORT_CERT_HASHES,    /* hex SHA-256 of the proxy's certificate, comma-separated */
    TEXT_WEBTRANSPORT_UDP,            /* how UDP flows carry datagrams: datagrams, stream or auto */
    TEXT_SETTING_COUNT
};
const char *emnet__text_setting(enum emnet_text_setting which);
/* Whether the list in env_name (names separated by commas or spaces)
 * names name; an unset variable allows everything, an empty one nothing. */
int emnet__config_allows(const char *env_name, const char *name);
/* EMNET_WISP_USER (default empty) and EMNET_WISP_PASSWORD (NULL: unset). */
void emnet__wisp_credentials(const char **user, const char **password);

/* ---- transports.c: the registry of transports ---- */
struct emnet_transport;
/* The transport for a connect to (host, port), or NULL when the
 * configuration names none that exists. */
const struct emnet_transport *emnet__transport_for(const char *host, unsigned port);
/* The transport for datagrams to (host, port): the configured one if it
 * carries them, else one that does and is configured; NULL (warned) when
 * none. */
const struct emnet_transport *emnet__datagram_transport_for(const char *host, unsigned port);
/* The transport's server URL (a template with {host} and {port} for
 * websockify), or NULL after a warning naming the setting that is missing. */
const char *emnet__transport_url(const struct emnet_transport *t);
/* The same without a warning: NULL when none is set. */
const char *emnet__transport_url_quiet(const struct emnet_transport *t);
/* A socket was created: when no rules choose per destination, the
 * default transport prepares (its prepare op). */
void emnet__transports_socket_created(void);
/* The URL of emnet-proxy's /resolve to ask about (host, port): the
 * configured one, or one derived from the chosen transport's URL (in buf);
 * NULL when there is none. */
const char *emnet__resolve_url(const char *host, unsigned port, char *buf, size_t len);

/* ---- socket.c ---- */
enum emnet_sock_state {
    SOCK_FRESH,        /* never connected */
    SOCK_CONNECTING,
    SOCK_CONNECTED,
    SOCK_CLOSED,       /* the connection is over: failed, reset, or ended */
};

struct emnet_sock;

/* What connect() has told the program (Linux's sock->state). */
enum emnet_connect_phase { PHASE_UNCONNECTED, PHASE_CONNECTING, PHASE_CONNECTED };

struct emnet_sock {
    struct emnet_pollable base;               /* first: a socket is a pollable */
    int slot;                                 /* in the table of sockets */
    int domain, type, protocol;
    enum emnet_sock_state state;
    enum emnet_connect_phase phase;
    int error;                                /* pending SO_ERROR, a positive errno */
    unsigned char rd_shut, wr_shut;           /* shutdown() on our side */
    unsigned char peer_eof;                   /* the peer has closed its sending side */
    unsigned char reset;                      /* ended by a reset, not an orderly close */
    struct sockaddr_storage peer, local;
    socklen_t peer_len, local_len;
    struct rxbuf rx;
    int opt_rcvbuf, opt_sndbuf, opt_keepalive, opt_reuseaddr, opt_nodelay, opt_broadcast, opt_v6only;
    int opt_linger_on, opt_linger_secs;       /* SO_LINGER: the time is kept when the flag goes off */
    struct emnet_channel ch;                  /* what carries the socket's bytes (channel.h) */
    /* SOCK_DGRAM: the received datagrams, oldest first, and what they
     * cost against the receive buffer (udp.c). */
    struct emnet_dgram *dq_head, *dq_tail;
    struct emnet_dgram *dq_reserved;          /* arriving: reserved, its bytes being written */
    size_t dq_charge;
    unsigned long dq_drops;                   /* dropped because the queue was full */
    unsigned char port_autobound;             /* port chosen by emnet, not bind(): connect(AF_UNSPEC) frees it */
    unsigned char addr_locked;                /* bind() named a local address */
};

struct emnet_sock *emnet__sock_from_fd(int fd, int *err);   /* -EBADF, -ENOTSOCK */
struct emnet_sock *emnet__sock_of(struct emnet_channel *ch);
int emnet__sock_create(int domain, int type, int protocol);
/* Ends the socket's channel, if any: a reset when `reset`. */
void emnet__sock_close_channel(struct emnet_sock *s, int reset);
/* Counted in emnet_net_stats(): a receive buffer that could not grow. */
void emnet__sock_count_rx_failure(void);
/* Both kinds' destroy operation. */
void emnet__sock_destroy(struct emnet_pollable *p);

/* ---- tcp.c: stream sockets ---- */
extern const struct emnet_pollable_ops emnet__tcp_ops;
/* The socket calls, non-blocking; posix_socket.c adds blocking. */
int emnet__sock_connect(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len);
long emnet__sock_recv(struct emnet_sock *s, void *buf, size_t len, int flags);
long emnet__sock_send(struct emnet_sock *s, const void *buf, size_t len);
size_t emnet__sock_pending(struct emnet_sock *s);   /* bytes received, not read */
void emnet__sock_disconnect(struct emnet_sock *s);  /* back to fresh */
/* Our shutdown(SHUT_WR): the FIN goes where the transport carries one. */
void emnet__sock_shutdown_write(struct emnet_sock *s);
/* Whether closing s now resets the connection, as tcp_close decides:
 * SO_LINGER {1, 0}, or received data left unread. */
int emnet__sock_close_resets(const struct emnet_sock *s);
/* After our shutdown(SHUT_WR) or the peer's FIN: when both have happened,
 * the connection is over (state SOCK_CLOSED). */
void emnet__sock_ends_met(struct emnet_sock *s);
/* The address to connect to, with Linux's checks: as a proxy is told it
 * (emnet__addr_host), and the port. */
int emnet__sock_parse_addr(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len, char *host,
                           size_t hostlen, unsigned *port);

/* Is some other socket of this type bound to this local port? */
int emnet__sock_port_in_use(const struct emnet_sock *self, unsigned port);

/* ---- local_addr.c: the local end getsockname names ---- */
/* bind(): the address given, a port chosen when it is 0. */
int emnet__local_bind(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len);
/* A port now if the socket has none (a send or connect binds it). */
int emnet__local_autobind(struct emnet_sock *s);
void emnet__local_connected(struct emnet_sock *s);      /* the route's source address */
void emnet__local_disconnected(struct emnet_sock *s);   /* back to the wildcard */
/* The address in the socket's own family (IPv4 as v4-mapped on AF_INET6). */
void emnet__sock_normalize_addr(const struct emnet_sock *s, const struct sockaddr *a, struct sockaddr_storage *out,
                                socklen_t *outlen);

/* ---- udp.c: datagram sockets (state FRESH: unconnected, CONNECTED:
 * connected to a default peer) ---- */
struct emnet_dgram;
/* Receives one datagram: its length as Linux returns it (the real length
 * with MSG_TRUNC), *truncated set when it did not fit; from/fromlen as
 * recvfrom's (fromlen in/out, may be NULL). */
long emnet__udp_recv(struct emnet_sock *s, void *buf, size_t len, int flags, struct sockaddr *from,
                     socklen_t *fromlen, int *truncated);
long emnet__udp_send(struct emnet_sock *s, const void *buf, size_t len, int flags, const struct sockaddr *to,
                     socklen_t tolen);
int emnet__udp_connect(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len);
int emnet__udp_shutdown(struct emnet_sock *s, int how);
size_t emnet__udp_next_size(struct emnet_sock *s);   /* FIONREAD */
size_t emnet__udp_rcvbuf(struct emnet_sock *s);
void emnet__udp_free_queue(struct emnet_sock *s);
unsigned long emnet__udp_total_drops(void);
extern const struct emnet_pollable_ops emnet__udp_ops;
/* Events from the channel: a datagram from `from` (dropped, and counted,
 * when the receive buffer is full; ignored on a connected socket when from
 * is not its peer), and an error a network would report for a destination
 * (only a connected socket hears it, as in Linux). */
uint8_t *emnet__udp_reserve(struct emnet_sock *s, size_t len);
void emnet__udp_commit(struct emnet_sock *s, const struct sockaddr *from, size_t off, size_t len);
void emnet__udp_datagram_error(struct emnet_sock *s, const struct sockaddr *from, int err);

/* ---- transport_wisp.c ---- */
unsigned emnet__wisp_live_streams(void);   /* streams open on Wisp connections */

/* ---- wt_session.c ---- */
unsigned emnet__wt_live_streams(void);     /* WebTransport streams C holds */

#endif
