/* Fuzzes the HTTP/3 and WebTransport codec. The first byte picks what the
 * rest is read as, the way a server meets it:
 *
 *   % 6 == 0  a stream of HTTP/3 frames (control or request stream): every
 *             header, and the SETTINGS / GOAWAY-like payloads inside
 *         1   one SETTINGS payload
 *         2   the start of a unidirectional stream
 *         3   the start of a bidirectional stream
 *         4   a CONNECT stream's capsules, CLOSE and DRAIN inside
 *         5   a QUIC DATAGRAM payload
 *
 * The upper bits of the first byte set the size limits, so that both
 * sides of each limit get exercised. Whatever the bytes, a decoder must
 * give a result or a known error and stay inside its input (each input is
 * an exact-size heap copy, so ASan sees an over-read); whatever decodes
 * must encode (shortest form) and decode again to the same fields, and to
 * the same bytes where the input was already in shortest form. Failures
 * abort, which libFuzzer reports with the input that caused them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h3_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(cond)      \
    do {                  \
        if (!(cond))      \
            abort();      \
    } while (0)

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    ASSERT(c != NULL);
    if (n)
        memcpy(c, p, n);
    return c;
}

static void known_error(int rc)
{
    ASSERT(rc < 0 && strcmp(emnet_h3_error_name(rc), "?") != 0);
    ASSERT(emnet_h3_error_code(rc) != EMNET_H3_CODE_INTERNAL_ERROR);
}

/* The varint at the start: shortest re-encoding, same value back. */
static void varint(const uint8_t *p, size_t n)
{
    uint64_t v, back;
    int rc = emnet_h3_varint_decode(p, n, &v);
    ASSERT(rc == 0 || rc == 1 || rc == 2 || rc == 4 || rc == 8);
    if (rc == 0) {
        ASSERT(n == 0 || n < ((size_t)1 << (p[0] >> 6)));
        return;
    }
    ASSERT((size_t)rc <= n);
    ASSERT(v <= EMNET_H3_VARINT_MAX);
    uint8_t out[EMNET_H3_VARINT_MAX_LEN];
    size_t len = emnet_h3_varint_encode(out, sizeof out, v);
    ASSERT(len > 0 && len <= (size_t)rc && len == emnet_h3_varint_len(v));
    ASSERT(emnet_h3_varint_decode(out, len, &back) == (int)len && back == v);
    if (len == (size_t)rc)
        ASSERT(memcmp(out, p, len) == 0);
    ASSERT(emnet_h3_varint_encode(out, len - 1, v) == 0);
}

/* A SETTINGS payload: decoded, re-encoded as a frame, decoded the same. */
static void settings_payload(const uint8_t *p, size_t n)
{
    uint8_t *c = copy_of(p, n);
    struct emnet_h3_settings s, back;
    int rc = emnet_h3_settings_decode(c, n, &s);

    /* The iterator agrees on where the pairs end. */
    const uint8_t *it = c, *end = c + n;
    uint64_t id, value;
    int pairs = 0, irc;
    while ((irc = emnet_h3_settings_next(&it, end, &id, &value)) == 1) {
        ASSERT(it <= end);
        ASSERT(emnet_h3_setting_name(id) != NULL);
        pairs++;
    }
    ASSERT(irc == 0 || irc == EMNET_H3_EFRAME_PAYLOAD);
    if (irc == 0)
        ASSERT(it == end);

    /* A payload the iterator cannot walk never decodes. */
    if (irc != 0)
        ASSERT(rc != 0);
    if (rc != 0) {
        known_error(rc);
        free(c);
        return;
    }
    ASSERT(irc == 0 && pairs <= EMNET_H3_SETTINGS_MAX);
    ASSERT(s.enable_connect_protocol <= 1 && s.h3_datagram <= 1);
    if (!(s.present & EMNET_H3_HAS_MAX_FIELD_SECTION_SIZE))
        ASSERT(s.max_field_section_size == EMNET_H3_UNLIMITED);

    /* Every present value came from a varint, so the frame encodes. */
    uint8_t *frame = malloc(2 * 9 + 12 * 16);
    ASSERT(frame != NULL);
    size_t fn = emnet_h3_encode_settings(frame, 2 * 9 + 12 * 16, &s);
    ASSERT(fn >= 2);
    ASSERT(emnet_h3_encode_settings(frame, fn - 1, &s) == 0);
    struct emnet_h3_frame_header h;
    int hn = emnet_h3_frame_header_decode(frame, fn, UINT64_MAX, &h);
    ASSERT(hn > 0 && h.type == EMNET_H3_FRAME_SETTINGS && h.length == fn - (size_t)hn);
    ASSERT(emnet_h3_settings_decode(frame + hn, (size_t)h.length, &back) == 0);
    ASSERT(memcmp(&s, &back, sizeof s) == 0);
    free(frame);
    free(c);
}

