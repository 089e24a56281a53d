/* HTTP/3 as far as WebTransport needs it, on wt_quic.c's streams: the
 * proxy's control stream with its SETTINGS (the WebTransport settings of
 * every draft a browser may speak, proxy/h3/settings.c), the peer's
 * control and QPACK streams, and request streams, where only one request
 * is served: the extended CONNECT that opens a WebTransport session on
 * webtransport_path, after the same checks as a WebSocket upgrade
 * (draining, Origin, bearer token, connection limits). Then the CONNECT
 * stream carries capsules (CLOSE_WEBTRANSPORT_SESSION ends the session),
 * and bidirectional streams that start with 0x41 and the session's id go
 * to the gateway, as do the session's datagrams.
 *
 * QPACK runs without a dynamic table both ways (nghttp3's encoder and
 * decoder with capacity 0), so header blocks never wait for the encoder
 * streams. A peer that breaks the rules of a critical stream loses the
 * connection with the HTTP/3 error code that names the rule. */
#include <nghttp3/nghttp3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h3_codec.h"
#include "wt.h"

/* What a stream is to HTTP/3 (st->h3_kind). */
enum { K_NEW, K_CONTROL, K_QPACK_ENC, K_QPACK_DEC, K_IGNORED, K_REQUEST, K_SESSION, K_WT, K_OURS };
/* A request stream's progress (st->h3_state). */
enum { R_HEADERS, R_REFUSED, R_OPEN };

#define FRAME_MAX 1024          /* the longest frame held whole: SETTINGS, HEADERS, GOAWAY... */
/* The longest DATA frame held whole on the CONNECT stream: one capsule,
 * up to the largest legal CLOSE_WEBTRANSPORT_SESSION (a 1024-byte
 * reason). At FRAME_MAX, a page closing with the longest reason it may
 * give lost the connection with H3_EXCESSIVE_LOAD. Frame header and
 * payload still fit in st->head (1100 bytes). */
#define DATA_MAX (16 + EMNET_H3_CLOSE_VALUE_MAX)
#define H3_NO_ERROR 0x100
#define H3_GENERAL_PROTOCOL_ERROR 0x101
#define H3_INTERNAL_ERROR 0x102
#define H3_STREAM_CREATION_ERROR 0x103
#define H3_CLOSED_CRITICAL_STREAM 0x104
#define H3_FRAME_UNEXPECTED 0x105
#define H3_FRAME_ERROR 0x106
#define H3_EXCESSIVE_LOAD 0x107
#define H3_SETTINGS_ERROR 0x109
#define H3_MISSING_SETTINGS 0x10a
#define H3_REQUEST_REJECTED 0x10b
#define H3_REQUEST_INCOMPLETE 0x10d
#define H3_MESSAGE_ERROR 0x10e
#define QPACK_DECOMPRESSION_FAILED 0x200
#define QPACK_ENCODER_STREAM_ERROR 0x201

struct emnet_px_wt_h3 {
    struct emnet_px_wt_conn *qc;
    struct emnet_px_wt_stream *control;     /* ours */
    int64_t peer_control;                    /* -1 until the peer opens it */
    int settings_seen;
    struct emnet_h3_settings peer;
    nghttp3_qpack_decoder *dec;
    nghttp3_qpack_encoder *enc;
    struct emnet_px_wt_stream *session_stream;   /* the CONNECT stream of the one session, or NULL */
    struct emnet_px_conn *session;               /* the gateway's side of it */
    int closed;
};

static void fail_conn(struct emnet_px_wt_h3 *h, uint64_t code, const char *why)
{
    if (h->closed) return;
    h->closed = 1;
    emnet_px_log(EMNET_PX_INFO, "webtransport_error", "client", emnet_px_wt_peer(h->qc), "error",
                 emnet_h3_code_name(code), "detail", why, NULL);
    emnet_px_wt_close(h->qc, code, why);
}

struct emnet_px_wt_h3 *emnet_px_h3_new(struct emnet_px_wt_conn *qc)
{
    struct emnet_px_wt_h3 *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->qc = qc;
    h->peer_control = -1;
    if (nghttp3_qpack_decoder_new(&h->dec, 0, 0, nghttp3_mem_default()) != 0 ||
        nghttp3_qpack_encoder_new(&h->enc, 0, nghttp3_mem_default()) != 0) {
        emnet_px_h3_free(h);
        return NULL;
    }
    return h;
}

