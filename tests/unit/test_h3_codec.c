/* The HTTP/3 and WebTransport codec against hand-written bytes: the
 * RFC 9000 varint examples, what Chromium 156 sends (the notes), every
 * decoder error, sizes at their limits, encoders given too little room.
 * Every input is decoded from a heap copy of exactly its size, and again
 * cut at every byte, so that a read past the end trips the sanitizers;
 * the incremental decoders must answer "need more" (0) for every cut
 * shorter than what their answer rests on, and that answer after. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "h3_codec.h"

/* A byte array literal and its size, for tables. */
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define FF8 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

struct vec {
    const char *label;
    const uint8_t *bytes;
    size_t len;
    int rc;          /* what the decoder returns for the whole input */
    uint64_t a, b, c; /* the decoder's results, as its wrapper below lists them */
    size_t need;     /* bytes the answer rests on (incremental decoders); 0: all */
};

/* A decoder under test, reduced to three numbers. Wrappers zero what a
 * decoder leaves unspecified (fields after an error it does not document
 * as filling them), so that tables compare only promises. */
typedef int (*decode_fn)(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c);

static uint8_t *heap_copy(const uint8_t *bytes, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    if (len)
        memcpy(copy, bytes, len);
    return copy;
}

static int known_result(int rc)
{
    return rc >= 0 || strcmp(emnet_h3_error_name(rc), "?") != 0;
}

static void run_table(const char *table, decode_fn fn, const struct vec *vecs, size_t n, int incremental)
{
    for (size_t i = 0; i < n; i++) {
        const struct vec *v = &vecs[i];
        uint64_t a = 0, b = 0, c = 0;
        uint8_t *copy = heap_copy(v->bytes, v->len);
        int rc = fn(copy, v->len, &a, &b, &c);
        free(copy);
        if (rc != v->rc || ((rc != 0 || !incremental) && (a != v->a || b != v->b || c != v->c)))
            fprintf(stderr, "%s \"%s\": got %d (%s) %#llx %#llx %#llx, want %d %#llx %#llx %#llx\n", table,
                    v->label, rc, emnet_h3_error_name(rc), (unsigned long long)a, (unsigned long long)b,
                    (unsigned long long)c, v->rc, (unsigned long long)v->a, (unsigned long long)v->b,
                    (unsigned long long)v->c);
        CHECK_EQ_INT(rc, v->rc);
        if (rc != 0 || !incremental) {
            CHECK(a == v->a);
            CHECK(b == v->b);
            CHECK(c == v->c);
        }

        size_t need = v->need ? v->need : v->len;
        for (size_t cut = 0; cut < v->len; cut++) {
            copy = heap_copy(v->bytes, cut);
            int crc = fn(copy, cut, &a, &b, &c);
            free(copy);
            CHECK(known_result(crc));
            if (incremental) {
                if (crc != (cut < need ? 0 : v->rc))
                    fprintf(stderr, "%s \"%s\" cut at %zu: got %d\n", table, v->label, cut, crc);
                CHECK_EQ_INT(crc, cut < need ? 0 : v->rc);
            }
        }
    }
}

/* ---- varints ---- */

static int dec_varint(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    *b = *c = 0;
    return emnet_h3_varint_decode(buf, len, a);
}

static const struct vec varints[] = {
    /* RFC 9000 Appendix A.1 */
    { "rfc9000 8-byte", BYTES(0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c), 8, UINT64_C(151288809941952652), 0, 0, 0 },
    { "rfc9000 4-byte", BYTES(0x9d, 0x7f, 0x3e, 0x7d), 4, 494878333, 0, 0, 0 },
    { "rfc9000 2-byte", BYTES(0x7b, 0xbd), 2, 15293, 0, 0, 0 },
    { "rfc9000 1-byte", BYTES(0x25), 1, 37, 0, 0, 0 },
    { "rfc9000 37 in 2 bytes", BYTES(0x40, 0x25), 2, 37, 0, 0, 0 },
    /* every length at both ends */
    { "0", BYTES(0x00), 1, 0, 0, 0, 0 },
    { "63", BYTES(0x3f), 1, 63, 0, 0, 0 },
    { "64", BYTES(0x40, 0x40), 2, 64, 0, 0, 0 },
    { "16383", BYTES(0x7f, 0xff), 2, 16383, 0, 0, 0 },
    { "16384", BYTES(0x80, 0x00, 0x40, 0x00), 4, 16384, 0, 0, 0 },
    { "2^30-1", BYTES(0xbf, 0xff, 0xff, 0xff), 4, (UINT64_C(1) << 30) - 1, 0, 0, 0 },
    { "2^30", BYTES(0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00), 8, UINT64_C(1) << 30, 0, 0, 0 },
    { "2^62-1", BYTES(FF8), 8, EMNET_H3_VARINT_MAX, 0, 0, 0 },
    { "0 in 8 bytes", BYTES(0xc0, 0, 0, 0, 0, 0, 0, 0), 8, 0, 0, 0, 0 },
    { "bytes after it", BYTES(0x25, 0xff, 0xff), 1, 37, 0, 0, 1 },
    { "empty", (const uint8_t *)"", 0, 0, 0, 0, 0, 0 },
};

static void test_varints(void)
{
    run_table("varint", dec_varint, varints, COUNT(varints), 1);

    /* Encoding gives the shortest form: the table's bytes where they are
     * shortest, and nothing with a byte less of room (guard byte kept). */
    for (size_t i = 0; i < COUNT(varints); i++) {
        const struct vec *v = &varints[i];
        if (v->rc <= 0 || emnet_h3_varint_len(v->a) != (size_t)v->rc)
            continue;
        uint8_t out[9];
        CHECK_EQ_INT(emnet_h3_varint_encode(out, sizeof out, v->a), v->rc);
        CHECK(memcmp(out, v->bytes, (size_t)v->rc) == 0);
        for (size_t cap = 0; cap < (size_t)v->rc; cap++) {
            memset(out, 0xaa, sizeof out);
            CHECK_EQ_INT(emnet_h3_varint_encode(out, cap, v->a), 0);
            CHECK_EQ_INT(out[cap], 0xaa);
        }
    }
    /* 37 as 0x40 0x25 decodes but encodes as 0x25. */
    uint8_t out[9];
    CHECK_EQ_INT(emnet_h3_varint_encode(out, sizeof out, 37), 1);
    CHECK_EQ_INT(out[0], 0x25);
    CHECK_EQ_INT(emnet_h3_varint_len(0), 1);
    CHECK_EQ_INT(emnet_h3_varint_len(63), 1);
    CHECK_EQ_INT(emnet_h3_varint_len(64), 2);
    CHECK_EQ_INT(emnet_h3_varint_len(16384), 4);
    CHECK_EQ_INT(emnet_h3_varint_len(UINT64_C(1) << 30), 8);
    CHECK_EQ_INT(emnet_h3_varint_len(EMNET_H3_VARINT_MAX), 8);
    CHECK_EQ_INT(emnet_h3_varint_len(EMNET_H3_VARINT_MAX + 1), 0);
    CHECK_EQ_INT(emnet_h3_varint_len(UINT64_MAX), 0);
    memset(out, 0xaa, sizeof out);
    CHECK_EQ_INT(emnet_h3_varint_encode(out, sizeof out, EMNET_H3_VARINT_MAX + 1), 0);
    CHECK_EQ_INT(out[0], 0xaa);
    /* Decoding every 2-byte form gives back what encoding it produced. */
    for (uint64_t v = 0; v < 20000; v++) {
        uint64_t back = 0;
        size_t n = emnet_h3_varint_encode(out, sizeof out, v);
        CHECK(n == emnet_h3_varint_len(v));
        if (emnet_h3_varint_decode(out, n, &back) != (int)n || back != v) {
            CHECK(!"varint round trip");
            break;
        }
    }
}

/* ---- frame headers ---- */

#define MAX_PAYLOAD 1024

static int dec_frame(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_frame_header h;
    int rc = emnet_h3_frame_header_decode(buf, len, MAX_PAYLOAD, &h);
    *a = h.type;
    *b = h.length;
    *c = h.header_len;
    if (rc > 0)
        CHECK_EQ_INT(rc, h.header_len);
    return rc;
}

