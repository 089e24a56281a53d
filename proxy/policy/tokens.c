/* websockify token files (tokens.h has the format and where we differ).
 *
 * Entries are collected in file order with a sequence number, then sorted
 * by (name, sequence) and cut down to the last entry of each name: that is
 * websockify's "the last assignment to the dict wins", and lookups become a
 * binary search. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "policy/tokens.h"

#define TOKEN_FILE_MAX (64u << 20)
#define HOST_MAX 255

struct entry {
    char *name;
    char *host;
    uint16_t port;
    size_t seq;
};

struct emnet_tokens {
    struct entry *v;
    size_t n, cap;
};

/* Python's str.strip() and re's \s, limited to ASCII: also the
 * file/group/record/unit separators 0x1c-0x1f. */
static int py_space(char c)
{
    return emnet__is_space(c) || (c >= 0x1c && c <= 0x1f);
}

void emnet_tokens_free(struct emnet_tokens *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].name);
        free(t->v[i].host);
    }
    free(t->v);
    free(t);
}

size_t emnet_tokens_count(const struct emnet_tokens *t)
{
    return t ? t->n : 0;
}

static int line_error(char *err, size_t errlen, const char *file, size_t line, const char *why)
{
    if (errlen)
        snprintf(err, errlen, "%s:%zu: %s", file, line, why);
    return -1;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* One stripped, non-empty, non-comment line. */
static int parse_line(struct emnet_tokens *t, const char *s, size_t len, size_t seq, const char **why)
{
    if (memchr(s, '\0', len)) {
        *why = "NUL byte in line";
        return -1;
    }
    /* the separator is ':' followed by one whitespace character, and there
     * must be exactly one of them */
    size_t sep = 0, count = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == ':' && py_space(s[i + 1])) {
            if (count++ == 0)
                sep = i;
            i++;
        }
    }
    if (count != 1) {
        *why = count ? "more than one ': ' in line (expected \"name: host:port\")"
                     : "expected \"name: host:port\" (a ':' and a space after the name)";
        return -1;
    }
    if (sep == 0) {
        *why = "empty token name";
        return -1;
    }
    const char *tg = s + sep + 2;
    size_t tlen = len - sep - 2;
    while (tlen && py_space(*tg)) {
        tg++;
        tlen--;
    }
    const char *colon = NULL;
    for (size_t i = 0; i < tlen; i++)
        if (tg[i] == ':')
            colon = tg + i;
    if (!colon) {
        *why = "target has no port (expected host:port)";
        return -1;
    }
    const char *host = tg, *port_s = colon + 1;
    size_t hlen = (size_t)(colon - tg), plen = tlen - hlen - 1;
    uint16_t port;
    if (emnet__parse_u16(port_s, plen, &port) < 0 || port == 0) {
        *why = "port must be a number 1-65535";
        return -1;
    }
    struct emnet__addr a;
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host++;
        hlen -= 2;
        if (!memchr(host, ':', hlen) || emnet__addr_parse_numeric(host, hlen, &a) < 0) {
            *why = "brackets must hold an IPv6 address";
            return -1;
        }
    } else if (memchr(host, ':', hlen) && emnet__addr_parse_numeric(host, hlen, &a) < 0) {
        *why = "host has ':' but is not an IPv6 address";
        return -1;
    }
    if (hlen == 0) {
        *why = "empty host";
        return -1;
    }
    if (hlen > HOST_MAX) {
        *why = "host longer than 255 characters";
        return -1;
    }
    for (size_t i = 0; i < hlen; i++) {
        if ((unsigned char)host[i] <= 0x20 || host[i] == 0x7f || host[i] == '[' || host[i] == ']') {
            *why = "invalid character in host";
            return -1;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct entry *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv) {
            *why = "out of memory";
            return -1;
        }
        t->v = nv;
        t->cap = cap;
    }
    struct entry *e = &t->v[t->n];
    e->name = dup_n(s, sep);
    e->host = dup_n(host, hlen);
    e->port = port;
    e->seq = seq;
    if (!e->name || !e->host) {
        free(e->name);
        free(e->host);
        *why = "out of memory";
        return -1;
    }
    t->n++;
    return 0;
}

static int parse_text(struct emnet_tokens *t, const char *text, size_t len, const char *file, size_t *seq,
                      char *err, size_t errlen)
{
    size_t pos = 0, line = 0;
    while (pos < len) {
        size_t start = pos, end = pos;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        pos = end;
        if (pos < len)
            pos += text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n' ? 2 : 1;
        line++;
        while (start < end && py_space(text[start]))
            start++;
        while (end > start && py_space(text[end - 1]))
            end--;
        if (start == end || text[start] == '#')
            continue;
        const char *why;
        if (parse_line(t, text + start, end - start, (*seq)++, &why) < 0)
            return line_error(err, errlen, file, line, why);
    }
    return 0;
}

static int load_file(struct emnet_tokens *t, const char *path, size_t *seq, char *err, size_t errlen)
{
    char *text;
    size_t len;
    if (emnet__read_file(path, TOKEN_FILE_MAX, &text, &len, err, errlen) < 0)
        return -1;
    int rc = parse_text(t, text, len, path, seq, err, errlen);
    free(text);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct emnet_tokens *t, const char *path, size_t *seq, char *err, size_t errlen)
{
    DIR *d = opendir(path);
    if (!d) {
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
            cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc < 0 && errlen)
        snprintf(err, errlen, "%s: out of memory", path);
    /* websockify takes the order os.listdir gives; a fixed order makes
     * "the last one wins" predictable */
    if (rc == 0 && n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t plen = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(plen);
        if (!full) {
            rc = -1;
            if (errlen)
                snprintf(err, errlen, "%s: out of memory", path);
            break;
        }
        snprintf(full, plen, "%s/%s", path, names[i]);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            rc = load_file(t, full, seq, err, errlen);
        free(full);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct emnet_tokens *emnet_tokens_load(const char *path, char *err, size_t errlen)
{
    if (!path || !*path) {
        if (errlen)
            snprintf(err, errlen, "token file: no path given");
        return NULL;
    }
    struct emnet_tokens *t = calloc(1, sizeof *t);
    if (!t) {
        if (errlen)
            snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    size_t seq = 0;
    struct stat st;
    int rc = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? load_dir(t, path, &seq, err, errlen)
                                                          : load_file(t, path, &seq, err, errlen);
    if (rc < 0) {
        emnet_tokens_free(t);
        return NULL;
    }
    if (t->n) {
        qsort(t->v, t->n, sizeof *t->v, cmp_entry);
        size_t o = 0;
        for (size_t i = 0; i < t->n; i++) {
            if (i + 1 < t->n && strcmp(t->v[i].name, t->v[i + 1].name) == 0) {
                free(t->v[i].name);
                free(t->v[i].host);
                continue;
            }
            t->v[o++] = t->v[i];
        }
        t->n = o;
    }
    return t;
}

int emnet_tokens_lookup(const struct emnet_tokens *t, const char *name, char *host, size_t hostlen, uint16_t *port)
{
    if (!t || !name || !t->n)
        return -1;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, t->v[mid].name);
        if (c == 0) {
            size_t n = strlen(t->v[mid].host);
            if (!host || n + 1 > hostlen)
                return -1;
            memcpy(host, t->v[mid].host, n + 1);
            if (port)
                *port = t->v[mid].port;
            return 0;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}
