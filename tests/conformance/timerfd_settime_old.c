/* timerfd_settime's old_value returns the setting it replaces (remaining
 * time within bounds, the interval exactly, zero it_value for a disarmed
 * timer or an expired one-shot); it_value 0 disarms (gettime then shows
 * it_value 0 and whatever interval was given, and no expiry comes); and
 * re-arming discards the expirations not yet read. */
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

static int is_zero(const struct timespec *ts)
{
    return ts->tv_sec == 0 && ts->tv_nsec == 0;
}

int main(void)
{
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec its = { 0 }, old, cur;
    uint64_t ticks = 0;

    trace_note("a never-armed timer: old_value is all zero");
    old.it_value.tv_sec = 99;
    old.it_interval.tv_sec = 99;
    its.it_value.tv_sec = 5;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(is_zero(&old.it_value) && is_zero(&old.it_interval));

    trace_note("replacing a 5 s one-shot");
    its.it_value.tv_sec = 3;
    its.it_interval.tv_sec = 1;
    its.it_interval.tv_nsec = 250 * MS;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(old.it_value.tv_sec == 4 || (old.it_value.tv_sec == 5 && old.it_value.tv_nsec == 0));
    TRACE_TRUE(old.it_value.tv_sec == 5 || old.it_value.tv_nsec > 500 * MS);
    TRACE_TRUE(is_zero(&old.it_interval));

    trace_note("replacing the 3 s timer with a 1.25 s interval");
    its.it_value.tv_sec = 10;
    its.it_interval.tv_sec = 0;
    its.it_interval.tv_nsec = 0;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(old.it_value.tv_sec == 2 || (old.it_value.tv_sec == 3 && old.it_value.tv_nsec == 0));
    TRACE_TRUE(old.it_interval.tv_sec == 1 && old.it_interval.tv_nsec == 250 * MS);

    trace_note("disarm with it_value 0 but an interval given");
    its.it_value.tv_sec = 0;
    its.it_interval.tv_sec = 1;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(old.it_value.tv_sec == 9 || (old.it_value.tv_sec == 10 && old.it_value.tv_nsec == 0));
    TRACE_TRUE(is_zero(&old.it_interval));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(is_zero(&cur.it_value));
    TRACE_VALUE("it_interval.tv_sec", cur.it_interval.tv_sec);
    TRACE_VALUE("it_interval.tv_nsec", cur.it_interval.tv_nsec);
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(is_zero(&old.it_value));
    TRACE_VALUE("old it_interval.tv_sec", old.it_interval.tv_sec);

    trace_note("a disarmed short timer never fires");
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 20 * MS;
    its.it_interval.tv_sec = 0;
    T(timerfd_settime(tfd, 0, &its, NULL));
    its.it_value.tv_nsec = 0;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 20 * MS);
    struct pollfd p = { .fd = tfd, .events = POLLIN };
    T(poll(&p, 1, 60));
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("an expired one-shot: old_value is zero");
    its.it_value.tv_nsec = 10 * MS;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(poll(&p, 1, 2000));
    its.it_value.tv_nsec = 0;
    its.it_value.tv_sec = 1;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(is_zero(&old.it_value) && is_zero(&old.it_interval));

    trace_note("re-arming drops the unread expiration");
    T(read(tfd, &ticks, sizeof ticks));
    T(poll(&p, 1, 0));

    trace_note("an interval timer with unread ticks, re-armed");
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 10 * MS;
    its.it_interval.tv_nsec = 10 * MS;
    T(timerfd_settime(tfd, 0, &its, NULL));
    usleep(60 * 1000);
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    its.it_value.tv_sec = 2;
    its.it_value.tv_nsec = 0;
    T(timerfd_settime(tfd, 0, &its, &old));
    TRACE_TRUE(old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 10 * MS);
    TRACE_TRUE(old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 10 * MS);
    T(poll(&p, 1, 0));
    T(read(tfd, &ticks, sizeof ticks));

    T(close(tfd));
    return 0;
}