static const struct vec frames[] = {
    { "DATA 5", BYTES(0x00, 0x05, 'h', 'e', 'l', 'l', 'o'), 2, 0x00, 5, 2, 2 },
    { "DATA over max, exempt", BYTES(0x00, 0xbf, 0xff, 0xff, 0xff), 5, 0x00, 0x3fffffff, 5, 0 },
    { "HEADERS 100", BYTES(0x01, 0x40, 0x64), 3, 0x01, 100, 3, 0 },
    { "HEADERS at max", BYTES(0x01, 0x44, 0x00), 3, 0x01, 1024, 3, 0 },
    { "HEADERS over max", BYTES(0x01, 0x44, 0x01), EMNET_H3_EFRAME_TOO_LARGE, 0x01, 1025, 3, 0 },
    { "HEADERS 2^62-1", BYTES(0x01, FF8), EMNET_H3_EFRAME_TOO_LARGE, 0x01, EMNET_H3_VARINT_MAX, 9, 0 },
    { "CANCEL_PUSH", BYTES(0x03, 0x01, 0x05), 2, 0x03, 1, 2, 2 },
    { "SETTINGS empty", BYTES(0x04, 0x00), 2, 0x04, 0, 2, 0 },
    { "PUSH_PROMISE", BYTES(0x05, 0x02, 0x00, 0x00), 2, 0x05, 2, 2, 2 },
    { "GOAWAY", BYTES(0x07, 0x01, 0x00), 2, 0x07, 1, 2, 2 },
    { "MAX_PUSH_ID", BYTES(0x0d, 0x01, 0x00), 2, 0x0d, 1, 2, 2 },
    { "GREASE 0x21", BYTES(0x21, 0x03, 'a', 'b', 'c'), 2, 0x21, 3, 2, 2 },
    { "GREASE type in 8 bytes", BYTES(0xc0, 0, 0, 0, 0, 0, 0, 0x21, 0x00), 9, 0x21, 0, 9, 0 },
    { "unknown 0xff", BYTES(0x40, 0xff, 0x00), 3, 0xff, 0, 3, 0 },
    { "unknown over max", BYTES(0x40, 0xff, 0x44, 0x01), EMNET_H3_EFRAME_TOO_LARGE, 0xff, 1025, 4, 0 },
    /* Over max too, but of a type to ignore: the whole header is given, so
     * that a receiver can pass over its 5000 bytes (RFC 9114 §9). */
    { "GREASE 0x7e over max", BYTES(0x40, 0x7e, 0x53, 0x88), EMNET_H3_EFRAME_TOO_LARGE, 0x7e, 5000, 4, 0 },
    /* HTTP/2's types and the WebTransport signal fail on the type alone */
    { "PRIORITY", BYTES(0x02, 0x00), EMNET_H3_EFRAME_HTTP2, 0x02, 0, 0, 1 },
    { "PING", BYTES(0x06, 0x08), EMNET_H3_EFRAME_HTTP2, 0x06, 0, 0, 1 },
    { "WINDOW_UPDATE", BYTES(0x08, 0x04), EMNET_H3_EFRAME_HTTP2, 0x08, 0, 0, 1 },
    { "CONTINUATION", BYTES(0x09), EMNET_H3_EFRAME_HTTP2, 0x09, 0, 0, 1 },
    { "CONTINUATION in 2 bytes", BYTES(0x40, 0x09, 0x00), EMNET_H3_EFRAME_HTTP2, 0x09, 0, 0, 2 },
    { "WT_STREAM as a frame", BYTES(0x40, 0x41, 0x00), EMNET_H3_EFRAME_WT_STREAM, 0x41, 0, 0, 2 },
    { "type cut", BYTES(0x40), 0, 0, 0, 0, 0 },
    { "length cut", BYTES(0x01, 0x80, 0x00), 0, 0, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, 0, 0, 0, 0 },
};

static void test_frame_headers(void)
{
    run_table("frame", dec_frame, frames, COUNT(frames), 1);

    /* Classes and names. */
    static const struct {
        uint64_t type;
        int cls;
        const char *name;
    } types[] = {
        { 0x00, EMNET_H3_FRAME_KNOWN, "DATA" },
        { 0x01, EMNET_H3_FRAME_KNOWN, "HEADERS" },
        { 0x02, EMNET_H3_FRAME_HTTP2, "PRIORITY" },
        { 0x03, EMNET_H3_FRAME_KNOWN, "CANCEL_PUSH" },
        { 0x04, EMNET_H3_FRAME_KNOWN, "SETTINGS" },
        { 0x05, EMNET_H3_FRAME_KNOWN, "PUSH_PROMISE" },
        { 0x06, EMNET_H3_FRAME_HTTP2, "PING" },
        { 0x07, EMNET_H3_FRAME_KNOWN, "GOAWAY" },
        { 0x08, EMNET_H3_FRAME_HTTP2, "WINDOW_UPDATE" },
        { 0x09, EMNET_H3_FRAME_HTTP2, "CONTINUATION" },
        { 0x0a, EMNET_H3_FRAME_UNKNOWN, "unknown" },
        { 0x0d, EMNET_H3_FRAME_KNOWN, "MAX_PUSH_ID" },
        { 0x21, EMNET_H3_FRAME_GREASE, "reserved" },
        { 0x40, EMNET_H3_FRAME_GREASE, "reserved" },
        { 0x41, EMNET_H3_FRAME_WT_SIGNAL, "WT_STREAM" },
        { 0x5f, EMNET_H3_FRAME_GREASE, "reserved" },
        { 0x60, EMNET_H3_FRAME_UNKNOWN, "unknown" },
        { UINT64_C(0x1f) * 0x1fffffffffffffe + 0x21, EMNET_H3_FRAME_GREASE, "reserved" },
        { EMNET_H3_VARINT_MAX, EMNET_H3_FRAME_UNKNOWN, "unknown" },
    };
    for (size_t i = 0; i < COUNT(types); i++) {
        CHECK_EQ_INT(emnet_h3_frame_class(types[i].type), types[i].cls);
        CHECK(strcmp(emnet_h3_frame_name(types[i].type), types[i].name) == 0);
    }
    CHECK(!emnet_h3_is_grease(0x20));
    CHECK(emnet_h3_is_grease(0x21));
    CHECK(!emnet_h3_is_grease(0x22));
    CHECK(!emnet_h3_is_grease(0));

    /* The limit is max_payload itself, and 0 allows only empty frames. */
    struct emnet_h3_frame_header h;
    CHECK_EQ_INT(emnet_h3_frame_header_decode(BYTES(0x04, 0x00), 0, &h), 2);
    CHECK_EQ_INT(emnet_h3_frame_header_decode(BYTES(0x04, 0x01), 0, &h), EMNET_H3_EFRAME_TOO_LARGE);
    CHECK_EQ_INT(emnet_h3_frame_header_decode(BYTES(0x00, 0x01), 0, &h), 2);
    CHECK_EQ_INT(emnet_h3_frame_header_decode(BYTES(0x01, FF8), UINT64_MAX, &h), 9);
}

static void test_frame_encoders(void)
{
    uint8_t buf[64];

    /* Headers in their shortest form, DATA at each length boundary. */
    const struct {
        uint64_t len;
        const uint8_t *bytes;
        size_t n;
    } data[] = {
        { 0, BYTES(0x00, 0x00) },
        { 63, BYTES(0x00, 0x3f) },
        { 64, BYTES(0x00, 0x40, 0x40) },
        { 16383, BYTES(0x00, 0x7f, 0xff) },
        { 16384, BYTES(0x00, 0x80, 0x00, 0x40, 0x00) },
        { EMNET_H3_VARINT_MAX, BYTES(0x00, FF8) },
    };
    for (size_t i = 0; i < COUNT(data); i++) {
        CHECK_EQ_INT(emnet_h3_encode_data_header(buf, sizeof buf, data[i].len), data[i].n);
        CHECK(memcmp(buf, data[i].bytes, data[i].n) == 0);
        CHECK_EQ_INT(emnet_h3_frame_header_len(EMNET_H3_FRAME_DATA, data[i].len), data[i].n);
        for (size_t cap = 0; cap < data[i].n; cap++) {
            memset(buf, 0xaa, sizeof buf);
            CHECK_EQ_INT(emnet_h3_encode_data_header(buf, cap, data[i].len), 0);
            CHECK_EQ_INT(buf[cap], 0xaa);
        }
    }
    CHECK_EQ_INT(emnet_h3_encode_headers_header(buf, sizeof buf, 100), 3);
    CHECK(memcmp(buf, BYTES(0x01, 0x40, 0x64)) == 0);

    /* Whole frames, the payload possibly already in place. */
    CHECK_EQ_INT(emnet_h3_encode_data(buf, sizeof buf, "hello", 5), 7);
    CHECK(memcmp(buf, frames[0].bytes, 7) == 0);
    memcpy(buf + 2, "hello", 5);
    CHECK_EQ_INT(emnet_h3_encode_data(buf, 7, buf + 2, 5), 7);
    CHECK(memcmp(buf, frames[0].bytes, 7) == 0);
    CHECK_EQ_INT(emnet_h3_encode_headers(buf, sizeof buf, "\xd1\xd7", 2), 4);
    CHECK(memcmp(buf, "\x01\x02\xd1\xd7", 4) == 0);
    CHECK_EQ_INT(emnet_h3_encode_frame(buf, sizeof buf, 0x21, "abc", 3), 5);
    CHECK(memcmp(buf, frames[11].bytes, 5) == 0);
    CHECK_EQ_INT(emnet_h3_encode_data(buf, sizeof buf, NULL, 0), 2);
    for (size_t cap = 0; cap < 7; cap++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_h3_encode_data(buf, cap, "hello", 5), 0);
        CHECK_EQ_INT(buf[cap], 0xaa);
    }
    /* A length that would wrap a careless cap + len check. */
    CHECK_EQ_INT(emnet_h3_encode_data(buf, sizeof buf, "x", SIZE_MAX - 1), 0);

    /* What the decoder rejects, the encoders refuse. */
    static const uint64_t refused[] = { 0x02, 0x06, 0x08, 0x09, 0x41, EMNET_H3_VARINT_MAX + 1 };
    for (size_t i = 0; i < COUNT(refused); i++) {
        CHECK_EQ_INT(emnet_h3_encode_frame_header(buf, sizeof buf, refused[i], 0), 0);
        CHECK_EQ_INT(emnet_h3_encode_frame(buf, sizeof buf, refused[i], "x", 1), 0);
    }
    CHECK_EQ_INT(emnet_h3_encode_frame_header(buf, sizeof buf, 0x00, EMNET_H3_VARINT_MAX + 1), 0);
    CHECK_EQ_INT(emnet_h3_frame_header_len(0x00, EMNET_H3_VARINT_MAX + 1), 0);

    /* GOAWAY: a client bidirectional stream id, and the payload reader. */
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, sizeof buf, 0), 3);
    CHECK(memcmp(buf, BYTES(0x07, 0x01, 0x00)) == 0);
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, sizeof buf, 4), 3);
    CHECK(memcmp(buf, BYTES(0x07, 0x01, 0x04)) == 0);
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, sizeof buf, EMNET_H3_VARINT_MAX - 3), 10);
    CHECK(memcmp(buf, BYTES(0x07, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc)) == 0);
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, sizeof buf, 1), 0);
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, sizeof buf, 6), 0);
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, 2, 0), 0);
    CHECK_EQ_INT(emnet_h3_encode_goaway(buf, 9, EMNET_H3_VARINT_MAX - 3), 0);
}

