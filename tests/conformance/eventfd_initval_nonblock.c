/* eventfd's initial value (0, small, the largest unsigned int) is what the
 * first read returns; EFD_NONBLOCK makes a read of a zero counter fail
 * with EAGAIN and shows as O_NONBLOCK in F_GETFL, and setting O_NONBLOCK
 * later with fcntl(F_SETFL) has the same effect on a blocking eventfd.
 * (A blocking read of an empty eventfd would wait forever here, so it is
 * never made.) Writes of 0 succeed and leave the counter at zero. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

static void trace_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) {
        T(fcntl(fd, F_GETFL));
        return;
    }
    TRACE_VALUE("O_NONBLOCK set", (fl & O_NONBLOCK) != 0);
}

int main(void)
{
    uint64_t v = 0, w;

    trace_note("initial values");
    int a = TFD(eventfd(0, EFD_NONBLOCK));
    T(read(a, &v, sizeof v));
    int b = TFD(eventfd(7, 0));
    trace_nonblock(b);
    T(read(b, &v, sizeof v));
    TRACE_VALUE("v", v);
    int c = TFD(eventfd(UINT_MAX, EFD_NONBLOCK));
    T(read(c, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(c, &v, sizeof v));

    trace_note("EFD_NONBLOCK");
    trace_nonblock(a);
    trace_nonblock(c);
    w = 0;
    T(write(a, &w, sizeof w));
    T(read(a, &v, sizeof v));

    trace_note("O_NONBLOCK set later on a blocking eventfd");
    trace_nonblock(b);
    T(fcntl(b, F_SETFL, O_NONBLOCK));
    trace_nonblock(b);
    T(read(b, &v, sizeof v));
    w = 2;
    T(write(b, &w, sizeof w));
    T(read(b, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(b, &v, sizeof v));

    trace_note("cleared again: a read with a count does not block");
    T(fcntl(b, F_SETFL, 0));
    trace_nonblock(b);
    w = 4;
    T(write(b, &w, sizeof w));
    T(read(b, &v, sizeof v));
    TRACE_VALUE("v", v);

    trace_note("EFD_NONBLOCK cleared with fcntl");
    T(fcntl(a, F_SETFL, 0));
    trace_nonblock(a);
    w = 9;
    T(write(a, &w, sizeof w));
    T(read(a, &v, sizeof v));
    TRACE_VALUE("v", v);

    T(close(a));
    T(close(b));
    T(close(c));
    return 0;
}
