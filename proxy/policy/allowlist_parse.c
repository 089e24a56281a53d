/* Rule parsing of the allowlist (allowlist.h): the rule forms, port ranges,
 * the host-bits check of CIDRs, and the canonical text of a rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/allowlist.h"

static int fail(char *err, size_t errlen, const char *rule, size_t len, const char *why)
{
    char q[80];
    emnet__quote(q, sizeof q, rule, len);
    if (errlen)
        snprintf(err, errlen, "%s: %s", q, why);
    return -1;
}

static int parse_ports(const char *s, size_t len, struct emnet__rule *r, const char **why)
{
    if (len == 1 && s[0] == '*') {
        r->port_lo = 1;
        r->port_hi = 65535;
        return 0;
    }
    const char *dash = memchr(s, '-', len);
    size_t first = dash ? (size_t)(dash - s) : len;
    uint16_t lo, hi;
    if (emnet__parse_u16(s, first, &lo) < 0 ||
        (dash && emnet__parse_u16(dash + 1, len - first - 1, &hi) < 0)) {
        *why = len == 0 ? "missing port after ':'" : "port must be N, N-M or * with N, M in 1-65535";
        return -1;
    }
    if (!dash)
        hi = lo;
    if (lo == 0) {
        *why = "port 0 is not a port (ports are 1-65535)";
        return -1;
    }
    if (lo > hi) {
        *why = "port range N-M needs N <= M";
        return -1;
    }
    r->port_lo = lo;
    r->port_hi = hi;
    return 0;
}

/* "ADDR" or "ADDR/PREFIX", IPv6 only when want_v6 (else IPv4 only). */
static int parse_cidr(const char *s, size_t len, int want_v6, struct emnet__rule *r, char *why_buf, size_t why_len)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    struct emnet__addr a;
    if (emnet__addr_parse_strict(s, alen, &a) < 0 || (memchr(s, ':', alen) != NULL) != want_v6) {
        snprintf(why_buf, why_len, want_v6 ? "not an IPv6 address or prefix" : "not an IPv4 address or prefix");
        return -1;
    }
    unsigned max = want_v6 ? 128 : 32, prefix = max;
    if (slash) {
        size_t plen = len - alen - 1;
        uint16_t p;
        if (plen == 0 || plen > 3 || emnet__parse_u16(slash + 1, plen, &p) < 0 || p > max) {
            snprintf(why_buf, why_len, "prefix length must be 0-%u", max);
            return -1;
        }
        prefix = p;
    }
    unsigned bits = want_v6 ? prefix : 96 + prefix;
    struct emnet__addr mask;
    memset(&mask, 0, sizeof mask);
    for (unsigned i = 0; i < bits; i++)
        mask.b[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    struct emnet__addr net = a;
    for (int i = 0; i < 16; i++)
        net.b[i] &= mask.b[i];
    if (memcmp(&net, &a, sizeof a) != 0) {
        char fixed[64];
        emnet__addr_format(&net, fixed, sizeof fixed);
        snprintf(why_buf, why_len, "host bits set after the /%u prefix (the network is %s/%u)", prefix, fixed, prefix);
        return -1;
    }
    r->kind = EMNET__RULE_CIDR;
    r->net = net;
    r->mask = mask;
    memcpy(r->net_w, net.b, sizeof r->net_w);
    memcpy(r->mask_w, mask.b, sizeof r->mask_w);
    return 0;
}

static int parse_name_rule(const char *s, size_t len, struct emnet__rule *r, const char **why)
{
    char buf[EMNET__NAME_MAX_LEN + 1];
    size_t n;
    if (len == 1 && s[0] == '*') {
        r->kind = EMNET__RULE_ANY_NAME;
        return 0;
    }
    int suffix = len >= 2 && s[0] == '*' && s[1] == '.';
    if (suffix) {
        s += 2;
        len -= 2;
    }
    if (memchr(s, '*', len)) {
        *why = "'*' is allowed only as a whole host or as a leading '*.'";
        return -1;
    }
    if (emnet__normalize_name(s, len, buf, &n, why) < 0)
        return -1;
    r->kind = suffix ? EMNET__RULE_SUFFIX : EMNET__RULE_NAME;
    r->name_len = n + (size_t)suffix;
    r->name = malloc(r->name_len + 1);
    if (!r->name) {
        *why = "out of memory";
        return -1;
    }
    if (suffix)
        r->name[0] = '.';
    memcpy(r->name + suffix, buf, n + 1);
    return 0;
}

/* The canonical text: IPv4 as a.b.c.d[/len], IPv6 bracketed when a port
 * follows, names in lower case, ports omitted when every port is allowed. */
