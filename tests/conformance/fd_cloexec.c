/* FD_CLOEXEC: F_GETFD shows it for fds created with EFD_CLOEXEC,
 * TFD_CLOEXEC, EPOLL_CLOEXEC (and for a directory opened with O_CLOEXEC),
 * not otherwise; F_SETFD sets and clears it, keeping only FD_CLOEXEC of
 * its argument; FIOCLEX/FIONCLEX do the same through ioctl; it never
 * shows in F_GETFL, and F_SETFL does not change it. */
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static void trace_cloexec(const char *label, int fd)
{
    errno = 0;
    int r = fcntl(fd, F_GETFD);
    if (r < 0)
        printf("  %s: F_GETFD = -1 %s\n", label, trace_errno_name(errno));
    else
        printf("  %s: F_GETFD = %s%s\n", label, r & FD_CLOEXEC ? "FD_CLOEXEC" : "0",
               r & ~FD_CLOEXEC ? " (and other bits)" : "");
    fflush(stdout);
}

int main(void)
{
    trace_note("as created");
    int e0 = TFD(eventfd(0, 0));
    int e1 = TFD(eventfd(0, EFD_CLOEXEC));
    int t0 = TFD(timerfd_create(CLOCK_MONOTONIC, 0));
    int t1 = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    int p0 = TFD(epoll_create1(0));
    int p1 = TFD(epoll_create1(EPOLL_CLOEXEC));
    int p2 = TFD(epoll_create(1));
    int d0 = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    int d1 = TFD(open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    trace_cloexec("eventfd(0)", e0);
    trace_cloexec("eventfd(EFD_CLOEXEC)", e1);
    trace_cloexec("timerfd(0)", t0);
    trace_cloexec("timerfd(TFD_CLOEXEC)", t1);
    trace_cloexec("epoll_create1(0)", p0);
    trace_cloexec("epoll_create1(EPOLL_CLOEXEC)", p1);
    trace_cloexec("epoll_create(1)", p2);
    trace_cloexec("open(dir)", d0);
    trace_cloexec("open(dir, O_CLOEXEC)", d1);
    T((fcntl(e1, F_GETFL) & O_CLOEXEC) != 0);
    T((fcntl(t1, F_GETFL) & O_CLOEXEC) != 0);
    T((fcntl(p1, F_GETFL) & O_CLOEXEC) != 0);

    trace_note("F_SETFD");
    T(fcntl(e0, F_SETFD, FD_CLOEXEC));
    trace_cloexec("eventfd", e0);
    T(fcntl(e1, F_SETFD, 0));
    trace_cloexec("eventfd", e1);
    T(fcntl(t0, F_SETFD, FD_CLOEXEC));
    trace_cloexec("timerfd", t0);
    T(fcntl(p1, F_SETFD, 0));
    trace_cloexec("epoll", p1);
    T(fcntl(d0, F_SETFD, FD_CLOEXEC));
    trace_cloexec("dir", d0);
    T(fcntl(d1, F_SETFD, 0));
    trace_cloexec("dir", d1);

    trace_note("F_SETFD keeps only FD_CLOEXEC");
    T(fcntl(e1, F_SETFD, 0xff));
    trace_cloexec("eventfd", e1);
    T(fcntl(e1, F_SETFD, 0xfe));
    trace_cloexec("eventfd", e1);

    trace_note("FIOCLEX, FIONCLEX");
    T(ioctl(e1, FIOCLEX));
    trace_cloexec("eventfd", e1);
    T(ioctl(e1, FIONCLEX));
    trace_cloexec("eventfd", e1);
    T(ioctl(p0, FIOCLEX));
    trace_cloexec("epoll", p0);

    trace_note("F_SETFL does not touch it");
    T(fcntl(e0, F_SETFL, O_NONBLOCK));
    trace_cloexec("eventfd", e0);
    T(fcntl(e1, F_SETFL, O_NONBLOCK | O_CLOEXEC));
    trace_cloexec("eventfd", e1);

    trace_note("closed fds");
    T(close(e0));
    T(fcntl(e0, F_GETFD));
    T(fcntl(e0, F_SETFD, FD_CLOEXEC));
    T(ioctl(e0, FIOCLEX));

    T(close(e1));
    T(close(t0));
    T(close(t1));
    T(close(p0));
    T(close(p1));
    T(close(p2));

    trace_note("FIOCLEX, FIONCLEX on a directory");
    T(ioctl(d0, FIOCLEX));
    trace_cloexec("dir", d0);
    T(ioctl(d0, FIONCLEX));
    trace_cloexec("dir", d0);
    T(close(d0));
    T(close(d1));
    return 0;
}