static int dec_id(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    *a = *b = *c = 0;
    int rc = emnet_h3_decode_id_payload(buf, len, a);
    if (rc < 0)
        *a = 0;
    return rc;
}

static const struct vec ids[] = {
    { "id 0", BYTES(0x00), 0, 0, 0, 0, 0 },
    { "id 4", BYTES(0x04), 0, 4, 0, 0, 0 },
    { "id 4 in 2 bytes", BYTES(0x40, 0x04), 0, 4, 0, 0, 0 },
    { "largest", BYTES(FF8), 0, EMNET_H3_VARINT_MAX, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
    { "cut", BYTES(0x40), EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
    { "trailing byte", BYTES(0x00, 0x00), EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
};

/* ---- SETTINGS ---- */

static const uint8_t chromium_settings_frame[] = {
    /* Chromium 156's SETTINGS with draft-07 on (the notes), and a GREASE
     * setting 0x5f = 7 in place of the random one it sends. */
    0x04, 0x25,
    0x01, 0x80, 0x01, 0x00, 0x00,                   /* QPACK_MAX_TABLE_CAPACITY 65536 */
    0x06, 0x80, 0x00, 0x40, 0x00,                   /* MAX_FIELD_SECTION_SIZE 16384 */
    0x07, 0x40, 0x64,                               /* QPACK_BLOCKED_STREAMS 100 */
    0x33, 0x01,                                     /* H3_DATAGRAM 1 */
    0x80, 0xff, 0xd2, 0x77, 0x01,                   /* 0xffd277 (draft H3_DATAGRAM) 1 */
    0xab, 0x60, 0x37, 0x42, 0x01,                   /* ENABLE_WEBTRANSPORT 1 */
    0xc0, 0x00, 0x00, 0x00, 0xc6, 0x71, 0x70, 0x6a, 0x10, /* WEBTRANSPORT_MAX_SESSIONS 16 */
    0x40, 0x5f, 0x07,                               /* GREASE */
};

/* What emnet_h3_server_settings(&s, 16) encodes to. */
static const uint8_t server_settings_frame[] = {
    0x04, 0x24,
    0x01, 0x00,                                     /* QPACK_MAX_TABLE_CAPACITY 0 */
    0x07, 0x00,                                     /* QPACK_BLOCKED_STREAMS 0 */
    0x08, 0x01,                                     /* ENABLE_CONNECT_PROTOCOL 1 */
    0x33, 0x01,                                     /* H3_DATAGRAM 1 */
    0xab, 0x60, 0x37, 0x42, 0x01,                   /* ENABLE_WEBTRANSPORT 1 */
    0xc0, 0x00, 0x00, 0x00, 0xc6, 0x71, 0x70, 0x6a, 0x10, /* WEBTRANSPORT_MAX_SESSIONS 16 */
    0x94, 0xe9, 0xcd, 0x29, 0x10,                   /* WT_MAX_SESSIONS 16 */
    0x6b, 0x64, 0x00,                               /* WT_INITIAL_MAX_STREAMS_UNI 0 */
    0x6b, 0x65, 0x00,                               /* WT_INITIAL_MAX_STREAMS_BIDI 0 */
    0x6b, 0x61, 0x00,                               /* WT_INITIAL_MAX_DATA 0 */
};

#define CHROMIUM_PRESENT                                                                              \
    (EMNET_H3_HAS_QPACK_MAX_TABLE_CAPACITY | EMNET_H3_HAS_MAX_FIELD_SECTION_SIZE |                    \
     EMNET_H3_HAS_QPACK_BLOCKED_STREAMS | EMNET_H3_HAS_H3_DATAGRAM | EMNET_H3_HAS_ENABLE_WEBTRANSPORT | \
     EMNET_H3_HAS_WEBTRANSPORT_MAX_SESSIONS)

static int dec_settings(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_settings s;
    int rc = emnet_h3_settings_decode(buf, len, &s);
    *a = s.present;
    *b = s.h3_datagram;
    *c = s.webtransport_max_sessions;
    if (rc != 0)
        *a = *b = *c = 0;
    return rc;
}

static const struct vec settings[] = {
    { "chromium", chromium_settings_frame + 2, sizeof chromium_settings_frame - 2, 0, CHROMIUM_PRESENT, 1, 16, 0 },
    { "empty", (const uint8_t *)"", 0, 0, 0, 0, 0, 0 },
    { "id 0 is unknown", BYTES(0x00, 0x05), 0, 0, 0, 0, 0 },
    { "connect 1", BYTES(0x08, 0x01), 0, EMNET_H3_HAS_ENABLE_CONNECT_PROTOCOL, 0, 0, 0 },
    { "datagram 1 in 2 bytes", BYTES(0x33, 0x40, 0x01), 0, EMNET_H3_HAS_H3_DATAGRAM, 1, 0, 0 },
    { "datagram 0", BYTES(0x33, 0x00), 0, EMNET_H3_HAS_H3_DATAGRAM, 0, 0, 0 },
    { "duplicate", BYTES(0x01, 0x00, 0x01, 0x00), EMNET_H3_ESETTINGS_DUPLICATE, 0, 0, 0, 0 },
    { "duplicate, other form", BYTES(0x01, 0x00, 0x40, 0x01, 0x05), EMNET_H3_ESETTINGS_DUPLICATE, 0, 0, 0, 0 },
    { "duplicate GREASE", BYTES(0x21, 0x00, 0x21, 0x01), EMNET_H3_ESETTINGS_DUPLICATE, 0, 0, 0, 0 },
    { "duplicate unknown", BYTES(0x00, 0x00, 0x00, 0x00), EMNET_H3_ESETTINGS_DUPLICATE, 0, 0, 0, 0 },
    { "ENABLE_PUSH", BYTES(0x02, 0x00), EMNET_H3_ESETTINGS_HTTP2, 0, 0, 0, 0 },
    { "MAX_CONCURRENT_STREAMS", BYTES(0x03, 0x40, 0x64), EMNET_H3_ESETTINGS_HTTP2, 0, 0, 0, 0 },
    { "INITIAL_WINDOW_SIZE", BYTES(0x04, 0x00), EMNET_H3_ESETTINGS_HTTP2, 0, 0, 0, 0 },
    { "MAX_FRAME_SIZE", BYTES(0x05, 0x00), EMNET_H3_ESETTINGS_HTTP2, 0, 0, 0, 0 },
    { "HTTP/2 id after a good one", BYTES(0x33, 0x01, 0x40, 0x05, 0x00), EMNET_H3_ESETTINGS_HTTP2, 0, 0, 0, 0 },
    { "connect 2", BYTES(0x08, 0x02), EMNET_H3_ESETTINGS_VALUE, 0, 0, 0, 0 },
    { "datagram 2", BYTES(0x33, 0x02), EMNET_H3_ESETTINGS_VALUE, 0, 0, 0, 0 },
    { "datagram 2^62-1", BYTES(0x33, FF8), EMNET_H3_ESETTINGS_VALUE, 0, 0, 0, 0 },
    { "id only", BYTES(0x01), EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
    { "value cut", BYTES(0x01, 0x40), EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
    { "id cut", BYTES(0x40), EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
    { "cut after a pair", BYTES(0x01, 0x00, 0x07), EMNET_H3_EFRAME_PAYLOAD, 0, 0, 0, 0 },
    /* the first problem in byte order wins */
    { "HTTP/2 id, then cut", BYTES(0x02, 0x00, 0x01), EMNET_H3_ESETTINGS_HTTP2, 0, 0, 0, 0 },
    { "duplicate, then bad value", BYTES(0x01, 0x00, 0x01, 0x00, 0x33, 0x02), EMNET_H3_ESETTINGS_DUPLICATE, 0, 0, 0, 0 },
};

static void test_settings(void)
{
    struct emnet_h3_settings s;

    run_table("settings", dec_settings, settings, COUNT(settings), 0);

    /* Every field of Chromium's, and the defaults of what it left out. */
    CHECK_EQ_INT(emnet_h3_settings_decode(chromium_settings_frame + 2, sizeof chromium_settings_frame - 2, &s), 0);
    CHECK_EQ_INT(s.present, CHROMIUM_PRESENT);
    CHECK_EQ_INT(s.qpack_max_table_capacity, 65536);
    CHECK_EQ_INT(s.max_field_section_size, 16384);
    CHECK_EQ_INT(s.qpack_blocked_streams, 100);
    CHECK_EQ_INT(s.enable_connect_protocol, 0);
    CHECK_EQ_INT(s.h3_datagram, 1);
    CHECK_EQ_INT(s.enable_webtransport, 1);
    CHECK_EQ_INT(s.webtransport_max_sessions, 16);
    CHECK_EQ_INT(s.wt_max_sessions, 0);
    CHECK_EQ_INT(s.wt_enabled, 0);
    CHECK_EQ_INT(s.wt_initial_max_data, 0);
    CHECK_EQ_INT(emnet_h3_settings_decode(NULL, 0, &s), 0);
    CHECK_EQ_INT(s.present, 0);
    CHECK(s.max_field_section_size == EMNET_H3_UNLIMITED);

    /* Each id lands in its own field, under its own bit. */
    static const struct {
        uint64_t id;
        uint32_t bit;
        size_t offset;
    } ids_fields[] = {
        { EMNET_H3_SETTING_QPACK_MAX_TABLE_CAPACITY, EMNET_H3_HAS_QPACK_MAX_TABLE_CAPACITY,
          offsetof(struct emnet_h3_settings, qpack_max_table_capacity) },
        { EMNET_H3_SETTING_MAX_FIELD_SECTION_SIZE, EMNET_H3_HAS_MAX_FIELD_SECTION_SIZE,
          offsetof(struct emnet_h3_settings, max_field_section_size) },
        { EMNET_H3_SETTING_QPACK_BLOCKED_STREAMS, EMNET_H3_HAS_QPACK_BLOCKED_STREAMS,
          offsetof(struct emnet_h3_settings, qpack_blocked_streams) },
        { EMNET_H3_SETTING_ENABLE_CONNECT_PROTOCOL, EMNET_H3_HAS_ENABLE_CONNECT_PROTOCOL,
          offsetof(struct emnet_h3_settings, enable_connect_protocol) },
        { EMNET_H3_SETTING_H3_DATAGRAM, EMNET_H3_HAS_H3_DATAGRAM, offsetof(struct emnet_h3_settings, h3_datagram) },
        { EMNET_H3_SETTING_ENABLE_WEBTRANSPORT, EMNET_H3_HAS_ENABLE_WEBTRANSPORT,
          offsetof(struct emnet_h3_settings, enable_webtransport) },
        { EMNET_H3_SETTING_WEBTRANSPORT_MAX_SESSIONS, EMNET_H3_HAS_WEBTRANSPORT_MAX_SESSIONS,
          offsetof(struct emnet_h3_settings, webtransport_max_sessions) },
        { EMNET_H3_SETTING_WT_MAX_SESSIONS, EMNET_H3_HAS_WT_MAX_SESSIONS,
          offsetof(struct emnet_h3_settings, wt_max_sessions) },
        { EMNET_H3_SETTING_WT_ENABLED, EMNET_H3_HAS_WT_ENABLED, offsetof(struct emnet_h3_settings, wt_enabled) },
        { EMNET_H3_SETTING_WT_INITIAL_MAX_STREAMS_UNI, EMNET_H3_HAS_WT_INITIAL_MAX_STREAMS_UNI,
          offsetof(struct emnet_h3_settings, wt_initial_max_streams_uni) },
        { EMNET_H3_SETTING_WT_INITIAL_MAX_STREAMS_BIDI, EMNET_H3_HAS_WT_INITIAL_MAX_STREAMS_BIDI,
          offsetof(struct emnet_h3_settings, wt_initial_max_streams_bidi) },
        { EMNET_H3_SETTING_WT_INITIAL_MAX_DATA, EMNET_H3_HAS_WT_INITIAL_MAX_DATA,
          offsetof(struct emnet_h3_settings, wt_initial_max_data) },
    };
    for (size_t i = 0; i < COUNT(ids_fields); i++) {
        uint8_t pair[16];
        size_t n = emnet_h3_varint_encode(pair, sizeof pair, ids_fields[i].id);
        n += emnet_h3_varint_encode(pair + n, sizeof pair - n, 1);
        CHECK_EQ_INT(emnet_h3_settings_decode(pair, n, &s), 0);
        CHECK_EQ_INT(s.present, ids_fields[i].bit);
        uint64_t v;
        memcpy(&v, (const char *)&s + ids_fields[i].offset, sizeof v);
        CHECK_EQ_INT(v, 1);
        CHECK(strcmp(emnet_h3_setting_name(ids_fields[i].id), "unknown") != 0);
    }
    CHECK(strcmp(emnet_h3_setting_name(0x33), "H3_DATAGRAM") == 0);
    CHECK(strcmp(emnet_h3_setting_name(0x2b603742), "ENABLE_WEBTRANSPORT") == 0);
    CHECK(strcmp(emnet_h3_setting_name(0xc671706a), "WEBTRANSPORT_MAX_SESSIONS") == 0);
    CHECK(strcmp(emnet_h3_setting_name(0x14e9cd29), "WT_MAX_SESSIONS") == 0);
    CHECK(strcmp(emnet_h3_setting_name(0x03), "HTTP/2") == 0);
    CHECK(strcmp(emnet_h3_setting_name(0x5f), "reserved") == 0);
    CHECK(strcmp(emnet_h3_setting_name(0xffd277), "unknown") == 0);

    /* At most EMNET_H3_SETTINGS_MAX pairs, distinct GREASE ids here. */
    uint8_t many[(EMNET_H3_SETTINGS_MAX + 1) * 9];
    size_t n = 0;
    for (uint64_t i = 0; i < EMNET_H3_SETTINGS_MAX; i++) {
        n += emnet_h3_varint_encode(many + n, sizeof many - n, 0x1f * i + 0x21);
        n += emnet_h3_varint_encode(many + n, sizeof many - n, i);
    }
    uint8_t *copy = heap_copy(many, n);
    CHECK_EQ_INT(emnet_h3_settings_decode(copy, n, &s), 0);
    CHECK_EQ_INT(s.present, 0);
    free(copy);
    n += emnet_h3_varint_encode(many + n, sizeof many - n, 0x01);
    n += emnet_h3_varint_encode(many + n, sizeof many - n, 0);
    copy = heap_copy(many, n);
    CHECK_EQ_INT(emnet_h3_settings_decode(copy, n, &s), EMNET_H3_ESETTINGS_TOO_MANY);
    free(copy);

    /* The iterator: pairs, the end, and a cut pair left alone. */
    const uint8_t *p = chromium_settings_frame + 2, *end = chromium_settings_frame + sizeof chromium_settings_frame;
    uint64_t id, value;
    int pairs = 0;
    while (emnet_h3_settings_next(&p, end, &id, &value) == 1)
        pairs++;
    CHECK_EQ_INT(pairs, 8);
    CHECK(p == end);
    CHECK_EQ_INT(emnet_h3_settings_next(&p, end, &id, &value), 0);
    static const uint8_t cut[] = { 0x01, 0x40 };
    p = cut;
    CHECK_EQ_INT(emnet_h3_settings_next(&p, cut + 2, &id, &value), EMNET_H3_EFRAME_PAYLOAD);
    CHECK(p == cut);
}

static void test_settings_encoder(void)
{
    struct emnet_h3_settings s, back;
    uint8_t buf[128];

    /* The server's frame, byte for byte, and it decodes to what went in. */
    emnet_h3_server_settings(&s, 16);
    size_t n = emnet_h3_encode_settings(buf, sizeof buf, &s);
    CHECK_EQ_INT(n, sizeof server_settings_frame);
    CHECK(memcmp(buf, server_settings_frame, sizeof server_settings_frame) == 0);
    struct emnet_h3_frame_header h;
    CHECK_EQ_INT(emnet_h3_frame_header_decode(buf, n, MAX_PAYLOAD, &h), 2);
    CHECK_EQ_INT(h.type, EMNET_H3_FRAME_SETTINGS);
    CHECK_EQ_INT(h.length, n - 2);
    CHECK_EQ_INT(emnet_h3_settings_decode(buf + 2, n - 2, &back), 0);
    CHECK(memcmp(&s, &back, sizeof s) == 0);
    CHECK_EQ_INT(back.enable_connect_protocol, 1);
    CHECK_EQ_INT(back.h3_datagram, 1);
    CHECK_EQ_INT(back.enable_webtransport, 1);
    CHECK_EQ_INT(back.webtransport_max_sessions, 16);
    CHECK_EQ_INT(back.wt_max_sessions, 16);
    CHECK(!(back.present & EMNET_H3_HAS_WT_ENABLED));
    CHECK(!(back.present & EMNET_H3_HAS_MAX_FIELD_SECTION_SIZE));

    for (size_t cap = 0; cap < n; cap++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_h3_encode_settings(buf, cap, &s), 0);
        CHECK_EQ_INT(buf[cap], 0xaa);
    }

    /* Chromium's known settings re-encode to a frame that decodes the same
     * (the GREASE and unknown ones are not kept). */
    CHECK_EQ_INT(emnet_h3_settings_decode(chromium_settings_frame + 2, sizeof chromium_settings_frame - 2, &s), 0);
    n = emnet_h3_encode_settings(buf, sizeof buf, &s);
    CHECK(n > 2);
    CHECK_EQ_INT(emnet_h3_settings_decode(buf + 2, n - 2, &back), 0);
    CHECK(memcmp(&s, &back, sizeof s) == 0);

    /* Nothing present: an empty SETTINGS frame. */
    memset(&s, 0, sizeof s);
    CHECK_EQ_INT(emnet_h3_encode_settings(buf, sizeof buf, &s), 2);
    CHECK(memcmp(buf, BYTES(0x04, 0x00)) == 0);

    /* What the decoder rejects, the encoder refuses. */
    emnet_h3_server_settings(&s, 16);
    s.h3_datagram = 2;
    CHECK_EQ_INT(emnet_h3_encode_settings(buf, sizeof buf, &s), 0);
    emnet_h3_server_settings(&s, 16);
    s.enable_connect_protocol = 7;
    CHECK_EQ_INT(emnet_h3_encode_settings(buf, sizeof buf, &s), 0);
    emnet_h3_server_settings(&s, EMNET_H3_VARINT_MAX + 1);
    CHECK_EQ_INT(emnet_h3_encode_settings(buf, sizeof buf, &s), 0);
    /* A value not present is not judged: the default of an absent
     * MAX_FIELD_SECTION_SIZE has no varint, and need not have one. */
    emnet_h3_server_settings(&s, 1);
    CHECK(s.max_field_section_size == EMNET_H3_UNLIMITED);
    CHECK(emnet_h3_encode_settings(buf, sizeof buf, &s) > 0);
    s.present |= EMNET_H3_HAS_MAX_FIELD_SECTION_SIZE;
    CHECK_EQ_INT(emnet_h3_encode_settings(buf, sizeof buf, &s), 0);
}

/* ---- stream prefixes ---- */

static int dec_uni(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_stream_prefix p;
    int rc = emnet_h3_uni_prefix_decode(buf, len, &p);
    *a = (uint64_t)p.kind;
    *b = p.session_id;
    *c = p.len;
    return rc;
}

static int dec_bidi(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_stream_prefix p;
    int rc = emnet_h3_bidi_prefix_decode(buf, len, &p);
    *a = (uint64_t)p.kind;
    *b = p.session_id;
    *c = p.len;
    return rc;
}

#define SESSION_MAX 0x3ffffffffffffffc /* the largest multiple of 4 a varint holds */

static const struct vec unis[] = {
    { "control", BYTES(0x00), 1, EMNET_H3_KIND_CONTROL, 0, 1, 0 },
    { "control in 2 bytes", BYTES(0x40, 0x00), 1, EMNET_H3_KIND_CONTROL, 0, 2, 0 },
    { "control, then SETTINGS", BYTES(0x00, 0x04, 0x00), 1, EMNET_H3_KIND_CONTROL, 0, 1, 1 },
    { "push", BYTES(0x01), 1, EMNET_H3_KIND_PUSH, 0, 1, 0 },
    { "qpack encoder", BYTES(0x02), 1, EMNET_H3_KIND_QPACK_ENCODER, 0, 1, 0 },
    { "qpack decoder", BYTES(0x03), 1, EMNET_H3_KIND_QPACK_DECODER, 0, 1, 0 },
    /* Chromium: 40 54, the session id, then the page's bytes */
    { "webtransport session 0", BYTES(0x40, 0x54, 0x00), 1, EMNET_H3_KIND_WEBTRANSPORT, 0, 3, 0 },
    { "webtransport session 4, data", BYTES(0x40, 0x54, 0x04, 'h', 'i'), 1, EMNET_H3_KIND_WEBTRANSPORT, 4, 3, 3 },
    { "webtransport 4-byte session", BYTES(0x40, 0x54, 0x80, 0x00, 0x00, 0x04), 1, EMNET_H3_KIND_WEBTRANSPORT, 4, 6, 0 },
    { "webtransport largest session", BYTES(0x40, 0x54, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc), 1,
      EMNET_H3_KIND_WEBTRANSPORT, SESSION_MAX, 10, 0 },
    { "webtransport session 1", BYTES(0x40, 0x54, 0x01), EMNET_H3_ESESSION_ID, EMNET_H3_KIND_WEBTRANSPORT, 1, 0, 0 },
    { "webtransport session 2", BYTES(0x40, 0x54, 0x02), EMNET_H3_ESESSION_ID, EMNET_H3_KIND_WEBTRANSPORT, 2, 0, 0 },
    { "webtransport session 3", BYTES(0x40, 0x54, 0x03), EMNET_H3_ESESSION_ID, EMNET_H3_KIND_WEBTRANSPORT, 3, 0, 0 },
    { "webtransport session 2^62-1", BYTES(0x40, 0x54, FF8), EMNET_H3_ESESSION_ID, EMNET_H3_KIND_WEBTRANSPORT,
      EMNET_H3_VARINT_MAX, 0, 0 },
    { "grease 0x21", BYTES(0x21), 1, EMNET_H3_KIND_GREASE, 0, 1, 0 },
    { "grease 0x40", BYTES(0x40, 0x40), 1, EMNET_H3_KIND_GREASE, 0, 2, 0 },
    { "unknown 0x04", BYTES(0x04), 1, EMNET_H3_KIND_UNKNOWN, 0, 1, 0 },
    { "unknown 0x53", BYTES(0x40, 0x53), 1, EMNET_H3_KIND_UNKNOWN, 0, 2, 0 },
    { "0x41 is not a uni type", BYTES(0x40, 0x41, 0x00), 1, EMNET_H3_KIND_UNKNOWN, 0, 2, 2 },
    { "type cut", BYTES(0x40), 0, 0, 0, 0, 0 },
    { "webtransport, no session", BYTES(0x40, 0x54), 0, 0, 0, 0, 0 },
    { "webtransport, session cut", BYTES(0x40, 0x54, 0x80, 0x00), 0, 0, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, 0, 0, 0, 0 },
};

static const struct vec bidis[] = {
    { "webtransport session 0", BYTES(0x40, 0x41, 0x00), 1, EMNET_H3_KIND_WEBTRANSPORT, 0, 3, 0 },
    { "webtransport session 8, data", BYTES(0x40, 0x41, 0x08, 'x'), 1, EMNET_H3_KIND_WEBTRANSPORT, 8, 3, 3 },
    { "signal in 4 bytes", BYTES(0x80, 0x00, 0x00, 0x41, 0x04), 1, EMNET_H3_KIND_WEBTRANSPORT, 4, 5, 0 },
    { "webtransport session 9", BYTES(0x40, 0x41, 0x09), EMNET_H3_ESESSION_ID, EMNET_H3_KIND_WEBTRANSPORT, 9, 0, 0 },
    { "request: HEADERS", BYTES(0x01, 0x0a, 0x00), 1, EMNET_H3_KIND_REQUEST, 0, 0, 1 },
    { "request: DATA", BYTES(0x00), 1, EMNET_H3_KIND_REQUEST, 0, 0, 0 },
    { "request: 2-byte frame type", BYTES(0x40, 0x40, 0x00), 1, EMNET_H3_KIND_REQUEST, 0, 0, 2 },
    { "0x54 is not a bidi signal", BYTES(0x40, 0x54, 0x00), 1, EMNET_H3_KIND_REQUEST, 0, 0, 2 },
    { "signal cut", BYTES(0x40), 0, 0, 0, 0, 0 },
    { "no session", BYTES(0x40, 0x41), 0, 0, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, 0, 0, 0, 0 },
};

static void test_stream_prefixes(void)
{
    uint8_t buf[16];

    run_table("uni", dec_uni, unis, COUNT(unis), 1);
    run_table("bidi", dec_bidi, bidis, COUNT(bidis), 1);

    struct emnet_h3_stream_prefix p;
    CHECK_EQ_INT(emnet_h3_uni_prefix_decode(BYTES(0x40, 0x54, 0x00), &p), 1);
    CHECK_EQ_INT(p.type, EMNET_H3_STREAM_WEBTRANSPORT);
    CHECK_EQ_INT(emnet_h3_bidi_prefix_decode(BYTES(0x01, 0x00), &p), 1);
    CHECK_EQ_INT(p.type, EMNET_H3_FRAME_HEADERS); /* the first frame's type, not consumed */

    /* Encoders: Chromium's own bytes back. */
    CHECK_EQ_INT(emnet_h3_encode_wt_uni_prefix(buf, sizeof buf, 0), 3);
    CHECK(memcmp(buf, BYTES(0x40, 0x54, 0x00)) == 0);
    CHECK_EQ_INT(emnet_h3_encode_wt_bidi_prefix(buf, sizeof buf, 0), 3);
    CHECK(memcmp(buf, BYTES(0x40, 0x41, 0x00)) == 0);
    CHECK_EQ_INT(emnet_h3_encode_wt_bidi_prefix(buf, sizeof buf, 64), 4);
    CHECK(memcmp(buf, BYTES(0x40, 0x41, 0x40, 0x40)) == 0);
    CHECK_EQ_INT(emnet_h3_encode_wt_uni_prefix(buf, sizeof buf, SESSION_MAX), 10);
    CHECK(memcmp(buf, unis[9].bytes, 10) == 0);
    CHECK_EQ_INT(emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_CONTROL), 1);
    CHECK_EQ_INT(buf[0], 0x00);
    CHECK_EQ_INT(emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_QPACK_DECODER), 1);
    CHECK_EQ_INT(buf[0], 0x03);
    CHECK_EQ_INT(emnet_h3_encode_uni_stream_type(buf, sizeof buf, 0x21), 1);
    for (size_t cap = 0; cap < 3; cap++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_h3_encode_wt_uni_prefix(buf, cap, 0), 0);
        CHECK_EQ_INT(emnet_h3_encode_wt_bidi_prefix(buf, cap, 0), 0);
        CHECK_EQ_INT(buf[cap], 0xaa);
    }
    CHECK_EQ_INT(emnet_h3_encode_uni_stream_type(buf, 0, 0), 0);
    /* What the decoders reject, the encoders refuse. */
    CHECK_EQ_INT(emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_STREAM_WEBTRANSPORT), 0);
    CHECK_EQ_INT(emnet_h3_encode_uni_stream_type(buf, sizeof buf, EMNET_H3_VARINT_MAX + 1), 0);
    for (uint64_t id = 1; id < 4; id++) {
        CHECK_EQ_INT(emnet_h3_encode_wt_uni_prefix(buf, sizeof buf, id), 0);
        CHECK_EQ_INT(emnet_h3_encode_wt_bidi_prefix(buf, sizeof buf, id), 0);
    }
    CHECK_EQ_INT(emnet_h3_encode_wt_uni_prefix(buf, sizeof buf, SESSION_MAX + 4), 0);

    static const struct {
        int kind;
        const char *name;
    } kinds[] = {
        { EMNET_H3_KIND_CONTROL, "control" },         { EMNET_H3_KIND_PUSH, "push" },
        { EMNET_H3_KIND_QPACK_ENCODER, "qpack_encoder" }, { EMNET_H3_KIND_QPACK_DECODER, "qpack_decoder" },
        { EMNET_H3_KIND_WEBTRANSPORT, "webtransport" }, { EMNET_H3_KIND_REQUEST, "request" },
        { EMNET_H3_KIND_GREASE, "grease" },           { EMNET_H3_KIND_UNKNOWN, "unknown" },
        { -1, "?" },                                  { 99, "?" },
    };
    for (size_t i = 0; i < COUNT(kinds); i++)
        CHECK(strcmp(emnet_h3_stream_kind_name(kinds[i].kind), kinds[i].name) == 0);
}

/* ---- capsules ---- */

static int dec_capsule(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_capsule cap;
    int rc = emnet_h3_capsule_decode(buf, len, EMNET_H3_CLOSE_VALUE_MAX, &cap);
    *a = cap.type;
    *b = cap.length;
    *c = cap.header_len;
    if (rc > 0)
        CHECK(cap.value == buf + rc && (size_t)rc == cap.header_len);
    else
        CHECK(cap.value == NULL);
    return rc;
}

static const struct vec capsules[] = {
    /* Chromium closing with code 0 and "done" */
    { "close", BYTES(0x68, 0x43, 0x08, 0x00, 0x00, 0x00, 0x00, 'd', 'o', 'n', 'e'), 3, 0x2843, 8, 3, 0 },
    { "drain", BYTES(0x80, 0x00, 0x78, 0xae, 0x00), 5, 0x78ae, 0, 5, 0 },
    { "datagram", BYTES(0x00, 0x03, 'a', 'b', 'c'), 2, 0x00, 3, 2, 0 },
    { "grease 0x17", BYTES(0x17, 0x02, 0xaa, 0xbb), 2, 0x17, 2, 2, 0 },
    { "grease 0x40", BYTES(0x40, 0x40, 0x01, 0xff), 3, 0x40, 1, 3, 0 },
    { "then the next", BYTES(0x17, 0x00, 0x17, 0x00), 2, 0x17, 0, 2, 2 },
    { "over max", BYTES(0x17, 0x44, 0x05), EMNET_H3_ECAPSULE_TOO_LARGE, 0x17, 1029, 3, 0 },
    { "over max, 4-byte length", BYTES(0x17, 0xbf, 0xff, 0xff, 0xff), EMNET_H3_ECAPSULE_TOO_LARGE, 0x17,
      0x3fffffff, 5, 0 },
    { "over max, value started", BYTES(0x00, 0x44, 0x05, 'x'), EMNET_H3_ECAPSULE_TOO_LARGE, 0x00, 1029, 3, 3 },
    { "type cut", BYTES(0x68), 0, 0, 0, 0, 0 },
    { "no length", BYTES(0x68, 0x43), 0, 0, 0, 0, 0 },
    { "value cut", BYTES(0x68, 0x43, 0x08, 0x00), 0, 0, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, 0, 0, 0, 0 },
};

static int dec_close(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_close_session cs;
    int rc = emnet_h3_decode_close_session(buf, len, &cs);
    *a = cs.code;
    *b = cs.reason_len;
    *c = 0;
    if (rc == 0)
        CHECK(cs.reason == (const char *)buf + 4);
    else
        *a = *b = 0;
    return rc;
}

static const struct vec closes[] = {
    { "code 0 done", BYTES(0x00, 0x00, 0x00, 0x00, 'd', 'o', 'n', 'e'), 0, 0, 4, 0, 0 },
    { "largest code, no reason", BYTES(0xff, 0xff, 0xff, 0xff), 0, 0xffffffff, 0, 0, 0 },
    { "code is big-endian", BYTES(0x00, 0x00, 0x01, 0x00), 0, 256, 0, 0, 0 },
    { "euro sign", BYTES(0x00, 0x00, 0x00, 0x01, 0xe2, 0x82, 0xac), 0, 1, 3, 0, 0 },
    { "U+1F600", BYTES(0x00, 0x00, 0x00, 0x01, 0xf0, 0x9f, 0x98, 0x80), 0, 1, 4, 0, 0 },
    { "U+10FFFF", BYTES(0x00, 0x00, 0x00, 0x01, 0xf4, 0x8f, 0xbf, 0xbf), 0, 1, 4, 0, 0 },
    { "NUL is UTF-8", BYTES(0x00, 0x00, 0x00, 0x01, 'a', 0x00, 'b'), 0, 1, 3, 0, 0 },
    { "3 bytes", BYTES(0x00, 0x00, 0x01), EMNET_H3_ECLOSE_PAYLOAD, 0, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, EMNET_H3_ECLOSE_PAYLOAD, 0, 0, 0, 0 },
    { "overlong 2", BYTES(0, 0, 0, 1, 0xc0, 0xaf), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "overlong 3", BYTES(0, 0, 0, 1, 0xe0, 0x80, 0xaf), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "overlong 4", BYTES(0, 0, 0, 1, 0xf0, 0x80, 0x80, 0xaf), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "surrogate", BYTES(0, 0, 0, 1, 0xed, 0xa0, 0x80), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "past U+10FFFF", BYTES(0, 0, 0, 1, 0xf4, 0x90, 0x80, 0x80), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "0xf5", BYTES(0, 0, 0, 1, 0xf5, 0x80, 0x80, 0x80), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "lone continuation", BYTES(0, 0, 0, 1, 0x80), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "0xff", BYTES(0, 0, 0, 1, 'a', 0xff), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "cut sequence", BYTES(0, 0, 0, 1, 'a', 0xe2, 0x82), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
    { "bad 3rd byte", BYTES(0, 0, 0, 1, 0xe2, 0x82, 'a'), EMNET_H3_ECLOSE_REASON_UTF8, 0, 0, 0, 0 },
};

static void test_capsules(void)
{
    uint8_t buf[2048];

    run_table("capsule", dec_capsule, capsules, COUNT(capsules), 1);
    run_table("close", dec_close, closes, COUNT(closes), 0);

    /* The largest value max_len allows, and one byte more. */
    size_t n = emnet_h3_encode_capsule_header(buf, sizeof buf, 0x17, EMNET_H3_CLOSE_VALUE_MAX);
    CHECK_EQ_INT(n, 3);
    memset(buf + n, 'v', EMNET_H3_CLOSE_VALUE_MAX);
    struct emnet_h3_capsule cap;
    uint8_t *copy = heap_copy(buf, n + EMNET_H3_CLOSE_VALUE_MAX);
    CHECK_EQ_INT(emnet_h3_capsule_decode(copy, n + EMNET_H3_CLOSE_VALUE_MAX, EMNET_H3_CLOSE_VALUE_MAX, &cap), 3);
    CHECK_EQ_INT(emnet_h3_capsule_decode(copy, n + EMNET_H3_CLOSE_VALUE_MAX - 1, EMNET_H3_CLOSE_VALUE_MAX, &cap), 0);
    CHECK_EQ_INT(emnet_h3_capsule_decode(copy, n + EMNET_H3_CLOSE_VALUE_MAX, EMNET_H3_CLOSE_VALUE_MAX - 1, &cap),
                 EMNET_H3_ECAPSULE_TOO_LARGE);
    free(copy);

    /* Close: Chromium's bytes back, and the reason at its limits. */
    n = emnet_h3_encode_close_session(buf, sizeof buf, 0, "done", 4);
    CHECK_EQ_INT(n, capsules[0].len);
    CHECK(memcmp(buf, capsules[0].bytes, n) == 0);
    for (size_t cap_ = 0; cap_ < n; cap_++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_h3_encode_close_session(buf, cap_, 0, "done", 4), 0);
        CHECK_EQ_INT(buf[cap_], 0xaa);
    }
    CHECK_EQ_INT(emnet_h3_encode_close_session(buf, sizeof buf, 0x01020304, NULL, 0), 7);
    CHECK(memcmp(buf, BYTES(0x68, 0x43, 0x04, 0x01, 0x02, 0x03, 0x04)) == 0);
    static char reason[EMNET_H3_CLOSE_REASON_MAX + 1];
    memset(reason, 'r', sizeof reason);
    n = emnet_h3_encode_close_session(buf, sizeof buf, 7, reason, EMNET_H3_CLOSE_REASON_MAX);
    CHECK_EQ_INT(n, 4 + 4 + EMNET_H3_CLOSE_REASON_MAX); /* 68 43 44 04: a 2-byte length */
    CHECK(memcmp(buf, BYTES(0x68, 0x43, 0x44, 0x04, 0x00, 0x00, 0x00, 0x07)) == 0);
    copy = heap_copy(buf, n);
    CHECK_EQ_INT(emnet_h3_capsule_decode(copy, n, EMNET_H3_CLOSE_VALUE_MAX, &cap), 4);
    struct emnet_h3_close_session cs;
    CHECK_EQ_INT(emnet_h3_decode_close_session(cap.value, (size_t)cap.length, &cs), 0);
    CHECK_EQ_INT(cs.code, 7);
    CHECK_EQ_INT(cs.reason_len, EMNET_H3_CLOSE_REASON_MAX);
    free(copy);
    CHECK_EQ_INT(emnet_h3_encode_close_session(buf, sizeof buf, 7, reason, sizeof reason), 0);
    CHECK_EQ_INT(emnet_h3_encode_close_session(buf, sizeof buf, 7, "\xc0\xaf", 2), 0);
    memset(buf, 0, 4);
    memset(buf + 4, 'r', sizeof reason);
    copy = heap_copy(buf, 4 + sizeof reason);
    CHECK_EQ_INT(emnet_h3_decode_close_session(copy, 4 + sizeof reason, &cs), EMNET_H3_ECLOSE_REASON_LONG);
    free(copy);
    /* The reason may already sit where it goes. */
    memcpy(buf + 7, "bye", 3);
    CHECK_EQ_INT(emnet_h3_encode_close_session(buf, sizeof buf, 0, (const char *)buf + 7, 3), 10);
    CHECK(memcmp(buf, BYTES(0x68, 0x43, 0x07, 0, 0, 0, 0, 'b', 'y', 'e')) == 0);

    /* Drain. */
    CHECK_EQ_INT(emnet_h3_encode_drain_session(buf, sizeof buf), 5);
    CHECK(memcmp(buf, capsules[1].bytes, 5) == 0);
    CHECK_EQ_INT(emnet_h3_encode_drain_session(buf, 4), 0);
    CHECK_EQ_INT(emnet_h3_check_drain_session(0), 0);
    CHECK_EQ_INT(emnet_h3_check_drain_session(1), EMNET_H3_EDRAIN_PAYLOAD);

    /* Generic capsules, the value in place or not. */
    CHECK_EQ_INT(emnet_h3_encode_capsule(buf, sizeof buf, 0x00, "abc", 3), 5);
    CHECK(memcmp(buf, capsules[2].bytes, 5) == 0);
    memcpy(buf + 2, "abc", 3);
    CHECK_EQ_INT(emnet_h3_encode_capsule(buf, 5, 0x00, buf + 2, 3), 5);
    CHECK(memcmp(buf, capsules[2].bytes, 5) == 0);
    for (size_t cap_ = 0; cap_ < 5; cap_++)
        CHECK_EQ_INT(emnet_h3_encode_capsule(buf, cap_, 0x00, "abc", 3), 0);
    CHECK_EQ_INT(emnet_h3_encode_capsule(buf, sizeof buf, EMNET_H3_VARINT_MAX + 1, "", 0), 0);
    CHECK_EQ_INT(emnet_h3_encode_capsule(buf, sizeof buf, 0, "x", SIZE_MAX - 1), 0);
    CHECK_EQ_INT(emnet_h3_encode_capsule_header(buf, sizeof buf, 0, EMNET_H3_VARINT_MAX + 1), 0);

    /* Names. */
    static const struct {
        uint64_t type;
        const char *name;
        int grease;
    } types[] = {
        { 0x00, "DATAGRAM", 0 },
        { 0x2843, "CLOSE_SESSION", 0 },
        { 0x78ae, "DRAIN_SESSION", 0 },
        { 0x190b4d3d, "WT_MAX_DATA", 0 },
        { 0x190b4d3f, "WT_MAX_STREAMS_BIDI", 0 },
        { 0x190b4d40, "WT_MAX_STREAMS_UNI", 0 },
        { 0x190b4d41, "WT_DATA_BLOCKED", 0 },
        { 0x190b4d43, "WT_STREAMS_BLOCKED_BIDI", 0 },
        { 0x190b4d44, "WT_STREAMS_BLOCKED_UNI", 0 },
        { 0x17, "reserved", 1 },
        { 0x40, "reserved", 1 },
        { 0x16, "unknown", 0 },
        { 0x21, "unknown", 0 }, /* GREASE for frames, not for capsules */
    };
    for (size_t i = 0; i < COUNT(types); i++) {
        CHECK(strcmp(emnet_h3_capsule_name(types[i].type), types[i].name) == 0);
        CHECK_EQ_INT(emnet_h3_capsule_is_grease(types[i].type), types[i].grease);
    }
}

/* ---- datagrams ---- */

static int dec_datagram(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, uint64_t *c)
{
    struct emnet_h3_datagram d;
    int rc = emnet_h3_datagram_decode(buf, len, &d);
    *a = d.session_id;
    *b = d.len;
    *c = rc > 0 ? (uint64_t)(d.payload - buf) : 0;
    return rc;
}

static const struct vec datagrams[] = {
    { "session 0", BYTES(0x00, 'h', 'i'), 1, 0, 2, 1, 0 },
    { "session 4, empty", BYTES(0x01), 1, 4, 0, 1, 0 },
    { "session 4 in 2 bytes", BYTES(0x40, 0x01, 'x'), 2, 4, 1, 2, 0 },
    { "largest quarter id", BYTES(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'p'), 8, SESSION_MAX, 1, 8, 0 },
    { "quarter id 2^60", BYTES(0xd0, 0, 0, 0, 0, 0, 0, 0), EMNET_H3_EQUARTER_STREAM_ID, 0, 0, 0, 0 },
    { "quarter id 2^62-1", BYTES(FF8, 'p'), EMNET_H3_EQUARTER_STREAM_ID, 0, 0, 0, 0 },
    { "empty", (const uint8_t *)"", 0, EMNET_H3_EDATAGRAM_SHORT, 0, 0, 0, 0 },
    { "varint cut", BYTES(0x40), EMNET_H3_EDATAGRAM_SHORT, 0, 0, 0, 0 },
    { "8-byte varint cut", BYTES(0xc0, 0x00, 0x00), EMNET_H3_EDATAGRAM_SHORT, 0, 0, 0, 0 },
};

static void test_datagrams(void)
{
    uint8_t buf[32];
    struct emnet_h3_datagram d;

    run_table("datagram", dec_datagram, datagrams, COUNT(datagrams), 0);
    CHECK_EQ_INT(emnet_h3_datagram_decode(NULL, 0, &d), EMNET_H3_EDATAGRAM_SHORT);

    CHECK_EQ_INT(emnet_h3_encode_datagram(buf, sizeof buf, 0, "hi", 2), 3);
    CHECK(memcmp(buf, datagrams[0].bytes, 3) == 0);
    CHECK_EQ_INT(emnet_h3_encode_datagram(buf, sizeof buf, 4, NULL, 0), 1);
    CHECK_EQ_INT(buf[0], 0x01);
    CHECK_EQ_INT(emnet_h3_encode_datagram(buf, sizeof buf, SESSION_MAX, "p", 1), 9);
    CHECK(memcmp(buf, datagrams[3].bytes, 9) == 0);
    CHECK_EQ_INT(emnet_h3_encode_datagram_header(buf, sizeof buf, 256), 2);
    CHECK(memcmp(buf, BYTES(0x40, 0x40)) == 0);
    memcpy(buf + 1, "hi", 2);
    CHECK_EQ_INT(emnet_h3_encode_datagram(buf, 3, 0, buf + 1, 2), 3);
    CHECK(memcmp(buf, datagrams[0].bytes, 3) == 0);
    for (size_t cap = 0; cap < 3; cap++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_h3_encode_datagram(buf, cap, 0, "hi", 2), 0);
        CHECK_EQ_INT(buf[cap], 0xaa);
    }
    CHECK_EQ_INT(emnet_h3_encode_datagram_header(buf, 0, 0), 0);
    CHECK_EQ_INT(emnet_h3_encode_datagram(buf, sizeof buf, 2, "hi", 2), 0);
    CHECK_EQ_INT(emnet_h3_encode_datagram_header(buf, sizeof buf, 1), 0);
    CHECK_EQ_INT(emnet_h3_encode_datagram_header(buf, sizeof buf, SESSION_MAX + 4), 0);
    CHECK_EQ_INT(emnet_h3_encode_datagram(buf, sizeof buf, 0, "x", SIZE_MAX), 0);
}

