/* The channels a client is in (or wants to be in) and their members.
 * Internal to demo/irc. Names compare with IRC's casemapping. */
#ifndef EMNET_DEMO_IRC_CHANNELS_H
#define EMNET_DEMO_IRC_CHANNELS_H

#include <stddef.h>

#define EMNET_IRC_NAME_MAX 64

struct emnet_irc_channel {
    char name[EMNET_IRC_NAME_MAX];
    int joined;          /* the server said we are in */
    int wanted;          /* the user asked for it: join it again after a reconnect */
    int names_pending;   /* a 353 list is arriving: the next 366 ends it */
    char **members;
    size_t nmembers, cap;
};

struct emnet_irc_channels {
    struct emnet_irc_channel *v;
    size_t n, cap;
};

struct emnet_irc_channel *emnet_irc_channels_find(struct emnet_irc_channels *cs, const char *name);
/* Finds or adds; NULL if out of memory or the name is too long. */
struct emnet_irc_channel *emnet_irc_channels_get(struct emnet_irc_channels *cs, const char *name);
void emnet_irc_channels_free(struct emnet_irc_channels *cs);

/* Member lists. add returns 1 if added, 0 if already there, -ENOMEM. */
int emnet_irc_channel_add(struct emnet_irc_channel *ch, const char *nick);
int emnet_irc_channel_remove(struct emnet_irc_channel *ch, const char *nick);   /* 1 if it was there */
int emnet_irc_channel_rename(struct emnet_irc_channel *ch, const char *from, const char *to);
void emnet_irc_channel_clear(struct emnet_irc_channel *ch);
/* Sorted (casemapped), space-separated; truncated to fit. */
void emnet_irc_channel_list(const struct emnet_irc_channel *ch, char *out, size_t size);

#endif
