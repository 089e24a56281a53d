/* Registrations belong to (file, fd number). With efd and d = dup(efd):
 * EPOLL_CTL_ADD of d is a second, separate registration (both are
 * reported, each with its data; DEL of one leaves the other). Closing efd
 * while d keeps the file open does not drop efd's registration: Linux keeps
 * reporting it with efd's data, though efd can no longer name it (epoll_ctl
 * on the closed number is EBADF). dup2 of the file back onto the old number
 * finds it still registered (ADD: EEXIST) and can MOD and DEL it. Only when
 * the last fd of the file is closed do the registrations go away. */
#include <fcntl.h>
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

    trace_note("dup: ADD of the dup is a separate registration");
    int d = TFD(dup(efd));
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, d, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(d, 1));
    TRACE_WAIT(ep, 4, 0);
    trace_note("a read through either fd is the same counter");
    T(eventfd_read(efd, &v));
    TRACE_VALUE("v", v);
    TRACE_WAIT(ep, 4, 0);

    trace_note("DEL of one registration leaves the other");
    T(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    T(eventfd_write(efd, 1));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
    TRACE_WAIT(ep, 4, 0);

    trace_note("close efd (d keeps the file open): efd's registration is still reported");
    T(close(efd));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    trace_note("the closed number cannot name it");
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    trace_note("nor can d");
    T(epoll_ctl(ep, EPOLL_CTL_MOD, d, &ev));
    trace_note("it follows the file: a read silences it, a write wakes it");
    T(eventfd_read(d, &v));
    TRACE_WAIT(ep, 4, 0);
    T(eventfd_write(d, 3));
    TRACE_WAIT(ep, 4, 0);

    trace_note("dup2 of the file back onto the old number: still registered");
    int back = (int)TFD(dup2(d, efd));
    TRACE_TRUE(back == efd);
    T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 4;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    TRACE_WAIT(ep, 4, 0);
    T(close(efd));

    trace_note("F_DUPFD: another separate registration; closing the last fd drops all");
    ev.data.u64 = 5;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
    int d2 = TFD(fcntl(d, F_DUPFD, 0));
    ev.data.u64 = 6;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, d2, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(close(d));
    TRACE_WAIT(ep, 4, 0);
    T(close(d2));
    TRACE_WAIT(ep, 4, 0);

    trace_note("an eventfd registered, dup'ed, the original closed, a new eventfd on its number");
    int e1 = TFD(eventfd(1, EFD_NONBLOCK));
    ev.data.u64 = 7;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, e1, &ev));
    int e1dup = TFD(dup(e1));
    T(close(e1));
    int e2 = TFD(eventfd(1, EFD_NONBLOCK));
    TRACE_TRUE(e2 == e1);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, e2, &ev));
    ev.data.u64 = 8;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, e2, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(close(e1dup));
    TRACE_WAIT(ep, 4, 0);
    T(close(e2));
    T(close(ep));
    return 0;
}
