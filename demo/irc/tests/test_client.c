/* The client state machine, driven by scripted server lines: what it
 * sends back and the events it reports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tests/common/check.h"
#include "irc_client.h"
#include "irc_message.h"

static char sent[16384];
static char events[65536];

static void on_send(void *arg, const char *line, size_t len)
{
    (void)arg;
    CHECK(len <= EMNET_IRC_LINE_MAX);
    CHECK(len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n');
    strncat(sent, line, sizeof sent - strlen(sent) - 1);
}

static void on_event(void *arg, const struct emnet_irc_event *ev)
{
    (void)arg;
    char line[4096];
    emnet_irc_event_format(ev, line, sizeof line);
    strncat(events, line, sizeof events - strlen(events) - 2);
    strcat(events, "\n");
}

static const struct emnet_irc_client_ops ops = { on_send, on_event };

static void reset(void)
{
    sent[0] = events[0] = '\0';
}

static void feed(struct emnet_irc_client *c, const char *line)
{
    emnet_irc_client_line(c, line, strlen(line));
}

#define CHECK_HAS(buf, s)                                                          \
    do {                                                                           \
        check_count++;                                                             \
        if (!strstr(buf, s)) {                                                     \
            check_failures++;                                                      \
            fprintf(stderr, "%s:%d: missing '%s' in:\n%s\n", __FILE__, __LINE__, s, buf); \
        }                                                                          \
    } while (0)

static struct emnet_irc_client *registered_client(void)
{
    struct emnet_irc_client *c = emnet_irc_client_new("alice", "al", "Alice A", &ops, NULL);
    emnet_irc_client_connected(c);
    feed(c, ":irc.t 001 alice :Welcome to the Internet Relay Network alice!~al@127.0.0.1\r\n");
    return c;
}

static void test_registration_and_collision(void)
{
    reset();
    struct emnet_irc_client *c = emnet_irc_client_new("alice", "al", "Alice A", &ops, NULL);
    CHECK_EQ_INT(emnet_irc_client_join(c, "#room"), 0);   /* remembered until welcome */
    emnet_irc_client_connected(c);
    CHECK(!strcmp(sent, "NICK alice\r\nUSER al 0 * :Alice A\r\n"));
    reset();
    feed(c, ":irc.t 433 * alice :Nickname already in use\r\n");
    CHECK(!strcmp(sent, "NICK alice_1\r\n"));
    CHECK_HAS(events, "nickinuse\t\talice\talice_1\n");
    feed(c, ":irc.t 433 * alice_1 :Nickname already in use\r\n");
    CHECK_HAS(sent, "NICK alice_2\r\n");
    CHECK(!emnet_irc_client_registered(c));
    reset();
    feed(c, ":irc.t 001 alice_2 :Welcome to the Internet Relay Network alice_2!~al@127.0.0.1\r\n");
    CHECK(emnet_irc_client_registered(c));
    CHECK(!strcmp(emnet_irc_client_current_nick(c), "alice_2"));
    CHECK_HAS(events, "welcome\t\talice_2\t");
    CHECK(!strcmp(sent, "JOIN #room\r\n"));
    reset();
    feed(c, "PING :irc.t\r\n");
    CHECK(!strcmp(sent, "PONG irc.t\r\n"));
    emnet_irc_client_free(c);
}

