/* Fuzzes the WebTransport protocol codec. The first byte picks what the
 * rest is read as, the way each side meets it:
 *
 *   % 6 == 0  the start of a client's stream (the proxy's header decoder)
 *         1   a TCP stream's reply          (the client's)
 *         2   a UDP flow's reply
 *         3   a lookup stream's reply
 *         4   a QUIC datagram's payload      (both sides)
 *         5   a flow stream: records one after another (both sides)
 *
 * and every input is also read as a varint, an address record and a
 * socket address. Whatever the bytes, a decoder gives a result or a known
 * error and stays inside its input: each input is an exact-size heap copy,
 * so ASan sees any over-read. The stream decoders must be incremental: a
 * prefix shorter than what their answer rests on is "need more" (0), and
 * the answer never changes once given. Whatever decodes must encode again
 * to the same fields, and to the same bytes wherever the input was in
 * shortest form (only varints have longer forms). Failures abort, which
 * libFuzzer reports with the input that caused them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wt_codec.h"

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
    ASSERT(rc < 0 && strcmp(emnet_wt_error_name(rc), "?") != 0);
}

/* ---- incremental decoding ---- */

/* A stream decoder, its result left in a scratch area the caller owns. */
typedef int (*stream_fn)(const uint8_t *buf, size_t len, void *out);

/* The decoder on the first m bytes, from a heap block of exactly m bytes. */
static int on_prefix(stream_fn fn, const uint8_t *c, size_t m, void *out)
{
    uint8_t *p = copy_of(c, m);
    int rc = fn(p, m, out);
    free(p);
    return rc;
}

/* rc is the decoder's answer on all n bytes. The prefixes must answer 0
 * up to some length m and rc from m on, and m is rc itself for a success.
 * Short inputs are checked at every length; longer ones where the answer
 * turns (found by bisection, which the property makes sound) and at a few
 * lengths on either side. */
static void check_incremental(stream_fn fn, const uint8_t *c, size_t n, int rc, void *out)
{
    if (rc == 0) {
        if (n <= 64)
            for (size_t m = 0; m < n; m++)
                ASSERT(on_prefix(fn, c, m, out) == 0);
        return;
    }
    size_t turn;
    if (rc > 0) {
        turn = (size_t)rc;
    } else {
        size_t lo = 0, hi = n; /* prefix lo answers 0, prefix hi answers rc */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (on_prefix(fn, c, mid, out) == 0)
                lo = mid;
            else
                hi = mid;
        }
        turn = hi;
    }
    ASSERT(turn >= 1 && turn <= n);
    if (n <= 64) {
        for (size_t m = 0; m <= n; m++)
            ASSERT(on_prefix(fn, c, m, out) == (m < turn ? 0 : rc));
        return;
    }
    ASSERT(on_prefix(fn, c, 0, out) == 0);
    ASSERT(on_prefix(fn, c, turn - 1, out) == 0);
    ASSERT(on_prefix(fn, c, turn / 2, out) == 0);
    ASSERT(on_prefix(fn, c, turn, out) == rc);
    ASSERT(on_prefix(fn, c, turn + (n - turn) / 2, out) == rc);
}

/* ---- comparisons ---- */

static int same_ip(const struct emnet_wt_ip *a, const struct emnet_wt_ip *b)
{
    size_t n = a->type == 4 ? 4 : 16;
    return a->type == b->type && memcmp(a->bytes, b->bytes, n) == 0;
}

static int same_sockaddr(const struct emnet_wt_sockaddr *a, const struct emnet_wt_sockaddr *b)
{
    return same_ip(&a->ip, &b->ip) && a->port == b->port;
}

