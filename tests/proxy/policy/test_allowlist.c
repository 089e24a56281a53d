/* The allowlist (proxy/policy/allowlist.h): every rule form, bad rules and
 * their messages, ports, name rules against public and special resolved
 * addresses, IPv4-mapped IPv6, and each special range reachable only
 * through a CIDR rule. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/check.h"
#include "policy/allowlist.h"

static struct sockaddr_storage ss;

/* A sockaddr for text: IPv4 as AF_INET, anything with ':' as AF_INET6. */
static const struct sockaddr *sa(const char *text)
{
    memset(&ss, 0, sizeof ss);
    if (strchr(text, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, text, &s6->sin6_addr) != 1)
            fprintf(stderr, "bad test address %s\n", text);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        if (inet_pton(AF_INET, text, &s4->sin_addr) != 1)
            fprintf(stderr, "bad test address %s\n", text);
    }
    return (const struct sockaddr *)&ss;
}

static struct emnet_allowlist *list_of(const char *const *rules)
{
    struct emnet_allowlist *al = emnet_allowlist_new();
    char err[256];
    for (; *rules; rules++) {
        if (emnet_allowlist_add(al, *rules, err, sizeof err) != 0)
            fprintf(stderr, "rule %s refused: %s\n", *rules, err);
    }
    return al;
}

#define ADDR(al, host, addr, port, want)                                                              \
    do {                                                                                                \
        enum emnet_verdict v_ = emnet_allowlist_check_addr(al, host, sa(addr), port);                  \
        if (v_ != (want))                                                                               \
            fprintf(stderr, "check_addr(%s, %s, %u) = %s\n", host ? host : "NULL", addr, port,          \
                    emnet_verdict_name(v_));                                                            \
        CHECK_EQ_INT(v_, want);                                                                         \
    } while (0)

#define HOST(al, host, port, want)                                                                    \
    do {                                                                                                \
        enum emnet_verdict v_ = emnet_allowlist_check_host(al, host, port);                            \
        if (v_ != (want))                                                                               \
            fprintf(stderr, "check_host(%s, %u) = %s\n", host, port, emnet_verdict_name(v_));           \
        CHECK_EQ_INT(v_, want);                                                                         \
    } while (0)

static void test_forms_and_canonical(void)
{
    static const struct { const char *rule, *canon; } t[] = {
        { "10.0.0.0/8", "10.0.0.0/8" },
        { " 10.0.0.0/8:6667 ", "10.0.0.0/8:6667" },
        { "192.0.2.7:1000-2000", "192.0.2.7:1000-2000" },
        { "127.0.0.1:*", "127.0.0.1" },
        { "127.0.0.1/32:80", "127.0.0.1:80" },
        { "0.0.0.0/0", "0.0.0.0/0" },
        { "[::1]:80", "[::1]:80" },
        { "[2001:db8::/32]:443", "[2001:db8::/32]:443" },
        { "::1", "::1" },
        { "[::1]", "::1" },
        { "2001:DB8::/32", "2001:db8::/32" },
        { "::/0", "::/0" },
        { "::ffff:10.0.0.0/104", "10.0.0.0/8" },
        { "IRC.Example.ORG.:6667", "irc.example.org:6667" },
        { "*.example.org:443", "*.example.org:443" },
        { "*:443", "*:443" },
        { "*", "*" },
        { "host_name-1.example:1-65535", "host_name-1.example" },
        { "a.b:00080", "a.b:80" },
    };
    struct emnet_allowlist *al = emnet_allowlist_new();
    char err[256];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t before = emnet_allowlist_count(al);
        int rc = emnet_allowlist_add(al, t[i].rule, err, sizeof err);
        CHECK_EQ_INT(rc, 0);
        if (rc)
            fprintf(stderr, "  %s: %s\n", t[i].rule, err);
        CHECK_EQ_INT(emnet_allowlist_count(al), before + (rc == 0));
        const char *got = emnet_allowlist_rule(al, emnet_allowlist_count(al) - 1);
        CHECK(rc || strcmp(got, t[i].canon) == 0);
        if (rc == 0 && strcmp(got, t[i].canon) != 0)
            fprintf(stderr, "  %s -> %s, expected %s\n", t[i].rule, got, t[i].canon);
        /* the canonical text reads back to itself */
        struct emnet_allowlist *again = emnet_allowlist_new();
        CHECK_EQ_INT(emnet_allowlist_add(again, t[i].canon, err, sizeof err), 0);
        CHECK(strcmp(emnet_allowlist_rule(again, 0), t[i].canon) == 0);
        emnet_allowlist_free(again);
    }
    CHECK(emnet_allowlist_rule(al, emnet_allowlist_count(al)) == NULL);
    emnet_allowlist_free(al);
}

