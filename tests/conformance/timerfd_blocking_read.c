/* A blocking read of a timerfd waits until the timer expires (a 20 ms
 * one-shot, then an interval timer read twice), returns the expirations,
 * and a blocking timerfd cleared of O_NONBLOCK by fcntl waits the same way;
 * reads with too small a buffer fail with EINVAL without waiting, even on
 * an armed timer that has not expired. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

int main(void)
{
    uint64_t ticks = 0;
    struct timespec t0;
    long long waited;

    trace_note("a one-shot, 20 ms");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, 0));
    struct itimerspec its = { .it_value = { .tv_nsec = 20 * MS } };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    waited = trace_ms_since(&t0);
    TRACE_VALUE("ticks", ticks);
    TRACE_TRUE(waited >= 15 && waited < 500);

    trace_note("too small a buffer fails at once, armed or not");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(read(tfd, &ticks, 4));
    its.it_value.tv_sec = 5;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(read(tfd, &ticks, 7));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited < 500);

    trace_note("an interval of 30 ms, read twice");
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 30 * MS;
    its.it_interval.tv_nsec = 30 * MS;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 1 && ticks < 10);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 1 && ticks < 10);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 50 && waited < 1000);

    trace_note("a larger buffer: 8 bytes are filled");
    unsigned char big[16];
    T(read(tfd, big, sizeof big));
    T(close(tfd));

    trace_note("TFD_NONBLOCK cleared by fcntl: the read waits");
    tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    T(read(tfd, &ticks, sizeof ticks));
    T(fcntl(tfd, F_SETFL, 0));
    its.it_value.tv_nsec = 20 * MS;
    its.it_interval.tv_nsec = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    waited = trace_ms_since(&t0);
    TRACE_VALUE("ticks", ticks);
    TRACE_TRUE(waited >= 15 && waited < 500);
    T(close(tfd));
    return 0;
}
