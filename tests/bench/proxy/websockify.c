/* websockify mode: one WebSocket carries one TCP connection, as plain
 * binary messages, the same for websockify and emnet-proxy.
 *
 * tput: every connection is opened first; then all upload at once (the
 * tcp_bulk request 'U' + u64 LE N, then N bytes in 64 KiB messages, until
 * tcp_bulk answers "k"), then all download at once ('D' + N, then N bytes
 * counted as they come). A direction's figure is the bytes of all
 * connections over the time from the first request to the last byte.
 *
 * idle: opens the connections a window at a time (a forking websockify
 * and a listen backlog both dislike a burst of thousands); each sends one
 * message (1 byte, or --echo-bytes) and waits for tcp_echo to send it
 * back, which proves the WebSocket reached the target. Once all have, it
 * waits a second for the proxy to settle and measures it. A bigger echo
 * shows what idle connections keep once their buffers have been used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_proxy.h"

/* ---- tput ---- */
enum { PHASE_CONNECT, PHASE_UP, PHASE_DOWN };

struct tput_conn {
    char request;          /* 'U' or 'D' still to send, or 0 */
    uint64_t to_send;      /* upload bytes not yet written */
    uint64_t received;     /* download bytes so far */
    int done;
};

static struct emnet_bp_conn **conns;
static int phase, established, done;

static void begin(char request)
{
    done = 0;
    emnet_bp_phase_start();
    for (int i = 0; i < emnet_bp_opt.conns; i++) {
        struct tput_conn *t = conns[i]->mode_data;
        t->request = request;
        t->to_send = request == 'U' ? emnet_bp_opt.bytes : 0;
        t->received = 0;
        t->done = 0;
        lws_callback_on_writable(conns[i]->wsi);
    }
}

static int tput_start(void)
{
    if (!emnet_bp_opt.bytes) {
        fprintf(stderr, "emnet-bench-proxy: tput needs --mib\n");
        return -1;
    }
    conns = calloc((size_t)emnet_bp_opt.conns, sizeof *conns);
    if (!conns) return -1;
    for (int i = 0; i < emnet_bp_opt.conns; i++) {
        conns[i] = emnet_bp_connect();
        if (!conns[i]) return -1;
        conns[i]->mode_data = calloc(1, sizeof(struct tput_conn));
        if (!conns[i]->mode_data) return -1;
    }
    return 0;
}

static int tput_established(struct emnet_bp_conn *c)
{
    (void)c;
    if (++established == emnet_bp_opt.conns) {
        phase = PHASE_UP;
        begin('U');
    }
    return 0;
}

static int tput_writeable(struct emnet_bp_conn *c)
{
    struct tput_conn *t = c->mode_data;
    unsigned char *buf = emnet_bp_send_buffer() + LWS_PRE;
    if (t->request) {
        buf[0] = (unsigned char)t->request;
        for (int i = 0; i < 8; i++) buf[1 + i] = (unsigned char)(emnet_bp_opt.bytes >> (8 * i));
        t->request = 0;
        if (emnet_bp_write(c, buf, 9) < 0) return -1;
    } else if (t->to_send) {
        size_t n = t->to_send < EMNET_BP_MSG ? (size_t)t->to_send : EMNET_BP_MSG;
        if (emnet_bp_write(c, buf, n) < 0) return -1;
        t->to_send -= n;
    }
    if (t->to_send) lws_callback_on_writable(c->wsi);
    return 0;
}

static void report(const char *dir) { emnet_bp_phase_report(dir, (double)emnet_bp_opt.bytes * emnet_bp_opt.conns); }

