/* wt_client: a native WebTransport client that emnet-proxy's tests use to
 * send what a browser never would (wt_cases.js drives it).
 *
 *   wt_client [--origin O] [--path P] [--auth VALUE] HOST:PORT SCENARIO [ARG...]
 *
 * One process plays one scenario (see the table at the end of the file)
 * on one QUIC connection, or on many for the floods, and prints one line
 * per outcome it observes, for example:
 *
 *   status 200                          the CONNECT's :status
 *   stream 4 reply 00 04 7f000001 4000  a TCP reply: status, socket address
 *                                       (type, address in hex, port)
 *   stream 4 reply 07                   another stream's first bytes, in hex
 *   stream 4 fin / stream 4 reset 0x..  how the proxy ended its side
 *   stream 14 stop_sending 0x..         it asked us to stop sending on a
 *                                       unidirectional stream of ours
 *   echo ok                             bytes came back unchanged
 *   session closed                      the CONNECT stream's FIN
 *   connection closed h3 0x10a          CONNECTION_CLOSE, application (HTTP/3)
 *   connection closed quic 0xa          CONNECTION_CLOSE, transport
 *   connection open                     still up when the scenario ended
 *
 * and "done" last (WT_CLIENT_DEBUG=1 in the environment adds ngtcp2's
 * own log on stderr). It exits 0 when it could play the scenario (whatever
 * the proxy answered: judging is the driver's), 1 when it could not (no
 * handshake, bad arguments).
 *
 * QUIC is ngtcp2 0.12 with GnuTLS; HTTP/3 framing, SETTINGS, stream
 * prefixes, capsules and datagrams come from proxy/h3/h3_codec.h, the
 * CONNECT's header block from nghttp3's QPACK encoder (no dynamic table),
 * emnet's stream headers and datagrams from net/wt_codec.h. Everything
 * sent is kept until the process ends: a test sends little, and ngtcp2
 * needs the bytes until they are acknowledged. */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <nghttp3/nghttp3.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "h3_codec.h"
#include "wt_codec.h"

#define MAX_PKT 1452
#define MAX_STREAMS 64
#define IN_MAX (256 * 1024)
#define WAIT_MS 3000            /* how long an outcome may take on loopback, sanitizers included */

struct stream {
    int64_t id;
    uint8_t *out;               /* everything queued, kept to the end */
    size_t out_len, out_cap, out_sent;
    int fin_queued, fin_sent, blocked_pass;
    uint8_t *in;                /* everything received, up to IN_MAX */
    size_t in_len;
    int fin, reset, stop;
    uint64_t reset_code, stop_code;
};

struct dgram {
    struct dgram *next;
    size_t len;
    uint8_t data[];
};

static struct {
    /* options */
    const char *origin, *path, *auth;
    char authority[64];
    struct sockaddr_storage remote;
    socklen_t remote_len;
    /* the connection */
    int fd;
    struct sockaddr_storage local;
    socklen_t local_len;
    ngtcp2_conn *conn;
    ngtcp2_crypto_conn_ref ref;
    gnutls_session_t tls;
    gnutls_certificate_credentials_t cred;
    nghttp3_qpack_encoder *enc;
    nghttp3_qpack_decoder *dec;
    int handshake_done, closed;
    struct stream streams[MAX_STREAMS];
    size_t nstreams;
    struct dgram *dg_out, *dg_in;   /* to send; received (newest first) */
    int session_up;                  /* 200 seen on stream 0 */
    int64_t control;                 /* our control stream, -1 before */
} c;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);   /* the driver reads lines as they come */
}

static ngtcp2_tstamp now_ts(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ngtcp2_tstamp)ts.tv_sec * NGTCP2_SECONDS + (ngtcp2_tstamp)ts.tv_nsec;
}

static int64_t now_ms(void) { return (int64_t)(now_ts() / NGTCP2_MILLISECONDS); }

static void hex(char *out, size_t cap, const uint8_t *b, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 < cap; i++) o += (size_t)snprintf(out + o, cap - o, "%02x", b[i]);
    out[o] = '\0';
}

/* ---- streams ---- */
static struct stream *stream_get(int64_t id)
{
    for (size_t i = 0; i < c.nstreams; i++)
        if (c.streams[i].id == id) return &c.streams[i];
    if (c.nstreams == MAX_STREAMS) return NULL;
    struct stream *s = &c.streams[c.nstreams++];
    memset(s, 0, sizeof *s);
    s->id = id;
    return s;
}

static void queue_bytes(int64_t id, const void *data, size_t len)
{
    struct stream *s = stream_get(id);
    if (!s || s->fin_queued || !len) return;
    if (s->out_len + len > s->out_cap) {
        size_t cap = s->out_cap ? s->out_cap : 4096;
        while (cap < s->out_len + len) cap *= 2;
        uint8_t *p = realloc(s->out, cap);
        if (!p) {
            say("error out of memory");
            exit(1);
        }
        s->out = p;
        s->out_cap = cap;
    }
    memcpy(s->out + s->out_len, data, len);
    s->out_len += len;
}

static void queue_fin(int64_t id)
{
    struct stream *s = stream_get(id);
    if (s) s->fin_queued = 1;
}

static int64_t open_uni(void)
{
    int64_t id;
    if (ngtcp2_conn_open_uni_stream(c.conn, &id, NULL) != 0) return -1;
    stream_get(id);
    return id;
}

static int64_t open_bidi(void)
{
    int64_t id;
    if (ngtcp2_conn_open_bidi_stream(c.conn, &id, NULL) != 0) return -1;
    stream_get(id);
    return id;
}