static void test_members(void)
{
    struct emnet_irc_client *c = registered_client();
    char list[256];
    reset();
    emnet_irc_client_join(c, "#c");
    CHECK(!strcmp(sent, "JOIN #c\r\n"));
    feed(c, ":alice!~al@127.0.0.1 JOIN #c\r\n");
    feed(c, ":irc.t 353 alice = #c :@carol alice\r\n");
    feed(c, ":irc.t 353 alice = #c :+bob\r\n");
    feed(c, ":irc.t 366 alice #c :End of NAMES list\r\n");
    CHECK_HAS(events, "join\t#c\talice\t\n");
    CHECK_HAS(events, "members\t#c\t\talice bob carol\n");
    feed(c, ":dave!~d@h JOIN :#c\r\n");
    CHECK_HAS(events, "members\t#c\t\talice bob carol dave\n");
    feed(c, ":bob!~b@h PART #c :later\r\n");
    CHECK_HAS(events, "part\t#c\tbob\tlater\n");
    feed(c, ":carol!~c@h NICK :caroline\r\n");
    CHECK_HAS(events, "nick\t\tcarol\tcaroline\n");
    feed(c, ":dave!~d@h QUIT :Client closed\r\n");
    CHECK_HAS(events, "quit\t\tdave\tClient closed\n");
    CHECK_EQ_INT(emnet_irc_client_members(c, "#C", list, sizeof list), 0);
    CHECK(!strcmp(list, "alice caroline"));
    /* A new NAMES reply replaces the list instead of adding to it. */
    feed(c, ":irc.t 353 alice = #c :alice zed\r\n");
    feed(c, ":irc.t 366 alice #c :End\r\n");
    emnet_irc_client_members(c, "#c", list, sizeof list);
    CHECK(!strcmp(list, "alice zed"));
    feed(c, ":op!~o@h KICK #c zed :out\r\n");
    emnet_irc_client_members(c, "#c", list, sizeof list);
    CHECK(!strcmp(list, "alice"));
    /* Our own nick change. */
    feed(c, ":alice!~al@127.0.0.1 NICK ally\r\n");
    CHECK(!strcmp(emnet_irc_client_current_nick(c), "ally"));
    emnet_irc_client_members(c, "#c", list, sizeof list);
    CHECK(!strcmp(list, "ally"));
    /* We part: the channel is no longer ours. */
    feed(c, ":ally!~al@127.0.0.1 PART #c\r\n");
    CHECK_EQ_INT(emnet_irc_client_members(c, "#c", list, sizeof list), -ENOENT);
    emnet_irc_client_free(c);
}

static void test_messages(void)
{
    struct emnet_irc_client *c = registered_client();
    reset();
    feed(c, ":alice!~al@127.0.0.1 JOIN #c\r\n");
    feed(c, ":bob!~b@h PRIVMSG #c :hi all\r\n");
    feed(c, ":bob!~b@h PRIVMSG alice :psst\r\n");
    feed(c, ":bob!~b@h NOTICE alice :note\r\n");
    feed(c, ":irc.t NOTICE * :*** server says\r\n");
    CHECK_HAS(events, "msg\t#c\tbob\thi all\n");
    CHECK_HAS(events, "msg\tbob\tbob\tpsst\n");       /* private: the conversation is bob */
    CHECK_HAS(events, "notice\tbob\tbob\tnote\n");
    CHECK_HAS(events, "server\t\tNOTICE\t*** server says\n");
    reset();
    CHECK_EQ_INT(emnet_irc_client_privmsg(c, "#c", "hello\tworld"), 0);
    CHECK(!strcmp(sent, "PRIVMSG #c :hello\tworld\r\n"));
    CHECK_HAS(events, "msg\t#c\talice\thello world\n");   /* the tab is a space in the event line */
    feed(c, ":irc.t 401 alice nobody :No such nick or channel name\r\n");
    CHECK_HAS(events, "error\t\t401\tnobody No such nick or channel name\n");
    feed(c, ":irc.t 372 alice :- motd line\r\n");
    CHECK_HAS(events, "server\t\t372\t- motd line\n");
    feed(c, "ERROR :Closing connection\r\n");
    CHECK_HAS(events, "error\t\tERROR\tClosing connection\n");
    emnet_irc_client_free(c);
}

static void test_long_message_split(void)
{
    struct emnet_irc_client *c = registered_client();
    feed(c, ":alice!~al@127.0.0.1 JOIN #c\r\n");
    reset();
    static char text[3000];
    size_t n = 0;
    while (n < 1500) n += (size_t)snprintf(text + n, sizeof text - n, "\xf0\x9f\x98\x80 w\xc3\xa9rd ");
    CHECK_EQ_INT(emnet_irc_client_privmsg(c, "#c", text), 0);
    /* Each line the server relays, with its prefix, fits 512 bytes. */
    size_t prefix = strlen(":alice!~al@127.0.0.1 ");
    int lines = 0;
    for (char *p = sent, *e; (e = strstr(p, "\r\n")) != NULL; p = e + 2) {
        CHECK(prefix + (size_t)(e + 2 - p) <= EMNET_IRC_LINE_MAX);
        lines++;
    }
    CHECK_EQ_INT(lines, 4);
    emnet_irc_client_free(c);
}

