/* websockify mode: one WebSocket carries one TCP connection, as plain
 * binary messages in both directions. Behaviour follows websockify 0.10,
 * which emnet's websockify transport is written against:
 *   - the WebSocket opens first, then the target is checked, resolved and
 *     connected;
 *   - a target that cannot be reached (refused, unreachable, timed out,
 *     not resolved, or not allowed) closes with 1011 "Failed to connect to
 *     downstream server" followed by ": " and the cause;
 *   - when the target closes, everything it sent goes out first, then
 *     close 1000 "Target closed"; when it resets (or the connection fails
 *     otherwise), close 1011 "Target closed: " and the cause. websockify
 *     then ends the WebSocket without a close frame (its handler fails on
 *     the reset), which a client sees as 1006; either code tells emnet a
 *     reset from an orderly end, which 1000 alone would not;
 *   - when the client closes, bytes already received are written to the
 *     target, then the TCP connection is shut down and closed;
 *   - text frames close with 1003 (http.c), as websockify does.
 * Bytes the client sends before the connect completes are queued. */
#include <stdio.h>
#include <string.h>

#include "server.h"

void emnet_px_websockify_start(struct emnet_px_conn *c, const char *host, uint16_t port)
{
    if (emnet_px_stream_open(c, 0, 0, host, port) < 0)
        emnet_px_conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "Out of memory");
}

void emnet_px_websockify_rx(struct emnet_px_conn *c, const void *data, size_t len)
{
    struct emnet_px_stream *s = c->streams;
    if (!s || !len) return;
    emnet_px_stream_write(s, data, len);
}

void emnet_px_websockify_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    emnet_px_log(EMNET_PX_INFO, "connect", "client", c->client, "target", c->target, "addr", s->peer, NULL);
}

static const char *fail_text(enum emnet_px_fail f)
{
    switch (f) {
    case EMNET_PX_FAIL_INVALID: return "invalid target";
    case EMNET_PX_FAIL_BLOCKED_HOST: return "host not allowed";
    case EMNET_PX_FAIL_BLOCKED_PORT: return "port not allowed";
    case EMNET_PX_FAIL_BLOCKED_ADDRESS: return "address not allowed";
    case EMNET_PX_FAIL_UNRESOLVED: return "name not resolved";
    case EMNET_PX_FAIL_UNREACHABLE: return "unreachable";
    case EMNET_PX_FAIL_REFUSED: return "connection refused";
    case EMNET_PX_FAIL_TIMEOUT: return "timed out";
    default: return "internal error";
    }
}

void emnet_px_websockify_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f)
{
    char reason[124];
    snprintf(reason, sizeof reason, "Failed to connect to downstream server: %s", fail_text(f));
    emnet_px_stream_release(s, 0);
    emnet_px_conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, reason);
}

/* The target's bytes are the message as they are: no header. */
void emnet_px_websockify_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk)
{
    chunk->stream = s;
    emnet_px_conn_send(c, chunk);
}

void emnet_px_websockify_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err)
{
    emnet_px_log(EMNET_PX_INFO, "target_closed", "client", c->client, "target", c->target, "error",
                 err ? strerror(err) : NULL, NULL);
    emnet_px_stream_release(s, 0);
    if (!err) {
        emnet_px_conn_close(c, LWS_CLOSE_STATUS_NORMAL, "Target closed");
        return;
    }
    char reason[124];
    snprintf(reason, sizeof reason, "Target closed: %s", strerror(err));
    emnet_px_conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, reason);
}
