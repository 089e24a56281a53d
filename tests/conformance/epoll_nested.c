/* An epoll fd inside another epoll set. The inner epoll fd polls as
 * EPOLLIN|EPOLLRDNORM while it has events to report, so the outer set
 * reports EPOLLIN (and EPOLLRDNORM if asked for, never EPOLLOUT) with the
 * outer registration's data: level-triggered on the outer, on every wait
 * while the inner has events; edge-triggered on the outer, once per wake-up
 * of the inner (each write to the watched eventfd). Waiting on the outer
 * does not consume the inner's events; once the inner's events are gone
 * (read, or harvested from an edge-triggered inner item) the outer reports
 * nothing, even for an edge it had queued. poll() sees the inner epoll fd
 * the same way. A timerfd inside the inner set ends a blocking wait on the
 * outer one. Closing the inner epoll fd drops its registration. */
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define POLL1(fd_)                                               \
    do {                                                         \
        struct pollfd p_ = { .fd = (fd_), .events = POLLIN | POLLOUT }; \
        int n_ = (int)T(poll(&p_, 1, 0));                        \
        if (n_ >= 0) trace_pollfds(&p_, 1);                      \
    } while (0)

int main(void)
{
    eventfd_t v = 0;
    int inner = TFD(epoll_create1(0));
    int outer_lt = TFD(epoll_create1(0));
    int outer_et = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(inner, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 10;
    T(epoll_ctl(outer_lt, EPOLL_CTL_ADD, inner, &ev));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 20;
    T(epoll_ctl(outer_et, EPOLL_CTL_ADD, inner, &ev));

    trace_note("inner has nothing: outer sets report nothing");
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);
    POLL1(inner);

    trace_note("a write: inner has an event, outer sets see EPOLLIN");
    T(eventfd_write(efd, 1));
    POLL1(inner);
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);

    trace_note("waiting on the inner set does not consume its level-triggered event");
    TRACE_WAIT(inner, 4, 0);
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);

    trace_note("a new write is a new edge for the edge-triggered outer");
    T(eventfd_write(efd, 1));
    TRACE_WAIT(outer_et, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);
    TRACE_WAIT(outer_lt, 4, 0);

    trace_note("read: inner has nothing left");
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    POLL1(inner);
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);

    trace_note("an edge queued on the outer is dropped if the inner has nothing by then");
    T(eventfd_write(efd, 1));
    T(eventfd_read(efd, &v));
    TRACE_WAIT(outer_et, 4, 0);
    TRACE_WAIT(outer_lt, 4, 0);

    trace_note("edge-triggered inner item: outer waits do not consume it, an inner wait does");
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(inner, EPOLL_CTL_MOD, efd, &ev));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(inner, 4, 0);
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);
    POLL1(inner);
    T(eventfd_read(efd, &v));

    trace_note("outer interest EPOLLIN|EPOLLRDNORM, then EPOLLOUT only");
    ev.events = EPOLLIN;
    ev.data.u64 = 1;
    T(epoll_ctl(inner, EPOLL_CTL_MOD, efd, &ev));
    ev.events = EPOLLIN | EPOLLRDNORM;
    ev.data.u64 = 11;
    T(epoll_ctl(outer_lt, EPOLL_CTL_MOD, inner, &ev));
    TRACE_WAIT(outer_lt, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(outer_lt, 4, 0);
    ev.events = EPOLLOUT;
    ev.data.u64 = 12;
    T(epoll_ctl(outer_lt, EPOLL_CTL_MOD, inner, &ev));
    TRACE_WAIT(outer_lt, 4, 0);
    T(eventfd_read(efd, &v));

    trace_note("ADD of an inner set that already has events: reported at once");
    int inner2 = TFD(epoll_create1(0));
    int efd2 = TFD(eventfd(1, EFD_NONBLOCK));
    ev.events = EPOLLIN;
    ev.data.u64 = 3;
    T(epoll_ctl(inner2, EPOLL_CTL_ADD, efd2, &ev));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 30;
    T(epoll_ctl(outer_et, EPOLL_CTL_ADD, inner2, &ev));
    TRACE_WAIT(outer_et, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);

    trace_note("a timerfd in the inner set ends a blocking wait on the outer set");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    ev.events = EPOLLIN;
    ev.data.u64 = 4;
    T(epoll_ctl(inner, EPOLL_CTL_ADD, tfd, &ev));
    ev.events = EPOLLIN;
    ev.data.u64 = 13;
    T(epoll_ctl(outer_lt, EPOLL_CTL_MOD, inner, &ev));
    struct itimerspec its = { .it_value = { .tv_nsec = 30 * 1000000 } };
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(timerfd_settime(tfd, 0, &its, NULL));
    TRACE_WAIT(outer_lt, 4, 2000);
    long long waited = trace_ms_since(&t0);
    TRACE_TRUE(waited >= 25 && waited < 1000);
    TRACE_WAIT(inner, 4, 0);

    trace_note("closing the inner epoll fd drops its registrations in the outer sets");
    T(close(inner));
    TRACE_WAIT(outer_lt, 4, 0);
    TRACE_WAIT(outer_et, 4, 0);
    T(eventfd_write(efd2, 1));
    TRACE_WAIT(outer_et, 4, 0);

    T(close(tfd));
    T(close(efd2));
    T(close(inner2));
    T(close(efd));
    T(close(outer_lt));
    T(close(outer_et));
    return 0;
}
