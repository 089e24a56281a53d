/* The Wisp codec against hand-written packets: exact byte layouts, every
 * decoder error, sizes at their limits, encoders given too little room.
 * Every input is decoded from a heap copy of exactly its size, and again
 * cut at every byte, so that a read past the end trips the sanitizers. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "wisp_codec.h"

/* A byte array literal and its size, for tables. */
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

struct vector {
    const char *label;
    const uint8_t *bytes;
    size_t len;
    int rc; /* what the decoder must return */
};

static const struct vector vectors[] = {
    /* CONNECT TCP, stream 0x12345678, port 6697 (0x1a29), "irc.example" */
    { "connect tcp", BYTES(0x01, 0x78, 0x56, 0x34, 0x12, 0x01, 0x29, 0x1a,
                           'i', 'r', 'c', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'), 0 },
    /* CONNECT UDP, stream 1, port 53, "1.1.1.1" */
    { "connect udp", BYTES(0x01, 0x01, 0x00, 0x00, 0x00, 0x02, 0x35, 0x00,
                           '1', '.', '1', '.', '1', '.', '1'), 0 },
    /* UTF-8 names: U+00FC (2 bytes), U+20AC (3), U+1F600 (4), one byte host */
    { "connect utf8", BYTES(0x01, 0x02, 0, 0, 0, 0x01, 0x50, 0x00, 'b', 0xc3, 0xbc, 0xe2, 0x82, 0xac,
                            0xf0, 0x9f, 0x98, 0x80), 0 },
    { "connect 1-byte host, port 65535", BYTES(0x01, 0xff, 0xff, 0xff, 0xff, 0x01, 0xff, 0xff, 'h'), 0 },
    { "data", BYTES(0x02, 0x78, 0x56, 0x34, 0x12, 'h', 'e', 'l', 'l', 'o'), 0 },
    { "data empty", BYTES(0x02, 0x05, 0x00, 0x00, 0x00), 0 },
    /* The server's first packet: CONTINUE on stream 0, 128 packets */
    { "continue stream 0", BYTES(0x03, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00), 0 },
    { "continue max", BYTES(0x03, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff), 0 },
    { "close voluntary", BYTES(0x04, 0x78, 0x56, 0x34, 0x12, 0x02), 0 },
    { "close stream 0 incompatible", BYTES(0x04, 0x00, 0x00, 0x00, 0x00, 0x04), 0 },
    { "close unknown reason kept", BYTES(0x04, 0x09, 0x00, 0x00, 0x00, 0x77), 0 },
    { "info v2 no extensions", BYTES(0x05, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00), 0 },
    /* INFO 2.0 with UDP (no payload) and password (required = 1) */
    { "info v2 udp+password", BYTES(0x05, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
                                    0x01, 0x00, 0x00, 0x00, 0x00,
                                    0x02, 0x01, 0x00, 0x00, 0x00, 0x01), 0 },
    /* emnet's half-close extension: FIN on stream 7 */
    { "fin", BYTES(0xe0, 0x07, 0x00, 0x00, 0x00), 0 },
    /* receive credit: 65536 more bytes on stream 7 */
    { "credit", BYTES(0xe2, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00), 0 },
    /* UDP sockets: an IPv4 socket stream 9; a refusal from 127.0.0.1:53 */
    { "connect udp socket v4", BYTES(0x01, 0x09, 0, 0, 0, 0xe3, 0x00, 0x00, '0', '.', '0', '.', '0', '.', '0'), 0 },
    { "connect udp socket v6", BYTES(0x01, 0x0a, 0, 0, 0, 0xe3, 0x00, 0x00, ':', ':'), 0 },
    { "udp error", BYTES(0xe3, 0x09, 0, 0, 0, 0x44, 0x04, 0x35, 0x00, 127, 0, 0, 1), 0 },

    { "empty", (const uint8_t *)"", 0, EMNET_WISP_ESHORT },
    { "4-byte header", BYTES(0x02, 0x01, 0x00, 0x00), EMNET_WISP_ESHORT },
    { "type 0", BYTES(0x00, 0x01, 0x00, 0x00, 0x00), EMNET_WISP_ETYPE },
    { "type 6", BYTES(0x06, 0x01, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ETYPE },
    { "type 0xff", BYTES(0xff, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ETYPE },
    { "type 0xe1", BYTES(0xe1, 0x01, 0x00, 0x00, 0x00), EMNET_WISP_ETYPE },
    { "fin stream 0", BYTES(0xe0, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ESTREAM_ID },
    { "fin with payload", BYTES(0xe0, 0x01, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ETRAILING },
    { "credit stream 0", BYTES(0xe2, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00), EMNET_WISP_ESTREAM_ID },
    { "credit short", BYTES(0xe2, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00), EMNET_WISP_ESHORT },
    { "credit long", BYTES(0xe2, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ETRAILING },
    { "udp socket port 1", BYTES(0x01, 0x09, 0, 0, 0, 0xe3, 0x01, 0x00, ':', ':'), EMNET_WISP_EPORT },
    { "udp port 0", BYTES(0x01, 0x09, 0, 0, 0, 0x02, 0x00, 0x00, 'h'), EMNET_WISP_EPORT },
    { "udp socket named host", BYTES(0x01, 0x09, 0, 0, 0, 0xe3, 0x00, 0x00, 'h'), EMNET_WISP_EHOST_BYTE },
    { "udp error stream 0", BYTES(0xe3, 0, 0, 0, 0, 0x44, 0x04, 0x35, 0x00, 127, 0, 0, 1), EMNET_WISP_ESTREAM_ID },
    { "udp error no reason", BYTES(0xe3, 0x09, 0, 0, 0), EMNET_WISP_ESHORT },
    { "udp error family 5", BYTES(0xe3, 0x09, 0, 0, 0, 0x44, 0x05, 0x35, 0x00, 127, 0, 0, 1), EMNET_WISP_EADDR },
    { "udp error v6 cut", BYTES(0xe3, 0x09, 0, 0, 0, 0x44, 0x06, 0x35, 0x00, 0, 0, 0, 0), EMNET_WISP_EADDR },
    { "udp error trailing", BYTES(0xe3, 0x09, 0, 0, 0, 0x44, 0x04, 0x35, 0x00, 127, 0, 0, 1, 9), EMNET_WISP_ETRAILING },

    /* the stream id is judged before the payload */
    { "connect stream 0", BYTES(0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x50, 0x00, 'h'), EMNET_WISP_ESTREAM_ID },
    { "connect stream 0 short", BYTES(0x01, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ESTREAM_ID },
    { "connect no payload", BYTES(0x01, 0x01, 0x00, 0x00, 0x00), EMNET_WISP_ESHORT },
    { "connect 1 byte", BYTES(0x01, 0x01, 0x00, 0x00, 0x00, 0x01), EMNET_WISP_ESHORT },
    { "connect 2 bytes", BYTES(0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0x50), EMNET_WISP_ESHORT },
    { "connect stream type 0", BYTES(0x01, 0x01, 0, 0, 0, 0x00, 0x50, 0x00, 'h'), EMNET_WISP_ESTREAM_TYPE },
    { "connect stream type 3", BYTES(0x01, 0x01, 0, 0, 0, 0x03, 0x50, 0x00, 'h'), EMNET_WISP_ESTREAM_TYPE },
    { "connect port 0", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x00, 0x00, 'h'), EMNET_WISP_EPORT },
    { "connect empty host", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00), EMNET_WISP_EHOST_EMPTY },
    { "host NUL", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 'a', 0x00, 'b'), EMNET_WISP_EHOST_BYTE },
    { "host trailing NUL", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 'a', 0x00), EMNET_WISP_EHOST_BYTE },
    { "host newline", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 'a', '\n'), EMNET_WISP_EHOST_BYTE },
    { "host 0x1f", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0x1f), EMNET_WISP_EHOST_BYTE },
    { "host DEL", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 'a', 0x7f), EMNET_WISP_EHOST_BYTE },
    { "host lone continuation", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0x80), EMNET_WISP_EHOST_BYTE },
    { "host overlong 2", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xc0, 0xae), EMNET_WISP_EHOST_BYTE },
    { "host overlong 3", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xe0, 0x80, 0xae), EMNET_WISP_EHOST_BYTE },
    { "host overlong 4", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xf0, 0x80, 0x80, 0xae),
      EMNET_WISP_EHOST_BYTE },
    { "host surrogate", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xed, 0xa0, 0x80), EMNET_WISP_EHOST_BYTE },
    { "host past U+10FFFF", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xf4, 0x90, 0x80, 0x80),
      EMNET_WISP_EHOST_BYTE },
    { "host 0xf5", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xf5, 0x80, 0x80, 0x80), EMNET_WISP_EHOST_BYTE },
    { "host 0xff", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 'a', 0xff), EMNET_WISP_EHOST_BYTE },
    { "host cut sequence", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 'a', 0xe2, 0x82), EMNET_WISP_EHOST_BYTE },
    { "host bad 3rd byte", BYTES(0x01, 0x01, 0, 0, 0, 0x01, 0x50, 0x00, 0xe2, 0x82, 'a'), EMNET_WISP_EHOST_BYTE },

    { "data stream 0", BYTES(0x02, 0x00, 0x00, 0x00, 0x00, 'x'), EMNET_WISP_ESTREAM_ID },
    { "continue 3 bytes", BYTES(0x03, 0x01, 0, 0, 0, 0x80, 0x00, 0x00), EMNET_WISP_ESHORT },
    { "continue no payload", BYTES(0x03, 0x01, 0, 0, 0), EMNET_WISP_ESHORT },
    { "continue 5 bytes", BYTES(0x03, 0x01, 0, 0, 0, 0x80, 0x00, 0x00, 0x00, 0x00), EMNET_WISP_ETRAILING },
    { "close no reason", BYTES(0x04, 0x01, 0, 0, 0), EMNET_WISP_ESHORT },
    { "close 2 bytes", BYTES(0x04, 0x01, 0, 0, 0, 0x02, 0x02), EMNET_WISP_ETRAILING },
    { "info stream 1", BYTES(0x05, 0x01, 0, 0, 0, 0x02, 0x00), EMNET_WISP_ESTREAM_ID },
    { "info no version", BYTES(0x05, 0, 0, 0, 0), EMNET_WISP_ESHORT },
    { "info major only", BYTES(0x05, 0, 0, 0, 0, 0x02), EMNET_WISP_ESHORT },
    { "info ext id only", BYTES(0x05, 0, 0, 0, 0, 0x02, 0x00, 0x01), EMNET_WISP_EEXT },
    { "info ext cut length", BYTES(0x05, 0, 0, 0, 0, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00), EMNET_WISP_EEXT },
    { "info ext payload cut", BYTES(0x05, 0, 0, 0, 0, 0x02, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x01),
      EMNET_WISP_EEXT },
    { "info ext length 2^32-1", BYTES(0x05, 0, 0, 0, 0, 0x02, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff, 'm'),
      EMNET_WISP_EEXT },
    { "info second ext cut", BYTES(0x05, 0, 0, 0, 0, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0x02), EMNET_WISP_EEXT },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Decodes from a heap copy of exactly len bytes (NULL-safe for len 0 is
 * not promised, so even the empty input gets a real one-byte buffer). */
