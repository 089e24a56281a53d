/* emnet-proxy's WebTransport gateway, in three layers:
 *
 *   wt_quic.c     QUIC (ngtcp2 + GnuTLS): the UDP socket, connections
 *                 found by connection id, TLS, timers, stream and datagram
 *                 sending with the bytes kept until the peer acknowledges
 *                 them, flow control credit given back as bytes are used;
 *   wt_h3.c       HTTP/3 on it: SETTINGS and the control streams, the
 *                 extended CONNECT that opens a WebTransport session (the
 *                 same Origin, token and limit checks as a WebSocket),
 *                 capsules, which streams and datagrams belong to it;
 *   wt_gateway.c  emnet's protocol on the session
 *                 (docs/webtransport-protocol.md): TCP streams, UDP flows
 *                 and name lookups, bridged to upstream.c's targets.
 *   wt_cert.c     the certificate: files, or one made here and rotated,
 *                 whose hash pages fetch from /webtransport.
 *
 * Each layer calls the one below through these functions and is called
 * back through the ones it defines; none reaches into another's structs
 * beyond what is declared here. */
#ifndef EMNET_PX_WT_H
#define EMNET_PX_WT_H

#include <stddef.h>
#include <stdint.h>

#include "server.h"

struct emnet_px_wt_conn;    /* one QUIC connection (wt_quic.c) */
struct emnet_px_wt_h3;      /* its HTTP/3 state (wt_h3.c) */
struct emnet_px_wtg_stream; /* a gateway stream (wt_gateway.c) */

/* A stream of a QUIC connection, as the layers above see it. */
struct emnet_px_wt_stream {
    int64_t id;
    struct emnet_px_wt_conn *qc;
    /* The layers above: what the stream is to HTTP/3, bytes of its start
     * kept until a prefix or header is whole, and the gateway's side. */
    int h3_kind;
    int h3_state;
    uint8_t head[1100];
    size_t head_len;
    uint64_t skip;                  /* bytes still to come of a frame that is ignored (wt_h3.c) */
    struct emnet_px_wtg_stream *gw;
    /* Sending (wt_quic.c): bytes queued, those handed to QUIC kept until
     * acknowledged. */
    struct emnet_px_queue sendq;    /* chunks from the oldest unacknowledged byte */
    size_t unsent;                  /* bytes at the end of sendq not yet handed to QUIC */
    size_t acked_in_head;           /* bytes of sendq's head chunk acknowledged */
    int fin_queued, fin_sent;
    int blocked;                    /* the peer's flow control: wait for its credit */
    int reset;                      /* our side reset it: send nothing more */
    int read_closed;                /* FIN or reset from the peer, or we stopped reading */
    struct emnet_px_wt_stream *next;      /* in the connection's streams */
    struct emnet_px_wt_stream *wnext;     /* in the connection's streams with something to send */
    int in_wlist;
    uint64_t credit_owed;           /* bytes consumed but not yet given back as credit (held by the gateway) */
};

/* ---- wt_quic.c ---- */
/* Binds the UDP socket (webtransport_listen) and starts serving; the port
 * bound, or -1 with a message. */
int emnet_px_wt_start(const char *listen, char *err, size_t errlen);
void emnet_px_wt_stop(void);
/* The connection's peer address as text, for logs and per-IP limits. */
const char *emnet_px_wt_peer(const struct emnet_px_wt_conn *qc);
struct emnet_px_wt_h3 *emnet_px_wt_h3_of(struct emnet_px_wt_conn *qc);
/* Queues a chunk's payload (from off to len) on a stream (the stream owns
 * it from now on), or the stream's FIN after what is queued. */
void emnet_px_wt_send(struct emnet_px_wt_stream *st, struct emnet_px_chunk *chunk);
void emnet_px_wt_send_bytes(struct emnet_px_wt_stream *st, const void *data, size_t len);
void emnet_px_wt_send_fin(struct emnet_px_wt_stream *st);
/* Bytes queued on the stream and not yet acknowledged. */
size_t emnet_px_wt_queued(const struct emnet_px_wt_stream *st);
/* Resets our sending side (RESET_STREAM) and stops reading theirs
 * (STOP_SENDING), with an application code (HTTP/3 space). */
void emnet_px_wt_reset(struct emnet_px_wt_stream *st, uint64_t code);
/* Stops reading the stream only (STOP_SENDING). */
void emnet_px_wt_stop_reading(struct emnet_px_wt_stream *st, uint64_t code);
/* n bytes the peer sent on the stream were used: give them back as flow
 * control credit (stream and connection). */
