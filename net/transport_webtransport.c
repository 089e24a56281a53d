/* The webtransport transport: every socket rides on one WebTransport
 * session (HTTP/3 over QUIC) to emnet-proxy, per
 * docs/webtransport-protocol.md.
 *
 *   TCP socket A -- bidirectional stream --\
 *   TCP socket B -- bidirectional stream ---+-- one session -- emnet-proxy
 *   UDP socket C -- flow stream + datagrams /
 *
 * A TCP socket is one bidirectional stream. Its first bytes are the
 * header (kind 0x01, port, the target's address or name); the proxy's
 * first bytes are its status, sent when its own connect completes or
 * fails: a connect completes exactly then (EINPROGRESS, then EPOLLOUT),
 * or fails with the errno Linux gives for the same outcome
 * (emnet_wt_status_errno). After it the stream carries the bytes, with
 * TCP's semantics natively:
 *   - shutdown(SHUT_WR) is the stream's FIN, the proxy's FIN is EOF, and
 *     either side may go on sending;
 *   - a close that Linux turns into an RST (SO_LINGER {1, 0}, unread
 *     data), and a close before the connect completed, reset the stream
 *     (code 0x01); a stream the proxy resets is ECONNRESET;
 *   - QUIC's stream flow control is the back-pressure, per socket: the
 *     host reads a stream only while its socket holds less than its
 *     receive buffer, and a send takes no more than the send buffer's
 *     room in what the stream has not yet accepted.
 *
 * The session (wt_session.c) opens on the first socket that needs it.
 * When it cannot open, a connect waiting on it fails with EHOSTUNREACH
 * (no proxy to reach the host through, as over websockify); when it
 * closes, connected sockets are reset (ECONNRESET) and a connect still
 * waiting for its status fails with ENETUNREACH, what Linux reports for
 * a connect whose route went away. EMNET_CONNECT_TIMEOUT_MS bounds the
 * wait for the status (then ETIMEDOUT, as an unanswered SYN).
 *
 * EMNET_TRANSPORT=auto is this transport with a way out: where the engine
 * has no WebTransport (Node.js), no WebTransport URL is configured, or a
 * session cannot open (UDP blocked, no HTTP/3 on the way), the socket is
 * handed to the wisp transport instead, and so is every later one; one
 * console line says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "webtransport.h"

enum { PHASE_REPLY, PHASE_OPEN };

struct wt_tcp {
    struct wt_stream st;           /* first: the stream's owner is this */
    int phase;
    uint8_t *reply;                /* until the status is whole: what came so far */
    size_t reply_len;
    int paused;                    /* the host stopped reading: the socket's buffer is full */
    int full;                      /* a send filled the send buffer: wait for the drain */
    int fallback;                  /* opened through auto: wisp takes over if the session fails */
    unsigned port;
    char host[EMNET_HOST_TEXT_MAX];
    struct emnet__timer timeout;   /* the status has not come */
};

static struct wt_tcp *tcp_of(struct wt_stream *st)
{
    return (struct wt_tcp *)st;
}

/* Lets go of the stream and the state; the channel hears nothing more. */
static void tcp_free(struct wt_tcp *t, int reset)
{
    emnet__timer_schedule(&t->timeout, EMNET__NEVER);
    wt_stream_release(&t->st, reset);
    if (t->st.ch) t->st.ch->state = NULL;
    free(t->reply);
    free(t);
}

static void tcp_fail(struct wt_tcp *t, int err, int reset)
{
    struct emnet_channel *ch = t->st.ch;
    tcp_free(t, reset);
    emnet__chan_failed(ch, err);
}

static void tcp_end(struct wt_tcp *t, int err)
{
    struct emnet_channel *ch = t->st.ch;
    tcp_free(t, err != 0);
    emnet__chan_ended(ch, err);
}

static void timeout_expired(struct emnet__timer *timer, uint64_t now)
{
    (void)now;
    struct wt_tcp *t = (struct wt_tcp *)((char *)timer - offsetof(struct wt_tcp, timeout));
    tcp_fail(t, ETIMEDOUT, 1);   /* as an unanswered SYN; the reset tells the proxy to give up */
}