static int decode_copy(const uint8_t *bytes, size_t len, struct emnet_wisp_packet *out, uint8_t **copy)
{
    *copy = malloc(len ? len : 1);
    if (len)
        memcpy(*copy, bytes, len);
    return emnet_wisp_decode(*copy, len, out);
}

static void test_vectors(void)
{
    for (size_t i = 0; i < COUNT(vectors); i++) {
        const struct vector *v = &vectors[i];
        struct emnet_wisp_packet pkt;
        uint8_t *copy;
        int rc = decode_copy(v->bytes, v->len, &pkt, &copy);
        if (rc != v->rc)
            fprintf(stderr, "vector \"%s\": got %s, want %s\n", v->label, emnet_wisp_error_name(rc),
                    emnet_wisp_error_name(v->rc));
        CHECK_EQ_INT(rc, v->rc);
        if (v->len >= EMNET_WISP_HEADER) {
            /* the header is reported even on error */
            CHECK_EQ_INT(pkt.type, v->bytes[0]);
            CHECK_EQ_INT(pkt.stream_id, (uint32_t)v->bytes[1] | (uint32_t)v->bytes[2] << 8 |
                                            (uint32_t)v->bytes[3] << 16 | (uint32_t)v->bytes[4] << 24);
        }
        if (rc == 0) {
            /* Canonical: encoding the decoded packet gives the input back,
             * and no smaller buffer takes it. */
            uint8_t out[512];
            CHECK(v->len <= sizeof out);
            CHECK_EQ_INT(emnet_wisp_encode(out, sizeof out, &pkt), v->len);
            CHECK(memcmp(out, v->bytes, v->len) == 0);
            for (size_t cap = 0; cap < v->len; cap++)
                CHECK_EQ_INT(emnet_wisp_encode(out, cap, &pkt), 0);
        }
        free(copy);

        /* Cut at every byte: never a crash or an over-read, never success
         * for a packet whose payload has a fixed size. */
        for (size_t cut = 0; cut < v->len; cut++) {
            int crc = decode_copy(v->bytes, cut, &pkt, &copy);
            CHECK(crc <= 0);
            CHECK(strcmp(emnet_wisp_error_name(crc), "?") != 0);
            if (cut < EMNET_WISP_HEADER)
                CHECK_EQ_INT(crc, EMNET_WISP_ESHORT);
            if (rc == 0 && (v->bytes[0] == EMNET_WISP_CONTINUE || v->bytes[0] == EMNET_WISP_CLOSE))
                CHECK_EQ_INT(crc, EMNET_WISP_ESHORT);
            free(copy);
        }
    }
}

