/* I/O calls an eventfd, timerfd or epoll fd does not support: lseek,
 * pread and pwrite (these are not seekable files); read and write of an
 * epoll fd (EINVAL); write to a timerfd (EINVAL); reads and writes of
 * zero or too few bytes on an eventfd and a timerfd; none of these
 * changes the counters. */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    uint64_t v = 0, w = 1;
    int efd = TFD(eventfd(2, EFD_NONBLOCK));
    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    int ep = TFD(epoll_create1(0));

    trace_note("lseek");
    T(lseek(efd, 0, SEEK_SET));
    T(lseek(efd, 0, SEEK_CUR));
    T(lseek(efd, 8, SEEK_SET));
    T(lseek(efd, 0, SEEK_END));
    T(lseek(efd, -1, SEEK_SET));
    T(lseek(efd, 0, 99));
    T(lseek(tfd, 0, SEEK_SET));
    T(lseek(ep, 0, SEEK_SET));

    trace_note("pread, pwrite, preadv, pwritev");
    T(pread(efd, &v, sizeof v, 0));
    T(pwrite(efd, &w, sizeof w, 0));
    T(pread(efd, &v, sizeof v, 8));
    T(pread(tfd, &v, sizeof v, 0));
    T(pwrite(tfd, &w, sizeof w, 0));
    T(pread(ep, &v, sizeof v, 0));
    T(pwrite(ep, &w, sizeof w, 0));
    struct iovec iov = { &v, sizeof v };
    T(preadv(efd, &iov, 1, 0));
    T(pwritev(efd, &iov, 1, 0));

    trace_note("read and write of an epoll fd");
    T(read(ep, &v, sizeof v));
    T(write(ep, &w, sizeof w));
    T(read(ep, &v, 0));
    T(write(ep, &w, 0));
    T(readv(ep, &iov, 1));

    trace_note("write to a timerfd");
    T(write(tfd, &w, sizeof w));
    T(write(tfd, &w, 0));

    trace_note("zero and short lengths");
    T(read(efd, &v, 0));
    T(write(efd, &w, 0));
    T(read(efd, &v, 7));
    T(write(efd, &w, 1));
    T(read(tfd, &v, 0));
    T(read(tfd, &v, 7));

    trace_note("the counter is untouched");
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(tfd, &v, sizeof v));

    T(close(ep));
    T(close(tfd));
    T(close(efd));
    return 0;
}