/* ---- the stream's events ---- */

static uint8_t *tcp_reserve(struct wt_stream *st, size_t len)
{
    struct wt_tcp *t = tcp_of(st);
    if (t->phase == PHASE_REPLY) {
        /* The status and the peer's address come first; whatever follows
         * them in the same read is moved to the socket once they are whole
         * (one copy, of the first read only). */
        uint8_t *n = realloc(t->reply, t->reply_len + len);
        if (!n) {
            tcp_fail(t, ENOBUFS, 1);
            return NULL;
        }
        t->reply = n;
        return n + t->reply_len;
    }
    uint8_t *p = emnet__chan_rx_reserve(st->ch, len);
    if (!p) tcp_end(t, ECONNRESET);   /* never a hole in the stream */
    return p;
}

static int tcp_delivered(struct wt_tcp *t, size_t len)
{
    emnet__chan_rx_commit(t->st.ch, len);
    t->paused = emnet__chan_rx_held(t->st.ch) >= t->st.ch->rcv_limit;
    return !t->paused;
}

/* The reply so far: the status decides the connect. */
static int tcp_reply(struct wt_tcp *t)
{
    struct emnet_wt_tcp_reply r;
    int n = emnet_wt_decode_tcp_reply(t->reply, t->reply_len, &r);
    if (n == 0) return 1;   /* more to come */
    if (n < 0) {
        tcp_fail(t, ECONNREFUSED, 1);   /* a reply that breaks the protocol: no connection */
        return 0;
    }
    if (r.status != EMNET_WT_STATUS_OK) {
        tcp_fail(t, emnet_wt_status_errno(r.status), 0);   /* the proxy's FIN follows the status */
        return 0;
    }
    emnet__timer_schedule(&t->timeout, EMNET__NEVER);
    t->phase = PHASE_OPEN;
    emnet__chan_opened(t->st.ch);
    size_t rest = t->reply_len - (size_t)n;
    uint8_t *bytes = t->reply;
    t->reply = NULL;
    t->reply_len = 0;
    int more = 1;
    if (rest) {
        uint8_t *p = tcp_reserve(&t->st, rest);
        if (p) {
            memcpy(p, bytes + n, rest);
            more = tcp_delivered(t, rest);
        } else {
            more = 0;
        }
    }
    free(bytes);
    return more;
}

static int tcp_commit(struct wt_stream *st, size_t len)
{
    struct wt_tcp *t = tcp_of(st);
    if (t->phase == PHASE_OPEN) return tcp_delivered(t, len);
    t->reply_len += len;
    return tcp_reply(t);
}

static void tcp_fin(struct wt_stream *st)
{
    struct wt_tcp *t = tcp_of(st);
    if (t->phase == PHASE_REPLY)
        tcp_fail(t, ECONNREFUSED, 0);   /* the end before a whole status: no connection */
    else
        emnet__chan_peer_fin(st->ch);
}

/* Reset by the proxy (code 0x01: its target reset), or any other error
 * of the stream: the connection is over. */
static void tcp_error(struct wt_stream *st, int code)
{
    (void)code;
    struct wt_tcp *t = tcp_of(st);
    if (t->phase == PHASE_REPLY)
        tcp_fail(t, ECONNREFUSED, 1);
    else
        tcp_end(t, ECONNRESET);
}

static void tcp_drained(struct wt_stream *st)
{
    struct wt_tcp *t = tcp_of(st);
    t->full = 0;
    emnet__chan_drained(st->ch);
}

static void tcp_session_closed(struct wt_stream *st, int opened, const char *why)
{
    struct wt_tcp *t = tcp_of(st);
    struct emnet_channel *ch = st->ch;
    if (t->phase == PHASE_OPEN) {
        tcp_end(t, ECONNRESET);
        return;
    }
    if (t->fallback && !opened) {
        /* auto: wisp carries this socket, and every later one. */
        char host[EMNET_HOST_TEXT_MAX];
        unsigned port = t->port;
        memcpy(host, t->host, sizeof host);
        tcp_free(t, 0);
        wt_auto_session_failed(why);
        ch->transport = &emnet__wisp_transport;
        int r = emnet__wisp_transport.open(ch, host, port);
        if (r < 0) emnet__chan_failed(ch, -r);
        return;
    }
    tcp_fail(t, opened ? ENETUNREACH : EHOSTUNREACH, 0);
}