/* The session's streams that are still open both ways or either way go
 * with it: reset with WT_SESSION_GONE (draft-ietf-webtrans-http3 §6);
 * a side already ended in order stays so. */
static void reset_session_streams(struct emnet_px_wt_h3 *h)
{
    if (h->closed) return;
    for (struct emnet_px_wt_stream *st = emnet_px_wt_streams(h->qc); st; st = st->next)
        if (st->h3_kind == K_WT) emnet_px_wt_reset(st, EMNET_H3_CODE_WT_SESSION_GONE);
}

static void end_session(struct emnet_px_wt_h3 *h)
{
    struct emnet_px_conn *c = h->session;
    h->session = NULL;
    if (c) {
        emnet_px_wtg_session_closed(c);
        reset_session_streams(h);
    }
}

void emnet_px_h3_free(struct emnet_px_wt_h3 *h)
{
    h->closed = 1;   /* the connection is going: nothing more is sent on it */
    end_session(h);
    if (h->dec) nghttp3_qpack_decoder_del(h->dec);
    if (h->enc) nghttp3_qpack_encoder_del(h->enc);
    free(h);
}

void emnet_px_h3_handshake_done(struct emnet_px_wt_h3 *h)
{
    /* The control stream (type, SETTINGS) and the two QPACK streams,
     * which stay empty: without a dynamic table nothing goes on them. */
    uint8_t buf[256];
    struct emnet_h3_settings s;
    emnet_h3_server_settings(&s, 1);
    struct emnet_px_wt_stream *enc, *dec;
    if (!(h->control = emnet_px_wt_open_uni(h->qc)) || !(enc = emnet_px_wt_open_uni(h->qc)) ||
        !(dec = emnet_px_wt_open_uni(h->qc))) {
        fail_conn(h, H3_INTERNAL_ERROR, "cannot open the control streams");
        return;
    }
    h->control->h3_kind = enc->h3_kind = dec->h3_kind = K_OURS;
    size_t n = emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_CONTROL);
    n += emnet_h3_encode_settings(buf + n, sizeof buf - n, &s);
    emnet_px_wt_send_bytes(h->control, buf, n);
    n = emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_QPACK_ENCODER);
    emnet_px_wt_send_bytes(enc, buf, n);
    n = emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_QPACK_DECODER);
    emnet_px_wt_send_bytes(dec, buf, n);
}

/* ---- frames held whole in st->head ---- */
typedef void (*frame_fn)(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t type,
                         const uint8_t *payload, size_t len);

static void control_frame(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t type,
                          const uint8_t *payload, size_t len);

/* Appends bytes to the stream's head and hands over each whole frame;
 * DATA frames' payloads go to on_data as they arrive (for the CONNECT
 * stream's capsules, which are held in head too, after the frames).
 * Unknown and reserved frame types are ignored whatever their length
 * (RFC 9114 §9): one too long to hold is passed over as it arrives. */