/* ---- sending ---- */
static void send_pkt(const uint8_t *pkt, size_t len)
{
    /* A full socket buffer loses the packet: QUIC sends it again. */
    if (send(c.fd, pkt, len, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
        say("error send: %s", strerror(errno));
}

static void note_closed(void);

/* Writes packets until ngtcp2 has nothing more to send. */
static void flush(void)
{
    if (!c.conn || c.closed) return;
    uint8_t pkt[MAX_PKT];
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_tstamp ts = now_ts();
    for (size_t i = 0; i < c.nstreams; i++) c.streams[i].blocked_pass = 0;
    for (int guard = 0; guard < 4096; guard++) {
        ngtcp2_pkt_info pi;
        ngtcp2_ssize n;
        if (c.dg_out) {
            int acc = 0;
            ngtcp2_vec v = { c.dg_out->data, c.dg_out->len };
            n = ngtcp2_conn_writev_datagram(c.conn, &ps.path, &pi, pkt, sizeof pkt, &acc,
                                            NGTCP2_WRITE_DATAGRAM_FLAG_MORE, 0, &v, 1, ts);
            if (acc || n == NGTCP2_ERR_INVALID_ARGUMENT) {
                struct dgram *d = c.dg_out;
                c.dg_out = d->next;
                free(d);
            }
            if (n == NGTCP2_ERR_WRITE_MORE) continue;
        } else {
            struct stream *s = NULL;
            for (size_t i = 0; i < c.nstreams && !s; i++) {
                struct stream *t = &c.streams[i];
                if (!t->blocked_pass && !t->reset && (t->out_sent < t->out_len || (t->fin_queued && !t->fin_sent)))
                    s = t;
            }
            ngtcp2_vec v = { NULL, 0 };
            uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
            ngtcp2_ssize accepted = -1;
            if (s) {
                v.base = s->out + s->out_sent;
                v.len = s->out_len - s->out_sent;
                if (s->fin_queued) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
            }
            n = ngtcp2_conn_writev_stream(c.conn, &ps.path, &pi, pkt, sizeof pkt, &accepted, flags, s ? s->id : -1,
                                          &v, s ? 1 : 0, ts);
            if (s && accepted >= 0) {
                s->out_sent += (size_t)accepted;
                if ((flags & NGTCP2_WRITE_STREAM_FLAG_FIN) && s->out_sent == s->out_len) s->fin_sent = 1;
            }
            if (n == NGTCP2_ERR_WRITE_MORE) continue;
            if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED || n == NGTCP2_ERR_STREAM_SHUT_WR ||
                n == NGTCP2_ERR_STREAM_NOT_FOUND) {
                if (s) s->blocked_pass = 1;   /* the others go on; this one at the next pass */
                continue;
            }
        }
        if (n < 0) {
            if (n == NGTCP2_ERR_DRAINING || n == NGTCP2_ERR_CLOSING) note_closed();
            else say("error write: %s", ngtcp2_strerror((int)n));
            return;
        }
        if (n == 0) break;
        send_pkt(pkt, (size_t)n);
    }
    ngtcp2_conn_update_pkt_tx_time(c.conn, ts);
}

static void send_datagram(const void *data, size_t len)
{
    struct dgram *d = malloc(sizeof *d + len);
    if (!d) return;
    d->next = NULL;
    d->len = len;
    memcpy(d->data, data, len);
    struct dgram **p = &c.dg_out;
    while (*p) p = &(*p)->next;
    *p = d;
}

/* ---- receiving ---- */
static void note_closed(void)
{
    if (c.closed) return;
    c.closed = 1;
    ngtcp2_connection_close_error ccerr;
    ngtcp2_conn_get_connection_close_error(c.conn, &ccerr);
    if (ccerr.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION)
        say("connection closed h3 0x%llx", (unsigned long long)ccerr.error_code);
    else if (ccerr.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT_IDLE_CLOSE)
        say("connection idle");
    else
        say("connection closed quic 0x%llx", (unsigned long long)ccerr.error_code);
}

static void read_packets(void)
{
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) return;
        if (c.closed) continue;
        ngtcp2_path path = {
            .local = { (ngtcp2_sockaddr *)&c.local, c.local_len },
            .remote = { (ngtcp2_sockaddr *)&c.remote, c.remote_len },
        };
        ngtcp2_pkt_info pi = { 0 };
        int rv = ngtcp2_conn_read_pkt(c.conn, &path, &pi, buf, (size_t)n, now_ts());
        if (rv == NGTCP2_ERR_DRAINING) {
            note_closed();
        } else if (rv != 0) {
            say("error read: %s", ngtcp2_strerror(rv));
            c.closed = 1;
        }
    }
}

/* Runs the connection until done(arg) holds, the connection ends, or ms
 * pass: 1 when done held. */
static int run(int (*done)(void *), void *arg, int ms)
{
    int64_t deadline = now_ms() + ms;
    for (;;) {
        flush();
        if (done && done(arg)) return 1;
        if (c.closed || !c.conn) return 0;
        int64_t left = deadline - now_ms();
        if (left <= 0) return 0;
        ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(c.conn), now = now_ts();
        if (expiry != UINT64_MAX) {
            int64_t e = expiry > now ? (int64_t)((expiry - now) / NGTCP2_MILLISECONDS) + 1 : 0;
            if (e < left) left = e;
        }
        struct pollfd pfd = { c.fd, POLLIN, 0 };
        poll(&pfd, 1, (int)left);
        if (pfd.revents & POLLIN) read_packets();
        if (!c.closed && ngtcp2_conn_get_expiry(c.conn) <= now_ts()) {
            int rv = ngtcp2_conn_handle_expiry(c.conn, now_ts());
            if (rv == NGTCP2_ERR_IDLE_CLOSE) {
                say("connection idle");
                c.closed = 1;
            } else if (rv != 0) {
                say("error expiry: %s", ngtcp2_strerror(rv));
                c.closed = 1;
            }
        }
    }
}

/* ---- ngtcp2 callbacks ---- */
static void cb_rand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx)
{
    (void)ctx;
    gnutls_rnd(GNUTLS_RND_RANDOM, dest, len);
}

static int cb_new_cid(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen, void *user)
{
    (void)conn;
    (void)user;
    gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen);
    cid->datalen = cidlen;
    gnutls_rnd(GNUTLS_RND_RANDOM, token, NGTCP2_STATELESS_RESET_TOKENLEN);
    return 0;
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *user)
{
    (void)conn;
    (void)user;
    c.handshake_done = 1;
    return 0;
}

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t offset, const uint8_t *data,
                               size_t len, void *user, void *stream_user)
{
    (void)offset;
    (void)user;
    (void)stream_user;
    struct stream *s = stream_get(id);
    if (s) {
        if (!s->in && !(s->in = malloc(IN_MAX))) return NGTCP2_ERR_CALLBACK_FAILURE;
        size_t take = IN_MAX - s->in_len < len ? IN_MAX - s->in_len : len;
        if (take) memcpy(s->in + s->in_len, data, take);
        s->in_len += take;
        if (flags & NGTCP2_STREAM_DATA_FLAG_FIN) s->fin = 1;
    }
    /* Everything is taken at once: the credit goes back at once. */
    ngtcp2_conn_extend_max_stream_offset(conn, id, len);
    ngtcp2_conn_extend_max_offset(conn, len);
    return 0;
}

static int cb_stream_reset(ngtcp2_conn *conn, int64_t id, uint64_t final_size, uint64_t code, void *user,
                           void *stream_user)
{
    (void)conn;
    (void)final_size;
    (void)user;
    (void)stream_user;
    struct stream *s = stream_get(id);
    if (s && !s->reset) {
        s->reset = 1;
        s->reset_code = code;
        say("stream %lld reset 0x%llx", (long long)id, (unsigned long long)code);
    }
    return 0;
}

/* A stream of ours closed. ngtcp2 0.12 has no callback for a STOP_SENDING
 * from the peer (stream_stop_sending reports our own): it answers with
 * RESET_STREAM itself, and a unidirectional stream of ours then closes
 * with the code the proxy gave, printed here. */
static int cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t code, void *user,
                           void *stream_user)
{
    (void)conn;
    (void)user;
    (void)stream_user;
    struct stream *s = stream_get(id);
    if (s && (id & 2) && !s->fin_sent && (flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET)) {
        s->stop = 1;
        s->stop_code = code;
        say("stream %lld stop_sending 0x%llx", (long long)id, (unsigned long long)code);
    }
    return 0;
}

static int cb_extend_max_stream_data(ngtcp2_conn *conn, int64_t id, uint64_t max, void *user, void *stream_user)
{
    (void)conn;
    (void)id;
    (void)max;
    (void)user;
    (void)stream_user;
    return 0;   /* flush() tries every stream with bytes left at each pass */
}

