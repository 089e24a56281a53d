/* Cutting a long message into PRIVMSG lines that fit IRC's 512 bytes once
 * the server has put its prefix in front, without ever cutting a UTF-8
 * character in two. No I/O. */
#ifndef EMNET_DEMO_IRC_SPLIT_H
#define EMNET_DEMO_IRC_SPLIT_H

#include <stddef.h>

/* The room left for the text of "PRIVMSG target :text" as the server
 * relays it to others: ":nick!user@host PRIVMSG target :text\r\n" must fit
 * EMNET_IRC_LINE_MAX. Pass what the server calls us (user with its '~' if
 * any); unknown parts count with their longest plausible size. Returns 0
 * if nothing fits. */
size_t emnet_irc_privmsg_room(const char *nick, const char *user, const char *host, const char *command,
                              const char *target);

/* The next piece of text[0..len) of at most max bytes: returns its length
 * and sets *skip to the bytes to drop after it (1 when the cut is at a
 * space, which neither piece keeps). The cut is at the last space of the
 * piece's second half if it has one, else at the last character boundary
 * that fits. Returns len when everything fits, and 0 when not even one
 * character fits in max. */
size_t emnet_irc_split_next(const char *text, size_t len, size_t max, size_t *skip);

/* Length of the longest prefix of s[0..len) that is valid UTF-8 ending on
 * a character boundary (used to check the pieces). */
size_t emnet_utf8_valid_prefix(const char *s, size_t len);

#endif