static void frames_in(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const uint8_t *data, size_t len,
                      frame_fn on_frame)
{
    while (len && !h->closed) {
        if (st->skip) {
            size_t n = st->skip < len ? (size_t)st->skip : len;
            st->skip -= n;
            data += n;
            len -= n;
            emnet_px_wt_consumed(st, n);
            continue;
        }
        size_t take = sizeof st->head - st->head_len;
        if (take > len) take = len;
        memcpy(st->head + st->head_len, data, take);
        st->head_len += take;
        data += take;
        len -= take;
        emnet_px_wt_consumed(st, take);
        size_t at = 0;
        for (;;) {
            struct emnet_h3_frame_header fh;
            int rc = emnet_h3_frame_header_decode(st->head + at, st->head_len - at, FRAME_MAX, &fh);
            int cls = rc == EMNET_H3_EFRAME_TOO_LARGE ? emnet_h3_frame_class(fh.type) : EMNET_H3_FRAME_KNOWN;
            if ((cls == EMNET_H3_FRAME_UNKNOWN || cls == EMNET_H3_FRAME_GREASE) &&
                !(on_frame == control_frame && !h->settings_seen)) {
                size_t have = st->head_len - at - fh.header_len;   /* of its payload, here already */
                if (have >= fh.length) {
                    at += fh.header_len + (size_t)fh.length;
                    continue;
                }
                st->skip = fh.length - have;
                at = st->head_len;
                break;
            }
            if (rc < 0) {
                fail_conn(h, emnet_h3_error_code(rc), emnet_h3_error_name(rc));
                return;
            }
            if (rc == 0) break;
            if (fh.type == EMNET_H3_FRAME_DATA && fh.length > DATA_MAX) {
                fail_conn(h, H3_EXCESSIVE_LOAD, "a DATA frame too long for this stream");
                return;
            }
            if (st->head_len - at - fh.header_len < fh.length) break;
            on_frame(h, st, fh.type, st->head + at + fh.header_len, (size_t)fh.length);
            at += fh.header_len + (size_t)fh.length;
            if (h->closed || st->h3_state == R_REFUSED) return;
        }
        memmove(st->head, st->head + at, st->head_len - at);
        st->head_len -= at;
        if (st->head_len == sizeof st->head) {
            fail_conn(h, H3_EXCESSIVE_LOAD, "a frame longer than the proxy holds");
            return;
        }
    }
}

static void control_frame(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t type,
                          const uint8_t *payload, size_t len)
{
    (void)st;
    if (!h->settings_seen) {
        if (type != EMNET_H3_FRAME_SETTINGS) {
            fail_conn(h, H3_MISSING_SETTINGS, "the control stream does not start with SETTINGS");
            return;
        }
        int rc = emnet_h3_settings_decode(payload, len, &h->peer);
        if (rc < 0) {
            fail_conn(h, H3_SETTINGS_ERROR, emnet_h3_error_name(rc));
            return;
        }
        h->settings_seen = 1;
        return;
    }
    switch (emnet_h3_frame_class(type)) {
    case EMNET_H3_FRAME_KNOWN:
        if (type == EMNET_H3_FRAME_GOAWAY || type == EMNET_H3_FRAME_MAX_PUSH_ID) return;
        fail_conn(h, H3_FRAME_UNEXPECTED, emnet_h3_frame_name(type));
        return;
    default:
        return;   /* unknown and GREASE frames are ignored */
    }
}

/* ---- the CONNECT request ---- */
static void respond(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const char *status, int fin)
{
    nghttp3_nv nv[2] = {
        { (uint8_t *)":status", (uint8_t *)status, 7, strlen(status), NGHTTP3_NV_FLAG_NONE },
        { (uint8_t *)"sec-webtransport-http3-draft", (uint8_t *)"draft02", 28, 7, NGHTTP3_NV_FLAG_NONE },
    };
    nghttp3_buf pbuf, rbuf, ebuf;
    nghttp3_buf_init(&pbuf);
    nghttp3_buf_init(&rbuf);
    nghttp3_buf_init(&ebuf);
    if (nghttp3_qpack_encoder_encode(h->enc, &pbuf, &rbuf, &ebuf, st->id, nv, strcmp(status, "200") == 0 ? 2 : 1) !=
        0) {
        fail_conn(h, H3_INTERNAL_ERROR, "QPACK encoder");
    } else {
        size_t blen = (size_t)(pbuf.last - pbuf.pos) + (size_t)(rbuf.last - rbuf.pos);
        uint8_t out[512];
        size_t n = emnet_h3_encode_headers_header(out, sizeof out, blen);
        if (n && n + blen <= sizeof out) {
            memcpy(out + n, pbuf.pos, (size_t)(pbuf.last - pbuf.pos));
            n += (size_t)(pbuf.last - pbuf.pos);
            memcpy(out + n, rbuf.pos, (size_t)(rbuf.last - rbuf.pos));
            n += (size_t)(rbuf.last - rbuf.pos);
            emnet_px_wt_send_bytes(st, out, n);
            if (fin) emnet_px_wt_send_fin(st);
        }
    }
    nghttp3_buf_free(&pbuf, nghttp3_mem_default());
    nghttp3_buf_free(&rbuf, nghttp3_mem_default());
    nghttp3_buf_free(&ebuf, nghttp3_mem_default());
}