/* ---- errors ---- */

static void test_errors(void)
{
    static const struct {
        uint64_t code;
        const char *name;
    } codes[] = {
        { 0x100, "H3_NO_ERROR" },
        { 0x101, "H3_GENERAL_PROTOCOL_ERROR" },
        { 0x102, "H3_INTERNAL_ERROR" },
        { 0x103, "H3_STREAM_CREATION_ERROR" },
        { 0x104, "H3_CLOSED_CRITICAL_STREAM" },
        { 0x105, "H3_FRAME_UNEXPECTED" },
        { 0x106, "H3_FRAME_ERROR" },
        { 0x107, "H3_EXCESSIVE_LOAD" },
        { 0x108, "H3_ID_ERROR" },
        { 0x109, "H3_SETTINGS_ERROR" },
        { 0x10a, "H3_MISSING_SETTINGS" },
        { 0x10b, "H3_REQUEST_REJECTED" },
        { 0x10c, "H3_REQUEST_CANCELLED" },
        { 0x10d, "H3_REQUEST_INCOMPLETE" },
        { 0x10e, "H3_MESSAGE_ERROR" },
        { 0x10f, "H3_CONNECT_ERROR" },
        { 0x110, "H3_VERSION_FALLBACK" },
        { 0x200, "QPACK_DECOMPRESSION_FAILED" },
        { 0x201, "QPACK_ENCODER_STREAM_ERROR" },
        { 0x202, "QPACK_DECODER_STREAM_ERROR" },
        { 0x33, "H3_DATAGRAM_ERROR" },
        { 0x3994bd84, "WT_BUFFERED_STREAM_REJECTED" },
        { 0x170d7b68, "WT_SESSION_GONE" },
        { 0x045d4487, "WT_FLOW_CONTROL_ERROR" },
        { 0x0817b3dd, "WT_ALPN_ERROR" },
        { 0x212c0d48, "WT_REQUIREMENTS_NOT_MET" },
        { 0x111, "unknown" },
        { 0x0, "unknown" },
        { 0x21, "reserved" },
        { 0x1f * 9 + 0x21, "reserved" },
        { UINT64_C(0x52e4a40fa8db), "WT_APPLICATION_ERROR" },
        { UINT64_C(0x52e4a40fa8db) + 30, "reserved" }, /* skipped inside the range */
        { UINT64_C(0x52e4a40fa8db) + 31, "WT_APPLICATION_ERROR" },
        { UINT64_C(0x52e5ac983162), "WT_APPLICATION_ERROR" },
        { UINT64_C(0x52e5ac983163), "unknown" },
        { UINT64_C(0x52e4a40fa8da), "reserved" }, /* just below: the range starts after one */
    };
    for (size_t i = 0; i < COUNT(codes); i++) {
        if (strcmp(emnet_h3_code_name(codes[i].code), codes[i].name) != 0)
            fprintf(stderr, "code %#llx: %s, want %s\n", (unsigned long long)codes[i].code,
                    emnet_h3_code_name(codes[i].code), codes[i].name);
        CHECK(strcmp(emnet_h3_code_name(codes[i].code), codes[i].name) == 0);
    }

    /* Codec errors: a name and an HTTP/3 code each. */
    static const struct {
        int err;
        const char *name;
        uint64_t code;
    } errs[] = {
        { EMNET_H3_OK, "ok", 0x100 },
        { EMNET_H3_EFRAME_TOO_LARGE, "frame_too_large", 0x107 },
        { EMNET_H3_EFRAME_HTTP2, "http2_frame_type", 0x105 },
        { EMNET_H3_EFRAME_WT_STREAM, "misplaced_wt_stream", 0x106 },
        { EMNET_H3_EFRAME_PAYLOAD, "bad_frame_payload", 0x106 },
        { EMNET_H3_ESETTINGS_DUPLICATE, "duplicate_setting", 0x109 },
        { EMNET_H3_ESETTINGS_HTTP2, "http2_setting", 0x109 },
        { EMNET_H3_ESETTINGS_VALUE, "bad_setting_value", 0x109 },
        { EMNET_H3_ESETTINGS_TOO_MANY, "too_many_settings", 0x107 },
        { EMNET_H3_ESESSION_ID, "bad_session_id", 0x108 },
        { EMNET_H3_ECAPSULE_TOO_LARGE, "capsule_too_large", 0x10e },
        { EMNET_H3_ECLOSE_PAYLOAD, "bad_close_session", 0x10e },
        { EMNET_H3_ECLOSE_REASON_LONG, "close_reason_too_long", 0x10e },
        { EMNET_H3_ECLOSE_REASON_UTF8, "close_reason_not_utf8", 0x10e },
        { EMNET_H3_EDRAIN_PAYLOAD, "bad_drain_session", 0x10e },
        { EMNET_H3_EDATAGRAM_SHORT, "datagram_too_short", 0x33 },
        { EMNET_H3_EQUARTER_STREAM_ID, "bad_quarter_stream_id", 0x33 },
        { 1, "?", 0x102 },
        { EMNET_H3_EQUARTER_STREAM_ID - 1, "?", 0x102 },
    };
    for (size_t i = 0; i < COUNT(errs); i++) {
        CHECK(strcmp(emnet_h3_error_name(errs[i].err), errs[i].name) == 0);
        CHECK_EQ_INT(emnet_h3_error_code(errs[i].err), errs[i].code);
    }
    for (int e = -1; e >= EMNET_H3_EQUARTER_STREAM_ID; e--)
        CHECK(strcmp(emnet_h3_error_name(e), "?") != 0);
}