static void test_bad_rules(void)
{
    static const struct { const char *rule, *msg; } t[] = {
        { "", "empty rule" },
        { "   ", "empty rule" },
        { "10.0.0.1/8", "host bits set after the /8 prefix (the network is 10.0.0.0/8)" },
        { "2001:db8::1/32", "host bits set after the /32 prefix (the network is 2001:db8::/32)" },
        { "10.0.0.0/33", "prefix length must be 0-32" },
        { "::/129", "prefix length must be 0-128" },
        { "10.0.0.0/", "prefix length must be 0-32" },
        { "10.0.0.0/-1", "prefix length must be 0-32" },
        { "10.0.0.0/8:0", "port 0 is not a port" },
        { "10.0.0.0/8:65536", "port must be N, N-M or *" },
        { "10.0.0.0/8:2000-1000", "port range N-M needs N <= M" },
        { "10.0.0.0/8:", "missing port after ':'" },
        { "10.0.0.0/8:-5", "port must be N, N-M or *" },
        { "10.0.0.0/8:1-", "port must be N, N-M or *" },
        { "10.0.0.0/8:http", "port must be N, N-M or *" },
        { "[::1", "missing ']'" },
        { "[::1]80", "expected ':' and the ports after ']'" },
        { "[10.0.0.1]:80", "not an IPv6 address or prefix" },
        { "::1:80:", "not an IPv6 address or prefix (with a port, write [ADDRESS]:PORT)" },
        { "2001:db8::/32:443", "with a port, write [ADDRESS]:PORT" },
        { "256.1.1.1", "looks like a numeric address but is not a valid one" },
        { "127.1", "looks like a numeric address" },
        { "1.2.3.4.5:80", "looks like a numeric address" },
        { "0x7f000001", "looks like a numeric address" },
        { "10.0.0.0/8/8", "prefix length must be 0-32" },
        { "foo..example.org", "empty label in host name" },
        { ".example.org", "empty label in host name" },
        { "ex ample.org", "invalid character in host name" },
        { "example.org/24", "not an IPv4 address or prefix" },
        { "a*.example.org", "'*' is allowed only as a whole host or as a leading '*.'" },
        { "*.*.example.org", "'*' is allowed only" },
        { "*.", "empty host name" },
        { "exa\x01mple.org", "invalid character in host name" },
    };
    struct emnet_allowlist *al = emnet_allowlist_new();
    char err[256];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        strcpy(err, "(none)");
        int rc = emnet_allowlist_add(al, t[i].rule, err, sizeof err);
        CHECK_EQ_INT(rc, -1);
        CHECK(strstr(err, t[i].msg) != NULL);
        if (!strstr(err, t[i].msg))
            fprintf(stderr, "  rule \"%s\": message \"%s\", expected \"%s\"\n", t[i].rule, err, t[i].msg);
        CHECK(strchr(err, '\x01') == NULL);
    }
    /* a name longer than 253 and a label longer than 63 */
    char longname[300];
    memset(longname, 'a', sizeof longname);
    longname[299] = '\0';
    CHECK_EQ_INT(emnet_allowlist_add(al, longname, err, sizeof err), -1);
    CHECK(strstr(err, "longer than 253") != NULL);
    memset(longname, 'b', 64);
    strcpy(longname + 64, ".org");
    CHECK_EQ_INT(emnet_allowlist_add(al, longname, err, sizeof err), -1);
    CHECK(strstr(err, "longer than 63") != NULL);
    CHECK_EQ_INT(emnet_allowlist_count(al), 0);
    /* no room for a message is fine */
    CHECK_EQ_INT(emnet_allowlist_add(al, "10.0.0.1/8", NULL, 0), -1);
    emnet_allowlist_free(al);
}