static const struct wt_stream_ops tcp_ops = {
    .reserve = tcp_reserve,
    .commit = tcp_commit,
    .fin = tcp_fin,
    .error = tcp_error,
    .drained = tcp_drained,
    .session_closed = tcp_session_closed,
};

/* ---- the transport's operations ---- */

/* The target as an address record: an address in text, or a name the
 * proxy resolves (a getaddrinfo placeholder's). */
static int target_record(const char *host, struct emnet_wt_addr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, host, a->bytes) == 1) {
        a->type = EMNET_WT_ADDR_IPV4;
        a->len = 4;
    } else if (inet_pton(AF_INET6, host, a->bytes) == 1) {
        a->type = EMNET_WT_ADDR_IPV6;
        a->len = 16;
    } else {
        size_t n = strlen(host);
        if (emnet_wt_check_name(host, n) != 0) return -EHOSTUNREACH;   /* no proxy could resolve it */
        a->type = EMNET_WT_ADDR_NAME;
        a->len = (uint8_t)n;
        memcpy(a->bytes, host, n);
    }
    return 0;
}

static int tcp_open(struct emnet_channel *ch, const char *host, unsigned port, int fallback)
{
    struct emnet_wt_addr target;
    uint8_t head[EMNET_WT_REQUEST_MAX];
    int r = target_record(host, &target);
    if (r < 0) return r;
    size_t n = emnet_wt_encode_tcp_request(head, sizeof head, (uint16_t)port, &target);
    if (!n) return -EINVAL;
    struct wt_session *s = wt_session_get(&r);
    if (!s) return r;
    struct wt_tcp *t = calloc(1, sizeof *t);
    if (!t) return -ENOBUFS;
    t->st.ch = ch;
    t->fallback = fallback;
    t->port = port;
    snprintf(t->host, sizeof t->host, "%s", host);
    t->timeout.expire = timeout_expired;
    r = wt_stream_start(&t->st, s, &tcp_ops, head, n);
    if (r < 0) {
        free(t);
        return r;
    }
    ch->state = t;
    uint64_t ms = (uint64_t)emnet__setting(SETTING_CONNECT_TIMEOUT_MS);
    emnet__timer_schedule(&t->timeout, emnet__now_ns() + ms * 1000000u);
    return 0;
}

static int wt_open(struct emnet_channel *ch, const char *host, unsigned port)
{
    return tcp_open(ch, host, port, 0);
}

static long wt_send(struct emnet_channel *ch, const void *buf, size_t len)
{
    struct wt_tcp *t = ch->state;
    if (!t || t->phase != PHASE_OPEN || t->full) return 0;
    double inflight = emnet_js_wt_stream_inflight(t->st.h);
    size_t room = inflight >= (double)ch->snd_limit ? 0 : ch->snd_limit - (size_t)inflight;
    if (len > room) len = room;
    if (len) emnet_js_wt_stream_write(t->st.h, buf, len);
    /* Full now: EPOLLOUT is gone until the stream has taken half of it
     * (one wake-up per write settled would cost a trip through JS each). */
    if (len == room) {
        t->full = 1;
        emnet_js_wt_stream_watch_drain(t->st.h, (double)(ch->snd_limit / 2));
    }
    return (long)len;
}

static void wt_consumed(struct emnet_channel *ch)
{
    struct wt_tcp *t = ch->state;
    /* Read on at half the buffer, not at the first byte read: one read of
     * the stream per recv() would cost a trip through JS each. */
    if (t && t->paused && emnet__chan_rx_held(ch) <= ch->rcv_limit / 2) {
        t->paused = 0;
        emnet_js_wt_stream_pause(t->st.h, 0);
    }
}

