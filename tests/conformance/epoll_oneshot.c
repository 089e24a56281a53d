/* EPOLLONESHOT: an item is reported once, then disabled -- not reported
 * while the fd stays readable, nor after new writes -- until EPOLL_CTL_MOD
 * re-arms it; MOD on an fd that is ready reports it at once (with MOD's new
 * data), MOD on one that is not waits for the next wake-up. A disabled item
 * is still registered (ADD gives EEXIST, DEL works once). With EPOLLET too,
 * and with maxevents 1, where the item not yet reported stays armed. */
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
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);

    trace_note("reported once, then disabled although still readable");
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    trace_note("new writes do not re-arm it");
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 10);

    trace_note("MOD re-arms it; the fd is ready, so it is reported at once with the new data");
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("MOD while not ready: reported at the next write");
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("a disabled item is still registered");
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    trace_note("MOD of a disabled item to EPOLLOUT: writable, reported at once");
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data.u64 = 4;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    TRACE_WAIT(ep, 4, 0);

    trace_note("MOD without EPOLLONESHOT: level-triggered from then on");
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 5;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    ev.events = EPOLLIN;
    ev.data.u64 = 6;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(efd, &v));

    trace_note("EPOLLONESHOT|EPOLLET");
    ev.events = EPOLLIN | EPOLLONESHOT | EPOLLET;
    ev.data.u64 = 7;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("two one-shot items, maxevents 1: the second stays armed until reported");
    int efd2 = TFD(eventfd(1, EFD_NONBLOCK));
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 8;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    ev.data.u64 = 9;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd2, &ev));
    TRACE_WAIT(ep, 1, 0);
    T(eventfd_write(efd2, 1));
    TRACE_WAIT(ep, 1, 0);
    TRACE_WAIT(ep, 1, 0);

    T(close(efd2));
    T(close(efd));
    T(close(ep));
    return 0;
}
