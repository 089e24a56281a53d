/* What a stream is, read from its first bytes: HTTP/3's unidirectional
 * stream types (RFC 9114 §6.2) and WebTransport's stream headers
 * (draft-ietf-webtrans-http3 §4.2 and §4.3, unchanged from draft-02 to
 * -16: 0x54 or 0x41, then the session id). */
#include "h3_codec.h"

#include <string.h>

const char *emnet_h3_stream_kind_name(int kind)
{
    switch (kind) {
    case EMNET_H3_KIND_CONTROL:
        return "control";
    case EMNET_H3_KIND_PUSH:
        return "push";
    case EMNET_H3_KIND_QPACK_ENCODER:
        return "qpack_encoder";
    case EMNET_H3_KIND_QPACK_DECODER:
        return "qpack_decoder";
    case EMNET_H3_KIND_WEBTRANSPORT:
        return "webtransport";
    case EMNET_H3_KIND_REQUEST:
        return "request";
    case EMNET_H3_KIND_GREASE:
        return "grease";
    case EMNET_H3_KIND_UNKNOWN:
        return "unknown";
    }
    return "?";
}

/* Session ids are CONNECT stream ids, which only the client opens, as
 * bidirectional streams: the two low bits of such an id are 00 (RFC 9000
 * §2.1). Anything else cannot name a session (H3_ID_ERROR). */
static int session_id_ok(uint64_t id)
{
    return id % 4 == 0;
}

/* The session id after a WebTransport signal or stream type of n bytes:
 * 1 with the prefix complete, 0 for more bytes, or ESESSION_ID. */
static int read_session_id(const uint8_t *buf, size_t len, int n, struct emnet_h3_stream_prefix *out)
{
    uint64_t id;
    int idn = emnet_h3_varint_decode(buf + n, len - (size_t)n, &id);
    if (idn == 0)
        return 0;
    out->kind = EMNET_H3_KIND_WEBTRANSPORT;
    out->session_id = id;
    if (!session_id_ok(id))
        return EMNET_H3_ESESSION_ID;
    out->len = (size_t)(n + idn);
    return 1;
}

int emnet_h3_uni_prefix_decode(const uint8_t *buf, size_t len, struct emnet_h3_stream_prefix *out)
{
    uint64_t type;

    memset(out, 0, sizeof *out);
    int n = emnet_h3_varint_decode(buf, len, &type);
    if (n == 0)
        return 0;
    out->type = type;
    switch (type) {
    case EMNET_H3_STREAM_CONTROL:
        out->kind = EMNET_H3_KIND_CONTROL;
        break;
    case EMNET_H3_STREAM_PUSH:
        out->kind = EMNET_H3_KIND_PUSH;
        break;
    case EMNET_H3_STREAM_QPACK_ENCODER:
        out->kind = EMNET_H3_KIND_QPACK_ENCODER;
        break;
    case EMNET_H3_STREAM_QPACK_DECODER:
        out->kind = EMNET_H3_KIND_QPACK_DECODER;
        break;
    case EMNET_H3_STREAM_WEBTRANSPORT:
        return read_session_id(buf, len, n, out);
    default:
        out->kind = emnet_h3_is_grease(type) ? EMNET_H3_KIND_GREASE : EMNET_H3_KIND_UNKNOWN;
        break;
    }
    out->len = (size_t)n;
    return 1;
}

int emnet_h3_bidi_prefix_decode(const uint8_t *buf, size_t len, struct emnet_h3_stream_prefix *out)
{
    uint64_t first;

    memset(out, 0, sizeof *out);
    int n = emnet_h3_varint_decode(buf, len, &first);
    if (n == 0)
        return 0;
    out->type = first;
    if (first == EMNET_H3_FRAME_WT_STREAM)
        return read_session_id(buf, len, n, out);
    /* Not the signal: the varint was the type of the request's first
     * frame, which the frame decoder reads again from byte 0. */
    out->kind = EMNET_H3_KIND_REQUEST;
    out->len = 0;
    return 1;
}

size_t emnet_h3_encode_uni_stream_type(uint8_t *buf, size_t cap, uint64_t type)
{
    if (type == EMNET_H3_STREAM_WEBTRANSPORT)
        return 0;
    return emnet_h3_varint_encode(buf, cap, type);
}

/* A signal or stream type and a session id, both or nothing. */
static size_t encode_wt(uint8_t *buf, size_t cap, uint64_t first, uint64_t session_id)
{
    size_t a = emnet_h3_varint_len(first), b = emnet_h3_varint_len(session_id);
    if (b == 0 || !session_id_ok(session_id) || cap < a || cap - a < b)
        return 0;
    emnet_h3_varint_encode(buf, cap, first);
    emnet_h3_varint_encode(buf + a, cap - a, session_id);
    return a + b;
}

size_t emnet_h3_encode_wt_uni_prefix(uint8_t *buf, size_t cap, uint64_t session_id)
{
    return encode_wt(buf, cap, EMNET_H3_STREAM_WEBTRANSPORT, session_id);
}

size_t emnet_h3_encode_wt_bidi_prefix(uint8_t *buf, size_t cap, uint64_t session_id)
{
    return encode_wt(buf, cap, EMNET_H3_FRAME_WT_STREAM, session_id);
}
