/* EFD_SEMAPHORE: every read takes exactly 1 from the counter (and returns
 * 1) until it is zero, then EAGAIN on a non-blocking fd; writes still add
 * their whole value; the fd stays readable (poll POLLIN) while any count is
 * left, and a plain eventfd next to it still takes everything at once. */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    uint64_t v = 0, w;
    int sem = TFD(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK));
    for (int i = 0; i < 4; i++) {
        v = 0;
        if (T(read(sem, &v, sizeof v)) > 0) TRACE_VALUE("v", v);
    }

    trace_note("a write of 5 gives five reads of 1");
    w = 5;
    T(write(sem, &w, sizeof w));
    struct pollfd p = { .fd = sem, .events = POLLIN };
    for (int i = 0; i < 6; i++) {
        T(poll(&p, 1, 0));
        trace_pollfds(&p, 1);
        v = 0;
        if (T(read(sem, &v, sizeof v)) > 0) TRACE_VALUE("v", v);
    }

    trace_note("eventfd_read on a semaphore also takes 1");
    T(eventfd_write(sem, 2));
    eventfd_t ev = 0;
    T(eventfd_read(sem, &ev));
    TRACE_VALUE("ev", ev);
    T(eventfd_read(sem, &ev));
    TRACE_VALUE("ev", ev);
    T(eventfd_read(sem, &ev));

    trace_note("short reads fail the same way");
    w = 1;
    T(write(sem, &w, sizeof w));
    T(read(sem, &v, 4));
    T(read(sem, &v, sizeof v));
    TRACE_VALUE("v", v);

    trace_note("a large count: one at a time, the rest stays");
    w = 1000000;
    T(write(sem, &w, sizeof w));
    T(read(sem, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(sem, &v, sizeof v));
    TRACE_VALUE("v", v);

    trace_note("without EFD_SEMAPHORE a read takes everything");
    int plain = TFD(eventfd(3, EFD_NONBLOCK));
    T(read(plain, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(plain, &v, sizeof v));

    T(close(plain));
    T(close(sem));
    return 0;
}
