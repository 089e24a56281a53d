/* Counters of the whole server and their Prometheus text form (GET /metrics).
 * Everything runs on the one lws thread, so plain integers suffice. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

struct emnet_px_metrics emnet_px_metrics;

static const char *const refusal_names[EMNET_PX_REFUSE_COUNT] = {
    [EMNET_PX_REFUSE_PATH] = "path",
    [EMNET_PX_REFUSE_ORIGIN] = "origin",
    [EMNET_PX_REFUSE_AUTH] = "auth",
    [EMNET_PX_REFUSE_TOKEN] = "token",
    [EMNET_PX_REFUSE_MAX_CONNECTIONS] = "max_connections",
    [EMNET_PX_REFUSE_MAX_PER_IP] = "max_connections_per_ip",
    [EMNET_PX_REFUSE_DRAINING] = "draining",
    [EMNET_PX_REFUSE_MAX_STREAMS] = "max_streams",
    [EMNET_PX_REFUSE_BLOCKED_HOST] = "blocked_host",
    [EMNET_PX_REFUSE_BLOCKED_PORT] = "blocked_port",
    [EMNET_PX_REFUSE_BLOCKED_ADDRESS] = "blocked_address",
    [EMNET_PX_REFUSE_MAX_MESSAGE] = "max_message",
    [EMNET_PX_REFUSE_PROTOCOL] = "protocol",
    [EMNET_PX_REFUSE_METRICS] = "metrics",
    [EMNET_PX_REFUSE_SUBPROTOCOL] = "subprotocol",
    [EMNET_PX_REFUSE_CLIENT_BUFFER] = "client_buffer",
};

const char *emnet_px_refusal_name(enum emnet_px_refusal r) { return refusal_names[r]; }

void emnet_px_refuse(enum emnet_px_refusal r) { emnet_px_metrics.refusals[r]++; }

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...)
{
    if (o->len >= o->cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

size_t emnet_px_metrics_render(char *buf, size_t cap)
{
    const struct emnet_px_metrics *m = &emnet_px_metrics;
    struct out o = { buf, cap, 0 };
    if (cap) buf[0] = '\0';
    put(&o, "# HELP emnet_proxy_connections WebSocket connections open now.\n"
            "# TYPE emnet_proxy_connections gauge\n"
            "emnet_proxy_connections %" PRIu64 "\n", m->conns_current);
    put(&o, "# HELP emnet_proxy_connections_total WebSocket connections accepted.\n"
            "# TYPE emnet_proxy_connections_total counter\n"
            "emnet_proxy_connections_total{mode=\"websockify\"} %" PRIu64 "\n"
            "emnet_proxy_connections_total{mode=\"wisp\"} %" PRIu64 "\n"
            "emnet_proxy_connections_total{mode=\"webtransport\"} %" PRIu64 "\n",
        m->conns_total[0], m->conns_total[1], m->conns_total[2]);
    put(&o, "# HELP emnet_proxy_streams Upstream TCP/UDP streams open now.\n"
            "# TYPE emnet_proxy_streams gauge\n"
            "emnet_proxy_streams{type=\"tcp\"} %" PRIu64 "\n"
            "emnet_proxy_streams{type=\"udp\"} %" PRIu64 "\n",
        m->streams_current[0], m->streams_current[1]);
    put(&o, "# HELP emnet_proxy_streams_total Upstream streams requested.\n"
            "# TYPE emnet_proxy_streams_total counter\n"
            "emnet_proxy_streams_total{type=\"tcp\"} %" PRIu64 "\n"
            "emnet_proxy_streams_total{type=\"udp\"} %" PRIu64 "\n",
        m->streams_total[0], m->streams_total[1]);
    put(&o, "# HELP emnet_proxy_bytes_total Payload bytes relayed.\n"
            "# TYPE emnet_proxy_bytes_total counter\n"
            "emnet_proxy_bytes_total{direction=\"to_target\"} %" PRIu64 "\n"
            "emnet_proxy_bytes_total{direction=\"to_client\"} %" PRIu64 "\n",
        m->bytes_to_target, m->bytes_to_client);
    put(&o, "# HELP emnet_proxy_refusals_total Requests, connections or streams refused, by reason.\n"
            "# TYPE emnet_proxy_refusals_total counter\n");
    for (int r = 0; r < EMNET_PX_REFUSE_COUNT; r++)
        put(&o, "emnet_proxy_refusals_total{reason=\"%s\"} %" PRIu64 "\n", refusal_names[r], m->refusals[r]);
    static const struct { const char *name, *type, *help; size_t off; } scalars[] = {
#define SCALAR(name, type, field, help) { name, type, help, offsetof(struct emnet_px_metrics, field) }
        SCALAR("emnet_proxy_resolve_failures_total", "counter", resolve_failures,
               "Name lookups that failed or timed out."),
        SCALAR("emnet_proxy_connect_failures_total", "counter", connect_failures,
               "Upstream connects refused, unreachable or timed out."),
        SCALAR("emnet_proxy_queued_bytes", "gauge", queued_bytes,
               "Memory queued for clients now, both ways (client_buffer units)."),
        SCALAR("emnet_proxy_budget_pauses_total", "counter", budget_pauses,
               "Times a client went over client_buffer and was paused."),
        SCALAR("emnet_proxy_peers_gone_total", "counter", peers_gone,
               "Clients dropped at once: FIN or reset while their reads were paused."),
        SCALAR("emnet_proxy_log_lines_suppressed_total", "counter", log_lines_suppressed,
               "Per-client log lines left out by the rate limit."),
        SCALAR("emnet_proxy_messages_to_client_total", "counter", messages_to_client,
               "WebSocket messages written to clients."),
        SCALAR("emnet_proxy_packets_packed_total", "counter", packets_packed,
               "Wisp packets that left in a packed message (0xe4), several to a message."),
#undef SCALAR
    };
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        uint64_t v;
        memcpy(&v, (const char *)m + scalars[i].off, sizeof v);
        put(&o, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", scalars[i].name, scalars[i].help,
            scalars[i].name, scalars[i].type, scalars[i].name, v);
    }
    return o.len;
}
