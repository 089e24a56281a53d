/* The hosted loop end to end: a stream of events passes through drive (an
 * eventfd that every callback reads and writes again), timers fire in the
 * order of their deadlines whatever the order they were set in, an interval
 * timer repeats until cancelled, and stopping the loop ends the program with
 * its status. The same program runs natively (over the kernel's epoll) and
 * in wasm (Node.js and Chromium).
 *
 *   loop_events [EVENTS]     default 100000
 * Prints "order: ..." and, per timer, how late it fired ("late_us"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "emnet/reactor.h"

static long events_wanted, events_seen;
static int efd;
static uint64_t t0_us, events_done_us;
static int timers_fired, ticks, ticker = -1;
static char order[64];

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void maybe_finish(emnet_loop *loop)
{
    if (events_seen < events_wanted || timers_fired < 3 || ticker >= 0) return;
    double ms = (double)(events_done_us - t0_us) / 1000.0;
    printf("events: %ld in %.1f ms (%.0f per second)\n", events_seen, ms, events_seen / (ms / 1000.0));
    printf("order:%s\n", order);
    printf("ticks: %d\n", ticks);
    emnet_loop_del(loop, efd);
    close(efd);
    emnet_loop_stop(loop, 0);
}

static void on_event(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events, (void)arg;
    uint64_t v, one = 1;
    if (read(fd, &v, sizeof v) != sizeof v) return;   /* spurious: nothing to do */
    if (++events_seen < events_wanted) {
        if (write(fd, &one, sizeof one) != sizeof one) abort();
    } else {
        events_done_us = now_us();
        maybe_finish(loop);
    }
}

static void on_timer(emnet_loop *loop, int timer, void *arg)
{
    (void)timer;
    int ms = (int)(intptr_t)arg;
    long late = (long)(now_us() - t0_us) - ms * 1000L;
    printf("timer %d late_us=%ld\n", ms, late);
    size_t used = 0;
    while (order[used]) used++;
    snprintf(order + used, sizeof order - used, " %d", ms);
    timers_fired++;
    maybe_finish(loop);
}

static void on_tick(emnet_loop *loop, int timer, void *arg)
{
    (void)arg;
    if (++ticks == 4) {
        emnet_loop_timer_cancel(loop, timer);
        ticker = -1;
        maybe_finish(loop);
    }
}

int main(int argc, char **argv)
{
    events_wanted = argc > 1 ? atol(argv[1]) : 100000;
    emnet_loop *loop = emnet_loop_new();
    if (!loop) {
        perror("emnet_loop_new");
        return 1;
    }
    efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
    t0_us = now_us();
    if (emnet_loop_add(loop, efd, 0x1 /* EPOLLIN */, on_event, NULL) < 0 ||
        emnet_loop_timer(loop, 60, 0, on_timer, (void *)(intptr_t)60) < 0 ||
        emnet_loop_timer(loop, 20, 0, on_timer, (void *)(intptr_t)20) < 0 ||
        emnet_loop_timer(loop, 40, 0, on_timer, (void *)(intptr_t)40) < 0 ||
        (ticker = emnet_loop_timer(loop, 5, 5, on_tick, NULL)) < 0) {
        perror("emnet_loop");
        return 1;
    }
    int status = emnet_loop_run(loop);   /* in wasm, the program ends inside */
    emnet_loop_free(loop);
    return status;
}
