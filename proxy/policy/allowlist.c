/* The target allowlist: host classification and the two checks
 * (allowlist.h); rule parsing is in allowlist_parse.c.
 *
 * A rule is either a CIDR (an address is a CIDR of full length) or a name
 * rule (exact, "*.suffix" or "*"), each with a port range. Host text is
 * classified once per check: an address in any form the resolver would
 * take numerically, a valid DNS name, or neither (always denied). The
 * split matters because a name rule only ever reaches public unicast
 * addresses (addr_class.c), while a CIDR rule is the operator saying
 * "this network, whatever it is". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy/allowlist.h"

struct emnet_allowlist *emnet_allowlist_new(void)
{
    return calloc(1, sizeof(struct emnet_allowlist));
}

void emnet_allowlist_free(struct emnet_allowlist *al)
{
    if (!al)
        return;
    for (size_t i = 0; i < al->n; i++) {
        free(al->rules[i].name);
        free(al->rules[i].text);
    }
    free(al->rules);
    free(al);
}

size_t emnet_allowlist_count(const struct emnet_allowlist *al)
{
    return al ? al->n : 0;
}

const char *emnet_allowlist_rule(const struct emnet_allowlist *al, size_t i)
{
    return al && i < al->n ? al->rules[i].text : NULL;
}

const char *emnet_verdict_name(enum emnet_verdict v)
{
    switch (v) {
    case EMNET_ALLOW: return "allowed";
    case EMNET_DENY_PORT: return "port";
    case EMNET_DENY_HOST: return "host";
    case EMNET_DENY_ADDRESS: return "address";
    }
    return "?";
}

/* ---- host names ---- */

static int is_label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Lower-cases s[0..len) into out (EMNET__NAME_MAX_LEN + 1 bytes) without one
 * trailing dot, and checks it is a DNS name: labels of 1-63 letters,
 * digits, '-' or '_', at most 253 characters, and a last label that is not
 * numeric (every TLD starts with a letter; "1.2.3.4.5" or "0x7f" must never
 * be taken for a name). Returns 0, or -1 with *why set. */
int emnet__normalize_name(const char *s, size_t len, char *out, size_t *out_len, const char **why)
{
    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0) {
        *why = "empty host name";
        return -1;
    }
    if (len > EMNET__NAME_MAX_LEN) {
        *why = "host name longer than 253 characters";
        return -1;
    }
    size_t label = 0, last_start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = emnet__lower(s[i]);
        out[i] = c;
        if (c == '.') {
            if (label == 0) {
                *why = "empty label in host name";
                return -1;
            }
            label = 0;
            last_start = i + 1;
            continue;
        }
        if (!is_label_char(c)) {
            *why = "invalid character in host name";
            return -1;
        }
        if (++label > 63) {
            *why = "label longer than 63 characters in host name";
            return -1;
        }
    }
    out[len] = '\0';
    const char *last = out + last_start;
    size_t last_len = len - last_start;
    int numeric = 1;
    for (size_t i = 0; i < last_len; i++)
        if (last[i] < '0' || last[i] > '9')
            numeric = 0;
    if (numeric || (last_len >= 2 && last[0] == '0' && last[1] == 'x')) {
        *why = "looks like a numeric address but is not a valid one";
        return -1;
    }
    *out_len = len;
    return 0;
}

enum host_kind { HOST_INVALID, HOST_ADDR, HOST_NAME };

struct host {
    enum host_kind kind;
    struct emnet__addr addr;
    char name[EMNET__NAME_MAX_LEN + 1];
    size_t name_len;
};

static void classify_host(const char *text, struct host *h)
{
    h->kind = HOST_INVALID;
    if (!text)
        return;
    size_t len = strlen(text);
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        /* brackets hold IPv6 text only (which may still be IPv4-mapped) */
        if (memchr(text + 1, ':', len - 2) && emnet__addr_parse_numeric(text + 1, len - 2, &h->addr) == 0)
            h->kind = HOST_ADDR;
        return;
    }
    /* "127.0.0.1." is not numeric to the resolver, but it is no name either */
    size_t alen = len > 1 && text[len - 1] == '.' ? len - 1 : len;
    if (emnet__addr_parse_numeric(text, alen, &h->addr) == 0) {
        h->kind = HOST_ADDR;
        return;
    }
    const char *why;
    if (emnet__normalize_name(text, len, h->name, &h->name_len, &why) == 0)
        h->kind = HOST_NAME;
}