static int wt_shutdown_write(struct emnet_channel *ch)
{
    struct wt_tcp *t = ch->state;
    if (!t || t->phase != PHASE_OPEN) return 0;
    emnet_js_wt_stream_fin(t->st.h);
    return 1;
}

static int wt_send_full(const struct emnet_channel *ch)
{
    if (ch->datagrams) return wt_udp_send_full(ch);
    const struct wt_tcp *t = ch->state;
    return !t || t->phase != PHASE_OPEN || t->full;
}

static void wt_close(struct emnet_channel *ch, int reset)
{
    if (ch->datagrams) {
        wt_udp_close(ch);
        return;
    }
    struct wt_tcp *t = ch->state;
    if (!t) return;
    /* A connect still in progress is abandoned: the reset makes the proxy
     * drop its own connect. */
    tcp_free(t, reset || t->phase != PHASE_OPEN);
}

/* Why no session can open (NULL: one can): no WebTransport in the engine,
 * or no URL to open it to. */
static const char *wt_unconfigured(void)
{
    if (!emnet_js_wt_available()) return "this engine has none";
    if (!emnet__transport_url_quiet(&emnet__webtransport_transport) &&
        !emnet__text_setting(TEXT_WEBTRANSPORT_INFO_URL))
        return "neither EMNET_WEBTRANSPORT_URL nor EMNET_WEBTRANSPORT_INFO_URL is set";
    return NULL;
}

/* Every socket goes over webtransport: the session starts with the first
 * socket, so that its first connect or datagram does not wait for the
 * handshake (on Linux the network is there before the socket). When it
 * cannot open, the first connect says why. */
static void wt_prepare(void)
{
    int err;
    if (!wt_unconfigured()) wt_session_get(&err);
}

const struct emnet_transport emnet__webtransport_transport = {
    .name = "webtransport",
    .prepare = wt_prepare,
    .open = wt_open,
    .send = wt_send,
    .consumed = wt_consumed,
    .shutdown_write = wt_shutdown_write,
    .send_datagram = wt_udp_send_datagram,
    .send_full = wt_send_full,
    .close = wt_close,
};

/* ---- EMNET_TRANSPORT=auto ---- */

static int auto_failed;

void wt_auto_session_failed(const char *why)
{
    if (auto_failed) return;
    auto_failed = 1;
    char msg[256];
    snprintf(msg, sizeof msg, "emnet: EMNET_TRANSPORT=auto: no WebTransport (%s); using wisp.",
             why && *why ? why : "the session did not open");
    emnet_js_warn_once(msg);
}

int wt_auto_unavailable(void)
{
    if (auto_failed) return 1;
    const char *why = wt_unconfigured();
    if (why) wt_auto_session_failed(why);
    return auto_failed;
}

static int auto_open(struct emnet_channel *ch, const char *host, unsigned port)
{
    if (wt_auto_unavailable()) {
        ch->transport = &emnet__wisp_transport;
        return emnet__wisp_transport.open(ch, host, port);
    }
    ch->transport = &emnet__webtransport_transport;
    return tcp_open(ch, host, port, 1);
}

static int auto_send_datagram(struct emnet_channel *ch, const struct sockaddr *to, socklen_t tolen, const void *buf,
                              size_t len)
{
    if (wt_auto_unavailable()) {
        ch->transport = &emnet__wisp_transport;
        return emnet__wisp_transport.send_datagram(ch, to, tolen, buf, len);
    }
    ch->transport = &emnet__webtransport_transport;
    return wt_udp_send(ch, to, tolen, buf, len, 1);
}

/* Only open and send_datagram are ever reached through it: both hand the
 * channel to the transport that carries it. */
const struct emnet_transport emnet__auto_transport = {
    .name = "auto",
    .open = auto_open,
    .send = wt_send,
    .consumed = wt_consumed,
    .shutdown_write = wt_shutdown_write,
    .send_datagram = auto_send_datagram,
    .send_full = wt_send_full,
    .close = wt_close,
};
