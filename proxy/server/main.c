/* emnet-proxy: WebSocket-to-TCP/UDP gateway (websockify-compatible and
 * Wisp), deny by default. See proxy/README.md.
 *
 *   emnet-proxy [--config FILE] [--KEY=VALUE | --KEY VALUE ...]
 *               [--check-config] [--drain-timeout SECONDS] [--help] [--version]
 *
 * Flags name the same keys as the config file and override it; a list key
 * given as a flag replaces the file's list. On stdout, once listening:
 * "listening HOST:PORT" (the real port when the config says 0).
 * SIGTERM/SIGINT: stop taking new connections (503), let open ones finish
 * for up to the drain timeout, then close them (1001) and exit 0.
 * SIGHUP: reload the allowlist and the token file from the config file
 * (flags still apply); a bad file is logged and the old rules stay. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "wt.h"

#define EMNET_PROXY_VERSION "0.1.0"

struct emnet_px_server emnet_px;

static volatile sig_atomic_t got_term, got_hup;
static int done;
static int64_t drain_deadline_ms, final_deadline_ms;
static unsigned drain_timeout = 10;
static lws_sorted_usec_list_t sweep_sul;

/* Flags as given, re-applied over the file on reload. */
struct flag {
    char *key, *value;
};
static struct flag *flags;
static size_t nflags;

static void on_signal(int sig)
{
    if (sig == SIGHUP) got_hup = 1;
    else got_term = 1;
    if (emnet_px.ctx) lws_cancel_service(emnet_px.ctx);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: emnet-proxy [--config FILE] [--KEY=VALUE ...] [--check-config]\n"
            "                   [--drain-timeout SECONDS] [--help] [--version]\n"
            "Every config file key is also a flag (--listen 127.0.0.1:8080, --allow 10.0.0.0/8:6667, ...).\n"
            "--check-config loads and validates, prints the effective configuration, exits 0 or 1.\n"
            "See proxy/README.md and proxy/emnet-proxy.conf.example.\n");
}

static int is_list_key(const char *k) { return emnet_proxy_config_key_kind(k) == 1; }

/* Loads the file (if any) and applies the flags over it. */
static int build_config(struct emnet_proxy_config *c, const char *path, char *err, size_t errlen)
{
    emnet_proxy_config_init(c);
    if (path && emnet_proxy_config_load(c, path, err, errlen) < 0) return -1;
    for (size_t i = 0; i < nflags; i++) {
        if (is_list_key(flags[i].key)) {
            size_t j = 0;
            while (j < i && strcmp(flags[j].key, flags[i].key) != 0) j++;
            if (j == i) emnet_proxy_config_clear(c, flags[i].key);
        }
        if (emnet_proxy_config_set(c, flags[i].key, flags[i].value, err, errlen) < 0) return -1;
    }
    return emnet_proxy_config_validate(c, err, errlen);
}

static int load_tokens(const struct emnet_proxy_config *c, struct emnet_tokens **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!c->token_file) return 0;
    *out = emnet_tokens_load(c->token_file, err, errlen);
    return *out ? 0 : -1;
}

static void reload(void)
{
    const char *path = emnet_px.cfg->config_path;
    if (!path) {
        emnet_px_log(EMNET_PX_WARN, "reload_skipped", "reason", "no config file", NULL);
        return;
    }
    struct emnet_proxy_config fresh;
    char err[512] = "";
    struct emnet_tokens *tokens = NULL;
    if (build_config(&fresh, path, err, sizeof err) < 0 || load_tokens(&fresh, &tokens, err, sizeof err) < 0) {
        emnet_px_log(EMNET_PX_ERROR, "reload_failed", "file", path, "error", err, "kept", "previous rules", NULL);
        emnet_proxy_config_free(&fresh);
        return;
    }
    /* Swap the allowlists: the old one goes away with the fresh config. */
    struct emnet_allowlist *old = emnet_px.cfg->allow;
    emnet_px.cfg->allow = fresh.allow;
    fresh.allow = old;
    emnet_px.allow = emnet_px.cfg->allow;
    if (emnet_px.tokens) emnet_tokens_free(emnet_px.tokens);
    emnet_px.tokens = tokens;
    char rules[16], ntok[16];
    snprintf(rules, sizeof rules, "%zu", emnet_allowlist_count(emnet_px.allow));
    snprintf(ntok, sizeof ntok, "%zu", tokens ? emnet_tokens_count(tokens) : 0);
    emnet_px_log(EMNET_PX_INFO, "reloaded", "file", path, "rules", rules, "tokens", ntok, NULL);
    emnet_proxy_config_free(&fresh);
}