/* GOAWAY, CANCEL_PUSH, MAX_PUSH_ID: one varint, exactly. */
static void id_payload(uint64_t type, const uint8_t *p, size_t n)
{
    uint8_t *c = copy_of(p, n);
    uint64_t id;
    int rc = emnet_h3_decode_id_payload(c, n, &id);
    if (rc < 0) {
        ASSERT(rc == EMNET_H3_EFRAME_PAYLOAD);
    } else {
        ASSERT(rc == 0 && emnet_h3_varint_len(id) <= n);
        if (type == EMNET_H3_FRAME_GOAWAY && id % 4 == 0) {
            uint8_t out[2 + 2 * EMNET_H3_VARINT_MAX_LEN];
            size_t on = emnet_h3_encode_goaway(out, sizeof out, id);
            struct emnet_h3_frame_header h;
            uint64_t back;
            int hn = emnet_h3_frame_header_decode(out, on, 8, &h);
            ASSERT(on > 0 && hn > 0 && h.type == EMNET_H3_FRAME_GOAWAY);
            ASSERT(emnet_h3_decode_id_payload(out + hn, (size_t)h.length, &back) == 0 && back == id);
        }
    }
    free(c);
}

/* A stream of frames, walked as a receiver would: stop at the first error
 * or at a frame whose payload has not all arrived. */
static void frame_stream(const uint8_t *c, size_t n, uint64_t max_payload)
{
    size_t at = 0;
    while (at < n) {
        struct emnet_h3_frame_header h;
        int rc = emnet_h3_frame_header_decode(c + at, n - at, max_payload, &h);
        ASSERT(strcmp(emnet_h3_frame_name(h.type), "") != 0);
        if (rc == 0)
            return;
        if (rc < 0) {
            known_error(rc);
            if (rc == EMNET_H3_EFRAME_HTTP2)
                ASSERT(emnet_h3_frame_class(h.type) == EMNET_H3_FRAME_HTTP2);
            else if (rc == EMNET_H3_EFRAME_WT_STREAM)
                ASSERT(h.type == EMNET_H3_FRAME_WT_STREAM);
            else
                ASSERT(rc == EMNET_H3_EFRAME_TOO_LARGE && h.type != EMNET_H3_FRAME_DATA &&
                       h.length > max_payload && h.header_len > 0 && h.header_len <= n - at);
            return;
        }
        ASSERT((size_t)rc == h.header_len && h.header_len <= n - at && h.header_len <= 16);
        ASSERT(h.type == EMNET_H3_FRAME_DATA || h.length <= max_payload);
        int cls = emnet_h3_frame_class(h.type);
        ASSERT(cls != EMNET_H3_FRAME_HTTP2 && cls != EMNET_H3_FRAME_WT_SIGNAL);

        /* One byte short of the header is "need more", and the shortest
         * re-encoding decodes to the same header. */
        ASSERT(emnet_h3_frame_header_decode(c + at, (size_t)rc - 1, max_payload, &h) == 0);
        emnet_h3_frame_header_decode(c + at, n - at, max_payload, &h);
        uint8_t out[16];
        struct emnet_h3_frame_header again;
        size_t on = emnet_h3_encode_frame_header(out, sizeof out, h.type, h.length);
        ASSERT(on > 0 && on <= (size_t)rc && on == emnet_h3_frame_header_len(h.type, h.length));
        ASSERT(emnet_h3_frame_header_decode(out, on, max_payload, &again) == (int)on);
        ASSERT(again.type == h.type && again.length == h.length);

        if (h.length > n - at - (size_t)rc)
            return;
        const uint8_t *payload = c + at + rc;
        if (h.type == EMNET_H3_FRAME_SETTINGS)
            settings_payload(payload, (size_t)h.length);
        else if (h.type == EMNET_H3_FRAME_GOAWAY || h.type == EMNET_H3_FRAME_MAX_PUSH_ID ||
                 h.type == EMNET_H3_FRAME_CANCEL_PUSH)
            id_payload(h.type, payload, (size_t)h.length);
        at += (size_t)rc + (size_t)h.length;
    }
}

