/* epoll_wait's errors, in Linux's order of checks: maxevents 0, -1 and
 * INT_MAX are EINVAL (before anything else), an events buffer outside the
 * address space ((void *)-4096) is EFAULT (before the fd is looked at), a
 * bad epfd is EBADF, an fd that is not an epoll fd (an eventfd, a
 * directory) is EINVAL. A NULL events buffer passes the range check: with
 * nothing ready the wait returns 0; with an event ready it fails with
 * EFAULT when the event is written, and the event is not lost -- the next
 * wait with a good buffer still reports it, be it level-triggered,
 * edge-triggered or one-shot. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

/* Bad sizes and NULL buffers are the point here: keep the compiler quiet. */
#pragma GCC diagnostic ignored "-Wnonnull"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif

int main(void)
{
    struct epoll_event out[4];
    struct epoll_event *bad = (struct epoll_event *)(uintptr_t)-4096;
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    int dir = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));

    trace_note("maxevents");
    T(epoll_wait(ep, out, 0, 0));
    T(epoll_wait(ep, out, -1, 0));
    T(epoll_wait(ep, out, INT_MAX, 0));
    T(epoll_wait(-1, out, 0, 0));
    T(epoll_wait(ep, NULL, 0, 0));
    T(epoll_wait(ep, bad, -1, 0));

    trace_note("the buffer");
    T(epoll_wait(ep, bad, 4, 0));
    T(epoll_wait(ep, bad, 1, 0));
    T(epoll_wait(-1, bad, 4, 0));
    T(epoll_wait(efd, bad, 4, 0));

    trace_note("bad fds, not an epoll fd");
    T(epoll_wait(-1, out, 4, 0));
    T(epoll_wait(4000, out, 4, 0));
    T(epoll_wait(efd, out, 4, 0));
    T(epoll_wait(dir, out, 4, 0));
    T(epoll_wait(efd, out, 4, 10));

    trace_note("NULL events, nothing ready: 0");
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    T(epoll_wait(ep, NULL, 4, 0));
    T(epoll_wait(ep, NULL, 4, 20));

    trace_note("NULL events with an event ready: EFAULT, and the event stays");
    T(eventfd_write(efd, 1));
    T(epoll_wait(ep, NULL, 4, 0));
    T(epoll_wait(ep, NULL, 1, 0));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("the same with an edge-triggered item");
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(epoll_wait(ep, NULL, 4, 0));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("the same with a one-shot item");
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(epoll_wait(ep, NULL, 4, 0));
    T(epoll_wait(ep, NULL, 4, 0));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);

    trace_note("NULL events with two items ready: EFAULT, both stay, in order");
    int efd2 = TFD(eventfd(1, EFD_NONBLOCK));
    ev.events = EPOLLIN;
    ev.data.u64 = 4;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    ev.data.u64 = 5;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd2, &ev));
    T(epoll_wait(ep, NULL, 4, 0));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 1, 0);
    T(epoll_wait(ep, NULL, 4, 0));
    TRACE_WAIT(ep, 4, 0);

    trace_note("closed epoll fd");
    T(close(ep));
    T(epoll_wait(ep, out, 4, 0));
    T(close(efd2));
    T(close(efd));
    T(close(dir));
    return 0;
}