static void test_cidr_and_ports(void)
{
    static const char *const rules[] = { "10.0.0.0/8:6667", "192.0.2.7:1000-2000", "198.51.100.0/24",
                                         "[2001:db8::/32]:443", NULL };
    struct emnet_allowlist *al = list_of(rules);
    ADDR(al, NULL, "10.1.2.3", 6667, EMNET_ALLOW);
    ADDR(al, NULL, "10.255.255.255", 6667, EMNET_ALLOW);
    ADDR(al, NULL, "10.1.2.3", 6668, EMNET_DENY_PORT);
    ADDR(al, NULL, "11.0.0.0", 6667, EMNET_DENY_HOST);
    ADDR(al, NULL, "9.255.255.255", 6667, EMNET_DENY_HOST);
    ADDR(al, NULL, "192.0.2.7", 999, EMNET_DENY_PORT);
    ADDR(al, NULL, "192.0.2.7", 1000, EMNET_ALLOW);
    ADDR(al, NULL, "192.0.2.7", 2000, EMNET_ALLOW);
    ADDR(al, NULL, "192.0.2.7", 2001, EMNET_DENY_PORT);
    ADDR(al, NULL, "192.0.2.8", 1500, EMNET_DENY_HOST);
    ADDR(al, NULL, "198.51.100.200", 1, EMNET_ALLOW);
    ADDR(al, NULL, "198.51.100.200", 65535, EMNET_ALLOW);
    ADDR(al, NULL, "198.51.100.200", 0, EMNET_DENY_PORT);
    ADDR(al, NULL, "2001:db8:ffff::1", 443, EMNET_ALLOW);
    ADDR(al, NULL, "2001:db8:ffff::1", 80, EMNET_DENY_PORT);
    ADDR(al, NULL, "2001:db9::1", 443, EMNET_DENY_HOST);
    /* IPv4-mapped IPv6 is the IPv4 address */
    ADDR(al, NULL, "::ffff:10.1.2.3", 6667, EMNET_ALLOW);
    ADDR(al, NULL, "::ffff:10.1.2.3", 80, EMNET_DENY_PORT);
    ADDR(al, NULL, "::ffff:11.1.2.3", 6667, EMNET_DENY_HOST);
    /* the IPv4-compatible form is not the IPv4 address */
    ADDR(al, NULL, "::10.1.2.3", 6667, EMNET_DENY_HOST);
    /* before resolving: literal addresses in every form the resolver reads */
    HOST(al, "10.1.2.3", 6667, EMNET_ALLOW);
    HOST(al, "10.1.2.3", 80, EMNET_DENY_PORT);
    HOST(al, "10.1.2.3.", 6667, EMNET_ALLOW);
    HOST(al, "10.258", 6667, EMNET_ALLOW);       /* 10.0.1.2 */
    HOST(al, "0xa010203", 6667, EMNET_ALLOW);    /* 10.1.2.3 */
    HOST(al, "012.1.2.3", 6667, EMNET_ALLOW);    /* octal 012 = 10 */
    HOST(al, "167837955", 6667, EMNET_ALLOW);    /* 10.1.2.3 */
    HOST(al, "11.1.2.3", 6667, EMNET_DENY_HOST);
    HOST(al, "[2001:db8::5]", 443, EMNET_ALLOW);
    HOST(al, "2001:db8::5", 443, EMNET_ALLOW);
    HOST(al, "2001:db8::5", 80, EMNET_DENY_PORT);
    HOST(al, "::ffff:10.0.0.1", 6667, EMNET_ALLOW);
    HOST(al, "[::ffff:10.0.0.1]", 6667, EMNET_ALLOW);
    HOST(al, "1.2.3.4.5", 6667, EMNET_DENY_HOST);
    HOST(al, "2001:db8::zz", 443, EMNET_DENY_HOST);
    HOST(al, "", 443, EMNET_DENY_HOST);
    HOST(al, "[10.1.2.3]", 6667, EMNET_DENY_HOST);
    /* a name may resolve into a CIDR rule: decided after resolving */
    HOST(al, "irc.internal", 6667, EMNET_ALLOW);
    HOST(al, "irc.internal", 6668, EMNET_ALLOW); /* 198.51.100.0/24 has every port */
    ADDR(al, "irc.internal", "10.9.9.9", 6667, EMNET_ALLOW);
    ADDR(al, "irc.internal", "8.8.8.8", 6667, EMNET_DENY_ADDRESS);
    emnet_allowlist_free(al);

    static const char *const one[] = { "10.0.0.0/8:6667", NULL };
    al = list_of(one);
    HOST(al, "irc.internal", 6667, EMNET_ALLOW);
    HOST(al, "irc.internal", 6668, EMNET_DENY_PORT);
    ADDR(al, "irc.internal", "10.0.0.7", 6668, EMNET_DENY_PORT);
    emnet_allowlist_free(al);
}

