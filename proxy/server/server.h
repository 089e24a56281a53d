/* emnet-proxy server internals, shared by the files of proxy/server/.
 *
 *   main.c        flags, config, signals, the lws context and its loop
 *   conn.c        the WebSocket side of a client connection (conn) and the
 *                 lws protocol callback facing clients
 *   upgrade.c     the upgrade filter: path routing, origin, bearer token,
 *                 limits (per-address counts)
 *   http.c        plain HTTP: /metrics, 404
 *   resolve_http.c  plain HTTP: /resolve (does a name exist, which families)
 *   websockify.c  one WebSocket = one TCP connection, websockify's behaviour
 *   wisp.c        many TCP/UDP streams over one WebSocket (Wisp v1, and v2
 *                 with its extensions)
 *   upstream.c    a stream's socket: resolve, allowlist, non-blocking
 *                 connect, adopted into the lws loop as a raw file descriptor
 *   resolver.c    getaddrinfo_a, completions handed back to the lws loop
 *   queue.c       FIFO of byte chunks that counts its bytes (both directions)
 *   metrics.c     counters, Prometheus text
 *   log.c         structured log lines (text or json) on stderr
 *
 * Ownership: a conn belongs to its WebSocket wsi and is freed when that
 * closes. A stream belongs to its conn until the conn lets go of it
 * (emnet_px_stream_release); from then on it belongs to its upstream wsi
 * and is freed when that closes, or, without one, at once (a pending lookup
 * is abandoned, see resolver.c). Nothing is touched after free: each side
 * clears its pointer to the other first. */
#ifndef EMNET_PROXY_SERVER_H
#define EMNET_PROXY_SERVER_H

#include <netdb.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "policy/allowlist.h"
#include "policy/config.h"
#include "policy/tokens.h"

/* ---- log.c ---- */
enum emnet_px_level { EMNET_PX_ERROR, EMNET_PX_WARN, EMNET_PX_INFO, EMNET_PX_DEBUG };
void emnet_px_log_setup(const char *level, const char *format);
int emnet_px_log_enabled(enum emnet_px_level level);
/* One line: event, then NULL-terminated key, value pairs (values are text;
 * NULL values are skipped). */
void emnet_px_log(enum emnet_px_level level, const char *event, ...);
/* A token bucket for the lines one client can cause (refusals, failed
 * connects, protocol errors): a burst, then a few a second; the lines left
 * out are counted and reported in one line when lines are allowed again. */
struct emnet_px_log_limit {
    int64_t refill_ms;                  /* when tokens were last added */
    uint32_t tokens;
    uint64_t suppressed;                /* lines left out since the last report */
};
/* 1 if a line may be written now (after a "log_suppressed" line for client
 * if lines were left out), 0 if it is left out (and counted). */
int emnet_px_log_allow(struct emnet_px_log_limit *l, const char *client);

/* ---- metrics.c ---- */
enum emnet_px_refusal {
    EMNET_PX_REFUSE_PATH, EMNET_PX_REFUSE_ORIGIN, EMNET_PX_REFUSE_AUTH, EMNET_PX_REFUSE_TOKEN,
    EMNET_PX_REFUSE_MAX_CONNECTIONS, EMNET_PX_REFUSE_MAX_PER_IP, EMNET_PX_REFUSE_DRAINING,
    EMNET_PX_REFUSE_MAX_STREAMS, EMNET_PX_REFUSE_BLOCKED_HOST, EMNET_PX_REFUSE_BLOCKED_PORT,
    EMNET_PX_REFUSE_BLOCKED_ADDRESS, EMNET_PX_REFUSE_MAX_MESSAGE, EMNET_PX_REFUSE_PROTOCOL,
    EMNET_PX_REFUSE_METRICS, EMNET_PX_REFUSE_SUBPROTOCOL, EMNET_PX_REFUSE_CLIENT_BUFFER, EMNET_PX_REFUSE_COUNT
};
struct emnet_px_metrics {
    uint64_t conns_current, conns_total[3];        /* [0] websockify, [1] wisp, [2] webtransport */
    uint64_t streams_current[2], streams_total[2]; /* [0] tcp, [1] udp */
    uint64_t bytes_to_target, bytes_to_client;
    uint64_t refusals[EMNET_PX_REFUSE_COUNT];
    uint64_t resolve_failures, connect_failures;
    uint64_t budget_pauses;                        /* a client went over client_buffer */
    uint64_t peers_gone;                           /* dropped: FIN or reset seen while reads were paused */
    uint64_t log_lines_suppressed;
    uint64_t queued_bytes;                         /* memory queued for all clients now (budget units) */
    uint64_t messages_to_client;                   /* WebSocket messages written to clients */
    uint64_t packets_packed;                       /* Wisp packets that left inside a PACKED message */
};
extern struct emnet_px_metrics emnet_px_metrics;
const char *emnet_px_refusal_name(enum emnet_px_refusal r);
void emnet_px_refuse(enum emnet_px_refusal r);
/* Prometheus text into buf; returns the length (truncated to cap). */
size_t emnet_px_metrics_render(char *buf, size_t cap);