static void refuse(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const char *status,
                   enum emnet_px_refusal why, const char *detail)
{
    emnet_px_refuse(why);
    emnet_px_log(EMNET_PX_INFO, "refused", "client", emnet_px_wt_peer(h->qc), "mode", "webtransport", "status",
                 status, "reason", emnet_px_refusal_name(why), "detail", detail, NULL);
    respond(h, st, status, 1);
    emnet_px_wt_stop_reading(st, H3_NO_ERROR);
    st->h3_state = R_REFUSED;
}

struct request {
    char method[16], protocol[32], scheme[16], path[1024], origin[512], authorization[1100];
    int have_origin, have_authorization, bad;
};

static void copy_field(char *dst, size_t cap, nghttp3_vec v, int *bad)
{
    if (v.len >= cap) {
        *bad = 1;
        return;
    }
    memcpy(dst, v.base, v.len);
    dst[v.len] = '\0';
    if (memchr(dst, '\0', v.len)) *bad = 1;
}

/* Decodes a HEADERS frame's block into the fields a CONNECT needs. */
static int decode_headers(struct emnet_px_wt_h3 *h, int64_t stream_id, const uint8_t *block, size_t len,
                          struct request *r)
{
    memset(r, 0, sizeof *r);
    nghttp3_qpack_stream_context *sctx;
    if (nghttp3_qpack_stream_context_new(&sctx, stream_id, nghttp3_mem_default()) != 0) return -1;
    int rc = 0;
    while (len) {
        nghttp3_qpack_nv nv;
        uint8_t flags = 0;
        nghttp3_ssize n = nghttp3_qpack_decoder_read_request(h->dec, sctx, &nv, &flags, block, len, 1);
        if (n < 0 || (flags & NGHTTP3_QPACK_DECODE_FLAG_BLOCKED)) {
            rc = -1;
            break;
        }
        block += n;
        len -= (size_t)n;
        if (flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT) {
            nghttp3_vec name = nghttp3_rcbuf_get_buf(nv.name), value = nghttp3_rcbuf_get_buf(nv.value);
            struct { const char *name; char *dst; size_t cap; int *seen; } fields[] = {
                { ":method", r->method, sizeof r->method, NULL },
                { ":protocol", r->protocol, sizeof r->protocol, NULL },
                { ":scheme", r->scheme, sizeof r->scheme, NULL },
                { ":path", r->path, sizeof r->path, NULL },
                { "origin", r->origin, sizeof r->origin, &r->have_origin },
                { "authorization", r->authorization, sizeof r->authorization, &r->have_authorization },
            };
            for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
                if (name.len == strlen(fields[i].name) && memcmp(name.base, fields[i].name, name.len) == 0) {
                    copy_field(fields[i].dst, fields[i].cap, value, &r->bad);
                    if (fields[i].seen) *fields[i].seen = 1;
                }
            }
            nghttp3_rcbuf_decref(nv.name);
            nghttp3_rcbuf_decref(nv.value);
        }
        if (flags & NGHTTP3_QPACK_DECODE_FLAG_FINAL) break;
        if (n == 0 && !(flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT)) break;
    }
    nghttp3_qpack_stream_context_del(sctx);
    return rc;
}

/* The value of name=... in a query string, copied into out; NULL if absent. */
static const char *query_arg(const char *query, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = strcspn(p + nl + 1, "&");
            if (vl >= cap) return NULL;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return out;
        }
    }
    return NULL;
}

