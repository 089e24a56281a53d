/* The client's reaction to each line from the server. Numerics are those
 * of RFC 2812 section 5 (001 welcome, 332 topic, 353/366 names, 433 nick
 * in use, ...); anything unknown is shown to the user rather than
 * dropped, so a surprise from the server is never silent. */
#include "irc_client.h"

#include "irc_channels.h"
#include "irc_message.h"
#include "irc_split.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NICK_MAX 64
#define MEMBERS_TEXT_MAX 8192

struct emnet_irc_client {
    const struct emnet_irc_client_ops *ops;
    void *arg;
    char base_nick[NICK_MAX];   /* what the user asked for */
    char nick[NICK_MAX];        /* what we are (or are trying to be) */
    char user[NICK_MAX], realname[128];
    char my_user[NICK_MAX];     /* as the server calls us: learnt from 001 or our own JOIN */
    char my_host[256];
    int connected, registered, quitting;
    int collisions;             /* 433s during this registration */
    struct emnet_irc_channels channels;
};

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static void emit(struct emnet_irc_client *c, enum emnet_irc_event_type type, const char *where, const char *who,
                 const char *text)
{
    struct emnet_irc_event ev = { type, where ? where : "", who ? who : "", text ? text : "" };
    c->ops->event(c->arg, &ev);
}

void emnet_irc_client_report(struct emnet_irc_client *c, enum emnet_irc_event_type type, const char *who,
                             const char *text)
{
    emit(c, type, "", who, text);
}

static int send_cmd(struct emnet_irc_client *c, const char *command, int n, const char *const *params)
{
    char line[EMNET_IRC_LINE_MAX + 1];
    int len = emnet_irc_format(line, sizeof line, command, n, params);
    if (len < 0) {
        emit(c, EMNET_IRC_EV_ERROR, "", command, len == -EMSGSIZE ? "line too long" : "invalid argument");
        return len;
    }
    c->ops->send(c->arg, line, (size_t)len);
    return 0;
}

static int send1(struct emnet_irc_client *c, const char *command, const char *p0)
{
    const char *p[1] = { p0 };
    return send_cmd(c, command, 1, p);
}

static int send2(struct emnet_irc_client *c, const char *command, const char *p0, const char *p1)
{
    const char *p[2] = { p0, p1 };
    return send_cmd(c, command, 2, p);
}

struct emnet_irc_client *emnet_irc_client_new(const char *nick, const char *user, const char *realname,
                                              const struct emnet_irc_client_ops *ops, void *arg)
{
    if (!nick || !nick[0] || strlen(nick) >= NICK_MAX - 8) return NULL;
    struct emnet_irc_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->ops = ops;
    c->arg = arg;
    copy(c->base_nick, sizeof c->base_nick, nick);
    copy(c->nick, sizeof c->nick, nick);
    copy(c->user, sizeof c->user, user && user[0] ? user : "emnet");
    copy(c->realname, sizeof c->realname, realname && realname[0] ? realname : "emnet chat");
    return c;
}

void emnet_irc_client_free(struct emnet_irc_client *c)
{
    if (!c) return;
    emnet_irc_channels_free(&c->channels);
    free(c);
}

const char *emnet_irc_client_current_nick(const struct emnet_irc_client *c) { return c->nick; }
int emnet_irc_client_registered(const struct emnet_irc_client *c) { return c->registered; }
int emnet_irc_client_quitting(const struct emnet_irc_client *c) { return c->quitting; }

void emnet_irc_client_connected(struct emnet_irc_client *c)
{
    c->connected = 1;
    c->registered = 0;
    c->collisions = 0;
    copy(c->nick, sizeof c->nick, c->base_nick);
    send1(c, "NICK", c->nick);
    const char *p[4] = { c->user, "0", "*", c->realname };
    send_cmd(c, "USER", 4, p);
}

void emnet_irc_client_disconnected(struct emnet_irc_client *c)
{
    c->connected = c->registered = 0;
    for (size_t i = 0; i < c->channels.n; i++) {
        struct emnet_irc_channel *ch = &c->channels.v[i];
        ch->joined = 0;
        ch->names_pending = 0;
        emnet_irc_channel_clear(ch);
    }
}

static void emit_members(struct emnet_irc_client *c, struct emnet_irc_channel *ch)
{
    char *text = malloc(MEMBERS_TEXT_MAX);
    if (!text) return;
    emnet_irc_channel_list(ch, text, MEMBERS_TEXT_MAX);
    emit(c, EMNET_IRC_EV_MEMBERS, ch->name, "", text);
    free(text);
}

static int is_me(const struct emnet_irc_client *c, const char *nick)
{
    return emnet_irc_casecmp(c->nick, nick) == 0;
}

