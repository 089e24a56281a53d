/* select() with a zero timeout on eventfds and timerfds: the read set
 * keeps the fds with a count or an expiration, the write set the eventfds
 * that are not full (a timerfd is never writable), the except set none;
 * the result counts set bits over all three sets; fds at or above nfds are
 * not looked at; a closed fd in any set below nfds fails with EBADF (the
 * sets are then left alone); nfds -1 and a negative timeout fail with
 * EINVAL; NULL sets are allowed. */
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static int maxfd;

static void want(fd_set *s, int fd)
{
    FD_SET(fd, s);
    if (fd + 1 > maxfd) maxfd = fd + 1;
}

static void trace_set(const char *label, fd_set *s, const int *fds, const char *const *names, int n)
{
    printf("  %s:", label);
    for (int i = 0; i < n; i++)
        if (FD_ISSET(fds[i], s)) printf(" %s", names[i]);
    printf("\n");
    fflush(stdout);
}

int main(void)
{
    int empty = TFD(eventfd(0, EFD_NONBLOCK));
    int one = TFD(eventfd(1, EFD_NONBLOCK));
    int full = TFD(eventfd(0, EFD_NONBLOCK));
    uint64_t w = UINT64_MAX - 1, v;
    T(write(full, &w, sizeof w));
    int idle = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    int fired = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec past = { .it_value = { .tv_sec = 0, .tv_nsec = 1 } };
    T(timerfd_settime(fired, TFD_TIMER_ABSTIME, &past, NULL));
    const int fds[] = { empty, one, full, idle, fired };
    const char *const names[] = { "empty", "one", "full", "idle", "fired" };
    const int nfd = 5;

    fd_set r, wr, ex;
    struct timeval tv;

    trace_note("all five in the read, write and except sets");
    FD_ZERO(&r);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    for (int i = 0; i < nfd; i++) want(&r, fds[i]), want(&wr, fds[i]), want(&ex, fds[i]);
    tv = (struct timeval){ 0, 0 };
    T(select(maxfd, &r, &wr, &ex, &tv));
    trace_set("read", &r, fds, names, nfd);
    trace_set("write", &wr, fds, names, nfd);
    trace_set("except", &ex, fds, names, nfd);

    trace_note("read set only, NULL others");
    FD_ZERO(&r);
    for (int i = 0; i < nfd; i++) want(&r, fds[i]);
    tv = (struct timeval){ 0, 0 };
    T(select(maxfd, &r, NULL, NULL, &tv));
    trace_set("read", &r, fds, names, nfd);

    trace_note("write set only");
    FD_ZERO(&wr);
    for (int i = 0; i < nfd; i++) want(&wr, fds[i]);
    tv = (struct timeval){ 0, 0 };
    T(select(maxfd, NULL, &wr, NULL, &tv));
    trace_set("write", &wr, fds, names, nfd);

    trace_note("nothing ready: every set comes back empty");
    FD_ZERO(&r);
    FD_ZERO(&ex);
    want(&r, empty);
    want(&r, idle);
    want(&ex, one);
    tv = (struct timeval){ 0, 0 };
    T(select(maxfd, &r, NULL, &ex, &tv));
    trace_set("read", &r, fds, names, nfd);
    trace_set("except", &ex, fds, names, nfd);

    trace_note("after the counters change");
    T(read(one, &v, sizeof v));
    T(read(fired, &v, sizeof v));
    T(read(full, &v, sizeof v));
    w = 3;
    T(write(empty, &w, sizeof w));
    FD_ZERO(&r);
    FD_ZERO(&wr);
    for (int i = 0; i < nfd; i++) want(&r, fds[i]), want(&wr, fds[i]);
    tv = (struct timeval){ 0, 0 };
    T(select(maxfd, &r, &wr, NULL, &tv));
    trace_set("read", &r, fds, names, nfd);
    trace_set("write", &wr, fds, names, nfd);

    trace_note("EBADF for a closed fd, in each set");
    int closed = TFD(eventfd(0, 0));
    T(close(closed));
    int n = (closed > maxfd - 1 ? closed : maxfd - 1) + 1;
    FD_ZERO(&r);
    FD_SET(empty, &r);
    FD_SET(closed, &r);
    tv = (struct timeval){ 0, 0 };
    T(select(n, &r, NULL, NULL, &tv));
    TRACE_VALUE("read set still has the closed fd", FD_ISSET(closed, &r) != 0);
    TRACE_VALUE("read set still has empty", FD_ISSET(empty, &r) != 0);
    FD_ZERO(&wr);
    FD_SET(closed, &wr);
    tv = (struct timeval){ 0, 0 };
    T(select(n, NULL, &wr, NULL, &tv));
    FD_ZERO(&ex);
    FD_SET(closed, &ex);
    tv = (struct timeval){ 0, 0 };
    T(select(n, NULL, NULL, &ex, &tv));

    trace_note("a closed fd at or above nfds is not looked at");
    FD_ZERO(&r);
    FD_SET(closed, &r);
    tv = (struct timeval){ 0, 0 };
    T(select(closed, &r, NULL, NULL, &tv));

    trace_note("EINVAL: nfds -1, negative timeout");
    FD_ZERO(&r);
    FD_SET(empty, &r);
    tv = (struct timeval){ 0, 0 };
    T(select(-1, &r, NULL, NULL, &tv));
    tv = (struct timeval){ -1, 0 };
    T(select(maxfd, &r, NULL, NULL, &tv));

    trace_note("nfds 0 and no sets, timeout 0");
    tv = (struct timeval){ 0, 0 };
    T(select(0, NULL, NULL, NULL, &tv));

    T(close(empty));
    T(close(one));
    T(close(full));
    T(close(idle));
    T(close(fired));
    return 0;
}