static void test_reconnect_rejoins(void)
{
    struct emnet_irc_client *c = registered_client();
    emnet_irc_client_join(c, "#a");
    emnet_irc_client_join(c, "#b");
    feed(c, ":alice!~al@127.0.0.1 JOIN #a\r\n");
    feed(c, ":alice!~al@127.0.0.1 JOIN #b\r\n");
    emnet_irc_client_part(c, "#b", NULL);
    feed(c, ":alice!~al@127.0.0.1 PART #b\r\n");
    emnet_irc_client_disconnected(c);
    reset();
    CHECK_EQ_INT(emnet_irc_client_privmsg(c, "#a", "lost?"), -ENOTCONN);
    CHECK_HAS(events, "error\t\tnot-connected\t");
    CHECK(sent[0] == '\0');
    emnet_irc_client_connected(c);
    feed(c, ":irc.t 001 alice :Welcome alice!~al@127.0.0.1\r\n");
    CHECK_HAS(sent, "JOIN #a\r\n");
    CHECK(!strstr(sent, "JOIN #b"));   /* we had left it */
    emnet_irc_client_free(c);
}

static void test_commands(void)
{
    struct emnet_irc_client *c = registered_client();
    char current[64] = "";
    reset();
    CHECK_EQ_INT(emnet_irc_command(c, "/join #x", current, sizeof current), 0);
    CHECK(!strcmp(current, "#x"));
    feed(c, ":alice!~al@127.0.0.1 JOIN #x\r\n");
    CHECK_EQ_INT(emnet_irc_command(c, "hello  you", current, sizeof current), 0);
    CHECK_EQ_INT(emnet_irc_command(c, "/msg bob  secret words", current, sizeof current), 0);
    CHECK(!strcmp(current, "bob"));
    CHECK_EQ_INT(emnet_irc_command(c, "/nick al2", current, sizeof current), 0);
    CHECK_EQ_INT(emnet_irc_command(c, "/part #x bye now", current, sizeof current), 0);
    CHECK_EQ_INT(emnet_irc_command(c, "//slash", current, sizeof current), 0);
    CHECK_EQ_INT(emnet_irc_command(c, "/quit done", current, sizeof current), 0);
    CHECK(!strcmp(sent, "JOIN #x\r\nPRIVMSG #x :hello  you\r\nPRIVMSG bob :secret words\r\nNICK al2\r\n"
                        "PART #x :bye now\r\nPRIVMSG bob :/slash\r\nQUIT done\r\n"));
    CHECK(emnet_irc_client_quitting(c));
    CHECK_EQ_INT(emnet_irc_command(c, "/frobnicate", current, sizeof current), -EINVAL);
    CHECK_HAS(events, "error\t\tusage\tunknown command /frobnicate");
    CHECK_EQ_INT(emnet_irc_command(c, "/join", current, sizeof current), -EINVAL);

    /* A channel we are not in gets nothing. */
    reset();
    CHECK_EQ_INT(emnet_irc_client_privmsg(c, "#elsewhere", "hi"), -ENOTCONN);
    CHECK(sent[0] == '\0');
    CHECK_HAS(events, "error\t\tnot-joined\t");

    /* A long paste is split into lines, never cut short. */
    static char paste[6001];
    memset(paste, 'p', 6000);
    reset();
    CHECK_EQ_INT(emnet_irc_command(c, paste, current, sizeof current), 0);
    size_t total = 0;
    int lines = 0;
    for (char *p = sent; (p = strstr(p, "PRIVMSG bob :")) != NULL; lines++) {
        p += strlen("PRIVMSG bob :");
        total += strcspn(p, "\r");
    }
    CHECK_EQ_INT(total, 6000);
    CHECK_EQ_INT(lines, 13);
    emnet_irc_client_free(c);
}

static void test_event_format(void)
{
    char out[16];
    struct emnet_irc_event ev = { EMNET_IRC_EV_MSG, "#c", "bob", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" };
    size_t n = emnet_irc_event_format(&ev, out, 15);   /* "msg\t#c\tbob\t" is 11 bytes: room for 3 */
    CHECK_EQ_INT(n, 13);                                /* one whole "é", never half of one */
    CHECK(!strcmp(out, "msg\t#c\tbob\t\xc3\xa9"));
}

int main(void)
{
    test_registration_and_collision();
    test_members();
    test_messages();
    test_long_message_split();
    test_reconnect_rejoins();
    test_commands();
    test_event_format();
    return check_exit("demo_irc_client");
}