/* ---- queue.c ---- */
/* A chunk keeps LWS_PRE bytes of headroom so that a WebSocket message can be
 * written in place. A message for the client starts at off (always with
 * LWS_PRE bytes before it); a chunk towards a target advances off as the
 * socket takes its bytes. */
struct emnet_px_chunk {
    struct emnet_px_chunk *next;
    struct emnet_px_chunk *snext;   /* conn->out: the stream's next chunk there */
    struct emnet_px_stream *stream; /* conn->out: whose data it is, or NULL */
    size_t len, off;                /* payload is data[LWS_PRE + off .. LWS_PRE + len) */
    unsigned char data[];
};
/* What a chunk of len payload bytes costs in memory: budgets count this,
 * so that a flood of tiny packets is charged for what it really holds. */
#define EMNET_PX_CHUNK_COST(len) (sizeof(struct emnet_px_chunk) + LWS_PRE + (len))
struct emnet_px_queue {
    struct emnet_px_chunk *head, *tail;
    size_t bytes, count;            /* payload bytes not yet used, chunks */
    size_t cost;                    /* memory held (EMNET_PX_CHUNK_COST of each chunk) */
    size_t *account;                /* also charged with cost when not NULL (a conn's budget) */
};
struct emnet_px_chunk *emnet_px_chunk_new(size_t len);
/* Shrinks c, not yet queued, to len payload bytes (len <= c->len): room
 * made for a read that brought less is given back, so that the budgets
 * (which count len) count what is held. Returns c, which may have moved;
 * its bytes are kept (glibc shrinks a block in place, without a copy). */
struct emnet_px_chunk *emnet_px_chunk_trim(struct emnet_px_chunk *c, size_t len);
static inline unsigned char *emnet_px_chunk_payload(struct emnet_px_chunk *c) { return c->data + LWS_PRE; }
void emnet_px_queue_push(struct emnet_px_queue *q, struct emnet_px_chunk *c);
/* Removes and returns the head (the caller frees it), or NULL. */
struct emnet_px_chunk *emnet_px_queue_pop(struct emnet_px_queue *q);
/* n bytes of the head were used (n <= what the head holds). */
void emnet_px_queue_consume(struct emnet_px_queue *q, size_t n);
void emnet_px_queue_clear(struct emnet_px_queue *q);
/* Charges the queue's cost to account from now on (NULL: to nobody). */
void emnet_px_queue_set_account(struct emnet_px_queue *q, size_t *account);

/* ---- resolver.c ---- */
struct emnet_px_resolve;
/* Called on the loop thread; res (owned by the callee, freeaddrinfo) is NULL
 * when err (a getaddrinfo EAI_ code) is not 0. */
typedef void (*emnet_px_resolved_fn)(void *arg, int err, struct addrinfo *res);
int emnet_px_resolver_init(struct lws_context *ctx);
/* Starts an asynchronous lookup; NULL if it could not be queued. */
struct emnet_px_resolve *emnet_px_resolve_start(const char *host, uint16_t port, int udp,
                                                emnet_px_resolved_fn fn, void *arg);
/* The caller loses interest: fn is never called; memory is freed later. */
void emnet_px_resolve_abandon(struct emnet_px_resolve *r);
/* On the loop thread, after a wake-up: delivers finished lookups. */
void emnet_px_resolver_poll(void);
void emnet_px_resolver_shutdown(void);

/* ---- upstream.c ---- */
enum emnet_px_fail {
    EMNET_PX_FAIL_NONE, EMNET_PX_FAIL_INVALID, EMNET_PX_FAIL_BLOCKED_HOST, EMNET_PX_FAIL_BLOCKED_PORT,
    EMNET_PX_FAIL_BLOCKED_ADDRESS, EMNET_PX_FAIL_UNRESOLVED, EMNET_PX_FAIL_UNREACHABLE,
    EMNET_PX_FAIL_REFUSED, EMNET_PX_FAIL_TIMEOUT, EMNET_PX_FAIL_INTERNAL
};
const char *emnet_px_fail_name(enum emnet_px_fail f);