static void test_names(void)
{
    static const char *const rules[] = { "irc.example.org:6667", "*.example.net:443", "Mixed.Case.Org", NULL };
    struct emnet_allowlist *al = list_of(rules);
    HOST(al, "irc.example.org", 6667, EMNET_ALLOW);
    HOST(al, "IRC.EXAMPLE.ORG", 6667, EMNET_ALLOW);
    HOST(al, "irc.example.org.", 6667, EMNET_ALLOW);
    HOST(al, "irc.example.org", 6668, EMNET_DENY_PORT);
    HOST(al, "xirc.example.org", 6667, EMNET_DENY_HOST);
    HOST(al, "a.irc.example.org", 6667, EMNET_DENY_HOST);
    HOST(al, "example.net", 443, EMNET_DENY_HOST); /* "*." is subdomains only */
    HOST(al, "www.example.net", 443, EMNET_ALLOW);
    HOST(al, "a.b.example.net", 443, EMNET_ALLOW);
    HOST(al, "wwwexample.net", 443, EMNET_DENY_HOST);
    HOST(al, "www.example.net", 80, EMNET_DENY_PORT);
    HOST(al, "mixed.case.org", 1, EMNET_ALLOW);
    HOST(al, "evil.com", 443, EMNET_DENY_HOST);
    HOST(al, "irc.example.org\n", 6667, EMNET_DENY_HOST);
    HOST(al, "irc.example.org%00", 6667, EMNET_DENY_HOST);
    HOST(al, "irc.example.org:6667", 6667, EMNET_DENY_HOST);
    /* no CIDR rules: literal addresses never match a name rule */
    HOST(al, "8.8.8.8", 6667, EMNET_DENY_HOST);
    /* resolved to public unicast: allowed; to anything special: address */
    ADDR(al, "irc.example.org", "8.8.8.8", 6667, EMNET_ALLOW);
    ADDR(al, "irc.example.org", "2a00:1450:4001::1", 6667, EMNET_ALLOW);
    ADDR(al, "irc.example.org", "127.0.0.1", 6667, EMNET_DENY_ADDRESS);
    ADDR(al, "irc.example.org", "::ffff:127.0.0.1", 6667, EMNET_DENY_ADDRESS);
    ADDR(al, "irc.example.org", "::1", 6667, EMNET_DENY_ADDRESS);
    ADDR(al, "irc.example.org", "10.0.0.1", 6667, EMNET_DENY_ADDRESS);
    ADDR(al, "irc.example.org", "8.8.8.8", 6668, EMNET_DENY_PORT);
    ADDR(al, "www.example.net", "93.184.216.34", 443, EMNET_ALLOW);
    ADDR(al, "www.example.net", "192.168.1.1", 443, EMNET_DENY_ADDRESS);
    ADDR(al, "evil.com", "8.8.8.8", 443, EMNET_DENY_HOST);
    /* a literal address as host is never a name */
    ADDR(al, "8.8.8.8", "8.8.8.8", 6667, EMNET_DENY_HOST);
    ADDR(al, NULL, "8.8.8.8", 6667, EMNET_DENY_HOST);
    /* other families are denied */
    struct sockaddr_storage un;
    memset(&un, 0, sizeof un);
    un.ss_family = AF_UNIX;
    CHECK_EQ_INT(emnet_allowlist_check_addr(al, "irc.example.org", (struct sockaddr *)&un, 6667),
                 EMNET_DENY_ADDRESS);
    CHECK_EQ_INT(emnet_allowlist_check_addr(al, "irc.example.org", NULL, 6667), EMNET_DENY_ADDRESS);
    emnet_allowlist_free(al);

    static const char *const any[] = { "*:443", NULL };
    al = list_of(any);
    HOST(al, "anything.example", 443, EMNET_ALLOW);
    HOST(al, "anything.example", 80, EMNET_DENY_PORT);
    HOST(al, "1.1.1.1", 443, EMNET_DENY_HOST);
    ADDR(al, "anything.example", "1.1.1.1", 443, EMNET_ALLOW);
    ADDR(al, "anything.example", "169.254.169.254", 443, EMNET_DENY_ADDRESS);
    ADDR(al, "localhost", "127.0.0.1", 443, EMNET_DENY_ADDRESS);
    emnet_allowlist_free(al);

    /* an empty list denies everything */
    al = emnet_allowlist_new();
    HOST(al, "example.org", 80, EMNET_DENY_HOST);
    ADDR(al, "example.org", "8.8.8.8", 80, EMNET_DENY_HOST);
    CHECK_EQ_INT(emnet_allowlist_check_host(NULL, "example.org", 80), EMNET_DENY_HOST);
    emnet_allowlist_free(al);
}