/* WebTransport application codes: the draft's examples, both ends, and
 * the whole 32-bit space walked with a stride, both ways. */
static void test_wt_app_errors(void)
{
    const uint64_t first = EMNET_H3_WT_APP_ERROR_FIRST;
    uint32_t app;

    CHECK(emnet_h3_wt_app_error_to_code(0) == first);
    CHECK(emnet_h3_wt_app_error_to_code(29) == first + 29);
    CHECK(emnet_h3_wt_app_error_to_code(30) == first + 31); /* first + 30 is GREASE */
    CHECK(emnet_h3_wt_app_error_to_code(0xffffffff) == EMNET_H3_WT_APP_ERROR_LAST);
    CHECK(emnet_h3_is_grease(first + 30));
    CHECK(emnet_h3_is_grease(first - 1));

    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(first, &app), 0);
    CHECK_EQ_INT(app, 0);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(first + 31, &app), 0);
    CHECK_EQ_INT(app, 30);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(EMNET_H3_WT_APP_ERROR_LAST, &app), 0);
    CHECK(app == 0xffffffff);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(first + 30, &app), -1);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(first - 1, &app), -1);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(EMNET_H3_WT_APP_ERROR_LAST + 1, &app), -1);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(0x10c, &app), -1);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(0, &app), -1);
    CHECK_EQ_INT(emnet_h3_wt_app_error_from_code(UINT64_MAX, &app), -1);

    /* app -> code: never GREASE, strictly increasing, and back again. */
    int bad = 0;
    uint64_t prev = 0;
    for (uint64_t n = 0; n <= 0xffffffff && bad < 5;) {
        uint64_t code = emnet_h3_wt_app_error_to_code((uint32_t)n);
        if (emnet_h3_is_grease(code) || (n > 0 && code <= prev) ||
            emnet_h3_wt_app_error_from_code(code, &app) != 0 || app != n) {
            fprintf(stderr, "wt app error %llu -> %#llx\n", (unsigned long long)n, (unsigned long long)code);
            bad++;
        }
        prev = code;
        /* Every code near both ends and near the multiples of 0x1e where
         * the skips happen; a prime stride through the rest. */
        if (n < 100000 || n > 0xffffffff - 100000)
            n++;
        else
            n += 65521;
    }
    CHECK_EQ_INT(bad, 0);

    /* code -> app: every codepoint of the first and last stretch is
     * either a skipped GREASE value or maps back onto itself. */
    bad = 0;
    for (uint64_t code = first; code < first + 200000; code++) {
        if (emnet_h3_wt_app_error_from_code(code, &app) == 0) {
            if (emnet_h3_wt_app_error_to_code(app) != code)
                bad++;
        } else if (!emnet_h3_is_grease(code)) {
            bad++;
        }
    }
    for (uint64_t code = EMNET_H3_WT_APP_ERROR_LAST - 200000; code <= EMNET_H3_WT_APP_ERROR_LAST; code++) {
        if (emnet_h3_wt_app_error_from_code(code, &app) == 0) {
            if (emnet_h3_wt_app_error_to_code(app) != code)
                bad++;
        } else if (!emnet_h3_is_grease(code)) {
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- whole streams, as Chromium sends them ---- */

/* A control stream: type 0x00, SETTINGS, then a GREASE frame; read the
 * way a server would, and fed one byte more at a time. */
static void test_control_stream(void)
{
    uint8_t stream[64];
    size_t len = 0;
    stream[len++] = 0x00;
    memcpy(stream + len, chromium_settings_frame, sizeof chromium_settings_frame);
    len += sizeof chromium_settings_frame;
    memcpy(stream + len, "\x21\x03" "abc", 5);
    len += 5;

    for (size_t avail = 0; avail <= len; avail++) {
        uint8_t *copy = heap_copy(stream, avail);
        size_t at = 0;
        int settings_seen = 0, grease_seen = 0;
        struct emnet_h3_stream_prefix p;
        int rc = emnet_h3_uni_prefix_decode(copy, avail, &p);
        CHECK(rc == (avail >= 1 ? 1 : 0));
        if (rc == 1) {
            CHECK_EQ_INT(p.kind, EMNET_H3_KIND_CONTROL);
            at = p.len;
            for (;;) {
                struct emnet_h3_frame_header h;
                rc = emnet_h3_frame_header_decode(copy + at, avail - at, MAX_PAYLOAD, &h);
                CHECK(rc >= 0);
                if (rc <= 0 || h.length > avail - at - (size_t)rc)
                    break; /* wait for the rest */
                const uint8_t *payload = copy + at + rc;
                if (h.type == EMNET_H3_FRAME_SETTINGS) {
                    struct emnet_h3_settings s;
                    CHECK_EQ_INT(emnet_h3_settings_decode(payload, (size_t)h.length, &s), 0);
                    CHECK_EQ_INT(s.webtransport_max_sessions, 16);
                    settings_seen = 1;
                } else {
                    CHECK_EQ_INT(emnet_h3_frame_class(h.type), EMNET_H3_FRAME_GREASE);
                    grease_seen = 1;
                }
                at += (size_t)rc + (size_t)h.length;
            }
        }
        CHECK_EQ_INT(settings_seen, avail >= 1 + sizeof chromium_settings_frame);
        CHECK_EQ_INT(grease_seen, avail == len);
        free(copy);
    }
}

/* A CONNECT stream's tail: a GREASE capsule and Chromium's close, each in
 * its own DATA frame, the capsules read from the joined payloads. */
static void test_connect_stream(void)
{
    static const uint8_t stream[] = {
        0x00, 0x04, 0x17, 0x02, 0xaa, 0xbb,  /* DATA: GREASE capsule */
        0x00, 0x0b, 0x68, 0x43, 0x08, 0x00, 0x00, 0x00, 0x00, 'd', 'o', 'n', 'e', /* DATA: close */
    };
    uint8_t joined[32];
    size_t jn = 0, at = 0;
    while (at < sizeof stream) {
        struct emnet_h3_frame_header h;
        int rc = emnet_h3_frame_header_decode(stream + at, sizeof stream - at, MAX_PAYLOAD, &h);
        REQUIRE_VOID(rc > 0 && h.type == EMNET_H3_FRAME_DATA && h.length <= sizeof stream - at - (size_t)rc);
        memcpy(joined + jn, stream + at + rc, (size_t)h.length);
        jn += (size_t)h.length;
        at += (size_t)rc + (size_t)h.length;
    }
    struct emnet_h3_capsule cap;
    int rc = emnet_h3_capsule_decode(joined, jn, EMNET_H3_CLOSE_VALUE_MAX, &cap);
    CHECK_EQ_INT(rc, 2);
    CHECK(emnet_h3_capsule_is_grease(cap.type));
    size_t next = (size_t)rc + (size_t)cap.length;
    rc = emnet_h3_capsule_decode(joined + next, jn - next, EMNET_H3_CLOSE_VALUE_MAX, &cap);
    CHECK_EQ_INT(rc, 3);
    CHECK_EQ_INT(cap.type, EMNET_H3_CAPSULE_CLOSE_SESSION);
    struct emnet_h3_close_session cs;
    CHECK_EQ_INT(emnet_h3_decode_close_session(cap.value, (size_t)cap.length, &cs), 0);
    CHECK_EQ_INT(cs.code, 0);
    CHECK(cs.reason_len == 4 && memcmp(cs.reason, "done", 4) == 0);
    CHECK_EQ_INT(next + (size_t)rc + (size_t)cap.length, jn);
}

int main(void)
{
    test_varints();
    test_frame_headers();
    test_frame_encoders();
    run_table("id payload", dec_id, ids, COUNT(ids), 0);
    test_settings();
    test_settings_encoder();
    test_stream_prefixes();
    test_capsules();
    test_datagrams();
    test_errors();
    test_wt_app_errors();
    test_control_stream();
    test_connect_stream();
    return check_exit("test_h3_codec");
}
