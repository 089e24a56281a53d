/* Private cross-file declarations of proxy/policy/.
 *
 * Addresses are handled in one form only: 16 bytes of IPv6 in network
 * order, with IPv4 stored as the IPv4-mapped address ::ffff:a.b.c.d. One
 * masked compare then covers both families, and an IPv4-mapped IPv6
 * address that a resolver or a client hands us is the very same value as
 * the IPv4 address it carries: it cannot slip past an IPv4 rule. */
#ifndef EMNET_POLICY_INTERNAL_H
#define EMNET_POLICY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct emnet__addr {
    uint8_t b[16];
};

/* 1 if a is in ::ffff:0:0/96, i.e. an IPv4 address. */
int emnet__addr_is_v4(const struct emnet__addr *a);
/* AF_INET or AF_INET6 socket address -> 0; any other family -> -1. */
int emnet__addr_from_sockaddr(const struct sockaddr *sa, struct emnet__addr *out);
/* Strict text forms only: a dotted quad, or IPv6 as inet_pton takes it
 * (no brackets, no zone). text need not be NUL-terminated. 0 or -1. */
int emnet__addr_parse_strict(const char *text, size_t len, struct emnet__addr *out);
/* Every form that getaddrinfo() would take as a numeric host without asking
 * DNS: the strict forms, the old inet_aton ones (127.1, 0x7f000001,
 * 017700000001, 2130706433) and IPv6 with a zone (fe80::1%eth0).
 * 0 and the address, or -1. */
int emnet__addr_parse_numeric(const char *text, size_t len, struct emnet__addr *out);
/* 1 if a is ordinary public unicast: not loopback, unspecified, private,
 * shared (CGN), link-local, unique-local, multicast, broadcast, reserved,
 * documentation or benchmarking space, nor an IPv6 form (IPv4-mapped,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) that embeds such an IPv4 address. */
int emnet__addr_is_public(const struct emnet__addr *a);
/* Text form: dotted quad for IPv4, inet_ntop's form for IPv6. len >= 46. */
void emnet__addr_format(const struct emnet__addr *a, char *buf, size_t len);

/* ---- the allowlist's rules (allowlist.c, allowlist_parse.c) ---- */

#define EMNET__NAME_MAX_LEN 253
#define EMNET__RULE_MAX_LEN 512

enum emnet__rule_kind { EMNET__RULE_CIDR, EMNET__RULE_NAME, EMNET__RULE_SUFFIX, EMNET__RULE_ANY_NAME };

struct emnet__rule {
    enum emnet__rule_kind kind;
    uint16_t port_lo, port_hi;
    struct emnet__addr net, mask; /* EMNET__RULE_CIDR; net has no bits outside mask */
    uint64_t net_w[2], mask_w[2]; /* the same as two words each: a match is two masked compares */
    char *name;                   /* EMNET__RULE_NAME: "a.b"; EMNET__RULE_SUFFIX: ".b" (lower case) */
    size_t name_len;
    char *text;                   /* canonical form */
};

struct emnet_allowlist {
    struct emnet__rule *rules;
    size_t n, cap;
    size_t n_cidr; /* how many are EMNET__RULE_CIDR */
};

/* Lower-cases s[0..len) into out (EMNET__NAME_MAX_LEN + 1 bytes) without
 * one trailing dot and checks it is a DNS name. 0, or -1 with *why set. */
int emnet__normalize_name(const char *s, size_t len, char *out, size_t *out_len, const char **why);

/* Decimal digits only (leading zeros allowed), value 0..65535. 0 or -1. */
int emnet__parse_u16(const char *s, size_t len, uint16_t *out);
/* Copies s[0..len) into dst for an error message: printable ASCII kept,
 * other bytes shown as '?', cut with "..." past about 60 characters, so a
 * hostile config or rule cannot put control characters into a log. */
void emnet__quote(char *dst, size_t dstlen, const char *s, size_t len);
/* Reads a whole regular file into a NUL-terminated buffer (*out, to free).
 * Opens without blocking and refuses anything but a regular file, so a
 * FIFO or a device named by mistake cannot hang or flood the caller.
 * Files over max bytes are refused. 0, or -1 with "PATH: why" in err. */
int emnet__read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);

/* 1 if s[0..len) is a bearer token as RFC 6750 allows it (token68):
 * 1-1024 of A-Z a-z 0-9 - . _ ~ + / then optional '=' padding. */
int emnet__token68_ok(const char *s, size_t len);

/* ASCII-only character tests: never depend on the locale. */
static inline int emnet__is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
static inline char emnet__lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

#endif
