/* select() writes the time left back into its timeval, as Linux does
 * (glibc passes the kernel's update on): a timerfd due in 100 ms ends a
 * 2 s select with 2 s less the time it waited left; a select that times
 * out leaves {0, 0}; a zero timeout stays {0, 0}; microseconds past a
 * second are carried into the seconds; a select that fails with EBADF
 * still writes back nearly the whole timeout; a negative time is EINVAL
 * and the timeval stays as it was. pselect() leaves its timespec alone
 * (glibc and musl hand the kernel a copy), and an invalid timespec is
 * EINVAL. Times left are compared with a tolerance and printed only as
 * whether they fell in their range. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

static long long tv_ms(const struct timeval *tv)
{
    return (long long)tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

int main(void)
{
    uint64_t ticks;
    struct timespec t0;
    long long waited;
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    int nfds = (efd > tfd ? efd : tfd) + 1;
    fd_set r, w;
    struct timeval tv;
    struct itimerspec due100 = { .it_value = { .tv_nsec = 100 * MS } };

    trace_note("a timerfd due in 100 ms ends a 2 s select: the time left is 2 s less the wait");
    T(timerfd_settime(tfd, 0, &due100, NULL));
    FD_ZERO(&r);
    FD_SET(efd, &r);
    FD_SET(tfd, &r);
    tv = (struct timeval){ 2, 0 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, &r, NULL, NULL, &tv));
    waited = trace_ms_since(&t0);
    TRACE_VALUE("tfd set", FD_ISSET(tfd, &r) != 0);
    TRACE_TRUE(waited >= 95 && waited < 1500);
    TRACE_TRUE(llabs(tv_ms(&tv) - (2000 - waited)) <= 20);
    TRACE_TRUE(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("a select that times out leaves {0, 0}");
    FD_ZERO(&r);
    FD_SET(efd, &r);
    tv = (struct timeval){ 0, 50000 };
    T(select(nfds, &r, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);

    trace_note("nfds 0, no sets, 30 ms: {0, 0} after it too");
    tv = (struct timeval){ 0, 30000 };
    T(select(0, NULL, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);

    trace_note("a zero timeout stays zero, ready or not");
    tv = (struct timeval){ 0, 0 };
    FD_ZERO(&r);
    FD_SET(efd, &r);
    T(select(nfds, &r, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);
    FD_ZERO(&w);
    FD_SET(efd, &w);
    T(select(nfds, NULL, &w, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);

    trace_note("ready at once with 2 s: nearly all of it left");
    FD_ZERO(&w);
    FD_SET(efd, &w);
    tv = (struct timeval){ 2, 0 };
    T(select(nfds, NULL, &w, NULL, &tv));
    TRACE_VALUE("seconds left", tv.tv_sec);
    TRACE_TRUE(tv_ms(&tv) >= 1500 && tv_ms(&tv) <= 2000);

    trace_note("1,500,000 microseconds: carried into the seconds");
    FD_ZERO(&w);
    FD_SET(efd, &w);
    tv = (struct timeval){ 0, 1500000 };
    T(select(nfds, NULL, &w, NULL, &tv));
    TRACE_VALUE("seconds left", tv.tv_sec);
    TRACE_TRUE(tv_ms(&tv) >= 1000 && tv_ms(&tv) <= 1500);
    TRACE_TRUE(tv.tv_usec < 1000000);
    trace_note("and when it times out");
    FD_ZERO(&r);
    FD_SET(efd, &r);
    tv = (struct timeval){ 0, 1020000 };
    T(select(nfds, &r, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);

    trace_note("EBADF: the timeval is still written, with nearly all the time left");
    int closed = TFD(eventfd(0, 0));
    T(close(closed));
    FD_ZERO(&r);
    FD_SET(closed, &r);
    tv = (struct timeval){ 0, 500000 };
    T(select(closed + 1, &r, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_TRUE(tv.tv_usec >= 400000 && tv.tv_usec <= 500000);

    trace_note("negative times: EINVAL, the timeval untouched");
    FD_ZERO(&r);
    FD_SET(efd, &r);
    tv = (struct timeval){ -1, 0 };
    T(select(nfds, &r, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);
    tv = (struct timeval){ 0, -1 };
    T(select(nfds, &r, NULL, NULL, &tv));
    TRACE_VALUE("tv_sec", tv.tv_sec);
    TRACE_VALUE("tv_usec", tv.tv_usec);

    trace_note("pselect: the timespec is left as it was");
    struct timespec ts;
    T(timerfd_settime(tfd, 0, &due100, NULL));
    FD_ZERO(&r);
    FD_SET(efd, &r);
    FD_SET(tfd, &r);
    ts = (struct timespec){ 0, 500 * MS };
    T(pselect(nfds, &r, NULL, NULL, &ts, NULL));
    TRACE_VALUE("tfd set", FD_ISSET(tfd, &r) != 0);
    TRACE_VALUE("tv_sec", ts.tv_sec);
    TRACE_VALUE("tv_nsec", ts.tv_nsec);
    T(read(tfd, &ticks, sizeof ticks));
    FD_ZERO(&r);
    FD_SET(efd, &r);
    ts = (struct timespec){ 0, 40 * MS };
    T(pselect(nfds, &r, NULL, NULL, &ts, NULL));
    TRACE_VALUE("tv_sec", ts.tv_sec);
    TRACE_VALUE("tv_nsec", ts.tv_nsec);
    trace_note("pselect: an invalid timespec is EINVAL");
    ts = (struct timespec){ 0, 1000000000L };
    T(pselect(nfds, &r, NULL, NULL, &ts, NULL));
    ts = (struct timespec){ -1, 0 };
    T(pselect(nfds, &r, NULL, NULL, &ts, NULL));

    T(close(tfd));
    T(close(efd));
    return 0;
}