void emnet_px_wt_consumed(struct emnet_px_wt_stream *st, size_t n);
/* A new unidirectional stream of ours, or NULL. */
struct emnet_px_wt_stream *emnet_px_wt_open_uni(struct emnet_px_wt_conn *qc);
/* The connection's streams (linked by next). */
struct emnet_px_wt_stream *emnet_px_wt_streams(struct emnet_px_wt_conn *qc);
/* Queues a QUIC datagram (copied); dropped when too many wait or it does
 * not fit: 0 queued, -1 dropped. The largest that fits, for the caller's
 * choice of a stream instead. */
int emnet_px_wt_send_datagram(struct emnet_px_wt_conn *qc, const void *data, size_t len);
size_t emnet_px_wt_datagram_max(struct emnet_px_wt_conn *qc);
/* Ends the connection with an HTTP/3 error code (CONNECTION_CLOSE). */
void emnet_px_wt_close(struct emnet_px_wt_conn *qc, uint64_t h3_code, const char *reason);
/* Something was queued outside a QUIC callback: write soon. */
void emnet_px_wt_kick(struct emnet_px_wt_conn *qc);

/* ---- wt_h3.c: called by wt_quic.c ---- */
struct emnet_px_wt_h3 *emnet_px_h3_new(struct emnet_px_wt_conn *qc);
void emnet_px_h3_free(struct emnet_px_wt_h3 *h);   /* the connection is gone */
void emnet_px_h3_handshake_done(struct emnet_px_wt_h3 *h);
/* Bytes of a stream the peer opened or we did (in order), fin with the last. */
void emnet_px_h3_stream_data(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const uint8_t *data, size_t len,
                             int fin);
/* The peer reset the stream or asked us to stop sending on it. */
void emnet_px_h3_stream_reset(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t code);
void emnet_px_h3_stream_stop_sending(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t code);
/* Some of what we queued was acknowledged (the queue shrank). */
void emnet_px_h3_stream_acked(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st);
/* The stream is gone both ways: forget it (st is freed after). */
void emnet_px_h3_stream_closed(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st);
void emnet_px_h3_datagram(struct emnet_px_wt_h3 *h, const uint8_t *data, size_t len);

/* ---- wt_h3.c: called by wt_gateway.c ---- */
/* A session's datagram (the quarter stream id is added here). */
int emnet_px_h3_send_datagram(struct emnet_px_wt_h3 *h, const void *payload, size_t len);
size_t emnet_px_h3_datagram_max(struct emnet_px_wt_h3 *h);
/* Ends the session: CLOSE_WEBTRANSPORT_SESSION, then FIN on its stream. */
void emnet_px_h3_close_session(struct emnet_px_wt_h3 *h, uint32_t code, const char *reason);

/* ---- wt_gateway.c: called by wt_h3.c ---- */
/* A session was accepted: its emnet_px_conn (mode EMNET_PX_WEBTRANSPORT),
 * or NULL when out of memory. */
struct emnet_px_conn *emnet_px_wtg_session_open(struct emnet_px_wt_h3 *h, const char *client);
/* The session ended (either side): every stream is let go of. */
void emnet_px_wtg_session_closed(struct emnet_px_conn *c);
/* A WebTransport stream's bytes (the 0x41 prefix already taken). */
void emnet_px_wtg_page_bytes(struct emnet_px_conn *c, struct emnet_px_wt_stream *st, const uint8_t *data, size_t len,
                              int fin);
void emnet_px_wtg_stream_reset(struct emnet_px_conn *c, struct emnet_px_wt_stream *st);
void emnet_px_wtg_stream_acked(struct emnet_px_conn *c, struct emnet_px_wt_stream *st);
void emnet_px_wtg_stream_closed(struct emnet_px_conn *c, struct emnet_px_wt_stream *st);
void emnet_px_wtg_datagram(struct emnet_px_conn *c, const uint8_t *data, size_t len);
/* At exit, before the connections go (wt_quic.c). */
void emnet_px_wtg_stop(void);
/* wt_quic.c frees a stream whose session ended before it. */
void emnet_px_wtg_stream_forget(struct emnet_px_wt_stream *st);

/* ---- wt_cert.c ---- */
struct gnutls_certificate_credentials_st;
/* Loads tls_cert/tls_key when given, else makes an ECDSA P-256
 * certificate valid for `days` (at most 14, what a page's
 * serverCertificateHashes accepts) and makes a new one when half of its
 * life has gone. 0, or -1 with a message. */
int emnet_px_wt_cert_init(const char *cert_file, const char *key_file, unsigned days, char *err, size_t errlen);
/* The credentials new connections use. */
struct gnutls_certificate_credentials_st *emnet_px_wt_cert_credentials(void);
/* Writes the JSON pages fetch from /webtransport into buf: the URL and
 * the SHA-256 hashes of the current (and previous) certificate. */
size_t emnet_px_wt_cert_json(char *buf, size_t cap);
void emnet_px_wt_cert_check_rotation(void);
void emnet_px_wt_cert_free(void);

#endif
