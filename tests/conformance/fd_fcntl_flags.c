/* fcntl(F_GETFL) on eventfds, timerfds and epoll fds: the access mode is
 * O_RDWR, O_NONBLOCK is there exactly when EFD_NONBLOCK/TFD_NONBLOCK was
 * given, and the *_CLOEXEC flags never show (they are fd flags);
 * F_SETFL sets and clears O_NONBLOCK (a read then fails with EAGAIN),
 * ignores the access mode and creation flags it is given, and O_APPEND,
 * which F_SETFL may change, shows in F_GETFL afterwards. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#ifndef O_LARGEFILE
#define O_LARGEFILE 0
#endif

/* The flags by name; O_LARGEFILE, which some kernels add on their own, is
 * left out. */
static void trace_fl(const char *label, int fd)
{
    errno = 0;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) {
        printf("  %s: F_GETFL = -1 %s\n", label, trace_errno_name(errno));
        fflush(stdout);
        return;
    }
    const char *acc = (fl & O_ACCMODE) == O_RDWR ? "RDWR" : (fl & O_ACCMODE) == O_WRONLY ? "WRONLY" : "RDONLY";
    printf("  %s: %s", label, acc);
    int rest = fl & ~O_ACCMODE & ~O_LARGEFILE;
    if (rest & O_NONBLOCK) printf("|NONBLOCK");
    if (rest & O_APPEND) printf("|APPEND");
    if (rest & O_CLOEXEC) printf("|CLOEXEC");
    rest &= ~(O_NONBLOCK | O_APPEND | O_CLOEXEC);
    if (rest) printf("|other");
    printf("\n");
    fflush(stdout);
}

int main(void)
{
    uint64_t v;

    trace_note("as created");
    int e0 = TFD(eventfd(0, 0));
    int e1 = TFD(eventfd(0, EFD_NONBLOCK));
    int e2 = TFD(eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE));
    int e3 = TFD(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    int t0 = TFD(timerfd_create(CLOCK_MONOTONIC, 0));
    int t1 = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    int p0 = TFD(epoll_create1(0));
    int p1 = TFD(epoll_create1(EPOLL_CLOEXEC));
    trace_fl("eventfd(0)", e0);
    trace_fl("eventfd(NONBLOCK)", e1);
    trace_fl("eventfd(CLOEXEC|SEMAPHORE)", e2);
    trace_fl("eventfd(NONBLOCK|CLOEXEC)", e3);
    trace_fl("timerfd(0)", t0);
    trace_fl("timerfd(NONBLOCK|CLOEXEC)", t1);
    trace_fl("epoll(0)", p0);
    trace_fl("epoll(CLOEXEC)", p1);

    trace_note("F_SETFL O_NONBLOCK, then a read fails with EAGAIN");
    T(fcntl(e0, F_SETFL, O_NONBLOCK));
    trace_fl("eventfd", e0);
    T(read(e0, &v, sizeof v));
    T(fcntl(t0, F_SETFL, O_NONBLOCK));
    trace_fl("timerfd", t0);
    T(read(t0, &v, sizeof v));
    T(fcntl(p0, F_SETFL, O_NONBLOCK));
    trace_fl("epoll", p0);

    trace_note("F_SETFL 0 clears it");
    T(fcntl(e1, F_SETFL, 0));
    trace_fl("eventfd", e1);
    T(fcntl(t1, F_SETFL, 0));
    trace_fl("timerfd", t1);
    T(fcntl(p0, F_SETFL, 0));
    trace_fl("epoll", p0);

    trace_note("the access mode and creation flags are ignored");
    T(fcntl(e0, F_SETFL, O_RDONLY | O_NONBLOCK));
    trace_fl("eventfd", e0);
    T(fcntl(e0, F_SETFL, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_NONBLOCK));
    trace_fl("eventfd", e0);
    T(fcntl(e0, F_SETFL, O_CLOEXEC | O_NONBLOCK));
    trace_fl("eventfd", e0);
    T(fcntl(e0, F_GETFD));
    T(read(e0, &v, sizeof v));

    trace_note("F_GETFL ignores its argument; F_SETFL's replaces, it does not add");
    T(fcntl(e3, F_GETFL, 0) == fcntl(e3, F_GETFL, O_APPEND));
    T(fcntl(e3, F_SETFL, O_NONBLOCK));
    trace_fl("eventfd", e3);

    trace_note("O_APPEND");
    T(fcntl(e2, F_SETFL, O_APPEND));
    trace_fl("eventfd", e2);
    T(fcntl(e2, F_SETFL, O_APPEND | O_NONBLOCK));
    trace_fl("eventfd", e2);
    T(fcntl(e2, F_SETFL, 0));
    trace_fl("eventfd", e2);

    trace_note("an unknown command");
    T(fcntl(e0, 0x7fff, 0));

    T(close(e0));
    T(close(e1));
    T(close(e2));
    T(close(e3));
    T(close(t0));
    T(close(t1));
    T(close(p0));
    T(close(p1));
    return 0;
}
