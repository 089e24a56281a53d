/* The transport-rule grammar and matcher (net/transport_rules.c), table by
 * table: rules that parse or not, then (rule, host, port) -> match, then
 * lists: first match wins, and a bad list changes nothing. Built natively
 * (sanitizers) and as wasm. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "transport_rules.h"

static const char *const names[] = { "websockify", "wisp", NULL };

static const char *const good[] = {
    "wisp *", "websockify *:80", "wisp *:*", "wisp irc.example.org", "wisp IRC.Example.ORG.:6667",
    "wisp *.example.org:1-1024", "wisp 10.0.0.0/8", "wisp 10.0.0.7:6667", "wisp 0.0.0.0/0",
    "wisp [::1]", "wisp [::1]:80", "wisp ::1", "wisp fd00::/8", "wisp [2001:db8::/32]:443-444",
    "  wisp\t127.0.0.1:65535  ", "wisp under_score.example", "wisp localhost", "wisp [::ffff:10.0.0.0/104]",
};

static const char *const bad[] = {
    "", "   ", "wisp", "pigeon *", "wispy *", "wisp a b", "wisp 10.0.0.1/8", "wisp 10.0.0.0/33",
    "wisp 10.0.0.0/", "wisp [::1", "wisp [::1]80", "wisp [::1]:", "wisp ::1:80x", "wisp host:0",
    "wisp host:65536", "wisp host:20-10", "wisp host:1-", "wisp host:-5", "wisp host:", "wisp a..b",
    "wisp -a.b?", "wisp 10.0.0", "wisp 1.2.3.4.5", "wisp *.", "wisp *.*.example", "wisp name/8",
    "wisp [fd00::1/8]", "wisp host:12345678", "wisp [::1]:80:90",
    "wisp aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",   /* 65-char label */
};

struct match {
    const char *rule, *host;
    unsigned port;
    int want;
};

static const struct match matches[] = {
    { "wisp *", "anything.example", 1, 1 },
    { "wisp *", "::1", 65535, 1 },
    { "wisp *:80", "x.example", 81, 0 },
    { "wisp irc.example.org", "IRC.example.org", 6667, 1 },
    { "wisp irc.example.org", "irc.example.org.", 6667, 1 },
    { "wisp irc.example.org", "irc.example.org.uk", 6667, 0 },
    { "wisp irc.example.org", "x.irc.example.org", 6667, 0 },
    { "wisp *.example.org:1-1024", "a.b.example.org", 1024, 1 },
    { "wisp *.example.org:1-1024", "a.example.org", 1025, 0 },
    { "wisp *.example.org", "example.org", 80, 0 },
    { "wisp *.example.org", "badexample.org", 80, 0 },
    { "wisp 10.0.0.0/8", "10.255.1.2", 80, 1 },
    { "wisp 10.0.0.0/8", "11.0.0.1", 80, 0 },
    { "wisp 10.0.0.0/8", "::ffff:10.1.2.3", 80, 1 },
    { "wisp 10.0.0.0/8", "10.example", 80, 0 },
    { "wisp 127.0.0.1:6667", "127.0.0.1", 6667, 1 },
    { "wisp 127.0.0.1:6667", "127.0.0.1", 6668, 0 },
    { "wisp 127.0.0.1", "localhost", 80, 0 },        /* names never match addresses */
    { "wisp localhost", "127.0.0.1", 80, 0 },
    { "wisp [::1]", "::1", 443, 1 },
    { "wisp [::1]", "0:0:0:0:0:0:0:1", 443, 1 },
    { "wisp [::1]", "127.0.0.1", 443, 0 },
    { "wisp fd00::/8", "fdab::1", 1, 1 },
    { "wisp fd00::/8", "fe80::1", 1, 0 },
    { "wisp 10.0.0.0/9", "10.127.255.255", 1, 1 },
    { "wisp 10.0.0.0/9", "10.128.0.0", 1, 0 },
    { "wisp 0.0.0.0/0", "192.0.2.1", 1, 1 },
    { "wisp 0.0.0.0/0", "2001:db8::1", 1, 0 },
    { "wisp [::/0]", "2001:db8::1", 1, 1 },
    { "wisp [::/0]", "192.0.2.1", 1, 1 },            /* ::/0 covers IPv4-mapped too */
    { "wisp under_score.example", "Under_Score.example", 1, 1 },
    { "wisp x.example", NULL, 1, 0 },
    { "wisp x.example", "", 1, 0 },
};