static char *format_rule(const struct emnet__rule *r)
{
    char host[300], ports[16] = "";
    if (r->kind == EMNET__RULE_CIDR) {
        char a[64];
        unsigned bits = 0;
        for (int i = 0; i < 16; i++)
            for (int k = 0; k < 8; k++)
                bits += (r->mask.b[i] >> k) & 1u;
        emnet__addr_format(&r->net, a, sizeof a);
        int v4 = emnet__addr_is_v4(&r->net) && bits >= 96;
        unsigned prefix = v4 ? bits - 96 : bits, full = v4 ? 32 : 128;
        char pfx[16] = "";
        if (prefix != full)
            snprintf(pfx, sizeof pfx, "/%u", prefix);
        int bracket = !v4 && !(r->port_lo == 1 && r->port_hi == 65535);
        snprintf(host, sizeof host, "%s%s%s%s", bracket ? "[" : "", a, pfx, bracket ? "]" : "");
    } else if (r->kind == EMNET__RULE_ANY_NAME) {
        snprintf(host, sizeof host, "*");
    } else {
        snprintf(host, sizeof host, "%s%s", r->kind == EMNET__RULE_SUFFIX ? "*" : "", r->name);
    }
    if (r->port_lo == r->port_hi)
        snprintf(ports, sizeof ports, ":%u", r->port_lo);
    else if (!(r->port_lo == 1 && r->port_hi == 65535))
        snprintf(ports, sizeof ports, ":%u-%u", r->port_lo, r->port_hi);
    size_t n = strlen(host) + strlen(ports) + 1;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s%s", host, ports);
    return t;
}

int emnet_allowlist_add(struct emnet_allowlist *al, const char *rule, char *err, size_t errlen)
{
    if (!al || !rule)
        return fail(err, errlen, "", 0, "no allowlist or no rule");
    size_t len = strlen(rule);
    while (len && emnet__is_space(rule[len - 1]))
        len--;
    while (len && emnet__is_space(rule[0])) {
        rule++;
        len--;
    }
    if (len == 0)
        return fail(err, errlen, rule, len, "empty rule");
    if (len > EMNET__RULE_MAX_LEN)
        return fail(err, errlen, rule, len, "rule longer than 512 characters");

    struct emnet__rule r;
    memset(&r, 0, sizeof r);
    r.port_lo = 1;
    r.port_hi = 65535;
    const char *why = NULL;
    char why_buf[128];
    const char *host = rule, *ports = NULL;
    size_t host_len = len, ports_len = 0;
    int v6 = 0, bracketed = 0;
    size_t colons = 0;
    for (size_t i = 0; i < len; i++)
        colons += rule[i] == ':';
    if (rule[0] == '[') {
        const char *close = memchr(rule, ']', len);
        if (!close)
            return fail(err, errlen, rule, len, "missing ']'");
        host = rule + 1;
        host_len = (size_t)(close - rule) - 1;
        size_t rest = len - (size_t)(close - rule) - 1;
        if (rest > 0 && close[1] != ':')
            return fail(err, errlen, rule, len, "expected ':' and the ports after ']'");
        if (rest > 0) {
            ports = close + 2;
            ports_len = rest - 1;
        }
        v6 = bracketed = 1;
    } else if (colons >= 2) {
        v6 = 1; /* bare IPv6: its colons leave no room for a port */
    } else if (colons == 1) {
        const char *colon = memchr(rule, ':', len);
        host_len = (size_t)(colon - rule);
        ports = colon + 1;
        ports_len = len - host_len - 1;
    }
    if (ports && parse_ports(ports, ports_len, &r, &why) < 0)
        return fail(err, errlen, rule, len, why);
    if (memchr(host, ']', host_len) || memchr(host, '[', host_len))
        return fail(err, errlen, rule, len, "misplaced '[' or ']'");
    if (v6) {
        if (parse_cidr(host, host_len, 1, &r, why_buf, sizeof why_buf) < 0) {
            if (!bracketed && colons >= 2)
                snprintf(why_buf + strlen(why_buf), sizeof why_buf - strlen(why_buf),
                         " (with a port, write [ADDRESS]:PORT)");
            return fail(err, errlen, rule, len, why_buf);
        }
    } else {
        struct emnet__addr probe;
        int looks_v4 = memchr(host, '/', host_len) || emnet__addr_parse_strict(host, host_len, &probe) == 0;
        if (looks_v4) {
            if (parse_cidr(host, host_len, 0, &r, why_buf, sizeof why_buf) < 0)
                return fail(err, errlen, rule, len, why_buf);
        } else if (parse_name_rule(host, host_len, &r, &why) < 0) {
            return fail(err, errlen, rule, len, why);
        }
    }

    r.text = format_rule(&r);
    if (!r.text || (al->n == al->cap && al->cap > ((size_t)-1) / 2 / sizeof(struct emnet__rule))) {
        free(r.name);
        free(r.text);
        return fail(err, errlen, rule, len, "out of memory");
    }
    if (al->n == al->cap) {
        size_t cap = al->cap ? al->cap * 2 : 8;
        struct emnet__rule *nr = realloc(al->rules, cap * sizeof *nr);
        if (!nr) {
            free(r.name);
            free(r.text);
            return fail(err, errlen, rule, len, "out of memory");
        }
        al->rules = nr;
        al->cap = cap;
    }
    al->rules[al->n++] = r;
    if (r.kind == EMNET__RULE_CIDR)
        al->n_cidr++;
    return 0;
}
