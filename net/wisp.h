/* The wisp transport's own declarations, shared by its files:
 *   transport_wisp.c  the transport (what it is, its operations)
 *   wisp_conn.c       Wisp connections: the WebSocket, the handshake, the
 *                     stream table, packets in
 *   wisp_tcp.c        TCP streams: connect, credit, flow control, ends
 *   wisp_udp.c        UDP flows: streams per destination, UDP socket
 *                     streams, datagrams waiting for a connection */
#ifndef EMNET_NET_WISP_H
#define EMNET_NET_WISP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "channel.h"
#include "internal.h"
#include "wisp_codec.h"

#define BUCKETS 256                /* stream id -> stream, chained */
/* Payload of one DATA packet we send: the whole message stays within
 * 64 KiB, a message size servers commonly cap (emnet-proxy's default). */
#define MAX_DATA ((64u << 10) - EMNET_WISP_HEADER)

struct wisp_conn;

/* A datagram sent before its stream could open (the connection was not
 * ready yet): sent once it is. */
struct wisp_pending {
    struct wisp_pending *next;
    size_t len;
    uint8_t rec_len;                     /* a UDP socket stream's: the destination's address record */
    uint8_t rec[EMNET_WISP_ADDR_MAX];
    uint8_t data[];
};

struct wisp_stream {
    uint32_t id;
    struct wisp_conn *sess;
    struct emnet_channel *ch;      /* the socket's */
    unsigned char opened;          /* TCP: the connect was reported done */
    struct wisp_stream *next;      /* in its bucket */
    uint32_t credit;               /* DATA packets the server still takes */
    unsigned char connect_sent;
    unsigned char over_limit;      /* counted in sess->full */
    uint16_t port;                 /* until the CONNECT goes out */
    char *host;
    struct emnet__timer confirm;   /* CONNECT sent, neither data nor CLOSE yet */
    /* Receive credit (TCP, when negotiated): bytes the server may send in
     * all, and bytes it sent; the difference is what it may still send. */
    uint64_t granted, delivered;
    /* UDP: a socket has a stream per destination, chained from its flow;
     * `to` is the destination as the program named it. */
    unsigned char udp;
    unsigned char sockstream;      /* a UDP socket stream (emnet's 0xe3): every destination, records */
    struct wisp_stream *sock_next;
    struct sockaddr_storage to;
    socklen_t tolen;
    struct wisp_pending *pending, *pending_tail;
    size_t pending_bytes;
};

/* A UDP socket's datagram flow: its streams, most recently used first. */
struct wisp_flow {
    struct wisp_stream *streams;
};

struct wisp_conn {
    struct wisp_conn *next;
    char *url;
    int ws;                        /* the WebSocket (websocket.h) */
    int opened;                    /* the WebSocket's open event came */
    int ready;                     /* the initial CONTINUE came */
    int version;                   /* 0 until the server's first packet, then 1 or 2 */
    int confirm;                   /* stream open confirmation (0x05) negotiated */
    int half_close;                /* emnet's half-close (0xe0): FIN packets both ways */
    int reset;                     /* emnet's reset (0xe1): CLOSE RESET both ways */
    uint32_t window;               /* emnet's receive credit (0xe2): each TCP stream's credit; 0: none */
    int udp_sockets;               /* emnet's UDP sockets (0xe3): a UDP socket is one stream */
    int packed;                    /* emnet's packed messages (0xe4): several packets a message */
    int paused;                    /* not reading the WebSocket */
    int send_full;                 /* the WebSocket filled up: no sends until it drains to half */
    uint32_t default_credit;
    uint32_t next_id;
    unsigned full;                 /* streams at their receive buffer limit */
    struct emnet__timer timeout;   /* not ready yet */
    uint8_t *rx;                   /* one received control message, being decoded */
    size_t rx_cap;
    struct wisp_stream *rx_direct; /* the stream whose DATA payload went straight to its socket */
    uint8_t *rx_direct_at;         /* ... and where (a datagram's entry) */
    struct wisp_stream *buckets[BUCKETS];
};

extern struct wisp_conn *wisp_connections;
extern unsigned wisp_live_streams;
extern const struct emnet_transport emnet__wisp_transport;

