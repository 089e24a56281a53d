/* Reading the small files the policy layer names: config, token files,
 * the bearer token file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int fail(const char *path, const char *why, char *err, size_t errlen)
{
    if (errlen)
        snprintf(err, errlen, "%s: %s", path, why);
    return -1;
}

int emnet__read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail(path, strerror(errno), err, errlen);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return fail(path, strerror(e), err, errlen);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file", err, errlen);
    }
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        return fail(path, "file too large", err, errlen);
    }
    /* st_size is a hint only (the file may grow, /proc files say 0) */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return fail(path, "out of memory", err, errlen);
    }
    for (;;) {
        if (n + 1 == cap) {
            if (n > max) {
                free(buf);
                close(fd);
                return fail(path, "file too large", err, errlen);
            }
            size_t ncap = cap * 2 < 4096 ? 4096 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                close(fd);
                return fail(path, "out of memory", err, errlen);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return fail(path, strerror(e), err, errlen);
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}
