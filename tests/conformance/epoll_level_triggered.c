/* Level-triggered epoll on an eventfd: reported on every wait while the
 * counter is not zero, gone once it is read, back after a write. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));

    int n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);

    uint64_t one = 1, v = 0;
    T(write(efd, &one, sizeof one));
    for (int i = 0; i < 3; i++) {
        n = T(epoll_wait(ep, out, 4, 0));
        trace_epoll_events(out, n);
    }
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v", v);
    n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);

    /* Interest in EPOLLOUT too: an eventfd is writable while not full. */
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 8;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);
    T(write(efd, &one, sizeof one));
    n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);

    T(close(efd));
    T(close(ep));
    return 0;
}
