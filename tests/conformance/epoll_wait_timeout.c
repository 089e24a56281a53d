/* epoll_wait's timeout. With nothing ready -- an empty set, or a set whose
 * eventfd is not readable -- a wait with a timeout returns 0 after about
 * the timeout (not before; generous upper bounds for a noisy machine); a
 * timeout of 0 returns at once. A timerfd in another epoll set does not end
 * the wait early; a timerfd in this set ends it at its deadline, before the
 * timeout; a negative timeout other than -1 also means "wait forever" and is
 * ended by a timerfd; a timerfd whose deadline is after the timeout does
 * not delay the timeout. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static struct itimerspec after_ms(long ms)
{
    struct itimerspec its = { .it_value = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 } };
    return its;
}

int main(void)
{
    struct timespec t0;
    long long waited;
    uint64_t ticks = 0;
    int ep = TFD(epoll_create1(0));

    trace_note("an empty set, 50 ms");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TRACE_WAIT(ep, 4, 50);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 49 && waited < 1000);

    trace_note("an eventfd that is not readable, 30 ms");
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TRACE_WAIT(ep, 4, 30);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 29 && waited < 1000);

    trace_note("timeout 0: at once");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TRACE_WAIT(ep, 4, 0);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited < 200);

    trace_note("a timerfd in another set (due in 30 ms) does not end a 200 ms wait early");
    int other = TFD(epoll_create1(0));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    ev.data.u64 = 2;
    T(epoll_ctl(other, EPOLL_CTL_ADD, tfd, &ev));
    struct itimerspec its = after_ms(30);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    TRACE_WAIT(ep, 4, 200);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 199 && waited < 1500);
    TRACE_WAIT(other, 4, 0);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);

    trace_note("a timerfd in this set (due in 30 ms) ends a 2 s wait at its deadline");
    int tfd2 = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, tfd2, &ev));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd2, 0, &its, NULL));
    TRACE_WAIT(ep, 4, 2000);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    T(read(tfd2, &ticks, sizeof ticks));

    trace_note("timeout -5 waits like -1, ended by the timerfd");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd2, 0, &its, NULL));
    TRACE_WAIT(ep, 4, -5);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    T(read(tfd2, &ticks, sizeof ticks));

    trace_note("a timerfd due after the timeout does not delay it");
    its = after_ms(1500);
    T(timerfd_settime(tfd2, 0, &its, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TRACE_WAIT(ep, 4, 40);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 39 && waited < 1000);

    T(close(tfd2));
    T(close(tfd));
    T(close(other));
    T(close(efd));
    T(close(ep));
    return 0;
}
