/* Rules that choose a transport per destination: pure C over strings, no
 * I/O and no Emscripten headers, so the same file is unit-tested natively.
 *
 * A rule is "TRANSPORT HOST[:PORTS]"; the first rule of a list that
 * matches (host, port) names the transport. HOST is one of
 *   *                    any destination
 *   irc.example.org      that name exactly (case-insensitive, one trailing
 *                        dot ignored)
 *   *.example.org        any name below example.org (not example.org itself)
 *   10.0.0.7  10.0.0.0/8 an IPv4 address or network
 *   [::1]  [fd00::/8]    an IPv6 address or network; bare (::1, fd00::/8)
 *                        only when no port follows
 * and PORTS is N, N-M (1 <= N <= M <= 65535) or *; none means every port.
 * Name rules match only names and address rules only addresses; an
 * IPv4-mapped IPv6 address (::ffff:10.0.0.7) is matched as its IPv4
 * address. Transport names are given by the caller. */
#ifndef EMNET_NET_TRANSPORT_RULES_H
#define EMNET_NET_TRANSPORT_RULES_H

#include <stddef.h>

#define EMNET_RULE_NAME_MAX 253   /* the longest DNS name */

enum emnet_rule_host { EMNET_RULE_ANY, EMNET_RULE_NAME, EMNET_RULE_SUFFIX, EMNET_RULE_NET };

struct emnet_transport_rule {
    int transport;                          /* index into the caller's names */
    enum emnet_rule_host kind;
    char name[EMNET_RULE_NAME_MAX + 1];     /* NAME, SUFFIX (without "*."): lower case */
    unsigned char net[16];                  /* NET: IPv4 as IPv4-mapped IPv6 */
    unsigned prefix;                        /* NET: 0..128, over the 16 bytes */
    unsigned port_lo, port_hi;
};

struct emnet_transport_rules {
    struct emnet_transport_rule *rule;
    size_t n, cap;
};

/* Parses one rule (surrounding blanks ignored). transports is a
 * NULL-terminated list of the known transport names. Returns 0, or
 * -EINVAL when the text is not a rule or names no known transport. */
int emnet_transport_rule_parse(const char *text, const char *const *transports,
                               struct emnet_transport_rule *out);

/* 1 if the rule covers (host, port). host is a name or an address in text
 * ("10.0.0.7", "::1"). */
int emnet_transport_rule_matches(const struct emnet_transport_rule *r, const char *host, unsigned port);

/* Appends one rule: 0, -EINVAL (list unchanged) or -ENOMEM. */
int emnet_transport_rules_add(struct emnet_transport_rules *l, const char *text, const char *const *transports);

/* Appends every rule of text, separated by ';' or newlines (empty ones
 * skipped). All or nothing: 0, or -EINVAL/-ENOMEM with the list unchanged. */
int emnet_transport_rules_add_list(struct emnet_transport_rules *l, const char *text,
                                   const char *const *transports);

/* The transport index of the first rule that covers (host, port), or -1. */
int emnet_transport_rules_match(const struct emnet_transport_rules *l, const char *host, unsigned port);

/* Empties the list and frees its memory. */
void emnet_transport_rules_clear(struct emnet_transport_rules *l);

#endif
