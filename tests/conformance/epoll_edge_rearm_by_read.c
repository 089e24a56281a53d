/* EPOLLET items re-armed by reads. An eventfd read wakes the eventfd's
 * waiters with EPOLLOUT (room was made), so an edge-triggered item
 * interested in EPOLLOUT gets a new edge after every successful read, while
 * writes (EPOLLIN wake-ups) are no edge for it and a failed read (EAGAIN) is
 * none either. Conversely an EPOLLIN-only ET item gets no edge from a read,
 * even when the fd stays readable (EFD_SEMAPHORE takes 1 at a time); an
 * EPOLLIN|EPOLLOUT ET item gets an edge from both, reporting all current
 * events each time. */
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
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.u64 = 1 };

    trace_note("EPOLLOUT|EPOLLET: writable at ADD, reported once");
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("writes wake with EPOLLIN: no edge for an EPOLLOUT item");
    T(eventfd_write(efd, 5));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);

    trace_note("a read wakes with EPOLLOUT: a new edge");
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("a read that fails with EAGAIN is no edge");
    T(eventfd_read(efd, &v));
    TRACE_WAIT(ep, 4, 0);

    trace_note("each successful read is an edge");
    T(eventfd_write(efd, 1));
    T(eventfd_read(efd, &v));
    T(eventfd_write(efd, 1));
    T(eventfd_read(efd, &v));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(efd, 1));
    T(eventfd_read(efd, &v));
    TRACE_WAIT(ep, 4, 0);

    trace_note("EFD_SEMAPHORE, EPOLLIN|EPOLLET: a read leaves it readable but is no EPOLLIN edge");
    int sem = TFD(eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, sem, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(sem, &v));
    TRACE_VALUE("v", v);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(sem, &v));
    TRACE_WAIT(ep, 4, 0);

    trace_note("EPOLLIN|EPOLLOUT|EPOLLET on the semaphore: reads and writes are both edges");
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, sem, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(sem, &v));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(sem, 2));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(sem, &v));
    T(eventfd_read(sem, &v));
    TRACE_WAIT(ep, 4, 0);

    trace_note("both items: a read of one is an edge for that one only");
    T(eventfd_write(efd, 1));
    T(eventfd_read(efd, &v));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_read(sem, &v));
    TRACE_WAIT(ep, 4, 0);

    T(close(sem));
    T(close(efd));
    T(close(ep));
    return 0;
}