/* Each special range: a name rule cannot reach it, a CIDR rule can. */
static void test_special_ranges(void)
{
    static const char *const special[] = {
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.255.255",
        "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1",
        "192.168.0.1", "198.18.0.1", "198.19.255.255", "198.51.100.1", "203.0.113.1", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::1", "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1",
        "fe80::1", "febf::1", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1", "fec0::1", "100::1",
        "2001::1", "2001:0:4136:e378::1", "2001:2::1", "2001:db8::1", "3fff::1", "3fff:fff::1",
    };
    static const char *const public_[] = {
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.0", "169.253.255.255", "172.15.255.255", "172.32.0.0", "192.0.1.1", "192.0.3.1", "192.88.98.1",
        "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
        "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2a00:1450:4001:80b::200e", "2606:4700::1111",
        "2001:200::1", "2001:4860:4860::8888", "3ffe::1", "3fff:1000::1",
    };
    static const char *const names[] = { "*:80", NULL };
    struct emnet_allowlist *by_name = list_of(names);
    char err[256];
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        ADDR(by_name, "svc.example.org", special[i], 80, EMNET_DENY_ADDRESS);
        /* an explicit CIDR rule opens exactly that address */
        struct emnet_allowlist *by_cidr = emnet_allowlist_new();
        char rule[80];
        snprintf(rule, sizeof rule, strchr(special[i], ':') ? "[%s]:80" : "%s:80", special[i]);
        CHECK_EQ_INT(emnet_allowlist_add(by_cidr, rule, err, sizeof err), 0);
        ADDR(by_cidr, "svc.example.org", special[i], 80, EMNET_ALLOW);
        ADDR(by_cidr, NULL, special[i], 80, EMNET_ALLOW);
        ADDR(by_cidr, NULL, special[i], 81, EMNET_DENY_PORT);
        emnet_allowlist_free(by_cidr);
    }
    for (size_t i = 0; i < sizeof public_ / sizeof public_[0]; i++)
        ADDR(by_name, "svc.example.org", public_[i], 80, EMNET_ALLOW);
    emnet_allowlist_free(by_name);

    /* CIDR rules covering whole special blocks */
    static const char *const blocks[] = { "127.0.0.0/8", "fc00::/7", "::ffff:169.254.0.0/112", NULL };
    struct emnet_allowlist *al = list_of(blocks);
    ADDR(al, NULL, "127.0.0.53", 53, EMNET_ALLOW);
    ADDR(al, NULL, "::ffff:127.0.0.53", 53, EMNET_ALLOW);
    ADDR(al, "localhost", "127.0.0.1", 53, EMNET_ALLOW);
    ADDR(al, NULL, "fdff::1", 53, EMNET_ALLOW);
    ADDR(al, NULL, "fe00::1", 53, EMNET_DENY_HOST);
    ADDR(al, NULL, "169.254.1.1", 53, EMNET_ALLOW);
    ADDR(al, NULL, "::1", 53, EMNET_DENY_HOST);
    HOST(al, "127.1", 53, EMNET_ALLOW);
    HOST(al, "fe80::1%eth0", 53, EMNET_DENY_HOST);
    HOST(al, "fd00::1%eth0", 53, EMNET_ALLOW);
    emnet_allowlist_free(al);
}

