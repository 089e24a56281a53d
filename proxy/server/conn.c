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
#include <sys/socket.h>
#include <time.h>

#include "server.h"

int64_t emnet_px_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sending to the client ---- */
void emnet_px_conn_touch(struct emnet_px_conn *c) { c->last_activity_ms = emnet_px_now_ms(); }

void emnet_px_conn_send(struct emnet_px_conn *c, struct emnet_px_chunk *chunk)
{
    if (chunk->stream) chunk->stream->to_client += chunk->len;
    emnet_px_queue_push(&c->out, chunk);
    lws_callback_on_writable(c->wsi);
}

void emnet_px_conn_close(struct emnet_px_conn *c, int code, const char *reason)
{
    if (c->closing) return;
    c->closing = 1;
    c->close_code = code;
    snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
    lws_callback_on_writable(c->wsi);
}

void emnet_px_conn_update_rx(struct emnet_px_conn *c)
{
    if (c->dying || emnet_px.stopping) return;
    size_t limit = emnet_px.cfg->buffer;
    int over = 0, low = 1;
    for (struct emnet_px_stream *s = c->streams; s; s = s->next) {
        if (s->to_target.bytes > limit) over = 1;
        if (s->to_target.bytes > limit / 2) low = 0;
    }
    if (!c->rx_paused && over) {
        c->rx_paused = 1;
        lws_rx_flow_control(c->wsi, 0);
    } else if (c->rx_paused && low) {
        c->rx_paused = 0;
        lws_rx_flow_control(c->wsi, 1);
    }
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
    emnet_px_queue_forget(&c->out, s);
    s->to_client = 0;
    /* The stream that held the WebSocket's reads may be the one leaving. */
    if (c->rx_paused) emnet_px_conn_update_rx(c);
}

/* ---- stream events, dispatched to the mode ---- */
void emnet_px_conn_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_open(c, s);
    else emnet_px_websockify_stream_open(c, s);
}

void emnet_px_conn_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f)
{
    switch (f) {
    case EMNET_PX_FAIL_BLOCKED_HOST: emnet_px_refuse(EMNET_PX_REFUSE_BLOCKED_HOST); break;
    case EMNET_PX_FAIL_BLOCKED_PORT: emnet_px_refuse(EMNET_PX_REFUSE_BLOCKED_PORT); break;
    case EMNET_PX_FAIL_BLOCKED_ADDRESS: emnet_px_refuse(EMNET_PX_REFUSE_BLOCKED_ADDRESS); break;
    default: break;
    }
    char port[8];
    snprintf(port, sizeof port, "%u", s->port);
    emnet_px_log(EMNET_PX_INFO, "connect_failed", "client", c->client, "host", s->host, "port", port,
                 "type", s->udp ? "udp" : "tcp", "reason", emnet_px_fail_name(f), NULL);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_failed(c, s, f);
    else emnet_px_websockify_stream_failed(c, s, f);
}

void emnet_px_conn_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, const void *data, size_t len)
{
    emnet_px_conn_touch(c);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_data(c, s, data, len);
    else emnet_px_websockify_stream_data(c, s, data, len);
}

void emnet_px_conn_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err)
{
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_closed(c, s, err);
    else emnet_px_websockify_stream_closed(c, s, err);
}

void emnet_px_conn_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s, uint32_t packets)
{
    emnet_px_conn_touch(c);
    if (c->mode == EMNET_PX_WISP) emnet_px_wisp_stream_drained(c, s, packets);
    emnet_px_conn_update_rx(c);
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
    if (c->msg_len + len > emnet_px.cfg->max_message) {
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
        c->rx = malloc(emnet_px.cfg->max_message ? emnet_px.cfg->max_message : 1);
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

static int on_writeable(struct lws *wsi, struct emnet_px_conn *c)
{
    struct emnet_px_chunk *chunk = emnet_px_queue_pop(&c->out);
    if (chunk) {
        struct emnet_px_stream *s = chunk->stream;
        size_t len = chunk->len;
        int n = lws_write(wsi, emnet_px_chunk_payload(chunk), len, LWS_WRITE_BINARY);
        free(chunk);
        if (n < (int)len) return -1;
        if (s) {
            s->to_client -= len;
            emnet_px_stream_client_drained(s);
        }
        if (c->out.head || c->closing) lws_callback_on_writable(wsi);
        return 0;
    }
    if (c->closing) {
        lws_close_reason(wsi, (enum lws_close_status)c->close_code, (unsigned char *)c->close_reason,
                         strlen(c->close_reason));
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

/* "binary" is listed so that clients asking for that subprotocol (as
 * websockify's do) get it; clients asking for none get the first entry. */
/* The subprotocols a client may offer (none at all selects the first):
 * "binary" as websockify accepts, "wisp-v2" as Wisp 2 clients offer. The
 * mode comes from the path, never from the subprotocol. */
const struct lws_protocols emnet_px_client_protocols[EMNET_PX_CLIENT_PROTOCOLS] = {
    { "emnet", callback, sizeof(struct emnet_px_pss), 16384, 0, NULL, 0 },
    { "binary", callback, sizeof(struct emnet_px_pss), 16384, 0, NULL, 0 },
    { "wisp-v2", callback, sizeof(struct emnet_px_pss), 16384, 0, NULL, 0 },
};

