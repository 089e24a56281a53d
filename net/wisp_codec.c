/* The Wisp packet codec (wisp_codec.h has the layout and the rules).
 *
 * Every read is preceded by a length check against the end of the input,
 * and lengths are compared by subtraction from what is left, never by
 * adding to a pointer or a size first, so no input can make a sum wrap. */
#include "wisp_codec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- names ---- */

const char *emnet_wisp_error_name(int err)
{
    switch (err) {
    case EMNET_WISP_OK:
        return "ok";
#define ERROR_CASE(name, value, text) \
    case value:                       \
        return text;
        EMNET_WISP_ERROR_MAP(ERROR_CASE)
#undef ERROR_CASE
    }
    return "?";
}

const char *emnet_wisp_type_name(uint8_t type)
{
    switch (type) {
    case EMNET_WISP_CONNECT:
        return "CONNECT";
    case EMNET_WISP_DATA:
        return "DATA";
    case EMNET_WISP_CONTINUE:
        return "CONTINUE";
    case EMNET_WISP_CLOSE:
        return "CLOSE";
    case EMNET_WISP_INFO:
        return "INFO";
    case EMNET_WISP_FIN:
        return "FIN";
    case EMNET_WISP_CREDIT:
        return "CREDIT";
    case EMNET_WISP_UDP_ERROR:
        return "UDP_ERROR";
    case EMNET_WISP_PACKED:
        return "PACKED";
    }
    return "?";
}

const char *emnet_wisp_close_reason_name(uint8_t reason)
{
    switch (reason) {
#define NAME_CASE(name, value, text, err) \
    case value:                           \
        return text;
        EMNET_WISP_CLOSE_REASON_MAP(NAME_CASE)
#undef NAME_CASE
    }
    return "unrecognised";
}

int emnet_wisp_close_reason_errno(uint8_t reason)
{
    switch (reason) {
#define ERRNO_CASE(name, value, text, err) \
    case value:                            \
        return err;
        EMNET_WISP_CLOSE_REASON_MAP(ERRNO_CASE)
#undef ERRNO_CASE
    }
    /* A reason from a newer peer: the stream still ended abnormally. */
    return ECONNRESET;
}

/* ---- host names ---- */

/* Length of the well-formed UTF-8 sequence at p (n bytes left), or 0.
 * Rejects overlong forms, surrogates and code points past U+10FFFF, so
 * that one host name has one byte form and allowlists compare bytes. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* past U+10FFFF */
    } else {
        return 0; /* continuation byte, overlong 0xc0/0xc1, or 0xf5.. */
    }
    if (n < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return need;
}

int emnet_wisp_check_host(const char *host, size_t len)
{
    const uint8_t *p = (const uint8_t *)host;

    if (len == 0)
        return EMNET_WISP_EHOST_EMPTY;
    if (len > EMNET_WISP_HOST_MAX)
        return EMNET_WISP_EHOST_LONG;
    for (size_t i = 0; i < len;) {
        /* A NUL would cut the name short for anyone who passes it on as a
         * C string; control bytes have no place in a name and would forge
         * lines in logs. */
        if (p[i] < 0x20 || p[i] == 0x7f)
            return EMNET_WISP_EHOST_BYTE;
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0)
            return EMNET_WISP_EHOST_BYTE;
        i += n;
    }
    return 0;
}

/* ---- INFO extensions ---- */

int emnet_wisp_ext_next(const uint8_t **p, const uint8_t *end, uint8_t *id,
                        const uint8_t **payload, uint32_t *len)
{
    const uint8_t *q = *p;

    if (q >= end)
        return 0;
    size_t left = (size_t)(end - q);
    if (left < EMNET_WISP_EXT_HEADER)
        return EMNET_WISP_EEXT;
    uint32_t n = get_le32(q + 1);
    if (n > left - EMNET_WISP_EXT_HEADER)
        return EMNET_WISP_EEXT;
    *id = q[0];
    *payload = q + EMNET_WISP_EXT_HEADER;
    *len = n;
    *p = q + EMNET_WISP_EXT_HEADER + n;
    return 1;
}

