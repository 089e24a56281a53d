/* Address parsing and the table of special-purpose address ranges.
 *
 * The table decides which resolved addresses a host-name rule may reach:
 * only ordinary public unicast. Everything here needs an explicit CIDR
 * rule, because a name is chosen by whoever controls its DNS, and "allow
 * chat.example.org" must never turn into "allow 127.0.0.1" or "allow the
 * cloud metadata service at 169.254.169.254" after a DNS change.
 *
 * Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890 and its updates). IPv6 is judged by the opposite rule: only
 * global unicast 2000::/3 can be public, minus the special blocks inside
 * it; the rest of the space (::/8 with loopback and the deprecated
 * IPv4-compatible forms, 100::/64, fc00::/7, fe80::/10, fec0::/10,
 * ff00::/8, ...) is never public. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int emnet__addr_is_v4(const struct emnet__addr *a)
{
    return memcmp(a->b, v4_mapped_prefix, 12) == 0;
}

static void set_v4(struct emnet__addr *out, uint32_t host_order)
{
    memcpy(out->b, v4_mapped_prefix, 12);
    out->b[12] = (uint8_t)(host_order >> 24);
    out->b[13] = (uint8_t)(host_order >> 16);
    out->b[14] = (uint8_t)(host_order >> 8);
    out->b[15] = (uint8_t)host_order;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int emnet__addr_from_sockaddr(const struct sockaddr *sa, struct emnet__addr *out)
{
    if (!sa)
        return -1;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, sa, sizeof sin);
        set_v4(out, ntohl(sin.sin_addr.s_addr));
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, sa, sizeof sin6);
        memcpy(out->b, sin6.sin6_addr.s6_addr, 16);
        return 0;
    }
    return -1;
}

int emnet__addr_parse_strict(const char *text, size_t len, struct emnet__addr *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf || memchr(text, '\0', len))
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        set_v4(out, ntohl(a4.s_addr));
        return 0;
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) == 1) {
        memcpy(out->b, a6.s6_addr, 16);
        return 0;
    }
    return -1;
}

/* One part of an inet_aton address: 0x.. hex, 0.. octal, else decimal.
 * Returns -1 past max (so no overflow can happen while accumulating). */
