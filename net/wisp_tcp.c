/* The wisp transport's TCP streams (wisp.h): connect completion, credit
 * both ways, the receive limit, FIN and RESET. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "websocket.h"
#include "wisp.h"

int wisp_tcp_open(struct emnet_channel *ch, const char *host, unsigned port)
{
    int err;
    struct wisp_stream *st = wisp_stream_new(ch, host, port, 0, &err);
    if (!st) return err;
    ch->state = st;
    if (st->sess->ready) wisp_send_connect(st);   /* the host was checked: it fits */
    return 0;
}

/* Its CONNECT went out: the first credit, and how long until the connect
 * counts as done (plain Wisp) or as failed (with confirmation). */
void wisp_tcp_connect_sent(struct wisp_stream *st)
{
    st->credit = st->sess->default_credit;
    /* With confirmation the server says when the target accepted; else
     * silence for a while is taken for success. */
    uint64_t ms = (uint64_t)emnet__setting(st->sess->confirm ? SETTING_CONNECT_TIMEOUT_MS : SETTING_CONNECT_CONFIRM_MS);
    emnet__timer_schedule(&st->confirm, emnet__now_ns() + ms * 1000000u);
}

void wisp_confirm_expired(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct wisp_stream *st = (struct wisp_stream *)((char *)t - offsetof(struct wisp_stream, confirm));
    if (!st->connect_sent) {
        wisp_stream_ended(st, ECONNREFUSED);
    } else if (st->sess->confirm) {
        /* The server never confirmed (nor gave up): we give up, as Linux
         * does on a SYN nobody answers, and tell the server to stop. */
        uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
        wisp_send_packet(st->sess, pkt, emnet_wisp_encode_close(pkt, sizeof pkt, st->id, EMNET_WISP_CLOSE_VOLUNTARY));
        wisp_stream_ended(st, ETIMEDOUT);
    } else {
        st->opened = 1;
        emnet__chan_opened(st->ch);
    }
}

/* The stream ended: an orderly end, or err; a connect not yet done
 * fails (a generic reason reads as a refusal). */
void wisp_tcp_ended(struct wisp_stream *st, int err)
{
    struct emnet_channel *ch = st->ch;
    int opened = st->opened;
    wisp_stream_free(st);
    if (!opened && err)
        emnet__chan_failed(ch, err == ECONNRESET ? ECONNREFUSED : err);
    else
        emnet__chan_ended(ch, err);
}

void wisp_set_over_limit(struct wisp_stream *st, int over)
{
    struct wisp_conn *ss = st->sess;
    if (over == st->over_limit) return;
    st->over_limit = (unsigned char)over;
    if (over) {
        ss->full++;
    } else if (--ss->full == 0 && ss->paused) {
        ss->paused = 0;
        emnet__ws_pause(ss->ws, 0);
    }
}

/* Receive credit: once the program has read half a window's worth, the
 * server may send that much more (one CREDIT per half window, not one per
 * read). What the socket holds plus what the server may still send never
 * passes the window, so a stream that is not read holds only itself. */
static void grant_credit(struct wisp_stream *st)
{
    uint32_t window = st->sess->window;
    int64_t outstanding = (int64_t)(st->granted - st->delivered);
    uint64_t used = (uint64_t)(outstanding > 0 ? outstanding : 0) + emnet__chan_rx_held(st->ch);
    if (used >= window || window - used < window / 2) return;
    uint32_t more = window - (uint32_t)used;
    uint8_t pkt[EMNET_WISP_CREDIT_SIZE];
    wisp_send_packet(st->sess, pkt, emnet_wisp_encode_credit(pkt, sizeof pkt, st->id, more));
    st->granted += more;
}

/* Sending stops at zero credit or at a full WebSocket; EPOLLOUT then goes
 * away for this socket (wisp_send_full) and comes back through
 * wisp_on_continue() or on_drained(), which tell every stream, not only those
 * that tried: a socket that saw no EPOLLOUT has not tried. */
long wisp_tcp_send(struct emnet_channel *ch, const void *buf, size_t len)
{
    struct wisp_stream *st = wisp_stream_of(ch);
    struct wisp_conn *ss = st->sess;
    size_t done = 0;
    if (ss->send_full) return 0;
    double queued = emnet__ws_buffered(ss->ws);
    while (done < len && st->connect_sent && st->credit && queued < (double)ch->snd_limit) {
        size_t n = len - done, room = ch->snd_limit - (size_t)queued;
        if (n > room) n = room;
        if (n > MAX_DATA) n = MAX_DATA;
        uint8_t hdr[EMNET_WISP_HEADER];
        emnet_wisp_encode_data_header(hdr, sizeof hdr, st->id);
        emnet__ws_send(ss->ws, hdr, sizeof hdr, (const uint8_t *)buf + done, n);
        st->credit--;
        done += n;
        queued += (double)(n + sizeof hdr);   /* what the WebSocket holds grows by what it was given */
    }
    if (queued >= (double)ch->snd_limit) wisp_conn_full(ss, ch->snd_limit);
    return (long)done;
}

