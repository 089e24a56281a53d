/* A one-shot timerfd: not readable before, readable once after its
 * deadline, gettime counts down and reads 0 after expiry; a blocking
 * epoll_wait wakes at the deadline. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec its = { .it_value = { .tv_nsec = 30 * 1000000 } }, cur;
    uint64_t ticks = 0;
    T(read(tfd, &ticks, sizeof ticks));
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 30 * 1000000);
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0);
    T(read(tfd, &ticks, sizeof ticks));

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 3 }, out[2];
    T(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));
    int n = T(epoll_wait(ep, out, 2, 1000));
    trace_epoll_events(out, n);
    long long waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 25 && waited < 500);

    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);
    T(read(tfd, &ticks, sizeof ticks));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    n = T(epoll_wait(ep, out, 2, 0));

    trace_note("bad arguments");
    T(timerfd_create(12345, 0));
    T(timerfd_create(CLOCK_MONOTONIC, 0x10));
    its.it_value.tv_nsec = 1000000000;
    T(timerfd_settime(tfd, 0, &its, NULL));
    its.it_value.tv_nsec = 0;
    T(timerfd_settime(tfd, 0x40, &its, NULL));
    T(timerfd_settime(ep, 0, &its, NULL));
    T(timerfd_settime(-1, 0, &its, NULL));
    T(timerfd_gettime(ep, &cur));
    T(write(tfd, &ticks, sizeof ticks));
    T(read(tfd, &ticks, 4));
    T(close(ep));
    T(close(tfd));
    return 0;
}