enum emnet_px_stream_state { EMNET_PX_RESOLVING, EMNET_PX_CONNECTING, EMNET_PX_OPEN, EMNET_PX_DONE };

struct emnet_px_conn;
struct emnet_px_stream {
    struct emnet_px_conn *conn;       /* NULL once released */
    struct emnet_px_stream *next;     /* in conn->streams */
    uint32_t id;                      /* Wisp stream id; 0 in websockify mode */
    int udp;
    enum emnet_px_stream_state state;
    char host[256];
    uint16_t port;
    char peer[64];                    /* the address connected to, for logs */
    struct emnet_px_resolve *resolve;
    struct addrinfo *addrs, *next_addr;
    enum emnet_px_fail denied;        /* why the last skipped address was skipped */
    int last_err;                     /* errno of the last failed attempt */
    int fd;
    struct lws *wsi;                  /* the adopted upstream, or NULL */
    struct emnet_px_queue to_target;  /* client -> target, not yet written (charged to the conn's budget) */
    size_t to_client;                 /* bytes of this stream queued towards the client */
    struct emnet_px_chunk *out_head, *out_tail; /* this stream's chunks in conn->out, oldest first */
    int target_full;                  /* to_target passed `buffer` and has not drained to half yet */
    int read_paused;                  /* POLLIN off: the client side is full */
    int flush_then_close;             /* released with bytes still to write */
    /* Half-close (Wisp with emnet's half-close extension): the client's
     * FIN is passed on (shutdown(SHUT_WR)) once to_target is written; the
     * target's FIN is passed to the client and its socket is no longer
     * read. The stream ends when both have gone. */
    int client_fin;                   /* the client sent FIN */
    int fin_sent;                     /* ... and the target has been told */
    int target_eof;                   /* the target sent FIN, and the client has been told */
    /* Receive credit (Wisp with emnet's receive credit extension): bytes
     * of the target's the client still takes on this TCP stream; at 0 the
     * target is not read until the client's CREDIT. */
    int credit_on;
    uint32_t credit;
    /* A UDP socket stream (emnet's UDP sockets extension): 4 or 6, the
     * family of its socket; 0 for every other stream. */
    int udp_socket;
    /* A WebTransport flow's socket asks for ICMP errors (IP_RECVERR) and
     * is polled through an epoll instance of its own, poll_fd, which lws
     * polls instead of fd: a queued error makes a socket poll as POLLERR,
     * which lws takes for a dead descriptor, while the epoll instance
     * polls only as readable. -1 for every other stream. */
    int poll_fd;
    int64_t deadline_ms;              /* resolve/connect deadline (monotonic) */
    uint32_t written_packets;         /* Wisp: DATA packets fully written since the last CONTINUE */
};

/* Creates a stream for conn and starts it (check host, resolve, connect).
 * Failures are reported through emnet_px_conn_stream_failed, possibly before
 * this returns (so the stream may already be gone). -1 only when out of
 * memory. */
int emnet_px_stream_open(struct emnet_px_conn *conn, uint32_t id, int udp,
                                             const char *host, uint16_t port);
/* A UDP socket stream for conn: a socket of the family
 * (4 or 6) the proxy binds to a port of its own, open at once (reported
 * through emnet_px_conn_stream_open, or _failed). -1 only when out of
 * memory. */
int emnet_px_stream_open_udp_socket(struct emnet_px_conn *conn, uint32_t id, int family);
/* udp_socket.c: a client datagram (address record, then the datagram) to
 * send; the datagrams waiting on the socket to the client (-1: it failed). */
void emnet_px_udp_socket_send(struct emnet_px_stream *s, const uint8_t *payload, size_t len);
/* The core of it: one datagram to addr (4 or 16 bytes, family 4 or 6),
 * port, judged by the allowlist. Dropped without a word when the socket
 * does not take it (as a full network drops it). */
enum emnet_px_udp_sent { EMNET_PX_UDP_SENT, EMNET_PX_UDP_UNREACHABLE, EMNET_PX_UDP_BLOCKED };
enum emnet_px_udp_sent emnet_px_udp_socket_sendto(struct emnet_px_stream *s, int family, const uint8_t *addr,
                                                   uint16_t port, const void *data, size_t len);
int emnet_px_udp_socket_recv(struct emnet_px_stream *s);
/* Client bytes for the target. TCP: queued and written as the socket takes
 * them. UDP: sent at once as one datagram (dropped if the socket is full). */
