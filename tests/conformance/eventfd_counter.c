/* eventfd's counter: initial value, reads take all, writes add, bad sizes,
 * the maximum value, and non-blocking reads of zero. */
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

int main(void)
{
    uint64_t v = 0, w;
    int efd = TFD(eventfd(5, EFD_NONBLOCK));
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v", v);
    T(read(efd, &v, sizeof v));

    w = 3;
    T(write(efd, &w, sizeof w));
    w = 4;
    T(write(efd, &w, sizeof w));
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v", v);

    trace_note("sizes: short reads and writes fail, long ones use 8 bytes");
    char big[16] = { 0 };
    T(read(efd, &v, 4));
    T(write(efd, &w, 7));
    T(write(efd, big, sizeof big));
    T(read(efd, big, sizeof big));

    trace_note("limits");
    w = UINT64_MAX;
    T(write(efd, &w, sizeof w));
    w = UINT64_MAX - 1;
    T(write(efd, &w, sizeof w));
    w = 1;
    T(write(efd, &w, sizeof w));
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v == UINT64_MAX - 1", v == UINT64_MAX - 1);

    trace_note("eventfd_read/eventfd_write");
    T(eventfd_write(efd, 9));
    eventfd_t ev = 0;
    T(eventfd_read(efd, &ev));
    TRACE_VALUE("ev", ev);
    T(eventfd_read(efd, &ev));

    trace_note("bad flags");
    T(eventfd(0, 0x4000000));
    T(close(efd));
    T(read(efd, &v, sizeof v));
    return 0;
}