static int check_ext_list(const uint8_t *ext, size_t len)
{
    const uint8_t *payload;
    uint8_t id;
    uint32_t n;
    int rc;

    if (len == 0)
        return 0; /* ext may be NULL then: no pointer arithmetic on it */
    const uint8_t *p = ext, *end = ext + len;
    while ((rc = emnet_wisp_ext_next(&p, end, &id, &payload, &n)) == 1)
        ;
    return rc;
}

/* ---- extension payloads ---- */

/* 1 if the len bytes at p are UTF-8 without NUL. */
static int text_ok(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (p[i] == 0)
            return 0;
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

int emnet_wisp_decode_password(const uint8_t *payload, size_t len, struct emnet_wisp_password *out)
{
    if (len < EMNET_WISP_PASSWORD_FIXED)
        return EMNET_WISP_EEXT_PAYLOAD;
    size_t ul = payload[0], pl = get_le16(payload + 1);
    size_t left = len - EMNET_WISP_PASSWORD_FIXED;
    if (ul > left || pl != left - ul)
        return EMNET_WISP_EEXT_PAYLOAD;
    const uint8_t *u = payload + EMNET_WISP_PASSWORD_FIXED, *pw = u + ul;
    if (!text_ok(u, ul) || !text_ok(pw, pl))
        return EMNET_WISP_EEXT_PAYLOAD;
    out->user = (const char *)u;
    out->user_len = ul;
    out->password = (const char *)pw;
    out->password_len = pl;
    return 0;
}

int emnet_wisp_decode_password_required(const uint8_t *payload, size_t len, int *required)
{
    if (len != 1 || payload[0] > 1)
        return EMNET_WISP_EEXT_PAYLOAD;
    *required = payload[0];
    return 0;
}

int emnet_wisp_check_motd(const uint8_t *payload, size_t len)
{
    return text_ok(payload, len) ? 0 : EMNET_WISP_EEXT_PAYLOAD;
}

int emnet_wisp_decode_window(const uint8_t *payload, size_t len, uint32_t *window)
{
    if (len != 4 || get_le32(payload) == 0)
        return EMNET_WISP_EEXT_PAYLOAD;
    *window = get_le32(payload);
    return 0;
}

int emnet_wisp_check_empty_ext(size_t len)
{
    return len == 0 ? 0 : EMNET_WISP_EEXT_PAYLOAD;
}

size_t emnet_wisp_encode_password(uint8_t *buf, size_t cap, const char *user, size_t user_len,
                                  const char *password, size_t password_len)
{
    if (user_len > EMNET_WISP_USER_MAX || password_len > EMNET_WISP_PASSWORD_MAX)
        return 0;
    if (!text_ok((const uint8_t *)user, user_len) || !text_ok((const uint8_t *)password, password_len))
        return 0;
    size_t total = EMNET_WISP_PASSWORD_FIXED + user_len + password_len;
    if (cap < total)
        return 0;
    buf[0] = (uint8_t)user_len;
    put_le16(buf + 1, (uint16_t)password_len);
    if (user_len)
        memcpy(buf + EMNET_WISP_PASSWORD_FIXED, user, user_len);
    if (password_len)
        memcpy(buf + EMNET_WISP_PASSWORD_FIXED + user_len, password, password_len);
    return total;
}

/* ---- decoding ---- */

/* A UDP socket stream (0xe3) names only its family: "0.0.0.0" or "::". */
static int socket_host_ok(const char *host, size_t len)
{
    return (len == 7 && memcmp(host, "0.0.0.0", 7) == 0) || (len == 2 && memcmp(host, "::", 2) == 0);
}

/* The stream type, port and host of a CONNECT: 0 or the error. */
static int check_connect(uint8_t type, uint16_t port, const char *host, size_t host_len)
{
    if (type != EMNET_WISP_STREAM_TCP && type != EMNET_WISP_STREAM_UDP && type != EMNET_WISP_STREAM_UDP_SOCKET)
        return EMNET_WISP_ESTREAM_TYPE;
    if ((port == 0) != (type == EMNET_WISP_STREAM_UDP_SOCKET))
        return EMNET_WISP_EPORT;
    int rc = emnet_wisp_check_host(host, host_len);
    if (rc < 0)
        return rc;
    if (type == EMNET_WISP_STREAM_UDP_SOCKET && !socket_host_ok(host, host_len))
        return EMNET_WISP_EHOST_BYTE;
    return 0;
}

static int decode_connect(const uint8_t *p, size_t n, struct emnet_wisp_packet *out)
{
    if (n < EMNET_WISP_CONNECT_FIXED)
        return EMNET_WISP_ESHORT;
    uint16_t port = get_le16(p + 1);
    const char *host = (const char *)p + EMNET_WISP_CONNECT_FIXED;
    size_t host_len = n - EMNET_WISP_CONNECT_FIXED;
    int rc = check_connect(p[0], port, host, host_len);
    if (rc < 0)
        return rc;
    out->u.connect.stream_type = p[0];
    out->u.connect.port = port;
    out->u.connect.host = host;
    out->u.connect.host_len = host_len;
    return 0;
}

static int decode_info(const uint8_t *p, size_t n, struct emnet_wisp_packet *out)
{
    if (n < EMNET_WISP_INFO_FIXED)
        return EMNET_WISP_ESHORT;
    const uint8_t *ext = p + EMNET_WISP_INFO_FIXED;
    size_t ext_len = n - EMNET_WISP_INFO_FIXED;
    int rc = check_ext_list(ext, ext_len);
    if (rc < 0)
        return rc;
    out->u.info.major = p[0];
    out->u.info.minor = p[1];
    out->u.info.ext = ext;
    out->u.info.ext_len = ext_len;
    return 0;
}

/* A payload of exactly size bytes: shorter is ESHORT, longer ETRAILING. */
static int fixed_size(size_t n, size_t size)
{
    if (n < size)
        return EMNET_WISP_ESHORT;
    return n > size ? EMNET_WISP_ETRAILING : 0;
}

/* A PACKED payload: records of a whole packet each (at least a header,
 * not PACKED), filling it exactly, at least one. */
static int check_packed(const uint8_t *p, size_t n)
{
    if (n == 0)
        return EMNET_WISP_ESHORT;
    while (n) {
        if (n < EMNET_WISP_PACKED_RECORD)
            return EMNET_WISP_ESHORT;
        uint32_t len = get_le32(p);
        p += EMNET_WISP_PACKED_RECORD;
        n -= EMNET_WISP_PACKED_RECORD;
        if (len < EMNET_WISP_HEADER || len > n)
            return EMNET_WISP_ESHORT;
        if (p[0] == EMNET_WISP_PACKED)
            return EMNET_WISP_ETYPE;
        p += len;
        n -= len;
    }
    return 0;
}

int emnet_wisp_decode(const uint8_t *buf, size_t len, struct emnet_wisp_packet *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (len < EMNET_WISP_HEADER)
        return EMNET_WISP_ESHORT;
    out->type = buf[0];
    out->stream_id = get_le32(buf + 1);

    const uint8_t *p = buf + EMNET_WISP_HEADER;
    size_t n = len - EMNET_WISP_HEADER;
    switch (out->type) {
    case EMNET_WISP_CONNECT:
        if (out->stream_id == 0)
            return EMNET_WISP_ESTREAM_ID;
        return decode_connect(p, n, out);
    case EMNET_WISP_DATA:
        if (out->stream_id == 0)
            return EMNET_WISP_ESTREAM_ID;
        out->u.data.data = p;
        out->u.data.len = n;
        return 0;
    case EMNET_WISP_CONTINUE:
        if ((rc = fixed_size(n, 4)) < 0)
            return rc;
        out->u.cont.remaining = get_le32(p);
        return 0;
    case EMNET_WISP_CLOSE:
        if ((rc = fixed_size(n, 1)) < 0)
            return rc;
        out->u.close.reason = p[0];
        return 0;
    case EMNET_WISP_INFO:
        if (out->stream_id != 0)
            return EMNET_WISP_ESTREAM_ID;
        return decode_info(p, n, out);
    case EMNET_WISP_FIN:
        if (out->stream_id == 0)
            return EMNET_WISP_ESTREAM_ID;
        return fixed_size(n, 0);
    case EMNET_WISP_CREDIT:
        if (out->stream_id == 0)
            return EMNET_WISP_ESTREAM_ID;
        if ((rc = fixed_size(n, 4)) < 0)
            return rc;
        out->u.credit.bytes = get_le32(p);
        return 0;
    case EMNET_WISP_UDP_ERROR: {
        if (out->stream_id == 0)
            return EMNET_WISP_ESTREAM_ID;
        if (n < 1)
            return EMNET_WISP_ESHORT;
        struct emnet_wisp_addr a;
        if ((rc = emnet_wisp_decode_addr(p + 1, n - 1, &a)) < 0)
            return rc;
        if ((size_t)rc != n - 1)
            return EMNET_WISP_ETRAILING;
        out->u.udp_error.reason = p[0];
        out->u.udp_error.addr = p + 1;
        out->u.udp_error.addr_len = n - 1;
        return 0;
    }
    case EMNET_WISP_PACKED:
        if (out->stream_id != 0)
            return EMNET_WISP_ESTREAM_ID;
        if ((rc = check_packed(p, n)) < 0)
            return rc;
        out->u.packed.records = p;
        out->u.packed.len = n;
        return 0;
    }
    return EMNET_WISP_ETYPE;
}

int emnet_wisp_packed_next(const uint8_t **it, const uint8_t *end, const uint8_t **pkt, size_t *len)
{
    if ((size_t)(end - *it) < EMNET_WISP_PACKED_RECORD)
        return 0;
    uint32_t n = get_le32(*it);
    *pkt = *it + EMNET_WISP_PACKED_RECORD;
    *len = n;
    *it = *pkt + n;
    return 1;
}

/* ---- encoding ---- */

/* Writes the header when cap holds it and payload_len more bytes. */
static int put_header(uint8_t *buf, size_t cap, uint8_t type, uint32_t stream_id, size_t payload_len)
{
    if (cap < EMNET_WISP_HEADER || payload_len > cap - EMNET_WISP_HEADER)
        return 0;
    buf[0] = type;
    put_le32(buf + 1, stream_id);
    return 1;
}

size_t emnet_wisp_encode_connect(uint8_t *buf, size_t cap, uint32_t stream_id, uint8_t stream_type,
                                 uint16_t port, const char *host, size_t host_len)
{
    if (stream_id == 0 || check_connect(stream_type, port, host, host_len) < 0)
        return 0;
    /* host_len <= EMNET_WISP_HOST_MAX here, so the sum cannot wrap. */
    if (!put_header(buf, cap, EMNET_WISP_CONNECT, stream_id, EMNET_WISP_CONNECT_FIXED + host_len))
        return 0;
    buf[EMNET_WISP_HEADER] = stream_type;
    put_le16(buf + EMNET_WISP_HEADER + 1, port);
    memmove(buf + EMNET_WISP_HEADER + EMNET_WISP_CONNECT_FIXED, host, host_len);
    return EMNET_WISP_HEADER + EMNET_WISP_CONNECT_FIXED + host_len;
}

size_t emnet_wisp_encode_data_header(uint8_t *buf, size_t cap, uint32_t stream_id)
{
    if (stream_id == 0 || !put_header(buf, cap, EMNET_WISP_DATA, stream_id, 0))
        return 0;
    return EMNET_WISP_HEADER;
}

size_t emnet_wisp_encode_data(uint8_t *buf, size_t cap, uint32_t stream_id, const void *data, size_t len)
{
    if (stream_id == 0 || !put_header(buf, cap, EMNET_WISP_DATA, stream_id, len))
        return 0;
    if (len > 0)
        memmove(buf + EMNET_WISP_HEADER, data, len);
    return EMNET_WISP_HEADER + len;
}

size_t emnet_wisp_encode_continue(uint8_t *buf, size_t cap, uint32_t stream_id, uint32_t remaining)
{
    if (!put_header(buf, cap, EMNET_WISP_CONTINUE, stream_id, 4))
        return 0;
    put_le32(buf + EMNET_WISP_HEADER, remaining);
    return EMNET_WISP_CONTINUE_SIZE;
}

size_t emnet_wisp_encode_close(uint8_t *buf, size_t cap, uint32_t stream_id, uint8_t reason)
{
    if (!put_header(buf, cap, EMNET_WISP_CLOSE, stream_id, 1))
        return 0;
    buf[EMNET_WISP_HEADER] = reason;
    return EMNET_WISP_CLOSE_SIZE;
}

size_t emnet_wisp_encode_fin(uint8_t *buf, size_t cap, uint32_t stream_id)
{
    if (stream_id == 0 || !put_header(buf, cap, EMNET_WISP_FIN, stream_id, 0))
        return 0;
    return EMNET_WISP_FIN_SIZE;
}

size_t emnet_wisp_encode_credit(uint8_t *buf, size_t cap, uint32_t stream_id, uint32_t bytes)
{
    if (stream_id == 0 || !put_header(buf, cap, EMNET_WISP_CREDIT, stream_id, 4))
        return 0;
    put_le32(buf + EMNET_WISP_HEADER, bytes);
    return EMNET_WISP_CREDIT_SIZE;
}

int emnet_wisp_decode_addr(const uint8_t *p, size_t n, struct emnet_wisp_addr *out)
{
    if (n < 1 || (p[0] != 4 && p[0] != 6))
        return EMNET_WISP_EADDR;
    size_t alen = p[0] == 4 ? 4 : 16;
    if (n < 3 + alen)
        return EMNET_WISP_EADDR;
    memset(out, 0, sizeof *out);
    out->family = p[0];
    out->port = get_le16(p + 1);
    memcpy(out->addr, p + 3, alen);
    return (int)(3 + alen);
}

size_t emnet_wisp_encode_addr(uint8_t *buf, size_t cap, const struct emnet_wisp_addr *a)
{
    if (a->family != 4 && a->family != 6)
        return 0;
    size_t alen = a->family == 4 ? 4 : 16;
    if (cap < 3 + alen)
        return 0;
    buf[0] = a->family;
    put_le16(buf + 1, a->port);
    memcpy(buf + 3, a->addr, alen);
    return 3 + alen;
}

int emnet_wisp_addr_from_sockaddr(const struct sockaddr *sa, struct emnet_wisp_addr *a)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        a->family = 4;
        a->port = ntohs(in->sin_port);
        memcpy(a->addr, &in->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family != AF_INET6)
        return -1;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    a->port = ntohs(in6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
        a->family = 4;
        memcpy(a->addr, &in6->sin6_addr.s6_addr[12], 4);
    } else {
        a->family = 6;
        memcpy(a->addr, &in6->sin6_addr, 16);
    }
    return 0;
}

