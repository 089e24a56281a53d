/* Several epoll instances watching one eventfd. Each instance has its own
 * registration with its own data and mode: a write wakes all of them, each
 * reports its own data; level-triggered ones keep reporting while an
 * edge-triggered one reports once; a read silences them all. Deleting the
 * fd from one instance, or closing one instance, leaves the others alone,
 * and re-adding it to an instance gives a fresh registration there. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    eventfd_t v = 0;
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int ep1 = TFD(epoll_create1(0));
    int ep2 = TFD(epoll_create1(0));
    int ep3 = TFD(epoll_create1(0));
    int ep4 = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep1, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 2;
    T(epoll_ctl(ep2, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 3;
    T(epoll_ctl(ep3, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 4;
    T(epoll_ctl(ep4, EPOLL_CTL_ADD, efd, &ev));

    trace_note("not readable yet (ep4 wants EPOLLOUT too)");
    TRACE_WAIT(ep1, 4, 0);
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);
    TRACE_WAIT(ep4, 4, 0);

    trace_note("one write wakes every instance, each with its own data");
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep1, 4, 0);
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);
    TRACE_WAIT(ep4, 4, 0);
    trace_note("again: level-triggered ones still report, the edge-triggered one does not");
    TRACE_WAIT(ep1, 4, 0);
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);
    TRACE_WAIT(ep4, 4, 0);

    trace_note("a read silences all");
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    TRACE_WAIT(ep1, 4, 0);
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);
    TRACE_WAIT(ep4, 4, 0);

    trace_note("DEL from ep2 only");
    T(epoll_ctl(ep2, EPOLL_CTL_DEL, efd, NULL));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep1, 4, 0);
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);

    trace_note("close ep1: the others still see the fd");
    T(close(ep1));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep3, 4, 0);
    TRACE_WAIT(ep4, 4, 0);

    trace_note("re-ADD to ep2 with new data: reported at once there, not again on ep3");
    ev.events = EPOLLIN;
    ev.data.u64 = 22;
    T(epoll_ctl(ep2, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);

    trace_note("MOD on ep3 does not change ep2's registration");
    ev.events = EPOLLOUT;
    ev.data.u64 = 33;
    T(epoll_ctl(ep3, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);

    T(close(efd));
    TRACE_WAIT(ep2, 4, 0);
    TRACE_WAIT(ep3, 4, 0);
    TRACE_WAIT(ep4, 4, 0);
    T(close(ep2));
    T(close(ep3));
    T(close(ep4));
    return 0;
}
