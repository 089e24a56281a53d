/* emnet-bench-proxy: load a WebSocket-to-TCP proxy and print what it did.
 *
 *   emnet-bench-proxy TEST URL [options]
 *
 *   tput       --conns N --mib X      N WebSockets in websockify mode (URL
 *                                     names the tcp_bulk target): all upload
 *                                     X MiB, then all download X MiB
 *   idle       --conns N [--pgid G] [--echo-bytes B]
 *                                     N WebSockets to a tcp_echo target, one
 *                                     echo of B bytes (1) each, then held idle
 *   wisp-tput  --streams N --mib X --target HOST:PORT
 *                                     one Wisp WebSocket, N streams to
 *                                     tcp_bulk, the same work as tput
 *   wisp-idle  --streams N --target HOST:PORT [--pgid G]
 *                                     one Wisp WebSocket, N streams to
 *                                     tcp_echo, one echo each, held idle
 *   --window N   idle tests: how many are being opened at once (default 200)
 *   --timeout S  give up after S seconds (default 120)
 *
 * Output: "NAME VALUE" lines (up_MBps, down_MBps, opened, before_rss_kb,
 * after_pss_kb, ...). --pgid names the proxy's process group: throughput
 * tests then also report the CPU time the group spent in each phase, and
 * idle tests its memory before opening anything and once all is idle.
 * Exit status 0 when the whole work was done, 1 otherwise (the reason on
 * stderr). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_proxy.h"

struct emnet_bp_options emnet_bp_opt = { .window = 200, .timeout_s = 120, .echo_bytes = 1 };

static const struct emnet_bp_mode *mode;
static struct lws_context *ctx;
static int finished = -1;          /* the exit status once set */
static int next_index;
static lws_sorted_usec_list_t deadline_sul, later_sul;
static void (*later_fn)(void);
static unsigned char *send_buf;

double emnet_bp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void emnet_bp_finish(int status)
{
    if (finished < 0) finished = status;
    lws_cancel_service(ctx);
}

