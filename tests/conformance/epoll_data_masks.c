/* Interest masks and data round-trips. Three eventfds -- empty (writable
 * only), holding 1 (readable and writable) and full at UINT64_MAX-1
 * (readable only) -- watched by four epoll sets whose interest is EPOLLIN,
 * EPOLLOUT, EPOLLIN|EPOLLOUT and 0 (only the implicit EPOLLERR|EPOLLHUP):
 * each reports exactly the intersection of the fd's state and the interest,
 * never EPOLLERR/EPOLLHUP on an eventfd, and hands back the 64-bit data
 * unchanged (0x1122334455667788, UINT64_MAX, 0, 1<<63, ...); data set
 * through the u32 member reads back in u64 as that value. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

static void wait_hex(int ep)
{
    struct epoll_event out[8];
    char b[64];
    int n = (int)T(epoll_wait(ep, out, 8, 0));
    for (int i = 0; i < n; i++)
        printf("  [%d] %s data=0x%016llx\n", i, trace_events_name(out[i].events, b, sizeof b),
               (unsigned long long)out[i].data.u64);
    fflush(stdout);
}

int main(void)
{
    static const uint32_t interests[4] = { EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT, 0 };
    static const uint64_t datas[4][3] = {
        { 0x1122334455667788ull, 0xffffffffffffffffull, 0 },
        { 0x8000000000000000ull, 0x00000000ffffffffull, 0xffffffff00000000ull },
        { 0xdeadbeefcafebabeull, 0x0123456789abcdefull, 0xfedcba9876543210ull },
        { 1, 2, 3 },
    };
    int ep[4];
    int efd[3];
    efd[0] = TFD(eventfd(0, EFD_NONBLOCK));
    efd[1] = TFD(eventfd(1, EFD_NONBLOCK));
    efd[2] = TFD(eventfd(0, EFD_NONBLOCK));
    T(eventfd_write(efd[2], UINT64_MAX - 1));

    for (int e = 0; e < 4; e++) {
        ep[e] = TFD(epoll_create1(0));
        for (int f = 0; f < 3; f++) {
            struct epoll_event ev = { .events = interests[e], .data.u64 = datas[e][f] };
            T(epoll_ctl(ep[e], EPOLL_CTL_ADD, efd[f], &ev));
        }
    }
    const char *labels[4] = { "interest EPOLLIN", "interest EPOLLOUT", "interest EPOLLIN|EPOLLOUT", "interest 0" };
    for (int e = 0; e < 4; e++) {
        trace_note(labels[e]);
        wait_hex(ep[e]);
    }

    trace_note("MOD to new data and masks; states change");
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 0x7766554433221100ull };
    T(epoll_ctl(ep[3], EPOLL_CTL_MOD, efd[0], &ev));
    ev.events = EPOLLOUT;
    ev.data.u64 = 0;
    ev.data.u32 = 0x89abcdefu;
    T(epoll_ctl(ep[3], EPOLL_CTL_MOD, efd[1], &ev));
    wait_hex(ep[3]);
    eventfd_t v;
    T(eventfd_read(efd[2], &v));
    TRACE_TRUE(v == UINT64_MAX - 1);
    T(eventfd_write(efd[0], 1));
    for (int e = 0; e < 4; e++) {
        trace_note(labels[e]);
        wait_hex(ep[e]);
    }

    trace_note("the data comes back bit for bit");
    struct epoll_event out[8];
    int n = (int)T(epoll_wait(ep[0], out, 8, 0));
    int found = 0;
    for (int i = 0; i < n; i++) found += out[i].data.u64 == 0x1122334455667788ull;
    TRACE_VALUE("found 0x1122334455667788", found);

    for (int e = 0; e < 4; e++) T(close(ep[e]));
    for (int f = 0; f < 3; f++) T(close(efd[f]));
    return 0;
}
