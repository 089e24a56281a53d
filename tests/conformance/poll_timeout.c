/* poll()'s timeout: with nothing ready it returns 0 after about the
 * timeout (revents all 0); with nfds 0 and a NULL array it just sleeps for
 * the timeout; with a timerfd in the set it wakes early, when the timer
 * expires, with only that entry reported; with timeout -1 a timerfd ends
 * the wait; a timerfd due after the timeout does not end it early. */
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
    struct timespec t0;
    long long waited;
    uint64_t ticks;
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));

    trace_note("nothing ready, 50 ms");
    struct pollfd p[2] = { { .fd = efd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(p, 2, 50));
    waited = trace_ms_since(&t0);
    trace_pollfds(p, 2);
    TRACE_TRUE(waited >= 45 && waited < 1000);

    trace_note("nfds 0: a sleep of 40 ms");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(NULL, 0, 40));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 35 && waited < 1000);
    T(poll(NULL, 0, 0));

    trace_note("a timerfd due in 30 ms wakes a 2 s poll");
    struct itimerspec its = { .it_value = { .tv_nsec = 30 * MS } };
    T(timerfd_settime(tfd, 0, &its, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(p, 2, 2000));
    waited = trace_ms_since(&t0);
    trace_pollfds(p, 2);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);

    trace_note("timeout -1: the timerfd ends the wait");
    T(timerfd_settime(tfd, 0, &its, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(p, 2, -1));
    waited = trace_ms_since(&t0);
    trace_pollfds(p, 2);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("a timerfd due in 1 s does not end a 30 ms poll");
    its.it_value.tv_sec = 1;
    its.it_value.tv_nsec = 0;
    T(timerfd_settime(tfd, 0, &its, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(p, 2, 30));
    waited = trace_ms_since(&t0);
    trace_pollfds(p, 2);
    TRACE_TRUE(waited >= 25 && waited < 900);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("a timerfd not in the set does not end the wait early");
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 10 * MS;
    T(timerfd_settime(tfd, 0, &its, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(p, 1, 60));
    waited = trace_ms_since(&t0);
    trace_pollfds(p, 1);
    TRACE_TRUE(waited >= 55 && waited < 1000);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);

    T(close(tfd));
    T(close(efd));
    return 0;
}