/* Polled on every readiness check: no call into JS. No credit is a full
 * send buffer, whatever the WebSocket holds; the WebSocket's own fill is
 * known from send_full, set whenever a send fills it. */
int wisp_tcp_send_full(const struct emnet_channel *ch)
{
    const struct wisp_stream *st = ch->state;
    return !st || !st->connect_sent || st->credit == 0 || st->sess->send_full;
}

void wisp_tcp_consumed(struct emnet_channel *ch)
{
    struct wisp_stream *st = wisp_stream_of(ch);
    if (!st) return;
    if (st->sess->window && st->connect_sent) grant_credit(st);
    /* At half the limit, not at the first byte read: one resume per read
     * would cost a trip through JS each. */
    if (st->over_limit && emnet__chan_rx_held(ch) <= ch->rcv_limit / 2) wisp_set_over_limit(st, 0);
}

/* Our FIN, after every DATA packet already sent (one WebSocket, in order),
 * where the server speaks emnet's half-close extension. */
int wisp_tcp_shutdown_write(struct emnet_channel *ch)
{
    struct wisp_stream *st = wisp_stream_of(ch);
    if (!st || !st->connect_sent || !st->sess->half_close) return 0;
    uint8_t pkt[EMNET_WISP_FIN_SIZE];
    wisp_send_packet(st->sess, pkt, emnet_wisp_encode_fin(pkt, sizeof pkt, st->id));
    return 1;
}

/* ---- packets from the server ---- */

/* Flow control after bytes reached a TCP stream's socket. */
void wisp_data_arrived(struct wisp_conn *ss, struct wisp_stream *st, size_t len)
{
    st->delivered += len;
    st->opened = 1;   /* data proves the connect (the socket knows it from the commit) */
    /* With receive credit the server stops at the window on its own: the
     * whole connection pauses only for one that does not. */
    size_t held = emnet__chan_rx_held(st->ch);
    if (ss->window ? held > ss->window : held >= st->ch->rcv_limit) wisp_set_over_limit(st, 1);
}

/* A TCP stream's socket could not take its bytes (out of memory): the
 * stream cannot go on with a hole, so it ends with a reset both ways. */
void wisp_stream_overflow(struct wisp_conn *ss, struct wisp_stream *st)
{
    uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
    wisp_send_packet(ss, pkt, emnet_wisp_encode_close(pkt, sizeof pkt, st->id,
                                                 ss->reset ? EMNET_WISP_CLOSE_RESET : EMNET_WISP_CLOSE_CLIENT_ERROR));
    wisp_stream_ended(st, ECONNRESET);
}

void wisp_tcp_on_data(struct wisp_conn *ss, struct wisp_stream *st, const uint8_t *data, size_t len)
{
    emnet__timer_schedule(&st->confirm, EMNET__NEVER);
    if (!len) {   /* an empty DATA still proves the connect */
        if (!st->opened) {
            st->opened = 1;
            emnet__chan_opened(st->ch);
        }
        return;
    }
    uint8_t *p = emnet__chan_rx_reserve(st->ch, len);
    if (!p) {
        wisp_stream_overflow(ss, st);
        return;
    }
    memcpy(p, data, len);
    emnet__chan_rx_commit(st->ch, len);
    wisp_data_arrived(ss, st, len);
}

void wisp_on_continue(struct wisp_stream *st, uint32_t credit)
{
    if (st->udp) return;   /* UDP streams have no credit */
    uint32_t before = st->credit;
    emnet__timer_schedule(&st->confirm, EMNET__NEVER);
    st->credit = credit;
    /* With 0x05 the first CONTINUE is the confirmation; without, the
     * server writes to the target before it gives credit back: either
     * way the stream is connected. */
    if (!st->opened) {
        st->opened = 1;
        emnet__chan_opened(st->ch);
    } else if (!before && credit) {
        emnet__chan_drained(st->ch);
    }
}

void wisp_tcp_on_fin(struct wisp_stream *st)
{
    st->opened = 1;
    emnet__chan_peer_fin(st->ch);
}
