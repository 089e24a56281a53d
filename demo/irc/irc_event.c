/* Events as lines: the one format both front ends read (the terminal
 * prints them, the page receives them), so that neither needs to know the
 * structures. Four tab-separated fields, always. */
#include "irc_client.h"

#include "irc_split.h"

#include <string.h>

const char *emnet_irc_event_name(enum emnet_irc_event_type type)
{
    switch (type) {
    case EMNET_IRC_EV_STATUS: return "status";
    case EMNET_IRC_EV_WELCOME: return "welcome";
    case EMNET_IRC_EV_NICK_IN_USE: return "nickinuse";
    case EMNET_IRC_EV_NICK: return "nick";
    case EMNET_IRC_EV_JOIN: return "join";
    case EMNET_IRC_EV_PART: return "part";
    case EMNET_IRC_EV_KICK: return "kick";
    case EMNET_IRC_EV_QUIT: return "quit";
    case EMNET_IRC_EV_MEMBERS: return "members";
    case EMNET_IRC_EV_MSG: return "msg";
    case EMNET_IRC_EV_NOTICE: return "notice";
    case EMNET_IRC_EV_TOPIC: return "topic";
    case EMNET_IRC_EV_SERVER: return "server";
    case EMNET_IRC_EV_ERROR: return "error";
    }
    return "unknown";
}

/* Appends s, control characters (tabs among them) turned into spaces. */
static size_t put(char *out, size_t n, size_t size, const char *s)
{
    for (; *s && n + 1 < size; s++, n++) out[n] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
    return n;
}

size_t emnet_irc_event_format(const struct emnet_irc_event *ev, char *out, size_t size)
{
    if (size == 0) return 0;
    size_t n = put(out, 0, size, emnet_irc_event_name(ev->type));
    const char *fields[3] = { ev->where, ev->who, ev->text };
    for (int i = 0; i < 3; i++) {
        if (n + 1 < size) out[n++] = '\t';
        n = put(out, n, size, fields[i] ? fields[i] : "");
    }
    /* A truncated line must still end on a character boundary: drop a
     * last character that lost some of its bytes. */
    if (n + 1 >= size) {
        size_t k = n;
        while (k > 0 && n - k < 4 && ((unsigned char)out[k - 1] & 0xC0) == 0x80) k--;
        if (k > 0 && (unsigned char)out[k - 1] >= 0xC0 && emnet_utf8_valid_prefix(out + k - 1, n - k + 1) == 0)
            n = k - 1;
    }
    out[n] = '\0';
    return n;
}
