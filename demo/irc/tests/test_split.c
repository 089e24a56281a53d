/* Cutting long messages: pieces fit the room, never split a UTF-8
 * character, prefer spaces, and put back together give the text. */
#include <stdlib.h>
#include <string.h>

#include "../../../tests/common/check.h"
#include "irc_message.h"
#include "irc_split.h"

/* Splits text with room `max`; checks every piece and that the pieces,
 * with the dropped spaces put back, are the text. Returns the count. */
static int split_all(const char *text, size_t max, int *cut_at_space)
{
    size_t len = strlen(text), pos = 0;
    int pieces = 0;
    *cut_at_space = 0;
    while (pos < len) {
        size_t skip, n = emnet_irc_split_next(text + pos, len - pos, max, &skip);
        REQUIRE(n > 0);
        CHECK(n <= max);
        CHECK_EQ_INT(emnet_utf8_valid_prefix(text + pos, n), n);   /* whole characters only */
        if (skip) {
            CHECK(text[pos + n] == ' ');
            (*cut_at_space)++;
        }
        pos += n + skip;
        pieces++;
    }
    CHECK_EQ_INT(pos, len);
    return pieces;
}

static void test_fits(void)
{
    size_t skip;
    CHECK_EQ_INT(emnet_irc_split_next("hello", 5, 5, &skip), 5);
    CHECK_EQ_INT(skip, 0);
    CHECK_EQ_INT(emnet_irc_split_next("hello world", 11, 8, &skip), 5);
    CHECK_EQ_INT(skip, 1);
    /* A space right at the limit ends the piece there. */
    CHECK_EQ_INT(emnet_irc_split_next("abcd efgh", 9, 4, &skip), 4);
    CHECK_EQ_INT(skip, 1);
}

static void test_utf8_boundaries(void)
{
    /* "é" is 2 bytes, "€" 3, an emoji 4: every cut offset must back off
     * to a boundary, whatever the room. */
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z\xf0\x9f\x8e\x89\xe2\x82\xac\xc3\xa9";
    for (size_t max = 4; max < strlen(s); max++) {
        int spaces;
        int pieces = split_all(s, max, &spaces);
        CHECK(pieces >= 2);
        CHECK_EQ_INT(spaces, 0);
    }
    size_t skip;
    /* Room for less than one 4-byte character: nothing fits. */
    CHECK_EQ_INT(emnet_irc_split_next("\xf0\x9f\x98\x80", 4, 3, &skip), 0);
}

static void test_long_mixed(void)
{
    /* 2,000 bytes of words with emoji and accents; room as on a real server. */
    static char text[4096];
    const char *words[] = { "caf\xc3\xa9", "\xf0\x9f\x98\x80\xf0\x9f\x98\x81", "na\xc3\xafve", ("\xe2\x82\xac" "5"), "plain" };
    size_t n = 0;
    for (int i = 0; n < 2000; i++) n += (size_t)snprintf(text + n, sizeof text - n, "%s ", words[i % 5]);
    text[n - 1] = '\0';
    size_t room = emnet_irc_privmsg_room("alice", "~alice", "127.0.0.1", "PRIVMSG", "#emnet");
    CHECK_EQ_INT(room, 512 - strlen(":alice!~alice@127.0.0.1 PRIVMSG #emnet :\r\n"));
    int spaces, pieces = split_all(text, room, &spaces);
    CHECK_EQ_INT(pieces, 5);
    CHECK_EQ_INT(spaces, 4);   /* words everywhere: every cut at a space */

    /* No spaces at all: cuts at character boundaries, pieces nearly full. */
    n = 0;
    while (n + 4 < 2000) { memcpy(text + n, "\xf0\x9f\x8c\x8d", 4); n += 4; }
    text[n] = '\0';
    pieces = split_all(text, room, &spaces);
    CHECK_EQ_INT(spaces, 0);
    CHECK_EQ_INT(pieces, (int)((n + (room / 4 * 4) - 1) / (room / 4 * 4)));
}

static void test_room(void)
{
    /* Unknown user and host count at their longest. */
    size_t known = emnet_irc_privmsg_room("n", "u", "h", "PRIVMSG", "#c");
    size_t unknown = emnet_irc_privmsg_room("n", "", "", "PRIVMSG", "#c");
    CHECK_EQ_INT(known, 512 - strlen(":n!u@h PRIVMSG #c :\r\n"));
    CHECK(unknown < known - 60);
    static char big[600];
    memset(big, 'c', 520);
    big[0] = '#';
    CHECK_EQ_INT(emnet_irc_privmsg_room("n", "u", "h", "PRIVMSG", big), 0);
}

static void test_valid_prefix(void)
{
    CHECK_EQ_INT(emnet_utf8_valid_prefix("ab\xc3", 3), 2);
    CHECK_EQ_INT(emnet_utf8_valid_prefix("\xc3\xa9", 2), 2);
    CHECK_EQ_INT(emnet_utf8_valid_prefix("\x80", 1), 0);
    CHECK_EQ_INT(emnet_utf8_valid_prefix("a\xf0\x9f\x98", 4), 1);
}

int main(void)
{
    test_fits();
    test_utf8_boundaries();
    test_long_mixed();
    test_room();
    test_valid_prefix();
    return check_exit("demo_irc_split");
}