static void on_connect(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const uint8_t *block, size_t len)
{
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    struct request r;
    if (decode_headers(h, st->id, block, len, &r) != 0) {
        fail_conn(h, QPACK_DECOMPRESSION_FAILED, "a header block that does not decode");
        return;
    }
    if (r.bad || strcmp(r.method, "CONNECT") != 0 || strcmp(r.protocol, "webtransport") != 0 ||
        strcmp(r.scheme, "https") != 0)
        return refuse(h, st, "400", EMNET_PX_REFUSE_PROTOCOL, r.method);
    char *query = strchr(r.path, '?');
    if (query) *query++ = '\0';
    if (strcmp(r.path, cfg->webtransport_path) != 0) return refuse(h, st, "404", EMNET_PX_REFUSE_PATH, r.path);
    if (emnet_px.draining) return refuse(h, st, "503", EMNET_PX_REFUSE_DRAINING, NULL);
    if (!emnet_px_origin_allowed(r.have_origin ? r.origin : NULL))
        return refuse(h, st, "403", EMNET_PX_REFUSE_ORIGIN, r.origin);
    char token[1024];
    if (!emnet_px_bearer_values_ok(r.have_authorization ? r.authorization : NULL,
                                   query ? query_arg(query, "access_token", token, sizeof token) : NULL))
        return refuse(h, st, "401", EMNET_PX_REFUSE_AUTH, NULL);
    if (h->session_stream) return refuse(h, st, "429", EMNET_PX_REFUSE_MAX_CONNECTIONS, "one session per connection");
    if (emnet_px.nconns >= cfg->max_connections)
        return refuse(h, st, "429", EMNET_PX_REFUSE_MAX_CONNECTIONS, NULL);
    if (emnet_px_ip_count(emnet_px_wt_peer(h->qc)) >= cfg->max_connections_per_ip)
        return refuse(h, st, "429", EMNET_PX_REFUSE_MAX_PER_IP, NULL);
    h->session = emnet_px_wtg_session_open(h, emnet_px_wt_peer(h->qc));
    if (!h->session) return refuse(h, st, "500", EMNET_PX_REFUSE_PROTOCOL, "out of memory");
    h->session_stream = st;
    st->h3_kind = K_SESSION;
    st->h3_state = R_OPEN;
    respond(h, st, "200", 0);
}

/* Capsules on the session's stream, inside DATA frames: held in head
 * after the frames were taken apart (a capsule may span several). */
static void session_capsules(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const uint8_t *data,
                             size_t len)
{
    (void)st;
    /* What a browser sends here is GREASE and the close; a capsule is
     * small, so each is read from one DATA frame (DATA_MAX) or skipped. */
    while (len && !h->closed) {
        struct emnet_h3_capsule cap;
        int rc = emnet_h3_capsule_decode(data, len, EMNET_H3_CLOSE_VALUE_MAX, &cap);
        if (rc <= 0) return;   /* cut or too long: not one this proxy acts on */
        if (cap.type == EMNET_H3_CAPSULE_CLOSE_SESSION) {
            struct emnet_h3_close_session cs;
            if (emnet_h3_decode_close_session(cap.value, (size_t)cap.length, &cs) == 0) {
                char code[16];
                snprintf(code, sizeof code, "%u", cs.code);
                emnet_px_log(EMNET_PX_DEBUG, "webtransport_close", "client", emnet_px_wt_peer(h->qc), "code", code,
                             NULL);
            }
            end_session(h);
            emnet_px_wt_send_fin(h->session_stream);
            return;
        }
        data += cap.header_len + cap.length;
        len -= cap.header_len + (size_t)cap.length;
    }
}

static void request_frame(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t type,
                          const uint8_t *payload, size_t len)
{
    if (st->h3_kind == K_SESSION) {
        if (type == EMNET_H3_FRAME_DATA) session_capsules(h, st, payload, len);
        else if (emnet_h3_frame_class(type) == EMNET_H3_FRAME_KNOWN)
            fail_conn(h, H3_FRAME_UNEXPECTED, "a frame other than DATA after the CONNECT");
        return;
    }
    if (type == EMNET_H3_FRAME_HEADERS) {
        on_connect(h, st, payload, len);
    } else if (emnet_h3_frame_class(type) == EMNET_H3_FRAME_KNOWN) {
        fail_conn(h, H3_FRAME_UNEXPECTED, "a request that does not start with HEADERS");
    }
}

/* ---- streams ---- */
static int is_uni(int64_t id) { return (id & 2) != 0; }

/* Reads the stream's type or prefix; 1 when known (the bytes after it are
 * passed on), 0 while more are needed. */
