/* Wisp mode: one WebSocket, many TCP streams (emnet-proxy's /wisp/).
 *
 * The client acts as a Wisp v1 client: it never sends INFO, skips the
 * server's, and takes the CONTINUE on stream 0 as the credit every new
 * stream starts with. Each DATA packet spends one credit; a CONTINUE on a
 * stream sets its credit to what the server says remains. A stream with
 * nothing left to spend waits for that CONTINUE, so the client never sends
 * more than the server asked for.
 *
 * Writes: one packet per WRITEABLE, CONNECTs first, then the streams with
 * something to send and credit left, round robin (a FIFO of stream
 * indices, each queued at most once).
 *
 * wisp-tput: like websockify.c's tput with streams for connections; the
 * clock starts before the CONNECTs (Wisp has no connect confirmation; a
 * loopback connect costs far less than the transfer's resolution).
 * wisp-idle: streams are opened a window at a time, each sends one byte
 * and waits for tcp_echo's copy; then the proxy is measured. "before" is
 * measured once the WebSocket is open, so the figures are per stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_proxy.h"
#include "wisp_codec.h"

struct wstream {
    uint32_t credit;
    char request;          /* 'U', 'D' or 'x' (the idle echo) still to send, or 0 */
    uint64_t to_send;      /* upload bytes not yet sent */
    uint64_t received;
    int queued;            /* in the ready FIFO */
    int done;
};

static struct emnet_bp_conn *ws;
static struct wstream *streams;
static int nstreams;
static uint32_t initial_credit;
static int started;

/* FIFOs of stream indices: CONNECTs to send, and streams ready to send. */
struct fifo {
    int *v;
    int cap, head, len;
};
static struct fifo connects, ready;

static int fifo_init(struct fifo *f, int cap)
{
    f->v = calloc((size_t)cap, sizeof *f->v);
    f->cap = cap;
    f->head = f->len = 0;
    return f->v ? 0 : -1;
}

static void fifo_push(struct fifo *f, int x)
{
    f->v[(f->head + f->len) % f->cap] = x;
    f->len++;
}

static int fifo_pop(struct fifo *f)
{
    int x = f->v[f->head];
    f->head = (f->head + 1) % f->cap;
    f->len--;
    return x;
}

static int has_work(const struct wstream *s) { return s->request || s->to_send; }

static void make_ready(int i)
{
    struct wstream *s = &streams[i];
    if (s->queued || !s->credit || !has_work(s)) return;
    s->queued = 1;
    fifo_push(&ready, i);
    lws_callback_on_writable(ws->wsi);
}

/* Opens stream i (id i + 1) and gives it its first request. */
static void open_stream(int i, char request, uint64_t upload)
{
    struct wstream *s = &streams[i];
    s->credit = initial_credit;
    s->request = request;
    s->to_send = upload;
    fifo_push(&connects, i);
    lws_callback_on_writable(ws->wsi);
    make_ready(i);
}

static void request_all(char request)
{
    for (int i = 0; i < nstreams; i++) {
        streams[i].request = request;
        streams[i].to_send = request == 'U' ? emnet_bp_opt.bytes : 0;
        streams[i].received = 0;
        streams[i].done = 0;
        make_ready(i);
    }
}

static int common_start(void)
{
    nstreams = emnet_bp_opt.streams;
    streams = calloc((size_t)nstreams, sizeof *streams);
    if (!streams || fifo_init(&connects, nstreams) < 0 || fifo_init(&ready, nstreams) < 0) return -1;
    ws = emnet_bp_connect();
    return ws ? 0 : -1;
}

/* The next DATA packet of stream i at buf; 0 when it has no credit left
 * (a CONTINUE took it back while it waited in the FIFO). */
static size_t data_packet(unsigned char *buf, int i)
{
    struct wstream *s = &streams[i];
    s->queued = 0;
    if (!s->credit) return 0;
    size_t len = emnet_wisp_encode_data_header(buf, EMNET_BP_MSG, (uint32_t)i + 1);
    if (s->request == 'x') {
        buf[len++] = 'x';
    } else if (s->request) {
        buf[len] = (unsigned char)s->request;
        for (int k = 0; k < 8; k++) buf[len + 1 + (size_t)k] = (unsigned char)(emnet_bp_opt.bytes >> (8 * k));
        len += 9;
    } else {
        /* The whole packet is one 64 KiB message. */
        size_t n = EMNET_BP_MSG - EMNET_WISP_HEADER;
        if (s->to_send < n) n = (size_t)s->to_send;
        s->to_send -= n;
        len += n;
    }
    s->request = 0;
    s->credit--;
    make_ready(i);
    return len;
}

static int wisp_writeable(struct emnet_bp_conn *c)
{
    unsigned char *buf = emnet_bp_send_buffer() + LWS_PRE;
    size_t len = 0;
    if (connects.len) {
        int i = fifo_pop(&connects);
        len = emnet_wisp_encode_connect(buf, EMNET_BP_MSG, (uint32_t)i + 1, EMNET_WISP_STREAM_TCP,
                                        emnet_bp_opt.target_port, emnet_bp_opt.target_host,
                                        strlen(emnet_bp_opt.target_host));
    } else if (ready.len) {
        len = data_packet(buf, fifo_pop(&ready));
    }
    if (len && emnet_bp_write(c, buf, len) < 0) return -1;
    if (connects.len || ready.len) lws_callback_on_writable(c->wsi);
    return 0;
}

