/* EPOLL_CTL_DEL, re-ADD, and MOD of data and masks. DEL of an item that is
 * ready removes it from the ready list at once (the next wait reports
 * nothing) and re-ADD of a ready fd reports it at once with the new data;
 * DEL/ADD cycles repeat cleanly; an edge-triggered item DELeted before its
 * edge was harvested loses that edge, and re-ADD of a ready fd is a new
 * edge. MOD changes the data of a listed item (the next wait reports the new
 * data), changes the mask (EPOLLIN to EPOLLOUT and back), and MOD of a ready
 * edge-triggered item that was already reported is a new report. DEL with a
 * non-NULL event ignores it. */
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
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));

    trace_note("DEL of a ready item: gone at once");
    T(eventfd_write(efd, 1));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    trace_note("re-ADD of the ready fd: reported at once with the new data");
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("DEL/ADD cycles");
    for (int i = 3; i < 6; i++) {
        T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
        TRACE_WAIT(ep, 4, 0);
        ev.data.u64 = (uint64_t)i;
        T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
        TRACE_WAIT(ep, 4, 0);
    }

    trace_note("DEL, write, re-ADD: reported (the fd is ready at ADD)");
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T(eventfd_read(efd, &v));
    T(eventfd_write(efd, 1));
    ev.data.u64 = 6;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);

    trace_note("edge-triggered: an unharvested edge is lost with DEL, re-ADD is a new edge");
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T(eventfd_read(efd, &v));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 7;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = 8;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 9;
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("MOD of a reported edge-triggered item that is still ready: a new report");
    ev.data.u64 = 10;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("MOD changes the data of a listed level-triggered item");
    ev.events = EPOLLIN;
    ev.data.u64 = 11;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    ev.data.u64 = 12;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    ev.data.u64 = 13;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);

    trace_note("MOD changes the mask: EPOLLOUT, EPOLLIN|EPOLLOUT, 0, EPOLLIN");
    ev.events = EPOLLOUT;
    ev.data.u64 = 14;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 15;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    ev.events = 0;
    ev.data.u64 = 16;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    ev.events = EPOLLIN;
    ev.data.u64 = 17;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    TRACE_WAIT(ep, 4, 0);

    trace_note("MOD while not ready changes nothing until a write");
    ev.data.u64 = 18;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);

    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(close(efd));
    T(close(ep));
    return 0;
}
