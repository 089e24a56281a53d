/* The WebTransport protocol codec (wt_codec.h has the layout and the
 * rules; docs/webtransport-protocol.md the protocol).
 *
 * Every read is preceded by a check against what is left of the input,
 * and lengths are compared by subtraction from what is left, never by
 * adding to a pointer or a size first, so no input can make a sum wrap.
 * The incremental decoders judge each field as soon as its bytes are in,
 * which is what lets a proxy refuse a bad header without waiting for the
 * rest of it. */
#include "wt_codec.h"

#include <errno.h>
#include <string.h>

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- varints ---- */

int emnet_wt_varint_decode(const uint8_t *buf, size_t len, uint64_t *value)
{
    if (len == 0)
        return 0;
    /* The first byte alone tells the length, so a cut varint is known
     * to be cut before any byte past len would be needed. */
    size_t n = (size_t)1 << (buf[0] >> 6);
    if (len < n)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | buf[i];
    /* The length prefix sits in the top two bits of the first byte, which
     * after n - 1 shifts are bits 8n-2 and 8n-1 of v. */
    *value = v & ((UINT64_C(1) << (8 * n - 2)) - 1);
    return (int)n;
}

size_t emnet_wt_varint_len(uint64_t value)
{
    if (value < (UINT64_C(1) << 6))
        return 1;
    if (value < (UINT64_C(1) << 14))
        return 2;
    if (value < (UINT64_C(1) << 30))
        return 4;
    return value <= EMNET_WT_VARINT_MAX ? 8 : 0;
}

size_t emnet_wt_varint_encode(uint8_t *buf, size_t cap, uint64_t value)
{
    size_t n = emnet_wt_varint_len(value);
    if (n == 0 || cap < n)
        return 0;
    for (size_t i = n; i-- > 0; value >>= 8)
        buf[i] = (uint8_t)value;
    /* log2(n) in the top two bits; the value never reaches them. */
    buf[0] |= (uint8_t)((n == 1 ? 0 : n == 2 ? 1 : n == 4 ? 2 : 3) << 6);
    return n;
}

/* ---- names ---- */

const char *emnet_wt_error_name(int err)
{
    switch (err) {
    case EMNET_WT_OK:
        return "ok";
#define ERROR_CASE(name, value, text) \
    case value:                       \
        return text;
        EMNET_WT_ERROR_MAP(ERROR_CASE)
#undef ERROR_CASE
    }
    return "?";
}

const char *emnet_wt_status_name(uint8_t status)
{
    switch (status) {
#define NAME_CASE(name, value, text, err) \
    case value:                           \
        return text;
        EMNET_WT_STATUS_MAP(NAME_CASE)
#undef NAME_CASE
    }
    return "unrecognised";
}

int emnet_wt_status_errno(uint8_t status)
{
    switch (status) {
#define ERRNO_CASE(name, value, text, err) \
    case value:                            \
        return err;
        EMNET_WT_STATUS_MAP(ERRNO_CASE)
#undef ERRNO_CASE
    }
    /* A status from a newer proxy: whatever it means, the connect failed,
     * and a refusal is the failure every program handles. */
    return ECONNREFUSED;
}

/* ---- addresses ---- */

static int name_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

int emnet_wt_check_name(const char *name, size_t len)
{
    if (len == 0)
        return EMNET_WT_ENAME_EMPTY;
    if (len > EMNET_WT_NAME_MAX)
        return EMNET_WT_ENAME_LONG;
    for (size_t i = 0; i < len; i++)
        if (!name_byte((uint8_t)name[i]))
            return EMNET_WT_ENAME_BYTE;
    return 0;
}

/* The address bytes of a record of type 4 or 6, 0 for any other type. */
static size_t ip_len(uint8_t type)
{
    return type == EMNET_WT_ADDR_IPV4 ? 4 : type == EMNET_WT_ADDR_IPV6 ? 16 : 0;
}