static inline struct wisp_stream *wisp_stream_of(struct emnet_channel *ch)
{
    return (struct wisp_stream *)ch->state;
}

static inline struct wisp_flow *wisp_flow_of(struct emnet_channel *ch)
{
    return (struct wisp_flow *)ch->state;
}

/* ---- wisp_conn.c ---- */
struct wisp_stream *wisp_find_stream(struct wisp_conn *ss, uint32_t id);
void wisp_send_packet(struct wisp_conn *ss, const uint8_t *pkt, size_t len);
/* The connection to url, opened if there is none. NULL with *err set. */
struct wisp_conn *wisp_conn_for(const char *url, int *err);
/* Ends the connection: every stream ends with err (connecting ones with
 * connect_err when it is not 0). */
void wisp_conn_end(struct wisp_conn *ss, int err, int connect_err);
/* The WebSocket is full: every stream waits until it drained to half. */
void wisp_conn_full(struct wisp_conn *ss, size_t limit);
/* A new stream for host:port of the configured server's connection; NULL
 * with *err set. Its CONNECT goes out with wisp_send_connect, now or once
 * the connection is ready. */
struct wisp_stream *wisp_stream_new(struct emnet_channel *ch, const char *host, unsigned port, int udp, int *err);
int wisp_send_connect(struct wisp_stream *st);
void wisp_stream_free(struct wisp_stream *st);
/* Ends a stream from our side: CLOSE (RESET where asked and negotiated). */
void wisp_stream_close(struct wisp_stream *st, int reset);
/* The stream ended from the server's side or with its connection: 0 for
 * an orderly end, else the errno Linux would report. */
void wisp_stream_ended(struct wisp_stream *st, int err);

/* ---- wisp_tcp.c ---- */
int wisp_tcp_open(struct emnet_channel *ch, const char *host, unsigned port);
long wisp_tcp_send(struct emnet_channel *ch, const void *buf, size_t len);
int wisp_tcp_send_full(const struct emnet_channel *ch);
void wisp_tcp_consumed(struct emnet_channel *ch);
int wisp_tcp_shutdown_write(struct emnet_channel *ch);
void wisp_tcp_connect_sent(struct wisp_stream *st);    /* after its CONNECT: credit, confirm timer */
void wisp_tcp_ended(struct wisp_stream *st, int err);  /* already out of the table */
void wisp_confirm_expired(struct emnet__timer *t, uint64_t now);
void wisp_set_over_limit(struct wisp_stream *st, int over);
void wisp_tcp_on_data(struct wisp_conn *ss, struct wisp_stream *st, const uint8_t *data, size_t len);
void wisp_on_continue(struct wisp_stream *st, uint32_t credit);
void wisp_tcp_on_fin(struct wisp_stream *st);
/* Bytes that reached the socket's buffer directly (wisp_conn.c's reserve). */
void wisp_data_arrived(struct wisp_conn *ss, struct wisp_stream *st, size_t len);
/* The socket could not take the stream's bytes: it ends with a reset. */
void wisp_stream_overflow(struct wisp_conn *ss, struct wisp_stream *st);

/* ---- wisp_udp.c ---- */
int wisp_udp_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf,
                           size_t len);
int wisp_udp_send_full(const struct emnet_channel *ch);
void wisp_udp_close(struct emnet_channel *ch);
void wisp_udp_connect_sent(struct wisp_stream *st);    /* after its CONNECT: what waited goes */
void wisp_udp_ended(struct emnet_channel *ch, const struct sockaddr_storage *to, socklen_t tolen, int err);
void wisp_udp_on_data(struct wisp_stream *st, const uint8_t *data, size_t len);
/* A DATA payload that went straight into the socket's reserved datagram. */
void wisp_udp_arrived(struct wisp_stream *st, const uint8_t *payload, size_t len);
void wisp_udp_on_error(struct wisp_stream *st, const struct emnet_wisp_packet *pkt);
/* The server has no UDP socket streams: what waited in this one goes out on
 * streams per destination. */
void wisp_sockstream_fallback(struct wisp_stream *st);

#endif