/* Joins the parameters from `from` on, for numerics shown as text. */
static void join_params(const struct emnet_irc_message *m, int from, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = from; i < m->nparams && n + 1 < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? " " : "", m->params[i]);
}

static void on_welcome(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    c->registered = 1;
    if (m->nparams > 0) copy(c->nick, sizeof c->nick, m->params[0]);
    /* "Welcome to the Internet Relay Network nick!user@host": the prefix
     * the server will put on our messages, needed to split them right. */
    if (m->nparams > 1) {
        const char *last = strrchr(m->params[m->nparams - 1], ' ');
        last = last ? last + 1 : m->params[m->nparams - 1];
        const char *bang = strchr(last, '!'), *at = strchr(last, '@');
        if (bang && at && bang < at && (size_t)(at - bang - 1) < sizeof c->my_user) {
            snprintf(c->my_user, sizeof c->my_user, "%.*s", (int)(at - bang - 1), bang + 1);
            copy(c->my_host, sizeof c->my_host, at + 1);
        }
    }
    emit(c, EMNET_IRC_EV_WELCOME, "", c->nick, m->nparams > 1 ? m->params[m->nparams - 1] : "");
    for (size_t i = 0; i < c->channels.n; i++)
        if (c->channels.v[i].wanted) send1(c, "JOIN", c->channels.v[i].name);
}

static void on_nick_refused(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    const char *refused = m->nparams > 1 ? m->params[1] : c->nick;
    if (c->registered) {   /* a /nick of ours was refused: we keep the old one */
        char text[600];
        join_params(m, 1, text, sizeof text);
        emit(c, EMNET_IRC_EV_ERROR, "", m->command, text);
        return;
    }
    /* Still registering: without a nick we cannot go on, so try the next
     * one ourselves: base_1, base_2, ... (RFC 2812 3.1.2 leaves it to us). */
    char next[NICK_MAX];
    if (m->numeric == 433 && c->collisions < 99)
        snprintf(next, sizeof next, "%.40s_%d", c->base_nick, ++c->collisions);
    else
        snprintf(next, sizeof next, "guest_%d", ++c->collisions);
    emit(c, EMNET_IRC_EV_NICK_IN_USE, "", refused, next);
    copy(c->nick, sizeof c->nick, next);
    send1(c, "NICK", c->nick);
}

static void on_names(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    /* 353: me ( "=" / "*" / "@" ) channel :[prefix]nick ... */
    if (m->nparams < 4) return;
    struct emnet_irc_channel *ch = emnet_irc_channels_find(&c->channels, m->params[2]);
    if (!ch) return;
    if (!ch->names_pending) {
        emnet_irc_channel_clear(ch);
        ch->names_pending = 1;
    }
    char list[EMNET_IRC_PARSE_MAX + 1];
    copy(list, sizeof list, m->params[3]);
    for (char *save = NULL, *tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        while (*tok && strchr("@+%~&!", *tok)) tok++;   /* channel status prefixes */
        emnet_irc_channel_add(ch, tok);
    }
}

static void on_end_of_names(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    if (m->nparams < 2) return;
    struct emnet_irc_channel *ch = emnet_irc_channels_find(&c->channels, m->params[1]);
    if (!ch) return;
    ch->names_pending = 0;
    emit_members(c, ch);
}

static void on_join(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    if (m->nparams < 1) return;
    const char *name = m->params[0];
    if (is_me(c, m->nick)) {
        struct emnet_irc_channel *ch = emnet_irc_channels_get(&c->channels, name);
        if (!ch) return;
        ch->joined = ch->wanted = 1;
        emnet_irc_channel_clear(ch);
        emnet_irc_channel_add(ch, c->nick);
        if (m->user[0]) copy(c->my_user, sizeof c->my_user, m->user);
        if (m->host[0]) copy(c->my_host, sizeof c->my_host, m->host);
        emit(c, EMNET_IRC_EV_JOIN, ch->name, m->nick, "");
        return;
    }
    struct emnet_irc_channel *ch = emnet_irc_channels_find(&c->channels, name);
    if (!ch || !ch->joined) return;
    emnet_irc_channel_add(ch, m->nick);
    emit(c, EMNET_IRC_EV_JOIN, ch->name, m->nick, "");
    emit_members(c, ch);
}

