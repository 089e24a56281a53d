/* Parsing and formatting of IRC lines. The grammar is RFC 2812 2.3.1's:
 *   [':' prefix SPACE] command {SPACE param} [SPACE ':' trailing] CRLF
 * with up to 14 middle parameters; a 15th takes the rest of the line even
 * without ':'. Runs of spaces separate like one space, as servers do. */
#include "irc_message.h"

#include <errno.h>
#include <string.h>

static char *skip_spaces(char *p)
{
    while (*p == ' ') p++;
    return p;
}

/* Cuts the token at p at the next space; returns what follows the spaces. */
static char *cut_token(char *p)
{
    char *sp = strchr(p, ' ');
    if (!sp) return p + strlen(p);
    *sp = '\0';
    return skip_spaces(sp + 1);
}

static void split_prefix(struct emnet_irc_message *m, char *prefix)
{
    m->prefix = prefix;
    m->nick = prefix;
    char *at = strchr(prefix, '@');
    if (at) {
        *at = '\0';
        m->host = at + 1;
    }
    char *bang = strchr(prefix, '!');
    if (bang) {
        *bang = '\0';
        m->user = bang + 1;
    }
}

int emnet_irc_parse(struct emnet_irc_message *m, const char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    if (len > EMNET_IRC_PARSE_MAX) return -EMSGSIZE;
    memcpy(m->buf, line, len);
    m->buf[len] = '\0';
    /* A NUL inside the line ends it: nothing after it can be trusted. */
    m->prefix = NULL;
    m->nick = m->user = m->host = "";
    m->command = "";
    m->numeric = -1;
    m->nparams = 0;

    char *p = skip_spaces(m->buf);
    if (*p == '@') p = skip_spaces(cut_token(p));   /* IRCv3 message tags: not used here */
    if (*p == ':') {
        char *prefix = p + 1;
        p = cut_token(p);
        split_prefix(m, prefix);
    }
    if (*p == '\0') return -EINVAL;
    m->command = p;
    p = cut_token(p);
    if (strlen(m->command) == 3 && m->command[0] >= '0' && m->command[0] <= '9' &&
        m->command[1] >= '0' && m->command[1] <= '9' && m->command[2] >= '0' && m->command[2] <= '9')
        m->numeric = (m->command[0] - '0') * 100 + (m->command[1] - '0') * 10 + (m->command[2] - '0');

    while (*p != '\0' && m->nparams < EMNET_IRC_MAX_PARAMS) {
        if (*p == ':') {
            m->params[m->nparams++] = p + 1;
            break;
        }
        if (m->nparams == EMNET_IRC_MAX_PARAMS - 1) {
            m->params[m->nparams++] = p;   /* the 15th takes the rest */
            break;
        }
        m->params[m->nparams++] = p;
        p = cut_token(p);
    }
    return 0;
}

static int bad_chars(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

int emnet_irc_format(char *out, size_t size, const char *command, int nparams, const char *const *params)
{
    if (!command[0] || strpbrk(command, " \r\n") || nparams < 0 || nparams > EMNET_IRC_MAX_PARAMS) return -EINVAL;
    size_t limit = size < EMNET_IRC_LINE_MAX + 1 ? size : EMNET_IRC_LINE_MAX + 1;   /* +1: the NUL */
    size_t n = strlen(command);
    if (n + 1 > limit) return -EMSGSIZE;
    memcpy(out, command, n);
    for (int i = 0; i < nparams; i++) {
        const char *p = params[i];
        int last = i == nparams - 1;
        if (bad_chars(p)) return -EINVAL;
        int trailing = last && (nparams > 1 || p[0] == '\0' || p[0] == ':' || strchr(p, ' '));
        if (!last && (p[0] == '\0' || p[0] == ':' || strchr(p, ' '))) return -EINVAL;
        size_t pl = strlen(p);
        if (n + 2 + pl + 1 > limit) return -EMSGSIZE;
        out[n++] = ' ';
        if (trailing) out[n++] = ':';
        memcpy(out + n, p, pl);
        n += pl;
    }
    if (n + 3 > limit) return -EMSGSIZE;
    out[n++] = '\r';
    out[n++] = '\n';
    out[n] = '\0';
    return (int)n;
}

static int fold(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c == '[') return '{';
    if (c == ']') return '}';
    if (c == '\\') return '|';
    if (c == '~') return '^';
    return c;
}

int emnet_irc_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int d = fold((unsigned char)*a) - fold((unsigned char)*b);
        if (d != 0 || *a == '\0') return d;
    }
}

int emnet_irc_is_channel(const char *name)
{
    return name[0] == '#' || name[0] == '&' || name[0] == '+' || name[0] == '!';
}
