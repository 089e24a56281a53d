/* Creating epoll instances: epoll_create's size must be positive (0 and -1
 * are EINVAL; 1 and INT_MAX work, the size is otherwise ignored);
 * epoll_create1 accepts only EPOLL_CLOEXEC (EPOLL_CLOEXEC|1, O_NONBLOCK and
 * -1 are EINVAL). EPOLL_CLOEXEC shows as FD_CLOEXEC in fcntl(F_GETFD);
 * epoll_create and epoll_create1(0) give fds without it; F_SETFD changes
 * it per fd; dup does not copy it, F_DUPFD_CLOEXEC sets it. Each instance
 * created works. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    trace_note("epoll_create(size)");
    T(epoll_create(0));
    T(epoll_create(-1));
    T(epoll_create(INT_MIN));
    int a = TFD(epoll_create(1));
    int b = TFD(epoll_create(INT_MAX));

    trace_note("epoll_create1(flags)");
    T(epoll_create1(EPOLL_CLOEXEC | 1));
    T(epoll_create1(O_NONBLOCK));
    T(epoll_create1(-1));
    T(epoll_create1(1));
    int c = TFD(epoll_create1(0));
    int d = TFD(epoll_create1(EPOLL_CLOEXEC));
    TRACE_TRUE(EPOLL_CLOEXEC == O_CLOEXEC);

    trace_note("FD_CLOEXEC");
    T(fcntl(a, F_GETFD));
    T(fcntl(b, F_GETFD));
    T(fcntl(c, F_GETFD));
    T(fcntl(d, F_GETFD));
    T(fcntl(c, F_SETFD, FD_CLOEXEC));
    T(fcntl(c, F_GETFD));
    T(fcntl(d, F_SETFD, 0));
    T(fcntl(d, F_GETFD));
    T(fcntl(d, F_SETFD, FD_CLOEXEC));
    int d2 = TFD(dup(d));
    T(fcntl(d2, F_GETFD));
    T(fcntl(d, F_GETFD));
    int a2 = TFD(fcntl(a, F_DUPFD_CLOEXEC, 0));
    T(fcntl(a2, F_GETFD));
    T(fcntl(a, F_GETFD));

    trace_note("each works, and a dup is the same instance");
    int efd = TFD(eventfd(1, EFD_NONBLOCK));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(a, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 2;
    T(epoll_ctl(b, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 3;
    T(epoll_ctl(c, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u64 = 4;
    T(epoll_ctl(d, EPOLL_CTL_ADD, efd, &ev));
    T(epoll_ctl(d2, EPOLL_CTL_ADD, efd, &ev));
    TRACE_WAIT(a, 4, 0);
    TRACE_WAIT(b, 4, 0);
    TRACE_WAIT(c, 4, 0);
    TRACE_WAIT(d, 4, 0);
    TRACE_WAIT(d2, 4, 0);
    TRACE_WAIT(a2, 4, 0);
    T(close(d));
    TRACE_WAIT(d2, 4, 0);

    T(close(efd));
    T(close(a));
    T(close(a2));
    T(close(b));
    T(close(c));
    T(close(d2));
    return 0;
}