void emnet_px_stream_write(struct emnet_px_stream *s, const void *data, size_t len);
/* The conn lets go of s. With flush, queued TCP bytes are still written
 * before the socket closes; otherwise it closes now. */
void emnet_px_stream_release(struct emnet_px_stream *s, int flush);
/* The client will send no more (TCP): the target gets our FIN once what is
 * queued for it is written. */
void emnet_px_stream_client_fin(struct emnet_px_stream *s);
/* The client's CREDIT: n more bytes it takes; -1 (nothing changed) if
 * the credit would pass 2^31 - 1 bytes. */
int emnet_px_stream_add_credit(struct emnet_px_stream *s, uint32_t n);
/* The client resets the connection: what is queued is written as far as
 * the socket takes it now, then the socket closes with an RST (SO_LINGER
 * {1, 0}); the conn lets go of s. */
void emnet_px_stream_reset(struct emnet_px_stream *s);
/* The client side drained some of s's bytes: maybe resume reading. */
void emnet_px_stream_client_drained(struct emnet_px_stream *s);
/* Pauses or resumes reading s's target: paused while its conn is over
 * budget or more than `buffer` of its bytes wait for the client. */
void emnet_px_stream_update_reading(struct emnet_px_stream *s);
/* Periodic check of resolve/connect deadlines. */
void emnet_px_stream_check_deadline(struct emnet_px_stream *s, int64_t now_ms);
extern const struct lws_protocols emnet_px_upstream_protocol;

/* ---- conn.c, upgrade.c, http.c: the client side ---- */
enum emnet_px_mode { EMNET_PX_WEBSOCKIFY, EMNET_PX_WISP, EMNET_PX_WEBTRANSPORT };
/* What lws keeps per client wsi: the mode and target the upgrade asked for
 * (filled by the filter), then the conn. */
struct emnet_px_pss {
    struct emnet_px_conn *conn;
    struct emnet_px_dns_query *dns;     /* plain HTTP: a /resolve waiting for its answer */
    enum emnet_px_mode mode;
    uint16_t port;
    char host[256];
};
struct emnet_px_conn {
    struct emnet_px_conn *prev, *next;  /* all conns, for sweeps */
    struct lws *wsi;
    enum emnet_px_mode mode;
    char client[64];
    char *target;                       /* websockify: "host:port" as asked (allocated); Wisp: NULL */
    struct emnet_px_queue out;          /* messages to the client */
    struct emnet_px_stream *streams;
    size_t nstreams;
    int closing;                        /* close after out is flushed */
    int close_sent;                     /* lws was asked to send the close frame */
    int close_code;
    char close_reason[124];
    /* The budget: memory queued for this client, both ways (out, every
     * linked stream's to_target, UDP datagrams waiting for a name), in
     * EMNET_PX_CHUNK_COST units. Over client_buffer the client's packets
     * and its targets are not read until it is back to half; over
     * client_buffer_max the client is closed with 1008. */
    size_t queued;
    int over_budget;                    /* targets and WebSocket reads paused for the budget */
    size_t full_streams;                /* linked streams whose target_full is set */
    int tx_pending;                     /* lws holds part of a message: the socket is full */
    int rx_paused;                      /* WebSocket reads paused (any of the above) */
    int dying;                          /* the WebSocket is closed; streams are being let go */
    struct emnet_px_log_limit log_limit; /* this client's refusal lines */
    size_t msg_len;                     /* bytes of the current incoming message so far */
    unsigned char *rx;                  /* Wisp: the message being assembled */
    /* Wisp: the handshake. A client that offered the subprotocol "wisp-v2"
     * is sent INFO and answers with its own; streams may open once the
     * server has sent CONTINUE on stream 0 (wisp_ready). */
    int wisp_version;                   /* 1, or 2 for a "wisp-v2" client */
    int wisp_ready;                     /* CONTINUE on stream 0 sent */
    unsigned wisp_ext;                  /* v2 extensions both sides listed: EMNET_PX_WISP_EXT(id) bits */
    uint32_t wisp_window;               /* receive credit: each TCP stream's first credit (0: none) */
    size_t credit_starved;              /* linked streams with no receive credit left */
    int64_t last_activity_ms;
    struct emnet_px_wtg_session *wt;    /* WebTransport: the gateway's session (wt_gateway.c) */
};
int64_t emnet_px_now_ms(void);
/* Queues a binary message for the client: the chunk's payload from off to
 * len (the conn owns the chunk from now on). */
