/* Edge-triggered epoll (EPOLLET) on an eventfd. Every write is a wake-up of
 * the eventfd and so a fresh edge, even while the counter is still non-zero
 * (the fd never stopped being readable); an edge is reported once, and
 * nothing is reported again until the next write -- not even while the fd
 * stays readable. Two writes before one wait give one report; a write of 0
 * is a wake-up too; ADD of an fd that is already ready reports it once; a
 * wait with a small maxevents leaves the other edges pending; a read wakes
 * with EPOLLOUT only, which is no edge for an EPOLLIN-only item. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    eventfd_t v = 0;
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));

    trace_note("nothing written: nothing to report");
    TRACE_WAIT(ep, 4, 0);

    trace_note("a write is an edge, reported once although the fd stays readable");
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("a new write while still readable is a new edge");
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("a write of 0 changes nothing but is a wake-up too");
    T(eventfd_write(efd, 0));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("two writes before a wait: one report");
    T(eventfd_write(efd, 2));
    T(eventfd_write(efd, 3));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("a read empties the counter: no EPOLLIN edge");
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(efd, &v));
    TRACE_WAIT(ep, 4, 0);

    trace_note("ADD of an fd that is already readable reports it once");
    int efd2 = TFD(eventfd(3, EFD_NONBLOCK));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd2, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("maxevents 1: the second edge stays pending for the next wait");
    T(eventfd_write(efd2, 1));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 1, 0);
    TRACE_WAIT(ep, 1, 0);
    TRACE_WAIT(ep, 1, 0);

    trace_note("EPOLLIN|EPOLLOUT|EPOLLET: MOD finds it ready, a write reports both");
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("a blocking wait with a timeout ends at once on a pending edge");
    T(eventfd_write(efd2, 1));
    TRACE_WAIT(ep, 4, 1000);
    TRACE_WAIT(ep, 4, 0);

    T(close(efd2));
    T(close(efd));
    T(close(ep));
    return 0;
}