static int cb_recv_datagram(ngtcp2_conn *conn, uint32_t flags, const uint8_t *data, size_t len, void *user)
{
    (void)conn;
    (void)flags;
    (void)user;
    struct dgram *d = malloc(sizeof *d + len);
    if (!d) return NGTCP2_ERR_CALLBACK_FAILURE;
    d->len = len;
    memcpy(d->data, data, len);
    d->next = c.dg_in;
    c.dg_in = d;
    return 0;
}

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref)
{
    (void)ref;
    return c.conn;
}

/* ---- the connection ---- */
static int parse_addr(const char *hostport)
{
    char host[64];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host) return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    struct sockaddr_in *a = (struct sockaddr_in *)&c.remote;
    memset(&c.remote, 0, sizeof c.remote);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
    c.remote_len = sizeof *a;
    snprintf(c.authority, sizeof c.authority, "%s", hostport);
    return 0;
}

static void log_printf(void *user, const char *fmt, ...)
{
    va_list ap;
    (void)user;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A UDP socket connected to the proxy and a client ngtcp2_conn on it,
 * whose first Initial is not sent yet. */
static int conn_new(void)
{
    c.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&c.remote, c.remote_len) != 0) return -1;
    c.local_len = sizeof c.local;
    getsockname(c.fd, (struct sockaddr *)&c.local, &c.local_len);

    static const ngtcp2_callbacks callbacks = {
        .client_initial = ngtcp2_crypto_client_initial_cb,
        .recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb,
        .encrypt = ngtcp2_crypto_encrypt_cb,
        .decrypt = ngtcp2_crypto_decrypt_cb,
        .hp_mask = ngtcp2_crypto_hp_mask_cb,
        .recv_retry = ngtcp2_crypto_recv_retry_cb,
        .update_key = ngtcp2_crypto_update_key_cb,
        .delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb,
        .delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb,
        .get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb,
        .version_negotiation = ngtcp2_crypto_version_negotiation_cb,
        .rand = cb_rand,
        .get_new_connection_id = cb_new_cid,
        .handshake_completed = cb_handshake_completed,
        .recv_stream_data = cb_recv_stream_data,
        .stream_reset = cb_stream_reset,
        .stream_close = cb_stream_close,
        .extend_max_stream_data = cb_extend_max_stream_data,
        .recv_datagram = cb_recv_datagram,
    };
    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = now_ts();
    settings.max_tx_udp_payload_size = MAX_PKT;
    if (getenv("WT_CLIENT_DEBUG")) settings.log_printf = log_printf;
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_stream_data_bidi_local = IN_MAX;
    params.initial_max_stream_data_bidi_remote = IN_MAX;
    params.initial_max_stream_data_uni = IN_MAX;
    params.initial_max_data = 16 * IN_MAX;
    params.initial_max_streams_bidi = 0;   /* emnet's proxy opens none */
    params.initial_max_streams_uni = 16;
    params.max_idle_timeout = 30 * NGTCP2_SECONDS;
    params.max_datagram_frame_size = 65535;

    ngtcp2_cid dcid, scid;
    dcid.datalen = 16;
    scid.datalen = 16;
    gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen);
    gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
    ngtcp2_path path = {
        .local = { (ngtcp2_sockaddr *)&c.local, c.local_len },
        .remote = { (ngtcp2_sockaddr *)&c.remote, c.remote_len },
    };
    if (ngtcp2_conn_client_new(&c.conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &callbacks, &settings, &params,
                               NULL, NULL) != 0)
        return -1;

    /* The proxy's certificate is self-signed and nothing here checks it:
     * no trust store and no verification function are set, so GnuTLS
     * accepts any. A test client talks to the proxy it started itself;
     * a real client checks the SHA-256 that GET /webtransport serves. */
    static const char *priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
                                  "+CHACHA20-POLY1305:%DISABLE_TLS13_COMPAT_MODE";
    if (gnutls_certificate_allocate_credentials(&c.cred) != 0 ||
        gnutls_init(&c.tls, GNUTLS_CLIENT | GNUTLS_ENABLE_EARLY_DATA | GNUTLS_NO_END_OF_EARLY_DATA) != 0 ||
        gnutls_priority_set_direct(c.tls, priority, NULL) != 0 ||
        ngtcp2_crypto_gnutls_configure_client_session(c.tls) != 0 ||
        gnutls_credentials_set(c.tls, GNUTLS_CRD_CERTIFICATE, c.cred) != 0)
        return -1;
    gnutls_datum_t alpn = { (unsigned char *)"h3", 2 };
    if (gnutls_alpn_set_protocols(c.tls, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0) return -1;
    c.ref.get_conn = get_conn;
    c.ref.user_data = NULL;
    gnutls_session_set_ptr(c.tls, &c.ref);
    ngtcp2_conn_set_tls_native_handle(c.conn, c.tls);

    if (nghttp3_qpack_encoder_new(&c.enc, 0, nghttp3_mem_default()) != 0 ||
        nghttp3_qpack_decoder_new(&c.dec, 0, 0, nghttp3_mem_default()) != 0)
        return -1;
    c.control = -1;
    return 0;
}

static void conn_free(void)
{
    for (size_t i = 0; i < c.nstreams; i++) {
        free(c.streams[i].out);
        free(c.streams[i].in);
    }
    c.nstreams = 0;
    for (struct dgram *d = c.dg_out, *n; d; d = n) {
        n = d->next;
        free(d);
    }
    for (struct dgram *d = c.dg_in, *n; d; d = n) {
        n = d->next;
        free(d);
    }
    c.dg_out = c.dg_in = NULL;
    if (c.conn) ngtcp2_conn_del(c.conn);
    if (c.tls) gnutls_deinit(c.tls);
    if (c.cred) gnutls_certificate_free_credentials(c.cred);
    if (c.enc) nghttp3_qpack_encoder_del(c.enc);
    if (c.dec) nghttp3_qpack_decoder_del(c.dec);
    if (c.fd >= 0) close(c.fd);
    c.conn = NULL;
    c.tls = NULL;
    c.cred = NULL;
    c.enc = NULL;
    c.dec = NULL;
    c.fd = -1;
    c.handshake_done = c.closed = c.session_up = 0;
}

/* Ends the connection politely (H3_NO_ERROR), so that the proxy frees it
 * at once instead of at its idle timeout. */
static void conn_close(void)
{
    if (c.conn && !c.closed && c.handshake_done) {
        uint8_t pkt[MAX_PKT];
        ngtcp2_path_storage ps;
        ngtcp2_path_storage_zero(&ps);
        ngtcp2_pkt_info pi;
        ngtcp2_connection_close_error ccerr;
        ngtcp2_connection_close_error_set_application_error(&ccerr, EMNET_H3_CODE_NO_ERROR, NULL, 0);
        ngtcp2_ssize n = ngtcp2_conn_write_connection_close(c.conn, &ps.path, &pi, pkt, sizeof pkt, &ccerr, now_ts());
        if (n > 0) send_pkt(pkt, (size_t)n);
    }
    conn_free();
}