static int same_addr(const struct emnet_wt_addr *a, const struct emnet_wt_addr *b)
{
    return a->type == b->type && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void valid_ip(const struct emnet_wt_ip *ip)
{
    ASSERT(ip->type == 4 || ip->type == 6);
}

static void valid_addr(const struct emnet_wt_addr *a)
{
    if (a->type == EMNET_WT_ADDR_NAME) {
        ASSERT(a->len >= 1 && a->len <= EMNET_WT_NAME_MAX);
        ASSERT(emnet_wt_check_name((const char *)a->bytes, a->len) == 0);
        ASSERT(memchr(a->bytes, 0, a->len) == NULL);
    } else {
        ASSERT((a->type == 4 && a->len == 4) || (a->type == 6 && a->len == 16));
    }
}

/* Re-encoding: into a block of exactly want bytes (so a write past it
 * trips ASan), the same bytes when canonical, nothing one byte short. */
static void same_bytes(size_t got, const uint8_t *out, const uint8_t *in, size_t want)
{
    ASSERT(got == want && memcmp(out, in, want) == 0);
}

/* ---- stream headers ---- */

static int dec_request(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_request(buf, len, out);
}

static void request(const uint8_t *c, size_t n)
{
    struct emnet_wt_request req, again;
    int rc = emnet_wt_decode_request(c, n, &req);
    check_incremental(dec_request, c, n, rc, &again);
    if (rc <= 0) {
        if (rc < 0)
            known_error(rc);
        return;
    }
    ASSERT((size_t)rc <= n && rc <= EMNET_WT_REQUEST_MAX);
    switch (req.kind) {
    case EMNET_WT_KIND_TCP:
        ASSERT(req.family == 0);
        valid_addr(&req.addr);
        break;
    case EMNET_WT_KIND_UDP:
    case EMNET_WT_KIND_UDP_ON_STREAM:
        ASSERT((req.family == 4 || req.family == 6) && req.port == 0 && req.addr.len == 0);
        break;
    case EMNET_WT_KIND_LOOKUP:
        ASSERT(req.family == 0 || req.family == 4 || req.family == 6);
        ASSERT(req.addr.type == EMNET_WT_ADDR_NAME && req.port == 0);
        valid_addr(&req.addr);
        break;
    default:
        abort();
    }
    uint8_t *out = malloc((size_t)rc);
    ASSERT(out != NULL);
    same_bytes(emnet_wt_encode_request(out, (size_t)rc, &req), out, c, (size_t)rc);
    ASSERT(emnet_wt_encode_request(out, (size_t)rc - 1, &req) == 0);
    ASSERT(emnet_wt_decode_request(out, (size_t)rc, &again) == rc);
    ASSERT(again.kind == req.kind && again.family == req.family && again.port == req.port &&
           same_addr(&again.addr, &req.addr));
    free(out);
}

/* ---- replies ---- */

static int dec_tcp_reply(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_tcp_reply(buf, len, out);
}

static void tcp_reply(const uint8_t *c, size_t n)
{
    struct emnet_wt_tcp_reply rep, again;
    int rc = emnet_wt_decode_tcp_reply(c, n, &rep);
    check_incremental(dec_tcp_reply, c, n, rc, &again);
    if (rc < 0)
        ASSERT(rc == EMNET_WT_EADDR_TYPE);
    if (rc <= 0)
        return;
    ASSERT((size_t)rc <= n && rc <= EMNET_WT_TCP_REPLY_MAX);
    ASSERT((rep.status == 0) == (rc > 1));
    ASSERT((emnet_wt_status_errno(rep.status) == 0) == (rep.status == 0));
    ASSERT(emnet_wt_status_name(rep.status) != NULL);
    uint8_t *out = malloc((size_t)rc);
    ASSERT(out != NULL);
    same_bytes(emnet_wt_encode_tcp_reply(out, (size_t)rc, rep.status, &rep.peer), out, c, (size_t)rc);
    ASSERT(emnet_wt_encode_tcp_reply(out, (size_t)rc - 1, rep.status, &rep.peer) == 0);
    ASSERT(emnet_wt_decode_tcp_reply(out, (size_t)rc, &again) == rc && again.status == rep.status);
    if (rep.status == 0)
        ASSERT(same_sockaddr(&again.peer, &rep.peer));
    free(out);
}

static int dec_udp_reply(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_udp_reply(buf, len, out);
}

static void udp_reply(const uint8_t *c, size_t n)
{
    struct emnet_wt_udp_reply rep, again;
    int rc = emnet_wt_decode_udp_reply(c, n, &rep);
    check_incremental(dec_udp_reply, c, n, rc, &again);
    ASSERT(rc >= 0); /* any bytes are a reply or the start of one */
    if (rc == 0)
        return;
    ASSERT((size_t)rc <= n && rc <= EMNET_WT_UDP_REPLY_MAX);
    uint8_t *out = malloc((size_t)rc);
    ASSERT(out != NULL);
    size_t on = emnet_wt_encode_udp_reply(out, (size_t)rc, rep.status, rep.flow_id, rep.port);
    ASSERT(on > 0 && on <= (size_t)rc);
    if (on == (size_t)rc)
        ASSERT(memcmp(out, c, on) == 0);
    ASSERT(emnet_wt_encode_udp_reply(out, on - 1, rep.status, rep.flow_id, rep.port) == 0);
    ASSERT(emnet_wt_decode_udp_reply(out, on, &again) == (int)on);
    ASSERT(again.status == rep.status && again.flow_id == rep.flow_id && again.port == rep.port);
    free(out);
}

static int dec_lookup_reply(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_lookup_reply(buf, len, out);
}

static void lookup_reply(const uint8_t *c, size_t n)
{
    static struct emnet_wt_lookup_reply rep, again;
    int rc = emnet_wt_decode_lookup_reply(c, n, &rep);
    check_incremental(dec_lookup_reply, c, n, rc, &again);
    if (rc < 0)
        ASSERT(rc == EMNET_WT_ECOUNT || rc == EMNET_WT_EADDR_TYPE);
    if (rc <= 0)
        return;
    ASSERT((size_t)rc <= n && rc <= EMNET_WT_LOOKUP_REPLY_MAX);
    if (rep.status == 0) {
        ASSERT(rep.count >= 1 && rep.count <= EMNET_WT_LOOKUP_MAX);
        for (size_t i = 0; i < rep.count; i++)
            valid_ip(&rep.addrs[i]);
    } else {
        ASSERT(rc == 1 && rep.count == 0);
    }
    uint8_t *out = malloc((size_t)rc);
    ASSERT(out != NULL);
    same_bytes(emnet_wt_encode_lookup_reply(out, (size_t)rc, rep.status, rep.addrs, rep.count), out, c, (size_t)rc);
    ASSERT(emnet_wt_encode_lookup_reply(out, (size_t)rc - 1, rep.status, rep.addrs, rep.count) == 0);
    ASSERT(emnet_wt_decode_lookup_reply(out, (size_t)rc, &again) == rc);
    ASSERT(again.status == rep.status && again.count == rep.count);
    for (size_t i = 0; i < rep.count; i++)
        ASSERT(same_ip(&again.addrs[i], &rep.addrs[i]));
    free(out);
}

/* ---- datagrams ---- */

static void datagram(const uint8_t *c, size_t n)
{
    struct emnet_wt_datagram d, again;
    int rc = emnet_wt_decode_datagram(c, n, &d);
    if (rc < 0) {
        ASSERT(rc == EMNET_WT_ESHORT || rc == EMNET_WT_EADDR_TYPE);
        return;
    }
    ASSERT(rc > 0 && rc <= EMNET_WT_DATAGRAM_HEADER_MAX);
    ASSERT(d.payload == c + rc && d.len == n - (size_t)rc);
    valid_ip(&d.addr.ip);
    /* Whole, the payload copied in; then the header alone, which must be
     * the same bytes as the whole one's. */
    uint8_t *out = malloc(n);
    ASSERT(out != NULL);
    size_t on = emnet_wt_encode_datagram(out, n, d.flow_id, &d.addr, d.payload, d.len);
    size_t h = emnet_wt_datagram_header_len(d.flow_id, &d.addr);
    ASSERT(h > 0 && h <= (size_t)rc && on == h + d.len);
    if (h == (size_t)rc)
        ASSERT(memcmp(out, c, n) == 0);
    ASSERT(emnet_wt_encode_datagram(out, on - 1, d.flow_id, &d.addr, d.payload, d.len) == 0);
    ASSERT(emnet_wt_decode_datagram(out, on, &again) == (int)h);
    ASSERT(again.flow_id == d.flow_id && same_sockaddr(&again.addr, &d.addr) && again.len == d.len);
    ASSERT(d.len == 0 || memcmp(again.payload, d.payload, d.len) == 0);
    uint8_t hdr[EMNET_WT_DATAGRAM_HEADER_MAX];
    ASSERT(emnet_wt_encode_datagram_header(hdr, h, d.flow_id, &d.addr) == h);
    ASSERT(memcmp(hdr, out, h) == 0);
    ASSERT(emnet_wt_encode_datagram_header(hdr, h - 1, d.flow_id, &d.addr) == 0);
    free(out);
}

/* ---- flow stream records ---- */

static int dec_record(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_record(buf, len, out);
}

/* Records one after another, the way a flow stream delivers them. */
static void record_stream(const uint8_t *c, size_t n)
{
    size_t at = 0;
    while (at <= n) {
        struct emnet_wt_record rec, again;
        int rc = emnet_wt_decode_record(c + at, n - at, &rec);
        check_incremental(dec_record, c + at, n - at, rc, &again);
        if (rc < 0) {
            known_error(rc);
            ASSERT(rc == EMNET_WT_ERECORD_TYPE || rc == EMNET_WT_ERECORD_LONG || rc == EMNET_WT_ESTATUS ||
                   rc == EMNET_WT_EADDR_TYPE);
        }
        if (rc <= 0)
            return;
        ASSERT((size_t)rc <= n - at);
        valid_ip(&rec.addr.ip);
        uint8_t *out = malloc((size_t)rc);
        ASSERT(out != NULL);
        size_t on;
        if (rec.type == EMNET_WT_RECORD_DATAGRAM) {
            ASSERT(rec.len <= EMNET_WT_UDP_PAYLOAD_MAX && rec.payload + rec.len == c + at + rc);
            on = emnet_wt_encode_datagram_record(out, (size_t)rc, &rec.addr, rec.payload, rec.len);
            size_t h = emnet_wt_record_header_len(&rec.addr, rec.len);
            ASSERT(h > 0 && on == h + rec.len && on <= (size_t)rc);
            ASSERT(emnet_wt_encode_datagram_record(out, on - 1, &rec.addr, rec.payload, rec.len) == 0);
        } else {
            ASSERT(rec.type == EMNET_WT_RECORD_ERROR && rec.status != 0 && rec.payload == NULL && rec.len == 0);
            on = emnet_wt_encode_error_record(out, (size_t)rc, rec.status, &rec.addr);
            ASSERT(on == (size_t)rc);
            ASSERT(emnet_wt_encode_error_record(out, on - 1, rec.status, &rec.addr) == 0);
        }
        if (on == (size_t)rc)
            ASSERT(memcmp(out, c + at, on) == 0);
        ASSERT(emnet_wt_decode_record(out, on, &again) == (int)on);
        ASSERT(again.type == rec.type && again.status == rec.status && same_sockaddr(&again.addr, &rec.addr));
        ASSERT(again.len == rec.len && (rec.len == 0 || memcmp(again.payload, rec.payload, rec.len) == 0));
        free(out);
        at += (size_t)rc;
    }
}

/* ---- the small parts, on any input ---- */

static void varint(const uint8_t *c, size_t n)
{
    uint64_t v;
    int rc = emnet_wt_varint_decode(c, n, &v);
    ASSERT(rc == 0 || rc == 1 || rc == 2 || rc == 4 || rc == 8);
    if (rc == 0) {
        ASSERT(n == 0 || n < ((size_t)1 << (c[0] >> 6)));
        return;
    }
    ASSERT((size_t)rc <= n && v <= EMNET_WT_VARINT_MAX);
    uint8_t out[EMNET_WT_VARINT_MAX_LEN];
    size_t on = emnet_wt_varint_encode(out, sizeof out, v);
    ASSERT(on == emnet_wt_varint_len(v) && on <= (size_t)rc);
    if (on == (size_t)rc)
        ASSERT(memcmp(out, c, on) == 0);
    uint64_t back;
    ASSERT(emnet_wt_varint_decode(out, on, &back) == (int)on && back == v);
}

static int dec_addr(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_addr(buf, len, out);
}

static int dec_sockaddr(const uint8_t *buf, size_t len, void *out)
{
    return emnet_wt_decode_sockaddr(buf, len, out);
}

static void addresses(const uint8_t *c, size_t n)
{
    struct emnet_wt_addr a, again;
    int rc = emnet_wt_decode_addr(c, n, &a);
    check_incremental(dec_addr, c, n, rc, &again);
    if (rc < 0) {
        known_error(rc);
    } else if (rc > 0) {
        valid_addr(&a);
        ASSERT((size_t)rc <= n && (size_t)rc == emnet_wt_addr_len(&a) && rc <= EMNET_WT_ADDR_MAX);
        uint8_t *out = malloc((size_t)rc);
        ASSERT(out != NULL);
        same_bytes(emnet_wt_encode_addr(out, (size_t)rc, &a), out, c, (size_t)rc);
        ASSERT(emnet_wt_encode_addr(out, (size_t)rc - 1, &a) == 0);
        free(out);
        if (a.type == EMNET_WT_ADDR_NAME)
            ASSERT(emnet_wt_check_name((const char *)c + 2, a.len) == 0);
    }
    /* The name check on raw bytes agrees with the record decoder's. */
    if (n > 0) {
        size_t len = n - 1 < 255 ? n - 1 : 255;
        int crc = emnet_wt_check_name((const char *)c + 1, len);
        ASSERT(crc == 0 || crc == EMNET_WT_ENAME_EMPTY || crc == EMNET_WT_ENAME_LONG || crc == EMNET_WT_ENAME_BYTE);
    }

    struct emnet_wt_sockaddr sa, sagain;
    rc = emnet_wt_decode_sockaddr(c, n, &sa);
    check_incremental(dec_sockaddr, c, n, rc, &sagain);
    if (rc < 0)
        ASSERT(rc == EMNET_WT_EADDR_TYPE);
    if (rc > 0) {
        ASSERT(rc == 7 || rc == 19);
        uint8_t out[EMNET_WT_SOCKADDR_MAX];
        same_bytes(emnet_wt_encode_sockaddr(out, (size_t)rc, &sa), out, c, (size_t)rc);
        ASSERT(emnet_wt_encode_sockaddr(out, (size_t)rc - 1, &sa) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t sel = data[0];
    size_t n = size - 1;
    uint8_t *c = copy_of(data + 1, n);

    varint(c, n);
    addresses(c, n);
    switch (sel % 6) {
    case 0:
        request(c, n);
        break;
    case 1:
        tcp_reply(c, n);
        break;
    case 2:
        udp_reply(c, n);
        break;
    case 3:
        lookup_reply(c, n);
        break;
    case 4:
        datagram(c, n);
        break;
    case 5:
        record_stream(c, n);
        break;
    }
    free(c);
    return 0;
}
