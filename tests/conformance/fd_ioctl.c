/* ioctl on eventfds, timerfds and epoll fds: FIONBIO with a non-zero int
 * sets O_NONBLOCK (F_GETFL shows it, a read of an empty eventfd fails with
 * EAGAIN) and with 0 clears it; FIONREAD and unknown requests fail with
 * ENOTTY (these files have no ioctls of their own); closed fds give EBADF.
 * FIONBIO on a directory sets and clears O_NONBLOCK too. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static void trace_nonblock(const char *label, int fd)
{
    errno = 0;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        printf("  %s: F_GETFL = -1 %s\n", label, trace_errno_name(errno));
    else
        printf("  %s: O_NONBLOCK %s\n", label, fl & O_NONBLOCK ? "set" : "clear");
    fflush(stdout);
}

int main(void)
{
    uint64_t v = 0;
    int on = 1, off = 0, two = 2;
    int efd = TFD(eventfd(0, 0));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, 0));
    int ep = TFD(epoll_create1(0));

    trace_note("FIONBIO on an eventfd");
    trace_nonblock("eventfd", efd);
    T(ioctl(efd, FIONBIO, &on));
    trace_nonblock("eventfd", efd);
    T(read(efd, &v, sizeof v));
    T(ioctl(efd, FIONBIO, &off));
    trace_nonblock("eventfd", efd);
    T(ioctl(efd, FIONBIO, &two));
    trace_nonblock("eventfd", efd);
    T(read(efd, &v, sizeof v));
    T(ioctl(efd, FIONBIO, &off));
    T(ioctl(efd, FIONBIO, &off));
    trace_nonblock("eventfd", efd);

    trace_note("FIONBIO on a timerfd and an epoll fd");
    T(ioctl(tfd, FIONBIO, &on));
    trace_nonblock("timerfd", tfd);
    T(read(tfd, &v, sizeof v));
    T(ioctl(tfd, FIONBIO, &off));
    trace_nonblock("timerfd", tfd);
    T(ioctl(ep, FIONBIO, &on));
    trace_nonblock("epoll", ep);
    T(ioctl(ep, FIONBIO, &off));
    trace_nonblock("epoll", ep);

    trace_note("FIONBIO and fcntl agree");
    T(fcntl(efd, F_SETFL, O_NONBLOCK));
    T(ioctl(efd, FIONBIO, &off));
    trace_nonblock("eventfd", efd);
    T(ioctl(efd, FIONBIO, &on));
    T(fcntl(efd, F_SETFL, 0));
    trace_nonblock("eventfd", efd);

    trace_note("FIONREAD and unknown requests");
    int avail = -7;
    T(ioctl(efd, FIONREAD, &avail));
    TRACE_VALUE("avail untouched", avail == -7);
    uint64_t one = 1;
    T(write(efd, &one, sizeof one));
    T(ioctl(efd, FIONREAD, &avail));
    T(ioctl(tfd, FIONREAD, &avail));
    T(ioctl(efd, 0x5401 /* TCGETS */, &avail));
    T(ioctl(efd, 0x12345678, &avail));
    T(ioctl(tfd, 0x12345678, &avail));
    T(ioctl(ep, FIONREAD, &avail));
    T(ioctl(ep, 0x12345678, &avail));

    trace_note("FIONBIO on a directory");
    int dir = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    trace_nonblock("dir", dir);
    T(ioctl(dir, FIONBIO, &on));
    trace_nonblock("dir", dir);
    T(ioctl(dir, FIONBIO, &off));
    trace_nonblock("dir", dir);
    T(close(dir));

    trace_note("closed fds");
    T(close(efd));
    T(ioctl(efd, FIONBIO, &on));
    T(ioctl(efd, FIONREAD, &avail));
    T(ioctl(-1, FIONBIO, &on));
    T(ioctl(dir, FIONBIO, &on));

    T(close(tfd));
    T(close(ep));
    return 0;
}
