/* A classic blocking event loop, as ported code has it:
 *     for (;;) n = epoll_wait(ep, events, 8, -1);
 * woken first by an eventfd that JavaScript writes from a timer callback
 * (natively: another thread writes it), then by a timerfd, then by the
 * eventfd again; and a blocking read() of a timerfd that waits for it.
 * In wasm this needs ASYNCIFY or JSPI: the page keeps running while the
 * program waits. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
/* The JavaScript side: a setTimeout callback writes the eventfd through the
 * entry point emnet exports for pages. */
static void signal_later(int fd, unsigned value, int delay_ms)
{
    EM_ASM({ setTimeout(function() { Module._emnet_eventfd_signal($0, $1); }, $2); }, fd, value, delay_ms);
}
#else
#include <pthread.h>
#include <stdlib.h>
struct later { int fd; unsigned value; int delay_ms; };
static void *writer(void *arg)
{
    struct later *l = arg;
    usleep((useconds_t)l->delay_ms * 1000);
    uint64_t v = l->value;
    if (write(l->fd, &v, sizeof v) != sizeof v) abort();
    free(l);
    return NULL;
}
static void signal_later(int fd, unsigned value, int delay_ms)
{
    struct later *l = malloc(sizeof *l);
    *l = (struct later){ fd, value, delay_ms };
    pthread_t t;
    pthread_create(&t, NULL, writer, l);
    pthread_detach(t);
}
#endif

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

int main(void)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ep = epoll_create1(0);
    int efd = eventfd(0, EFD_NONBLOCK);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = efd };
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    ev.data.fd = tfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    struct itimerspec its = { .it_value = { .tv_nsec = 60 * 1000000 } };
    timerfd_settime(tfd, 0, &its, NULL);
    signal_later(efd, 7, 20);
    signal_later(efd, 3, 100);

    int woke = 0;
    for (;;) {
        struct epoll_event out[8];
        int n = epoll_wait(ep, out, 8, -1);
        if (n < 0) {
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            uint64_t v = 0;
            if (read(out[i].data.fd, &v, sizeof v) != sizeof v) continue;
            printf("woken by %s: %llu\n", out[i].data.fd == efd ? "eventfd" : "timerfd", (unsigned long long)v);
            woke++;
        }
        if (woke == 3) break;
    }
    long waited = ms_since(&t0);
    printf("three wake-ups after %s\n", waited >= 90 && waited < 2000 ? "about 100 ms" : "the wrong time");

    /* A blocking read of a timerfd waits for its deadline. */
    int blocking = timerfd_create(CLOCK_MONOTONIC, 0);
    its.it_value.tv_nsec = 30 * 1000000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    timerfd_settime(blocking, 0, &its, NULL);
    uint64_t ticks = 0;
    ssize_t r = read(blocking, &ticks, sizeof ticks);
    waited = ms_since(&t0);
    printf("blocking read: %zd bytes, %llu tick, %s\n", r, (unsigned long long)ticks,
           waited >= 25 && waited < 2000 ? "after the deadline" : "at the wrong time");
    close(blocking);
    close(tfd);
    close(efd);
    close(ep);
    return 0;
}
