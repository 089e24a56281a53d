/* Plain HTTP on the proxy's port: GET /metrics (for clients in
 * metrics_allow, else 403; 404 when metrics are off), GET /webtransport
 * (WebTransport's port, path and certificate hashes), GET /resolve and its
 * CORS preflight OPTIONS /resolve (resolve_http.c) and 404 for anything else. WebSocket upgrades never come here (upgrade.c, conn.c). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server.h"
#include "wt.h"

static int http_reply(struct lws *wsi, unsigned int status, const char *type, const char *body, size_t len)
{
    unsigned char buf[LWS_PRE + 1024];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
    if (lws_add_http_common_headers(wsi, status, type, (lws_filepos_t)len, &p, end)) return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
    if (len) {
        unsigned char *out = malloc(LWS_PRE + len);
        if (!out) return -1;
        memcpy(out + LWS_PRE, body, len);
        int n = lws_write(wsi, out + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
        free(out);
        if (n < (int)len) return -1;
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int metrics_allowed(struct lws *wsi)
{
    struct sockaddr_storage ss;
    if (emnet_px_peer_addr(wsi, &ss) < 0) return 0;
    char ip[64];
    emnet_px_client_ip(wsi, ip, sizeof ip);
    /* Rules without a port cover 1-65535; any of them stands for "all". */
    return emnet_allowlist_check_addr(emnet_px.metrics_allow, ip, (struct sockaddr *)&ss, 1) == EMNET_ALLOW;
}

int emnet_px_on_http(struct lws *wsi, const char *path)
{
    char ip[64];
    emnet_px_client_ip(wsi, ip, sizeof ip);
    if (strcmp(path, "/metrics") == 0 && emnet_px.cfg->metrics) {
        if (!metrics_allowed(wsi)) {
            emnet_px_refuse(EMNET_PX_REFUSE_METRICS);
            emnet_px_log(EMNET_PX_INFO, "refused", "client", ip, "path", path, "reason", "metrics", "status",
                         "403", NULL);
            static const char msg[] = "forbidden\n";
            return http_reply(wsi, HTTP_STATUS_FORBIDDEN, "text/plain", msg, sizeof msg - 1);
        }
        char *body = malloc(16384);
        if (!body) return -1;
        size_t n = emnet_px_metrics_render(body, 16384);
        int r = http_reply(wsi, HTTP_STATUS_OK, "text/plain; version=0.0.4", body, n);
        free(body);
        return r;
    }
    if (strcmp(path, "/webtransport") == 0 && emnet_px.wt_port) {
        /* Where WebTransport is served and the hashes of the certificate
         * a page passes as serverCertificateHashes. */
        char body[512];
        if (!emnet_px_wt_cert_json(body, sizeof body)) return -1;
        return emnet_px_json_reply(wsi, HTTP_STATUS_OK, body);
    }
    if (strcmp(path, "/resolve") == 0) {
        /* lws hands OPTIONS to the same callback; the path comes without
         * the method, which is the header lws filled in. */
        if (lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI) > 0) return emnet_px_resolve_preflight(wsi);
        return emnet_px_resolve_http(wsi, lws_wsi_user(wsi));
    }
    emnet_px_log(EMNET_PX_DEBUG, "http_not_found", "client", ip, "path", path, NULL);
    static const char msg[] = "not found\n";
    return http_reply(wsi, HTTP_STATUS_NOT_FOUND, "text/plain", msg, sizeof msg - 1);
}

