/* The WebSocket side of a client connection (conn): its life, the
 * messages queued for it, and the events its streams report, dispatched to
 * the mode (websockify.c, wisp.c). Also the lws protocol callback that
 * routes every client-facing event (http.c, upgrade.c, here).
 *
 * Writes to a client happen only in SERVER_WRITEABLE, one lws_write each. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>

#include "server.h"
#include "wisp_codec.h"

int64_t emnet_px_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sending to the client ---- */
void emnet_px_conn_touch(struct emnet_px_conn *c) { c->last_activity_ms = emnet_px_now_ms(); }

/* How long a closing client may take to read what is left before its
 * connection is cut: counted from the last progress, so a slow but
 * reading client still gets everything. */
#define CLOSE_GRACE_SECONDS 10

/* Drops everything queued for c and closes it now, without a close frame
 * (the client is gone or will not read one). */
static void abort_conn(struct emnet_px_conn *c)
{
    c->closing = 1;
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
}

/* Over client_buffer_max: whatever queued it, the client loses its
 * streams and its queue at once, and gets 1008 if it ever reads again. */
static void over_hard_limit(struct emnet_px_conn *c)
{
    char n[24];
    snprintf(n, sizeof n, "%zu", c->queued);
    emnet_px_refuse(EMNET_PX_REFUSE_CLIENT_BUFFER);
    emnet_px_log(EMNET_PX_INFO, "refused", "client", c->client, "reason", "client_buffer", "queued", n, NULL);
    c->dying = 1;   /* streams let go now must not report back */
    while (c->streams) emnet_px_stream_release(c->streams, 0);
    c->dying = 0;
    emnet_px_queue_clear(&c->out);
    emnet_px_conn_close(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "Client buffer limit exceeded");
}

void emnet_px_conn_send(struct emnet_px_conn *c, struct emnet_px_chunk *chunk)
{
    if (c->closing) {
        /* Nothing more goes to a client that is being closed. */
        free(chunk);
        return;
    }
    struct emnet_px_stream *s = chunk->stream;
    if (s) {
        s->to_client += chunk->len - chunk->off;
        if (s->out_tail) s->out_tail->snext = chunk;
        else s->out_head = chunk;
        s->out_tail = chunk;
    }
    emnet_px_queue_push(&c->out, chunk);
    lws_callback_on_writable(c->wsi);
    emnet_px_conn_update_rx(c);
}

void emnet_px_conn_close(struct emnet_px_conn *c, int code, const char *reason)
{
    if (c->mode == EMNET_PX_WEBTRANSPORT) {
        emnet_px_wtg_close(c, code, reason);
        return;
    }
    if (c->closing) return;
    c->closing = 1;
    c->close_code = code;
    snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, CLOSE_GRACE_SECONDS);
    lws_callback_on_writable(c->wsi);
}

/* The budget flipped: every target of c follows. */
static void update_targets_reading(struct emnet_px_conn *c)
{
    for (struct emnet_px_stream *s = c->streams; s; s = s->next) emnet_px_stream_update_reading(s);
}

void emnet_px_conn_update_rx(struct emnet_px_conn *c)
{
    if (c->dying || emnet_px.stopping) return;
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    if (c->queued > cfg->client_buffer_max && !c->closing) {
        over_hard_limit(c);
        return;
    }
    if (!c->over_budget && c->queued > cfg->client_buffer) {
        c->over_budget = 1;
        emnet_px_metrics.budget_pauses++;
        update_targets_reading(c);
    } else if (c->over_budget && c->queued <= cfg->client_buffer / 2) {
        c->over_budget = 0;
        update_targets_reading(c);
    }
    int pause = c->over_budget || c->full_streams || c->tx_pending;
    if (pause != c->rx_paused) {
        c->rx_paused = pause;
        if (c->credit_starved) update_targets_reading(c);   /* receive credit holds a stream only while the client is read */
        if (c->wsi) lws_rx_flow_control(c->wsi, !pause);   /* WebTransport: QUIC credit, per stream (wt_gateway.c) */
    }
}

void emnet_px_conn_stream_queue_changed(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    if (s->conn != c) return;   /* let go of meanwhile: no longer c's to count */
    /* UDP datagrams waiting for a name are bounded by dropping (upstream.c),
     * as UDP may: they never hold the client's other streams. */
    if (s->udp) {
        emnet_px_conn_update_rx(c);
        return;
    }
    size_t limit = emnet_px.cfg->buffer;
    if (!s->target_full && s->to_target.bytes > limit) {
        s->target_full = 1;
        c->full_streams++;
    } else if (s->target_full && s->to_target.bytes <= limit / 2) {
        s->target_full = 0;
        c->full_streams--;
    }
    emnet_px_conn_update_rx(c);
}

