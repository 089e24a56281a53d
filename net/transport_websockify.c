/* The websockify transport: one WebSocket per TCP socket, plain binary
 * frames, to stock websockify or anything compatible (emnet-proxy).
 *
 * websockify opens the WebSocket first and tries the TCP connect after, so
 * "open" does not mean "connected": a refused connect arrives as a close
 * with code 1011 after the open. The connect therefore completes on the
 * first data from the server, or when EMNET_CONNECT_CONFIRM_MS pass after
 * the open without a close; a close before that is ECONNREFUSED -- never a
 * connect that succeeded and then was reset. After that, a close with 1000
 * (the target closed) is an orderly end of stream and any other close a
 * reset. We always close with 1000: without a code websockify echoes 1005
 * and browsers report that as an abnormal close.
 *
 * Before the open, the proxy itself is what cannot be reached: a WebSocket
 * that closes before it opened (the proxy is down or refused the
 * handshake) fails the connect with EHOSTUNREACH, and one that neither
 * opens nor closes within EMNET_CONNECT_TIMEOUT_MS fails it with ETIMEDOUT,
 * as an unanswered SYN does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>

#include "internal.h"

struct wsk {
    int ws;                        /* the JS WebSocket handle */
    int paused;                    /* receiving stopped: the buffer is full */
    int opened;                    /* the WebSocket's open event came */
    struct emnet__timer confirm;   /* open, not yet confirmed */
    struct emnet__timer timeout;   /* not open yet */
    struct emnet_sock *sock;
};

static struct wsk *state_of(struct emnet_sock *s)
{
    return (struct wsk *)s->transport_state;
}

/* Expands {host} and {port} in the template. */
static int build_url(const char *tmpl, const char *host, unsigned port, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *t = tmpl; *t; ) {
        const char *val = NULL;
        char portbuf[8];
        if (!strncmp(t, "{host}", 6)) {
            val = host;
            t += 6;
        } else if (!strncmp(t, "{port}", 6)) {
            snprintf(portbuf, sizeof portbuf, "%u", port);
            val = portbuf;
            t += 6;
        }
        if (val) {
            size_t n = strlen(val);
            if (o + n >= outlen) return -ENAMETOOLONG;
            memcpy(out + o, val, n);
            o += n;
        } else {
            if (o + 1 >= outlen) return -ENAMETOOLONG;
            out[o++] = *t++;
        }
    }
    out[o] = 0;
    return 0;
}

static void confirm_expired(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wsk *w = (struct wsk *)((char *)t - offsetof(struct wsk, confirm));
    emnet__sock_connected(w->sock);
}

#define MAX_MESSAGE 65536

/* The connect timeout: Linux gives up on an unanswered SYN after about
 * 127 s (tcp_syn_retries = 6); the same by default. */
#define CONNECT_TIMEOUT_MS 127000

static void timeout_expired(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wsk *w = (struct wsk *)((char *)t - offsetof(struct wsk, timeout));
    struct emnet_sock *s = w->sock;
    emnet__timer_schedule(&w->confirm, EMNET__NEVER);
    emnet_js_ws_close(w->ws);
    free(w);
    s->transport_state = NULL;
    emnet__sock_failed(s, ETIMEDOUT);
}

static int wsk_open(struct emnet_sock *s, const char *host, unsigned port)
{
    const char *tmpl = emnet__url_template();
    if (!tmpl) {
        emnet_js_warn_once("emnet: no WebSocket URL for connect(): set EMNET_WS_URL (for a page, "
                           "Module.emnetEnv) or call emnet_net_set_url_template(). connect() fails "
                           "with ENETUNREACH.");
        return -ENETUNREACH;
    }
    char url[512];
    int r = build_url(tmpl, host, port, url, sizeof url);
    if (r < 0) return r;
    struct wsk *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->sock = s;
    w->confirm.expire = confirm_expired;
    w->timeout.expire = timeout_expired;
    w->ws = emnet_js_ws_open(url, s->id);
    if (w->ws < 0) {
        int e = w->ws;
        free(w);
        return e;
    }
    s->transport_state = w;
    uint64_t ms = (uint64_t)emnet__config_long("EMNET_CONNECT_TIMEOUT_MS", CONNECT_TIMEOUT_MS);
    emnet__timer_schedule(&w->timeout, emnet__now_ns() + ms * 1000000u);
    return 0;
}