int main(void)
{
    struct emnet_transport_rule r;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int e = emnet_transport_rule_parse(good[i], names, &r);
        if (e) fprintf(stderr, "should parse: \"%s\"\n", good[i]);
        CHECK_EQ_INT(e, 0);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int e = emnet_transport_rule_parse(bad[i], names, &r);
        if (e != -EINVAL) fprintf(stderr, "should be refused: \"%s\"\n", bad[i]);
        CHECK_EQ_INT(e, -EINVAL);
    }
    CHECK_EQ_INT(emnet_transport_rule_parse(NULL, names, &r), -EINVAL);

    CHECK_EQ_INT(emnet_transport_rule_parse("websockify *", names, &r), 0);
    CHECK_EQ_INT(r.transport, 0);
    CHECK_EQ_INT(emnet_transport_rule_parse("wisp h:7-9", names, &r), 0);
    CHECK_EQ_INT(r.transport, 1);
    CHECK_EQ_INT(r.port_lo, 7);
    CHECK_EQ_INT(r.port_hi, 9);

    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        const struct match *m = &matches[i];
        if (emnet_transport_rule_parse(m->rule, names, &r)) {
            fprintf(stderr, "should parse: \"%s\"\n", m->rule);
            CHECK(0);
            continue;
        }
        int got = emnet_transport_rule_matches(&r, m->host, m->port);
        if (got != m->want)
            fprintf(stderr, "\"%s\" on %s port %u: got %d\n", m->rule, m->host ? m->host : "(null)", m->port, got);
        CHECK_EQ_INT(got, m->want);
    }

    /* Lists: first match wins; separators; all or nothing. */
    struct emnet_transport_rules l = { 0 };
    CHECK_EQ_INT(emnet_transport_rules_add_list(&l, "wisp 10.0.0.0/8; websockify 127.0.0.1:6667;\n"
                                                    " wisp *.example.org:1-1024 ;; wisp [::1]\n",
                                                names), 0);
    CHECK_EQ_INT(l.n, 4);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "10.1.1.1", 80), 1);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "127.0.0.1", 6667), 0);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "127.0.0.1", 6668), -1);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "irc.example.org", 1000), 1);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "::1", 1), 1);
    CHECK_EQ_INT(emnet_transport_rules_add_list(&l, "websockify *; wisp 10.0.0.0/33", names), -EINVAL);
    CHECK_EQ_INT(l.n, 4);
    CHECK_EQ_INT(emnet_transport_rules_add(&l, "websockify 10.1.1.1", names), 0);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "10.1.1.1", 80), 1);   /* the earlier rule still wins */
    CHECK_EQ_INT(emnet_transport_rules_add(&l, "nonsense", names), -EINVAL);
    CHECK_EQ_INT(l.n, 5);
    for (int i = 0; i < 100; i++) CHECK_EQ_INT(emnet_transport_rules_add(&l, "websockify *", names), 0);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "other.example", 1), 0);
    emnet_transport_rules_clear(&l);
    CHECK_EQ_INT(l.n, 0);
    CHECK_EQ_INT(emnet_transport_rules_match(&l, "10.1.1.1", 80), -1);
    CHECK_EQ_INT(emnet_transport_rules_add_list(&l, " ; \n ", names), 0);
    CHECK_EQ_INT(l.n, 0);
    emnet_transport_rules_clear(&l);
    return check_exit("transport_rules");
}
