/* The WebTransport protocol codec against hand-written bytes: every kind
 * of header, reply, datagram and record, every decoder error, sizes at
 * their limits, encoders given too little room or fields they must refuse.
 * Every input is decoded from a heap copy of exactly its size, and again
 * cut at every byte, so that a read past the end trips the sanitizers.
 * Stream decoders must answer "need more" (0) for every cut shorter than
 * what their answer rests on and that same answer from there on; the
 * datagram decoder, whose input is always whole, answers ESHORT instead.
 * Each table states what the decoder gives as text (see the describe
 * functions), and whatever decodes must encode back to the same bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "wt_codec.h"

/* A byte array literal and its size, for tables. */
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define V4_DOC 192, 0, 2, 1     /* 192.0.2.1, RFC 5737 */
#define V4_DOC2 198, 51, 100, 7 /* 198.51.100.7 */
#define V6_DOC 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 /* 2001:db8::1, RFC 3849 */
#define FF8 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

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

/* ---- results as text ---- */

struct text {
    char s[2048];
    size_t n;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void say(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->n = t->n + (size_t)n < sizeof t->s ? t->n + (size_t)n : sizeof t->s - 1;
}

static void say_hex(struct text *t, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        say(t, "%02x", p[i]);
}

/* "4:c0000201", "6:20010db8...", "0:example.com" */
static void say_addr(struct text *t, const struct emnet_wt_addr *a)
{
    say(t, "%u:", a->type);
    if (a->type == EMNET_WT_ADDR_NAME)
        say(t, "%.*s", (int)a->len, (const char *)a->bytes);
    else
        say_hex(t, a->bytes, a->len);
}

static void say_ip(struct text *t, const struct emnet_wt_ip *ip)
{
    say(t, "%u:", ip->type);
    say_hex(t, ip->bytes, ip->type == 4 ? 4 : 16);
}

/* "4:c0000201:53" */
static void say_sockaddr(struct text *t, const struct emnet_wt_sockaddr *sa)
{
    say_ip(t, &sa->ip);
    say(t, ":%u", sa->port);
}

/* ---- tables ---- */

struct vec {
    const char *label;
    const uint8_t *bytes;
    size_t len;
    int rc;             /* what the decoder returns for the whole input */
    const char *fields; /* the result as text, when rc > 0 */
    size_t need;        /* bytes the answer rests on; 0: rc when > 0, else all */
    int long_form;      /* a varint longer than needed: re-encodes shorter */
};

/* What a wrapper hands back: the result as text, and its re-encoding. */
struct result {
    struct text desc;
    uint8_t enc[1024];
    size_t enc_len;
};

/* Decodes buf, describes the result and, when it decoded, encodes it
 * again into r->enc with enc_cap bytes of room. */
typedef int (*decode_fn)(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r);

static int run(decode_fn fn, const uint8_t *bytes, size_t len, size_t enc_cap, struct result *r)
{
    memset(r, 0, sizeof *r);
    memset(r->enc, 0xaa, sizeof r->enc);
    uint8_t *copy = heap_copy(bytes, len);
    int rc = fn(copy, len, enc_cap, r);
    free(copy);
    return rc;
}

static int untouched(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xaa)
            return 0;
    return 1;
}

/* whole: the decoder reads a whole datagram, and its encoding is all of
 * the input, not the rc bytes of header. */
static void run_table(const char *table, decode_fn fn, const struct vec *vecs, size_t n, int whole)
{
    static struct result r, again;

    for (size_t i = 0; i < n; i++) {
        const struct vec *v = &vecs[i];
        int rc = run(fn, v->bytes, v->len, sizeof r.enc, &r);
        if (rc != v->rc)
            fprintf(stderr, "%s \"%s\": got %d (%s), want %d (%s)\n", table, v->label, rc, emnet_wt_error_name(rc),
                    v->rc, emnet_wt_error_name(v->rc));
        CHECK_EQ_INT(rc, v->rc);
        CHECK(rc >= 0 || strcmp(emnet_wt_error_name(rc), "?") != 0);
        if (rc > 0 && v->rc > 0) {
            if (v->fields == NULL || strcmp(r.desc.s, v->fields) != 0)
                fprintf(stderr, "%s \"%s\": got \"%s\", want \"%s\"\n", table, v->label, r.desc.s,
                        v->fields ? v->fields : "(null)");
            CHECK(v->fields != NULL && strcmp(r.desc.s, v->fields) == 0);

            size_t want = whole ? v->len : (size_t)rc;
            if (!v->long_form) {
                /* Canonical: the same bytes back, and nothing with less room. */
                CHECK_EQ_INT(r.enc_len, want);
                CHECK(r.enc_len == want && memcmp(r.enc, v->bytes, want) == 0);
            } else {
                /* Shortest form: fewer bytes, the same fields. */
                CHECK(r.enc_len > 0 && r.enc_len < want);
                struct text first = r.desc;
                size_t len = r.enc_len;
                uint8_t enc[sizeof r.enc];
                memcpy(enc, r.enc, len);
                int arc = run(fn, enc, len, sizeof again.enc, &again);
                CHECK(arc > 0 && strcmp(again.desc.s, first.s) == 0);
                CHECK(again.enc_len == len && memcmp(again.enc, enc, len) == 0);
            }
            for (size_t cap = 0; cap < r.enc_len; cap++) {
                CHECK_EQ_INT(run(fn, v->bytes, v->len, cap, &again), rc);
                CHECK_EQ_INT(again.enc_len, 0);
                CHECK(untouched(again.enc, sizeof again.enc));
            }
        }

        size_t need = v->need ? v->need : (rc > 0 ? (size_t)rc : v->len);
        for (size_t cut = 0; cut < v->len; cut++) {
            int crc = run(fn, v->bytes, cut, sizeof again.enc, &again);
            int want = cut < need ? (whole ? EMNET_WT_ESHORT : 0) : v->rc;
            if (crc != want)
                fprintf(stderr, "%s \"%s\" cut at %zu: got %d (%s), want %d\n", table, v->label, cut, crc,
                        emnet_wt_error_name(crc), want);
            CHECK_EQ_INT(crc, want);
        }
    }
}

/* ---- varints ---- */

static int dec_varint(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    uint64_t v = 0;
    int rc = emnet_wt_varint_decode(buf, len, &v);
    if (rc > 0) {
        say(&r->desc, "%llu", (unsigned long long)v);
        r->enc_len = emnet_wt_varint_encode(r->enc, enc_cap, v);
        uint8_t out[EMNET_WT_VARINT_MAX_LEN];
        CHECK_EQ_INT(emnet_wt_varint_len(v), emnet_wt_varint_encode(out, sizeof out, v));
    }
    return rc;
}

