/* A wasm build with neither ASYNCIFY nor JSPI cannot suspend: a call that
 * would block fails at once with ENOTSUP, and a console message that names
 * the fix is printed once, however many calls fail. Calls that need not
 * wait (timeout 0, something ready) work as usual. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

int main(void)
{
    int ep = epoll_create1(0);
    int efd = eventfd(0, 0);   /* blocking */
    struct epoll_event ev = { .events = EPOLLIN }, out[4];
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    int n1 = epoll_wait(ep, out, 4, 1000);
    int e1 = errno;
    int n2 = epoll_wait(ep, out, 4, -1);
    int e2 = errno;
    struct pollfd p = { .fd = efd, .events = POLLIN };
    int n3 = poll(&p, 1, 500);
    int e3 = errno;
    uint64_t v;
    ssize_t n4 = read(efd, &v, sizeof v);
    int e4 = errno;
    long waited = ms_since(&t0);
    printf("epoll_wait(1000): %d %s\n", n1, strerror(e1));
    printf("epoll_wait(-1): %d %s\n", n2, strerror(e2));
    printf("poll(500): %d %s\n", n3, strerror(e3));
    printf("blocking read: %zd %s\n", n4, strerror(e4));
    printf("failed %s\n", waited < 100 ? "at once" : "after waiting");

    v = 2;
    if (write(efd, &v, sizeof v) != sizeof v) return 1;
    printf("ready: epoll_wait(-1) = %d, poll(500) = %d\n", epoll_wait(ep, out, 4, -1), poll(&p, 1, 500));
    return 0;
}
