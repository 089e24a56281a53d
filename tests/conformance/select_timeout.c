/* select()'s timeout: with nothing ready it returns 0 after about the
 * timeout and clears the sets; nfds 0 with no sets just sleeps; a timerfd
 * in the read set that expires first wakes it early with only that fd set;
 * with a NULL timeout a timerfd ends the wait; a timerfd that is not in
 * the sets does not end it early. What select writes back into the
 * timeval is select_time_left's concern. */
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>
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
    int nfds = (efd > tfd ? efd : tfd) + 1;
    fd_set r;
    struct timeval tv;

    trace_note("nothing ready, 50 ms");
    FD_ZERO(&r);
    FD_SET(efd, &r);
    FD_SET(tfd, &r);
    tv = (struct timeval){ 0, 50000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, &r, NULL, NULL, &tv));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 45 && waited < 1000);
    TRACE_VALUE("efd set", FD_ISSET(efd, &r) != 0);
    TRACE_VALUE("tfd set", FD_ISSET(tfd, &r) != 0);

    trace_note("nfds 0, no sets: a sleep of 40 ms");
    tv = (struct timeval){ 0, 40000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(0, NULL, NULL, NULL, &tv));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 35 && waited < 1000);

    trace_note("a timerfd due in 30 ms wakes a 2 s select");
    struct itimerspec its = { .it_value = { .tv_nsec = 30 * MS } };
    T(timerfd_settime(tfd, 0, &its, NULL));
    FD_ZERO(&r);
    FD_SET(efd, &r);
    FD_SET(tfd, &r);
    tv = (struct timeval){ 2, 0 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, &r, NULL, NULL, &tv));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    TRACE_VALUE("efd set", FD_ISSET(efd, &r) != 0);
    TRACE_VALUE("tfd set", FD_ISSET(tfd, &r) != 0);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);

    trace_note("NULL timeout: the timerfd ends the wait");
    T(timerfd_settime(tfd, 0, &its, NULL));
    FD_ZERO(&r);
    FD_SET(efd, &r);
    FD_SET(tfd, &r);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, &r, NULL, NULL, NULL));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    TRACE_VALUE("tfd set", FD_ISSET(tfd, &r) != 0);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("the timerfd only in the except set: it does not end the wait");
    its.it_value.tv_nsec = 10 * MS;
    T(timerfd_settime(tfd, 0, &its, NULL));
    fd_set ex;
    FD_ZERO(&r);
    FD_SET(efd, &r);
    FD_ZERO(&ex);
    FD_SET(tfd, &ex);
    tv = (struct timeval){ 0, 60000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, &r, NULL, &ex, &tv));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 55 && waited < 1000);
    TRACE_VALUE("tfd in except", FD_ISSET(tfd, &ex) != 0);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_VALUE("ticks", ticks);

    trace_note("a timerfd not in the sets at all");
    T(timerfd_settime(tfd, 0, &its, NULL));
    FD_ZERO(&r);
    FD_SET(efd, &r);
    tv = (struct timeval){ 0, 60000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, &r, NULL, NULL, &tv));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 55 && waited < 1000);
    T(read(tfd, &ticks, sizeof ticks));

    trace_note("the eventfd is writable at once, even with a long timeout");
    fd_set wr;
    FD_ZERO(&wr);
    FD_SET(efd, &wr);
    tv = (struct timeval){ 5, 0 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(select(nfds, NULL, &wr, NULL, &tv));
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited < 500);
    TRACE_VALUE("efd writable", FD_ISSET(efd, &wr) != 0);

    T(close(tfd));
    T(close(efd));
    return 0;
}
