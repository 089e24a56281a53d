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
/* Entry point the host calls with the answer to request id (exported). */
void emnet__dns_answer(int id, int answer);
/* The host: starts a lookup whose answer comes to emnet__dns_answer(id). */
void emnet_js_dns_query(const char *url, const char *name, unsigned port, int id);

/* ---- config.c ---- */
const char *emnet__url_template(void);
const char *emnet__wisp_url(void);
long emnet__config_long(const char *env_name, long fallback);
/* Whether the list in env_name (names separated by commas or spaces)
 * names name; an unset variable allows everything, an empty one nothing. */
int emnet__config_allows(const char *env_name, const char *name);
/* The URL of emnet-proxy's /resolve to ask about (host, port): the
 * configured one, or one derived from the chosen transport's URL (in buf);
 * NULL when there is none. */
const char *emnet__resolve_url(const char *host, unsigned port, char *buf, size_t len);
struct emnet_transport_ops;
/* The transport for a connect to (host, port), or NULL when the
 * configuration names none that exists. */
const struct emnet_transport_ops *emnet__transport_for(const char *host, unsigned port);

/* ---- socket.c ---- */
enum emnet_sock_state {
    SOCK_FRESH,        /* never connected */
    SOCK_CONNECTING,
    SOCK_CONNECTED,
    SOCK_CLOSED,       /* the connection is over: failed, reset, or ended */
};

struct emnet_sock;

/* A transport carries one socket's bytes (one small vtable; DESIGN.md). */
struct emnet_transport_ops {
    const char *name;
    /* Starts connecting to host:port; the transport later calls
     * emnet__sock_connected() or emnet__sock_failed(). */
    int (*open)(struct emnet_sock *s, const char *host, unsigned port);
    /* Queues up to len bytes; returns how many it took (0 when full, and
     * then it calls emnet__sock_writable() once there is room again). */
    long (*send)(struct emnet_sock *s, const void *buf, size_t len);
    /* Bytes queued and not yet sent on. */
    size_t (*queued)(struct emnet_sock *s);
    /* The program has read: the receive buffer has room again. */
    void (*resume)(struct emnet_sock *s);
    /* close(): ends the connection in order, or with a reset when
     * emnet__sock_close_resets(s) says Linux would send an RST. */
    void (*close)(struct emnet_sock *s);
    /* shutdown(SHUT_WR) of a connected stream socket: tells the peer
     * (TCP's FIN) and returns 1, or 0 when the transport cannot (NULL: never). */
    int (*shutdown_write)(struct emnet_sock *s);
    /* Datagram sockets (NULL: this transport carries none). Sends one
     * datagram to `to` (in the socket's family; emnet__udp_dest_host names
     * it), reported back as the source of what comes from there (through
     * emnet__sock_datagram). Returns 0, -EAGAIN when it cannot take it now
     * (emnet__sock_writable() follows), or -errno. */
    int (*send_datagram)(struct emnet_sock *s, const struct sockaddr *to, socklen_t tolen, const void *buf,
                         size_t len);
};

/* What connect() has told the program (Linux's sock->state). */
enum emnet_connect_phase { PHASE_UNCONNECTED, PHASE_CONNECTING, PHASE_CONNECTED };

struct emnet_sock {
    struct emnet_pollable base;               /* first: a socket is a pollable */
    int id;                                   /* handle for the transport's callbacks */
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
    size_t rcvbuf_limit, sndbuf_limit;
    int opt_rcvbuf, opt_sndbuf, opt_keepalive, opt_reuseaddr, opt_nodelay, opt_broadcast, opt_v6only;
    int opt_linger_on, opt_linger_secs;       /* SO_LINGER: the time is kept when the flag goes off */
    const struct emnet_transport_ops *transport;
    void *transport_state;                    /* the transport's own */
    /* SOCK_DGRAM: the received datagrams, oldest first, and what they
     * cost against the receive buffer (udp.c). */
    struct emnet_dgram *dq_head, *dq_tail;
    size_t dq_charge;
    unsigned long dq_drops;                   /* dropped because the queue was full */
    unsigned char port_autobound;             /* port chosen by emnet, not bind(): connect(AF_UNSPEC) frees it */
    unsigned char addr_locked;                /* bind() named a local address */
};

struct emnet_sock *emnet__sock_by_id(int id);
struct emnet_sock *emnet__sock_from_fd(int fd, int *err);   /* -EBADF, -ENOTSOCK */
int emnet__sock_create(int domain, int type, int protocol);
/* The socket calls, non-blocking; posix_socket.c adds blocking. */
int emnet__sock_connect(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len);
long emnet__sock_recv(struct emnet_sock *s, void *buf, size_t len, int flags);
long emnet__sock_send(struct emnet_sock *s, const void *buf, size_t len);
size_t emnet__sock_pending(struct emnet_sock *s);   /* bytes received, not read */
void emnet__sock_disconnect(struct emnet_sock *s);  /* back to fresh */