static void test_fields(void)
{
    struct emnet_wisp_packet p;

    CHECK_EQ_INT(emnet_wisp_decode(vectors[0].bytes, vectors[0].len, &p), 0);
    CHECK_EQ_INT(p.type, EMNET_WISP_CONNECT);
    CHECK_EQ_INT(p.stream_id, 0x12345678);
    CHECK_EQ_INT(p.u.connect.stream_type, EMNET_WISP_STREAM_TCP);
    CHECK_EQ_INT(p.u.connect.port, 6697);
    CHECK_EQ_INT(p.u.connect.host_len, 11);
    CHECK(memcmp(p.u.connect.host, "irc.example", 11) == 0);
    CHECK(p.u.connect.host == (const char *)vectors[0].bytes + 8); /* no copy */

    CHECK_EQ_INT(emnet_wisp_decode(vectors[1].bytes, vectors[1].len, &p), 0);
    CHECK_EQ_INT(p.stream_id, 1);
    CHECK_EQ_INT(p.u.connect.stream_type, EMNET_WISP_STREAM_UDP);
    CHECK_EQ_INT(p.u.connect.port, 53);

    CHECK_EQ_INT(emnet_wisp_decode(vectors[4].bytes, vectors[4].len, &p), 0);
    CHECK_EQ_INT(p.type, EMNET_WISP_DATA);
    CHECK_EQ_INT(p.u.data.len, 5);
    CHECK(p.u.data.data == vectors[4].bytes + 5);

    CHECK_EQ_INT(emnet_wisp_decode(vectors[5].bytes, vectors[5].len, &p), 0);
    CHECK_EQ_INT(p.stream_id, 5);
    CHECK_EQ_INT(p.u.data.len, 0);

    CHECK_EQ_INT(emnet_wisp_decode(vectors[6].bytes, vectors[6].len, &p), 0);
    CHECK_EQ_INT(p.type, EMNET_WISP_CONTINUE);
    CHECK_EQ_INT(p.stream_id, 0);
    CHECK_EQ_INT(p.u.cont.remaining, 128);
    CHECK_EQ_INT(emnet_wisp_decode(vectors[7].bytes, vectors[7].len, &p), 0);
    CHECK_EQ_INT(p.u.cont.remaining, 0xffffffffu);

    CHECK_EQ_INT(emnet_wisp_decode(vectors[8].bytes, vectors[8].len, &p), 0);
    CHECK_EQ_INT(p.u.close.reason, EMNET_WISP_CLOSE_VOLUNTARY);
    CHECK_EQ_INT(emnet_wisp_decode(vectors[10].bytes, vectors[10].len, &p), 0);
    CHECK_EQ_INT(p.u.close.reason, 0x77);

    CHECK_EQ_INT(emnet_wisp_decode(vectors[12].bytes, vectors[12].len, &p), 0);
    CHECK_EQ_INT(p.type, EMNET_WISP_INFO);
    CHECK_EQ_INT(p.u.info.major, 2);
    CHECK_EQ_INT(p.u.info.minor, 0);
    CHECK_EQ_INT(p.u.info.ext_len, 11);
}