/* The resolver is the judge of what is numeric: whatever getaddrinfo()
 * takes as a numeric host (no DNS asked: AI_NUMERICHOST) must be judged as
 * that very address, and never reach a name rule. */
static void test_numeric_like_resolver(void)
{
    static const char *const texts[] = {
        "127.0.0.1", "127.1", "127.0.1", "0x7f.1", "0x7F000001", "017700000001", "2130706433", "0177.0.0.1",
        "10.0.0.010", "1.2.3.4", "255.255.255.255", "4294967295", "0", "00", "0x0", "::1", "::ffff:127.0.0.1",
        "fe80::1%1", "fe80::1%lo", "1.2.3", "1.2", "08.1.1.1", "0x100000000", "4294967296", "1.2.3.256", "1.2.65536",
        "1..2", "1.2.3.4.", "0x", "09", "0xg", "a.b", "::1%", "1:2", "1e2",
    };
    static const char *const any_name[] = { "*", NULL };
    struct emnet_allowlist *names = list_of(any_name);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_flags = AI_NUMERICHOST;
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(texts[i], "80", &hints, &res) != 0)
            continue;
        char addr[64], rule[80], err[256];
        if (res->ai_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr, sizeof addr);
        else
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, addr, sizeof addr);
        freeaddrinfo(res);
        HOST(names, texts[i], 80, EMNET_DENY_HOST);
        struct emnet_allowlist *al = emnet_allowlist_new();
        snprintf(rule, sizeof rule, strchr(addr, ':') ? "[%s]:80" : "%s:80", addr);
        CHECK_EQ_INT(emnet_allowlist_add(al, rule, err, sizeof err), 0);
        HOST(al, texts[i], 80, EMNET_ALLOW);
        emnet_allowlist_free(al);
    }
    emnet_allowlist_free(names);
}

static void test_many_rules(void)
{
    struct emnet_allowlist *al = emnet_allowlist_new();
    char rule[64], err[128];
    for (int i = 0; i < 500; i++) {
        snprintf(rule, sizeof rule, "10.%d.%d.0/24:%d", i / 256, i % 256, 1000 + i);
        CHECK_EQ_INT(emnet_allowlist_add(al, rule, err, sizeof err), 0);
    }
    CHECK_EQ_INT(emnet_allowlist_count(al), 500);
    ADDR(al, NULL, "10.1.243.9", 1499, EMNET_ALLOW);
    ADDR(al, NULL, "10.1.243.9", 1498, EMNET_DENY_PORT);
    emnet_allowlist_free(al);
}

int main(void)
{
    CHECK(strcmp(emnet_verdict_name(EMNET_ALLOW), "allowed") == 0);
    CHECK(strcmp(emnet_verdict_name(EMNET_DENY_PORT), "port") == 0);
    CHECK(strcmp(emnet_verdict_name(EMNET_DENY_HOST), "host") == 0);
    CHECK(strcmp(emnet_verdict_name(EMNET_DENY_ADDRESS), "address") == 0);
    test_forms_and_canonical();
    test_bad_rules();
    test_cidr_and_ports();
    test_names();
    test_special_ranges();
    test_numeric_like_resolver();
    test_many_rules();
    return check_exit("proxy_policy_allowlist");
}
