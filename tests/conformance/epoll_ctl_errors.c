/* epoll_ctl's errors, in Linux's order of checks. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    int ep = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, 0));
    int other = TFD(eventfd(0, 0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };

    trace_note("bad fds");
    T(epoll_ctl(-1, EPOLL_CTL_ADD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, 4000, &ev));
    T(epoll_ctl(4001, EPOLL_CTL_ADD, efd, &ev));

    trace_note("not an epoll fd, or itself");
    T(epoll_ctl(efd, EPOLL_CTL_ADD, other, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));

    trace_note("bad op");
    T(epoll_ctl(ep, 0, efd, &ev));
    T(epoll_ctl(ep, 99, efd, &ev));

    trace_note("EEXIST, ENOENT");
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, other, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, other, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

    trace_note("EFAULT for a missing event on ADD/MOD, not on DEL");
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, NULL));

    trace_note("a regular file cannot be watched");
    int file = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev));
    T(close(file));

    trace_note("EPOLLEXCLUSIVE rules");
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    ev.events = EPOLLIN;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));

    trace_note("closed fds");
    T(close(other));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, other, &ev));
    T(close(ep));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    T(close(efd));
    return 0;
}
