/* poll() on an epoll fd: POLLIN (and POLLRDNORM when asked) while the
 * epoll set has an event to report, never POLLOUT; a stale readiness (the
 * eventfd was written, then read empty) does not count; a timerfd in the
 * epoll set expiring wakes a poll that waits on the epoll fd; the epoll
 * fd stays readable until the events are consumed (level-triggered). */
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

int main(void)
{
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 }, out[4];
    uint64_t one = 1, v;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));

    trace_note("nothing in the set is ready");
    struct pollfd p = { .fd = ep, .events = POLLIN | POLLOUT | POLLRDNORM };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);

    trace_note("the eventfd has a count");
    T(write(efd, &one, sizeof one));
    p.events = POLLIN | POLLOUT;
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    p.events = POLLIN | POLLOUT | POLLRDNORM;
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    p.events = POLLOUT;
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    T(poll(&p, 1, 0));

    trace_note("still readable: level-triggered, epoll_wait does not consume");
    p.events = POLLIN;
    int n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);

    trace_note("read empty: the readiness is stale");
    T(read(efd, &v, sizeof v));
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    n = T(epoll_wait(ep, out, 4, 0));

    trace_note("a timerfd in the set wakes a poll on the epoll fd");
    struct itimerspec its = { .it_value = { .tv_nsec = 30 * MS } };
    T(timerfd_settime(tfd, 0, &its, NULL));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(poll(&p, 1, 2000));
    long long waited = trace_ms_since(&t0);
    trace_pollfds(&p, 1);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);
    T(read(tfd, &v, sizeof v));
    TRACE_VALUE("ticks", v);
    T(poll(&p, 1, 0));

    trace_note("an edge-triggered item: readable until the edge is reported");
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(write(efd, &one, sizeof one));
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);

    trace_note("an empty epoll set");
    int ep2 = TFD(epoll_create1(0));
    struct pollfd q[2] = { { .fd = ep2, .events = POLLIN | POLLOUT }, { .fd = ep, .events = POLLIN } };
    T(poll(q, 2, 0));
    trace_pollfds(q, 2);

    T(close(ep2));
    T(close(tfd));
    T(close(efd));
    T(close(ep));
    return 0;
}
