/* Glue between the protocol and the connection. The connection decides
 * when bytes can move, the client what they mean; this file only passes
 * things between them and turns events into lines. */
#include "chat.h"

#include "conn.h"
#include "irc_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_LINE_MAX 9000   /* a member list of a few hundred nicks */
#define QUIT_GRACE_MS 2000    /* how long a QUIT may wait for the server to close */

struct emnet_chat {
    emnet_loop *loop;
    const struct emnet_chat_ops *ops;
    void *arg;
    struct emnet_irc_client *irc;
    struct emnet_chat_conn *conn;
    char current[256];
    int closed;
    int quit_timer;
};

static void on_irc_send(void *arg, const char *line, size_t len)
{
    struct emnet_chat *s = arg;
    int r = emnet_chat_conn_send(s->conn, line, len);
    if (r == -ENOBUFS) emnet_irc_client_report(s->irc, EMNET_IRC_EV_ERROR, "send", "too much queued: line dropped");
}

static void on_irc_event(void *arg, const struct emnet_irc_event *ev)
{
    struct emnet_chat *s = arg;
    char *line = malloc(EVENT_LINE_MAX);
    if (!line) return;
    emnet_irc_event_format(ev, line, EVENT_LINE_MAX);
    s->ops->event(s->arg, line);
    free(line);
}

static const struct emnet_irc_client_ops irc_ops = { on_irc_send, on_irc_event };

static void on_connected(void *arg)
{
    struct emnet_chat *s = arg;
    emnet_irc_client_connected(s->irc);
}

static void on_line(void *arg, const char *line, size_t len)
{
    struct emnet_chat *s = arg;
    emnet_irc_client_line(s->irc, line, len);
}

static void on_lost(void *arg, const char *why)
{
    (void)why;
    struct emnet_chat *s = arg;
    emnet_irc_client_disconnected(s->irc);
}

static void on_status(void *arg, const char *state, const char *text)
{
    struct emnet_chat *s = arg;
    emnet_irc_client_report(s->irc, EMNET_IRC_EV_STATUS, state, text);
    if (!strcmp(state, "closed") && !s->closed) {
        s->closed = 1;
        if (s->quit_timer >= 0) {
            emnet_loop_timer_cancel(s->loop, s->quit_timer);
            s->quit_timer = -1;
        }
        s->ops->closed(s->arg);
    }
}

static const struct emnet_chat_conn_ops conn_ops = { on_connected, on_line, on_lost, on_status };

struct emnet_chat *emnet_chat_new(emnet_loop *loop, const struct emnet_chat_config *cfg,
                                  const struct emnet_chat_ops *ops, void *arg)
{
    struct emnet_chat *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->loop = loop;
    s->ops = ops;
    s->arg = arg;
    s->quit_timer = -1;
    s->irc = emnet_irc_client_new(cfg->nick, "emnet", "emnet chat", &irc_ops, s);
    if (!s->irc) {
        free(s);
        errno = EINVAL;
        return NULL;
    }
    if (cfg->channel && cfg->channel[0] && emnet_irc_client_join(s->irc, cfg->channel) == 0)
        snprintf(s->current, sizeof s->current, "%s", cfg->channel);
    s->conn = emnet_chat_conn_new(loop, cfg->host, cfg->port, &conn_ops, s);
    if (!s->conn) {
        emnet_irc_client_free(s->irc);
        free(s);
        errno = ENOMEM;
        return NULL;
    }
    return s;
}

void emnet_chat_free(struct emnet_chat *s)
{
    if (!s) return;
    if (s->quit_timer >= 0) emnet_loop_timer_cancel(s->loop, s->quit_timer);
    emnet_chat_conn_free(s->conn);
    emnet_irc_client_free(s->irc);
    free(s);
}

/* The server did not close after our QUIT: close from our side. */
static void on_quit_timeout(emnet_loop *loop, int timer, void *arg)
{
    (void)loop, (void)timer;
    struct emnet_chat *s = arg;
    s->quit_timer = -1;
    emnet_chat_conn_free(s->conn);
    s->conn = NULL;
    on_status(s, "closed", "closed without the server's answer to QUIT");
}

void emnet_chat_input(struct emnet_chat *s, const char *target, const char *line)
{
    if (s->closed) return;
    char page_target[256];
    char *cur = s->current;
    if (target) {
        snprintf(page_target, sizeof page_target, "%s", target);
        cur = page_target;
    }
    emnet_irc_command(s->irc, line, cur, sizeof s->current);
    if (target && strcmp(cur, target) != 0) snprintf(s->current, sizeof s->current, "%s", cur);
    if (emnet_irc_client_quitting(s->irc) && s->quit_timer < 0 && s->conn) {
        /* The server closes after QUIT; if it is not there, stop now. */
        emnet_chat_conn_finish(s->conn);
        if (!s->closed) s->quit_timer = emnet_loop_timer(s->loop, QUIT_GRACE_MS, 0, on_quit_timeout, s);
    }
}

const char *emnet_chat_current(const struct emnet_chat *s) { return s->current; }