/* A record of type 4 or 6 at p (n bytes): its length, 0, or EADDR_TYPE. */
static int decode_ip(const uint8_t *p, size_t n, struct emnet_wt_ip *out)
{
    if (n == 0)
        return 0;
    size_t alen = ip_len(p[0]);
    if (alen == 0)
        return EMNET_WT_EADDR_TYPE;
    if (n - 1 < alen)
        return 0;
    out->type = p[0];
    memcpy(out->bytes, p + 1, alen);
    return (int)(1 + alen);
}

/* A record of type 0 at p (n bytes, p[0] == 0). The bytes of the name are
 * judged as they arrive, so that a bad one fails at once. */
static int decode_name(const uint8_t *p, size_t n, struct emnet_wt_addr *out)
{
    if (n < 2)
        return 0;
    size_t len = p[1];
    if (len == 0)
        return EMNET_WT_ENAME_EMPTY;
    if (len > EMNET_WT_NAME_MAX)
        return EMNET_WT_ENAME_LONG;
    size_t have = n - 2 < len ? n - 2 : len;
    for (size_t i = 0; i < have; i++)
        if (!name_byte(p[2 + i]))
            return EMNET_WT_ENAME_BYTE;
    if (have < len)
        return 0;
    out->type = EMNET_WT_ADDR_NAME;
    out->len = (uint8_t)len;
    memcpy(out->bytes, p + 2, len);
    return (int)(2 + len);
}

int emnet_wt_decode_addr(const uint8_t *buf, size_t len, struct emnet_wt_addr *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    if (buf[0] == EMNET_WT_ADDR_NAME)
        return decode_name(buf, len, out);
    struct emnet_wt_ip ip;
    int rc = decode_ip(buf, len, &ip);
    if (rc <= 0)
        return rc;
    out->type = ip.type;
    out->len = (uint8_t)(rc - 1);
    memcpy(out->bytes, ip.bytes, out->len);
    return rc;
}

size_t emnet_wt_addr_len(const struct emnet_wt_addr *a)
{
    if (a->type == EMNET_WT_ADDR_NAME)
        return emnet_wt_check_name((const char *)a->bytes, a->len) == 0 ? 2 + (size_t)a->len : 0;
    size_t alen = ip_len(a->type);
    return alen != 0 && a->len == alen ? 1 + alen : 0;
}

size_t emnet_wt_encode_addr(uint8_t *buf, size_t cap, const struct emnet_wt_addr *a)
{
    size_t n = emnet_wt_addr_len(a);
    if (n == 0 || cap < n)
        return 0;
    buf[0] = a->type;
    if (a->type == EMNET_WT_ADDR_NAME)
        buf[1] = a->len;
    memcpy(buf + n - a->len, a->bytes, a->len);
    return n;
}

int emnet_wt_decode_sockaddr(const uint8_t *buf, size_t len, struct emnet_wt_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    int rc = decode_ip(buf, len, &out->ip);
    if (rc <= 0)
        return rc;
    if (len - (size_t)rc < 2)
        return 0;
    out->port = get_be16(buf + rc);
    return rc + 2;
}

size_t emnet_wt_sockaddr_len(const struct emnet_wt_sockaddr *sa)
{
    size_t alen = ip_len(sa->ip.type);
    return alen ? 1 + alen + 2 : 0;
}

size_t emnet_wt_encode_sockaddr(uint8_t *buf, size_t cap, const struct emnet_wt_sockaddr *sa)
{
    size_t n = emnet_wt_sockaddr_len(sa);
    if (n == 0 || cap < n)
        return 0;
    buf[0] = sa->ip.type;
    memcpy(buf + 1, sa->ip.bytes, n - 3);
    put_be16(buf + n - 2, sa->port);
    return n;
}

/* ---- stream headers ---- */

/* A length from a part's decoder, shifted by what came before it. */
static int after(size_t at, int rc)
{
    return rc <= 0 ? rc : (int)at + rc;
}