static int is_handshake_done(void *arg)
{
    (void)arg;
    return c.handshake_done;
}

static int handshake(void)
{
    if (conn_new() != 0) {
        say("error cannot set up the connection");
        return -1;
    }
    if (!run(is_handshake_done, NULL, WAIT_MS)) {
        say("handshake failed");
        return -1;
    }
    return 0;
}

/* ---- HTTP/3 ---- */
static void send_settings_on(int64_t id)
{
    uint8_t buf[256];
    struct emnet_h3_settings s;
    memset(&s, 0, sizeof s);
    s.present = EMNET_H3_HAS_QPACK_MAX_TABLE_CAPACITY | EMNET_H3_HAS_QPACK_BLOCKED_STREAMS | EMNET_H3_HAS_H3_DATAGRAM |
                EMNET_H3_HAS_ENABLE_WEBTRANSPORT;
    s.h3_datagram = 1;
    s.enable_webtransport = 1;
    size_t n = emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_CONTROL);
    n += emnet_h3_encode_settings(buf + n, sizeof buf - n, &s);
    queue_bytes(id, buf, n);
}

/* What a browser opens first: the control stream with SETTINGS and the
 * two QPACK streams (empty but for their type). */
static void h3_setup(void)
{
    uint8_t b[8];
    c.control = open_uni();
    send_settings_on(c.control);
    int64_t enc = open_uni(), dec = open_uni();
    queue_bytes(enc, b, emnet_h3_encode_uni_stream_type(b, sizeof b, EMNET_H3_STREAM_QPACK_ENCODER));
    queue_bytes(dec, b, emnet_h3_encode_uni_stream_type(b, sizeof b, EMNET_H3_STREAM_QPACK_DECODER));
}

static size_t add_field(nghttp3_nv *nv, size_t n, const char *name, const char *value)
{
    if (!value) return n;
    nv[n].name = (uint8_t *)name;
    nv[n].value = (uint8_t *)value;
    nv[n].namelen = strlen(name);
    nv[n].valuelen = strlen(value);
    nv[n].flags = NGHTTP3_NV_FLAG_NONE;
    return n + 1;
}

/* A HEADERS frame with the CONNECT's fields on a new request stream; NULL
 * values leave a field out. */
static int64_t send_connect(const char *method, const char *protocol, const char *path)
{
    int64_t id = open_bidi();
    if (id < 0) return -1;
    nghttp3_nv nv[8];
    size_t n = 0;
    n = add_field(nv, n, ":method", method);
    n = add_field(nv, n, ":protocol", protocol);
    n = add_field(nv, n, ":scheme", "https");
    n = add_field(nv, n, ":authority", c.authority);
    n = add_field(nv, n, ":path", path);
    n = add_field(nv, n, "origin", c.origin);
    n = add_field(nv, n, "authorization", c.auth);
    nghttp3_buf pbuf, rbuf, ebuf;
    nghttp3_buf_init(&pbuf);
    nghttp3_buf_init(&rbuf);
    nghttp3_buf_init(&ebuf);
    if (nghttp3_qpack_encoder_encode(c.enc, &pbuf, &rbuf, &ebuf, id, nv, n) == 0) {
        size_t plen = (size_t)(pbuf.last - pbuf.pos), rlen = (size_t)(rbuf.last - rbuf.pos);
        uint8_t hdr[16];
        queue_bytes(id, hdr, emnet_h3_encode_headers_header(hdr, sizeof hdr, plen + rlen));
        queue_bytes(id, pbuf.pos, plen);
        queue_bytes(id, rbuf.pos, rlen);
    }
    nghttp3_buf_free(&pbuf, nghttp3_mem_default());
    nghttp3_buf_free(&rbuf, nghttp3_mem_default());
    nghttp3_buf_free(&ebuf, nghttp3_mem_default());
    return id;
}

/* The :status of the HEADERS frame at the start of a stream's bytes: the
 * number, 0 while it has not all come, -1 when it does not decode. */
static int response_status(struct stream *s, size_t *frame_end)
{
    struct emnet_h3_frame_header fh;
    int rc = emnet_h3_frame_header_decode(s->in, s->in_len, 4096, &fh);
    if (rc < 0) return -1;
    if (rc == 0 || s->in_len - fh.header_len < fh.length) return 0;
    if (fh.type != EMNET_H3_FRAME_HEADERS) return -1;
    if (frame_end) *frame_end = fh.header_len + (size_t)fh.length;
    nghttp3_qpack_stream_context *sctx;
    if (nghttp3_qpack_stream_context_new(&sctx, s->id, nghttp3_mem_default()) != 0) return -1;
    const uint8_t *p = s->in + fh.header_len;
    size_t left = (size_t)fh.length;
    int status = -1;
    while (left) {
        nghttp3_qpack_nv nv;
        uint8_t flags = 0;
        nghttp3_ssize r = nghttp3_qpack_decoder_read_request(c.dec, sctx, &nv, &flags, p, left, 1);
        if (r < 0) break;
        p += r;
        left -= (size_t)r;
        if (flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT) {
            nghttp3_vec name = nghttp3_rcbuf_get_buf(nv.name), value = nghttp3_rcbuf_get_buf(nv.value);
            if (name.len == 7 && memcmp(name.base, ":status", 7) == 0 && value.len == 3)
                status = (value.base[0] - '0') * 100 + (value.base[1] - '0') * 10 + (value.base[2] - '0');
            nghttp3_rcbuf_decref(nv.name);
            nghttp3_rcbuf_decref(nv.value);
        }
        if ((flags & NGHTTP3_QPACK_DECODE_FLAG_FINAL) || (r == 0 && !(flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT))) break;
    }
    nghttp3_qpack_stream_context_del(sctx);
    return status;
}

static int stream_answered(void *arg)
{
    struct stream *s = stream_get(*(int64_t *)arg);
    return !s || s->fin || s->reset || response_status(s, NULL) != 0;
}

/* Waits for the response on the CONNECT stream and prints it. The status,
 * or -1 when none came. */
static int await_status(int64_t id)
{
    run(stream_answered, &id, WAIT_MS);
    struct stream *s = stream_get(id);
    int status = s ? response_status(s, NULL) : -1;
    if (status > 0) say("status %d", status);
    else if (s && s->reset) say("no status: stream reset");
    else if (c.closed) say("no status: connection closed");
    else say("no status");
    if (status == 200 && id == 0) c.session_up = 1;
    return status;
}

/* A whole session: handshake, HTTP/3 setup, CONNECT on stream 0. */
static int open_session(void)
{
    if (handshake() != 0) return -1;
    h3_setup();
    int64_t id = send_connect("CONNECT", "webtransport", c.path);
    return await_status(id) == 200 ? 0 : -1;
}

/* A DATA frame carrying a capsule on the CONNECT stream. */
static void send_capsule(uint64_t type, const void *value, size_t len)
{
    uint8_t hdr[32];
    size_t ch = emnet_h3_encode_capsule_header(hdr, sizeof hdr, type, len);
    uint8_t dh[16];
    queue_bytes(0, dh, emnet_h3_encode_data_header(dh, sizeof dh, ch + len));
    queue_bytes(0, hdr, ch);
    queue_bytes(0, value, len);
}

