/* A chat: the IRC client state (demo/irc) on a connection that
 * comes back by itself (conn.h), with every event for the user handed out
 * as one line "type\twhere\twho\ttext" (see irc_client.h). Both front ends
 * -- the terminal program and the page -- are thin layers over this. */
#ifndef EMNET_DEMO_CHAT_H
#define EMNET_DEMO_CHAT_H

#include "emnet/reactor.h"

struct emnet_chat_config {
    const char *host;         /* the IRC server, as the program connects to it */
    int port;
    const char *nick;
    const char *channel;      /* joined once registered; NULL or "" for none */
};

struct emnet_chat_ops {
    void (*event)(void *arg, const char *line);   /* one event line, no newline */
    /* The chat ended (after /quit): nothing more will come. */
    void (*closed)(void *arg);
};

struct emnet_chat;

/* Starts connecting at once. Returns NULL (errno set) on failure. */
struct emnet_chat *emnet_chat_new(emnet_loop *loop, const struct emnet_chat_config *cfg,
                                  const struct emnet_chat_ops *ops, void *arg);
void emnet_chat_free(struct emnet_chat *s);

/* A line the user typed (a command or text for `target`, see
 * emnet_irc_command). target may be NULL: then the chat's own current
 * target is used and updated (the terminal's way); a page passes the tab
 * it shows. */
void emnet_chat_input(struct emnet_chat *s, const char *target, const char *line);

/* The current target: the last channel joined or nick messaged. */
const char *emnet_chat_current(const struct emnet_chat *s);

#endif
