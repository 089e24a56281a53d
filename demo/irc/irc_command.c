/* What the user types, turned into client calls. Both front ends pass
 * their input here, so a command means the same in a terminal and in a
 * page. */
#include "irc_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits "word rest" at the first run of spaces: returns word (cut in
 * place) and sets *rest ("" if none). */
static char *word(char *s, char **rest)
{
    while (*s == ' ') s++;
    char *sp = strchr(s, ' ');
    if (!sp) {
        *rest = s + strlen(s);
        return s;
    }
    *sp = '\0';
    for (sp++; *sp == ' '; sp++) {}
    *rest = sp;
    return s;
}

static void set_current(char *current, size_t size, const char *target)
{
    if (current && size) snprintf(current, size, "%s", target);
}

static int usage(struct emnet_irc_client *c, const char *text)
{
    emnet_irc_client_report(c, EMNET_IRC_EV_ERROR, "usage", text);
    return -EINVAL;
}

static int run(struct emnet_irc_client *c, char *buf, char *current, size_t current_size)
{
    const char *target = current ? current : "";

    if (buf[0] != '/' || buf[1] == '/') {   /* "//text" sends "/text" */
        const char *text = buf[0] == '/' ? buf + 1 : buf;
        if (!text[0]) return 0;
        return emnet_irc_client_privmsg(c, target, text);
    }
    char *rest, *cmd = word(buf + 1, &rest);
    if (!strcmp(cmd, "join") || !strcmp(cmd, "j")) {
        char *chan = word(rest, &rest);
        if (!chan[0]) return usage(c, "/join #channel");
        int r = emnet_irc_client_join(c, chan);
        if (r == 0) set_current(current, current_size, chan);
        return r;
    }
    if (!strcmp(cmd, "part") || !strcmp(cmd, "leave")) {
        const char *chan = target;
        if (rest[0] == '#' || rest[0] == '&') chan = word(rest, &rest);
        if (!chan[0]) return usage(c, "/part [#channel] [reason]");
        return emnet_irc_client_part(c, chan, rest);
    }
    if (!strcmp(cmd, "msg") || !strcmp(cmd, "query")) {
        char *to = word(rest, &rest);
        if (!to[0]) return usage(c, "/msg nick text");
        set_current(current, current_size, to);
        return rest[0] ? emnet_irc_client_privmsg(c, to, rest) : 0;
    }
    if (!strcmp(cmd, "nick")) {
        char *nick = word(rest, &rest);
        if (!nick[0]) return usage(c, "/nick newnick");
        return emnet_irc_client_nick(c, nick);
    }
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
        int r = emnet_irc_client_quit(c, rest);
        return r == -ENOTCONN ? 0 : r;   /* quitting while disconnected just stops */
    }
    char text[128];
    snprintf(text, sizeof text, "unknown command /%.60s (try /join /part /msg /nick /quit)", cmd);
    emnet_irc_client_report(c, EMNET_IRC_EV_ERROR, "usage", text);
    return -EINVAL;
}

int emnet_irc_command(struct emnet_irc_client *c, const char *line, char *current, size_t current_size)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    char *buf = malloc(len + 1);   /* a paste may be long: it is split later, never cut here */
    if (!buf) return -ENOMEM;
    memcpy(buf, line, len);
    buf[len] = '\0';
    int r = run(c, buf, current, current_size);
    free(buf);
    return r;
}
