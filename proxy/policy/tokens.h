/* websockify's token files (its TokenFile / ReadOnlyTokenFile plugins),
 * read the way websockify 0.10 reads them:
 *
 *   - a line ends at "\n", "\r\n" or "\r"; surrounding whitespace is
 *     stripped; empty lines and lines starting with '#' are skipped ('#'
 *     later in a line is not a comment);
 *   - the name ends at the only ':' that is followed by whitespace, so
 *     "a:b: host:1" names "a:b", and whitespace before that ':' stays in
 *     the name ("vm : h:1" names "vm ");
 *   - the target is split at its LAST ':', so bare IPv6 works
 *     ("vm: ::1:5900" is ::1 port 5900); "[::1]:5900" is accepted too and
 *     its brackets removed;
 *   - a directory means every regular file in it (hidden ones included, as
 *     websockify lists them), read in name order;
 *   - a name given twice: the last one wins (websockify fills a dict), so
 *     in a directory the file later in name order wins.
 * Where websockify prints "Syntax error" and skips a line, or takes a line
 * it can never connect with (no port, a port that is not 1-65535, an empty
 * host or name), loading fails here with "FILE:LINE: why": a broken token
 * file is found at start, not at the first connection. Port numbers must
 * be decimal (websockify would also take service names such as "vnc"). */
#ifndef EMNET_POLICY_TOKENS_H
#define EMNET_POLICY_TOKENS_H

#include <stddef.h>
#include <stdint.h>

struct emnet_tokens;

/* path is a file, or a directory whose every regular file is read. Lines "name: host:port"
 * ([v6]:port accepted), blank lines and # comments ignored. NULL with a message ("file:line: ...") on error. */
struct emnet_tokens *emnet_tokens_load(const char *path, char *err, size_t errlen);
void emnet_tokens_free(struct emnet_tokens *t);
size_t emnet_tokens_count(const struct emnet_tokens *t);
/* 0 and host (NUL-terminated, brackets removed) + port; -1 if the name is unknown or host does not fit.
 * Names compare byte for byte (case matters, as in websockify). */
int emnet_tokens_lookup(const struct emnet_tokens *t, const char *name, char *host, size_t hostlen, uint16_t *port);

#endif
