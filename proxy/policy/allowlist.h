/* The target allowlist of emnet-proxy: which (host, port) a client may
 * reach. Deny by default: an empty list allows nothing.
 *
 * Rules are kept in the order they were added and scanned linearly on each
 * check (fine for hundreds of rules); a CIDR rule is a precomputed
 * address/mask pair, so matching it is 16 masked byte compares. */
#ifndef EMNET_POLICY_ALLOWLIST_H
#define EMNET_POLICY_ALLOWLIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct emnet_allowlist;

/* NULL only when out of memory. Free with emnet_allowlist_free (NULL ok). */
struct emnet_allowlist *emnet_allowlist_new(void);
void emnet_allowlist_free(struct emnet_allowlist *al);

/* One rule. Forms (ports: N, N-M or *; omitted = every port):
 *   10.0.0.0/8   10.0.0.0/8:6667   192.0.2.7:1000-2000   127.0.0.1:*
 *   [::1]:80   [2001:db8::/32]:443   ::1  (bare IPv6 only without a port)
 *   irc.example.org:6667   *.example.org:443   (names case-insensitive; "*." matches subdomains, not the name itself)
 *   *:443   (any host name, resolved to public addresses only; literal addresses still need a CIDR rule)
 * Ports are 1-65535 (N <= M); a CIDR with host bits set (10.0.0.1/8) is an
 * error; one trailing dot of a name is ignored; a name whose last label is
 * numeric is refused (write the address). IPv4 and IPv6 share one address
 * space through IPv4-mapped addresses: ::ffff:10.0.0.0/104 is 10.0.0.0/8,
 * and ::/0 covers every IPv4 address too.
 * Returns 0, or -1 with a one-line message in err ("RULE: why"). */
int emnet_allowlist_add(struct emnet_allowlist *al, const char *rule, char *err, size_t errlen);
size_t emnet_allowlist_count(const struct emnet_allowlist *al);
/* Rule i (0 <= i < count, in the order added) in its canonical text form,
 * which emnet_allowlist_add takes back unchanged; NULL past the end. Valid
 * until the list is freed. */
const char *emnet_allowlist_rule(const struct emnet_allowlist *al, size_t i);

enum emnet_verdict { EMNET_ALLOW = 0, EMNET_DENY_PORT, EMNET_DENY_HOST, EMNET_DENY_ADDRESS };

/* Before resolving: can (host, port) be allowed at all? host is a name or an address in text.
 * DENY_HOST if no rule could match the host, DENY_PORT if rules match the host but none the port.
 * Text that getaddrinfo() would read as a numeric address (also 127.1,
 * 0x7f000001, [::1], fe80::1%eth0) is judged as that address by the CIDR
 * rules only, never as a name. A name may also resolve into a CIDR rule,
 * so with CIDR rules present a name that matches no name rule still passes
 * here when some CIDR rule has the port; check_addr decides. Anything that
 * is neither an address nor a valid DNS name is DENY_HOST. */
enum emnet_verdict emnet_allowlist_check_host(const struct emnet_allowlist *al, const char *host, uint16_t port);

/* The final check, on the address host resolved to (AF_INET or AF_INET6; IPv4-mapped IPv6 is treated as IPv4).
 * Allowed when a CIDR/address rule covers addr and port; or when host matched a name rule with the port AND addr is
 * ordinary public unicast. Loopback, unspecified, private (10/8, 172.16/12, 192.168/16, 100.64/10), link-local
 * (169.254/16, fe80::/10), unique-local (fc00::/7), multicast, broadcast, 0/8, 240/4, documentation/benchmark ranges
 * and the IPv6 forms of all of these (v4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16 embedding such an address) need an
 * explicit CIDR rule: a name can never smuggle them.
 * host may be NULL (CIDR rules only). Denials, most specific first:
 *   DENY_ADDRESS  a name rule matched host and port but addr is not public
 *                 unicast, or host is a name that only CIDR rules could
 *                 allow and none covers addr; also for other families;
 *   DENY_PORT     a rule matched the host or covers addr, none the port;
 *   DENY_HOST     nothing matched. */
enum emnet_verdict emnet_allowlist_check_addr(const struct emnet_allowlist *al, const char *host,
                                              const struct sockaddr *addr, uint16_t port);

/* "allowed", "port", "host", "address" (and "?" for anything else). */
const char *emnet_verdict_name(enum emnet_verdict v);

#endif