int emnet_wt_decode_request(const uint8_t *buf, size_t len, struct emnet_wt_request *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    out->kind = buf[0];
    switch (buf[0]) {
    case EMNET_WT_KIND_TCP:
        if (len < 3)
            return 0;
        out->port = get_be16(buf + 1);
        return after(3, emnet_wt_decode_addr(buf + 3, len - 3, &out->addr));
    case EMNET_WT_KIND_UDP:
    case EMNET_WT_KIND_UDP_ON_STREAM:
        if (len < 2)
            return 0;
        if (buf[1] != 4 && buf[1] != 6)
            return EMNET_WT_EFAMILY;
        out->family = buf[1];
        return 2;
    case EMNET_WT_KIND_LOOKUP:
        if (len < 2)
            return 0;
        if (buf[1] != 0 && buf[1] != 4 && buf[1] != 6)
            return EMNET_WT_EFAMILY;
        out->family = buf[1];
        if (len < 3)
            return 0;
        /* Only names are looked up: an address needs no proxy to resolve. */
        if (buf[2] != EMNET_WT_ADDR_NAME)
            return EMNET_WT_EADDR_TYPE;
        return after(2, emnet_wt_decode_addr(buf + 2, len - 2, &out->addr));
    }
    return EMNET_WT_EKIND;
}

size_t emnet_wt_encode_tcp_request(uint8_t *buf, size_t cap, uint16_t port, const struct emnet_wt_addr *target)
{
    size_t n = emnet_wt_addr_len(target);
    if (n == 0 || cap < 3 || cap - 3 < n)
        return 0;
    buf[0] = EMNET_WT_KIND_TCP;
    put_be16(buf + 1, port);
    emnet_wt_encode_addr(buf + 3, n, target);
    return 3 + n;
}

size_t emnet_wt_encode_udp_request(uint8_t *buf, size_t cap, uint8_t kind, uint8_t family)
{
    if ((kind != EMNET_WT_KIND_UDP && kind != EMNET_WT_KIND_UDP_ON_STREAM) || (family != 4 && family != 6) || cap < 2)
        return 0;
    buf[0] = kind;
    buf[1] = family;
    return 2;
}

size_t emnet_wt_encode_lookup_request(uint8_t *buf, size_t cap, uint8_t family, const char *name,
                                      size_t name_len)
{
    if ((family != 0 && family != 4 && family != 6) || emnet_wt_check_name(name, name_len) < 0)
        return 0;
    /* name_len <= EMNET_WT_NAME_MAX here: the sum cannot wrap. */
    size_t n = 4 + name_len;
    if (cap < n)
        return 0;
    buf[0] = EMNET_WT_KIND_LOOKUP;
    buf[1] = family;
    buf[2] = EMNET_WT_ADDR_NAME;
    buf[3] = (uint8_t)name_len;
    memmove(buf + 4, name, name_len);
    return n;
}

size_t emnet_wt_encode_request(uint8_t *buf, size_t cap, const struct emnet_wt_request *req)
{
    switch (req->kind) {
    case EMNET_WT_KIND_TCP:
        if (req->family != 0)
            return 0;
        return emnet_wt_encode_tcp_request(buf, cap, req->port, &req->addr);
    case EMNET_WT_KIND_UDP:
    case EMNET_WT_KIND_UDP_ON_STREAM:
        if (req->port != 0 || req->addr.type != 0 || req->addr.len != 0)
            return 0;
        return emnet_wt_encode_udp_request(buf, cap, req->kind, req->family);
    case EMNET_WT_KIND_LOOKUP:
        if (req->port != 0 || req->addr.type != EMNET_WT_ADDR_NAME)
            return 0;
        return emnet_wt_encode_lookup_request(buf, cap, req->family, (const char *)req->addr.bytes, req->addr.len);
    }
    return 0;
}

/* ---- replies ---- */

int emnet_wt_decode_tcp_reply(const uint8_t *buf, size_t len, struct emnet_wt_tcp_reply *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    out->status = buf[0];
    if (buf[0] != EMNET_WT_STATUS_OK)
        return 1;
    return after(1, emnet_wt_decode_sockaddr(buf + 1, len - 1, &out->peer));
}

size_t emnet_wt_encode_tcp_reply(uint8_t *buf, size_t cap, uint8_t status, const struct emnet_wt_sockaddr *peer)
{
    if (cap < 1)
        return 0;
    if (status != EMNET_WT_STATUS_OK) {
        buf[0] = status;
        return 1;
    }
    size_t n = emnet_wt_encode_sockaddr(buf + 1, cap - 1, peer);
    if (n == 0)
        return 0;
    buf[0] = status;
    return 1 + n;
}