static long wsk_send(struct emnet_sock *s, const void *buf, size_t len)
{
    struct wsk *w = state_of(s);
    double queued = emnet_js_ws_buffered(w->ws);
    if (queued >= (double)s->sndbuf_limit) {
        emnet_js_ws_watch_drain(w->ws, (double)s->sndbuf_limit);
        return 0;
    }
    size_t room = s->sndbuf_limit - (size_t)queued;
    if (len > room) len = room;
    /* In messages of at most 64 KiB: proxies limit message sizes
     * (emnet-proxy's max_message), and a smaller message leaves the
     * connection sooner. */
    for (size_t off = 0; off < len; off += MAX_MESSAGE)
        emnet_js_ws_send(w->ws, (const char *)buf + off, len - off < MAX_MESSAGE ? len - off : MAX_MESSAGE);
    /* Full now: EPOLLOUT is gone until the queue drains, and a program
     * waiting for it must hear when it does. */
    if (len == room) emnet_js_ws_watch_drain(w->ws, (double)s->sndbuf_limit);
    return (long)len;
}

static size_t wsk_queued(struct emnet_sock *s)
{
    return (size_t)emnet_js_ws_buffered(state_of(s)->ws);
}

static void wsk_resume(struct emnet_sock *s)
{
    struct wsk *w = state_of(s);
    /* Resume at half the limit, not at the first byte read: one message
     * per read would cost a round trip through JS each. */
    if (w && w->paused && rxbuf_len(&s->rx) <= s->rcvbuf_limit / 2) {
        w->paused = 0;
        emnet_js_ws_resume(w->ws);
    }
}

static void wsk_close(struct emnet_sock *s)
{
    struct wsk *w = state_of(s);
    if (!w) return;
    emnet__timer_schedule(&w->confirm, EMNET__NEVER);
    emnet__timer_schedule(&w->timeout, EMNET__NEVER);
    emnet_js_ws_close(w->ws);
    free(w);
    s->transport_state = NULL;
}

const struct emnet_transport_ops emnet__websockify_transport = {
    .name = "websockify",
    .open = wsk_open,
    .send = wsk_send,
    .queued = wsk_queued,
    .resume = wsk_resume,
    .close = wsk_close,
};

/* ---- callbacks from js/library_emnet_ws.js ---- */

static struct emnet_sock *live(int sock_id)
{
    struct emnet_sock *s = emnet__sock_by_id(sock_id);
    return s && s->transport == &emnet__websockify_transport ? s : NULL;
}

EMSCRIPTEN_KEEPALIVE void emnet__ws_on_open(int sock_id)
{
    struct emnet_sock *s = live(sock_id);
    if (!s) return;
    struct wsk *w = state_of(s);
    w->opened = 1;
    emnet__timer_schedule(&w->timeout, EMNET__NEVER);
    uint64_t ms = (uint64_t)emnet__config_long("EMNET_CONNECT_CONFIRM_MS", 100);
    emnet__timer_schedule(&w->confirm, emnet__now_ns() + ms * 1000000u);
}

/* Room for len bytes of a message in the socket's receive buffer; the JS
 * side copies the message there and commits it. NULL: drop the socket. */
EMSCRIPTEN_KEEPALIVE uint8_t *emnet__ws_rx_reserve(int sock_id, size_t len)
{
    struct emnet_sock *s = live(sock_id);
    return s ? rxbuf_reserve(&s->rx, len) : NULL;
}

EMSCRIPTEN_KEEPALIVE int emnet__ws_rx_commit(int sock_id, size_t len)
{
    struct emnet_sock *s = live(sock_id);
    if (!s) return 0;
    rxbuf_commit(&s->rx, len);
    struct wsk *w = state_of(s);
    emnet__timer_schedule(&w->confirm, EMNET__NEVER);
    w->paused = rxbuf_len(&s->rx) >= s->rcvbuf_limit;
    int more = !w->paused;
    emnet__sock_data(s);
    return more;
}

EMSCRIPTEN_KEEPALIVE void emnet__ws_on_close(int sock_id, int code)
{
    struct emnet_sock *s = live(sock_id);
    if (!s) return;
    struct wsk *w = state_of(s);
    int opened = w->opened;
    emnet__timer_schedule(&w->confirm, EMNET__NEVER);
    emnet__timer_schedule(&w->timeout, EMNET__NEVER);
    emnet_js_ws_close(w->ws);
    free(w);
    s->transport_state = NULL;
    if (!opened)
        emnet__sock_failed(s, EHOSTUNREACH);        /* no proxy to reach the host through */
    else
        emnet__sock_peer_closed(s, code != 1000);   /* sets s->transport = NULL */
}

EMSCRIPTEN_KEEPALIVE void emnet__ws_on_drain(int sock_id)
{
    struct emnet_sock *s = live(sock_id);
    if (s) emnet__sock_writable(s);
}