static void test_ext_iterator(void)
{
    struct emnet_wisp_packet p;
    const uint8_t *it, *end, *payload;
    uint8_t id;
    uint32_t n;

    if (emnet_wisp_decode(vectors[12].bytes, vectors[12].len, &p) != 0) {
        CHECK(!"INFO vector decodes");
        return;
    }
    it = p.u.info.ext;
    end = it + p.u.info.ext_len;
    CHECK_EQ_INT(emnet_wisp_ext_next(&it, end, &id, &payload, &n), 1);
    CHECK_EQ_INT(id, EMNET_WISP_EXT_UDP);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(emnet_wisp_ext_next(&it, end, &id, &payload, &n), 1);
    CHECK_EQ_INT(id, EMNET_WISP_EXT_PASSWORD);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(payload[0], 1);
    CHECK_EQ_INT(emnet_wisp_ext_next(&it, end, &id, &payload, &n), 0);
    CHECK(it == end);
    CHECK_EQ_INT(emnet_wisp_ext_next(&it, end, &id, &payload, &n), 0); /* stays at the end */

    /* Malformed: an error that leaves the position alone. */
    static const uint8_t cut[] = { 0x04, 0x03, 0x00, 0x00, 0x00, 'a', 'b' };
    for (size_t len = 1; len <= sizeof cut; len++) {
        it = cut;
        CHECK_EQ_INT(emnet_wisp_ext_next(&it, cut + len, &id, &payload, &n), EMNET_WISP_EEXT);
        CHECK(it == cut);
    }
    static const uint8_t huge[] = { 0x04, 0xff, 0xff, 0xff, 0xff, 'a' };
    it = huge;
    CHECK_EQ_INT(emnet_wisp_ext_next(&it, huge + sizeof huge, &id, &payload, &n), EMNET_WISP_EEXT);
    it = huge;
    CHECK_EQ_INT(emnet_wisp_ext_next(&it, huge, &id, &payload, &n), 0); /* empty list */
}

