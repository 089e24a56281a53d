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

#include "channel.h"
#include "internal.h"
#include "websocket.h"

struct wsk {
    int ws;                        /* the WebSocket (websocket.h) */
    int paused;                    /* receiving stopped: the socket's buffer is full */
    int opened;                    /* the WebSocket's open event came */
    int confirmed;                 /* the connect is taken as done */
    int full;                      /* the WebSocket's queue reached the send buffer: wait for the drain */
    struct emnet__timer confirm;   /* open, not yet confirmed */
    struct emnet__timer timeout;   /* not open yet */
    struct emnet_channel *ch;
};

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

/* In messages of at most 64 KiB: proxies limit message sizes (emnet-proxy's
 * max_message), and a smaller message leaves the connection sooner. */
#define MAX_MESSAGE 65536

/* Lets go of the WebSocket and the state; the channel hears nothing more. */
static void wsk_free(struct wsk *w)
{
    emnet__timer_schedule(&w->confirm, EMNET__NEVER);
    emnet__timer_schedule(&w->timeout, EMNET__NEVER);
    emnet__ws_close(w->ws);
    free(w);
}

static void confirm_expired(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wsk *w = (struct wsk *)((char *)t - offsetof(struct wsk, confirm));
    w->confirmed = 1;
    emnet__chan_opened(w->ch);
}

static void timeout_expired(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wsk *w = (struct wsk *)((char *)t - offsetof(struct wsk, timeout));
    struct emnet_channel *ch = w->ch;
    wsk_free(w);
    emnet__chan_failed(ch, ETIMEDOUT);   /* as an unanswered SYN */
}

/* ---- the WebSocket's events ---- */

static void on_open(void *owner)
{
    struct wsk *w = owner;
    w->opened = 1;
    emnet__timer_schedule(&w->timeout, EMNET__NEVER);
    uint64_t ms = (uint64_t)emnet__setting(SETTING_CONNECT_CONFIRM_MS);
    emnet__timer_schedule(&w->confirm, emnet__now_ns() + ms * 1000000u);
}

/* Every message is the stream's next bytes: straight into the socket's
 * receive buffer. Out of memory there, the connection is reset. */
static uint8_t *on_reserve(void *owner, size_t len, const uint8_t *head, size_t head_len, size_t *skip)
{
    (void)head, (void)head_len, (void)skip;
    struct wsk *w = owner;
    uint8_t *p = emnet__chan_rx_reserve(w->ch, len);
    if (!p) {
        struct emnet_channel *ch = w->ch;
        wsk_free(w);
        emnet__chan_ended(ch, ECONNRESET);
    }
    return p;
}

static int on_commit(void *owner, size_t len)
{
    struct wsk *w = owner;
    emnet__timer_schedule(&w->confirm, EMNET__NEVER);
    w->confirmed = 1;
    emnet__chan_rx_commit(w->ch, len);
    w->paused = emnet__chan_rx_held(w->ch) >= w->ch->rcv_limit;
    return !w->paused;
}

static void on_closed(void *owner, int code, int opened)
{
    struct wsk *w = owner;
    struct emnet_channel *ch = w->ch;
    int confirmed = w->confirmed;
    w->ws = 0;   /* gone already */
    wsk_free(w);
    if (!opened)
        emnet__chan_failed(ch, EHOSTUNREACH);          /* no proxy to reach the host through */
    else if (!confirmed)
        emnet__chan_failed(ch, ECONNREFUSED);          /* the proxy's connect to the target failed */
    else
        emnet__chan_ended(ch, code == 1000 ? 0 : ECONNRESET);
}

static void on_drained(void *owner)
{
    struct wsk *w = owner;
    w->full = 0;
    emnet__chan_drained(w->ch);
}

static const struct emnet_ws_events events = {
    .opened = on_open,
    .reserve = on_reserve,
    .commit = on_commit,
    .closed = on_closed,
    .drained = on_drained,
};

/* ---- the transport's operations ---- */

static int wsk_open(struct emnet_channel *ch, const char *host, unsigned port)
{
    const char *tmpl = emnet__transport_url(ch->transport);
    if (!tmpl) return -ENETUNREACH;
    char url[512];
    int r = build_url(tmpl, host, port, url, sizeof url);
    if (r < 0) return r;
    struct wsk *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->ch = ch;
    w->confirm.expire = confirm_expired;
    w->timeout.expire = timeout_expired;
    w->ws = emnet__ws_open(url, NULL, &events, w);
    if (w->ws < 0) {
        r = w->ws;
        free(w);
        return r;
    }
    ch->state = w;
    uint64_t ms = (uint64_t)emnet__setting(SETTING_CONNECT_TIMEOUT_MS);
    emnet__timer_schedule(&w->timeout, emnet__now_ns() + ms * 1000000u);
    return 0;
}

static long wsk_send(struct emnet_channel *ch, const void *buf, size_t len)
{
    struct wsk *w = ch->state;
    if (w->full) return 0;
    double queued = emnet__ws_buffered(w->ws);
    size_t room = queued >= (double)ch->snd_limit ? 0 : ch->snd_limit - (size_t)queued;
    if (len > room) len = room;
    for (size_t off = 0; off < len; off += MAX_MESSAGE)
        emnet__ws_send(w->ws, (const char *)buf + off, len - off < MAX_MESSAGE ? len - off : MAX_MESSAGE, NULL, 0);
    /* Full now: EPOLLOUT is gone until the queue drains (to half: one
     * wake-up per message sent would cost a trip through JS each). */
    if (len == room) {
        w->full = 1;
        emnet__ws_watch_drain(w->ws, (double)(ch->snd_limit / 2));
    }
    return (long)len;
}

static int wsk_send_full(const struct emnet_channel *ch)
{
    const struct wsk *w = ch->state;
    return w->full;
}

static void wsk_consumed(struct emnet_channel *ch)
{
    struct wsk *w = ch->state;
    /* Resume at half the limit, not at the first byte read: one message
     * per read would cost a round trip through JS each. */
    if (w->paused && emnet__chan_rx_held(ch) <= ch->rcv_limit / 2) {
        w->paused = 0;
        emnet__ws_pause(w->ws, 0);
    }
}

static void wsk_close(struct emnet_channel *ch, int reset)
{
    (void)reset;   /* websockify has no reset: the proxy closes its TCP connection in order */
    if (ch->state) wsk_free(ch->state);
}

const struct emnet_transport emnet__websockify_transport = {
    .name = "websockify",
    .open = wsk_open,
    .send = wsk_send,
    .consumed = wsk_consumed,
    .send_full = wsk_send_full,
    .close = wsk_close,
};