int emnet_wisp_addr_to_sockaddr(const struct emnet_wisp_addr *a, int family, struct sockaddr_storage *ss,
                                unsigned *len)
{
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        if (a->family != 4)
            return -1;
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(a->port);
        memcpy(&in->sin_addr, a->addr, 4);
        *len = sizeof *in;
        return 0;
    }
    if (family != AF_INET6 || (a->family != 4 && a->family != 6))
        return -1;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a->port);
    if (a->family == 4) {
        in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&in6->sin6_addr.s6_addr[12], a->addr, 4);
    } else {
        memcpy(&in6->sin6_addr, a->addr, 16);
    }
    *len = sizeof *in6;
    return 0;
}

size_t emnet_wisp_encode_udp_error(uint8_t *buf, size_t cap, uint32_t stream_id, uint8_t reason,
                                   const struct emnet_wisp_addr *a)
{
    uint8_t rec[EMNET_WISP_ADDR_MAX];
    size_t n = emnet_wisp_encode_addr(rec, sizeof rec, a);
    if (stream_id == 0 || !n || !put_header(buf, cap, EMNET_WISP_UDP_ERROR, stream_id, 1 + n))
        return 0;
    buf[EMNET_WISP_HEADER] = reason;
    memcpy(buf + EMNET_WISP_HEADER + 1, rec, n);
    return EMNET_WISP_HEADER + 1 + n;
}