static int tput_message(struct emnet_bp_conn *c, const unsigned char *msg, size_t len)
{
    struct tput_conn *t = c->mode_data;
    if (t->done || !len) return 0;
    if (phase == PHASE_UP) {
        if (len != 1 || msg[0] != 'k') {
            fprintf(stderr, "emnet-bench-proxy: connection %d: unexpected answer to the upload\n", c->index);
            emnet_bp_finish(1);
            return 0;
        }
        t->done = 1;
        if (++done == emnet_bp_opt.conns) {
            report("up");
            phase = PHASE_DOWN;
            begin('D');
        }
        return 0;
    }
    t->received += len;
    if (t->received > emnet_bp_opt.bytes) {
        fprintf(stderr, "emnet-bench-proxy: connection %d: more bytes than asked for\n", c->index);
        emnet_bp_finish(1);
        return 0;
    }
    if (t->received == emnet_bp_opt.bytes) {
        t->done = 1;
        if (++done == emnet_bp_opt.conns) {
            report("down");
            emnet_bp_finish(0);
        }
    }
    return 0;
}

static void closed_early(struct emnet_bp_conn *c)
{
    fprintf(stderr, "emnet-bench-proxy: connection %d closed before the end (%s)\n", c->index,
            c->close_why[0] ? c->close_why : "no close frame");
    emnet_bp_finish(1);
}

const struct emnet_bp_mode emnet_bp_websockify_tput = {
    "tput", tput_start, tput_established, tput_writeable, tput_message, closed_early
};

/* ---- idle ---- */
struct idle_conn {
    int ping;              /* the echo request is still to send */
    size_t got;            /* bytes of it back so far */
    int echoed;
};

static int launched, in_flight, echoed;
static double open_t0;

static void after_settling(void)
{
    emnet_bp_measure("after");
    emnet_bp_finish(0);
}

static int launch_more(void)
{
    while (in_flight < emnet_bp_opt.window && launched < emnet_bp_opt.conns) {
        struct emnet_bp_conn *c = emnet_bp_connect();
        if (!c) {
            fprintf(stderr, "emnet-bench-proxy: cannot open connection %d\n", launched);
            return -1;
        }
        c->mode_data = calloc(1, sizeof(struct idle_conn));
        if (!c->mode_data) return -1;
        launched++;
        in_flight++;
    }
    return 0;
}

static int idle_start(void)
{
    emnet_bp_measure("before");
    open_t0 = emnet_bp_now();
    return launch_more();
}

static int idle_established(struct emnet_bp_conn *c)
{
    struct idle_conn *d = c->mode_data;
    d->ping = 1;
    lws_callback_on_writable(c->wsi);
    return 0;
}

static int idle_writeable(struct emnet_bp_conn *c)
{
    struct idle_conn *d = c->mode_data;
    if (!d->ping) return 0;
    d->ping = 0;
    unsigned char *buf = emnet_bp_send_buffer() + LWS_PRE;
    memset(buf, 'x', emnet_bp_opt.echo_bytes);
    return emnet_bp_write(c, buf, emnet_bp_opt.echo_bytes);
}

static int idle_message(struct emnet_bp_conn *c, const unsigned char *msg, size_t len)
{
    struct idle_conn *d = c->mode_data;
    int ok = !d->echoed && d->got + len <= emnet_bp_opt.echo_bytes;
    for (size_t i = 0; ok && i < len; i++) ok = msg[i] == 'x';
    if (!ok) {
        fprintf(stderr, "emnet-bench-proxy: connection %d: unexpected echo\n", c->index);
        emnet_bp_finish(1);
        return 0;
    }
    d->got += len;
    if (d->got < emnet_bp_opt.echo_bytes) return 0;
    d->echoed = 1;
    in_flight--;
    if (++echoed == emnet_bp_opt.conns) {
        emnet_bp_result("opened", "%d", echoed);
        emnet_bp_result("open_s", "%.2f", emnet_bp_now() - open_t0);
        emnet_bp_later(1000, after_settling);
        return 0;
    }
    if (launch_more() < 0) emnet_bp_finish(1);
    return 0;
}

const struct emnet_bp_mode emnet_bp_websockify_idle = {
    "idle", idle_start, idle_established, idle_writeable, idle_message, closed_early
};