void emnet_px_conn_unlink_stream(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    for (struct emnet_px_stream **p = &c->streams; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            s->next = NULL;
            c->nstreams--;
            break;
        }
    }
    /* Its chunks still queued for the client stay there (and in the
     * budget) but no longer count for the stream: only its own chunks are
     * visited, so a client cycling streams costs O(1) per chunk. */
    for (struct emnet_px_chunk *k = s->out_head; k; k = k->snext) k->stream = NULL;
    s->out_head = s->out_tail = NULL;
    s->to_client = 0;
    if (s->target_full) {
        s->target_full = 0;
        c->full_streams--;
    }
    if (s->credit_on && s->credit == 0) c->credit_starved--;
    /* Its queue towards the target leaves the budget with it. */
    emnet_px_queue_set_account(&s->to_target, NULL);
    emnet_px_conn_update_rx(c);
}

/* Reads paused and the socket says the peer sent FIN or reset: lws would
 * not see it (it reads nothing while paused), and once it did, output it
 * still holds would keep the connection (and lws 4.1's service loop) busy
 * with it. Drop the client now. */
int emnet_px_conn_check_peer(struct emnet_px_conn *c)
{
    if ((!c->rx_paused && !c->closing) || !c->wsi) return 0;
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    int fd = lws_get_socket_fd(c->wsi);
    if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) return 0;
    if (ti.tcpi_state == TCP_ESTABLISHED) return 0;
    emnet_px_metrics.peers_gone++;
    emnet_px_log(EMNET_PX_INFO, "peer_gone", "client", c->client, "state",
                 ti.tcpi_state == TCP_CLOSE_WAIT ? "fin" : "closed", NULL);
    abort_conn(c);
    return 1;
}

/* ---- stream events, dispatched to the mode ---- */
void emnet_px_conn_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_open(c, s);
    else if (c->mode == EMNET_PX_WEBTRANSPORT) emnet_px_wtg_stream_open(c, s);
    else emnet_px_websockify_stream_open(c, s);
}

void emnet_px_conn_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f)
{
    /* f is what the client is told. A name whose every address was refused
     * is told as unresolved (upstream.c); the operator still sees why. */
    enum emnet_px_fail why = f == EMNET_PX_FAIL_UNRESOLVED && s->denied != EMNET_PX_FAIL_NONE ? s->denied : f;
    switch (why) {
    case EMNET_PX_FAIL_BLOCKED_HOST: emnet_px_refuse(EMNET_PX_REFUSE_BLOCKED_HOST); break;
    case EMNET_PX_FAIL_BLOCKED_PORT: emnet_px_refuse(EMNET_PX_REFUSE_BLOCKED_PORT); break;
    case EMNET_PX_FAIL_BLOCKED_ADDRESS: emnet_px_refuse(EMNET_PX_REFUSE_BLOCKED_ADDRESS); break;
    default: break;
    }
    char port[8];
    snprintf(port, sizeof port, "%u", s->port);
    if (emnet_px_log_enabled(EMNET_PX_INFO) && emnet_px_log_allow(&c->log_limit, c->client))
        emnet_px_log(EMNET_PX_INFO, "connect_failed", "client", c->client, "host", s->host, "port", port,
                     "type", s->udp ? "udp" : "tcp", "reason", emnet_px_fail_name(why),
                     "answered", why != f ? emnet_px_fail_name(f) : NULL, NULL);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_failed(c, s, f);
    else if (c->mode == EMNET_PX_WEBTRANSPORT) emnet_px_wtg_stream_failed(c, s, f);
    else emnet_px_websockify_stream_failed(c, s, f);
}

size_t emnet_px_conn_data_head(const struct emnet_px_conn *c)
{
    return c->mode == EMNET_PX_WISP ? EMNET_WISP_HEADER : 0;
}

void emnet_px_conn_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk)
{
    emnet_px_conn_touch(c);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_data(c, s, chunk);
    else if (c->mode == EMNET_PX_WEBTRANSPORT) emnet_px_wtg_stream_data(c, s, chunk);
    else emnet_px_websockify_stream_data(c, s, chunk);
}

