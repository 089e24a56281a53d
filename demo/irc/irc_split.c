/* Splitting at UTF-8 character boundaries: a continuation byte has the
 * bits 10xxxxxx, so a cut is on a boundary when the byte after it is not
 * one. Backing off at most three bytes finds a boundary in valid UTF-8;
 * invalid input is cut where it stands rather than searched further. */
#include "irc_split.h"

#include "irc_message.h"

#include <string.h>

/* What we assume when the server has not told us our user or host yet:
 * USERLEN 10 (+1 for '~') and a host name of up to 63 bytes. */
#define UNKNOWN_USER_LEN 11
#define UNKNOWN_HOST_LEN 63

size_t emnet_irc_privmsg_room(const char *nick, const char *user, const char *host, const char *command,
                              const char *target)
{
    size_t u = user && user[0] ? strlen(user) : UNKNOWN_USER_LEN;
    size_t h = host && host[0] ? strlen(host) : UNKNOWN_HOST_LEN;
    /* ':' nick '!' user '@' host ' ' command ' ' target ' :' text CR LF */
    size_t fixed = 1 + strlen(nick) + 1 + u + 1 + h + 1 + strlen(command) + 1 + strlen(target) + 2 + 2;
    return fixed >= EMNET_IRC_LINE_MAX ? 0 : EMNET_IRC_LINE_MAX - fixed;
}

static int is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t emnet_irc_split_next(const char *text, size_t len, size_t max, size_t *skip)
{
    *skip = 0;
    if (len <= max) return len;
    size_t cut = max;
    for (int back = 0; back < 3 && cut > 0 && is_continuation((unsigned char)text[cut]); back++) cut--;
    if (cut == 0) return 0;
    /* A space at text[cut] ends the piece exactly; otherwise look back,
     * but not so far that the piece becomes short. */
    for (size_t i = cut; i > cut / 2; i--) {
        if (text[i] == ' ') {
            *skip = 1;
            return i;
        }
    }
    return cut;
}

size_t emnet_utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t n;
        if (c < 0x80) n = 1;
        else if (c >= 0xC2 && c <= 0xDF) n = 2;
        else if (c >= 0xE0 && c <= 0xEF) n = 3;
        else if (c >= 0xF0 && c <= 0xF4) n = 4;
        else return i;
        if (i + n > len) return i;
        for (size_t k = 1; k < n; k++)
            if (!is_continuation(p[i + k])) return i;
        i += n;
    }
    return i;
}