/* Events from the transport. */
void emnet__sock_connected(struct emnet_sock *s);
void emnet__sock_failed(struct emnet_sock *s, int err);      /* while connecting */
void emnet__sock_data(struct emnet_sock *s);                  /* rx grew */
void emnet__sock_peer_closed(struct emnet_sock *s, int reset);
/* The peer's FIN on a transport that carries half-close: end of stream to
 * read, and the socket may still send (CLOSE_WAIT). */
void emnet__sock_peer_fin(struct emnet_sock *s);
/* Whether closing s now resets the connection, as tcp_close decides:
 * SO_LINGER {1, 0}, or received data left unread. */
int emnet__sock_close_resets(const struct emnet_sock *s);
/* A stream socket's receive buffer limit, EMNET_RECV_BUFFER (default 1 MiB). */
size_t emnet__recv_buffer(void);
void emnet__sock_writable(struct emnet_sock *s);              /* send room again */
/* After our shutdown(SHUT_WR) or the peer's FIN: when both have happened,
 * the connection is over (state SOCK_CLOSED). */
void emnet__sock_ends_met(struct emnet_sock *s);

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
uint32_t emnet__udp_poll(struct emnet_sock *s);
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
/* Events from the transport: a datagram from `from` (dropped, and
 * counted, when the receive buffer is full; ignored on a connected socket
 * when from is not its peer), and an error a network would report for a
 * destination (only a connected socket hears it, as in Linux). */
void emnet__sock_datagram(struct emnet_sock *s, const struct sockaddr *from, socklen_t fromlen, const void *data,
                          size_t len);
void emnet__sock_datagram_error(struct emnet_sock *s, const struct sockaddr *from, socklen_t fromlen, int err);
/* A destination as a proxy is told it: the name behind a getaddrinfo
 * placeholder, or the address in text; and the port. */
#define EMNET_HOST_TEXT_MAX 256
int emnet__udp_dest_host(struct emnet_sock *s, const struct sockaddr *to, socklen_t tolen, char *host,
                         size_t hostlen, unsigned *port);
/* The address to send to, with Linux's checks: host text, port. */
int emnet__sock_parse_addr(struct emnet_sock *s, const struct sockaddr *addr, socklen_t len, char *host,
                           size_t hostlen, unsigned *port);

/* ---- transport_websockify.c ---- */
extern const struct emnet_transport_ops emnet__websockify_transport;

/* Entry points js/library_emnet_ws.js calls (exported). */
void emnet__ws_on_open(int sock_id);
uint8_t *emnet__ws_rx_reserve(int sock_id, size_t len);
int emnet__ws_rx_commit(int sock_id, size_t len);   /* 1: send more, 0: pause */
void emnet__ws_on_close(int sock_id, int code);
void emnet__ws_on_drain(int sock_id);

/* ---- transport_wisp.c ---- */
extern const struct emnet_transport_ops emnet__wisp_transport;
unsigned emnet__wisp_live_streams(void);   /* streams open on Wisp connections */

/* Entry points js/library_emnet_wisp.js calls (exported). */
void emnet__wisp_on_open(int conn_id);
uint8_t *emnet__wisp_rx_reserve(int conn_id, size_t len);   /* room for one message */
int emnet__wisp_rx_commit(int conn_id, size_t len);         /* 1: read on, 0: pause */
void emnet__wisp_on_close(int conn_id, int code);
void emnet__wisp_on_drain(int conn_id);

/* ---- the host (js/library_emnet_wisp.js): one WebSocket per connection ---- */
int emnet_js_wisp_open(const char *url, int conn_id);   /* a handle, or -errno */
/* Sends one message: head (head_len bytes) then tail (tail_len, may be 0). */
void emnet_js_wisp_send(int ws, const void *head, size_t head_len, const void *tail, size_t tail_len);
double emnet_js_wisp_buffered(int ws);
void emnet_js_wisp_watch_drain(int ws, double below);   /* call back once bufferedAmount < below */
void emnet_js_wisp_pause(int ws, int paused);           /* stop or restart reading messages */
void emnet_js_wisp_close(int ws);
int emnet_js_wisp_live(void);                           /* Wisp WebSockets alive */

/* ---- the host (js/library_emnet_ws.js) ---- */
int emnet_js_ws_open(const char *url, int sock_id);   /* a WebSocket handle, or -errno */
void emnet_js_ws_send(int ws, const void *buf, size_t len);
double emnet_js_ws_buffered(int ws);
void emnet_js_ws_watch_drain(int ws, double below);   /* call back once bufferedAmount < below */
void emnet_js_ws_close(int ws);
void emnet_js_ws_resume(int ws);                      /* room again after a pause */
int emnet_js_ws_live(void);                           /* WebSocket objects alive */

#endif
