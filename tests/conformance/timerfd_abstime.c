/* TFD_TIMER_ABSTIME: an absolute deadline 20 ms ahead (from clock_gettime)
 * on CLOCK_MONOTONIC and on CLOCK_REALTIME shows as a relative it_value in
 * gettime and expires after about 20 ms; an absolute deadline in the past
 * expires at once (one tick), and with an interval the intervals elapsed
 * since that past deadline count as overruns. */
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

static struct timespec plus_ms(struct timespec t, long ms)
{
    long long ns = t.tv_nsec + ms * MS;
    long long sec = ns / 1000000000LL;
    ns %= 1000000000LL;
    if (ns < 0) ns += 1000000000LL, sec--;
    t.tv_sec += (time_t)sec;
    t.tv_nsec = (long)ns;
    return t;
}

static void future(int clockid)
{
    int tfd = TFD(timerfd_create(clockid, TFD_NONBLOCK));
    struct itimerspec its = { 0 }, cur;
    uint64_t ticks = 0;
    struct timespec now, t0;
    clock_gettime(clockid, &now);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    its.it_value = plus_ms(now, 20);
    T(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 20 * MS);
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0);
    T(read(tfd, &ticks, sizeof ticks));
    struct pollfd p = { .fd = tfd, .events = POLLIN };
    T(poll(&p, 1, 2000));
    trace_pollfds(&p, 1);
    long long waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 15 && waited < 500);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    T(close(tfd));
}

static void past(int clockid)
{
    int tfd = TFD(timerfd_create(clockid, TFD_NONBLOCK));
    struct itimerspec its = { 0 }, cur;
    uint64_t ticks = 0;
    struct timespec now;

    trace_note("one second ago: fires at once");
    clock_gettime(clockid, &now);
    its.it_value = plus_ms(now, -1000);
    T(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);
    T(read(tfd, &ticks, sizeof ticks));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

    trace_note("1 ns after the clock's epoch: fires at once");
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 1;
    T(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);

    trace_note("one second ago with a 100 ms interval: about 11 expirations at once");
    clock_gettime(clockid, &now);
    its.it_value = plus_ms(now, -1000);
    its.it_interval.tv_nsec = 100 * MS;
    T(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 11 && ticks <= 16);
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 100 * MS);
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 100 * MS);
    T(close(tfd));
}

int main(void)
{
    trace_note("CLOCK_MONOTONIC, 20 ms ahead");
    future(CLOCK_MONOTONIC);
    trace_note("CLOCK_REALTIME, 20 ms ahead");
    future(CLOCK_REALTIME);
    trace_note("CLOCK_MONOTONIC, in the past");
    past(CLOCK_MONOTONIC);
    trace_note("CLOCK_REALTIME, in the past");
    past(CLOCK_REALTIME);

    trace_note("without TFD_TIMER_ABSTIME the same value is relative");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec its = { .it_value = { .tv_sec = 0, .tv_nsec = 1 } }, cur;
    its.it_value.tv_sec = 100;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 99 || cur.it_value.tv_sec == 100);
    uint64_t ticks;
    T(read(tfd, &ticks, sizeof ticks));
    T(close(tfd));
    return 0;
}