void emnet_px_conn_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err)
{
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_closed(c, s, err);
    else if (c->mode == EMNET_PX_WEBTRANSPORT) emnet_px_wtg_stream_closed_upstream(c, s, err);
    else emnet_px_websockify_stream_closed(c, s, err);
}

int emnet_px_conn_stream_peer_fin(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    if (c->mode == EMNET_PX_WEBTRANSPORT) return emnet_px_wtg_stream_peer_fin(c, s);
    return c->mode == EMNET_PX_WISP && emnet_px_wisp_stream_peer_fin(c, s);   /* websockify has no FIN */
}

void emnet_px_conn_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s, uint32_t packets)
{
    emnet_px_conn_touch(c);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_drained(c, s, packets);
    emnet_px_conn_stream_queue_changed(c, s);
    if (c->mode == EMNET_PX_WEBTRANSPORT) emnet_px_wtg_stream_drained(c, s);
}

/* ---- WebSocket life ---- */

/* "host:port" (an IPv6 address in brackets), allocated only for the
 * connections that have a target: an idle connection's memory is what
 * counts when thousands are held. */
static char *target_text(const struct emnet_px_pss *pss)
{
    size_t n = strlen(pss->host) + 9;
    char *t = malloc(n);
    if (t) snprintf(t, n, strchr(pss->host, ':') ? "[%s]:%u" : "%s:%u", pss->host, pss->port);
    return t;
}

static void on_established(struct lws *wsi, struct emnet_px_pss *pss)
{
    struct emnet_px_conn *c = calloc(1, sizeof *c);
    if (!c) {
        pss->conn = NULL;
        return;
    }
    pss->conn = c;
    c->wsi = wsi;
    c->mode = pss->mode;
    emnet_px_client_ip(wsi, c->client, sizeof c->client);
    if (c->mode == EMNET_PX_WEBSOCKIFY && !(c->target = target_text(pss))) {
        free(c);
        pss->conn = NULL;
        return;
    }
    emnet_px_conn_touch(c);
    emnet_px_queue_set_account(&c->out, &c->queued);
    c->next = emnet_px.conns;
    if (c->next) c->next->prev = c;
    emnet_px.conns = c;
    emnet_px.nconns++;
    emnet_px_ip_add(c->client, 1);
    emnet_px_metrics.conns_current++;
    emnet_px_metrics.conns_total[c->mode == EMNET_PX_WISP]++;
    emnet_px_log(EMNET_PX_INFO, "open", "client", c->client, "mode",
                 c->mode == EMNET_PX_WISP ? "wisp" : "websockify", "target", c->target, NULL);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_start(c);
    else emnet_px_websockify_start(c, pss->host, pss->port);
}

static void on_closed(struct emnet_px_pss *pss)
{
    struct emnet_px_conn *c = pss->conn;
    if (!c) return;
    pss->conn = NULL;
    c->dying = 1;
    while (c->streams) emnet_px_stream_release(c->streams, c->mode == EMNET_PX_WEBSOCKIFY);
    emnet_px_queue_clear(&c->out);
    if (c->log_limit.suppressed) {
        char n[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)c->log_limit.suppressed);
        emnet_px_log(EMNET_PX_INFO, "log_suppressed", "client", c->client, "lines", n, NULL);
    }
    free(c->rx);
    if (c->prev) c->prev->next = c->next;
    else emnet_px.conns = c->next;
    if (c->next) c->next->prev = c->prev;
    emnet_px.nconns--;
    emnet_px_ip_add(c->client, -1);
    emnet_px_metrics.conns_current--;
    emnet_px_log(EMNET_PX_INFO, "close", "client", c->client, "mode",
                 c->mode == EMNET_PX_WISP ? "wisp" : "websockify", "target", c->target, NULL);
    free(c->target);
    free(c);
}