/* ---- WebTransport streams (emnet's protocol) ---- */
static int64_t open_wt_stream(const uint8_t *header, size_t len)
{
    int64_t id = open_bidi();
    if (id < 0) return -1;
    uint8_t p[16];
    queue_bytes(id, p, emnet_h3_encode_wt_bidi_prefix(p, sizeof p, 0));
    if (len) queue_bytes(id, header, len);
    return id;
}

struct want {
    int64_t id;
    size_t bytes;
};

static int has_bytes(void *arg)
{
    struct want *w = arg;
    struct stream *s = stream_get(w->id);
    return !s || s->in_len >= w->bytes || s->fin || s->reset;
}

static int is_ended(void *arg)
{
    struct stream *s = stream_get(*(int64_t *)arg);
    return !s || s->fin || s->reset;
}

/* Prints how the proxy ended its side of a stream once it did. */
static void await_end(int64_t id)
{
    run(is_ended, &id, WAIT_MS);
    struct stream *s = stream_get(id);
    if (s && s->fin) say("stream %lld fin", (long long)id);
    else if (!s || !s->reset) say("stream %lld open", (long long)id);   /* a reset printed itself */
}

/* A TCP stream to 127.0.0.1:port: prints the reply; the reply's length
 * or 0 when it was not a success. */
static size_t tcp_stream(int64_t *idp, uint16_t port)
{
    struct emnet_wt_addr a = { .type = EMNET_WT_ADDR_IPV4, .len = 4, .bytes = { 127, 0, 0, 1 } };
    uint8_t h[EMNET_WT_REQUEST_MAX];
    size_t n = emnet_wt_encode_tcp_request(h, sizeof h, port, &a);
    int64_t id = *idp = open_wt_stream(h, n);
    struct want w = { id, 1 };
    run(has_bytes, &w, WAIT_MS);
    struct stream *s = stream_get(id);
    struct emnet_wt_tcp_reply r;
    int rc = emnet_wt_decode_tcp_reply(s->in, s->in_len, &r);
    while (rc == 0 && !s->fin && !s->reset && run(has_bytes, &(struct want){ id, s->in_len + 1 }, WAIT_MS))
        rc = emnet_wt_decode_tcp_reply(s->in, s->in_len, &r);
    if (rc <= 0) {
        char hx[64];
        hex(hx, sizeof hx, s->in, s->in_len);
        say("stream %lld reply %s", (long long)id, s->in_len ? hx : "none");
        return 0;
    }
    if (r.status != 0) {
        say("stream %lld reply %02x", (long long)id, r.status);
        return 0;
    }
    char ip[40];
    hex(ip, sizeof ip, r.peer.ip.bytes, r.peer.ip.type == EMNET_WT_ADDR_IPV4 ? 4 : 16);
    say("stream %lld reply 00 %02x %s %u", (long long)id, r.peer.ip.type, ip, r.peer.port);
    return (size_t)rc;
}

/* Sends payload on a connected TCP stream and waits for it back. */
static int echo_on(int64_t id, size_t reply_len, const char *payload)
{
    size_t len = strlen(payload);
    queue_bytes(id, payload, len);
    struct stream *s = stream_get(id);
    size_t want = s->in_len + len;
    size_t from = s->in_len;
    run(has_bytes, &(struct want){ id, want }, WAIT_MS);
    (void)reply_len;
    if (s->in_len >= want && memcmp(s->in + from, payload, len) == 0) {
        say("echo ok");
        return 0;
    }
    say("echo failed (%zu of %zu bytes)", s->in_len - from, len);
    return -1;
}

/* The session's end by the page: CLOSE_WEBTRANSPORT_SESSION and FIN,
 * then the proxy's FIN. */
static int session_ended(void *arg)
{
    (void)arg;
    struct stream *s = stream_get(0);
    return s->fin || s->reset;
}

static void await_session_end(void)
{
    run(session_ended, NULL, WAIT_MS);
    struct stream *s = stream_get(0);
    if (s->fin) say("session closed");
    else if (!s->reset && !c.closed) say("session open");
}

static void close_session(uint32_t code, const char *reason)
{
    uint8_t v[4 + EMNET_H3_CLOSE_REASON_MAX];
    size_t rl = strlen(reason);
    v[0] = (uint8_t)(code >> 24);
    v[1] = (uint8_t)(code >> 16);
    v[2] = (uint8_t)(code >> 8);
    v[3] = (uint8_t)code;
    memcpy(v + 4, reason, rl);
    send_capsule(EMNET_H3_CAPSULE_CLOSE_SESSION, v, 4 + rl);
    queue_fin(0);
    await_session_end();
}

/* The end of every scenario: whether the connection is still up after
 * a moment, then a polite close. */
static void finish(void)
{
    if (c.conn && !c.closed) {
        run(NULL, NULL, 300);
        if (!c.closed) say("connection open");
    }
    conn_close();
}

/* The healthy path, used as a check after an abuse on the same
 * connection: a TCP stream to the echo server and bytes back. */
static int echo_check(uint16_t port)
{
    int64_t id;
    size_t rl = tcp_stream(&id, port);
    if (!rl) return -1;
    return echo_on(id, rl, "hello through the proxy");
}

/* ---- scenarios ---- */
static uint16_t arg_port(int argc, char **argv, int i)
{
    return i < argc ? (uint16_t)atoi(argv[i]) : 0;
}

static int sc_echo(int argc, char **argv)
{
    if (open_session() != 0) return finish(), 0;
    echo_check(arg_port(argc, argv, 0));
    close_session(0, "done");
    finish();
    return 0;
}

/* session_gone PORT: a TCP stream left open while the session closes:
 * the proxy resets it with WT_SESSION_GONE ("stream 4 reset 0x170d7b68"). */
static int sc_session_gone(int argc, char **argv)
{
    if (open_session() != 0) return finish(), 0;
    echo_check(arg_port(argc, argv, 0));
    close_session(0, "done");
    run(NULL, NULL, 300);
    finish();
    return 0;
}

/* A session kept open: each line on stdin is echoed through the proxy
 * ("echo ok" each time); EOF on stdin closes the session. Lets the driver
 * check that one healthy session lives through everything else. */
static int stdin_line(void *arg)
{
    struct pollfd p = { 0, POLLIN, 0 };
    (void)arg;
    return poll(&p, 1, 0) > 0;
}

static int sc_hold(int argc, char **argv)
{
    if (open_session() != 0) return finish(), 0;
    int64_t id;
    size_t rl = tcp_stream(&id, arg_port(argc, argv, 0));
    if (!rl) return finish(), 0;
    say("holding");
    char line[256];
    for (;;) {
        /* Waits on the connection, one second at a time, for a line. */
        while (!c.closed && !run(stdin_line, NULL, 1000)) {}
        if (c.closed || !fgets(line, sizeof line, stdin)) break;
        line[strcspn(line, "\n")] = '\0';
        if (!*line) continue;
        echo_on(id, rl, line);
    }
    if (!c.closed) close_session(0, "done");
    finish();
    return 0;
}