static int aton_part(const char *s, size_t len, uint32_t max, uint32_t *out)
{
    unsigned base = 10;
    size_t i = 0;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (len >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }
    if (len == 0)
        return -1;
    uint64_t v = 0;
    for (; i < len; i++) {
        char c = emnet__lower(s[i]);
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return -1;
        if (d >= base)
            return -1;
        v = v * base + d;
        if (v > max)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* glibc's getaddrinfo takes "a", "a.b", "a.b.c" and "a.b.c.d" with parts in
 * any base as IPv4 (inet_aton); the last part fills the remaining bytes. */
static int parse_aton(const char *s, size_t len, struct emnet__addr *out)
{
    uint32_t parts[4];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.')
            continue;
        if (n == 4)
            return -1;
        /* every part but the last is one byte; the last takes what is left */
        uint32_t max = 0xff;
        int last = i == len;
        if (last)
            max = n == 0 ? 0xffffffffu : n == 1 ? 0xffffffu : n == 2 ? 0xffffu : 0xffu;
        if (aton_part(s + start, i - start, max, &parts[n]) < 0)
            return -1;
        n++;
        start = i + 1;
    }
    uint32_t v = parts[n - 1];
    for (size_t k = 0; k + 1 < n; k++)
        v |= parts[k] << (24 - 8 * k);
    set_v4(out, v);
    return 0;
}

int emnet__addr_parse_numeric(const char *text, size_t len, struct emnet__addr *out)
{
    if (len == 0 || memchr(text, '\0', len))
        return -1;
    if (memchr(text, ':', len)) {
        /* IPv6, perhaps with a zone: the zone picks an interface, it does
         * not change what kind of address this is. */
        const char *pct = memchr(text, '%', len);
        if (pct) {
            if (pct + 1 == text + len)
                return -1;
            len = (size_t)(pct - text);
        }
        struct emnet__addr a;
        if (emnet__addr_parse_strict(text, len, &a) < 0 || !memchr(text, ':', len))
            return -1;
        *out = a;
        return 0;
    }
    return parse_aton(text, len, out);
}

struct v4_range {
    uint32_t net;
    unsigned len;
};

static const struct v4_range v4_special[] = {
    { 0x00000000u, 8 },  /* 0.0.0.0/8 "this network" */
    { 0x0a000000u, 8 },  /* 10.0.0.0/8 private */
    { 0x64400000u, 10 }, /* 100.64.0.0/10 shared address space (CGN) */
    { 0x7f000000u, 8 },  /* 127.0.0.0/8 loopback */
    { 0xa9fe0000u, 16 }, /* 169.254.0.0/16 link-local (cloud metadata lives here) */
    { 0xac100000u, 12 }, /* 172.16.0.0/12 private */
    { 0xc0000000u, 24 }, /* 192.0.0.0/24 IETF protocol assignments */
    { 0xc0000200u, 24 }, /* 192.0.2.0/24 documentation (TEST-NET-1) */
    { 0xc0586300u, 24 }, /* 192.88.99.0/24 6to4 relay anycast (deprecated) */
    { 0xc0a80000u, 16 }, /* 192.168.0.0/16 private */
    { 0xc6120000u, 15 }, /* 198.18.0.0/15 benchmarking */
    { 0xc6336400u, 24 }, /* 198.51.100.0/24 documentation (TEST-NET-2) */
    { 0xcb007100u, 24 }, /* 203.0.113.0/24 documentation (TEST-NET-3) */
    { 0xe0000000u, 4 },  /* 224.0.0.0/4 multicast */
    { 0xf0000000u, 4 },  /* 240.0.0.0/4 reserved, with 255.255.255.255 broadcast */
};

static int v4_is_public(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_special / sizeof v4_special[0]; i++) {
        uint32_t mask = 0xffffffffu << (32 - v4_special[i].len);
        if ((a & mask) == v4_special[i].net)
            return 0;
    }
    return 1;
}

int emnet__addr_is_public(const struct emnet__addr *a)
{
    const uint8_t *b = a->b;
    static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
    if (emnet__addr_is_v4(a))
        return v4_is_public(get_u32(b + 12));
    /* NAT64's well-known prefix reaches the IPv4 address it embeds */
    if (memcmp(b, nat64, 12) == 0)
        return v4_is_public(get_u32(b + 12));
    if ((b[0] & 0xe0) != 0x20) /* outside global unicast 2000::/3 */
        return 0;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) /* 2001::/23 IETF protocol assignments (Teredo, ...) */
        return 0;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* 2001:db8::/32 documentation */
        return 0;
    if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) /* 3fff::/20 documentation */
        return 0;
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4 2002::/16 reaches the IPv4 address in bits 16..47 */
        return v4_is_public(get_u32(b + 2));
    return 1;
}

void emnet__addr_format(const struct emnet__addr *a, char *buf, size_t len)
{
    if (emnet__addr_is_v4(a)) {
        snprintf(buf, len, "%u.%u.%u.%u", a->b[12], a->b[13], a->b[14], a->b[15]);
        return;
    }
    struct in6_addr a6;
    memcpy(a6.s6_addr, a->b, 16);
    if (!inet_ntop(AF_INET6, &a6, buf, (socklen_t)len) && len)
        buf[0] = '\0';
}

int emnet__parse_u16(const char *s, size_t len, uint16_t *out)
{
    if (len == 0)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
        if (v > 65535)
            return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

void emnet__quote(char *dst, size_t dstlen, const char *s, size_t len)
{
    if (dstlen == 0)
        return;
    size_t max = 60, o = 0;
    for (size_t i = 0; i < len && o + 1 < dstlen; i++) {
        if (i == max) {
            for (int k = 0; k < 3 && o + 1 < dstlen; k++)
                dst[o++] = '.';
            break;
        }
        unsigned char c = (unsigned char)s[i];
        dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    dst[o] = '\0';
}