static void on_receive(struct lws *wsi, struct emnet_px_conn *c, const unsigned char *in, size_t len)
{
    if (c->closing) return;
    emnet_px_conn_touch(c);
    if (!lws_frame_is_binary(wsi)) {
        emnet_px_refuse(EMNET_PX_REFUSE_PROTOCOL);
        emnet_px_log(EMNET_PX_INFO, "refused", "client", c->client, "reason", "text_frame", NULL);
        emnet_px_conn_close(c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "Unsupported: Text frames are not supported");
        return;
    }
    /* In Wisp mode max_message bounds a packet's payload: a DATA packet
     * with 64 KiB of data, as clients write them, is 5 bytes more. */
    size_t limit = emnet_px.cfg->max_message + (c->mode == EMNET_PX_WISP ? EMNET_WISP_HEADER : 0);
    if (c->msg_len + len > limit) {
        char n[24];
        snprintf(n, sizeof n, "%zu", c->msg_len + len + lws_remaining_packet_payload(wsi));
        emnet_px_refuse(EMNET_PX_REFUSE_MAX_MESSAGE);
        emnet_px_log(EMNET_PX_INFO, "refused", "client", c->client, "reason", "max_message", "bytes", n, NULL);
        emnet_px_conn_close(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "Message too big");
        return;
    }
    int complete = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
    if (c->mode == EMNET_PX_WEBSOCKIFY) {
        /* Bytes go on as they come; the message size is only counted. */
        c->msg_len = complete ? 0 : c->msg_len + len;
        emnet_px_websockify_rx(c, in, len);
        return;
    }
    if (!c->rx) {
        c->rx = malloc(limit);
        if (!c->rx) {
            emnet_px_conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "Out of memory");
            return;
        }
    }
    memcpy(c->rx + c->msg_len, in, len);
    c->msg_len += len;
    if (complete) {
        size_t n = c->msg_len;
        c->msg_len = 0;
        emnet_px_wisp_rx(c, c->rx, n);
    }
}

/* Messages per writeable callback, and bytes: enough that small packets do
 * not cost a trip through poll each, few enough that one client does not
 * hold the loop. */
#define WRITE_BURST_MESSAGES 64
#define WRITE_BURST_BYTES (256 * 1024)

/* A message for the client has left the queue: its stream's accounting. */
static void chunk_sent(struct emnet_px_chunk *chunk, size_t len)
{
    struct emnet_px_stream *s = chunk->stream;
    if (s) {
        s->out_head = chunk->snext;
        if (!s->out_head) s->out_tail = NULL;
    }
    free(chunk);
    if (s) {
        s->to_client -= len;
        emnet_px_stream_client_drained(s);
    }
}

/* emnet's packed messages (Wisp extension 0xe4): small packets waiting
 * back to back leave in one WebSocket message, a PACKED packet of records
 * (u32 length, packet). A browser pays per message, not per byte: a burst
 * of datagrams costs it one message instead of one each. */
#define PACK_SMALL 4096              /* packets this small may share a message */
#define PACK_MAX (64 * 1024)         /* a packed message at most: a client's usual message limit */

static size_t queued_len(const struct emnet_px_chunk *chunk)
{
    return chunk->len - chunk->off;
}

static int pack_next(const struct emnet_px_conn *c)
{
    const struct emnet_px_chunk *a = c->out.head, *b = a ? a->next : NULL;
    return c->mode == EMNET_PX_WISP && (c->wisp_ext & EMNET_PX_WISP_EXT(EMNET_WISP_EXT_PACKED)) && b &&
           queued_len(a) <= PACK_SMALL && queued_len(b) <= PACK_SMALL;
}

/* Writes the small packets at the head of the queue as one PACKED
 * message; its size, or -1 when the socket failed. */
static long write_packed(struct lws *wsi, struct emnet_px_conn *c)
{
    static unsigned char buf[LWS_PRE + PACK_MAX];   /* lws copies what it cannot send at once */
    unsigned char *out = buf + LWS_PRE;
    size_t n = EMNET_WISP_HEADER;
    out[0] = EMNET_WISP_PACKED;
    memset(out + 1, 0, 4);   /* stream 0 */
    struct emnet_px_chunk *chunk;
    while ((chunk = c->out.head) && queued_len(chunk) <= PACK_SMALL &&
           n + EMNET_WISP_PACKED_RECORD + queued_len(chunk) <= PACK_MAX) {
        chunk = emnet_px_queue_pop(&c->out);
        size_t len = queued_len(chunk);
        out[n] = (unsigned char)len;
        out[n + 1] = (unsigned char)(len >> 8);
        out[n + 2] = (unsigned char)(len >> 16);
        out[n + 3] = (unsigned char)(len >> 24);
        memcpy(out + n + EMNET_WISP_PACKED_RECORD, emnet_px_chunk_payload(chunk) + chunk->off, len);
        n += EMNET_WISP_PACKED_RECORD + len;
        chunk_sent(chunk, len);
        emnet_px_metrics.packets_packed++;
    }
    return lws_write(wsi, out, n, LWS_WRITE_BINARY) < (int)n ? -1 : (long)n;
}

