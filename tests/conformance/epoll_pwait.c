/* epoll_pwait with a NULL sigmask behaves exactly as epoll_wait: nothing
 * ready gives 0, a ready eventfd is reported with its data, level-triggered
 * items repeat and edge-triggered ones do not, maxevents and fd errors are
 * the same (EINVAL, EBADF, EINVAL for a non-epoll fd), a timeout with
 * nothing ready returns 0 after about the timeout, and an infinite timeout
 * is ended by a timerfd's expiry. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

/* maxevents -1 is the point of one call: GCC sees it as a negative size. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif

#define PWAIT(ep, max, timeout)                                        \
    do {                                                               \
        struct epoll_event out_[16];                                   \
        int n_ = (int)T(epoll_pwait(ep, out_, max, timeout, NULL));    \
        trace_epoll_events(out_, n_);                                  \
    } while (0)

int main(void)
{
    eventfd_t v = 0;
    struct epoll_event out[4];
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int efd2 = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd2, &ev));

    PWAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    T(eventfd_write(efd2, 1));
    PWAIT(ep, 4, 0);
    PWAIT(ep, 4, 0);
    T(eventfd_read(efd, &v));
    PWAIT(ep, 4, 0);

    trace_note("errors");
    T(epoll_pwait(ep, out, 0, 0, NULL));
    T(epoll_pwait(ep, out, -1, 0, NULL));
    T(epoll_pwait(-1, out, 4, 0, NULL));
    T(epoll_pwait(efd, out, 4, 0, NULL));
    T(epoll_pwait(ep, (struct epoll_event *)(uintptr_t)-4096, 4, 0, NULL));

    trace_note("a timeout with nothing ready");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    PWAIT(ep, 4, 50);
    long long waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 45 && waited < 1000);

    trace_note("an infinite timeout, ended by a timerfd");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    ev.events = EPOLLIN;
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));
    struct itimerspec its = { .it_value = { .tv_nsec = 40 * 1000000 } };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    PWAIT(ep, 4, -1);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 35 && waited < 1000);
    uint64_t ticks = 0;
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);
    PWAIT(ep, 4, 0);

    T(close(tfd));
    T(close(efd2));
    T(close(efd));
    T(close(ep));
    return 0;
}