static void stream_prefix(const uint8_t *c, size_t n, int bidi)
{
    struct emnet_h3_stream_prefix p, again;
    int rc = bidi ? emnet_h3_bidi_prefix_decode(c, n, &p) : emnet_h3_uni_prefix_decode(c, n, &p);
    ASSERT(strcmp(emnet_h3_stream_kind_name(p.kind), "?") != 0);
    if (rc == 0)
        return;
    if (rc < 0) {
        ASSERT(rc == EMNET_H3_ESESSION_ID);
        ASSERT(p.kind == EMNET_H3_KIND_WEBTRANSPORT && p.session_id % 4 != 0);
        return;
    }
    ASSERT(rc == 1 && p.len <= n);
    if (p.kind == EMNET_H3_KIND_REQUEST) {
        ASSERT(bidi && p.len == 0 && p.type != EMNET_H3_FRAME_WT_STREAM);
        return;
    }
    /* A prefix one byte short is "need more". */
    ASSERT(p.len > 0);
    ASSERT((bidi ? emnet_h3_bidi_prefix_decode(c, p.len - 1, &again) : emnet_h3_uni_prefix_decode(c, p.len - 1, &again)) ==
           0);

    uint8_t out[2 * EMNET_H3_VARINT_MAX_LEN];
    size_t on;
    if (p.kind == EMNET_H3_KIND_WEBTRANSPORT) {
        ASSERT(p.session_id % 4 == 0);
        ASSERT(p.type == (bidi ? EMNET_H3_FRAME_WT_STREAM : EMNET_H3_STREAM_WEBTRANSPORT));
        on = bidi ? emnet_h3_encode_wt_bidi_prefix(out, sizeof out, p.session_id)
                  : emnet_h3_encode_wt_uni_prefix(out, sizeof out, p.session_id);
    } else {
        ASSERT(!bidi);
        on = emnet_h3_encode_uni_stream_type(out, sizeof out, p.type);
    }
    ASSERT(on > 0 && on <= p.len);
    rc = bidi ? emnet_h3_bidi_prefix_decode(out, on, &again) : emnet_h3_uni_prefix_decode(out, on, &again);
    ASSERT(rc == 1 && again.kind == p.kind && again.type == p.type && again.session_id == p.session_id &&
           again.len == on);
    if (on == p.len)
        ASSERT(memcmp(out, c, on) == 0);
}

/* A CLOSE_SESSION value: what decodes re-encodes to the same value. */
static void close_value(const uint8_t *value, size_t len)
{
    uint8_t *c = copy_of(value, len);
    struct emnet_h3_close_session cs;
    int rc = emnet_h3_decode_close_session(c, len, &cs);
    if (rc < 0) {
        known_error(rc);
        ASSERT(rc == EMNET_H3_ECLOSE_PAYLOAD || rc == EMNET_H3_ECLOSE_REASON_LONG ||
               rc == EMNET_H3_ECLOSE_REASON_UTF8);
    } else {
        ASSERT(rc == 0 && cs.reason_len == len - 4 && cs.reason_len <= EMNET_H3_CLOSE_REASON_MAX);
        uint8_t *out = malloc(8 + len);
        ASSERT(out != NULL);
        size_t on = emnet_h3_encode_close_session(out, 8 + len, cs.code, cs.reason, cs.reason_len);
        struct emnet_h3_capsule cap;
        int hn = emnet_h3_capsule_decode(out, on, EMNET_H3_CLOSE_VALUE_MAX, &cap);
        ASSERT(on > 0 && hn > 0 && cap.type == EMNET_H3_CAPSULE_CLOSE_SESSION && cap.length == len);
        ASSERT(memcmp(cap.value, c, len) == 0);
        ASSERT(emnet_h3_encode_close_session(out, on - 1, cs.code, cs.reason, cs.reason_len) == 0);
        free(out);
    }
    free(c);
}

/* Capsules one after another, the way the CONNECT stream's data arrives:
 * the too-large ones are skipped, as RFC 9297 asks, not buffered. */