void emnet_px_conn_send(struct emnet_px_conn *c, struct emnet_px_chunk *chunk);
/* Sends what is queued, then closes with code and reason. */
void emnet_px_conn_close(struct emnet_px_conn *c, int code, const char *reason);
/* The conn's budget or a stream's to_target changed: pause or resume
 * reading the WebSocket and the targets. O(1) unless the budget state flips. */
void emnet_px_conn_update_rx(struct emnet_px_conn *c);
/* A linked stream's to_target changed: track whether it is full. */
void emnet_px_conn_stream_queue_changed(struct emnet_px_conn *c, struct emnet_px_stream *s);
void emnet_px_conn_touch(struct emnet_px_conn *c);
/* The peer is gone while reads are paused (its FIN or reset is waiting
 * behind them): 1 if the conn was dropped. For the periodic sweep. */
int emnet_px_conn_check_peer(struct emnet_px_conn *c);

/* Events from a stream to its conn (dispatched to the mode). */
void emnet_px_conn_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s);
void emnet_px_conn_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f);
/* Bytes from a stream's target are read straight into the message that
 * carries them to the client: a chunk whose payload, from off, has
 * emnet_px_conn_data_head(c) bytes of room for the mode's header (Wisp's
 * DATA header; none in websockify mode), then the bytes, up to len. The
 * mode fills the header and queues it (the conn owns the chunk from now
 * on). */
size_t emnet_px_conn_data_head(const struct emnet_px_conn *c);
void emnet_px_conn_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk);
/* The target closed (err 0) or failed (errno) after the stream was open. */
void emnet_px_conn_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err);
/* The target sent its FIN: 1 if the client was told and the stream goes
 * on (the client may still send), 0 if the mode cannot say it (the stream
 * is then closed as the target's orderly close). */
int emnet_px_conn_stream_peer_fin(struct emnet_px_conn *c, struct emnet_px_stream *s);
/* Some of the stream's to_target bytes were written (packets: whole client
 * messages completed). */
void emnet_px_conn_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s, uint32_t packets);
/* Unlinks s from c (does not free it). */
void emnet_px_conn_unlink_stream(struct emnet_px_conn *c, struct emnet_px_stream *s);

/* The client-facing protocol, twice: no subprotocol, and "binary". */
#define EMNET_PX_CLIENT_PROTOCOLS 3
extern const struct lws_protocols emnet_px_client_protocols[EMNET_PX_CLIENT_PROTOCOLS];

/* ---- wt_gateway.c: a WebTransport session's streams (wt.h has the rest) ---- */
void emnet_px_wtg_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s);
void emnet_px_wtg_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f);
void emnet_px_wtg_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk);
void emnet_px_wtg_stream_closed_upstream(struct emnet_px_conn *c, struct emnet_px_stream *s, int err);
int emnet_px_wtg_stream_peer_fin(struct emnet_px_conn *c, struct emnet_px_stream *s);
void emnet_px_wtg_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s);
/* A datagram a WebTransport session's UDP flow received (udp_socket.c). */
void emnet_px_wtg_udp_received(struct emnet_px_conn *c, struct emnet_px_stream *s, const struct sockaddr_storage *from,
                               const uint8_t *data, size_t len);
/* An ICMP error for the flow's datagrams to addr (errno: ECONNREFUSED,
 * EHOSTUNREACH, ENETUNREACH). */
void emnet_px_wtg_udp_error(struct emnet_px_conn *c, struct emnet_px_stream *s, const struct sockaddr_storage *to,
                            int err);
/* Ends the session from the proxy's side (drain, idle, budget). */
void emnet_px_wtg_close(struct emnet_px_conn *c, int code, const char *reason);
/* The UDP socket WebTransport is served on (wt_quic.c), for lws. */
extern const struct lws_protocols emnet_px_wt_protocol;

/* ---- websockify.c ---- */
void emnet_px_websockify_start(struct emnet_px_conn *c, const char *host, uint16_t port);
void emnet_px_websockify_rx(struct emnet_px_conn *c, const void *data, size_t len);
void emnet_px_websockify_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s);
void emnet_px_websockify_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f);
void emnet_px_websockify_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk);
void emnet_px_websockify_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err);

/* ---- wisp.c ---- */
/* The bit of an extension id in wisp_ext: the protocol's 0x01-0x17 and
 * emnet's 0xe0-0xe7 fit; any other id has none (0). */
