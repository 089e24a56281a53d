/* Fuzzes the Wisp codec: any bytes must decode to a packet or to a known
 * error, and a decoded packet must encode back to the very same bytes
 * (every field has one encoding), which decode to the same fields. The
 * extension iterator is also run on the raw input, where it must stay
 * inside the bytes whatever lengths they claim. Failures abort, which
 * libFuzzer reports as a crash with the input that caused it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wisp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(cond)      \
    do {                  \
        if (!(cond))      \
            abort();      \
    } while (0)

static void same_fields(const struct emnet_wisp_packet *a, const struct emnet_wisp_packet *b)
{
    ASSERT(a->type == b->type && a->stream_id == b->stream_id);
    switch (a->type) {
    case EMNET_WISP_CONNECT:
        ASSERT(a->u.connect.stream_type == b->u.connect.stream_type);
        ASSERT(a->u.connect.port == b->u.connect.port);
        ASSERT(a->u.connect.host_len == b->u.connect.host_len);
        ASSERT(memcmp(a->u.connect.host, b->u.connect.host, a->u.connect.host_len) == 0);
        break;
    case EMNET_WISP_DATA:
        ASSERT(a->u.data.len == b->u.data.len);
        ASSERT(a->u.data.len == 0 || memcmp(a->u.data.data, b->u.data.data, a->u.data.len) == 0);
        break;
    case EMNET_WISP_CONTINUE:
        ASSERT(a->u.cont.remaining == b->u.cont.remaining);
        break;
    case EMNET_WISP_CLOSE:
        ASSERT(a->u.close.reason == b->u.close.reason);
        break;
    case EMNET_WISP_INFO:
        ASSERT(a->u.info.major == b->u.info.major && a->u.info.minor == b->u.info.minor);
        ASSERT(a->u.info.ext_len == b->u.info.ext_len);
        ASSERT(a->u.info.ext_len == 0 || memcmp(a->u.info.ext, b->u.info.ext, a->u.info.ext_len) == 0);
        break;
    case EMNET_WISP_FIN:
        break;
    case EMNET_WISP_CREDIT:
        ASSERT(a->u.credit.bytes == b->u.credit.bytes);
        break;
    case EMNET_WISP_UDP_ERROR:
        ASSERT(a->u.udp_error.reason == b->u.udp_error.reason);
        ASSERT(a->u.udp_error.addr_len == b->u.udp_error.addr_len);
        ASSERT(memcmp(a->u.udp_error.addr, b->u.udp_error.addr, a->u.udp_error.addr_len) == 0);
        break;
    case EMNET_WISP_PACKED: {
        ASSERT(a->u.packed.len == b->u.packed.len);
        ASSERT(memcmp(a->u.packed.records, b->u.packed.records, a->u.packed.len) == 0);
        /* Walking the records stays inside the payload, ends exactly at
         * its end, and finds at least one whole packet, none PACKED. */
        const uint8_t *it = a->u.packed.records, *end = it + a->u.packed.len, *pkt;
        size_t len;
        int records = 0;
        while (emnet_wisp_packed_next(&it, end, &pkt, &len) == 1) {
            ASSERT(len >= EMNET_WISP_HEADER && len <= (size_t)(end - pkt) && pkt[0] != EMNET_WISP_PACKED);
            records++;
        }
        ASSERT(it == end && records >= 1);
        break;
    }
    default:
        abort();
    }
}

/* The extension payload decoders on one payload, whatever its id: a
 * password that decodes lies inside the payload and encodes back to the
 * same bytes; the others answer 0 or EEXT_PAYLOAD. The payload is copied
 * to a heap block of its exact size so that a read past it trips ASan. */
static void payload_decoders(const uint8_t *payload, uint32_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    ASSERT(copy != NULL);
    if (n)
        memcpy(copy, payload, n);
    struct emnet_wisp_password pw;
    int rc = emnet_wisp_decode_password(copy, n, &pw);
    ASSERT(rc == 0 || rc == EMNET_WISP_EEXT_PAYLOAD);
    if (rc == 0) {
        ASSERT(pw.user == (const char *)copy + EMNET_WISP_PASSWORD_FIXED);
        ASSERT(pw.password == pw.user + pw.user_len);
        ASSERT(EMNET_WISP_PASSWORD_FIXED + pw.user_len + pw.password_len == n);
        ASSERT(memchr(pw.user, 0, pw.user_len) == NULL && memchr(pw.password, 0, pw.password_len) == NULL);
        uint8_t *out = malloc(n);
        ASSERT(out != NULL);
        ASSERT(emnet_wisp_encode_password(out, n, pw.user, pw.user_len, pw.password, pw.password_len) == n);
        ASSERT(memcmp(out, copy, n) == 0);
        ASSERT(emnet_wisp_encode_password(out, n - 1, pw.user, pw.user_len, pw.password, pw.password_len) == 0);
        free(out);
    }
    int required = -1;
    rc = emnet_wisp_decode_password_required(copy, n, &required);
    ASSERT((rc == 0 && n == 1 && required == copy[0] && required <= 1) || rc == EMNET_WISP_EEXT_PAYLOAD);
    rc = emnet_wisp_check_motd(copy, n);
    ASSERT(rc == 0 || rc == EMNET_WISP_EEXT_PAYLOAD);
    if (rc == 0)
        ASSERT(n == 0 || memchr(copy, 0, n) == NULL);
    ASSERT(emnet_wisp_check_empty_ext(n) == (n ? EMNET_WISP_EEXT_PAYLOAD : 0));
    uint32_t window = 0;
    rc = emnet_wisp_decode_window(copy, n, &window);
    ASSERT((rc == 0 && n == 4 && window != 0) || rc == EMNET_WISP_EEXT_PAYLOAD);
    free(copy);
}