static int classify(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const uint8_t **data, size_t *len)
{
    size_t take = sizeof st->head - st->head_len;
    if (take > *len) take = *len;
    if (take > 24) take = 24;   /* a prefix is two varints at most */
    memcpy(st->head + st->head_len, *data, take);
    st->head_len += take;
    struct emnet_h3_stream_prefix p;
    int rc = is_uni(st->id) ? emnet_h3_uni_prefix_decode(st->head, st->head_len, &p)
                            : emnet_h3_bidi_prefix_decode(st->head, st->head_len, &p);
    if (rc < 0) {
        fail_conn(h, emnet_h3_error_code(rc), emnet_h3_error_name(rc));
        return 0;
    }
    if (rc == 0) {
        emnet_px_wt_consumed(st, take);
        *data += take;
        *len -= take;
        return 0;
    }
    /* The bytes past the prefix that came with this call go on. */
    size_t had = st->head_len - take;
    size_t used = p.len > had ? p.len - had : 0;
    emnet_px_wt_consumed(st, used);
    *data += used;
    *len -= used;
    st->head_len = 0;
    switch (p.kind) {
    case EMNET_H3_KIND_CONTROL:
        if (h->peer_control >= 0) {
            fail_conn(h, H3_STREAM_CREATION_ERROR, "a second control stream");
            return 0;
        }
        h->peer_control = st->id;
        st->h3_kind = K_CONTROL;
        break;
    case EMNET_H3_KIND_QPACK_ENCODER: st->h3_kind = K_QPACK_ENC; break;
    case EMNET_H3_KIND_QPACK_DECODER: st->h3_kind = K_QPACK_DEC; break;
    case EMNET_H3_KIND_PUSH:
        fail_conn(h, H3_STREAM_CREATION_ERROR, "a push stream from a client");
        return 0;
    case EMNET_H3_KIND_REQUEST: st->h3_kind = K_REQUEST; break;
    case EMNET_H3_KIND_WEBTRANSPORT:
        if (is_uni(st->id) || !h->session || !h->session_stream || p.session_id != (uint64_t)h->session_stream->id) {
            /* emnet's protocol has no unidirectional streams; a stream
             * for no session (or an ended one) is refused. */
            st->h3_kind = K_IGNORED;
            emnet_px_wt_reset(st, emnet_h3_wt_app_error_to_code(0x02));
            return 0;
        }
        st->h3_kind = K_WT;
        break;
    default:   /* GREASE or a type nobody here knows: not read */
        st->h3_kind = K_IGNORED;
        emnet_px_wt_stop_reading(st, H3_STREAM_CREATION_ERROR);
        return 0;
    }
    return 1;
}

void emnet_px_h3_stream_data(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, const uint8_t *data, size_t len,
                             int fin)
{
    if (h->closed) return;
    if (st->h3_kind == K_NEW && !classify(h, st, &data, &len)) {
        if (fin && st->h3_kind == K_NEW) emnet_px_wt_stop_reading(st, H3_NO_ERROR);
        return;
    }
    switch (st->h3_kind) {
    case K_CONTROL:
        if (fin) {
            fail_conn(h, H3_CLOSED_CRITICAL_STREAM, "the control stream ended");
            return;
        }
        frames_in(h, st, data, len, control_frame);
        break;
    case K_QPACK_ENC:
        emnet_px_wt_consumed(st, len);
        if (len && nghttp3_qpack_decoder_read_encoder(h->dec, data, len) < 0)
            fail_conn(h, QPACK_ENCODER_STREAM_ERROR, "the QPACK encoder stream");
        break;
    case K_QPACK_DEC:
        emnet_px_wt_consumed(st, len);   /* nothing to learn: the proxy's encoder has no table */
        break;
    case K_REQUEST:
    case K_SESSION:
        if (st->h3_state == R_REFUSED) {
            emnet_px_wt_consumed(st, len);
            return;
        }
        frames_in(h, st, data, len, request_frame);
        if (fin && !h->closed && st->head_len) {
            /* RFC 9114 §7.1: a stream that ends inside a frame is a
             * connection error (it was a reset of the stream alone). */
            fail_conn(h, H3_FRAME_ERROR, "a stream ended inside a frame");
            return;
        }
        if (fin && st == h->session_stream && h->session) {
            end_session(h);   /* the page closed the session without a capsule */
            emnet_px_wt_send_fin(st);
        } else if (fin && st->h3_kind == K_REQUEST && st->h3_state == R_HEADERS) {
            /* Ended before its request was whole: RFC 9114 §4.1 names
             * H3_REQUEST_INCOMPLETE for it (H3_MESSAGE_ERROR is for a
             * malformed one). */
            emnet_px_wt_reset(st, H3_REQUEST_INCOMPLETE);
        }
        break;
    case K_WT:
        if (h->session) emnet_px_wtg_page_bytes(h->session, st, data, len, fin);
        else emnet_px_wt_consumed(st, len);
        break;
    default:
        emnet_px_wt_consumed(st, len);
        break;
    }
}

