/* poll() on eventfds with timeout 0: an empty counter is POLLOUT only, a
 * non-zero one POLLIN|POLLOUT, a full one (ULLONG_MAX - 1) POLLIN only;
 * revents holds only the events asked for (POLLOUT alone gives POLLOUT,
 * events 0 gives 0, POLLRDNORM/POLLWRNORM give nothing since an eventfd
 * reports only POLLIN/POLLOUT); a negative fd is skipped with revents 0;
 * a closed fd gives POLLNVAL whatever was asked; the result counts the
 * entries with non-zero revents; the same fd may appear twice. */
#define _GNU_SOURCE   /* POLLRDHUP */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

static int run(struct pollfd *p, int n)
{
    for (int i = 0; i < n; i++) p[i].revents = (short)0x7fff;   /* poll must overwrite */
    int r = T(poll(p, (nfds_t)n, 0));
    trace_pollfds(p, n);
    return r;
}

int main(void)
{
    int empty = TFD(eventfd(0, EFD_NONBLOCK));
    int one = TFD(eventfd(1, EFD_NONBLOCK));
    int full = TFD(eventfd(0, EFD_NONBLOCK));
    uint64_t w = UINT64_MAX - 1, v;
    T(write(full, &w, sizeof w));
    int closed = TFD(eventfd(0, 0));
    T(close(closed));

    trace_note("POLLIN|POLLOUT on empty, non-zero, full");
    struct pollfd a[3] = {
        { .fd = empty, .events = POLLIN | POLLOUT },
        { .fd = one, .events = POLLIN | POLLOUT },
        { .fd = full, .events = POLLIN | POLLOUT },
    };
    run(a, 3);

    trace_note("the events filter");
    struct pollfd b[7] = {
        { .fd = one, .events = POLLOUT },
        { .fd = one, .events = POLLIN },
        { .fd = empty, .events = POLLIN },
        { .fd = one, .events = 0 },
        { .fd = one, .events = POLLRDNORM | POLLWRNORM },
        { .fd = one, .events = POLLPRI | POLLRDHUP },
        { .fd = full, .events = POLLOUT },
    };
    run(b, 7);

    trace_note("negative fds are skipped, closed fds are POLLNVAL");
    struct pollfd c[5] = {
        { .fd = -1, .events = POLLIN | POLLOUT },
        { .fd = closed, .events = POLLIN },
        { .fd = closed, .events = 0 },
        { .fd = -closed - 1, .events = POLLIN },
        { .fd = one, .events = POLLIN },
    };
    run(c, 5);

    trace_note("only skipped entries: nothing ready");
    struct pollfd d[2] = { { .fd = -1, .events = POLLIN }, { .fd = -100, .events = POLLOUT } };
    run(d, 2);

    trace_note("after reading and writing");
    T(read(one, &v, sizeof v));
    T(read(full, &v, sizeof v));
    w = 1;
    T(write(empty, &w, sizeof w));
    run(a, 3);

    trace_note("the same fd twice");
    struct pollfd e[2] = { { .fd = empty, .events = POLLIN }, { .fd = empty, .events = POLLIN | POLLOUT } };
    run(e, 2);

    T(close(empty));
    T(close(one));
    T(close(full));
    return 0;
}
