/* Capsules (RFC 9297 §3.2) on a WebTransport session's CONNECT stream,
 * and the two a WebTransport server reads and writes: CLOSE_SESSION and
 * DRAIN_SESSION (draft-ietf-webtrans-http3-16 §6 and §4.7; the same
 * numbers and layouts as CLOSE_/DRAIN_WEBTRANSPORT_SESSION in -07). */
#include "h3_codec.h"

#include <string.h>

int emnet_h3_capsule_is_grease(uint64_t type)
{
    return type >= 0x17 && (type - 0x17) % 0x29 == 0;
}

const char *emnet_h3_capsule_name(uint64_t type)
{
    switch (type) {
    case EMNET_H3_CAPSULE_DATAGRAM:
        return "DATAGRAM";
    case EMNET_H3_CAPSULE_CLOSE_SESSION:
        return "CLOSE_SESSION";
    case EMNET_H3_CAPSULE_DRAIN_SESSION:
        return "DRAIN_SESSION";
    case EMNET_H3_CAPSULE_WT_MAX_DATA:
        return "WT_MAX_DATA";
    case EMNET_H3_CAPSULE_WT_MAX_STREAMS_BIDI:
        return "WT_MAX_STREAMS_BIDI";
    case EMNET_H3_CAPSULE_WT_MAX_STREAMS_UNI:
        return "WT_MAX_STREAMS_UNI";
    case EMNET_H3_CAPSULE_WT_DATA_BLOCKED:
        return "WT_DATA_BLOCKED";
    case EMNET_H3_CAPSULE_WT_STREAMS_BLOCKED_BIDI:
        return "WT_STREAMS_BLOCKED_BIDI";
    case EMNET_H3_CAPSULE_WT_STREAMS_BLOCKED_UNI:
        return "WT_STREAMS_BLOCKED_UNI";
    }
    return emnet_h3_capsule_is_grease(type) ? "reserved" : "unknown";
}

int emnet_h3_capsule_decode(const uint8_t *buf, size_t len, uint64_t max_len, struct emnet_h3_capsule *out)
{
    uint64_t type, length;

    memset(out, 0, sizeof *out);
    int tn = emnet_h3_varint_decode(buf, len, &type);
    if (tn == 0)
        return 0;
    int ln = emnet_h3_varint_decode(buf + tn, len - (size_t)tn, &length);
    if (ln == 0)
        return 0;
    size_t h = (size_t)(tn + ln);
    out->type = type;
    out->length = length;
    out->header_len = h;
    if (length > max_len)
        return EMNET_H3_ECAPSULE_TOO_LARGE;
    if (length > len - h)
        return 0;
    out->value = buf + h;
    return (int)h;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes left), or 0.
 * Overlong forms, surrogates and code points past U+10FFFF are not UTF-8
 * (RFC 3629 §3), and the draft asks for UTF-8. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0; /* below is overlong */
        else if (c == 0xed)
            hi = 0x9f; /* above is a surrogate */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0)
            lo = 0x90; /* below is overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above is past U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return need;
}

static int utf8_ok(const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = utf8_seq(p, n);
        if (k == 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

/* The reason's rules, shared by the decoder and the encoder: 0 or the
 * error. */
static int check_reason(const uint8_t *reason, size_t len)
{
    if (len > EMNET_H3_CLOSE_REASON_MAX)
        return EMNET_H3_ECLOSE_REASON_LONG;
    if (!utf8_ok(reason, len))
        return EMNET_H3_ECLOSE_REASON_UTF8;
    return 0;
}

int emnet_h3_decode_close_session(const uint8_t *value, size_t len, struct emnet_h3_close_session *out)
{
    memset(out, 0, sizeof *out);
    if (len < 4)
        return EMNET_H3_ECLOSE_PAYLOAD;
    const uint8_t *reason = value + 4;
    size_t reason_len = len - 4;
    int rc = check_reason(reason, reason_len);
    if (rc < 0)
        return rc;
    out->code = (uint32_t)value[0] << 24 | (uint32_t)value[1] << 16 | (uint32_t)value[2] << 8 | value[3];
    out->reason = (const char *)reason;
    out->reason_len = reason_len;
    return 0;
}

int emnet_h3_check_drain_session(uint64_t length)
{
    /* The draft draws it with Length = 0 and no fields; bytes inside one
     * are fields it does not have (RFC 9297 §3.3: malformed). */
    return length == 0 ? 0 : EMNET_H3_EDRAIN_PAYLOAD;
}

size_t emnet_h3_encode_capsule_header(uint8_t *buf, size_t cap, uint64_t type, uint64_t length)
{
    size_t t = emnet_h3_varint_len(type), l = emnet_h3_varint_len(length);
    if (t == 0 || l == 0 || cap < t || cap - t < l)
        return 0;
    emnet_h3_varint_encode(buf, cap, type);
    emnet_h3_varint_encode(buf + t, cap - t, length);
    return t + l;
}

size_t emnet_h3_encode_capsule(uint8_t *buf, size_t cap, uint64_t type, const void *value, size_t len)
{
    size_t t = emnet_h3_varint_len(type), l = emnet_h3_varint_len(len);
    if (t == 0 || l == 0 || cap < t || cap - t < l || len > cap - t - l)
        return 0;
    /* The value first, as it may sit where the header ends. */
    if (len > 0)
        memmove(buf + t + l, value, len);
    return emnet_h3_encode_capsule_header(buf, cap, type, len) + len;
}

size_t emnet_h3_encode_close_session(uint8_t *buf, size_t cap, uint32_t code, const char *reason,
                                     size_t reason_len)
{
    if (check_reason((const uint8_t *)reason, reason_len) < 0)
        return 0;
    /* reason_len <= 1024 here, so the sums below cannot wrap. */
    size_t value_len = 4 + reason_len;
    size_t h = emnet_h3_varint_len(EMNET_H3_CAPSULE_CLOSE_SESSION) + emnet_h3_varint_len(value_len);
    if (cap < h || value_len > cap - h)
        return 0;
    if (reason_len > 0)
        memmove(buf + h + 4, reason, reason_len);
    emnet_h3_encode_capsule_header(buf, cap, EMNET_H3_CAPSULE_CLOSE_SESSION, value_len);
    buf[h] = (uint8_t)(code >> 24);
    buf[h + 1] = (uint8_t)(code >> 16);
    buf[h + 2] = (uint8_t)(code >> 8);
    buf[h + 3] = (uint8_t)code;
    return h + value_len;
}

size_t emnet_h3_encode_drain_session(uint8_t *buf, size_t cap)
{
    return emnet_h3_encode_capsule_header(buf, cap, EMNET_H3_CAPSULE_DRAIN_SESSION, 0);
}
