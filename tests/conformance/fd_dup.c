/* dup, F_DUPFD and F_DUPFD_CLOEXEC of an eventfd (and a timerfd): the copy
 * is the same open file, so it shares the counter (or the timer) and the
 * status flags (O_NONBLOCK set through one shows through the other) but
 * not FD_CLOEXEC, which dup and F_DUPFD clear and F_DUPFD_CLOEXEC sets;
 * F_DUPFD returns the lowest free fd >= its argument; closing one copy
 * leaves the others working, and an epoll registration made through the
 * closed fd keeps reporting while another copy keeps the file open. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static void trace_flags(const char *label, int fd)
{
    errno = 0;
    int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD);
    if (fl < 0 || fdf < 0)
        printf("  %s: -1 %s\n", label, trace_errno_name(errno));
    else
        printf("  %s: %s %s\n", label, fl & O_NONBLOCK ? "NONBLOCK" : "blocking", fdf & FD_CLOEXEC ? "CLOEXEC" : "-");
    fflush(stdout);
}

int main(void)
{
    uint64_t v = 0, w;
    int efd = TFD(eventfd(0, EFD_CLOEXEC));

    trace_note("dup");
    int d = TFD(dup(efd));
    TRACE_TRUE(d != efd);
    trace_flags("efd", efd);
    trace_flags("dup", d);
    w = 3;
    T(write(efd, &w, sizeof w));
    T(read(d, &v, sizeof v));
    TRACE_VALUE("v", v);

    trace_note("O_NONBLOCK set through the copy shows in the original");
    T(fcntl(d, F_SETFL, O_NONBLOCK));
    trace_flags("efd", efd);
    T(read(efd, &v, sizeof v));
    trace_note("FD_CLOEXEC set on the copy does not");
    T(fcntl(d, F_SETFD, FD_CLOEXEC));
    T(fcntl(efd, F_SETFD, 0));
    trace_flags("efd", efd);
    trace_flags("dup", d);

    trace_note("F_DUPFD with a minimum");
    int hi = TFD(fcntl(efd, F_DUPFD, 100));
    TRACE_TRUE(hi >= 100);
    int hi2 = TFD(fcntl(efd, F_DUPFD, 100));
    TRACE_TRUE(hi2 > 100 && hi2 != hi);
    T(close(hi));
    int hi3 = TFD(fcntl(efd, F_DUPFD, 100));
    TRACE_TRUE(hi3 == hi);
    trace_flags("F_DUPFD", hi3);
    int lo = TFD(fcntl(efd, F_DUPFD, 0));
    TRACE_TRUE(lo < 100);
    trace_flags("F_DUPFD 0", lo);

    trace_note("F_DUPFD_CLOEXEC");
    int cx = TFD(fcntl(efd, F_DUPFD_CLOEXEC, 0));
    trace_flags("F_DUPFD_CLOEXEC", cx);
    int cx2 = TFD(fcntl(efd, F_DUPFD_CLOEXEC, 200));
    TRACE_TRUE(cx2 >= 200);
    trace_flags("F_DUPFD_CLOEXEC 200", cx2);

    trace_note("F_DUPFD errors");
    T(fcntl(efd, F_DUPFD, -1));
    T(fcntl(efd, F_DUPFD, INT_MAX));
    T(fcntl(efd, F_DUPFD_CLOEXEC, -5));

    trace_note("all the copies share the counter");
    w = 5;
    T(write(hi2, &w, sizeof w));
    w = 6;
    T(write(cx2, &w, sizeof w));
    T(read(lo, &v, sizeof v));
    TRACE_VALUE("v", v);

    trace_note("closing the original: the copies keep working");
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[2];
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    T(close(efd));
    w = 1;
    T(write(d, &w, sizeof w));
    int n = T(epoll_wait(ep, out, 2, 0));
    trace_epoll_events(out, n);
    T(read(cx, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(efd, &v, sizeof v));
    T(close(d));
    T(close(hi2));
    T(close(hi3));
    T(close(lo));
    T(close(cx));
    w = 2;
    T(write(cx2, &w, sizeof w));
    n = T(epoll_wait(ep, out, 2, 0));
    trace_epoll_events(out, n);
    T(close(cx2));
    n = T(epoll_wait(ep, out, 2, 0));
    T(close(ep));

    trace_note("a timerfd and its copy share the timer");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    int td = TFD(dup(tfd));
    struct itimerspec its = { .it_value = { .tv_sec = 7 } }, cur;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(timerfd_gettime(td, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 6 || cur.it_value.tv_sec == 7);
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 1;
    T(timerfd_settime(td, TFD_TIMER_ABSTIME, &its, NULL));
    T(read(tfd, &v, sizeof v));
    TRACE_VALUE("ticks", v);
    T(read(td, &v, sizeof v));
    T(close(tfd));
    T(timerfd_gettime(td, &cur));
    T(close(td));

    trace_note("dup of a closed fd");
    T(dup(td));
    T(dup(-1));
    T(fcntl(td, F_DUPFD, 0));
    return 0;
}