static void test_encoders(void)
{
    uint8_t buf[600];
    size_t n;

    /* Each encoder writes the hand-written bytes of its vector. */
    n = emnet_wisp_encode_connect(buf, sizeof buf, 0x12345678, EMNET_WISP_STREAM_TCP, 6697, "irc.example", 11);
    CHECK_EQ_INT(n, vectors[0].len);
    CHECK(memcmp(buf, vectors[0].bytes, vectors[0].len) == 0);
    n = emnet_wisp_encode_connect(buf, sizeof buf, 1, EMNET_WISP_STREAM_UDP, 53, "1.1.1.1", 7);
    CHECK_EQ_INT(n, vectors[1].len);
    CHECK(memcmp(buf, vectors[1].bytes, vectors[1].len) == 0);
    n = emnet_wisp_encode_data(buf, sizeof buf, 0x12345678, "hello", 5);
    CHECK_EQ_INT(n, vectors[4].len);
    CHECK(memcmp(buf, vectors[4].bytes, n) == 0);
    n = emnet_wisp_encode_data(buf, sizeof buf, 5, NULL, 0);
    CHECK_EQ_INT(n, 5);
    CHECK(memcmp(buf, vectors[5].bytes, n) == 0);
    n = emnet_wisp_encode_continue(buf, sizeof buf, 0, 128);
    CHECK_EQ_INT(n, EMNET_WISP_CONTINUE_SIZE);
    CHECK(memcmp(buf, vectors[6].bytes, n) == 0);
    n = emnet_wisp_encode_close(buf, sizeof buf, 0x12345678, EMNET_WISP_CLOSE_VOLUNTARY);
    CHECK_EQ_INT(n, EMNET_WISP_CLOSE_SIZE);
    CHECK(memcmp(buf, vectors[8].bytes, n) == 0);

    n = emnet_wisp_encode_fin(buf, sizeof buf, 7);
    CHECK_EQ_INT(n, EMNET_WISP_FIN_SIZE);
    CHECK(memcmp(buf, vectors[13].bytes, n) == 0);
    CHECK_EQ_INT(emnet_wisp_encode_fin(buf, sizeof buf, 0), 0);
    CHECK_EQ_INT(emnet_wisp_encode_fin(buf, EMNET_WISP_FIN_SIZE - 1, 7), 0);
    n = emnet_wisp_encode_credit(buf, sizeof buf, 7, 65536);
    CHECK_EQ_INT(n, EMNET_WISP_CREDIT_SIZE);
    CHECK(memcmp(buf, vectors[14].bytes, n) == 0);
    CHECK_EQ_INT(emnet_wisp_encode_credit(buf, sizeof buf, 0, 1), 0);
    n = emnet_wisp_encode_connect(buf, sizeof buf, 9, EMNET_WISP_STREAM_UDP_SOCKET, 0, "0.0.0.0", 7);
    CHECK(n == vectors[15].len && memcmp(buf, vectors[15].bytes, n) == 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 9, EMNET_WISP_STREAM_UDP_SOCKET, 53, "::", 2), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 9, EMNET_WISP_STREAM_UDP, 0, "h", 1), 0);
    {
        struct emnet_wisp_addr a = { .family = 4, .port = 53, .addr = { 127, 0, 0, 1 } }, b;
        n = emnet_wisp_encode_udp_error(buf, sizeof buf, 9, EMNET_WISP_CLOSE_REFUSED, &a);
        CHECK(n == vectors[17].len && memcmp(buf, vectors[17].bytes, n) == 0);
        uint8_t rec[EMNET_WISP_ADDR_MAX];
        struct emnet_wisp_addr v6 = { .family = 6, .port = 443, .addr = { 0xfe, 0x80, [15] = 1 } };
        CHECK_EQ_INT(emnet_wisp_encode_addr(rec, sizeof rec, &v6), 19);
        CHECK_EQ_INT(emnet_wisp_decode_addr(rec, 19, &b), 19);
        CHECK(b.family == 6 && b.port == 443 && memcmp(b.addr, v6.addr, 16) == 0);
        CHECK_EQ_INT(emnet_wisp_decode_addr(rec, 18, &b), EMNET_WISP_EADDR);
        CHECK_EQ_INT(emnet_wisp_encode_addr(rec, 18, &v6), 0);
        a.family = 5;
        CHECK_EQ_INT(emnet_wisp_encode_addr(rec, sizeof rec, &a), 0);
    }
    {
        struct emnet_wisp_packet pk;
        CHECK_EQ_INT(emnet_wisp_decode(vectors[14].bytes, vectors[14].len, &pk), 0);
        CHECK_EQ_INT(pk.u.credit.bytes, 65536);
        uint32_t w = 0;
        CHECK_EQ_INT(emnet_wisp_decode_window((const uint8_t *)"\x00\x00\x10\x00", 4, &w), 0);
        CHECK_EQ_INT(w, 1 << 20);
        CHECK_EQ_INT(emnet_wisp_decode_window((const uint8_t *)"\x00\x00\x00\x00", 4, &w), EMNET_WISP_EEXT_PAYLOAD);
        CHECK_EQ_INT(emnet_wisp_decode_window((const uint8_t *)"\x01\x00\x00", 3, &w), EMNET_WISP_EEXT_PAYLOAD);
        CHECK_EQ_INT(emnet_wisp_decode_window((const uint8_t *)"\x01\x00\x00\x00\x00", 5, &w), EMNET_WISP_EEXT_PAYLOAD);
    }

    uint8_t ext[32];
    size_t e = emnet_wisp_encode_ext(ext, sizeof ext, EMNET_WISP_EXT_UDP, NULL, 0);
    CHECK_EQ_INT(e, 5);
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_PASSWORD, "\x01", 1);
    CHECK_EQ_INT(e, 11);
    n = emnet_wisp_encode_info(buf, sizeof buf, 2, 0, ext, e);
    CHECK_EQ_INT(n, vectors[12].len);
    CHECK(memcmp(buf, vectors[12].bytes, n) == 0);
    n = emnet_wisp_encode_info(buf, sizeof buf, 2, 0, NULL, 0);
    CHECK_EQ_INT(n, vectors[11].len);
    CHECK(memcmp(buf, vectors[11].bytes, n) == 0);

    /* The data header alone, for a payload sent without a copy. */
    CHECK_EQ_INT(emnet_wisp_encode_data_header(buf, sizeof buf, 0x12345678), EMNET_WISP_HEADER);
    CHECK(memcmp(buf, vectors[4].bytes, EMNET_WISP_HEADER) == 0);
    CHECK_EQ_INT(emnet_wisp_encode_data_header(buf, EMNET_WISP_HEADER, 1), EMNET_WISP_HEADER);
    CHECK_EQ_INT(emnet_wisp_encode_data_header(buf, EMNET_WISP_HEADER - 1, 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_data_header(buf, sizeof buf, 0), 0);

    /* Payload already in place after the header. */
    memcpy(buf + EMNET_WISP_HEADER, "hello", 5);
    CHECK_EQ_INT(emnet_wisp_encode_data(buf, sizeof buf, 0x12345678, buf + EMNET_WISP_HEADER, 5), 10);
    CHECK(memcmp(buf, vectors[4].bytes, 10) == 0);

    /* Too little room: 0 for every size below the packet's, and nothing
     * written past cap (the guard bytes stay). */
    for (size_t cap = 0; cap < 19; cap++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_wisp_encode_connect(buf, cap, 1, 1, 6697, "irc.example", 11), 0);
        CHECK_EQ_INT(emnet_wisp_encode_data(buf, cap, 1, "hello world and more", cap < 14 ? 14 : cap), 0);
        if (cap < 18)
            CHECK_EQ_INT(emnet_wisp_encode_info(buf, cap, 2, 0, ext, e), 0);
        if (cap < EMNET_WISP_CONTINUE_SIZE)
            CHECK_EQ_INT(emnet_wisp_encode_continue(buf, cap, 1, 1), 0);
        if (cap < EMNET_WISP_CLOSE_SIZE)
            CHECK_EQ_INT(emnet_wisp_encode_close(buf, cap, 1, 1), 0);
        if (cap < 10)
            CHECK_EQ_INT(emnet_wisp_encode_ext(buf, cap, 4, "motd!", 5), 0);
        CHECK_EQ_INT(buf[cap], 0xaa);
    }
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, 19, 1, 1, 6697, "irc.example", 11), 19);
    CHECK_EQ_INT(emnet_wisp_encode_ext(buf, 10, 4, "motd!", 5), 10);

    /* What the decoder rejects, the encoders refuse. */
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 0, 1, 80, "h", 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 1, 0, 80, "h", 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 1, 3, 80, "h", 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 1, 1, 0, "h", 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 1, 1, 80, "", 0), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 1, 1, 80, NULL, 0), 0);
    CHECK_EQ_INT(emnet_wisp_encode_connect(buf, sizeof buf, 1, 1, 80, "a\0b", 3), 0);
    CHECK_EQ_INT(emnet_wisp_encode_data(buf, sizeof buf, 0, "x", 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_info(buf, sizeof buf, 2, 0, ext, e - 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_info(buf, sizeof buf, 2, 0, (const uint8_t *)"\x01", 1), 0);
    struct emnet_wisp_packet bad = { .type = 9, .stream_id = 1 };
    CHECK_EQ_INT(emnet_wisp_encode(buf, sizeof buf, &bad), 0);
    bad.type = EMNET_WISP_INFO;
    CHECK_EQ_INT(emnet_wisp_encode(buf, sizeof buf, &bad), 0); /* INFO off stream 0 */
#if SIZE_MAX > UINT32_MAX
    /* A length the u32 field cannot hold; never read, as the check fails first. */
    CHECK_EQ_INT(emnet_wisp_encode_ext(buf, sizeof buf, 4, "x", (size_t)UINT32_MAX + 1), 0);
#endif
}

static void test_limits(void)
{
    static uint8_t host[EMNET_WISP_HOST_MAX + 1];
    static uint8_t pkt[EMNET_WISP_HEADER + EMNET_WISP_CONNECT_FIXED + sizeof host];
    struct emnet_wisp_packet p;
    size_t n;

    memset(host, 'a', sizeof host);
    n = emnet_wisp_encode_connect(pkt, sizeof pkt, 7, 1, 443, (const char *)host, EMNET_WISP_HOST_MAX);
    CHECK_EQ_INT(n, EMNET_WISP_HEADER + EMNET_WISP_CONNECT_FIXED + EMNET_WISP_HOST_MAX);
    CHECK_EQ_INT(emnet_wisp_decode(pkt, n, &p), 0);
    CHECK_EQ_INT(p.u.connect.host_len, EMNET_WISP_HOST_MAX);
    CHECK_EQ_INT(emnet_wisp_encode_connect(pkt, sizeof pkt, 7, 1, 443, (const char *)host, sizeof host), 0);
    memcpy(pkt + n, "a", 1);
    CHECK_EQ_INT(emnet_wisp_decode(pkt, n + 1, &p), EMNET_WISP_EHOST_LONG);

    CHECK_EQ_INT(emnet_wisp_check_host("example.com", 11), 0);
    CHECK_EQ_INT(emnet_wisp_check_host("::1", 3), 0);
    CHECK_EQ_INT(emnet_wisp_check_host("", 0), EMNET_WISP_EHOST_EMPTY);
    CHECK_EQ_INT(emnet_wisp_check_host((const char *)host, sizeof host), EMNET_WISP_EHOST_LONG);
    CHECK_EQ_INT(emnet_wisp_check_host("a\tb", 3), EMNET_WISP_EHOST_BYTE);

    /* A large DATA packet and the largest stream id. */
    enum { BIG = 1 << 16 };
    uint8_t *big = malloc(EMNET_WISP_HEADER + BIG), *payload = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        payload[i] = (uint8_t)(i * 31 + 7);
    n = emnet_wisp_encode_data(big, EMNET_WISP_HEADER + BIG, 0xffffffffu, payload, BIG);
    CHECK_EQ_INT(n, EMNET_WISP_HEADER + BIG);
    CHECK_EQ_INT(emnet_wisp_decode(big, n, &p), 0);
    CHECK_EQ_INT(p.stream_id, 0xffffffffu);
    CHECK_EQ_INT(p.u.data.len, BIG);
    CHECK(memcmp(p.u.data.data, payload, BIG) == 0);
    CHECK_EQ_INT(emnet_wisp_encode_data(big, EMNET_WISP_HEADER + BIG - 1, 1, payload, BIG), 0);
    /* A length that would wrap a careless cap + len check. */
    CHECK_EQ_INT(emnet_wisp_encode_data(big, 64, 1, payload, SIZE_MAX - 2), 0);
    free(big);
    free(payload);
}

static void test_names(void)
{
    static const struct {
        uint8_t reason;
        const char *name;
        int err;
    } reasons[] = {
        { 0x01, "unknown", ECONNRESET },
        { 0x02, "voluntary", 0 },
        { 0x03, "network_error", ECONNRESET },
        { 0x04, "incompatible_extensions", ECONNRESET },
        { 0x41, "invalid_info", ECONNREFUSED },
        { 0x42, "unreachable", EHOSTUNREACH },
        { 0x43, "connect_timeout", ETIMEDOUT },
        { 0x44, "refused", ECONNREFUSED },
        { 0x47, "data_timeout", ETIMEDOUT },
        { 0x48, "blocked", EACCES },
        { 0x49, "throttled", ECONNREFUSED },
        { 0x81, "client_error", ECONNRESET },
        { 0xc0, "auth_bad_password", EACCES },
        { 0xc1, "auth_bad_signature", EACCES },
        { 0xc2, "auth_required", EACCES },
        { 0xe1, "reset", ECONNRESET },
        { 0x00, "unrecognised", ECONNRESET },
        { 0x05, "unrecognised", ECONNRESET },
        { 0x45, "unrecognised", ECONNRESET },
        { 0xff, "unrecognised", ECONNRESET },
    };
    for (size_t i = 0; i < COUNT(reasons); i++) {
        CHECK(strcmp(emnet_wisp_close_reason_name(reasons[i].reason), reasons[i].name) == 0);
        CHECK_EQ_INT(emnet_wisp_close_reason_errno(reasons[i].reason), reasons[i].err);
    }
    /* The enum spells the protocol's numbers. */
    CHECK_EQ_INT(EMNET_WISP_CLOSE_REFUSED, 0x44);
    CHECK_EQ_INT(EMNET_WISP_CLOSE_CLIENT_ERROR, 0x81);

    /* Every reason value has a name, and errno is never negative. */
    for (int r = 0; r < 256; r++) {
        CHECK(emnet_wisp_close_reason_name((uint8_t)r) != NULL);
        CHECK(emnet_wisp_close_reason_errno((uint8_t)r) >= 0);
    }

    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_OK), "ok") == 0);
    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_ESHORT), "short") == 0);
    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_EHOST_BYTE), "bad_host_byte") == 0);
    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_EEXT), "bad_extension") == 0);
    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_EEXT_PAYLOAD), "bad_extension_payload") == 0);
    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_EADDR), "bad_address") == 0);
    for (int e = -1; e >= EMNET_WISP_EADDR; e--)
        CHECK(strcmp(emnet_wisp_error_name(e), "?") != 0);
    CHECK(strcmp(emnet_wisp_error_name(1), "?") == 0);
    CHECK(strcmp(emnet_wisp_error_name(EMNET_WISP_EADDR - 1), "?") == 0);

    CHECK(strcmp(emnet_wisp_type_name(EMNET_WISP_CONNECT), "CONNECT") == 0);
    CHECK(strcmp(emnet_wisp_type_name(EMNET_WISP_INFO), "INFO") == 0);
    CHECK(strcmp(emnet_wisp_type_name(EMNET_WISP_FIN), "FIN") == 0);
    CHECK(strcmp(emnet_wisp_type_name(EMNET_WISP_CREDIT), "CREDIT") == 0);
    CHECK(strcmp(emnet_wisp_type_name(EMNET_WISP_UDP_ERROR), "UDP_ERROR") == 0);
    CHECK(strcmp(emnet_wisp_type_name(0), "?") == 0);
}