void emnet_px_h3_stream_reset(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t code)
{
    (void)code;
    if (st->h3_kind == K_CONTROL || st->h3_kind == K_QPACK_ENC || st->h3_kind == K_QPACK_DEC) {
        fail_conn(h, H3_CLOSED_CRITICAL_STREAM, "a critical stream was reset");
    } else if (st == h->session_stream) {
        end_session(h);
    } else if (st->h3_kind == K_WT && h->session) {
        emnet_px_wtg_stream_reset(h->session, st);
    }
}

void emnet_px_h3_stream_stop_sending(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st, uint64_t code)
{
    /* The peer reads no more of it: stop sending, as a reset of ours. */
    emnet_px_h3_stream_reset(h, st, code);
    emnet_px_wt_reset(st, code);
}

void emnet_px_h3_stream_acked(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st)
{
    if (st->h3_kind == K_WT && h->session) emnet_px_wtg_stream_acked(h->session, st);
}

void emnet_px_h3_stream_closed(struct emnet_px_wt_h3 *h, struct emnet_px_wt_stream *st)
{
    if (st->h3_kind == K_WT && h->session) emnet_px_wtg_stream_closed(h->session, st);
    if (st == h->session_stream) {
        end_session(h);
        h->session_stream = NULL;
    }
    if (st == h->control) h->control = NULL;
}

void emnet_px_h3_datagram(struct emnet_px_wt_h3 *h, const uint8_t *data, size_t len)
{
    struct emnet_h3_datagram d;
    if (!h->session || !h->session_stream || emnet_h3_datagram_decode(data, len, &d) < 0 ||
        d.session_id != (uint64_t)h->session_stream->id)
        return;   /* for no session of ours: dropped, as a datagram may be */
    emnet_px_wtg_datagram(h->session, d.payload, d.len);
}

int emnet_px_h3_send_datagram(struct emnet_px_wt_h3 *h, const void *payload, size_t len)
{
    if (!h->session_stream) return -1;
    uint8_t buf[65536];
    size_t n = emnet_h3_encode_datagram(buf, sizeof buf, (uint64_t)h->session_stream->id, payload, len);
    return n ? emnet_px_wt_send_datagram(h->qc, buf, n) : -1;
}

size_t emnet_px_h3_datagram_max(struct emnet_px_wt_h3 *h)
{
    size_t m = emnet_px_wt_datagram_max(h->qc);
    return m > 8 ? m - 8 : 0;   /* the quarter stream id */
}

void emnet_px_h3_close_session(struct emnet_px_wt_h3 *h, uint32_t code, const char *reason)
{
    struct emnet_px_wt_stream *st = h->session_stream;
    if (!st) return;
    uint8_t buf[16 + EMNET_H3_CLOSE_VALUE_MAX], frame[32 + EMNET_H3_CLOSE_VALUE_MAX];
    size_t n = emnet_h3_encode_close_session(buf, sizeof buf, code, reason, strlen(reason));
    size_t f = n ? emnet_h3_encode_data(frame, sizeof frame, buf, n) : 0;
    if (f) emnet_px_wt_send_bytes(st, frame, f);
    emnet_px_wt_send_fin(st);
    h->session = NULL;   /* the caller is ending the gateway's side itself */
    reset_session_streams(h);
}