/* Random datagrams at the proxy's port: no QUIC at all. */
static int sc_garbage(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 100;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&c.remote, c.remote_len) != 0) return 1;
    uint8_t buf[1500];
    for (int i = 0; i < n; i++) {
        uint16_t len;
        gnutls_rnd(GNUTLS_RND_NONCE, &len, sizeof len);
        len = (uint16_t)(len % sizeof buf + 1);
        gnutls_rnd(GNUTLS_RND_NONCE, buf, len);
        /* A third look like QUIC long headers of version 1, so that they
         * get past the version check into header parsing. */
        if (i % 3 == 0 && len > 8) {
            buf[0] = 0xc0 | (buf[0] & 0x0f);
            buf[1] = buf[2] = buf[3] = 0;
            buf[4] = 1;
        }
        send(fd, buf, len, 0);
        if (i % 64 == 63) usleep(1000);   /* stay within the proxy's socket buffer */
    }
    close(fd);
    say("sent %d", n);
    return 0;
}

/* Real first Initial packets of fresh connections, each spoiled: cut
 * short (under the 1200 bytes an Initial must fill), or whole but with
 * bytes of its protected payload flipped, which only decryption finds. */
static int sc_initials(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 100;
    for (int i = 0; i < n; i++) {
        if (conn_new() != 0) return 1;
        uint8_t pkt[MAX_PKT];
        ngtcp2_path_storage ps;
        ngtcp2_path_storage_zero(&ps);
        ngtcp2_pkt_info pi;
        ngtcp2_ssize len = ngtcp2_conn_write_pkt(c.conn, &ps.path, &pi, pkt, sizeof pkt, now_ts());
        if (len > 100) {
            if (i % 2 == 0) {
                uint16_t cut;
                gnutls_rnd(GNUTLS_RND_NONCE, &cut, sizeof cut);
                len = 1 + cut % (len - 1);
            } else {
                for (int k = 0; k < 8; k++) pkt[60 + (size_t)k * 97 % (size_t)(len - 60)] ^= 0x5a;
            }
            send_pkt(pkt, (size_t)len);
        }
        conn_free();
        if (i % 32 == 31) usleep(2000);
    }
    say("sent %d", n);
    return 0;
}

static int await_close(void *arg)
{
    (void)arg;
    return c.closed;
}

/* Many connections one after the other, each closed by the proxy for a
 * control stream without SETTINGS: what abusive clients leave behind. */
static int sc_flood(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 10, closed = 0;
    for (int i = 0; i < n; i++) {
        if (handshake() != 0) {
            conn_free();
            continue;
        }
        int64_t id = open_uni();
        uint8_t b[32];
        size_t k = emnet_h3_encode_uni_stream_type(b, sizeof b, EMNET_H3_STREAM_CONTROL);
        k += emnet_h3_encode_goaway(b + k, sizeof b - k, 0);
        queue_bytes(id, b, k);
        run(await_close, NULL, WAIT_MS);
        closed += c.closed;
        conn_free();
    }
    say("flood %d closed %d", n, closed);
    return 0;
}

/* ---- HTTP/3 errors: each on a fresh connection, which the proxy should
 * close with the code that names the rule broken. ---- */
static void control_with(const uint8_t *frames, size_t len)
{
    uint8_t b[8];
    c.control = open_uni();
    queue_bytes(c.control, b, emnet_h3_encode_uni_stream_type(b, sizeof b, EMNET_H3_STREAM_CONTROL));
    queue_bytes(c.control, frames, len);
}

static int sc_h3(const char *name, int argc, char **argv)
{
    if (handshake() != 0) return finish(), 0;
    uint8_t f[8192];
    size_t n = 0;
    if (strcmp(name, "h3_no_settings") == 0) {
        n = emnet_h3_encode_goaway(f, sizeof f, 0);
        control_with(f, n);
    } else if (strcmp(name, "h3_second_control") == 0) {
        h3_setup();
        run(NULL, NULL, 100);
        int64_t id = open_uni();
        send_settings_on(id);
    } else if (strcmp(name, "h3_settings_http2") == 0 || strcmp(name, "h3_settings_duplicate") == 0) {
        /* Written by hand: the codec's encoder refuses such settings. */
        const uint8_t http2[] = { 0x04, 0x04, 0x01, 0x00, 0x02, 0x00 };        /* QPACK cap 0, ENABLE_PUSH 0 */
        const uint8_t dup[] = { 0x04, 0x04, 0x33, 0x01, 0x33, 0x01 };          /* H3_DATAGRAM twice */
        control_with(strcmp(name, "h3_settings_http2") == 0 ? http2 : dup, 6);
    } else if (strcmp(name, "h3_data_on_control") == 0) {
        h3_setup();
        n = emnet_h3_encode_data(f, sizeof f, "abc", 3);
        queue_bytes(c.control, f, n);
    } else if (strcmp(name, "h3_oversized_frame") == 0) {
        /* A GOAWAY (a frame held whole) claiming 5000 bytes of payload. */
        h3_setup();
        n = emnet_h3_encode_frame_header(f, sizeof f, EMNET_H3_FRAME_GOAWAY, 5000);
        memset(f + n, 0, 5000);
        queue_bytes(c.control, f, n + 5000);
    } else if (strcmp(name, "h3_large_unknown_frame") == 0) {
        /* A reserved (GREASE) frame of 5000 bytes and an unknown one of
         * 3000 after SETTINGS: RFC 9114 §9 says to ignore frame types one
         * does not know, whatever their size. The connection then serves
         * a session as before. */
        h3_setup();
        uint64_t grease = 0x1f * 3 + 0x21;
        n = emnet_h3_encode_frame_header(f, sizeof f, grease, 5000);
        memset(f + n, 0xab, 5000);
        queue_bytes(c.control, f, n + 5000);
        n = emnet_h3_encode_frame_header(f, sizeof f, 0x3ffe, 3000);
        memset(f + n, 0xcd, 3000);
        queue_bytes(c.control, f, n + 3000);
        run(NULL, NULL, 300);
        int64_t id = send_connect("CONNECT", "webtransport", c.path);
        if (await_status(id) == 200) {
            echo_check(arg_port(argc, argv, 0));
            close_session(0, "done");
        }
        return finish(), 0;
    } else if (strcmp(name, "h3_frame_41") == 0) {
        /* 0x41 as a frame type on the control stream (the codec will not
         * encode it): type 0x41 (2 bytes), length 1, one byte. */
        h3_setup();
        const uint8_t b[] = { 0x40, 0x41, 0x01, 0x00 };
        queue_bytes(c.control, b, sizeof b);
    } else if (strcmp(name, "h3_control_fin") == 0) {
        h3_setup();
        run(NULL, NULL, 100);
        queue_fin(c.control);
    } else if (strcmp(name, "h3_control_reset") == 0) {
        h3_setup();
        run(NULL, NULL, 100);
        ngtcp2_conn_shutdown_stream_write(c.conn, c.control, EMNET_H3_CODE_NO_ERROR);
    } else if (strcmp(name, "h3_push_stream") == 0) {
        h3_setup();
        int64_t id = open_uni();
        queue_bytes(id, f, emnet_h3_encode_uni_stream_type(f, sizeof f, EMNET_H3_STREAM_PUSH));
        queue_bytes(id, "\x00", 1);   /* push id 0 */
    } else if (strcmp(name, "h3_bad_qpack") == 0) {
        /* HEADERS whose field section refers to a static table entry
         * that does not exist (index 99 of 0-98). */
        h3_setup();
        int64_t id = open_bidi();
        const uint8_t block[] = { 0x00, 0x00, 0xff, 0x24 };   /* prefix, then indexed field 63 + 36 = 99 */
        n = emnet_h3_encode_headers(f, sizeof f, block, sizeof block);
        queue_bytes(id, f, n);
    } else if (strcmp(name, "h3_truncated_frame") == 0) {
        /* A request stream that ends inside a frame header: a HEADERS
         * type and the first byte of a two-byte length, then FIN. */
        h3_setup();
        int64_t id = open_bidi();
        queue_bytes(id, "\x01\x40", 2);
        queue_fin(id);
    } else if (strcmp(name, "h3_truncated_uni") == 0 || strcmp(name, "h3_unknown_uni") == 0) {
        /* Streams a server must live with, after which the connection
         * serves a session as before. */
        h3_setup();
        if (strcmp(name, "h3_truncated_uni") == 0) {
            int64_t id = open_uni();
            queue_bytes(id, "\x40", 1);   /* half of a two-byte stream type */
            queue_fin(id);
        } else {
            int64_t g = open_uni(), u = open_uni();
            queue_bytes(g, f, emnet_h3_encode_uni_stream_type(f, sizeof f, 0x1f * 7 + 0x21));
            queue_bytes(g, "grease", 6);
            queue_bytes(u, f, emnet_h3_encode_uni_stream_type(f, sizeof f, 0x3fff));
            queue_bytes(u, "unknown", 7);
        }
        run(NULL, NULL, 300);
        int64_t id = send_connect("CONNECT", "webtransport", c.path);
        if (await_status(id) == 200) {
            echo_check(arg_port(argc, argv, 0));
            close_session(0, "done");
        }
        return finish(), 0;
    } else {
        say("error unknown scenario %s", name);
        return 1;
    }
    run(await_close, NULL, WAIT_MS);
    finish();
    return 0;
}

