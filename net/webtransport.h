/* The webtransport transport's own declarations, shared by its files:
 *   transport_webtransport.c  the transport (what it is, its operations),
 *                             TCP streams, and EMNET_TRANSPORT=auto
 *   wt_session.c              sessions (one per URL), stream handles, the
 *                             entry points the JS backend calls
 *   wt_udp.c                  UDP flows: a flow stream, datagrams
 * and the host they run on, js/library_emnet_webtransport.js, which owns
 * the browser's WebTransport objects and decides nothing.
 *
 * Every byte of the protocol (docs/webtransport-protocol.md) is encoded and
 * decoded here with net/wt_codec.h; the JS side only moves bytes. */
#ifndef EMNET_NET_WEBTRANSPORT_H
#define EMNET_NET_WEBTRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "channel.h"
#include "internal.h"
#include "wt_codec.h"

/* ---- the host (js/library_emnet_webtransport.js) ---- */
int emnet_js_wt_available(void);   /* 1 when the engine has WebTransport */
/* 1 when the engine drops QUIC datagrams that arrive in a burst (Firefox
 * keeps ten per connection): its UDP flows then carry every datagram on
 * their streams (EMNET_WEBTRANSPORT_UDP). */
int emnet_js_wt_datagram_bursts_lost(void);
/* Opens session sid to url (or, when url is empty, to the one info_url
 * names); hashes: comma-separated hex SHA-256 of the certificate, may be
 * empty. Events: emnet__wt_on_session_ready, emnet__wt_on_session_closed. */
void emnet_js_wt_session_open(int sid, const char *url, const char *hashes, const char *info_url);
void emnet_js_wt_session_close(int sid);
/* A bidirectional stream of session sid, handle h, whose first bytes are
 * head[0, len); opened once the session is ready. */
void emnet_js_wt_stream_open(int sid, int h, const void *head, size_t len);
void emnet_js_wt_stream_write(int h, const void *buf, size_t len);
double emnet_js_wt_stream_inflight(int h);          /* bytes written, not yet taken by the stream */
void emnet_js_wt_stream_watch_drain(int h, double below);
void emnet_js_wt_stream_pause(int h, int paused);   /* stop or restart reading */
void emnet_js_wt_stream_fin(int h);                 /* our FIN, after what was written */
/* Lets go of the stream: reset (RESET_STREAM and STOP_SENDING, code 1),
 * or our FIN with what arrives from now on read and dropped. No event
 * follows. */
void emnet_js_wt_stream_close(int h, int reset);
void emnet_js_wt_datagram_send(int sid, const void *head, size_t head_len, const void *buf, size_t len);

/* ---- entry points the host calls (exported) ---- */
void emnet__wt_on_session_ready(int sid, double max_datagram);
void emnet__wt_on_session_closed(int sid, int opened, const char *why);
uint8_t *emnet__wt_rx_reserve(int h, size_t len);
int emnet__wt_rx_commit(int h, size_t len);         /* 1: read on; 0: pause */
void emnet__wt_on_fin(int h);
void emnet__wt_on_error(int h, int code);           /* reset by the peer (code, -1 when none) */
void emnet__wt_on_drain(int h);
uint8_t *emnet__wt_dgram_reserve(int sid, size_t len, uint32_t head0, uint32_t head1);
void emnet__wt_dgram_commit(int sid, size_t len);

/* ---- sessions and streams (wt_session.c) ---- */
struct wt_session;
struct wt_stream;

/* What a stream's owner hears (TCP stream, UDP flow). */
struct wt_stream_ops {
    uint8_t *(*reserve)(struct wt_stream *st, size_t len);
    int (*commit)(struct wt_stream *st, size_t len);
    void (*fin)(struct wt_stream *st);
    void (*error)(struct wt_stream *st, int code);
    void (*drained)(struct wt_stream *st);
    /* The session closed (opened: it had been ready): the stream is gone
     * on the host's side; free it. */
    void (*session_closed)(struct wt_stream *st, int opened, const char *why);
};

struct wt_stream {
    int h;                         /* the host's handle */
    const struct wt_stream_ops *ops;
    struct wt_session *sess;
    struct wt_stream *next;        /* in its session */
    struct emnet_channel *ch;      /* the socket's */
};

/* The session for the configured URL, opened now if there is none: NULL
 * and -errno in *err when none is configured (warned once). */
struct wt_session *wt_session_get(int *err);
int wt_session_ready(const struct wt_session *s);
size_t wt_session_max_datagram(const struct wt_session *s);
void wt_session_send_datagram(struct wt_session *s, const uint8_t *head, size_t head_len, const void *buf, size_t len);
/* Opens a stream on s whose first bytes are head; 0 or -errno. */
int wt_stream_start(struct wt_stream *st, struct wt_session *s, const struct wt_stream_ops *ops,
                    const uint8_t *head, size_t len);
/* Lets go of the stream's handle (emnet_js_wt_stream_close) and unlinks it. */
void wt_stream_release(struct wt_stream *st, int reset);

/* Flows by id, for arriving datagrams. */
void wt_session_add_flow(struct wt_session *s, uint64_t id, struct emnet_channel *ch);
void wt_session_remove_flow(struct wt_session *s, uint64_t id);
struct emnet_channel *wt_session_flow(struct wt_session *s, uint64_t id);

/* ---- UDP flows (wt_udp.c) ---- */
int wt_udp_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf,
                         size_t len);
/* The same; fallback: opened through auto (wisp takes over when the
 * session cannot open). */
int wt_udp_send(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf, size_t len,
                int fallback);
int wt_udp_send_full(const struct emnet_channel *ch);
void wt_udp_close(struct emnet_channel *ch);
/* A datagram for flow ch: the bytes are in the reserved entry (data). */
void wt_udp_datagram(struct emnet_channel *ch, const uint8_t *data, size_t len);

/* ---- auto (transport_webtransport.c) ---- */
/* Whether WebTransport is out of the question for EMNET_TRANSPORT=auto:
 * no engine support, no URL configured, or a session failed to open. The
 * first time, one console line says why and that wisp takes over. */
int wt_auto_unavailable(void);
void wt_auto_session_failed(const char *why);
extern const struct emnet_transport emnet__webtransport_transport, emnet__auto_transport, emnet__wisp_transport;

#endif
