/* An interval timerfd: gettime shows it_interval exactly and it_value
 * within (0, interval]; waiting in poll for the first expiry and reading
 * gives at least one tick; after sleeping past several intervals a single
 * read returns all the expirations missed meanwhile (overruns), and the
 * timer keeps running: it_value stays within (0, interval] afterwards. */
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

static int value_in_interval(const struct itimerspec *cur, long interval_ns)
{
    return cur->it_value.tv_sec == 0 && cur->it_value.tv_nsec > 0 && cur->it_value.tv_nsec <= interval_ns;
}

int main(void)
{
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec its = { .it_interval = { .tv_nsec = 40 * MS }, .it_value = { .tv_nsec = 40 * MS } }, cur;
    uint64_t ticks = 0;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 40 * MS);
    TRACE_TRUE(value_in_interval(&cur, 40 * MS));
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("the first expiry");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pollfd p = { .fd = tfd, .events = POLLIN };
    T(poll(&p, 1, 2000));
    trace_pollfds(&p, 1);
    long long waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 30 && waited < 1000);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 1 && ticks < 25);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("it_value counts down to the next expiry, it_interval is unchanged");
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 40 * MS);
    TRACE_TRUE(value_in_interval(&cur, 40 * MS));

    trace_note("overruns: sleep past about 5 intervals, read once");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(read(tfd, &ticks, sizeof ticks));
    usleep(210 * 1000);
    long long slept = trace_ms_since(&t0);
    TRACE_TRUE(slept >= 200);
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    T(read(tfd, &ticks, sizeof ticks));
    long long expected = slept / 40;
    TRACE_TRUE(ticks >= 4 && (long long)ticks >= expected - 1 && (long long)ticks <= expected + 1);
    T(read(tfd, &ticks, sizeof ticks));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 40 * MS);
    TRACE_TRUE(value_in_interval(&cur, 40 * MS));

    trace_note("it keeps ticking: a blocking wait in poll sees the next one");
    T(poll(&p, 1, 2000));
    trace_pollfds(&p, 1);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 1 && ticks < 25);

    trace_note("an interval with whole seconds");
    its.it_interval.tv_sec = 2;
    its.it_interval.tv_nsec = 500 * MS;
    its.it_value.tv_sec = 1;
    its.it_value.tv_nsec = 0;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_interval.tv_sec == 2 && cur.it_interval.tv_nsec == 500 * MS);
    TRACE_TRUE(cur.it_value.tv_sec == 0 || (cur.it_value.tv_sec == 1 && cur.it_value.tv_nsec == 0));
    TRACE_TRUE(cur.it_value.tv_sec == 1 || cur.it_value.tv_nsec > 500 * MS);
    T(read(tfd, &ticks, sizeof ticks));

    T(close(tfd));
    return 0;
}