/* ---- the CONNECT ---- */
static int sc_connect(int argc, char **argv)
{
    /* connect METHOD PROTOCOL [COUNT]: COUNT CONNECTs on one connection,
     * each status printed ("-" leaves a field out). */
    const char *method = argc > 0 && strcmp(argv[0], "-") ? argv[0] : NULL;
    const char *protocol = argc > 1 && strcmp(argv[1], "-") ? argv[1] : NULL;
    int count = argc > 2 ? atoi(argv[2]) : 1;
    if (handshake() != 0) return finish(), 0;
    h3_setup();
    for (int i = 0; i < count && !c.closed; i++) await_status(send_connect(method, protocol, c.path));
    if (c.session_up) close_session(0, "done");
    finish();
    return 0;
}

/* ---- capsules on the CONNECT stream ---- */
static int sc_capsule(const char *name, int argc, char **argv)
{
    if (open_session() != 0) return finish(), 0;
    uint8_t v[2048];
    if (strcmp(name, "close_bad_utf8") == 0) {
        memcpy(v, "\x00\x00\x00\x07" "bad \xc3\x28 utf-8", 16);
        send_capsule(EMNET_H3_CAPSULE_CLOSE_SESSION, v, 16);
        queue_fin(0);
        await_session_end();
    } else if (strcmp(name, "close_long_reason") == 0) {
        memset(v, 'r', sizeof v);
        memset(v, 0, 4);
        send_capsule(EMNET_H3_CAPSULE_CLOSE_SESSION, v, 4 + EMNET_H3_CLOSE_REASON_MAX + 1);
        queue_fin(0);
        await_session_end();
    } else if (strcmp(name, "close_max_reason") == 0) {
        /* The longest reason a page may give (1024 bytes): legal. */
        char reason[EMNET_H3_CLOSE_REASON_MAX + 1];
        memset(reason, 'r', EMNET_H3_CLOSE_REASON_MAX);
        reason[EMNET_H3_CLOSE_REASON_MAX] = '\0';
        close_session(9, reason);
    } else if (strcmp(name, "unknown_capsule") == 0) {
        /* An unknown type, a GREASE type and a DRAIN: all to be skipped
         * or noted, the session going on. */
        send_capsule(0x3fff1234, "whatever", 8);
        send_capsule(0x29 * 5 + 0x17, "grease", 6);
        send_capsule(EMNET_H3_CAPSULE_DRAIN_SESSION, NULL, 0);
        run(NULL, NULL, 200);
        echo_check(arg_port(argc, argv, 0));
        close_session(0, "done");
    } else if (strcmp(name, "close_proper") == 0) {
        close_session(7, "bye");
    } else {
        say("error unknown scenario %s", name);
        return 1;
    }
    finish();
    return 0;
}

/* ---- emnet's protocol ---- */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (s[0] && s[1] && n < cap) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1) break;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

/* wtstream HEX [fin]: a WebTransport stream that starts with these
 * bytes; prints the proxy's first bytes and how it ended the stream. */
static int sc_wtstream(int argc, char **argv)
{
    if (argc < 1) return 1;
    if (open_session() != 0) return finish(), 0;
    uint8_t b[1024];
    size_t n = unhex(argv[0], b, sizeof b);
    int64_t id = open_wt_stream(b, n);
    if (argc > 1 && strcmp(argv[1], "fin") == 0) queue_fin(id);
    run(has_bytes, &(struct want){ id, 1 }, WAIT_MS);
    run(NULL, NULL, 100);   /* whatever follows the first bytes */
    struct stream *s = stream_get(id);
    char hx[2100];
    hex(hx, sizeof hx, s->in, s->in_len);
    say("stream %lld reply %s", (long long)id, s->in_len ? hx : "none");
    await_end(id);
    close_session(0, "done");
    finish();
    return 0;
}

static int has_datagram(void *arg)
{
    (void)arg;
    return c.dg_in != NULL;
}

/* A flow of kind 0x04: a burst of ON_STREAM_BURST datagrams to the echo
 * server, each a record on the flow's stream; every echo must come back
 * as a record, in order, and none as a QUIC datagram. */
