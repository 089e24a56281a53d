/* Channels and members in plain arrays: a chat client is in a handful of
 * channels of at most a few hundred members, so linear searches cost less
 * than the hashing would in code. */
#include "irc_channels.h"

#include "irc_message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct emnet_irc_channel *emnet_irc_channels_find(struct emnet_irc_channels *cs, const char *name)
{
    for (size_t i = 0; i < cs->n; i++)
        if (emnet_irc_casecmp(cs->v[i].name, name) == 0) return &cs->v[i];
    return NULL;
}

struct emnet_irc_channel *emnet_irc_channels_get(struct emnet_irc_channels *cs, const char *name)
{
    struct emnet_irc_channel *ch = emnet_irc_channels_find(cs, name);
    if (ch) return ch;
    if (strlen(name) >= EMNET_IRC_NAME_MAX) return NULL;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 8;
        struct emnet_irc_channel *v = realloc(cs->v, cap * sizeof *v);
        if (!v) return NULL;
        cs->v = v;
        cs->cap = cap;
    }
    ch = &cs->v[cs->n++];
    memset(ch, 0, sizeof *ch);
    strcpy(ch->name, name);
    return ch;
}

void emnet_irc_channel_clear(struct emnet_irc_channel *ch)
{
    for (size_t i = 0; i < ch->nmembers; i++) free(ch->members[i]);
    ch->nmembers = 0;
}

void emnet_irc_channels_free(struct emnet_irc_channels *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        emnet_irc_channel_clear(&cs->v[i]);
        free(cs->v[i].members);
    }
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

static long find_member(const struct emnet_irc_channel *ch, const char *nick)
{
    for (size_t i = 0; i < ch->nmembers; i++)
        if (emnet_irc_casecmp(ch->members[i], nick) == 0) return (long)i;
    return -1;
}

int emnet_irc_channel_add(struct emnet_irc_channel *ch, const char *nick)
{
    if (!nick[0] || find_member(ch, nick) >= 0) return 0;
    if (ch->nmembers == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 16;
        char **v = realloc(ch->members, cap * sizeof *v);
        if (!v) return -ENOMEM;
        ch->members = v;
        ch->cap = cap;
    }
    char *copy = strdup(nick);
    if (!copy) return -ENOMEM;
    ch->members[ch->nmembers++] = copy;
    return 1;
}

int emnet_irc_channel_remove(struct emnet_irc_channel *ch, const char *nick)
{
    long i = find_member(ch, nick);
    if (i < 0) return 0;
    free(ch->members[i]);
    ch->members[i] = ch->members[--ch->nmembers];
    return 1;
}

int emnet_irc_channel_rename(struct emnet_irc_channel *ch, const char *from, const char *to)
{
    long i = find_member(ch, from);
    if (i < 0) return 0;
    char *copy = strdup(to);
    if (!copy) return -ENOMEM;
    free(ch->members[i]);
    ch->members[i] = copy;
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return emnet_irc_casecmp(*(char *const *)a, *(char *const *)b);
}

void emnet_irc_channel_list(const struct emnet_irc_channel *ch, char *out, size_t size)
{
    size_t n = 0;
    if (size == 0) return;
    out[0] = '\0';
    /* Sorting the stored array in place is harmless: order carries no meaning. */
    qsort(ch->members, ch->nmembers, sizeof ch->members[0], by_name);
    for (size_t i = 0; i < ch->nmembers; i++) {
        size_t l = strlen(ch->members[i]);
        if (n + (n > 0) + l + 1 > size) break;
        if (n > 0) out[n++] = ' ';
        memcpy(out + n, ch->members[i], l);
        n += l;
        out[n] = '\0';
    }
}