int emnet_wt_decode_udp_reply(const uint8_t *buf, size_t len, struct emnet_wt_udp_reply *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    out->status = buf[0];
    if (buf[0] != EMNET_WT_STATUS_OK)
        return 1;
    int n = emnet_wt_varint_decode(buf + 1, len - 1, &out->flow_id);
    if (n == 0 || len - 1 - (size_t)n < 2)
        return 0;
    out->port = get_be16(buf + 1 + n);
    return 1 + n + 2;
}

size_t emnet_wt_encode_udp_reply(uint8_t *buf, size_t cap, uint8_t status, uint64_t flow_id, uint16_t port)
{
    if (cap < 1)
        return 0;
    if (status != EMNET_WT_STATUS_OK) {
        buf[0] = status;
        return 1;
    }
    size_t n = emnet_wt_varint_len(flow_id);
    if (n == 0 || cap - 1 < n + 2)
        return 0;
    buf[0] = status;
    emnet_wt_varint_encode(buf + 1, n, flow_id);
    put_be16(buf + 1 + n, port);
    return 1 + n + 2;
}

int emnet_wt_decode_lookup_reply(const uint8_t *buf, size_t len, struct emnet_wt_lookup_reply *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    out->status = buf[0];
    if (buf[0] != EMNET_WT_STATUS_OK)
        return 1;
    if (len < 2)
        return 0;
    /* An answer with no address would be a success that answers nothing:
     * the proxy says 0x06 for that. */
    if (buf[1] == 0 || buf[1] > EMNET_WT_LOOKUP_MAX)
        return EMNET_WT_ECOUNT;
    size_t at = 2;
    for (uint8_t i = 0; i < buf[1]; i++) {
        int rc = decode_ip(buf + at, len - at, &out->addrs[i]);
        if (rc <= 0)
            return rc;
        at += (size_t)rc;
    }
    out->count = buf[1];
    return (int)at;
}

size_t emnet_wt_encode_lookup_reply(uint8_t *buf, size_t cap, uint8_t status, const struct emnet_wt_ip *addrs,
                                    size_t count)
{
    if (cap < 1)
        return 0;
    if (status != EMNET_WT_STATUS_OK) {
        buf[0] = status;
        return 1;
    }
    if (count == 0 || count > EMNET_WT_LOOKUP_MAX)
        return 0;
    size_t n = 2;
    for (size_t i = 0; i < count; i++) {
        size_t alen = ip_len(addrs[i].type);
        if (alen == 0)
            return 0;
        n += 1 + alen;
    }
    if (cap < n)
        return 0;
    buf[0] = status;
    buf[1] = (uint8_t)count;
    uint8_t *p = buf + 2;
    for (size_t i = 0; i < count; i++) {
        size_t alen = ip_len(addrs[i].type);
        p[0] = addrs[i].type;
        memcpy(p + 1, addrs[i].bytes, alen);
        p += 1 + alen;
    }
    return n;
}

/* ---- datagrams ---- */

int emnet_wt_decode_datagram(const uint8_t *buf, size_t len, struct emnet_wt_datagram *out)
{
    memset(out, 0, sizeof *out);
    int n = emnet_wt_varint_decode(buf, len, &out->flow_id);
    if (n == 0)
        return EMNET_WT_ESHORT;
    int an = emnet_wt_decode_sockaddr(buf + n, len - (size_t)n, &out->addr);
    if (an == 0)
        return EMNET_WT_ESHORT;
    if (an < 0)
        return an;
    size_t at = (size_t)n + (size_t)an;
    out->payload = buf + at;
    out->len = len - at;
    return (int)at;
}

size_t emnet_wt_datagram_header_len(uint64_t flow_id, const struct emnet_wt_sockaddr *addr)
{
    size_t n = emnet_wt_varint_len(flow_id), an = emnet_wt_sockaddr_len(addr);
    return n && an ? n + an : 0;
}

