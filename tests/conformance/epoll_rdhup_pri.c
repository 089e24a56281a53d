/* Events an eventfd never has. Requested on an eventfd, EPOLLRDHUP and
 * EPOLLPRI (and EPOLLRDNORM, EPOLLWRNORM, EPOLLRDBAND, EPOLLWRBAND,
 * EPOLLMSG) are simply never reported: with EPOLLIN besides, a write
 * reports EPOLLIN only; alone, nothing is ever reported -- not after writes,
 * reads, a full counter, nor as an edge. poll() with POLLPRI|POLLRDHUP sees
 * nothing either. The same on a timerfd that has expired. An epoll fd, by
 * contrast, does report EPOLLRDNORM with EPOLLIN when asked. */
#define _GNU_SOURCE   /* POLLRDHUP, POLLMSG */
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define POLL1(fd_, evs)                                          \
    do {                                                         \
        struct pollfd p_ = { .fd = (fd_), .events = (evs) };     \
        int n_ = (int)T(poll(&p_, 1, 0));                        \
        if (n_ >= 0) trace_pollfds(&p_, 1);                      \
    } while (0)

int main(void)
{
    eventfd_t v = 0;
    int ep = TFD(epoll_create1(0));
    int odd = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI | EPOLLRDHUP, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLPRI | EPOLLRDHUP;
    ev.data.u64 = 2;
    T(epoll_ctl(odd, EPOLL_CTL_ADD, efd, &ev));

    trace_note("EPOLLIN|EPOLLPRI|EPOLLRDHUP: EPOLLIN only");
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    trace_note("EPOLLPRI|EPOLLRDHUP alone: never");
    TRACE_WAIT(odd, 4, 0);
    POLL1(efd, POLLPRI | POLLRDHUP);
    POLL1(efd, POLLIN | POLLPRI | POLLRDHUP);
    T(eventfd_read(efd, &v));
    TRACE_WAIT(odd, 4, 0);
    T(eventfd_write(efd, UINT64_MAX - 1));
    TRACE_WAIT(odd, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(efd, &v));

    trace_note("as an edge-triggered item: writes and reads are no edges for it");
    ev.events = EPOLLPRI | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = 3;
    T(epoll_ctl(odd, EPOLL_CTL_MOD, efd, &ev));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(odd, 4, 0);
    T(eventfd_read(efd, &v));
    TRACE_WAIT(odd, 4, 0);

    trace_note("the other bits an eventfd never has");
    ev.events = EPOLLRDNORM | EPOLLWRNORM | EPOLLRDBAND | EPOLLWRBAND | EPOLLMSG;
    ev.data.u64 = 4;
    T(epoll_ctl(odd, EPOLL_CTL_MOD, efd, &ev));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(odd, 4, 0);
    POLL1(efd, POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND | POLLMSG);
    ev.events |= EPOLLIN;
    T(epoll_ctl(odd, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(odd, 4, 0);
    T(eventfd_read(efd, &v));

    trace_note("an expired timerfd");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec its = { .it_value = { .tv_nsec = 1000000 } };
    T(timerfd_settime(tfd, 0, &its, NULL));
    struct pollfd p = { .fd = tfd, .events = POLLIN };
    T(poll(&p, 1, 1000));
    trace_pollfds(&p, 1);
    ev.events = EPOLLPRI | EPOLLRDHUP | EPOLLRDNORM;
    ev.data.u64 = 5;
    T(epoll_ctl(odd, EPOLL_CTL_ADD, tfd, &ev));
    TRACE_WAIT(odd, 4, 0);
    ev.events = EPOLLIN | EPOLLPRI | EPOLLRDHUP;
    ev.data.u64 = 6;
    T(epoll_ctl(odd, EPOLL_CTL_MOD, tfd, &ev));
    TRACE_WAIT(odd, 4, 0);
    T(epoll_ctl(odd, EPOLL_CTL_DEL, tfd, NULL));

    trace_note("an epoll fd with events: EPOLLRDNORM when asked, never PRI/RDHUP/OUT");
    T(eventfd_write(efd, 1));
    int outer = TFD(epoll_create1(0));
    ev.events = EPOLLIN | EPOLLRDNORM | EPOLLPRI | EPOLLRDHUP | EPOLLOUT;
    ev.data.u64 = 7;
    T(epoll_ctl(outer, EPOLL_CTL_ADD, odd, &ev));
    TRACE_WAIT(outer, 4, 0);
    POLL1(odd, POLLIN | POLLRDNORM | POLLPRI | POLLRDHUP | POLLOUT);
    ev.events = EPOLLPRI | EPOLLRDHUP;
    ev.data.u64 = 8;
    T(epoll_ctl(outer, EPOLL_CTL_MOD, odd, &ev));
    TRACE_WAIT(outer, 4, 0);

    T(close(outer));
    T(close(tfd));
    T(close(efd));
    T(close(odd));
    T(close(ep));
    return 0;
}