static int name_matches(const struct emnet__rule *r, const struct host *h)
{
    switch (r->kind) {
    case EMNET__RULE_NAME:
        return h->name_len == r->name_len && memcmp(h->name, r->name, r->name_len) == 0;
    case EMNET__RULE_SUFFIX:
        return h->name_len > r->name_len &&
               memcmp(h->name + h->name_len - r->name_len, r->name, r->name_len) == 0;
    case EMNET__RULE_ANY_NAME:
        return 1;
    case EMNET__RULE_CIDR:
        break;
    }
    return 0;
}

static int cidr_covers(const struct emnet__rule *r, const uint64_t a[2])
{
    return ((a[0] & r->mask_w[0]) == r->net_w[0]) & ((a[1] & r->mask_w[1]) == r->net_w[1]);
}

static int port_ok(const struct emnet__rule *r, uint16_t port)
{
    return port >= r->port_lo && port <= r->port_hi;
}

/* ---- checks ---- */

static enum emnet_verdict check_cidrs(const struct emnet_allowlist *al, const struct emnet__addr *a, uint16_t port,
                                      int *covered)
{
    uint64_t w[2];
    memcpy(w, a->b, sizeof w);
    *covered = 0;
    for (size_t i = 0; i < al->n; i++) {
        const struct emnet__rule *r = &al->rules[i];
        if (r->kind != EMNET__RULE_CIDR || !cidr_covers(r, w))
            continue;
        if (port_ok(r, port))
            return EMNET_ALLOW;
        *covered = 1;
    }
    return *covered ? EMNET_DENY_PORT : EMNET_DENY_HOST;
}

/* Scans the name rules: *matched if one matches the name, return 1 if one
 * matches the name and the port. */
static int check_names(const struct emnet_allowlist *al, const struct host *h, uint16_t port, int *matched)
{
    *matched = 0;
    for (size_t i = 0; i < al->n; i++) {
        const struct emnet__rule *r = &al->rules[i];
        if (r->kind == EMNET__RULE_CIDR || !name_matches(r, h))
            continue;
        if (port_ok(r, port))
            return 1;
        *matched = 1;
    }
    return 0;
}

static int any_cidr_with_port(const struct emnet_allowlist *al, uint16_t port)
{
    for (size_t i = 0; i < al->n; i++)
        if (al->rules[i].kind == EMNET__RULE_CIDR && port_ok(&al->rules[i], port))
            return 1;
    return 0;
}

enum emnet_verdict emnet_allowlist_check_host(const struct emnet_allowlist *al, const char *host, uint16_t port)
{
    if (!al)
        return EMNET_DENY_HOST;
    struct host h;
    classify_host(host, &h);
    if (h.kind == HOST_ADDR) {
        int covered;
        return check_cidrs(al, &h.addr, port, &covered);
    }
    if (h.kind == HOST_INVALID)
        return EMNET_DENY_HOST;
    int matched;
    if (check_names(al, &h, port, &matched) || any_cidr_with_port(al, port))
        return EMNET_ALLOW;
    return matched || al->n_cidr ? EMNET_DENY_PORT : EMNET_DENY_HOST;
}

enum emnet_verdict emnet_allowlist_check_addr(const struct emnet_allowlist *al, const char *host,
                                              const struct sockaddr *addr, uint16_t port)
{
    struct emnet__addr a;
    if (!al || emnet__addr_from_sockaddr(addr, &a) < 0)
        return EMNET_DENY_ADDRESS;
    int covered;
    if (check_cidrs(al, &a, port, &covered) == EMNET_ALLOW)
        return EMNET_ALLOW;
    struct host h;
    classify_host(host, &h);
    int matched = 0;
    if (h.kind == HOST_NAME && check_names(al, &h, port, &matched))
        return emnet__addr_is_public(&a) ? EMNET_ALLOW : EMNET_DENY_ADDRESS;
    if (covered || matched)
        return EMNET_DENY_PORT;
    if (h.kind == HOST_NAME && any_cidr_with_port(al, port))
        return EMNET_DENY_ADDRESS;
    return EMNET_DENY_HOST;
}