static int on_writeable(struct lws *wsi, struct emnet_px_conn *c)
{
    /* The close frame is on its way and lws waits for the client's answer,
     * reading (and dropping) what the client sent meanwhile. Asking lws to
     * close a second time would kill the socket at once, with the client's
     * late packets unread: the kernel then resets the connection, and the
     * client may lose our close frame and the packets before it. */
    if (c->close_sent) return 0;
    /* lws calls this only once it has sent everything it held. */
    c->tx_pending = 0;
    size_t sent = 0;
    int messages = 0;
    struct emnet_px_chunk *chunk;
    while (messages < WRITE_BURST_MESSAGES && sent < WRITE_BURST_BYTES && c->out.head) {
        if (pack_next(c)) {
            long n = write_packed(wsi, c);
            if (n < 0) return -1;
            sent += (size_t)n;
        } else {
            chunk = emnet_px_queue_pop(&c->out);
            size_t len = queued_len(chunk);
            int n = lws_write(wsi, emnet_px_chunk_payload(chunk) + chunk->off, len, LWS_WRITE_BINARY);
            chunk_sent(chunk, len);
            if (n < (int)len) return -1;
            sent += len;
        }
        messages++;
        emnet_px_metrics.messages_to_client++;
        /* The socket took only part of it; lws keeps the rest. Write no
         * more, and read nothing, until lws has sent it (it calls back
         * here): a peer that sends FIN meanwhile must not find lws holding
         * output, or lws 4.1 retries its zero-length read for ever. */
        if (lws_partial_buffered(wsi)) {
            c->tx_pending = 1;
            break;
        }
    }
    if (sent && c->closing) lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, CLOSE_GRACE_SECONDS);
    emnet_px_conn_update_rx(c);
    if (c->out.head || c->tx_pending) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    if (c->closing) {
        lws_close_reason(wsi, (enum lws_close_status)c->close_code, (unsigned char *)c->close_reason,
                         strlen(c->close_reason));
        c->close_sent = 1;
        return -1;
    }
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct emnet_px_pss *pss = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return emnet_px_on_http(wsi, in ? (const char *)in : "/");
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return emnet_px_resolve_http_writeable(wsi, pss);
    case LWS_CALLBACK_CLOSED_HTTP:
        if (pss) emnet_px_resolve_http_closed(pss);
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return emnet_px_confirm_upgrade(wsi);
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return emnet_px_filter(wsi, pss);
    case LWS_CALLBACK_ESTABLISHED:
        on_established(wsi, pss);
        if (!pss->conn) return -1;
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (!pss->conn) return -1;
        on_receive(wsi, pss->conn, in, len);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (!pss->conn) return -1;
        return on_writeable(wsi, pss->conn);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (pss->conn && emnet_px_log_enabled(EMNET_PX_DEBUG)) {
            char code[8] = "";
            if (len >= 2) snprintf(code, sizeof code, "%u", ((const unsigned char *)in)[0] << 8 | ((const unsigned char *)in)[1]);
            emnet_px_log(EMNET_PX_DEBUG, "peer_close", "client", pss->conn->client, "code", code, NULL);
        }
        return 0;
    case LWS_CALLBACK_CLOSED:
        on_closed(pss);
        return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        emnet_px_resolver_poll();
        return 0;
    default:
        return 0;
    }
}

/* The subprotocols a client may offer (none at all selects the first):
 * "binary" as websockify accepts, "wisp-v2" as Wisp 2 clients offer. The
 * mode comes from the path, never from the subprotocol.
 * tx_packet_size: lws hands at most this much (plus framing) to one send()
 * and keeps the rest of a message itself; the default (rx_buffer_size,
 * 16 KiB) would leave most of every 64 KiB message with lws. */
#define TX_PACKET_SIZE (65536 + 256)
const struct lws_protocols emnet_px_client_protocols[EMNET_PX_CLIENT_PROTOCOLS] = {
    { "emnet", callback, sizeof(struct emnet_px_pss), 16384, 0, NULL, TX_PACKET_SIZE },
    { "binary", callback, sizeof(struct emnet_px_pss), 16384, 0, NULL, TX_PACKET_SIZE },
    { "wisp-v2", callback, sizeof(struct emnet_px_pss), 16384, 0, NULL, TX_PACKET_SIZE },
};