/* An address record at the start of any bytes: one that decodes lies
 * inside them and encodes back to the same bytes. */
static void address_record(const uint8_t *p, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    ASSERT(copy != NULL);
    if (n)
        memcpy(copy, p, n);
    struct emnet_wisp_addr a;
    int rc = emnet_wisp_decode_addr(copy, n, &a);
    ASSERT(rc == 7 || rc == 19 || rc == EMNET_WISP_EADDR);
    if (rc > 0) {
        ASSERT((size_t)rc <= n && (a.family == 4) == (rc == 7));
        uint8_t out[EMNET_WISP_ADDR_MAX];
        ASSERT(emnet_wisp_encode_addr(out, sizeof out, &a) == (size_t)rc);
        ASSERT(memcmp(out, copy, (size_t)rc) == 0);
        ASSERT(emnet_wisp_encode_addr(out, (size_t)rc - 1, &a) == 0);
    }
    free(copy);
}

/* Walks an extension list; returns the iterator's last result (0 at a
 * clean end, EEXT when malformed) and checks that every extension lies
 * inside [p, end) and re-encodes to its own bytes. */
static int walk_extensions(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *payload;
    uint8_t id, out[64];
    uint32_t n;
    int rc;

    for (;;) {
        const uint8_t *at = p;
        rc = emnet_wisp_ext_next(&p, end, &id, &payload, &n);
        if (rc != 1) {
            ASSERT(p == at);
            return rc;
        }
        ASSERT(payload == at + EMNET_WISP_EXT_HEADER);
        ASSERT(n <= (size_t)(end - payload) && p == payload + n);
        ASSERT(id == at[0]);
        payload_decoders(payload, n);
        if (n <= sizeof out - EMNET_WISP_EXT_HEADER) {
            ASSERT(emnet_wisp_encode_ext(out, sizeof out, id, payload, n) == EMNET_WISP_EXT_HEADER + n);
            ASSERT(memcmp(out, at, EMNET_WISP_EXT_HEADER + n) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct emnet_wisp_packet pkt, again;
    int rc = emnet_wisp_decode(data, size, &pkt);

    /* The extension iterator on bytes nobody validated. */
    if (size > 0) {
        int erc = walk_extensions(data, data + size);
        ASSERT(erc == 0 || erc == EMNET_WISP_EEXT);
    }

    /* The address record reader on bytes nobody validated (a socket
     * stream's DATA starts with one). */
    address_record(data, size);

    if (rc < 0) {
        ASSERT(rc >= EMNET_WISP_EADDR);
        ASSERT(strcmp(emnet_wisp_error_name(rc), "?") != 0);
        if (size < EMNET_WISP_HEADER)
            ASSERT(rc == EMNET_WISP_ESHORT);
        return 0;
    }
    ASSERT(rc == 0 && size >= EMNET_WISP_HEADER);
    ASSERT(strcmp(emnet_wisp_type_name(pkt.type), "?") != 0);

    /* Re-encoding gives back the input byte for byte, and no buffer one
     * byte smaller takes it. The buffer is exactly the packet's size so
     * that a write past it trips ASan. */
    uint8_t *buf = malloc(size);
    ASSERT(buf != NULL);
    ASSERT(emnet_wisp_encode(buf, size, &pkt) == size);
    ASSERT(memcmp(buf, data, size) == 0);
    ASSERT(emnet_wisp_encode(buf, size - 1, &pkt) == 0);
    ASSERT(emnet_wisp_encode(buf, size, &pkt) == size);
    ASSERT(emnet_wisp_decode(buf, size, &again) == 0);
    same_fields(&pkt, &again);

    switch (pkt.type) {
    case EMNET_WISP_CONNECT:
        ASSERT((pkt.u.connect.port != 0) == (pkt.u.connect.stream_type != EMNET_WISP_STREAM_UDP_SOCKET));
        ASSERT(emnet_wisp_check_host(pkt.u.connect.host, pkt.u.connect.host_len) == 0);
        ASSERT(pkt.u.connect.host_len >= 1 && pkt.u.connect.host_len <= EMNET_WISP_HOST_MAX);
        ASSERT(memchr(pkt.u.connect.host, 0, pkt.u.connect.host_len) == NULL);
        break;
    case EMNET_WISP_DATA:
        /* The header alone, then the payload behind it. */
        ASSERT(emnet_wisp_encode_data_header(buf, size, pkt.stream_id) == EMNET_WISP_HEADER);
        ASSERT(memcmp(buf, data, EMNET_WISP_HEADER) == 0);
        break;
    case EMNET_WISP_CLOSE:
        ASSERT(emnet_wisp_close_reason_name(pkt.u.close.reason) != NULL);
        ASSERT(emnet_wisp_close_reason_errno(pkt.u.close.reason) >= 0);
        break;
    case EMNET_WISP_INFO:
        /* A decoded INFO's list is whole: the walk ends cleanly. */
        if (pkt.u.info.ext_len > 0)
            ASSERT(walk_extensions(pkt.u.info.ext, pkt.u.info.ext + pkt.u.info.ext_len) == 0);
        break;
    }
    free(buf);
    return 0;
}
