/* Transport rules: parsing and matching (transport_rules.h).
 *
 * Kept apart from config.c, which holds the live list, so that the grammar
 * can be tested natively case by case. Addresses are parsed with
 * inet_pton only: "10.1" or "0x0a000001" are not addresses here, and as
 * names they are refused (a last label that is all digits), so a typo in
 * a network never silently becomes a name rule that matches nothing. */
#include "transport_rules.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A DNS name into out, lower case, without one trailing dot: labels of
 * 1-63 letters, digits, '-' or '_', at most 253 characters, and a last
 * label that is not all digits. 0 or -1. */
static int normalize_name(const char *s, size_t len, char *out)
{
    if (len && s[len - 1] == '.') len--;
    if (!len || len > EMNET_RULE_NAME_MAX) return -1;
    size_t label = 0, last = 0;
    for (size_t i = 0; i < len; i++) {
        char c = lower(s[i]);
        out[i] = c;
        if (c == '.') {
            if (!label) return -1;
            label = 0;
            last = i + 1;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > 63) return -1;
        } else {
            return -1;
        }
    }
    if (!label) return -1;
    out[len] = '\0';
    return strspn(out + last, "0123456789") == len - last ? -1 : 0;
}

/* An address in text (IPv4, or IPv6 without brackets and without a zone)
 * as 16 bytes, IPv4 as IPv4-mapped. 4 or 6 for its family, -1 if none. */
static int parse_addr(const char *s, size_t len, unsigned char out[16])
{
    char buf[64];
    if (!len || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    unsigned char v4[4];
    if (inet_pton(AF_INET, buf, v4) == 1) {
        static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        memcpy(out, mapped, 12);
        memcpy(out + 12, v4, 4);
        return 4;
    }
    return inet_pton(AF_INET6, buf, out) == 1 ? 6 : -1;
}

/* Decimal digits only, 1..max. */
static int parse_number(const char *s, size_t len, unsigned max, unsigned *out)
{
    if (!len || len > 5 || strspn(s, "0123456789") < len) return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) v = v * 10 + (unsigned)(s[i] - '0');
    if (v > max) return -1;
    *out = v;
    return 0;
}

static int parse_ports(const char *s, size_t len, struct emnet_transport_rule *r)
{
    if (len == 1 && s[0] == '*') {
        r->port_lo = 0;
        r->port_hi = 65535;
        return 0;
    }
    const char *dash = memchr(s, '-', len);
    size_t first = dash ? (size_t)(dash - s) : len;
    if (parse_number(s, first, 65535, &r->port_lo) < 0 || r->port_lo == 0) return -1;
    r->port_hi = r->port_lo;
    if (dash && (parse_number(dash + 1, len - first - 1, 65535, &r->port_hi) < 0 || r->port_hi < r->port_lo))
        return -1;
    return 0;
}

/* "ADDR" or "ADDR/PREFIX" as a network; host bits must be clear. */
static int parse_net(const char *s, size_t len, struct emnet_transport_rule *r)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    int family = parse_addr(s, alen, r->net);
    if (family < 0) return -1;
    unsigned bits = family == 4 ? 32 : 128;
    if (slash && parse_number(slash + 1, len - alen - 1, bits, &bits) < 0) return -1;
    r->prefix = family == 4 ? 96 + bits : bits;
    for (unsigned i = r->prefix; i < 128; i++)
        if (r->net[i / 8] & (0x80u >> (i % 8))) return -1;
    r->kind = EMNET_RULE_NET;
    return 0;
}

static int parse_host(const char *s, size_t len, struct emnet_transport_rule *r)
{
    if (len == 1 && s[0] == '*') {
        r->kind = EMNET_RULE_ANY;
        return 0;
    }
    if (len > 2 && s[0] == '*' && s[1] == '.') {
        r->kind = EMNET_RULE_SUFFIX;
        return normalize_name(s + 2, len - 2, r->name);
    }
    if (parse_net(s, len, r) == 0) return 0;
    if (memchr(s, '/', len)) return -1;
    r->kind = EMNET_RULE_NAME;
    return normalize_name(s, len, r->name);
}

