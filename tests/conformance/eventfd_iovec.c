/* readv/writev on an eventfd with its 8 bytes split over several iovecs:
 * readv may scatter the counter over 4+4 or 3+5 bytes (the total must be at
 * least 8); writev of 4+4 bytes, of 8+8 (two whole values) and of 8 with
 * an empty iovec shows how the kernel hands the pieces to the eventfd. */
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "trace.h"

static uint64_t join(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    unsigned char all[8] = { 0 };
    memcpy(all, a, na);
    memcpy(all + na, b, nb);
    uint64_t v;
    memcpy(&v, all, sizeof v);
    return v;
}

int main(void)
{
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    uint64_t w = 0x0000000500000003ull, v = 0;
    unsigned char lo[8], hi[8];

    trace_note("writev: one value, whole, in the first iovec");
    struct iovec wv[2] = { { &w, 8 }, { hi, 0 } };
    T(writev(efd, wv, 2));
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v == w", v == w);

    trace_note("readv: 4 + 4 bytes");
    T(write(efd, &w, sizeof w));
    memset(lo, 0, sizeof lo);
    memset(hi, 0, sizeof hi);
    struct iovec rv[2] = { { lo, 4 }, { hi, 4 } };
    T(readv(efd, rv, 2));
    TRACE_VALUE("joined == w", join(lo, 4, hi, 4) == w);

    trace_note("readv: 3 + 5 bytes");
    T(write(efd, &w, sizeof w));
    memset(lo, 0, sizeof lo);
    memset(hi, 0, sizeof hi);
    rv[0].iov_len = 3;
    rv[1].iov_len = 5;
    T(readv(efd, rv, 2));
    TRACE_VALUE("joined == w", join(lo, 3, hi, 5) == w);

    trace_note("readv: 4 + 2 bytes is too short");
    T(write(efd, &w, sizeof w));
    rv[0].iov_len = 4;
    rv[1].iov_len = 2;
    T(readv(efd, rv, 2));
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v == w", v == w);

    trace_note("readv on an empty counter");
    rv[0].iov_len = 4;
    rv[1].iov_len = 4;
    T(readv(efd, rv, 2));

    trace_note("writev: 4 + 4 bytes");
    memcpy(lo, &w, 8);
    struct iovec wsplit[2] = { { lo, 4 }, { lo + 4, 4 } };
    T(writev(efd, wsplit, 2));
    v = 0;
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v == w", v == w);

    trace_note("writev: two whole values, 8 + 8 bytes");
    uint64_t two[2] = { 1, 2 };
    struct iovec wtwo[2] = { { &two[0], 8 }, { &two[1], 8 } };
    T(writev(efd, wtwo, 2));
    v = 0;
    T(read(efd, &v, sizeof v));
    TRACE_VALUE("v", v);

    T(close(efd));
    return 0;
}