size_t emnet_wisp_encode_info(uint8_t *buf, size_t cap, uint8_t major, uint8_t minor,
                              const uint8_t *ext, size_t ext_len)
{
    if (check_ext_list(ext, ext_len) < 0)
        return 0;
    /* A well-formed list lies in memory, so ext_len + 2 cannot wrap. */
    if (!put_header(buf, cap, EMNET_WISP_INFO, 0, EMNET_WISP_INFO_FIXED + ext_len))
        return 0;
    buf[EMNET_WISP_HEADER] = major;
    buf[EMNET_WISP_HEADER + 1] = minor;
    if (ext_len > 0)
        memmove(buf + EMNET_WISP_HEADER + EMNET_WISP_INFO_FIXED, ext, ext_len);
    return EMNET_WISP_HEADER + EMNET_WISP_INFO_FIXED + ext_len;
}

size_t emnet_wisp_encode_ext(uint8_t *buf, size_t cap, uint8_t id, const void *payload, size_t len)
{
    if (len > UINT32_MAX || cap < EMNET_WISP_EXT_HEADER || len > cap - EMNET_WISP_EXT_HEADER)
        return 0;
    buf[0] = id;
    put_le32(buf + 1, (uint32_t)len);
    if (len > 0)
        memmove(buf + EMNET_WISP_EXT_HEADER, payload, len);
    return EMNET_WISP_EXT_HEADER + len;
}