static void sweep(lws_sorted_usec_list_t *sul)
{
    int64_t now = emnet_px_now_ms();
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    if (got_hup) {
        got_hup = 0;
        reload();
    }
    if (got_term && !emnet_px.draining) {
        emnet_px.draining = 1;
        drain_deadline_ms = now + (int64_t)drain_timeout * 1000;
        char n[16];
        snprintf(n, sizeof n, "%zu", emnet_px.nconns);
        emnet_px_log(EMNET_PX_INFO, "draining", "connections", n, NULL);
    }
    uint64_t queued = 0;
    for (struct emnet_px_conn *c = emnet_px.conns, *next; c; c = next) {
        next = c->next;
        queued += c->queued;
        if (emnet_px_conn_check_peer(c)) continue;
        if (!c->closing && cfg->idle_timeout && now - c->last_activity_ms > (int64_t)cfg->idle_timeout * 1000) {
            emnet_px_log(EMNET_PX_INFO, "idle_timeout", "client", c->client, NULL);
            emnet_px_conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "Idle timeout");
        }
        for (struct emnet_px_stream *s = c->streams, *snext; s; s = snext) {
            snext = s->next;
            emnet_px_stream_check_deadline(s, now);
        }
    }
    emnet_px_metrics.queued_bytes = queued;
    if (emnet_px.wt_port) emnet_px_wt_cert_check_rotation();
    if (emnet_px.draining) {
        if (!final_deadline_ms && emnet_px.nconns && now >= drain_deadline_ms) {
            emnet_px_log(EMNET_PX_INFO, "drain_timeout", NULL);
            for (struct emnet_px_conn *c = emnet_px.conns, *next; c; c = next) {
                next = c->next;   /* a close may let go of c */
                emnet_px_conn_close(c, LWS_CLOSE_STATUS_GOINGAWAY, "Server shutting down");
            }
            final_deadline_ms = now + 2000;
        }
        if (!emnet_px.nconns || (final_deadline_ms && now >= final_deadline_ms)) done = 1;
    }
    lws_sul_schedule(emnet_px.ctx, 0, sul, sweep, 200 * LWS_US_PER_MS);
}

static void lws_log_emit(int level, const char *line)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", line);
    msg[strcspn(msg, "\r\n")] = '\0';
    emnet_px_log(level == LLL_ERR ? EMNET_PX_ERROR : EMNET_PX_WARN, "lws", "message", msg, NULL);
}

static int parse_args(int argc, char **argv, const char **config_path, int *check)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--version") == 0) {
            printf("emnet-proxy %s (libwebsockets %s)\n", EMNET_PROXY_VERSION, lws_get_library_version());
            exit(0);
        }
        if (strcmp(a, "--check-config") == 0) {
            *check = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            fprintf(stderr, "emnet-proxy: unexpected argument '%s'\n", a);
            usage(stderr);
            return -1;
        }
        char key[64];
        const char *eq = strchr(a + 2, '=');
        size_t klen = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (klen >= sizeof key) {
            fprintf(stderr, "emnet-proxy: unknown option '%s'\n", a);
            return -1;
        }
        memcpy(key, a + 2, klen);
        key[klen] = '\0';
        for (char *p = key; *p; p++)
            if (*p == '-') *p = '_';
        const char *value;
        if (eq) value = eq + 1;
        else if (i + 1 < argc) value = argv[++i];
        else {
            fprintf(stderr, "emnet-proxy: option '--%s' needs a value\n", key);
            return -1;
        }
        if (strcmp(key, "config") == 0) {
            *config_path = value;
        } else if (strcmp(key, "drain_timeout") == 0) {
            char *end;
            unsigned long v = strtoul(value, &end, 10);
            if (*end || end == value || v > 86400) {
                fprintf(stderr, "emnet-proxy: --drain-timeout: bad value '%s'\n", value);
                return -1;
            }
            drain_timeout = (unsigned)v;
        } else {
            struct flag *nf = realloc(flags, (nflags + 1) * sizeof *flags);
            if (!nf) return -1;
            flags = nf;
            flags[nflags].key = strdup(key);
            flags[nflags].value = strdup(value);
            nflags++;
        }
    }
    return 0;
}

static void free_flags(void)
{
    for (size_t i = 0; i < nflags; i++) {
        free(flags[i].key);
        free(flags[i].value);
    }
    free(flags);
}