static void capsule_stream(const uint8_t *c, size_t n, uint64_t max_len)
{
    size_t at = 0;
    while (at < n) {
        struct emnet_h3_capsule cap;
        int rc = emnet_h3_capsule_decode(c + at, n - at, max_len, &cap);
        ASSERT(emnet_h3_capsule_name(cap.type) != NULL);
        if (rc == 0)
            return;
        if (rc < 0) {
            ASSERT(rc == EMNET_H3_ECAPSULE_TOO_LARGE && cap.length > max_len && cap.value == NULL);
            ASSERT(cap.header_len > 0 && cap.header_len <= n - at);
            if (cap.length > n - at - cap.header_len)
                return;
            at += cap.header_len + (size_t)cap.length;
            continue;
        }
        ASSERT((size_t)rc == cap.header_len && cap.value == c + at + rc);
        ASSERT(cap.length <= max_len && cap.length <= n - at - (size_t)rc);
        ASSERT(emnet_h3_capsule_decode(c + at, (size_t)rc + (size_t)cap.length - 1, max_len, &cap) == 0);
        emnet_h3_capsule_decode(c + at, n - at, max_len, &cap);

        /* Re-encoded: same fields, and same bytes if the header was shortest. */
        size_t total = (size_t)rc + (size_t)cap.length;
        uint8_t *out = malloc(total);
        ASSERT(out != NULL);
        size_t on = emnet_h3_encode_capsule(out, total, cap.type, cap.value, (size_t)cap.length);
        ASSERT(on > 0 && on <= total);
        struct emnet_h3_capsule again;
        ASSERT(emnet_h3_capsule_decode(out, on, max_len, &again) > 0);
        ASSERT(again.type == cap.type && again.length == cap.length);
        ASSERT(cap.length == 0 || memcmp(again.value, cap.value, (size_t)cap.length) == 0);
        if (on == total)
            ASSERT(memcmp(out, c + at, total) == 0);
        free(out);

        if (cap.type == EMNET_H3_CAPSULE_CLOSE_SESSION)
            close_value(cap.value, (size_t)cap.length);
        else if (cap.type == EMNET_H3_CAPSULE_DRAIN_SESSION)
            ASSERT(emnet_h3_check_drain_session(cap.length) == (cap.length ? EMNET_H3_EDRAIN_PAYLOAD : 0));
        at += total;
    }
}

static void datagram(const uint8_t *c, size_t n)
{
    struct emnet_h3_datagram d, again;
    int rc = emnet_h3_datagram_decode(c, n, &d);
    if (rc < 0) {
        ASSERT(rc == EMNET_H3_EDATAGRAM_SHORT || rc == EMNET_H3_EQUARTER_STREAM_ID);
        return;
    }
    ASSERT(rc > 0 && d.session_id % 4 == 0 && d.payload == c + rc && d.len == n - (size_t)rc);
    uint8_t *out = malloc(n);
    ASSERT(out != NULL);
    size_t on = emnet_h3_encode_datagram(out, n, d.session_id, d.payload, d.len);
    ASSERT(on > 0 && on <= n);
    ASSERT(emnet_h3_datagram_decode(out, on, &again) > 0);
    ASSERT(again.session_id == d.session_id && again.len == d.len);
    ASSERT(d.len == 0 || memcmp(again.payload, d.payload, d.len) == 0);
    if (on == n)
        ASSERT(memcmp(out, c, n) == 0);
    free(out);
}

/* The error-code space: any 64-bit value has a name, and WebTransport's
 * mapping is a bijection between 32-bit codes and the non-GREASE part of
 * its range. */
static void codes(const uint8_t *p, size_t n)
{
    if (n < 8)
        return;
    uint64_t code = 0;
    for (int i = 0; i < 8; i++)
        code = code << 8 | p[i];
    ASSERT(emnet_h3_code_name(code) != NULL);
    uint32_t app;
    if (emnet_h3_wt_app_error_from_code(code, &app) == 0)
        ASSERT(emnet_h3_wt_app_error_to_code(app) == code);
    app = (uint32_t)code;
    uint64_t mapped = emnet_h3_wt_app_error_to_code(app);
    uint32_t back;
    ASSERT(!emnet_h3_is_grease(mapped) && emnet_h3_wt_app_error_from_code(mapped, &back) == 0 && back == app);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t sel = data[0];
    size_t n = size - 1;
    uint8_t *c = copy_of(data + 1, n);
    /* Limits from the selector's upper bits: 0, small, and large enough
     * for a whole CLOSE_SESSION. */
    uint64_t limit = (uint64_t)(sel / 6) * 25;

    varint(c, n);
    codes(c, n);
    switch (sel % 6) {
    case 0:
        frame_stream(c, n, limit);
        break;
    case 1:
        settings_payload(c, n);
        break;
    case 2:
        stream_prefix(c, n, 0);
        break;
    case 3:
        stream_prefix(c, n, 1);
        break;
    case 4:
        capsule_stream(c, n, limit);
        break;
    case 5:
        datagram(c, n);
        break;
    }
    free(c);
    return 0;
}