int emnet_transport_rule_parse(const char *text, const char *const *transports, struct emnet_transport_rule *out)
{
    if (!text || !transports) return -EINVAL;
    struct emnet_transport_rule r;
    memset(&r, 0, sizeof r);
    while (is_blank(*text)) text++;
    size_t tlen = 0;
    while (text[tlen] && !is_blank(text[tlen])) tlen++;
    r.transport = -1;
    for (int i = 0; transports[i]; i++)
        if (strlen(transports[i]) == tlen && !strncmp(transports[i], text, tlen)) r.transport = i;
    if (r.transport < 0) return -EINVAL;

    const char *h = text + tlen;
    while (is_blank(*h)) h++;
    size_t hlen = 0;
    while (h[hlen] && !is_blank(h[hlen])) hlen++;
    for (const char *rest = h + hlen; *rest; rest++)
        if (!is_blank(*rest)) return -EINVAL;   /* one host per rule */
    if (!hlen) return -EINVAL;

    r.port_lo = 0;
    r.port_hi = 65535;
    const char *colon = memchr(h, ':', hlen);
    int ok;
    if (h[0] == '[') {
        const char *close = memchr(h, ']', hlen);
        if (!close) return -EINVAL;
        size_t inner = (size_t)(close - h) - 1;
        size_t after = hlen - inner - 2;
        ok = parse_net(h + 1, inner, &r) == 0 &&
             (after == 0 || (close[1] == ':' && parse_ports(close + 2, after - 1, &r) == 0));
    } else if (colon && memchr(colon + 1, ':', hlen - (size_t)(colon - h) - 1)) {
        ok = parse_net(h, hlen, &r) == 0;   /* bare IPv6: no port can follow */
    } else if (colon) {
        size_t plen = hlen - (size_t)(colon - h) - 1;
        ok = parse_host(h, (size_t)(colon - h), &r) == 0 && parse_ports(colon + 1, plen, &r) == 0;
    } else {
        ok = parse_host(h, hlen, &r) == 0;
    }
    if (!ok) return -EINVAL;
    *out = r;
    return 0;
}

static int net_covers(const struct emnet_transport_rule *r, const unsigned char a[16])
{
    unsigned full = r->prefix / 8, rest = r->prefix % 8;
    if (memcmp(a, r->net, full)) return 0;
    if (!rest) return 1;
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return (a[full] & mask) == r->net[full];
}

int emnet_transport_rule_matches(const struct emnet_transport_rule *r, const char *host, unsigned port)
{
    if (!host || port < r->port_lo || port > r->port_hi) return 0;
    if (r->kind == EMNET_RULE_ANY) return 1;
    size_t len = strlen(host);
    unsigned char a[16];
    int is_addr = parse_addr(host, len, a) > 0;
    if (r->kind == EMNET_RULE_NET) return is_addr && net_covers(r, a);
    char name[EMNET_RULE_NAME_MAX + 1];
    if (is_addr || normalize_name(host, len, name) < 0) return 0;
    size_t nlen = strlen(name), rlen = strlen(r->name);
    if (r->kind == EMNET_RULE_NAME) return nlen == rlen && !memcmp(name, r->name, nlen);
    return nlen > rlen + 1 && name[nlen - rlen - 1] == '.' && !memcmp(name + nlen - rlen, r->name, rlen);
}

int emnet_transport_rules_add(struct emnet_transport_rules *l, const char *text, const char *const *transports)
{
    struct emnet_transport_rule r;
    int e = emnet_transport_rule_parse(text, transports, &r);
    if (e) return e;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        struct emnet_transport_rule *v = realloc(l->rule, cap * sizeof *v);
        if (!v) return -ENOMEM;
        l->rule = v;
        l->cap = cap;
    }
    l->rule[l->n++] = r;
    return 0;
}

int emnet_transport_rules_add_list(struct emnet_transport_rules *l, const char *text, const char *const *transports)
{
    if (!text) return -EINVAL;
    size_t before = l->n;
    char *copy = strdup(text);
    if (!copy) return -ENOMEM;
    int e = 0;
    for (char *p = copy; !e && p;) {
        char *end = p + strcspn(p, ";\n");
        char *next = *end ? end + 1 : NULL;
        *end = '\0';
        size_t blank = 0;
        while (is_blank(p[blank])) blank++;
        if (p[blank]) e = emnet_transport_rules_add(l, p, transports);
        p = next;
    }
    free(copy);
    if (e) l->n = before;
    return e;
}

int emnet_transport_rules_match(const struct emnet_transport_rules *l, const char *host, unsigned port)
{
    for (size_t i = 0; i < l->n; i++)
        if (emnet_transport_rule_matches(&l->rule[i], host, port)) return l->rule[i].transport;
    return -1;
}

void emnet_transport_rules_clear(struct emnet_transport_rules *l)
{
    free(l->rule);
    l->rule = NULL;
    l->n = l->cap = 0;
}
