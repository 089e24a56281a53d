/* ppoll(): a timerfd due in 50 ms ends a 2 s ppoll early, and a ppoll
 * with nothing ready times out; either way the timespec is left as it was
 * (glibc hands the kernel a copy). A zero timespec only looks, a NULL one
 * waits for an event, an invalid one (negative, or 10^9 nanoseconds and
 * more) is EINVAL. The signal mask is NULL (DEVIATIONS.md R7). */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

int main(void)
{
    struct timespec t0, ts;
    long long waited;
    uint64_t ticks;
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec due50 = { .it_value = { .tv_nsec = 50 * MS } };
    struct pollfd p[2] = { { .fd = efd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };

    trace_note("a timerfd due in 50 ms ends a 2 s ppoll");
    T(timerfd_settime(tfd, 0, &due50, NULL));
    ts = (struct timespec){ 2, 0 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(ppoll(p, 2, &ts, NULL));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 45 && waited < 1500);
    trace_pollfds(p, 2);
    TRACE_VALUE("tv_sec", ts.tv_sec);
    TRACE_VALUE("tv_nsec", ts.tv_nsec);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("nothing ready: it times out after 40 ms");
    ts = (struct timespec){ 0, 40 * MS };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(ppoll(p, 2, &ts, NULL));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 35 && waited < 1000);
    trace_pollfds(p, 2);
    TRACE_VALUE("tv_sec", ts.tv_sec);
    TRACE_VALUE("tv_nsec", ts.tv_nsec);

    trace_note("a zero timespec only looks");
    ts = (struct timespec){ 0, 0 };
    T(ppoll(p, 2, &ts, NULL));
    p[0].events = POLLOUT;
    T(ppoll(p, 2, &ts, NULL));
    trace_pollfds(p, 2);
    p[0].events = POLLIN;

    trace_note("a NULL timespec: the timerfd ends the wait");
    T(timerfd_settime(tfd, 0, &due50, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(ppoll(p, 2, NULL, NULL));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 45 && waited < 1000);
    trace_pollfds(p, 2);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("invalid timespecs: EINVAL");
    ts = (struct timespec){ 0, 1000000000L };
    T(ppoll(p, 2, &ts, NULL));
    ts = (struct timespec){ -1, 0 };
    T(ppoll(p, 2, &ts, NULL));
    ts = (struct timespec){ 0, -1 };
    T(ppoll(p, 2, &ts, NULL));

    T(close(tfd));
    T(close(efd));
    return 0;
}