/* PART (who = prefix) and KICK (who = params[1]) */
static void on_leave(struct emnet_irc_client *c, const struct emnet_irc_message *m, const char *who,
                     const char *reason, enum emnet_irc_event_type type)
{
    struct emnet_irc_channel *ch = emnet_irc_channels_find(&c->channels, m->params[0]);
    if (!ch) return;
    if (is_me(c, who)) {
        ch->joined = ch->wanted = 0;
        emnet_irc_channel_clear(ch);
        emit(c, type, ch->name, who, reason);
        return;
    }
    emnet_irc_channel_remove(ch, who);
    emit(c, type, ch->name, who, reason);
    emit_members(c, ch);
}

static void on_quit(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    emit(c, EMNET_IRC_EV_QUIT, "", m->nick, m->nparams > 0 ? m->params[0] : "");
    for (size_t i = 0; i < c->channels.n; i++)
        if (emnet_irc_channel_remove(&c->channels.v[i], m->nick) > 0) emit_members(c, &c->channels.v[i]);
}

static void on_nick(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    if (m->nparams < 1) return;
    char old[NICK_MAX];
    copy(old, sizeof old, m->nick);
    const char *new_nick = m->params[0];
    if (is_me(c, old)) copy(c->nick, sizeof c->nick, new_nick);
    emit(c, EMNET_IRC_EV_NICK, "", old, new_nick);
    for (size_t i = 0; i < c->channels.n; i++)
        if (emnet_irc_channel_rename(&c->channels.v[i], old, new_nick) > 0) emit_members(c, &c->channels.v[i]);
}

static void on_message(struct emnet_irc_client *c, const struct emnet_irc_message *m, enum emnet_irc_event_type type)
{
    if (m->nparams < 2) return;
    const char *target = m->params[0], *text = m->params[1];
    /* Notices from the server itself (no user part), before and after
     * registration, are server talk, not a conversation. */
    if (type == EMNET_IRC_EV_NOTICE && !m->user[0]) {
        emit(c, EMNET_IRC_EV_SERVER, "", m->command, text);
        return;
    }
    const char *where = emnet_irc_is_channel(target) ? target : m->nick;
    emit(c, type, where, m->nick, text);
}

static void on_numeric(struct emnet_irc_client *c, const struct emnet_irc_message *m)
{
    char text[EMNET_IRC_PARSE_MAX + 1];
    switch (m->numeric) {
    case 1: on_welcome(c, m); return;
    case 432: case 433: case 436: on_nick_refused(c, m); return;
    case 353: on_names(c, m); return;
    case 366: on_end_of_names(c, m); return;
    case 332:
        if (m->nparams >= 3) emit(c, EMNET_IRC_EV_TOPIC, m->params[1], "", m->params[2]);
        return;
    default:
        break;
    }
    /* Errors are 400-599 (RFC 2812 5.2); 422 (no MOTD) is only news. */
    join_params(m, 1, text, sizeof text);
    if (m->numeric >= 400 && m->numeric < 600 && m->numeric != 422)
        emit(c, EMNET_IRC_EV_ERROR, "", m->command, text);
    else
        emit(c, EMNET_IRC_EV_SERVER, "", m->command, text);
}

void emnet_irc_client_line(struct emnet_irc_client *c, const char *line, size_t len)
{
    struct emnet_irc_message *m = malloc(sizeof *m);
    if (!m) return;
    if (emnet_irc_parse(m, line, len) < 0) goto done;
    const char *cmd = m->command;
    if (m->numeric >= 0) on_numeric(c, m);
    else if (!strcmp(cmd, "PING")) send1(c, "PONG", m->nparams ? m->params[0] : "");
    else if (!strcmp(cmd, "PRIVMSG")) on_message(c, m, EMNET_IRC_EV_MSG);
    else if (!strcmp(cmd, "NOTICE")) on_message(c, m, EMNET_IRC_EV_NOTICE);
    else if (!strcmp(cmd, "JOIN")) on_join(c, m);
    else if (!strcmp(cmd, "PART") && m->nparams >= 1)
        on_leave(c, m, m->nick, m->nparams > 1 ? m->params[1] : "", EMNET_IRC_EV_PART);
    else if (!strcmp(cmd, "KICK") && m->nparams >= 2)
        on_leave(c, m, m->params[1], m->nparams > 2 ? m->params[2] : "", EMNET_IRC_EV_KICK);
    else if (!strcmp(cmd, "QUIT")) on_quit(c, m);
    else if (!strcmp(cmd, "NICK")) on_nick(c, m);
    else if (!strcmp(cmd, "TOPIC") && m->nparams >= 2) emit(c, EMNET_IRC_EV_TOPIC, m->params[0], m->nick, m->params[1]);
    else if (!strcmp(cmd, "ERROR"))   /* after our QUIT, the server's goodbye is no error */
        emit(c, c->quitting ? EMNET_IRC_EV_SERVER : EMNET_IRC_EV_ERROR, "", "ERROR", m->nparams ? m->params[0] : "");
    else if (!strcmp(cmd, "PONG") || !strcmp(cmd, "MODE")) { /* nothing to show */ }
    else {
        char text[EMNET_IRC_PARSE_MAX + 1];
        join_params(m, 0, text, sizeof text);
        emit(c, EMNET_IRC_EV_SERVER, "", cmd, text);
    }
done:
    free(m);
}

