/* An interval timerfd in epoll, level-triggered in one set and
 * edge-triggered in another. A blocking wait ends at the first expiry in
 * both. Level-triggered: reported on every wait while expirations are
 * unread. Edge-triggered: reported once for the expiry. While the count is
 * unread, later intervals are no new edge: Linux does not restart an
 * expired interval timer until it is read (the read counts the missed
 * intervals), so a 700 ms wait on the edge-triggered set times out. After
 * the read, the next expiry wakes both again; timerfd_gettime on an
 * expired, unread timer restarts it too (counting the missed intervals), so
 * its next expiry is an edge again. Re-arming with
 * timerfd_settime clears unread expirations without a wake-up; a disarmed
 * timer ends no wait. Timing checks are generous. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    uint64_t ticks = 0;
    int lt = TFD(epoll_create1(0));
    int et = TFD(epoll_create1(0));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(lt, EPOLL_CTL_ADD, tfd, &ev));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(et, EPOLL_CTL_ADD, tfd, &ev));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("first expiry after 20 ms, then every 300 ms");
    struct itimerspec its = { .it_value = { .tv_nsec = 20 * 1000000 }, .it_interval = { .tv_nsec = 300 * 1000000 } };
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    TRACE_WAIT(lt, 4, 2000);
    long long waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 15 && waited < 250);

    trace_note("level: again and again; edge: once");
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("unread: later intervals are no new edge, a 700 ms wait times out");
    TRACE_WAIT(et, 4, 700);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 690 && waited < 2000);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(lt, 4, 0);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 2 && ticks <= 6);

    trace_note("read: both silent until the next expiry, which wakes both");
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(lt, 4, 2000);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(et, 4, 0);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 850 && waited < 3500);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 1 && ticks <= 4);

    trace_note("expired and unread, then timerfd_gettime: the timer runs again, its next expiry is an edge");
    TRACE_WAIT(lt, 4, 2000);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(et, 4, 0);
    struct itimerspec cur;
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 300 * 1000000);
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 300 * 1000000);
    TRACE_WAIT(et, 4, 2000);
    TRACE_WAIT(et, 4, 0);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 1150 && waited < 5000);
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_TRUE(ticks >= 2 && ticks <= 5);

    trace_note("re-arming clears unread expirations: no event, and no edge");
    its.it_value.tv_nsec = 0;
    its.it_value.tv_sec = 10;
    its.it_interval.tv_nsec = 0;
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(read(tfd, &ticks, sizeof ticks));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("disarmed: a wait times out");
    its.it_value.tv_sec = 0;
    T(timerfd_settime(tfd, 0, &its, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TRACE_WAIT(lt, 4, 40);
    waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 35 && waited < 1000);

    T(close(tfd));
    T(close(lt));
    T(close(et));
    return 0;
}
