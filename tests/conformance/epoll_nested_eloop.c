/* epoll nesting rules. Adding an epoll fd to itself (or a dup of it) is
 * EINVAL, for every op. A cycle is ELOOP: A in B, then B in A; A in B, B in
 * C, then C in A; after DEL breaks the cycle the reverse ADD is allowed.
 * Depth: chains of 2..7 nested epoll sets built bottom-up (each new set
 * watches the previous top), top-down (each new set is added under the
 * previous bottom) and by joining two chains, with and without an eventfd
 * at the bottom, record which ADD the kernel refuses with ELOOP (Linux:
 * EP_MAX_NESTS = 4, so at most 5 sets in a chain). MOD and DEL never check
 * nesting. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

#define MAXN 7

static void close_all(int *e, int n)
{
    for (int i = 0; i < n; i++)
        if (e[i] >= 0) close(e[i]);
}

/* e[i] watches e[i-1]: a chain of n sets, e[n-1] the outermost. */
static void chain_bottom_up(int n, int with_eventfd)
{
    int e[MAXN];
    struct epoll_event ev = { .events = EPOLLIN };
    printf("-- chain of %d, bottom-up%s\n", n, with_eventfd ? ", eventfd at the bottom" : "");
    int efd = with_eventfd ? eventfd(0, EFD_NONBLOCK) : -1;
    for (int i = 0; i < n; i++) e[i] = epoll_create1(0);
    if (with_eventfd) {
        ev.data.u64 = 100;
        T(epoll_ctl(e[0], EPOLL_CTL_ADD, efd, &ev));
    }
    for (int i = 1; i < n; i++) {
        ev.data.u64 = (uint64_t)i;
        TRACE_VALUE("link", i);
        T(epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev));
    }
    if (with_eventfd) {
        /* The event reaches every level that was linked. */
        T(eventfd_write(efd, 1));
        for (int i = n - 1; i >= 0; i--) {
            struct epoll_event out[4];
            TRACE_VALUE("wait on level", i);
            int k = (int)T(epoll_wait(e[i], out, 4, 0));
            trace_epoll_events(out, k);
        }
        close(efd);
    }
    close_all(e, n);
}

/* The outermost set first: each new set is added under the bottom one. */
static void chain_top_down(int n)
{
    int e[MAXN];
    struct epoll_event ev = { .events = EPOLLIN };
    printf("-- chain of %d, top-down\n", n);
    for (int i = 0; i < n; i++) e[i] = epoll_create1(0);
    for (int i = n - 1; i >= 1; i--) {
        ev.data.u64 = (uint64_t)i;
        TRACE_VALUE("link", i);
        T(epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev));
    }
    close_all(e, n);
}

/* Two chains of a and b sets, then the bottom of the second watches the
 * top of the first. */
static void join(int a, int b)
{
    int x[MAXN], y[MAXN];
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    printf("-- two chains of %d and %d, joined\n", a, b);
    for (int i = 0; i < a; i++) x[i] = epoll_create1(0);
    for (int i = 0; i < b; i++) y[i] = epoll_create1(0);
    for (int i = 1; i < a; i++) T(epoll_ctl(x[i], EPOLL_CTL_ADD, x[i - 1], &ev));
    for (int i = 1; i < b; i++) T(epoll_ctl(y[i], EPOLL_CTL_ADD, y[i - 1], &ev));
    T(epoll_ctl(y[0], EPOLL_CTL_ADD, x[a - 1], &ev));
    close_all(x, a);
    close_all(y, b);
}

int main(void)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    int a = TFD(epoll_create1(0));
    int b = TFD(epoll_create1(0));
    int c = TFD(epoll_create1(0));

    trace_note("an epoll fd in itself: EINVAL, for every op");
    T(epoll_ctl(a, EPOLL_CTL_ADD, a, &ev));
    T(epoll_ctl(a, EPOLL_CTL_MOD, a, &ev));
    T(epoll_ctl(a, EPOLL_CTL_DEL, a, NULL));
    int a2 = TFD(dup(a));
    T(epoll_ctl(a, EPOLL_CTL_ADD, a2, &ev));
    T(epoll_ctl(a2, EPOLL_CTL_ADD, a, &ev));
    T(close(a2));

    trace_note("A in B, then B in A: ELOOP");
    T(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev));
    T(epoll_ctl(a, EPOLL_CTL_ADD, b, &ev));
    trace_note("A in B twice: EEXIST");
    T(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev));
    trace_note("B in C, then C in A: ELOOP");
    T(epoll_ctl(c, EPOLL_CTL_ADD, b, &ev));
    T(epoll_ctl(a, EPOLL_CTL_ADD, c, &ev));
    trace_note("MOD is not checked for loops: an existing link is modified, a missing one is ENOENT");
    T(epoll_ctl(c, EPOLL_CTL_MOD, b, &ev));
    T(epoll_ctl(a, EPOLL_CTL_MOD, c, &ev));
    trace_note("DEL breaks the cycle: the reverse ADD is allowed");
    T(epoll_ctl(b, EPOLL_CTL_DEL, a, NULL));
    T(epoll_ctl(a, EPOLL_CTL_ADD, c, &ev));
    T(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev));
    T(close(a));
    T(close(b));
    T(close(c));

    for (int n = 2; n <= MAXN; n++) chain_bottom_up(n, 0);
    for (int n = 2; n <= MAXN; n++) chain_top_down(n);
    for (int n = 4; n <= MAXN; n++) chain_bottom_up(n, 1);
    join(2, 2);
    join(2, 3);
    join(3, 2);
    join(3, 3);
    join(1, 5);
    join(5, 1);
    return 0;
}