size_t emnet_wt_encode_datagram_header(uint8_t *buf, size_t cap, uint64_t flow_id,
                                       const struct emnet_wt_sockaddr *addr)
{
    size_t h = emnet_wt_datagram_header_len(flow_id, addr);
    if (h == 0 || cap < h)
        return 0;
    size_t n = emnet_wt_varint_encode(buf, cap, flow_id);
    emnet_wt_encode_sockaddr(buf + n, cap - n, addr);
    return h;
}

size_t emnet_wt_encode_datagram(uint8_t *buf, size_t cap, uint64_t flow_id, const struct emnet_wt_sockaddr *addr,
                                const void *payload, size_t len)
{
    size_t h = emnet_wt_datagram_header_len(flow_id, addr);
    if (h == 0 || cap < h || len > cap - h)
        return 0;
    /* The payload first: it may already sit where it goes, right behind
     * the header, and the header would overwrite the bytes before it. */
    if (len > 0)
        memmove(buf + h, payload, len);
    emnet_wt_encode_datagram_header(buf, h, flow_id, addr);
    return h + len;
}

/* ---- flow stream records ---- */

int emnet_wt_decode_record(const uint8_t *buf, size_t len, struct emnet_wt_record *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    out->type = buf[0];
    if (buf[0] == EMNET_WT_RECORD_ERROR) {
        if (len < 2)
            return 0;
        if (buf[1] == EMNET_WT_STATUS_OK)
            return EMNET_WT_ESTATUS;
        out->status = buf[1];
        return after(2, emnet_wt_decode_sockaddr(buf + 2, len - 2, &out->addr));
    }
    if (buf[0] != EMNET_WT_RECORD_DATAGRAM)
        return EMNET_WT_ERECORD_TYPE;
    uint64_t plen;
    int n = emnet_wt_varint_decode(buf + 1, len - 1, &plen);
    if (n == 0)
        return 0;
    if (plen > EMNET_WT_UDP_PAYLOAD_MAX)
        return EMNET_WT_ERECORD_LONG;
    size_t at = 1 + (size_t)n;
    int an = emnet_wt_decode_sockaddr(buf + at, len - at, &out->addr);
    if (an <= 0)
        return an;
    at += (size_t)an;
    if (len - at < plen)
        return 0;
    out->payload = buf + at;
    out->len = (size_t)plen;
    return (int)(at + plen);
}

size_t emnet_wt_record_header_len(const struct emnet_wt_sockaddr *addr, size_t len)
{
    size_t an = emnet_wt_sockaddr_len(addr);
    if (an == 0 || len > EMNET_WT_UDP_PAYLOAD_MAX)
        return 0;
    return 1 + emnet_wt_varint_len(len) + an;
}

size_t emnet_wt_encode_datagram_record_header(uint8_t *buf, size_t cap, const struct emnet_wt_sockaddr *addr,
                                              size_t len)
{
    size_t h = emnet_wt_record_header_len(addr, len);
    if (h == 0 || cap < h)
        return 0;
    buf[0] = EMNET_WT_RECORD_DATAGRAM;
    size_t n = emnet_wt_varint_encode(buf + 1, cap - 1, len);
    emnet_wt_encode_sockaddr(buf + 1 + n, cap - 1 - n, addr);
    return h;
}

size_t emnet_wt_encode_datagram_record(uint8_t *buf, size_t cap, const struct emnet_wt_sockaddr *addr,
                                       const void *payload, size_t len)
{
    size_t h = emnet_wt_record_header_len(addr, len);
    if (h == 0 || cap < h || len > cap - h)
        return 0;
    /* As for datagrams: the payload may already be in place. */
    if (len > 0)
        memmove(buf + h, payload, len);
    emnet_wt_encode_datagram_record_header(buf, h, addr, len);
    return h + len;
}

size_t emnet_wt_encode_error_record(uint8_t *buf, size_t cap, uint8_t status, const struct emnet_wt_sockaddr *addr)
{
    size_t an = emnet_wt_sockaddr_len(addr);
    if (status == EMNET_WT_STATUS_OK || an == 0 || cap < 2 || cap - 2 < an)
        return 0;
    buf[0] = EMNET_WT_RECORD_ERROR;
    buf[1] = status;
    emnet_wt_encode_sockaddr(buf + 2, an, addr);
    return 2 + an;
}
