/* IRC lines (RFC 1459 section 2.3, RFC 2812 section 2.3): parsing what a
 * server sends and formatting what a client sends. Pure functions over
 * buffers, no I/O. */
#ifndef EMNET_DEMO_IRC_MESSAGE_H
#define EMNET_DEMO_IRC_MESSAGE_H

#include <stddef.h>

/* A line, CR LF included, is at most 512 bytes (RFC 2812 2.3). */
#define EMNET_IRC_LINE_MAX 512
/* 14 middle parameters and a trailing one. */
#define EMNET_IRC_MAX_PARAMS 15
/* Servers should not send longer lines; we accept some slack (IRCv3 tags
 * are skipped) and refuse anything beyond this. */
#define EMNET_IRC_PARSE_MAX 4096

struct emnet_irc_message {
    /* public, read-only: all point into buf, valid while the struct is */
    const char *prefix;   /* "nick!user@host" or "server.name"; NULL: none */
    const char *nick;     /* prefix up to '!' or '@' (or the server name); "" when no prefix */
    const char *user;     /* "" when absent */
    const char *host;     /* "" when absent */
    const char *command;  /* as sent: "PRIVMSG", "001", ... */
    int numeric;          /* 0..999 for a three-digit reply, else -1 */
    int nparams;
    const char *params[EMNET_IRC_MAX_PARAMS];
    /* private */
    char buf[EMNET_IRC_PARSE_MAX + 8];
};

/* Parses one line (with or without its CR LF). Returns 0, -EINVAL if it
 * has no command, -EMSGSIZE if it is longer than EMNET_IRC_PARSE_MAX. */
int emnet_irc_parse(struct emnet_irc_message *m, const char *line, size_t len);

/* Formats "COMMAND p1 p2 :last\r\n" into out. The last parameter is sent
 * as a trailing one (with ':') when it follows others (the text of
 * PRIVMSG, PART, USER: what servers and clients expect) or when it needs to
 * be: empty, containing a space, or starting with ':'. Returns the length (CR LF included), or
 * -EINVAL if a parameter holds CR, LF or NUL (or a middle one a space or
 * a leading ':'), -EMSGSIZE if the line would exceed EMNET_IRC_LINE_MAX or
 * `size`. */
int emnet_irc_format(char *out, size_t size, const char *command, int nparams, const char *const *params);

/* Compares names as IRC does (RFC 1459 casemapping: A-Z equal a-z, and
 * []\~ equal {}|^). Returns <0, 0, >0 like strcmp. */
int emnet_irc_casecmp(const char *a, const char *b);

/* 1 if name is a channel name (starts with '#', '&', '+' or '!'). */
int emnet_irc_is_channel(const char *name);

#endif
