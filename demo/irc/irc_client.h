/* The state of one IRC client connection, with no I/O: lines from the
 * server go in (emnet_irc_client_line), lines to send and events for the
 * user come out through two callbacks. Whoever owns the socket calls
 * emnet_irc_client_connected() when a connection is up and
 * emnet_irc_client_disconnected() when it is gone; the client registers
 * (NICK/USER, then 001), picks another nick on a collision (433), joins
 * again the channels it was in, keeps the members of each channel (353/366,
 * JOIN, PART, KICK, QUIT, NICK), answers PING, and reports the rest. */
#ifndef EMNET_DEMO_IRC_CLIENT_H
#define EMNET_DEMO_IRC_CLIENT_H

#include <stddef.h>

/* What happened, for the user. The fields that do not apply are "". */
enum emnet_irc_event_type {
    EMNET_IRC_EV_STATUS,     /* who: connecting|connected|disconnected|retry|closed, text: for humans */
    EMNET_IRC_EV_WELCOME,    /* registered; who: our nick */
    EMNET_IRC_EV_NICK_IN_USE,/* who: the nick refused, text: the one tried next */
    EMNET_IRC_EV_NICK,       /* who: old nick, text: new nick (ours too) */
    EMNET_IRC_EV_JOIN,       /* where: channel, who: nick */
    EMNET_IRC_EV_PART,       /* where: channel, who: nick, text: reason */
    EMNET_IRC_EV_KICK,       /* where: channel, who: nick kicked, text: reason */
    EMNET_IRC_EV_QUIT,       /* who: nick, text: reason */
    EMNET_IRC_EV_MEMBERS,    /* where: channel, text: its members, space-separated, sorted */
    EMNET_IRC_EV_MSG,        /* where: channel or, in private, the other nick; who: sender */
    EMNET_IRC_EV_NOTICE,     /* same fields as MSG */
    EMNET_IRC_EV_TOPIC,      /* where: channel, who: setter if known, text: topic */
    EMNET_IRC_EV_SERVER,     /* who: numeric or command, text: what the server said */
    EMNET_IRC_EV_ERROR,      /* who: numeric, command or a short code, text: the reason */
};

struct emnet_irc_event {
    enum emnet_irc_event_type type;
    const char *where;
    const char *who;
    const char *text;
};

/* The name of a type ("msg", "join", ...), as the event lines use it. */
const char *emnet_irc_event_name(enum emnet_irc_event_type type);

/* Formats an event as one line of four tab-separated fields,
 * "type\twhere\twho\ttext", without a newline; tabs and control characters
 * inside fields become spaces so the line stays parseable. Truncates (at a
 * character boundary) to fit size. Returns the length. */
size_t emnet_irc_event_format(const struct emnet_irc_event *ev, char *out, size_t size);

struct emnet_irc_client_ops {
    /* One complete line, CR LF included, to be written to the server. */
    void (*send)(void *arg, const char *line, size_t len);
    void (*event)(void *arg, const struct emnet_irc_event *ev);
};

struct emnet_irc_client;

/* nick: the nick wanted (kept as the base for collisions); user and
 * realname go into USER. Returns NULL if out of memory or nick is empty. */
struct emnet_irc_client *emnet_irc_client_new(const char *nick, const char *user, const char *realname,
                                              const struct emnet_irc_client_ops *ops, void *arg);
void emnet_irc_client_free(struct emnet_irc_client *c);

/* The connection is up: sends NICK and USER. */
void emnet_irc_client_connected(struct emnet_irc_client *c);
/* The connection is gone: forgets members; the channels we were in are
 * joined again after the next welcome. */
void emnet_irc_client_disconnected(struct emnet_irc_client *c);
/* One line from the server (CR LF optional). */
void emnet_irc_client_line(struct emnet_irc_client *c, const char *line, size_t len);

/* Commands. Each returns 0, or a negative errno: -ENOTCONN when not
 * registered (join is then remembered for later and returns 0), -EINVAL
 * for a bad argument. Errors are also reported as EMNET_IRC_EV_ERROR. */
int emnet_irc_client_join(struct emnet_irc_client *c, const char *channel);
int emnet_irc_client_part(struct emnet_irc_client *c, const char *channel, const char *reason);
/* Sends text to a channel or a nick, cut into as many PRIVMSG lines as
 * needed (see irc_split.h); each line sent is also reported as an
 * EMNET_IRC_EV_MSG from us, since the server does not echo them. A
 * channel we are not in gets nothing (-ENOTCONN, error "not-joined"). */
int emnet_irc_client_privmsg(struct emnet_irc_client *c, const char *target, const char *text);
int emnet_irc_client_nick(struct emnet_irc_client *c, const char *nick);
/* Sends QUIT; the owner closes once the server has closed (or soon). */
int emnet_irc_client_quit(struct emnet_irc_client *c, const char *reason);

/* Emits an EMNET_IRC_EV_STATUS or EMNET_IRC_EV_ERROR event on behalf of
 * the owner, so that every event reaches the user the same way. */
void emnet_irc_client_report(struct emnet_irc_client *c, enum emnet_irc_event_type type, const char *who,
                             const char *text);

const char *emnet_irc_client_current_nick(const struct emnet_irc_client *c);
int emnet_irc_client_registered(const struct emnet_irc_client *c);
int emnet_irc_client_quitting(const struct emnet_irc_client *c);
/* The members of a channel we are in, sorted, space-separated, into out;
 * returns -ENOENT if we are not in it. */
int emnet_irc_client_members(const struct emnet_irc_client *c, const char *channel, char *out, size_t size);

/* A line the user typed: "/join #c", "/part [#c] [reason]", "/msg nick
 * text", "/nick new", "/quit [reason]", or text for `current` (a channel
 * or nick; NULL or "" if none). On /join and /msg, `current` (a buffer of
 * current_size bytes, may be NULL) becomes the new target. Returns 0 or a
 * negative errno (-EINVAL: unknown command or missing argument, reported
 * as an error event too). */
int emnet_irc_command(struct emnet_irc_client *c, const char *line, char *current, size_t current_size);

#endif
