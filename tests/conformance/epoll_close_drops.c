/* Closing the only fd of a watched file drops its registration. An
 * eventfd that was written (and so is on the ready list) and then closed is
 * no longer reported; a new eventfd that gets the same fd number is not
 * registered (MOD and DEL give ENOENT, ADD succeeds without EEXIST) and is
 * reported with its own new data only. The same for a timerfd that is armed
 * when closed, and for a watched epoll fd. Closing the epoll fd itself and
 * creating a new one gives an empty set. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int keep = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, keep, &ev));

    trace_note("a ready fd, closed: no longer reported");
    T(eventfd_write(efd, 1));
    T(eventfd_write(keep, 1));
    TRACE_WAIT(ep, 4, 0);
    T(close(efd));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

    trace_note("a new eventfd with the same number is not registered");
    int again = TFD(eventfd(5, EFD_NONBLOCK));
    TRACE_TRUE(again == efd);
    TRACE_WAIT(ep, 4, 0);
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, again, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, again, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, again, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_ADD, again, &ev));

    trace_note("closed while not ready, then the new fd becomes ready: only the new data");
    T(close(again));
    int third = TFD(eventfd(0, EFD_NONBLOCK));
    TRACE_TRUE(third == efd);
    T(eventfd_write(third, 1));
    TRACE_WAIT(ep, 4, 0);
    ev.data.u64 = 4;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, third, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(close(third));

    trace_note("an armed timerfd, closed: its expiry is never reported");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    ev.data.u64 = 5;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));
    struct itimerspec its = { .it_value = { .tv_nsec = 20 * 1000000 } };
    T(timerfd_settime(tfd, 0, &its, NULL));
    T(close(tfd));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, keep, NULL));
    TRACE_WAIT(ep, 4, 60);

    trace_note("a watched epoll fd, closed");
    int inner = TFD(epoll_create1(0));
    ev.data.u64 = 6;
    T(epoll_ctl(inner, EPOLL_CTL_ADD, keep, &ev));
    ev.data.u64 = 7;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(close(inner));
    TRACE_WAIT(ep, 4, 0);
    int inner2 = TFD(epoll_create1(0));
    TRACE_TRUE(inner2 == inner);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, inner2, &ev));

    trace_note("the epoll fd closed and created again: an empty set");
    T(close(ep));
    int ep2 = TFD(epoll_create1(0));
    TRACE_TRUE(ep2 == ep);
    TRACE_WAIT(ep2, 4, 0);
    T(epoll_ctl(ep2, EPOLL_CTL_DEL, keep, NULL));
    T(epoll_ctl(ep2, EPOLL_CTL_DEL, inner2, NULL));
    T(close(inner2));
    T(close(keep));
    T(close(ep2));
    return 0;
}
