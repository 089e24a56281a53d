/* EPOLLOUT on a full eventfd. Writing UINT64_MAX-1 fills the counter: the
 * fd is no longer writable (poll shows POLLIN only, a further write of 1
 * fails with EAGAIN), so an item interested in EPOLLOUT only reports
 * nothing -- level-triggered or edge-triggered, even across failed writes.
 * A read empties the counter and makes it writable: the level-triggered
 * item reports EPOLLOUT from then on, the edge-triggered one once (the
 * read's wake-up is its edge). A write of 0 to a full counter succeeds and
 * is a wake-up, but an EPOLLIN one. Filling again silences both. */
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

#define POLL1(fd_)                                               \
    do {                                                         \
        struct pollfd p_ = { .fd = (fd_), .events = POLLIN | POLLOUT }; \
        int n_ = (int)T(poll(&p_, 1, 0));                        \
        if (n_ >= 0) trace_pollfds(&p_, 1);                      \
    } while (0)

int main(void)
{
    eventfd_t v = 0;
    int lt = TFD(epoll_create1(0));
    int et = TFD(epoll_create1(0));
    int efd = TFD(eventfd(0, EFD_NONBLOCK));

    trace_note("fill the counter");
    T(eventfd_write(efd, UINT64_MAX - 1));
    POLL1(efd);
    T(eventfd_write(efd, 1));

    struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 1 };
    T(epoll_ctl(lt, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(et, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(lt, 4, 10);

    trace_note("failed writes change nothing");
    T(eventfd_write(efd, 1));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("a write of 0 succeeds on a full counter: an EPOLLIN wake-up only");
    T(eventfd_write(efd, 0));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("a read makes room");
    T(eventfd_read(efd, &v));
    TRACE_TRUE(v == UINT64_MAX - 1);
    POLL1(efd);
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("one below full is still writable (a write of 1 would fit)");
    T(eventfd_write(efd, UINT64_MAX - 2));
    POLL1(efd);
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);
    T(eventfd_write(efd, 1));
    POLL1(efd);
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);

    trace_note("EPOLLIN|EPOLLOUT while full: EPOLLIN only");
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 3;
    T(epoll_ctl(lt, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(lt, 4, 0);
    T(eventfd_read(efd, &v));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(et, 4, 0);

    T(close(efd));
    T(close(lt));
    T(close(et));
    return 0;
}