static const struct vec varints[] = {
    /* RFC 9000 Appendix A.1 */
    { "rfc9000 8-byte", BYTES(0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c), 8, "151288809941952652", 0, 0 },
    { "rfc9000 4-byte", BYTES(0x9d, 0x7f, 0x3e, 0x7d), 4, "494878333", 0, 0 },
    { "rfc9000 2-byte", BYTES(0x7b, 0xbd), 2, "15293", 0, 0 },
    { "rfc9000 1-byte", BYTES(0x25), 1, "37", 0, 0 },
    { "rfc9000 37 in 2 bytes", BYTES(0x40, 0x25), 2, "37", 0, 1 },
    { "0", BYTES(0x00), 1, "0", 0, 0 },
    { "63", BYTES(0x3f), 1, "63", 0, 0 },
    { "64", BYTES(0x40, 0x40), 2, "64", 0, 0 },
    { "16383", BYTES(0x7f, 0xff), 2, "16383", 0, 0 },
    { "16384", BYTES(0x80, 0x00, 0x40, 0x00), 4, "16384", 0, 0 },
    { "2^30-1", BYTES(0xbf, 0xff, 0xff, 0xff), 4, "1073741823", 0, 0 },
    { "2^30", BYTES(0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00), 8, "1073741824", 0, 0 },
    { "2^62-1", BYTES(FF8), 8, "4611686018427387903", 0, 0 },
    { "0 in 8 bytes", BYTES(0xc0, 0, 0, 0, 0, 0, 0, 0), 8, "0", 0, 1 },
    { "bytes after it", BYTES(0x25, 0xff, 0xff), 1, "37", 0, 0 },
    { "cut", BYTES(0x80, 0x00, 0x40), 0, NULL, 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
};

static void test_varints(void)
{
    run_table("varint", dec_varint, varints, COUNT(varints), 0);

    uint8_t out[9];
    CHECK_EQ_INT(emnet_wt_varint_len(0), 1);
    CHECK_EQ_INT(emnet_wt_varint_len(63), 1);
    CHECK_EQ_INT(emnet_wt_varint_len(64), 2);
    CHECK_EQ_INT(emnet_wt_varint_len(16383), 2);
    CHECK_EQ_INT(emnet_wt_varint_len(16384), 4);
    CHECK_EQ_INT(emnet_wt_varint_len((UINT64_C(1) << 30) - 1), 4);
    CHECK_EQ_INT(emnet_wt_varint_len(UINT64_C(1) << 30), 8);
    CHECK_EQ_INT(emnet_wt_varint_len(EMNET_WT_VARINT_MAX), 8);
    CHECK_EQ_INT(emnet_wt_varint_len(EMNET_WT_VARINT_MAX + 1), 0);
    CHECK_EQ_INT(emnet_wt_varint_len(UINT64_MAX), 0);
    memset(out, 0xaa, sizeof out);
    CHECK_EQ_INT(emnet_wt_varint_encode(out, sizeof out, EMNET_WT_VARINT_MAX + 1), 0);
    CHECK(untouched(out, sizeof out));

    /* Every value up to 3 bytes' worth, and each length's edges above. */
    for (uint64_t v = 0; v < 70000; v++) {
        uint64_t back = 0;
        size_t n = emnet_wt_varint_encode(out, sizeof out, v);
        if (n != emnet_wt_varint_len(v) || emnet_wt_varint_decode(out, n, &back) != (int)n || back != v) {
            CHECK(!"varint round trip");
            break;
        }
    }
    for (int bits = 6; bits <= 62; bits++) {
        uint64_t v = (UINT64_C(1) << bits) - 1, back = 0;
        size_t n = emnet_wt_varint_encode(out, sizeof out, v);
        CHECK(n > 0 && emnet_wt_varint_decode(out, n, &back) == (int)n && back == v);
    }
}

/* ---- addresses ---- */

static int dec_addr(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_addr a;
    int rc = emnet_wt_decode_addr(buf, len, &a);
    if (rc > 0) {
        say_addr(&r->desc, &a);
        CHECK_EQ_INT(emnet_wt_addr_len(&a), rc);
        r->enc_len = emnet_wt_encode_addr(r->enc, enc_cap, &a);
    }
    return rc;
}

static const struct vec addrs[] = {
    { "v4", BYTES(0x04, V4_DOC), 5, "4:c0000201", 0, 0 },
    { "v6", BYTES(0x06, V6_DOC), 17, "6:20010db8000000000000000000000001", 0, 0 },
    { "name", BYTES(0x00, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'), 13, "0:example.com", 0, 0 },
    { "name of every kind of byte", BYTES(0x00, 0x07, 'A', '-', 'z', '_', '0', '.', '9'), 9, "0:A-z_0.9", 0, 0 },
    { "one-byte name", BYTES(0x00, 0x01, 'h'), 3, "0:h", 0, 0 },
    { "v4 then more", BYTES(0x04, V4_DOC, 0x01, 0xbb), 5, "4:c0000201", 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
    { "v6 cut", BYTES(0x06, 0x20, 0x01), 0, NULL, 0, 0 },
    { "name cut", BYTES(0x00, 0x03, 'a', 'b'), 0, NULL, 0, 0 },
    { "type 1", BYTES(0x01, 0, 0, 0, 0), EMNET_WT_EADDR_TYPE, NULL, 1, 0 },
    { "type 5", BYTES(0x05, 0, 0, 0, 0), EMNET_WT_EADDR_TYPE, NULL, 1, 0 },
    { "type 0xff", BYTES(0xff), EMNET_WT_EADDR_TYPE, NULL, 1, 0 },
    { "empty name", BYTES(0x00, 0x00, 'a'), EMNET_WT_ENAME_EMPTY, NULL, 2, 0 },
    { "name 254", BYTES(0x00, 0xfe, 'a', 'b'), EMNET_WT_ENAME_LONG, NULL, 2, 0 },
    { "name 255", BYTES(0x00, 0xff), EMNET_WT_ENAME_LONG, NULL, 2, 0 },
    { "name NUL", BYTES(0x00, 0x03, 'a', 0x00, 'b'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name trailing NUL", BYTES(0x00, 0x04, 'a', 'b', 'c', 0x00), EMNET_WT_ENAME_BYTE, NULL, 6, 0 },
    { "name space", BYTES(0x00, 0x03, 'a', ' ', 'b'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name colon", BYTES(0x00, 0x04, 'a', ':', '8', '0'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name slash", BYTES(0x00, 0x03, 'a', '/', 'b'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name at", BYTES(0x00, 0x03, 'u', '@', 'h'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name newline", BYTES(0x00, 0x02, 'a', '\n'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name UTF-8", BYTES(0x00, 0x03, 'b', 0xc3, 0xbc), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
    { "name DEL", BYTES(0x00, 0x01, 0x7f), EMNET_WT_ENAME_BYTE, NULL, 3, 0 },
    { "name '/' just past '.'", BYTES(0x00, 0x01, '/'), EMNET_WT_ENAME_BYTE, NULL, 3, 0 },
    { "name '`' just past '_'", BYTES(0x00, 0x01, '`'), EMNET_WT_ENAME_BYTE, NULL, 3, 0 },
    { "name '[' just past 'Z'", BYTES(0x00, 0x01, '['), EMNET_WT_ENAME_BYTE, NULL, 3, 0 },
    { "name '{' just past 'z'", BYTES(0x00, 0x01, '{'), EMNET_WT_ENAME_BYTE, NULL, 3, 0 },
    /* the first bad byte decides, even with the rest of the name missing */
    { "name bad byte, rest not in", BYTES(0x00, 0x10, 'a', '*'), EMNET_WT_ENAME_BYTE, NULL, 4, 0 },
};

static int dec_sockaddr(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_sockaddr sa;
    int rc = emnet_wt_decode_sockaddr(buf, len, &sa);
    if (rc > 0) {
        say_sockaddr(&r->desc, &sa);
        CHECK_EQ_INT(emnet_wt_sockaddr_len(&sa), rc);
        r->enc_len = emnet_wt_encode_sockaddr(r->enc, enc_cap, &sa);
    }
    return rc;
}

static const struct vec sockaddrs[] = {
    { "v4:53", BYTES(0x04, V4_DOC, 0x00, 0x35), 7, "4:c0000201:53", 0, 0 },
    { "v6:443", BYTES(0x06, V6_DOC, 0x01, 0xbb), 19, "6:20010db8000000000000000000000001:443", 0, 0 },
    { "port 0", BYTES(0x04, 0, 0, 0, 0, 0x00, 0x00), 7, "4:00000000:0", 0, 0 },
    { "port 65535", BYTES(0x04, V4_DOC, 0xff, 0xff), 7, "4:c0000201:65535", 0, 0 },
    { "port cut", BYTES(0x04, V4_DOC, 0x00), 0, NULL, 0, 0 },
    { "a name", BYTES(0x00, 0x01, 'h', 0x00, 0x35), EMNET_WT_EADDR_TYPE, NULL, 1, 0 },
    { "type 5", BYTES(0x05), EMNET_WT_EADDR_TYPE, NULL, 1, 0 },
};

static void test_addresses(void)
{
    run_table("addr", dec_addr, addrs, COUNT(addrs), 0);
    run_table("sockaddr", dec_sockaddr, sockaddrs, COUNT(sockaddrs), 0);

    /* Names at and past their limit, in both directions. */
    char name[256];
    memset(name, 'n', sizeof name);
    CHECK_EQ_INT(emnet_wt_check_name(name, 253), 0);
    CHECK_EQ_INT(emnet_wt_check_name(name, 254), EMNET_WT_ENAME_LONG);
    CHECK_EQ_INT(emnet_wt_check_name(name, 0), EMNET_WT_ENAME_EMPTY);
    CHECK_EQ_INT(emnet_wt_check_name("a.b-c_D9", 8), 0);
    CHECK_EQ_INT(emnet_wt_check_name("a\0b", 3), EMNET_WT_ENAME_BYTE);
    CHECK_EQ_INT(emnet_wt_check_name("\xff", 1), EMNET_WT_ENAME_BYTE);

    uint8_t rec[2 + 253];
    rec[0] = 0x00;
    rec[1] = 253;
    memset(rec + 2, 'n', 253);
    uint8_t *copy = heap_copy(rec, sizeof rec);
    struct emnet_wt_addr a;
    CHECK_EQ_INT(emnet_wt_decode_addr(copy, sizeof rec, &a), 255);
    CHECK_EQ_INT(a.type, 0);
    CHECK_EQ_INT(a.len, 253);
    CHECK_EQ_INT(emnet_wt_addr_len(&a), EMNET_WT_ADDR_MAX);
    uint8_t out[EMNET_WT_ADDR_MAX];
    CHECK_EQ_INT(emnet_wt_encode_addr(out, sizeof out, &a), 255);
    CHECK(memcmp(out, rec, sizeof rec) == 0);
    CHECK_EQ_INT(emnet_wt_encode_addr(out, sizeof out - 1, &a), 0);
    for (size_t cut = 0; cut < sizeof rec; cut++)
        CHECK_EQ_INT(emnet_wt_decode_addr(copy, cut, &a), 0);
    free(copy);

    /* Records the encoders refuse: the decoder would not take them. */
    static const struct emnet_wt_addr bad[] = {
        { 4, 16, { 0 } }, /* type and length disagree */
        { 6, 4, { 0 } },
        { 5, 4, { 0 } },
        { 0, 0, { 0 } },                        /* empty name */
        { 0, 3, { 'a', ' ', 'b' } },            /* bad byte */
        { 0, 254, { 'a' } },                    /* too long, and a NUL */
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        memset(out, 0xaa, sizeof out);
        CHECK_EQ_INT(emnet_wt_addr_len(&bad[i]), 0);
        CHECK_EQ_INT(emnet_wt_encode_addr(out, sizeof out, &bad[i]), 0);
        CHECK(untouched(out, sizeof out));
    }
    struct emnet_wt_sockaddr sa = { { 0, { 0 } }, 80 };
    CHECK_EQ_INT(emnet_wt_sockaddr_len(&sa), 0);
    CHECK_EQ_INT(emnet_wt_encode_sockaddr(out, sizeof out, &sa), 0);
    sa.ip.type = 6;
    CHECK_EQ_INT(emnet_wt_sockaddr_len(&sa), EMNET_WT_SOCKADDR_MAX);
}

/* ---- stream headers ---- */

static int dec_request(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_request req;
    int rc = emnet_wt_decode_request(buf, len, &req);
    if (len > 0)
        CHECK_EQ_INT(req.kind, buf[0]);
    if (rc > 0) {
        switch (req.kind) {
        case EMNET_WT_KIND_TCP:
            say(&r->desc, "tcp port=%u ", req.port);
            say_addr(&r->desc, &req.addr);
            break;
        case EMNET_WT_KIND_UDP:
            say(&r->desc, "udp family=%u", req.family);
            break;
        case EMNET_WT_KIND_UDP_ON_STREAM:
            say(&r->desc, "udp-on-stream family=%u", req.family);
            break;
        case EMNET_WT_KIND_LOOKUP:
            say(&r->desc, "lookup family=%u ", req.family);
            say_addr(&r->desc, &req.addr);
            break;
        }
        r->enc_len = emnet_wt_encode_request(r->enc, enc_cap, &req);
    }
    return rc;
}

static const struct vec requests[] = {
    { "tcp v4", BYTES(0x01, 0x01, 0xbb, 0x04, V4_DOC), 8, "tcp port=443 4:c0000201", 0, 0 },
    { "tcp v6", BYTES(0x01, 0x00, 0x50, 0x06, V6_DOC), 20, "tcp port=80 6:20010db8000000000000000000000001", 0, 0 },
    { "tcp name", BYTES(0x01, 0x1a, 0x29, 0x00, 0x0b, 'i', 'r', 'c', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'), 16,
      "tcp port=6697 0:irc.example", 0, 0 },
    { "tcp port 0", BYTES(0x01, 0x00, 0x00, 0x04, 127, 0, 0, 1), 8, "tcp port=0 4:7f000001", 0, 0 },
    { "tcp then its bytes", BYTES(0x01, 0x01, 0xbb, 0x04, V4_DOC, 'G', 'E', 'T'), 8, "tcp port=443 4:c0000201", 0, 0 },
    { "udp v4", BYTES(0x02, 0x04), 2, "udp family=4", 0, 0 },
    { "udp v6 then a record", BYTES(0x02, 0x06, 0x01, 0x00, 0x04, V4_DOC, 0x00, 0x35), 2, "udp family=6", 0, 0 },
    { "udp on its stream v6", BYTES(0x04, 0x06), 2, "udp-on-stream family=6", 0, 0 },
    { "lookup any", BYTES(0x03, 0x00, 0x00, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'), 15,
      "lookup family=0 0:example.com", 0, 0 },
    { "lookup v4", BYTES(0x03, 0x04, 0x00, 0x01, 'h'), 5, "lookup family=4 0:h", 0, 0 },
    { "lookup v6", BYTES(0x03, 0x06, 0x00, 0x02, 'h', '2'), 6, "lookup family=6 0:h2", 0, 0 },

    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
    { "tcp port cut", BYTES(0x01, 0x01), 0, NULL, 0, 0 },
    { "tcp name cut", BYTES(0x01, 0x00, 0x50, 0x00, 0x05, 'a', 'b'), 0, NULL, 0, 0 },
    { "kind 0", BYTES(0x00), EMNET_WT_EKIND, NULL, 1, 0 },
    { "kind 5", BYTES(0x05, 0x01, 0x02), EMNET_WT_EKIND, NULL, 1, 0 },
    /* WebTransport's bidirectional prefix, left in by mistake */
    { "kind 0x41", BYTES(0x41, 0x00, 0x01, 0x04), EMNET_WT_EKIND, NULL, 1, 0 },
    { "kind 0xff", BYTES(0xff), EMNET_WT_EKIND, NULL, 1, 0 },
    { "tcp address type 5", BYTES(0x01, 0x00, 0x50, 0x05, 1, 2, 3, 4), EMNET_WT_EADDR_TYPE, NULL, 4, 0 },
    { "tcp address type 1", BYTES(0x01, 0x00, 0x50, 0x01), EMNET_WT_EADDR_TYPE, NULL, 4, 0 },
    { "tcp empty name", BYTES(0x01, 0x00, 0x50, 0x00, 0x00), EMNET_WT_ENAME_EMPTY, NULL, 5, 0 },
    { "tcp name 254", BYTES(0x01, 0x00, 0x50, 0x00, 0xfe, 'a'), EMNET_WT_ENAME_LONG, NULL, 5, 0 },
    { "tcp name NUL", BYTES(0x01, 0x00, 0x50, 0x00, 0x03, 'a', 0x00, 'b'), EMNET_WT_ENAME_BYTE, NULL, 7, 0 },
    { "tcp name with port", BYTES(0x01, 0x00, 0x50, 0x00, 0x04, 'h', ':', '8', '0'), EMNET_WT_ENAME_BYTE, NULL, 7, 0 },
    { "udp family 0", BYTES(0x02, 0x00), EMNET_WT_EFAMILY, NULL, 2, 0 },
    { "udp family 5", BYTES(0x02, 0x05), EMNET_WT_EFAMILY, NULL, 2, 0 },
    { "udp AF_INET6's value", BYTES(0x02, 0x0a), EMNET_WT_EFAMILY, NULL, 2, 0 },
    { "udp on its stream, family 0", BYTES(0x04, 0x00), EMNET_WT_EFAMILY, NULL, 2, 0 },
    { "lookup family 5", BYTES(0x03, 0x05, 0x00, 0x01, 'h'), EMNET_WT_EFAMILY, NULL, 2, 0 },
    { "lookup of an address", BYTES(0x03, 0x00, 0x04, 127, 0, 0, 1), EMNET_WT_EADDR_TYPE, NULL, 3, 0 },
    { "lookup of type 9", BYTES(0x03, 0x04, 0x09), EMNET_WT_EADDR_TYPE, NULL, 3, 0 },
    { "lookup empty name", BYTES(0x03, 0x04, 0x00, 0x00), EMNET_WT_ENAME_EMPTY, NULL, 4, 0 },
    { "lookup name 255", BYTES(0x03, 0x00, 0x00, 0xff), EMNET_WT_ENAME_LONG, NULL, 4, 0 },
    { "lookup bad byte", BYTES(0x03, 0x00, 0x00, 0x03, 'a', '*', 'b'), EMNET_WT_ENAME_BYTE, NULL, 6, 0 },
};

static void test_requests(void)
{
    run_table("request", dec_request, requests, COUNT(requests), 0);

    uint8_t buf[EMNET_WT_REQUEST_MAX];
    struct emnet_wt_addr v4 = { 4, 4, { V4_DOC } };
    CHECK_EQ_INT(emnet_wt_encode_tcp_request(buf, sizeof buf, 443, &v4), 8);
    CHECK(memcmp(buf, requests[0].bytes, 8) == 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, sizeof buf, EMNET_WT_KIND_UDP, 6), 2);
    CHECK(memcmp(buf, BYTES(0x02, 0x06)) == 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, sizeof buf, EMNET_WT_KIND_UDP_ON_STREAM, 4), 2);
    CHECK(memcmp(buf, BYTES(0x04, 0x04)) == 0);
    CHECK_EQ_INT(emnet_wt_encode_lookup_request(buf, sizeof buf, 4, "h", 1), 5);
    CHECK(memcmp(buf, requests[9].bytes, 5) == 0);

    /* The longest header: TCP to a 253-byte name. */
    struct emnet_wt_addr name = { 0, 253, { 0 } };
    memset(name.bytes, 'x', sizeof name.bytes);
    CHECK_EQ_INT(emnet_wt_encode_tcp_request(buf, sizeof buf, 80, &name), EMNET_WT_REQUEST_MAX);
    CHECK_EQ_INT(emnet_wt_encode_tcp_request(buf, sizeof buf - 1, 80, &name), 0);
    CHECK_EQ_INT(emnet_wt_encode_lookup_request(buf, sizeof buf, 0, (const char *)name.bytes, 253), 257);
    CHECK_EQ_INT(emnet_wt_encode_lookup_request(buf, 256, 0, (const char *)name.bytes, 253), 0);

    /* What the decoder rejects, the encoders refuse, writing nothing. */
    struct emnet_wt_addr spaced = { 0, 3, { 'a', ' ', 'b' } };
    memset(buf, 0xaa, sizeof buf);
    CHECK_EQ_INT(emnet_wt_encode_tcp_request(buf, sizeof buf, 80, &spaced), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, sizeof buf, EMNET_WT_KIND_UDP, 0), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, sizeof buf, EMNET_WT_KIND_UDP, 5), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, 1, EMNET_WT_KIND_UDP, 4), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, sizeof buf, EMNET_WT_KIND_TCP, 4), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_request(buf, sizeof buf, EMNET_WT_KIND_LOOKUP, 4), 0);
    CHECK_EQ_INT(emnet_wt_encode_lookup_request(buf, sizeof buf, 5, "h", 1), 0);
    CHECK_EQ_INT(emnet_wt_encode_lookup_request(buf, sizeof buf, 0, "", 0), 0);
    CHECK_EQ_INT(emnet_wt_encode_lookup_request(buf, sizeof buf, 0, "a b", 3), 0);
    CHECK(untouched(buf, sizeof buf));

    /* The generic encoder refuses fields the decoder never gives together. */
    struct emnet_wt_request req;
    memset(&req, 0, sizeof req);
    req.kind = EMNET_WT_KIND_UDP;
    req.family = 4;
    CHECK_EQ_INT(emnet_wt_encode_request(buf, sizeof buf, &req), 2);
    req.port = 53;
    CHECK_EQ_INT(emnet_wt_encode_request(buf, sizeof buf, &req), 0);
    memset(&req, 0, sizeof req);
    req.kind = EMNET_WT_KIND_LOOKUP;
    req.addr = v4;
    CHECK_EQ_INT(emnet_wt_encode_request(buf, sizeof buf, &req), 0);
    memset(&req, 0, sizeof req);
    req.kind = EMNET_WT_KIND_TCP;
    req.family = 4;
    req.addr = v4;
    CHECK_EQ_INT(emnet_wt_encode_request(buf, sizeof buf, &req), 0);
    req.kind = 4;
    CHECK_EQ_INT(emnet_wt_encode_request(buf, sizeof buf, &req), 0);
}

/* ---- replies ---- */

static int dec_tcp_reply(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_tcp_reply rep;
    int rc = emnet_wt_decode_tcp_reply(buf, len, &rep);
    if (rc > 0) {
        say(&r->desc, "status=%u", rep.status);
        if (rep.status == 0) {
            say(&r->desc, " ");
            say_sockaddr(&r->desc, &rep.peer);
        }
        r->enc_len = emnet_wt_encode_tcp_reply(r->enc, enc_cap, rep.status, rep.status ? NULL : &rep.peer);
    }
    return rc;
}

static const struct vec tcp_replies[] = {
    { "connected v4", BYTES(0x00, 0x04, V4_DOC, 0x01, 0xbb), 8, "status=0 4:c0000201:443", 0, 0 },
    { "connected v6", BYTES(0x00, 0x06, V6_DOC, 0x00, 0x50), 20, "status=0 6:20010db8000000000000000000000001:80", 0, 0 },
    { "connected, then the target's bytes", BYTES(0x00, 0x04, 127, 0, 0, 1, 0x00, 0x16, 'S', 'S', 'H'), 8,
      "status=0 4:7f000001:22", 0, 0 },
    { "refused", BYTES(0x01), 1, "status=1", 0, 0 },
    { "network unreachable", BYTES(0x02), 1, "status=2", 0, 0 },
    { "host unreachable", BYTES(0x03), 1, "status=3", 0, 0 },
    { "timed out", BYTES(0x04), 1, "status=4", 0, 0 },
    { "blocked", BYTES(0x05), 1, "status=5", 0, 0 },
    { "no such name", BYTES(0x06), 1, "status=6", 0, 0 },
    { "invalid", BYTES(0x07), 1, "status=7", 0, 0 },
    { "no resources", BYTES(0x08), 1, "status=8", 0, 0 },
    { "try again", BYTES(0x09), 1, "status=9", 0, 0 },
    { "unknown status kept", BYTES(0x42), 1, "status=66", 0, 0 },
    { "a failure is one byte", BYTES(0x01, 0x04, V4_DOC, 0x01, 0xbb), 1, "status=1", 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
    { "port cut", BYTES(0x00, 0x04, V4_DOC, 0x01), 0, NULL, 0, 0 },
    { "a name", BYTES(0x00, 0x00, 0x01, 'h', 0x00, 0x50), EMNET_WT_EADDR_TYPE, NULL, 2, 0 },
    { "type 5", BYTES(0x00, 0x05), EMNET_WT_EADDR_TYPE, NULL, 2, 0 },
};

static int dec_udp_reply(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_udp_reply rep;
    int rc = emnet_wt_decode_udp_reply(buf, len, &rep);
    if (rc > 0) {
        say(&r->desc, "status=%u", rep.status);
        if (rep.status == 0)
            say(&r->desc, " flow=%llu port=%u", (unsigned long long)rep.flow_id, rep.port);
        r->enc_len = emnet_wt_encode_udp_reply(r->enc, enc_cap, rep.status, rep.flow_id, rep.port);
    }
    return rc;
}

static const struct vec udp_replies[] = {
    { "flow 0", BYTES(0x00, 0x00, 0x9c, 0x40), 4, "status=0 flow=0 port=40000", 0, 0 },
    { "flow 63", BYTES(0x00, 0x3f, 0x12, 0x34), 4, "status=0 flow=63 port=4660", 0, 0 },
    { "flow 64", BYTES(0x00, 0x40, 0x40, 0x12, 0x34), 5, "status=0 flow=64 port=4660", 0, 0 },
    { "flow 2^62-1", BYTES(0x00, FF8, 0xff, 0xff), 11, "status=0 flow=4611686018427387903 port=65535", 0, 0 },
    { "flow 5 in 4 bytes", BYTES(0x00, 0x80, 0x00, 0x00, 0x05, 0x12, 0x34), 7, "status=0 flow=5 port=4660", 0, 1 },
    { "then a record", BYTES(0x00, 0x07, 0xc3, 0x50, 0x01, 0x00), 4, "status=0 flow=7 port=50000", 0, 0 },
    { "invalid", BYTES(0x07), 1, "status=7", 0, 0 },
    { "no resources", BYTES(0x08), 1, "status=8", 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
    { "flow cut", BYTES(0x00, 0x80, 0x00), 0, NULL, 0, 0 },
    { "port cut", BYTES(0x00, 0x05, 0x12), 0, NULL, 0, 0 },
};

static int dec_lookup_reply(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    static struct emnet_wt_lookup_reply rep;
    int rc = emnet_wt_decode_lookup_reply(buf, len, &rep);
    if (rc > 0) {
        say(&r->desc, "status=%u", rep.status);
        for (size_t i = 0; i < rep.count; i++) {
            say(&r->desc, " ");
            say_ip(&r->desc, &rep.addrs[i]);
        }
        CHECK(rep.status != 0 || (rep.count >= 1 && rep.count <= EMNET_WT_LOOKUP_MAX));
        r->enc_len = emnet_wt_encode_lookup_reply(r->enc, enc_cap, rep.status, rep.addrs, rep.count);
    }
    return rc;
}

static const struct vec lookup_replies[] = {
    { "one v4", BYTES(0x00, 0x01, 0x04, V4_DOC), 7, "status=0 4:c0000201", 0, 0 },
    { "v6 then v4", BYTES(0x00, 0x02, 0x06, V6_DOC, 0x04, V4_DOC2), 24,
      "status=0 6:20010db8000000000000000000000001 4:c6336407", 0, 0 },
    { "no such name", BYTES(0x06), 1, "status=6", 0, 0 },
    { "try again", BYTES(0x09), 1, "status=9", 0, 0 },
    { "bytes after it", BYTES(0x00, 0x01, 0x04, V4_DOC, 0xff), 7, "status=0 4:c0000201", 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
    { "count cut", BYTES(0x00), 0, NULL, 0, 0 },
    { "second cut", BYTES(0x00, 0x02, 0x04, V4_DOC, 0x06, 0x20, 0x01, 0x0d), 0, NULL, 0, 0 },
    { "count 0", BYTES(0x00, 0x00), EMNET_WT_ECOUNT, NULL, 2, 0 },
    { "count 33", BYTES(0x00, 0x21, 0x04, V4_DOC), EMNET_WT_ECOUNT, NULL, 2, 0 },
    { "count 255", BYTES(0x00, 0xff), EMNET_WT_ECOUNT, NULL, 2, 0 },
    { "a name among them", BYTES(0x00, 0x02, 0x04, V4_DOC, 0x00, 0x01, 'h'), EMNET_WT_EADDR_TYPE, NULL, 8, 0 },
    { "type 5", BYTES(0x00, 0x01, 0x05, 1, 2, 3, 4), EMNET_WT_EADDR_TYPE, NULL, 3, 0 },
};

static void test_replies(void)
{
    run_table("tcp reply", dec_tcp_reply, tcp_replies, COUNT(tcp_replies), 0);
    run_table("udp reply", dec_udp_reply, udp_replies, COUNT(udp_replies), 0);
    run_table("lookup reply", dec_lookup_reply, lookup_replies, COUNT(lookup_replies), 0);

    uint8_t buf[EMNET_WT_LOOKUP_REPLY_MAX + 1];
    struct emnet_wt_sockaddr peer = { { 4, { V4_DOC } }, 443 };
    CHECK_EQ_INT(emnet_wt_encode_tcp_reply(buf, sizeof buf, 0, &peer), 8);
    CHECK(memcmp(buf, tcp_replies[0].bytes, 8) == 0);
    CHECK_EQ_INT(emnet_wt_encode_tcp_reply(buf, 1, EMNET_WT_STATUS_REFUSED, NULL), 1);
    CHECK_EQ_INT(buf[0], 0x01);
    CHECK_EQ_INT(emnet_wt_encode_udp_reply(buf, sizeof buf, 0, EMNET_WT_VARINT_MAX, 65535), 11);
    CHECK(memcmp(buf, udp_replies[3].bytes, 11) == 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_reply(buf, 1, EMNET_WT_STATUS_INVALID, 0, 0), 1);

    memset(buf, 0xaa, sizeof buf);
    struct emnet_wt_sockaddr named = { { 0, { 0 } }, 80 };
    CHECK_EQ_INT(emnet_wt_encode_tcp_reply(buf, sizeof buf, 0, &named), 0);
    CHECK_EQ_INT(emnet_wt_encode_tcp_reply(buf, 0, 1, NULL), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_reply(buf, sizeof buf, 0, EMNET_WT_VARINT_MAX + 1, 1), 0);
    CHECK_EQ_INT(emnet_wt_encode_udp_reply(buf, 0, 1, 0, 0), 0);
    CHECK(untouched(buf, sizeof buf));

    /* Lookups at the limit of 32 answers, v6 ones: the longest reply. */
    struct emnet_wt_ip ips[EMNET_WT_LOOKUP_MAX + 1];
    for (size_t i = 0; i < COUNT(ips); i++) {
        ips[i].type = 6;
        memset(ips[i].bytes, (int)i, sizeof ips[i].bytes);
    }
    size_t n = emnet_wt_encode_lookup_reply(buf, sizeof buf, 0, ips, EMNET_WT_LOOKUP_MAX);
    CHECK_EQ_INT(n, EMNET_WT_LOOKUP_REPLY_MAX);
    static struct emnet_wt_lookup_reply rep;
    uint8_t *copy = heap_copy(buf, n);
    CHECK_EQ_INT(emnet_wt_decode_lookup_reply(copy, n, &rep), (int)n);
    CHECK_EQ_INT(rep.count, 32);
    CHECK_EQ_INT(rep.addrs[31].type, 6);
    CHECK_EQ_INT(rep.addrs[31].bytes[15], 31);
    for (size_t cut = 0; cut < n; cut++)
        CHECK_EQ_INT(emnet_wt_decode_lookup_reply(copy, cut, &rep), 0);
    free(copy);
    CHECK_EQ_INT(emnet_wt_encode_lookup_reply(buf, n - 1, 0, ips, EMNET_WT_LOOKUP_MAX), 0);

    memset(buf, 0xaa, sizeof buf);
    CHECK_EQ_INT(emnet_wt_encode_lookup_reply(buf, sizeof buf, 0, ips, EMNET_WT_LOOKUP_MAX + 1), 0);
    CHECK_EQ_INT(emnet_wt_encode_lookup_reply(buf, sizeof buf, 0, ips, 0), 0);
    ips[1].type = 0;
    CHECK_EQ_INT(emnet_wt_encode_lookup_reply(buf, sizeof buf, 0, ips, 2), 0);
    CHECK(untouched(buf, sizeof buf));
    CHECK_EQ_INT(emnet_wt_encode_lookup_reply(buf, sizeof buf, EMNET_WT_STATUS_NO_NAME, NULL, 0), 1);
    CHECK_EQ_INT(buf[0], 0x06);
}

/* ---- datagrams ---- */

static int dec_datagram(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_datagram d;
    int rc = emnet_wt_decode_datagram(buf, len, &d);
    if (rc > 0) {
        CHECK(d.payload == buf + rc && d.len == len - (size_t)rc);
        CHECK(emnet_wt_datagram_header_len(d.flow_id, &d.addr) <= (size_t)rc); /* < for a long flow id */
        say(&r->desc, "flow=%llu ", (unsigned long long)d.flow_id);
        say_sockaddr(&r->desc, &d.addr);
        say(&r->desc, " payload=");
        say_hex(&r->desc, d.payload, d.len);
        r->enc_len = emnet_wt_encode_datagram(r->enc, enc_cap, d.flow_id, &d.addr, d.payload, d.len);
    }
    return rc;
}

static const struct vec datagrams[] = {
    { "to 192.0.2.1:53", BYTES(0x05, 0x04, V4_DOC, 0x00, 0x35, 'h', 'i'), 8, "flow=5 4:c0000201:53 payload=6869", 0, 0 },
    { "empty payload", BYTES(0x05, 0x04, V4_DOC, 0x00, 0x35), 8, "flow=5 4:c0000201:53 payload=", 0, 0 },
    { "flow 300 from v6", BYTES(0x41, 0x2c, 0x06, V6_DOC, 0x1f, 0x90, 0x00), 21,
      "flow=300 6:20010db8000000000000000000000001:8080 payload=00", 0, 0 },
    { "flow 2^62-1", BYTES(FF8, 0x06, V6_DOC, 0x1f, 0x90, 'x'), 27,
      "flow=4611686018427387903 6:20010db8000000000000000000000001:8080 payload=78", 0, 0 },
    { "flow 5 in 4 bytes", BYTES(0x80, 0x00, 0x00, 0x05, 0x04, V4_DOC, 0x00, 0x35, 'h', 'i'), 11,
      "flow=5 4:c0000201:53 payload=6869", 0, 1 },
    /* a payload that looks like another header is just bytes */
    { "payload like a header", BYTES(0x00, 0x04, 0, 0, 0, 0, 0x00, 0x00, 0x05, 0x04), 8,
      "flow=0 4:00000000:0 payload=0504", 0, 0 },
    { "empty", (const uint8_t *)"", 0, EMNET_WT_ESHORT, NULL, 0, 0 },
    { "flow id cut", BYTES(0x40), EMNET_WT_ESHORT, NULL, 0, 0 },
    { "no address", BYTES(0x05), EMNET_WT_ESHORT, NULL, 0, 0 },
    { "address cut", BYTES(0x05, 0x04, 192, 0), EMNET_WT_ESHORT, NULL, 0, 0 },
    { "port cut", BYTES(0x05, 0x04, V4_DOC, 0x00), EMNET_WT_ESHORT, NULL, 0, 0 },
    { "a name", BYTES(0x05, 0x00, 0x01, 'h', 0x00, 0x35), EMNET_WT_EADDR_TYPE, NULL, 2, 0 },
    { "type 5", BYTES(0x05, 0x05, V4_DOC, 0x00, 0x35), EMNET_WT_EADDR_TYPE, NULL, 2, 0 },
};

static void test_datagrams(void)
{
    run_table("datagram", dec_datagram, datagrams, COUNT(datagrams), 1);

    struct emnet_wt_sockaddr v4 = { { 4, { V4_DOC } }, 53 };
    struct emnet_wt_sockaddr v6 = { { 6, { V6_DOC } }, 8080 };
    uint8_t buf[64];

    CHECK_EQ_INT(emnet_wt_datagram_header_len(5, &v4), 8);
    CHECK_EQ_INT(emnet_wt_datagram_header_len(EMNET_WT_VARINT_MAX, &v6), EMNET_WT_DATAGRAM_HEADER_MAX);
    CHECK_EQ_INT(emnet_wt_datagram_header_len(EMNET_WT_VARINT_MAX + 1, &v6), 0);
    struct emnet_wt_sockaddr bad = { { 0, { 0 } }, 53 };
    CHECK_EQ_INT(emnet_wt_datagram_header_len(5, &bad), 0);

    /* The header alone, in front of a payload the caller put there. */
    memcpy(buf + 8, "hi", 2);
    CHECK_EQ_INT(emnet_wt_encode_datagram_header(buf, sizeof buf, 5, &v4), 8);
    CHECK(memcmp(buf, datagrams[0].bytes, 10) == 0);
    for (size_t cap = 0; cap < 8; cap++) {
        memset(buf, 0xaa, sizeof buf);
        CHECK_EQ_INT(emnet_wt_encode_datagram_header(buf, cap, 5, &v4), 0);
        CHECK(untouched(buf, sizeof buf));
    }
    /* A whole datagram whose payload already sits in place, and one whose
     * payload overlaps where the header goes. */
    memset(buf, 0, sizeof buf);
    memcpy(buf + 8, "hi", 2);
    CHECK_EQ_INT(emnet_wt_encode_datagram(buf, 10, 5, &v4, buf + 8, 2), 10);
    CHECK(memcmp(buf, datagrams[0].bytes, 10) == 0);
    memcpy(buf, "hi", 2);
    CHECK_EQ_INT(emnet_wt_encode_datagram(buf, sizeof buf, 5, &v4, buf, 2), 10);
    CHECK(memcmp(buf, datagrams[0].bytes, 10) == 0);
    CHECK_EQ_INT(emnet_wt_encode_datagram(buf, sizeof buf, 5, &v4, NULL, 0), 8);
    /* Lengths that would wrap a careless cap - len check. */
    CHECK_EQ_INT(emnet_wt_encode_datagram(buf, sizeof buf, 5, &v4, "x", SIZE_MAX - 4), 0);
    CHECK_EQ_INT(emnet_wt_encode_datagram(buf, sizeof buf, 5, &bad, "x", 1), 0);
}

/* ---- flow stream records ---- */

static int dec_record(const uint8_t *buf, size_t len, size_t enc_cap, struct result *r)
{
    struct emnet_wt_record rec;
    int rc = emnet_wt_decode_record(buf, len, &rec);
    if (rc > 0) {
        if (rec.type == EMNET_WT_RECORD_DATAGRAM) {
            CHECK(rec.payload + rec.len == buf + rc);
            CHECK(emnet_wt_record_header_len(&rec.addr, rec.len) + rec.len <= (size_t)rc);
            say(&r->desc, "datagram ");
            say_sockaddr(&r->desc, &rec.addr);
            say(&r->desc, " payload=");
            say_hex(&r->desc, rec.payload, rec.len);
            r->enc_len = emnet_wt_encode_datagram_record(r->enc, enc_cap, &rec.addr, rec.payload, rec.len);
        } else {
            CHECK(rec.payload == NULL && rec.len == 0);
            say(&r->desc, "error status=%u ", rec.status);
            say_sockaddr(&r->desc, &rec.addr);
            r->enc_len = emnet_wt_encode_error_record(r->enc, enc_cap, rec.status, &rec.addr);
        }
    }
    return rc;
}

static const struct vec records[] = {
    { "datagram from 198.51.100.7:5353",
      BYTES(0x01, 0x05, 0x04, V4_DOC2, 0x14, 0xe9, 'h', 'e', 'l', 'l', 'o'), 14,
      "datagram 4:c6336407:5353 payload=68656c6c6f", 0, 0 },
    { "datagram empty", BYTES(0x01, 0x00, 0x04, V4_DOC, 0x00, 0x35), 9, "datagram 4:c0000201:53 payload=", 0, 0 },
    { "datagram v6", BYTES(0x01, 0x02, 0x06, V6_DOC, 0x00, 0x35, 'h', 'i'), 23,
      "datagram 6:20010db8000000000000000000000001:53 payload=6869", 0, 0 },
    { "length in 2 bytes", BYTES(0x01, 0x40, 0x02, 0x04, V4_DOC, 0x00, 0x35, 'h', 'i'), 12,
      "datagram 4:c0000201:53 payload=6869", 0, 1 },
    { "then an error record", BYTES(0x01, 0x01, 0x04, V4_DOC, 0x00, 0x35, 'x', 0x02, 0x01), 10,
      "datagram 4:c0000201:53 payload=78", 0, 0 },
    { "port unreachable", BYTES(0x02, 0x01, 0x04, V4_DOC, 0x00, 0x35), 9, "error status=1 4:c0000201:53", 0, 0 },
    { "blocked v6", BYTES(0x02, 0x05, 0x06, V6_DOC, 0x01, 0xbb), 21,
      "error status=5 6:20010db8000000000000000000000001:443", 0, 0 },
    { "unknown status kept", BYTES(0x02, 0x42, 0x04, V4_DOC, 0x00, 0x35), 9, "error status=66 4:c0000201:53", 0, 0 },
    { "empty", (const uint8_t *)"", 0, 0, NULL, 0, 0 },
    { "payload cut", BYTES(0x01, 0x05, 0x04, V4_DOC, 0x00, 0x35, 'h', 'e'), 0, NULL, 0, 0 },
    { "length 65527, cut", BYTES(0x01, 0x80, 0x00, 0xff, 0xf7, 0x04, V4_DOC, 0x00, 0x35, 'h'), 0, NULL, 0, 0 },
    { "error cut", BYTES(0x02, 0x01, 0x04, V4_DOC, 0x00), 0, NULL, 0, 0 },
    { "type 0", BYTES(0x00), EMNET_WT_ERECORD_TYPE, NULL, 1, 0 },
    { "type 3", BYTES(0x03, 0x00), EMNET_WT_ERECORD_TYPE, NULL, 1, 0 },
    { "WebTransport's 0x41 as a record", BYTES(0x41), EMNET_WT_ERECORD_TYPE, NULL, 1, 0 },
    { "error of status 0", BYTES(0x02, 0x00, 0x04, V4_DOC, 0x00, 0x35), EMNET_WT_ESTATUS, NULL, 2, 0 },
    { "length 65528", BYTES(0x01, 0x80, 0x00, 0xff, 0xf8, 0x04), EMNET_WT_ERECORD_LONG, NULL, 5, 0 },
    { "length 2^62-1", BYTES(0x01, FF8), EMNET_WT_ERECORD_LONG, NULL, 9, 0 },
    { "datagram to a name", BYTES(0x01, 0x01, 0x00, 0x01, 'h', 0x00, 0x35, 'x'), EMNET_WT_EADDR_TYPE, NULL, 3, 0 },
    { "error about a name", BYTES(0x02, 0x01, 0x00), EMNET_WT_EADDR_TYPE, NULL, 3, 0 },
};

static void test_records(void)
{
    run_table("record", dec_record, records, COUNT(records), 0);

    struct emnet_wt_sockaddr v4 = { { 4, { V4_DOC } }, 53 };
    struct emnet_wt_sockaddr v6 = { { 6, { V6_DOC } }, 53 };
    struct emnet_wt_sockaddr bad = { { 0, { 0 } }, 53 };
    uint8_t small[64];

    CHECK_EQ_INT(emnet_wt_record_header_len(&v4, 0), 9);
    CHECK_EQ_INT(emnet_wt_record_header_len(&v4, 63), 9);
    CHECK_EQ_INT(emnet_wt_record_header_len(&v4, 64), 10);
    CHECK_EQ_INT(emnet_wt_record_header_len(&v6, EMNET_WT_UDP_PAYLOAD_MAX), EMNET_WT_RECORD_HEADER_MAX);
    CHECK_EQ_INT(emnet_wt_record_header_len(&v6, EMNET_WT_UDP_PAYLOAD_MAX + 1), 0);
    CHECK_EQ_INT(emnet_wt_record_header_len(&bad, 1), 0);

    /* The header alone, then the payload on the stream after it. */
    CHECK_EQ_INT(emnet_wt_encode_datagram_record_header(small, sizeof small, &v4, 2), 9);
    CHECK(memcmp(small, BYTES(0x01, 0x02, 0x04, V4_DOC, 0x00, 0x35)) == 0);
    for (size_t cap = 0; cap < 9; cap++) {
        memset(small, 0xaa, sizeof small);
        CHECK_EQ_INT(emnet_wt_encode_datagram_record_header(small, cap, &v4, 2), 0);
        CHECK(untouched(small, sizeof small));
    }
    memcpy(small, "hi", 2);
    CHECK_EQ_INT(emnet_wt_encode_datagram_record(small, sizeof small, &v6, small, 2), 23);
    CHECK(memcmp(small, records[2].bytes, 23) == 0);
    CHECK_EQ_INT(emnet_wt_encode_datagram_record(small, sizeof small, &v4, "x", SIZE_MAX - 8), 0);

    memset(small, 0xaa, sizeof small);
    CHECK_EQ_INT(emnet_wt_encode_error_record(small, sizeof small, 0, &v4), 0);
    CHECK_EQ_INT(emnet_wt_encode_error_record(small, sizeof small, 1, &bad), 0);
    CHECK_EQ_INT(emnet_wt_encode_error_record(small, 8, 1, &v4), 0);
    CHECK(untouched(small, sizeof small));
    CHECK_EQ_INT(emnet_wt_encode_error_record(small, 9, 1, &v4), 9);
    CHECK(memcmp(small, records[5].bytes, 9) == 0);
    CHECK_EQ_INT(emnet_wt_encode_error_record(small, sizeof small, 5, &v6), EMNET_WT_ERROR_RECORD_MAX);

    /* The largest record a flow carries, and one byte more. */
    size_t max = EMNET_WT_RECORD_HEADER_MAX + EMNET_WT_UDP_PAYLOAD_MAX;
    uint8_t *big = malloc(max + 1);
    REQUIRE_VOID(big != NULL);
    memset(big, 'p', max + 1);
    /* the payload a few bytes ahead of its place: the move overlaps */
    CHECK_EQ_INT(emnet_wt_encode_datagram_record(big, max, &v6, big + 20, EMNET_WT_UDP_PAYLOAD_MAX), max);
    CHECK(memcmp(big, BYTES(0x01, 0x80, 0x00, 0xff, 0xf7, 0x06)) == 0);
    uint8_t *copy = heap_copy(big, max);
    struct emnet_wt_record rec;
    CHECK_EQ_INT(emnet_wt_decode_record(copy, max, &rec), (int)max);
    CHECK_EQ_INT(rec.len, EMNET_WT_UDP_PAYLOAD_MAX);
    CHECK(rec.payload[0] == 'p' && rec.payload[rec.len - 1] == 'p');
    CHECK_EQ_INT(emnet_wt_decode_record(copy, max - 1, &rec), 0);
    free(copy);
    CHECK_EQ_INT(emnet_wt_encode_datagram_record(big, max + 1, &v6, big, EMNET_WT_UDP_PAYLOAD_MAX + 1), 0);
    free(big);
}

/* ---- names and statuses ---- */

static void test_names(void)
{
    static const struct {
        int err;
        const char *name;
    } errors[] = {
        { EMNET_WT_EKIND, "unknown_kind" },        { EMNET_WT_EFAMILY, "bad_family" },
        { EMNET_WT_EADDR_TYPE, "bad_address_type" }, { EMNET_WT_ENAME_EMPTY, "empty_name" },
        { EMNET_WT_ENAME_LONG, "name_too_long" },  { EMNET_WT_ENAME_BYTE, "bad_name_byte" },
        { EMNET_WT_ECOUNT, "bad_count" },          { EMNET_WT_ERECORD_TYPE, "unknown_record" },
        { EMNET_WT_ERECORD_LONG, "record_too_long" }, { EMNET_WT_ESTATUS, "bad_status" },
        { EMNET_WT_ESHORT, "short" },
    };
    for (size_t i = 0; i < COUNT(errors); i++) {
        CHECK_EQ_INT(errors[i].err, -(int)(i + 1)); /* dense: a new one goes at the end */
        CHECK(strcmp(emnet_wt_error_name(errors[i].err), errors[i].name) == 0);
    }
    CHECK(strcmp(emnet_wt_error_name(0), "ok") == 0);
    CHECK(strcmp(emnet_wt_error_name(1), "?") == 0);
    CHECK(strcmp(emnet_wt_error_name(-(int)COUNT(errors) - 1), "?") == 0);

    /* The doc's status table, errno by name (the values differ between
     * Linux and wasm; the names do not). */
    static const struct {
        uint8_t status;
        const char *name;
        int err;
    } statuses[] = {
        { 0x00, "ok", 0 },
        { 0x01, "refused", ECONNREFUSED },
        { 0x02, "network_unreachable", ENETUNREACH },
        { 0x03, "host_unreachable", EHOSTUNREACH },
        { 0x04, "timed_out", ETIMEDOUT },
        { 0x05, "blocked", ECONNREFUSED },
        { 0x06, "no_such_name", EHOSTUNREACH },
        { 0x07, "invalid", EINVAL },
        { 0x08, "no_resources", ENOBUFS },
        { 0x09, "try_again", ETIMEDOUT },
        { 0x0a, "unrecognised", ECONNREFUSED },
        { 0xff, "unrecognised", ECONNREFUSED },
    };
    for (size_t i = 0; i < COUNT(statuses); i++) {
        CHECK(strcmp(emnet_wt_status_name(statuses[i].status), statuses[i].name) == 0);
        CHECK_EQ_INT(emnet_wt_status_errno(statuses[i].status), statuses[i].err);
    }
    CHECK_EQ_INT(EMNET_WT_STATUS_BLOCKED, 0x05);
    CHECK_EQ_INT(EMNET_WT_STATUS_TRY_AGAIN, 0x09);
    CHECK_EQ_INT(EMNET_WT_CODE_RESET, 0x01);
    CHECK_EQ_INT(EMNET_WT_CLOSE_DRAINING, 0x11);
}

/* ---- whole streams ---- */

/* A flow stream arriving a few bytes at a time: records decode one after
 * another, each only once whole, and none is lost at a chunk boundary. */
static void test_flow_stream(void)
{
    static const uint8_t stream[] = {
        0x01, 0x02, 0x04, V4_DOC, 0x00, 0x35, 'h', 'i',  /* datagram "hi" */
        0x02, 0x01, 0x04, V4_DOC, 0x00, 0x35,            /* port unreachable */
        0x01, 0x00, 0x06, V6_DOC, 0x00, 0x35,            /* empty datagram */
    };
    for (size_t chunk = 1; chunk <= sizeof stream; chunk++) {
        uint8_t *copy = heap_copy(stream, sizeof stream);
        size_t have = 0, at = 0;
        int seen = 0;
        while (at < sizeof stream) {
            struct emnet_wt_record rec;
            int rc = emnet_wt_decode_record(copy + at, have - at, &rec);
            if (rc < 0) {
                CHECK(!"record stream error");
                break;
            }
            if (rc == 0) {
                if (have == sizeof stream) {
                    CHECK(!"record stream stalled");
                    break;
                }
                have = have + chunk < sizeof stream ? have + chunk : sizeof stream;
                continue;
            }
            CHECK_EQ_INT(rec.type, seen == 1 ? EMNET_WT_RECORD_ERROR : EMNET_WT_RECORD_DATAGRAM);
            CHECK_EQ_INT(rec.len, seen == 0 ? 2 : 0);
            at += (size_t)rc;
            seen++;
        }
        CHECK_EQ_INT(seen, 3);
        free(copy);
    }
}

int main(void)
{
    test_varints();
    test_addresses();
    test_requests();
    test_replies();
    test_datagrams();
    test_records();
    test_names();
    test_flow_stream();
    return check_exit("test_wt_codec");
}