#define ON_STREAM_BURST 64
static void udp_on_stream(int64_t id, size_t reply_len, const struct emnet_wt_sockaddr *to)
{
    for (int i = 0; i < ON_STREAM_BURST; i++) {
        uint8_t rec[64];
        char msg[16];
        int len = snprintf(msg, sizeof msg, "burst %02d", i);
        size_t h = emnet_wt_encode_datagram_record_header(rec, sizeof rec, to, (size_t)len);
        memcpy(rec + h, msg, (size_t)len);
        queue_bytes(id, rec, h + (size_t)len);
    }
    size_t at = reply_len;
    int got = 0, in_order = 0;
    while (got < ON_STREAM_BURST) {
        struct stream *s = stream_get(id);
        if (!s) break;
        struct emnet_wt_record r;
        int n = emnet_wt_decode_record(s->in + at, s->in_len - at, &r);
        if (n < 0) break;
        if (n == 0) {
            if (!run(has_bytes, &(struct want){ id, s->in_len + 1 }, WAIT_MS)) break;
            continue;
        }
        char want[16];
        int wl = snprintf(want, sizeof want, "burst %02d", got);
        if (r.type == EMNET_WT_RECORD_DATAGRAM && r.len == (size_t)wl && !memcmp(r.payload, want, (size_t)wl) &&
            r.addr.port == to->port)
            in_order++;
        got++;
        at += (size_t)n;
    }
    if (got == ON_STREAM_BURST && in_order == got && !c.dg_in)
        say("udp records ok");
    else
        say("udp records failed: %d of %d back, %d in order%s", got, ON_STREAM_BURST, in_order,
            c.dg_in ? ", a QUIC datagram came" : "");
}

/* udp PORT MODE: a UDP flow; MODE chooses what is sent on it before a
 * proper datagram to 127.0.0.1:PORT, which must come back; "on_stream"
 * opens a flow of kind 0x04 and sends a burst of records instead. */
static int sc_udp(int argc, char **argv)
{
    uint16_t port = arg_port(argc, argv, 0);
    const char *mode = argc > 1 ? argv[1] : "plain";
    int on_stream = strcmp(mode, "on_stream") == 0;
    if (open_session() != 0) return finish(), 0;
    uint8_t b[256];
    size_t n = emnet_wt_encode_udp_request(b, sizeof b, on_stream ? EMNET_WT_KIND_UDP_ON_STREAM : EMNET_WT_KIND_UDP, 4);
    int64_t id = open_wt_stream(b, n);
    struct emnet_wt_udp_reply r;
    struct stream *s = stream_get(id);
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        run(has_bytes, &(struct want){ id, s->in_len + 1 }, WAIT_MS);
        rc = emnet_wt_decode_udp_reply(s->in, s->in_len, &r);
    }
    if (rc <= 0 || r.status != 0) {
        say("flow failed");
        return finish(), 0;
    }
    say("flow open");
    struct emnet_wt_sockaddr to = { .ip = { .type = EMNET_WT_ADDR_IPV4, .bytes = { 127, 0, 0, 1 } }, .port = port };
    uint8_t d[256], q[300];
    if (on_stream) {
        udp_on_stream(id, (size_t)rc, &to);
        return close_session(0, "done"), finish(), 0;
    }
    if (strcmp(mode, "bad_datagrams") == 0) {
        /* A flow id alone; a socket address of an unknown type; a flow
         * that does not exist; a datagram for no session (quarter stream
         * id 1); a quarter stream id cut short. All dropped. */
        size_t k = emnet_wt_varint_encode(d, sizeof d, r.flow_id);
        send_datagram(q, emnet_h3_encode_datagram(q, sizeof q, 0, d, k));
        memset(d + k, 0, 8);
        d[k] = 9;
        send_datagram(q, emnet_h3_encode_datagram(q, sizeof q, 0, d, k + 1 + 6));
        k = emnet_wt_encode_datagram(d, sizeof d, r.flow_id + 1000, &to, "lost", 4);
        send_datagram(q, emnet_h3_encode_datagram(q, sizeof q, 0, d, k));
        k = emnet_wt_encode_datagram(d, sizeof d, r.flow_id, &to, "lost", 4);
        send_datagram(q, emnet_h3_encode_datagram(q, sizeof q, 4, d, k));
        send_datagram("\x40", 1);
        run(NULL, NULL, 300);
        if (c.dg_in) say("unexpected datagram");
    } else if (strcmp(mode, "bad_record") == 0 || strcmp(mode, "long_record") == 0) {
        /* A record of type 7, or a datagram record claiming 65536 bytes:
         * the flow's stream is reset with WebTransport code 0x02. */
        if (strcmp(mode, "bad_record") == 0) queue_bytes(id, "\x07\x00\x00", 3);
        else queue_bytes(id, "\x01\x80\x01\x00\x00", 5);
        await_end(id);
        return close_session(0, "done"), finish(), 0;
    }
    size_t k = emnet_wt_encode_datagram(d, sizeof d, r.flow_id, &to, "ping", 4);
    send_datagram(q, emnet_h3_encode_datagram(q, sizeof q, 0, d, k));
    run(has_datagram, NULL, WAIT_MS);
    struct emnet_h3_datagram hd;
    struct emnet_wt_datagram wd;
    if (c.dg_in && emnet_h3_datagram_decode(c.dg_in->data, c.dg_in->len, &hd) > 0 && hd.session_id == 0 &&
        emnet_wt_decode_datagram(hd.payload, hd.len, &wd) > 0 && wd.flow_id == r.flow_id && wd.len == 4 &&
        memcmp(wd.payload, "ping", 4) == 0 && wd.addr.port == port)
        say("udp echo ok");
    else
        say("udp echo failed");
    close_session(0, "done");
    finish();
    return 0;
}

int main(int argc, char **argv)
{
    c.fd = -1;
    c.origin = "http://127.0.0.1";
    c.path = "/emnet";
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--origin") == 0) c.origin = strcmp(argv[i + 1], "-") ? argv[i + 1] : NULL;
        else if (strcmp(argv[i], "--path") == 0) c.path = argv[i + 1];
        else if (strcmp(argv[i], "--auth") == 0) c.auth = argv[i + 1];
        else break;
    }
    if (argc - i < 2 || parse_addr(argv[i]) != 0) {
        fprintf(stderr, "usage: wt_client [--origin O] [--path P] [--auth V] HOST:PORT SCENARIO [ARG...]\n");
        return 2;
    }
    const char *sc = argv[i + 1];
    int sargc = argc - i - 2;
    char **sargv = argv + i + 2;
    int rc;
    if (strcmp(sc, "echo") == 0) rc = sc_echo(sargc, sargv);
    else if (strcmp(sc, "hold") == 0) rc = sc_hold(sargc, sargv);
    else if (strcmp(sc, "session_gone") == 0) rc = sc_session_gone(sargc, sargv);
    else if (strcmp(sc, "garbage") == 0) rc = sc_garbage(sargc, sargv);
    else if (strcmp(sc, "initials") == 0) rc = sc_initials(sargc, sargv);
    else if (strcmp(sc, "flood") == 0) rc = sc_flood(sargc, sargv);
    else if (strncmp(sc, "h3_", 3) == 0) rc = sc_h3(sc, sargc, sargv);
    else if (strcmp(sc, "connect") == 0) rc = sc_connect(sargc, sargv);
    else if (strstr(sc, "capsule") || strncmp(sc, "close_", 6) == 0) rc = sc_capsule(sc, sargc, sargv);
    else if (strcmp(sc, "wtstream") == 0) rc = sc_wtstream(sargc, sargv);
    else if (strcmp(sc, "udp") == 0) rc = sc_udp(sargc, sargv);
    else {
        fprintf(stderr, "wt_client: unknown scenario %s\n", sc);
        return 2;
    }
    say("done");
    return rc;
}