/* Extension payloads: the password extension's two messages, the MOTD,
 * the empty ones. Each good payload is also decoded cut at every byte (a
 * heap copy of exactly that size), where it must fail cleanly. */
struct pw_vector {
    const char *label;
    const uint8_t *bytes;
    size_t len;
    int rc;
    const char *user, *password; /* when rc is 0 */
};

static const struct pw_vector pw_vectors[] = {
    { "user and password", BYTES(0x04, 0x06, 0x00, 'a', 'l', 'i', 'x', 's', 'e', 'c', 'r', 'e', 't'), 0, "alix", "secret" },
    { "empty both", BYTES(0x00, 0x00, 0x00), 0, "", "" },
    { "utf-8 user", BYTES(0x02, 0x01, 0x00, 0xc3, 0xbc, 'p'), 0, "\xc3\xbc", "p" },
    { "password length LE", BYTES(0x00, 0x01, 0x00, 'x'), 0, "", "x" },
    { "nothing", BYTES(0x00), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "header only short", BYTES(0x00, 0x00), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "user past the end", BYTES(0x05, 0x00, 0x00, 'a', 'b'), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "password past the end", BYTES(0x01, 0x05, 0x00, 'a', 'b'), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "trailing byte", BYTES(0x01, 0x01, 0x00, 'a', 'b', 'c'), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "password length big-endian", BYTES(0x00, 0x00, 0x01, 'x'), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "NUL in password", BYTES(0x01, 0x02, 0x00, 'a', 'b', 0x00), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
    { "bad utf-8 user", BYTES(0x01, 0x01, 0x00, 0xc0, 'b'), EMNET_WISP_EEXT_PAYLOAD, NULL, NULL },
};

static void test_ext_payloads(void)
{
    struct emnet_wisp_password pw;
    uint8_t out[64];

    for (size_t i = 0; i < sizeof pw_vectors / sizeof pw_vectors[0]; i++) {
        const struct pw_vector *v = &pw_vectors[i];
        uint8_t *copy = malloc(v->len);
        CHECK(copy != NULL);
        memcpy(copy, v->bytes, v->len);
        int rc = emnet_wisp_decode_password(copy, v->len, &pw);
        if (rc != v->rc)
            fprintf(stderr, "password vector \"%s\": got %d, want %d\n", v->label, rc, v->rc);
        CHECK_EQ_INT(rc, v->rc);
        if (rc == 0) {
            CHECK_EQ_INT(pw.user_len, strlen(v->user));
            CHECK(memcmp(pw.user, v->user, pw.user_len) == 0);
            CHECK_EQ_INT(pw.password_len, strlen(v->password));
            CHECK(memcmp(pw.password, v->password, pw.password_len) == 0);
            /* Encoding the fields gives the same bytes; one byte less of
             * room gives 0. */
            CHECK_EQ_INT(emnet_wisp_encode_password(out, sizeof out, v->user, strlen(v->user), v->password,
                                                    strlen(v->password)), v->len);
            CHECK(memcmp(out, v->bytes, v->len) == 0);
            CHECK_EQ_INT(emnet_wisp_encode_password(out, v->len - 1, v->user, strlen(v->user), v->password,
                                                    strlen(v->password)), 0);
            for (size_t cut = 0; cut < v->len; cut++) {
                uint8_t *part = malloc(cut ? cut : 1);
                CHECK(part != NULL);
                memcpy(part, v->bytes, cut);
                CHECK_EQ_INT(emnet_wisp_decode_password(part, cut, &pw), EMNET_WISP_EEXT_PAYLOAD);
                free(part);
            }
        }
        free(copy);
    }
    /* Encoder limits: 255 bytes of user name, 65535 of password, text only. */
    static uint8_t big[3 + 256 + 65536];
    static char name[256], secret[65536];
    memset(name, 'u', sizeof name);
    memset(secret, 'p', sizeof secret);
    CHECK_EQ_INT(emnet_wisp_encode_password(big, sizeof big, name, 255, secret, 65535), 3 + 255 + 65535);
    CHECK_EQ_INT(emnet_wisp_decode_password(big, 3 + 255 + 65535, &pw), 0);
    CHECK_EQ_INT(pw.user_len, 255);
    CHECK_EQ_INT(pw.password_len, 65535);
    CHECK_EQ_INT(emnet_wisp_encode_password(big, sizeof big, name, 256, secret, 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_password(big, sizeof big, name, 1, secret, 65536), 0);
    CHECK_EQ_INT(emnet_wisp_encode_password(big, sizeof big, "a\0b", 3, "x", 1), 0);
    CHECK_EQ_INT(emnet_wisp_encode_password(big, sizeof big, "a", 1, "\xff", 1), 0);

    /* The server's "required" byte. */
    int required = -1;
    CHECK_EQ_INT(emnet_wisp_decode_password_required(BYTES(0x01), &required), 0);
    CHECK_EQ_INT(required, 1);
    CHECK_EQ_INT(emnet_wisp_decode_password_required(BYTES(0x00), &required), 0);
    CHECK_EQ_INT(required, 0);
    CHECK_EQ_INT(emnet_wisp_decode_password_required(BYTES(0x02), &required), EMNET_WISP_EEXT_PAYLOAD);
    CHECK_EQ_INT(emnet_wisp_decode_password_required(BYTES(0x01, 0x00), &required), EMNET_WISP_EEXT_PAYLOAD);
    CHECK_EQ_INT(emnet_wisp_decode_password_required(NULL, 0, &required), EMNET_WISP_EEXT_PAYLOAD);

    /* MOTD: UTF-8 text, possibly empty, without NUL. */
    CHECK_EQ_INT(emnet_wisp_check_motd(BYTES('h', 'i', '\n', 0xe2, 0x82, 0xac)), 0);
    CHECK_EQ_INT(emnet_wisp_check_motd(NULL, 0), 0);
    CHECK_EQ_INT(emnet_wisp_check_motd(BYTES('h', 0x00, 'i')), EMNET_WISP_EEXT_PAYLOAD);
    CHECK_EQ_INT(emnet_wisp_check_motd(BYTES('h', 0xe2, 0x82)), EMNET_WISP_EEXT_PAYLOAD);

    /* UDP and stream confirmation carry nothing. */
    CHECK_EQ_INT(emnet_wisp_check_empty_ext(0), 0);
    CHECK_EQ_INT(emnet_wisp_check_empty_ext(1), EMNET_WISP_EEXT_PAYLOAD);
    CHECK_EQ_INT(EMNET_WISP_EXT_STREAM_CONFIRM, 0x05);
}

int main(void)
{
    test_vectors();
    test_fields();
    test_ext_iterator();
    test_encoders();
    test_limits();
    test_names();
    test_ext_payloads();
    return check_exit("test_wisp_codec");
}