static struct emnet_allowlist *build_metrics_allow(const struct emnet_proxy_config *c)
{
    struct emnet_allowlist *al = emnet_allowlist_new();
    if (!al) return NULL;
    char err[256];
    if (c->n_metrics_allow == 0) {
        emnet_allowlist_add(al, "127.0.0.0/8", err, sizeof err);
        emnet_allowlist_add(al, "::1", err, sizeof err);
    }
    for (size_t i = 0; i < c->n_metrics_allow; i++) {
        if (emnet_allowlist_add(al, c->metrics_allow[i], err, sizeof err) < 0) {
            fprintf(stderr, "emnet-proxy: metrics_allow: %s\n", err);
            emnet_allowlist_free(al);
            return NULL;
        }
    }
    return al;
}

/* Every message to or from a target is a block of up to 64 KiB, allocated
 * and freed thousands of times a second. glibc gives the top of its heap
 * back to the kernel once 128 KiB of it is free, so a busy connection
 * shrank and regrew the heap for nearly every message: brk calls, TLB
 * shootdowns, and page faults zeroing the same pages again, a third of the
 * proxy's CPU at full speed. Up to 1 MiB of free heap (one client's
 * client_buffer) stays instead, for the whole process. */
#define HEAP_KEEP (1 << 20)
static void keep_heap(void)
{
#ifdef M_TRIM_THRESHOLD
    mallopt(M_TRIM_THRESHOLD, HEAP_KEEP);
#endif
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int check = 0;
    if (parse_args(argc, argv, &config_path, &check) < 0) {
        free_flags();
        return 2;
    }
    static struct emnet_proxy_config cfg;
    char err[512] = "";
    struct emnet_tokens *tokens = NULL;
    if (build_config(&cfg, config_path, err, sizeof err) < 0 || load_tokens(&cfg, &tokens, err, sizeof err) < 0) {
        fprintf(stderr, "emnet-proxy: %s\n", err);
        emnet_proxy_config_free(&cfg);
        free_flags();
        return 1;
    }
    if (check) {
        emnet_proxy_config_print(&cfg, stdout);
        if (tokens) emnet_tokens_free(tokens);
        emnet_proxy_config_free(&cfg);
        free_flags();
        return 0;
    }
    emnet_px_log_setup(cfg.log_level, cfg.log_format);
    emnet_px.cfg = &cfg;
    emnet_px.allow = cfg.allow;
    emnet_px.tokens = tokens;
    char bearer[1024];
    int have = emnet_proxy_config_bearer_token(&cfg, bearer, sizeof bearer, err, sizeof err);
    if (have < 0) {
        fprintf(stderr, "emnet-proxy: %s\n", err);
        return 1;
    }
    if (have) emnet_px.bearer = strdup(bearer);
    char wisp_password[EMNET_PROXY_WISP_TEXT_MAX + 1];
    have = emnet_proxy_config_wisp_password(&cfg, wisp_password, sizeof wisp_password, err, sizeof err);
    if (have < 0) {
        fprintf(stderr, "emnet-proxy: %s\n", err);
        return 1;
    }
    if (have && !(emnet_px.wisp_password = strdup(wisp_password))) return 1;
    memset(wisp_password, 0, sizeof wisp_password);
    emnet_px.metrics_allow = build_metrics_allow(&cfg);
    if (!emnet_px.metrics_allow) return 1;

    char host[256];
    uint16_t port;
    if (emnet_split_host_port(cfg.listen, host, sizeof host, &port) < 0) {
        fprintf(stderr, "emnet-proxy: listen: cannot parse '%s'\n", cfg.listen);
        return 1;
    }

    keep_heap();
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    lws_set_log_level(LLL_ERR | (emnet_px_log_enabled(EMNET_PX_DEBUG) ? LLL_WARN : 0), lws_log_emit);

    int tls = cfg.tls_cert && cfg.tls_key;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | (tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0);
    info.port = CONTEXT_PORT_NO_LISTEN;
    /* lws reads a WebSocket in pieces of this size (4 KiB by default): a
     * 64 KiB message then costs one recv, not sixteen. It is a per-thread
     * buffer, not a per-connection one. */
    info.pt_serv_buf_size = 65600;
    emnet_px.ctx = lws_create_context(&info);
    if (!emnet_px.ctx) {
        fprintf(stderr, "emnet-proxy: cannot create the lws context\n");
        return 1;
    }
    emnet_px_resolver_init(emnet_px.ctx);

    /* The client subprotocols, the upstream sockets' raw protocol, and
     * the zeroed entry that ends the list. */
    static struct lws_protocols protocols[EMNET_PX_CLIENT_PROTOCOLS + 3];
    for (int i = 0; i < EMNET_PX_CLIENT_PROTOCOLS; i++) protocols[i] = emnet_px_client_protocols[i];
    protocols[EMNET_PX_CLIENT_PROTOCOLS] = emnet_px_upstream_protocol;
    protocols[EMNET_PX_CLIENT_PROTOCOLS + 1] = emnet_px_wt_protocol;

    memset(&info, 0, sizeof info);
    info.vhost_name = "emnet";
    info.port = port;
    info.protocols = protocols;
    int v6 = strchr(host, ':') != NULL;
    int any = strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || !host[0] || strcmp(host, "*") == 0;
    info.iface = any ? NULL : host;
    /* lws binds IPv6-any as well unless told not to, even with an IPv4 iface. */
    if (!v6) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    if (tls) {
        /* lws looks for this option on the vhost too, not only the context. */
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = cfg.tls_cert;
        info.ssl_private_key_filepath = cfg.tls_key;
        /* HTTP/1.1 only: every client reaches the same upgrade path, and
         * one WebSocket is one TCP connection a load balancer can see. */
        info.alpn = "http/1.1";
    }
    emnet_px.vhost = lws_create_vhost(emnet_px.ctx, &info);
    if (!emnet_px.vhost) {
        fprintf(stderr, "emnet-proxy: cannot listen on %s\n", cfg.listen);
        lws_context_destroy(emnet_px.ctx);
        return 1;
    }
    int real_port = lws_get_vhost_listen_port(emnet_px.vhost);
    if (v6) printf("listening [%s]:%d\n", host, real_port);
    else printf("listening %s:%d\n", host[0] ? host : "0.0.0.0", real_port);
    fflush(stdout);
    char portbuf[8], rules[16];
    snprintf(portbuf, sizeof portbuf, "%d", real_port);
    snprintf(rules, sizeof rules, "%zu", emnet_allowlist_count(emnet_px.allow));
    emnet_px_log(EMNET_PX_INFO, "listening", "host", host, "port", portbuf, "tls", tls ? "on" : "off", "rules",
                 rules, NULL);

    if (cfg.webtransport_listen) {
        char wt_err[256];
        int wt_port = -1;
        if (emnet_px_wt_cert_init(cfg.tls_cert, cfg.tls_key, cfg.webtransport_cert_days, wt_err, sizeof wt_err) == 0)
            wt_port = emnet_px_wt_start(cfg.webtransport_listen, wt_err, sizeof wt_err);
        if (wt_port < 0) {
            fprintf(stderr, "emnet-proxy: %s\n", wt_err);
            lws_context_destroy(emnet_px.ctx);
            return 1;
        }
        emnet_px.wt_port = wt_port;
        char wt_host[256];
        uint16_t ignored;
        emnet_split_host_port(cfg.webtransport_listen, wt_host, sizeof wt_host, &ignored);
        printf(strchr(wt_host, ':') ? "webtransport [%s]:%d\n" : "webtransport %s:%d\n", wt_host, wt_port);
        fflush(stdout);
        char wt_portbuf[12];
        snprintf(wt_portbuf, sizeof wt_portbuf, "%d", wt_port);
        emnet_px_log(EMNET_PX_INFO, "listening", "mode", "webtransport", "host", wt_host, "port", wt_portbuf,
                     "certificate", cfg.tls_cert ? cfg.tls_cert : "self-signed", NULL);
    }

    lws_sul_schedule(emnet_px.ctx, 0, &sweep_sul, sweep, 200 * LWS_US_PER_MS);
    while (!done) {
        if (lws_service(emnet_px.ctx, 0) < 0) break;
    }
    emnet_px_log(EMNET_PX_INFO, "exit", NULL);
    lws_sul_cancel(&sweep_sul);
    emnet_px.stopping = 1;
    emnet_px_wt_stop();
    lws_context_destroy(emnet_px.ctx);
    emnet_px_wt_cert_free();
    emnet_px_resolver_shutdown();
    emnet_px.ctx = NULL;
    if (emnet_px.tokens) emnet_tokens_free(emnet_px.tokens);
    emnet_allowlist_free(emnet_px.metrics_allow);
    free(emnet_px.bearer);
    free(emnet_px.wisp_password);
    emnet_proxy_config_free(&cfg);
    free_flags();
    return 0;
}
