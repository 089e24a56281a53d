/* Closed and never-opened fds: read, write, readv, writev, close, fcntl,
 * ioctl, poll (POLLNVAL), eventfd_read/eventfd_write on a closed eventfd,
 * timerfd or epoll fd fail with EBADF; closing twice fails the second time;
 * negative and huge fds are EBADF too; and the freed number is the one the
 * next new fd gets (the lowest free), behaving as a fresh object. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    uint64_t v = 0, w = 1;
    struct iovec iov = { &v, sizeof v };

    trace_note("a closed eventfd");
    int efd = TFD(eventfd(3, EFD_NONBLOCK));
    T(close(efd));
    T(read(efd, &v, sizeof v));
    T(write(efd, &w, sizeof w));
    T(readv(efd, &iov, 1));
    T(writev(efd, &iov, 1));
    eventfd_t ev;
    T(eventfd_read(efd, &ev));
    T(eventfd_write(efd, 1));
    T(fcntl(efd, F_GETFL));
    T(fcntl(efd, F_SETFL, O_NONBLOCK));
    int on = 1;
    T(ioctl(efd, FIONBIO, &on));
    T(close(efd));
    T(close(efd));

    trace_note("poll: POLLNVAL");
    struct pollfd p = { .fd = efd, .events = POLLIN };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);

    trace_note("the number is reused, the object is new");
    int again = TFD(eventfd(0, EFD_NONBLOCK));
    TRACE_TRUE(again == efd);
    T(read(again, &v, sizeof v));
    T(write(again, &w, sizeof w));
    T(read(again, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(close(again));

    trace_note("a closed timerfd");
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec its = { .it_value = { .tv_sec = 0, .tv_nsec = 1 } };
    T(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL));
    T(close(tfd));
    T(read(tfd, &v, sizeof v));
    T(write(tfd, &w, sizeof w));
    T(close(tfd));

    trace_note("a closed epoll fd");
    int ep = TFD(epoll_create1(0));
    T(close(ep));
    T(read(ep, &v, sizeof v));
    T(write(ep, &w, sizeof w));
    T(close(ep));
    struct epoll_event out[1];
    T(epoll_wait(ep, out, 1, 0));

    trace_note("a closed directory");
    int dir = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    T(close(dir));
    T(read(dir, &v, sizeof v));
    T(write(dir, &w, sizeof w));
    T(close(dir));

    trace_note("negative and huge fds");
    T(read(-1, &v, sizeof v));
    T(write(-1, &w, sizeof w));
    T(close(-1));
    T(close(INT_MIN));
    T(read(INT_MAX, &v, sizeof v));
    T(write(INT_MAX, &w, sizeof w));
    T(close(INT_MAX));
    T(close(4000));
    T(close(65535));
    T(close(65536));
    T(fcntl(-1, F_GETFD));
    T(fcntl(70000, F_GETFD));
    return 0;
}