#define EMNET_PX_WISP_EXT(id) \
    ((id) < 24 ? 1u << (id) : (id) >= 0xe0 && (id) < 0xe8 ? 1u << (24 + (id) - 0xe0) : 0u)
void emnet_px_wisp_start(struct emnet_px_conn *c);
/* One whole client message. */
void emnet_px_wisp_rx(struct emnet_px_conn *c, const unsigned char *msg, size_t len);
void emnet_px_wisp_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s);
void emnet_px_wisp_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f);
void emnet_px_wisp_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk);
void emnet_px_wisp_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err);
int emnet_px_wisp_stream_peer_fin(struct emnet_px_conn *c, struct emnet_px_stream *s);
/* A datagram of a UDP socket stream was not sent (reason: a Wisp close
 * reason), to the address a (NULL: the record was malformed: the stream is
 * closed with that reason instead). */
struct emnet_wisp_addr;
void emnet_px_wisp_udp_error(struct emnet_px_conn *c, struct emnet_px_stream *s, const struct emnet_wisp_addr *a,
                             uint8_t reason);
void emnet_px_wisp_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s, uint32_t packets);

/* ---- the server as a whole (main.c) ---- */
struct emnet_px_server {
    struct emnet_proxy_config *cfg;
    struct emnet_allowlist *allow;      /* the live allowlist (replaced on SIGHUP) */
    struct emnet_tokens *tokens;        /* NULL without token_file */
    struct emnet_allowlist *metrics_allow;
    char *bearer;                       /* the bearer token, or NULL */
    char *wisp_password;                /* Wisp password authentication (wisp_user), or NULL */
    struct lws_context *ctx;
    struct lws_vhost *vhost;
    struct emnet_px_conn *conns;
    size_t nconns;
    int draining;
    int stopping;                       /* lws_context_destroy is closing everything */
    int wt_port;                        /* WebTransport's UDP port, 0 when it is off */
};
extern struct emnet_px_server emnet_px;

/* upgrade.c: per-client-address connection counts, the peer's address, and
 * the filter (0 = accept, -1 = refused with an HTTP status already sent). */
uint32_t emnet_px_ip_count(const char *ip);
void emnet_px_ip_add(const char *ip, int delta);
int emnet_px_peer_addr(struct lws *wsi, struct sockaddr_storage *ss);
void emnet_px_client_ip(struct lws *wsi, char *buf, size_t len);
/* The address alone (an IPv4 peer of a dual-stack socket as IPv4). */
void emnet_px_sockaddr_ip(const struct sockaddr_storage *ss, char *buf, size_t len);
int emnet_px_filter(struct lws *wsi, struct emnet_px_pss *pss);
/* Constant-time comparison of a secret: 1 if given equals want; the time
 * depends on the lengths only. */
int emnet_px_secret_equal(const char *given, const char *want);
/* Before the upgrade: a client that offers only subprotocols we do not
 * speak gets 400 (1 = refused, status sent), not a dropped connection. */
int emnet_px_confirm_upgrade(struct lws *wsi);
/* The upgrade's Origin and bearer-token checks, for plain HTTP too: 1 if passed. */
int emnet_px_origin_ok(struct lws *wsi);
int emnet_px_bearer_ok(struct lws *wsi);
/* The same checks on values (NULL: not sent), for WebTransport's CONNECT. */
int emnet_px_origin_allowed(const char *origin);
int emnet_px_bearer_values_ok(const char *authorization, const char *access_token);
/* http.c: a plain HTTP request for path. */
int emnet_px_on_http(struct lws *wsi, const char *path);
/* resolve_http.c: GET /resolve, answered once the lookup ends (from
 * HTTP_WRITEABLE); a wsi that closes first abandons it. */
int emnet_px_resolve_http(struct lws *wsi, struct emnet_px_pss *pss);
int emnet_px_resolve_http_writeable(struct lws *wsi, struct emnet_px_pss *pss);
void emnet_px_resolve_http_closed(struct emnet_px_pss *pss);
/* OPTIONS /resolve: the CORS preflight, answered before any bearer check. */
int emnet_px_resolve_preflight(struct lws *wsi);
/* A JSON answer (up to 1 KiB), readable by pages on an allowed Origin. */
int emnet_px_json_reply(struct lws *wsi, unsigned status, const char *body);
/* What the allowlist says of a name's address: EMNET_ALLOW when it may be
 * reached on port, or (port 0) on some port. */
enum emnet_verdict emnet_px_name_verdict(const char *name, uint16_t port, const struct sockaddr *sa);

#endif