size_t emnet_wisp_encode(uint8_t *buf, size_t cap, const struct emnet_wisp_packet *pkt)
{
    switch (pkt->type) {
    case EMNET_WISP_CONNECT:
        return emnet_wisp_encode_connect(buf, cap, pkt->stream_id, pkt->u.connect.stream_type,
                                         pkt->u.connect.port, pkt->u.connect.host, pkt->u.connect.host_len);
    case EMNET_WISP_DATA:
        return emnet_wisp_encode_data(buf, cap, pkt->stream_id, pkt->u.data.data, pkt->u.data.len);
    case EMNET_WISP_CONTINUE:
        return emnet_wisp_encode_continue(buf, cap, pkt->stream_id, pkt->u.cont.remaining);
    case EMNET_WISP_CLOSE:
        return emnet_wisp_encode_close(buf, cap, pkt->stream_id, pkt->u.close.reason);
    case EMNET_WISP_INFO:
        if (pkt->stream_id != 0)
            return 0;
        return emnet_wisp_encode_info(buf, cap, pkt->u.info.major, pkt->u.info.minor, pkt->u.info.ext,
                                      pkt->u.info.ext_len);
    case EMNET_WISP_FIN:
        return emnet_wisp_encode_fin(buf, cap, pkt->stream_id);
    case EMNET_WISP_CREDIT:
        return emnet_wisp_encode_credit(buf, cap, pkt->stream_id, pkt->u.credit.bytes);
    case EMNET_WISP_UDP_ERROR: {
        struct emnet_wisp_addr a;
        if (emnet_wisp_decode_addr(pkt->u.udp_error.addr, pkt->u.udp_error.addr_len, &a) < 0)
            return 0;
        return emnet_wisp_encode_udp_error(buf, cap, pkt->stream_id, pkt->u.udp_error.reason, &a);
    }
    case EMNET_WISP_PACKED:
        if (pkt->stream_id != 0 || check_packed(pkt->u.packed.records, pkt->u.packed.len) < 0 ||
            !put_header(buf, cap, EMNET_WISP_PACKED, 0, pkt->u.packed.len))
            return 0;
        memcpy(buf + EMNET_WISP_HEADER, pkt->u.packed.records, pkt->u.packed.len);
        return EMNET_WISP_HEADER + pkt->u.packed.len;
    }
    return 0;
}