void emnet_bp_result(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static void run_later(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    void (*fn)(void) = later_fn;
    later_fn = NULL;
    if (fn) fn();
}

void emnet_bp_later(int ms, void (*fn)(void))
{
    later_fn = fn;
    lws_sul_schedule(ctx, 0, &later_sul, run_later, (lws_usec_t)ms * LWS_US_PER_MS);
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
    (void)sul;
    fprintf(stderr, "emnet-bench-proxy: %s: not done after %d s\n", emnet_bp_opt.test, emnet_bp_opt.timeout_s);
    emnet_bp_finish(1);
}

unsigned char *emnet_bp_send_buffer(void) { return send_buf; }

static double phase_t0, phase_cpu0, phase_self0;

/* This process's CPU seconds (all threads). */
static double self_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void emnet_bp_phase_start(void)
{
    phase_t0 = emnet_bp_now();
    phase_self0 = self_cpu();
    phase_cpu0 = emnet_bp_opt.pgid ? emnet_bp_group_cpu(emnet_bp_opt.pgid) : 0;
}

void emnet_bp_phase_report(const char *dir, double bytes)
{
    char name[64];
    double seconds = emnet_bp_now() - phase_t0;
    snprintf(name, sizeof name, "%s_MBps", dir);
    emnet_bp_result(name, "%.1f", bytes / 1e6 / seconds);
    /* Near 1: the client itself was the limit of this phase. */
    snprintf(name, sizeof name, "%s_client_busy", dir);
    emnet_bp_result(name, "%.2f", (self_cpu() - phase_self0) / seconds);
    if (!emnet_bp_opt.pgid) return;
    double cpu = emnet_bp_group_cpu(emnet_bp_opt.pgid) - phase_cpu0;
    snprintf(name, sizeof name, "%s_proxy_cpu_s", dir);
    emnet_bp_result(name, "%.3f", cpu);
    snprintf(name, sizeof name, "%s_MB_per_cpu_s", dir);
    emnet_bp_result(name, "%.1f", cpu > 0 ? bytes / 1e6 / cpu : 0.0);
}

void emnet_bp_measure(const char *prefix)
{
    if (!emnet_bp_opt.pgid) return;
    struct emnet_bp_memory m;
    char name[64];
    if (emnet_bp_group_memory(emnet_bp_opt.pgid, &m) < 0) {
        fprintf(stderr, "emnet-bench-proxy: no process in group %d\n", emnet_bp_opt.pgid);
        emnet_bp_finish(1);
        return;
    }
    snprintf(name, sizeof name, "%s_rss_kb", prefix);
    emnet_bp_result(name, "%ld", m.rss_kb);
    snprintf(name, sizeof name, "%s_pss_kb", prefix);
    emnet_bp_result(name, "%ld", m.pss_kb);
    snprintf(name, sizeof name, "%s_procs", prefix);
    emnet_bp_result(name, "%d", m.procs);
}

struct emnet_bp_conn *emnet_bp_connect(void)
{
    struct emnet_bp_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->index = next_index++;
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = ctx;
    i.address = emnet_bp_opt.url_host;
    i.port = emnet_bp_opt.url_port;
    i.path = emnet_bp_opt.url_path;
    i.host = emnet_bp_opt.url_host;
    i.origin = NULL;               /* emnet-proxy refuses any Origin it was not told about */
    i.protocol = NULL;             /* no subprotocol: websockify and emnet-proxy both take that */
    i.ietf_version_or_minus_one = -1;
    i.local_protocol_name = "bench";
    i.opaque_user_data = c;
    i.pwsi = &c->wsi;
    if (!lws_client_connect_via_info(&i)) {
        free(c);
        return NULL;
    }
    return c;
}

int emnet_bp_write(struct emnet_bp_conn *c, unsigned char *buf, size_t len)
{
    return lws_write(c->wsi, buf, len, LWS_WRITE_BINARY) < (int)len ? -1 : 0;
}

/* Fragments of one message are joined for modes that parse messages
 * (Wisp); websockify's byte counting takes them as they come. */
static int on_receive(struct emnet_bp_conn *c, struct lws *wsi, const unsigned char *in, size_t len)
{
    int last = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
    if (mode == &emnet_bp_websockify_tput || mode == &emnet_bp_websockify_idle)
        return mode->message ? mode->message(c, in, len) : 0;
    if (c->msg_len + len > c->msg_cap) {
        size_t cap = c->msg_cap ? c->msg_cap : 4096;
        while (cap < c->msg_len + len) cap *= 2;
        unsigned char *p = realloc(c->msg, cap);
        if (!p) return -1;
        c->msg = p;
        c->msg_cap = cap;
    }
    memcpy(c->msg + c->msg_len, in, len);
    c->msg_len += len;
    if (!last) return 0;
    size_t n = c->msg_len;
    c->msg_len = 0;
    return mode->message ? mode->message(c, c->msg, n) : 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void)user;
    struct emnet_bp_conn *c = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (finished < 0)
            fprintf(stderr, "emnet-bench-proxy: connection %d failed: %s\n", c ? c->index : -1,
                    in ? (const char *)in : "?");
        /* c is not freed here: lws may report this from inside
         * lws_client_connect_via_info, whose failure emnet_bp_connect handles. The
         * run is over anyway. */
        if (c) lws_set_opaque_user_data(wsi, NULL);
        emnet_bp_finish(1);
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c) return -1;
        c->wsi = wsi;
        c->open = 1;
        return mode->established ? mode->established(c) : 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c || finished >= 0) return 0;
        return on_receive(c, wsi, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c || finished >= 0) return 0;
        return mode->writeable ? mode->writeable(c) : 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) {
            const unsigned char *p = in;
            snprintf(c->close_why, sizeof c->close_why, "%u %.*s", p[0] << 8 | p[1],
                     (int)(len - 2 < 100 ? len - 2 : 100), (const char *)p + 2);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c) {
            lws_set_opaque_user_data(wsi, NULL);
            c->open = 0;
            c->wsi = NULL;
            if (finished < 0 && mode->closed) mode->closed(c);
            free(c->mode_data);
            free(c->msg);
            free(c);
        }
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    /* Room for a whole 64 KiB message (plus a Wisp header) per read. */
    { "bench", callback, 0, EMNET_BP_MSG + 64, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static int parse_url(const char *url)
{
    char buf[640];
    const char *prot, *ads, *path;
    int port;
    snprintf(buf, sizeof buf, "%s", url);
    if (lws_parse_uri(buf, &prot, &ads, &port, &path) || strcmp(prot, "ws") != 0) return -1;
    snprintf(emnet_bp_opt.url_host, sizeof emnet_bp_opt.url_host, "%s", ads);
    emnet_bp_opt.url_port = port;
    snprintf(emnet_bp_opt.url_path, sizeof emnet_bp_opt.url_path, "/%s", path);
    return 0;
}

static int parse_target(const char *t)
{
    const char *colon = strrchr(t, ':');
    if (!colon || colon == t || (size_t)(colon - t) >= sizeof emnet_bp_opt.target_host) return -1;
    memcpy(emnet_bp_opt.target_host, t, (size_t)(colon - t));
    emnet_bp_opt.target_host[colon - t] = '\0';
    long p = strtol(colon + 1, NULL, 10);
    if (p <= 0 || p > 65535) return -1;
    emnet_bp_opt.target_port = (uint16_t)p;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: emnet-bench-proxy tput|idle|wisp-tput|wisp-idle ws://HOST:PORT/PATH\n"
                    "       [--conns N] [--streams N] [--mib X] [--target HOST:PORT] [--window N]\n"
                    "       [--pgid G] [--echo-bytes B] [--timeout S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3) return usage();
    emnet_bp_opt.test = argv[1];
    if (strcmp(argv[1], "tput") == 0) mode = &emnet_bp_websockify_tput;
    else if (strcmp(argv[1], "idle") == 0) mode = &emnet_bp_websockify_idle;
    else if (strcmp(argv[1], "wisp-tput") == 0) mode = &emnet_bp_wisp_tput;
    else if (strcmp(argv[1], "wisp-idle") == 0) mode = &emnet_bp_wisp_idle;
    else return usage();
    if (parse_url(argv[2]) < 0) {
        fprintf(stderr, "emnet-bench-proxy: bad URL %s (ws://HOST:PORT/PATH)\n", argv[2]);
        return 2;
    }
    emnet_bp_opt.conns = emnet_bp_opt.streams = 1;
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--conns") == 0) emnet_bp_opt.conns = atoi(v);
        else if (strcmp(k, "--streams") == 0) emnet_bp_opt.streams = atoi(v);
        else if (strcmp(k, "--mib") == 0) emnet_bp_opt.bytes = (uint64_t)(atof(v) * 1048576.0);
        else if (strcmp(k, "--window") == 0) emnet_bp_opt.window = atoi(v);
        else if (strcmp(k, "--pgid") == 0) emnet_bp_opt.pgid = atoi(v);
        else if (strcmp(k, "--echo-bytes") == 0) emnet_bp_opt.echo_bytes = (size_t)atol(v);
        else if (strcmp(k, "--timeout") == 0) emnet_bp_opt.timeout_s = atoi(v);
        else if (strcmp(k, "--target") == 0) {
            if (parse_target(v) < 0) return usage();
        } else return usage();
    }
    if ((argc - 3) % 2 || emnet_bp_opt.conns < 1 || emnet_bp_opt.streams < 1 || emnet_bp_opt.window < 1 ||
        emnet_bp_opt.echo_bytes < 1 || emnet_bp_opt.echo_bytes > EMNET_BP_MSG)
        return usage();
    if (strncmp(mode->name, "wisp", 4) == 0 && !emnet_bp_opt.target_port) return usage();

    send_buf = malloc(LWS_PRE + EMNET_BP_MSG);
    if (!send_buf) return 1;
    for (size_t i = 0; i < EMNET_BP_MSG; i++) send_buf[LWS_PRE + i] = (unsigned char)(i * 131 + 7);

    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    /* lws reads a socket into a per-thread buffer of this size (4 KiB by
     * default): the client must not be what limits a download. */
    info.pt_serv_buf_size = 256 * 1024;
    ctx = lws_create_context(&info);
    if (!ctx) {
        fprintf(stderr, "emnet-bench-proxy: cannot create the lws context\n");
        return 1;
    }
    lws_sul_schedule(ctx, 0, &deadline_sul, on_deadline, (lws_usec_t)emnet_bp_opt.timeout_s * LWS_US_PER_SEC);
    if (mode->start() < 0) emnet_bp_finish(1);
    while (finished < 0) {
        if (lws_service(ctx, 0) < 0) break;
    }
    lws_sul_cancel(&deadline_sul);
    lws_sul_cancel(&later_sul);
    lws_context_destroy(ctx);
    free(send_buf);
    return finished < 0 ? 1 : finished;
}
