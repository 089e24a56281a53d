/* Parsing and formatting IRC lines: a table of lines and what they hold. */
#include <errno.h>
#include <string.h>

#include "../../../tests/common/check.h"
#include "irc_message.h"

struct parse_case {
    const char *line;
    int ret;
    const char *nick, *user, *host, *command;
    int numeric, nparams;
    const char *params[4];
};

static const struct parse_case cases[] = {
    { "PING :irc.example\r\n", 0, "", "", "", "PING", -1, 1, { "irc.example" } },
    { ":alice!~al@127.0.0.1 PRIVMSG #c :hello there\r\n", 0, "alice", "~al", "127.0.0.1", "PRIVMSG", -1, 2,
      { "#c", "hello there" } },
    { ":irc.emnet.test 001 bob :Welcome to the net bob!~b@h", 0, "irc.emnet.test", "", "", "001", 1, 2,
      { "bob", "Welcome to the net bob!~b@h" } },
    { ":srv 353 me = #chan :@op +voice plain", 0, "srv", "", "", "353", 353, 4,
      { "me", "=", "#chan", "@op +voice plain" } },
    { ":n!u@h JOIN #c", 0, "n", "u", "h", "JOIN", -1, 1, { "#c" } },
    { ":n!u@h PRIVMSG #c ::-) colon first", 0, "n", "u", "h", "PRIVMSG", -1, 2, { "#c", ":-) colon first" } },
    { ":n!u@h PRIVMSG #c :", 0, "n", "u", "h", "PRIVMSG", -1, 2, { "#c", "" } },
    { ":n@h   MODE   #c   +o    x", 0, "n", "", "h", "MODE", -1, 3, { "#c", "+o", "x" } },
    { "@time=2026 :n!u@h QUIT :gone", 0, "n", "u", "h", "QUIT", -1, 1, { "gone" } },
    { "", -EINVAL, "", "", "", "", -1, 0, { 0 } },
    { ":only.prefix", -EINVAL, "", "", "", "", -1, 0, { 0 } },
    { "1234 x", 0, "", "", "", "1234", -1, 1, { "x" } },
};

static void test_parse_table(void)
{
    struct emnet_irc_message m;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        int r = emnet_irc_parse(&m, c->line, strlen(c->line));
        CHECK_EQ_INT(r, c->ret);
        if (r < 0) continue;
        CHECK(!strcmp(m.nick, c->nick));
        CHECK(!strcmp(m.user, c->user));
        CHECK(!strcmp(m.host, c->host));
        CHECK(!strcmp(m.command, c->command));
        CHECK_EQ_INT(m.numeric, c->numeric);
        CHECK_EQ_INT(m.nparams, c->nparams);
        for (int k = 0; k < c->nparams && k < 4; k++) {
            if (strcmp(m.params[k], c->params[k]) != 0) {
                fprintf(stderr, "case %zu param %d: '%s' != '%s'\n", i, k, m.params[k], c->params[k]);
                CHECK(0);
            }
        }
    }
}

static void test_fifteen_params(void)
{
    struct emnet_irc_message m;
    const char *line = "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17";
    CHECK_EQ_INT(emnet_irc_parse(&m, line, strlen(line)), 0);
    CHECK_EQ_INT(m.nparams, 15);
    CHECK(!strcmp(m.params[13], "14"));
    CHECK(!strcmp(m.params[14], "15 16 17"));   /* the last one takes the rest */
}

static void test_too_long(void)
{
    static char line[EMNET_IRC_PARSE_MAX + 10];
    struct emnet_irc_message m;
    memset(line, 'a', sizeof line);
    CHECK_EQ_INT(emnet_irc_parse(&m, line, sizeof line), -EMSGSIZE);
}

static void test_format(void)
{
    char out[EMNET_IRC_LINE_MAX + 1];
    const char *p1[] = { "#c", "hello world" };
    CHECK_EQ_INT(emnet_irc_format(out, sizeof out, "PRIVMSG", 2, p1), 25);
    CHECK(!strcmp(out, "PRIVMSG #c :hello world\r\n"));
    const char *p2[] = { "bob" };
    emnet_irc_format(out, sizeof out, "NICK", 1, p2);
    CHECK(!strcmp(out, "NICK bob\r\n"));
    const char *p3[] = { "user", "0", "*", "Real Name" };
    emnet_irc_format(out, sizeof out, "USER", 4, p3);
    CHECK(!strcmp(out, "USER user 0 * :Real Name\r\n"));
    const char *p4[] = { "#c", ":)" };
    emnet_irc_format(out, sizeof out, "PRIVMSG", 2, p4);
    CHECK(!strcmp(out, "PRIVMSG #c ::)\r\n"));
    const char *p5[] = { "#c", "" };
    emnet_irc_format(out, sizeof out, "PRIVMSG", 2, p5);
    CHECK(!strcmp(out, "PRIVMSG #c :\r\n"));
    const char *bad_crlf[] = { "#c", "a\r\nQUIT" };
    CHECK_EQ_INT(emnet_irc_format(out, sizeof out, "PRIVMSG", 2, bad_crlf), -EINVAL);
    const char *bad_middle[] = { "#a b", "x" };
    CHECK_EQ_INT(emnet_irc_format(out, sizeof out, "PRIVMSG", 2, bad_middle), -EINVAL);

    /* 512 bytes with CR LF fit; 513 do not. */
    static char text[600];
    size_t room = EMNET_IRC_LINE_MAX - strlen("PRIVMSG #c :\r\n");
    memset(text, 'x', room);
    text[room] = '\0';
    text[5] = ' ';
    const char *p6[] = { "#c", text };
    CHECK_EQ_INT(emnet_irc_format(out, sizeof out, "PRIVMSG", 2, p6), EMNET_IRC_LINE_MAX);
    text[room] = 'x';
    text[room + 1] = '\0';
    CHECK_EQ_INT(emnet_irc_format(out, sizeof out, "PRIVMSG", 2, p6), -EMSGSIZE);
    CHECK_EQ_INT(emnet_irc_format(out, 10, "PRIVMSG", 2, p1), -EMSGSIZE);
}

static void test_round_trip(void)
{
    char out[EMNET_IRC_LINE_MAX + 1];
    struct emnet_irc_message m;
    const char *p[] = { "#ch", "text with :colons: and  two spaces" };
    int n = emnet_irc_format(out, sizeof out, "PRIVMSG", 2, p);
    CHECK(n > 0);
    CHECK_EQ_INT(emnet_irc_parse(&m, out, (size_t)n), 0);
    CHECK_EQ_INT(m.nparams, 2);
    CHECK(!strcmp(m.params[1], p[1]));
}

static void test_casemap(void)
{
    CHECK_EQ_INT(emnet_irc_casecmp("Alice[]", "alice{}"), 0);
    CHECK_EQ_INT(emnet_irc_casecmp("a\\~", "A|^"), 0);
    CHECK(emnet_irc_casecmp("alice", "alicf") < 0);
    CHECK(emnet_irc_casecmp("ali", "alice") < 0);
    CHECK(emnet_irc_is_channel("#x") && emnet_irc_is_channel("&x") && !emnet_irc_is_channel("bob"));
}

int main(void)
{
    test_parse_table();
    test_fifteen_params();
    test_too_long();
    test_format();
    test_round_trip();
    test_casemap();
    return check_exit("demo_irc_message");
}
