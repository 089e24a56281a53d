/* dup2 and dup3 on eventfds: dup2 onto another open eventfd replaces it
 * silently (its counter is gone; the new fd is the same file as the old
 * fd, without FD_CLOEXEC); dup2(fd, fd) returns fd and changes nothing;
 * dup3 with O_CLOEXEC sets FD_CLOEXEC; dup3 with the same fd twice or with
 * unknown flags fails with EINVAL (before any fd check); a closed or
 * negative oldfd and a negative or huge newfd give EBADF; dup2 onto a
 * directory's fd replaces it, and dup2 from a directory onto an eventfd's
 * fd replaces the eventfd. */
#define _GNU_SOURCE   /* dup3 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

static void trace_cloexec(const char *label, int fd)
{
    errno = 0;
    int r = fcntl(fd, F_GETFD);
    if (r < 0)
        printf("  %s: F_GETFD = -1 %s\n", label, trace_errno_name(errno));
    else
        printf("  %s: %s\n", label, r & FD_CLOEXEC ? "FD_CLOEXEC" : "0");
    fflush(stdout);
}

static void trace_read(const char *label, int fd)
{
    uint64_t v = 0;
    errno = 0;
    long r = read(fd, &v, sizeof v);
    if (r < 0)
        printf("  read %s = -1 %s\n", label, trace_errno_name(errno));
    else
        printf("  read %s = %ld, v = %llu\n", label, r, (unsigned long long)v);
    fflush(stdout);
}

int main(void)
{
    uint64_t w;
    int a = TFD(eventfd(1, EFD_NONBLOCK));
    int b = TFD(eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC));

    trace_note("dup2 onto an open eventfd");
    int r = TFD(dup2(a, b));
    TRACE_TRUE(r == b);
    trace_cloexec("b", b);
    trace_read("b", b);
    trace_read("a", a);
    w = 8;
    T(write(a, &w, sizeof w));
    trace_read("b", b);

    trace_note("dup2 onto itself");
    r = TFD(dup2(a, a));
    TRACE_TRUE(r == a);
    T(fcntl(a, F_SETFD, FD_CLOEXEC));
    r = TFD(dup2(a, a));
    trace_cloexec("a", a);
    T(fcntl(a, F_SETFD, 0));

    trace_note("dup3");
    int c = TFD(eventfd(9, EFD_NONBLOCK));
    r = TFD(dup3(a, c, O_CLOEXEC));
    TRACE_TRUE(r == c);
    trace_cloexec("c", c);
    trace_read("c", c);
    r = TFD(dup3(a, c, 0));
    trace_cloexec("c", c);
    T(dup3(a, a, 0));
    T(dup3(a, a, O_CLOEXEC));
    T(dup3(a, c, 0x1));
    T(dup3(a, c, O_NONBLOCK));

    trace_note("EBADF");
    int gone = TFD(eventfd(0, 0));
    T(close(gone));
    T(dup2(gone, c));
    T(dup2(-1, c));
    T(dup2(a, -1));
    T(dup2(a, INT_MAX));
    T(dup3(gone, c, 0));
    T(dup3(a, -1, 0));
    T(dup3(a, INT_MAX, 0));
    T(dup2(gone, gone));
    trace_note("dup3 of a closed fd onto itself: EINVAL comes first");
    T(dup3(gone, gone, 0));
    T(dup3(-1, -1, 0));
    T(dup3(gone, c, 0x1));

    trace_note("c is still a copy of a");
    w = 2;
    T(write(c, &w, sizeof w));
    trace_read("a", a);

    trace_note("dup2 onto a closed fd number");
    r = TFD(dup2(a, gone));
    TRACE_TRUE(r == gone);
    w = 4;
    T(write(gone, &w, sizeof w));
    trace_read("a", a);
    T(close(gone));

    trace_note("an eventfd over a directory, and back");
    int dir = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    r = TFD(dup2(a, dir));
    TRACE_TRUE(r == dir);
    w = 3;
    T(write(dir, &w, sizeof w));
    trace_read("a", a);
    int dir2 = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    r = TFD(dup2(dir2, c));
    TRACE_TRUE(r == c);
    T(write(c, &w, sizeof w));
    T((fcntl(c, F_GETFL) & O_ACCMODE) == O_RDONLY);

    T(close(dir2));
    T(close(dir));
    T(close(a));
    T(close(b));
    T(close(c));
    return 0;
}