/* The part of a message every test reads the same way: decodes it into *p,
 * handles CONTINUE, fails on CLOSE; *data tells a DATA packet on a known
 * stream, left to the caller. Returns -1 on a failure. */
static int common_message(const unsigned char *msg, size_t len, struct emnet_wisp_packet *p, int *data)
{
    *data = 0;
    int r = emnet_wisp_decode(msg, len, p);
    if (r < 0) {
        fprintf(stderr, "emnet-bench-proxy: bad Wisp packet from the proxy: %s\n", emnet_wisp_error_name(r));
        return -1;
    }
    int i = (int)p->stream_id - 1;
    switch (p->type) {
    case EMNET_WISP_CONTINUE:
        if (p->stream_id == 0) {
            initial_credit = p->u.cont.remaining;
        } else if (i < nstreams) {
            streams[i].credit = p->u.cont.remaining;
            make_ready(i);
        }
        return 0;
    case EMNET_WISP_CLOSE:
        fprintf(stderr, "emnet-bench-proxy: stream %u closed by the proxy: %s\n", p->stream_id,
                emnet_wisp_close_reason_name(p->u.close.reason));
        return -1;
    case EMNET_WISP_DATA:
        if (i < 0 || i >= nstreams) return -1;
        *data = 1;
        return 0;
    default:
        return 0;   /* INFO: a v1 client skips it */
    }
}

/* ---- wisp-tput ---- */
static int phase_down, done;

static void report(const char *dir) { emnet_bp_phase_report(dir, (double)emnet_bp_opt.bytes * nstreams); }

static int tput_start(void)
{
    if (!emnet_bp_opt.bytes) {
        fprintf(stderr, "emnet-bench-proxy: wisp-tput needs --mib\n");
        return -1;
    }
    return common_start();
}

static int tput_message(struct emnet_bp_conn *c, const unsigned char *msg, size_t len)
{
    (void)c;
    struct emnet_wisp_packet p;
    int data;
    if (common_message(msg, len, &p, &data) < 0) {
        emnet_bp_finish(1);
        return 0;
    }
    if (!started && initial_credit) {
        started = 1;
        emnet_bp_phase_start();
        for (int i = 0; i < nstreams; i++) open_stream(i, 'U', emnet_bp_opt.bytes);
    }
    if (!data) return 0;
    struct wstream *s = &streams[p.stream_id - 1];
    if (s->done) return 0;
    if (!phase_down) {
        if (p.u.data.len != 1 || p.u.data.data[0] != 'k') {
            fprintf(stderr, "emnet-bench-proxy: stream %u: unexpected answer to the upload\n", p.stream_id);
            emnet_bp_finish(1);
            return 0;
        }
        s->done = 1;
        if (++done == nstreams) {
            report("up");
            phase_down = 1;
            done = 0;
            emnet_bp_phase_start();
            request_all('D');
        }
        return 0;
    }
    s->received += p.u.data.len;
    if (s->received > emnet_bp_opt.bytes) {
        fprintf(stderr, "emnet-bench-proxy: stream %u: more bytes than asked for\n", p.stream_id);
        emnet_bp_finish(1);
        return 0;
    }
    if (s->received == emnet_bp_opt.bytes) {
        s->done = 1;
        if (++done == nstreams) {
            report("down");
            emnet_bp_finish(0);
        }
    }
    return 0;
}

static void closed_early(struct emnet_bp_conn *c)
{
    fprintf(stderr, "emnet-bench-proxy: the Wisp WebSocket closed before the end (%s)\n",
            c->close_why[0] ? c->close_why : "no close frame");
    emnet_bp_finish(1);
}

const struct emnet_bp_mode emnet_bp_wisp_tput = {
    "wisp-tput", tput_start, NULL, wisp_writeable, tput_message, closed_early
};

/* ---- wisp-idle ---- */
static int launched, in_flight, echoed;
static double open_t0;

static void launch_more(void)
{
    while (in_flight < emnet_bp_opt.window && launched < nstreams) {
        open_stream(launched++, 'x', 0);
        in_flight++;
    }
}

static void after_settling(void)
{
    emnet_bp_measure("after");
    emnet_bp_finish(0);
}

static int idle_start(void) { return common_start(); }

static int idle_message(struct emnet_bp_conn *c, const unsigned char *msg, size_t len)
{
    (void)c;
    struct emnet_wisp_packet p;
    int data;
    if (common_message(msg, len, &p, &data) < 0) {
        emnet_bp_finish(1);
        return 0;
    }
    if (!started && initial_credit) {
        started = 1;
        emnet_bp_measure("before");
        open_t0 = emnet_bp_now();
        launch_more();
    }
    if (!data) return 0;
    struct wstream *s = &streams[p.stream_id - 1];
    if (s->done || p.u.data.len != 1 || p.u.data.data[0] != 'x') {
        fprintf(stderr, "emnet-bench-proxy: stream %u: unexpected echo\n", p.stream_id);
        emnet_bp_finish(1);
        return 0;
    }
    s->done = 1;
    in_flight--;
    if (++echoed == nstreams) {
        emnet_bp_result("opened", "%d", echoed);
        emnet_bp_result("open_s", "%.2f", emnet_bp_now() - open_t0);
        emnet_bp_later(1000, after_settling);
        return 0;
    }
    launch_more();
    return 0;
}

const struct emnet_bp_mode emnet_bp_wisp_idle = {
    "wisp-idle", idle_start, NULL, wisp_writeable, idle_message, closed_early
};
