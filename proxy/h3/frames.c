/* HTTP/3 frames (RFC 9114 §7): the header every frame starts with, the
 * few whole frames a server writes, and what each type is.
 *
 * Sizes are compared by subtraction from what is left (cap - header),
 * never by adding a caller's length to something first, so no length a
 * peer or caller passes can make a sum wrap. */
#include "h3_codec.h"

#include <string.h>

int emnet_h3_is_grease(uint64_t v)
{
    return v >= 0x21 && (v - 0x21) % 0x1f == 0;
}

/* Types HTTP/2 defined and HTTP/3 dropped (PRIORITY, PING, WINDOW_UPDATE,
 * CONTINUATION): RFC 9114 §7.2.8 makes their receipt H3_FRAME_UNEXPECTED,
 * which catches an HTTP/2 framer wired to a QUIC stream by mistake. */
static int http2_type(uint64_t type)
{
    return type == 0x02 || type == 0x06 || type == 0x08 || type == 0x09;
}

int emnet_h3_frame_class(uint64_t type)
{
    switch (type) {
    case EMNET_H3_FRAME_DATA:
    case EMNET_H3_FRAME_HEADERS:
    case EMNET_H3_FRAME_CANCEL_PUSH:
    case EMNET_H3_FRAME_SETTINGS:
    case EMNET_H3_FRAME_PUSH_PROMISE:
    case EMNET_H3_FRAME_GOAWAY:
    case EMNET_H3_FRAME_MAX_PUSH_ID:
        return EMNET_H3_FRAME_KNOWN;
    case EMNET_H3_FRAME_WT_STREAM:
        return EMNET_H3_FRAME_WT_SIGNAL;
    }
    if (http2_type(type))
        return EMNET_H3_FRAME_HTTP2;
    return emnet_h3_is_grease(type) ? EMNET_H3_FRAME_GREASE : EMNET_H3_FRAME_UNKNOWN;
}

const char *emnet_h3_frame_name(uint64_t type)
{
    switch (type) {
    case EMNET_H3_FRAME_DATA:
        return "DATA";
    case EMNET_H3_FRAME_HEADERS:
        return "HEADERS";
    case 0x02:
        return "PRIORITY";
    case EMNET_H3_FRAME_CANCEL_PUSH:
        return "CANCEL_PUSH";
    case EMNET_H3_FRAME_SETTINGS:
        return "SETTINGS";
    case EMNET_H3_FRAME_PUSH_PROMISE:
        return "PUSH_PROMISE";
    case 0x06:
        return "PING";
    case EMNET_H3_FRAME_GOAWAY:
        return "GOAWAY";
    case 0x08:
        return "WINDOW_UPDATE";
    case 0x09:
        return "CONTINUATION";
    case EMNET_H3_FRAME_MAX_PUSH_ID:
        return "MAX_PUSH_ID";
    case EMNET_H3_FRAME_WT_STREAM:
        return "WT_STREAM";
    }
    return emnet_h3_is_grease(type) ? "reserved" : "unknown";
}

int emnet_h3_frame_header_decode(const uint8_t *buf, size_t len, uint64_t max_payload,
                                 struct emnet_h3_frame_header *out)
{
    uint64_t type, length;

    memset(out, 0, sizeof *out);
    int tn = emnet_h3_varint_decode(buf, len, &type);
    if (tn == 0)
        return 0;
    out->type = type;
    /* Judged before the length is in: what follows 0x41 is a session id,
     * not a length, and neither kind of type can become valid with more
     * bytes. */
    if (http2_type(type))
        return EMNET_H3_EFRAME_HTTP2;
    if (type == EMNET_H3_FRAME_WT_STREAM)
        return EMNET_H3_EFRAME_WT_STREAM;
    int ln = emnet_h3_varint_decode(buf + tn, len - (size_t)tn, &length);
    if (ln == 0)
        return 0;
    out->length = length;
    out->header_len = (size_t)(tn + ln);
    if (type != EMNET_H3_FRAME_DATA && length > max_payload)
        return EMNET_H3_EFRAME_TOO_LARGE;
    return tn + ln;
}

size_t emnet_h3_frame_header_len(uint64_t type, uint64_t length)
{
    size_t t = emnet_h3_varint_len(type), l = emnet_h3_varint_len(length);
    return t && l ? t + l : 0;
}

size_t emnet_h3_encode_frame_header(uint8_t *buf, size_t cap, uint64_t type, uint64_t length)
{
    size_t n = emnet_h3_frame_header_len(type, length);
    if (n == 0 || cap < n || http2_type(type) || type == EMNET_H3_FRAME_WT_STREAM)
        return 0;
    size_t t = emnet_h3_varint_encode(buf, cap, type);
    return t + emnet_h3_varint_encode(buf + t, cap - t, length);
}

size_t emnet_h3_encode_frame(uint8_t *buf, size_t cap, uint64_t type, const void *payload, size_t len)
{
    size_t h = emnet_h3_frame_header_len(type, len);
    if (h == 0 || cap < h || len > cap - h || http2_type(type) || type == EMNET_H3_FRAME_WT_STREAM)
        return 0;
    /* The payload goes first: the caller may have placed it right after
     * where the header goes, and writing the header cannot touch it. */
    if (len > 0)
        memmove(buf + h, payload, len);
    emnet_h3_encode_frame_header(buf, cap, type, len);
    return h + len;
}

size_t emnet_h3_encode_data_header(uint8_t *buf, size_t cap, uint64_t length)
{
    return emnet_h3_encode_frame_header(buf, cap, EMNET_H3_FRAME_DATA, length);
}

size_t emnet_h3_encode_data(uint8_t *buf, size_t cap, const void *data, size_t len)
{
    return emnet_h3_encode_frame(buf, cap, EMNET_H3_FRAME_DATA, data, len);
}

size_t emnet_h3_encode_headers_header(uint8_t *buf, size_t cap, uint64_t length)
{
    return emnet_h3_encode_frame_header(buf, cap, EMNET_H3_FRAME_HEADERS, length);
}

size_t emnet_h3_encode_headers(uint8_t *buf, size_t cap, const void *block, size_t len)
{
    return emnet_h3_encode_frame(buf, cap, EMNET_H3_FRAME_HEADERS, block, len);
}

size_t emnet_h3_encode_goaway(uint8_t *buf, size_t cap, uint64_t stream_id)
{
    uint8_t id[EMNET_H3_VARINT_MAX_LEN];
    size_t n = emnet_h3_varint_encode(id, sizeof id, stream_id);
    if (n == 0 || stream_id % 4 != 0)
        return 0;
    return emnet_h3_encode_frame(buf, cap, EMNET_H3_FRAME_GOAWAY, id, n);
}

int emnet_h3_decode_id_payload(const uint8_t *payload, size_t len, uint64_t *id)
{
    int n = emnet_h3_varint_decode(payload, len, id);
    /* RFC 9114 §7.1: a payload must hold exactly its fields; a short one
     * or one with bytes after the id is H3_FRAME_ERROR alike. */
    return n > 0 && (size_t)n == len ? 0 : EMNET_H3_EFRAME_PAYLOAD;
}