static int need_registered(struct emnet_irc_client *c, const char *what)
{
    if (c->registered) return 0;
    emit(c, EMNET_IRC_EV_ERROR, "", "not-connected", what);
    return -ENOTCONN;
}

int emnet_irc_client_join(struct emnet_irc_client *c, const char *channel)
{
    if (!emnet_irc_is_channel(channel) || strpbrk(channel, " ,\a\r\n")) {
        emit(c, EMNET_IRC_EV_ERROR, "", "JOIN", "not a channel name");
        return -EINVAL;
    }
    struct emnet_irc_channel *ch = emnet_irc_channels_get(&c->channels, channel);
    if (!ch) {
        emit(c, EMNET_IRC_EV_ERROR, "", "JOIN", "channel name too long");
        return -EINVAL;
    }
    ch->wanted = 1;   /* joined now, or after the next welcome */
    return c->registered ? send1(c, "JOIN", channel) : 0;
}

int emnet_irc_client_part(struct emnet_irc_client *c, const char *channel, const char *reason)
{
    struct emnet_irc_channel *ch = emnet_irc_channels_find(&c->channels, channel);
    if (ch) ch->wanted = 0;
    int r = need_registered(c, "cannot leave a channel while disconnected");
    if (r < 0) return r;
    return reason && reason[0] ? send2(c, "PART", channel, reason) : send1(c, "PART", channel);
}

int emnet_irc_client_privmsg(struct emnet_irc_client *c, const char *target, const char *text)
{
    if (!target || !target[0] || strpbrk(target, " ,\r\n")) {
        emit(c, EMNET_IRC_EV_ERROR, "", "PRIVMSG", "no one to send to: /join a channel or /msg a nick");
        return -EINVAL;
    }
    int r = need_registered(c, "message not sent: not connected");
    if (r < 0) return r;
    if (emnet_irc_is_channel(target)) {
        struct emnet_irc_channel *ch = emnet_irc_channels_find(&c->channels, target);
        if (!ch || !ch->joined) {
            emit(c, EMNET_IRC_EV_ERROR, "", "not-joined", "message not sent: /join the channel first");
            return -ENOTCONN;
        }
    }
    size_t room = emnet_irc_privmsg_room(c->nick, c->my_user, c->my_host, "PRIVMSG", target);
    size_t len = strlen(text);
    char piece[EMNET_IRC_LINE_MAX + 1];
    while (len > 0) {
        size_t skip, n = emnet_irc_split_next(text, len, room, &skip);
        if (n == 0) {
            emit(c, EMNET_IRC_EV_ERROR, "", "PRIVMSG", "target name too long");
            return -EINVAL;
        }
        memcpy(piece, text, n);
        piece[n] = '\0';
        /* A line cannot hold CR or LF: they become spaces. */
        for (char *p = piece; (p = strpbrk(p, "\r\n")) != NULL;) *p = ' ';
        if ((r = send2(c, "PRIVMSG", target, piece)) < 0) return r;
        emit(c, EMNET_IRC_EV_MSG, target, c->nick, piece);
        text += n + skip;
        len -= n + skip;
    }
    return 0;
}

int emnet_irc_client_nick(struct emnet_irc_client *c, const char *nick)
{
    if (!nick[0] || strlen(nick) >= NICK_MAX - 8 || strpbrk(nick, " ,!@\r\n")) {
        emit(c, EMNET_IRC_EV_ERROR, "", "NICK", "not a nick name");
        return -EINVAL;
    }
    copy(c->base_nick, sizeof c->base_nick, nick);
    if (!c->connected) return 0;   /* used at the next registration */
    return send1(c, "NICK", nick);
}

int emnet_irc_client_quit(struct emnet_irc_client *c, const char *reason)
{
    c->quitting = 1;
    if (!c->connected) return -ENOTCONN;
    return send1(c, "QUIT", reason && reason[0] ? reason : "bye");
}

int emnet_irc_client_members(const struct emnet_irc_client *c, const char *channel, char *out, size_t size)
{
    struct emnet_irc_channel *ch = emnet_irc_channels_find((struct emnet_irc_channels *)&c->channels, channel);
    if (!ch || !ch->joined) return -ENOENT;
    emnet_irc_channel_list(ch, out, size);
    return 0;
}
