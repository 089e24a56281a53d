/* Hosted-loop timers: 24 one-shot timers set in a scrambled order fire in
 * the order of their deadlines, none early; prints how late each fired
 * (late_us) and the median, for the tests to judge on this machine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "emnet/reactor.h"

#define COUNT 24

static uint64_t t0_us;
static int fired, in_order = 1, early;
static int last_ms = -1;
static long late_us[COUNT];
static int fired_ms[COUNT];

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void on_timer(emnet_loop *loop, int timer, void *arg)
{
    (void)timer;
    int ms = (int)(intptr_t)arg;
    long late = (long)(now_us() - t0_us) - ms * 1000L;
    if (ms < last_ms) in_order = 0;
    if (late < 0) early++;
    last_ms = ms;
    fired_ms[fired] = ms;
    late_us[fired++] = late;
    if (fired < COUNT) return;
    printf("timers: %d fired, %s, %d early\n", fired, in_order ? "in deadline order" : "OUT OF ORDER", early);
    printf("fired_ms:");
    for (int i = 0; i < COUNT; i++) printf(" %d", fired_ms[i]);
    printf("\nlate_us:");
    for (int i = 0; i < COUNT; i++) printf(" %ld", late_us[i]);
    qsort(late_us, COUNT, sizeof late_us[0], cmp_long);
    printf("\nmedian_late_us=%ld max_late_us=%ld\n", late_us[COUNT / 2], late_us[COUNT - 1]);
    emnet_loop_stop(loop, in_order && !early ? 0 : 1);
}

int main(void)
{
    emnet_loop *loop = emnet_loop_new();
    if (!loop) return 1;
    t0_us = now_us();
    for (int i = 0; i < COUNT; i++) {
        int ms = 10 + ((i * 7) % COUNT) * 10;   /* 10..240 ms, scrambled */
        if (emnet_loop_timer(loop, (uint64_t)ms, 0, on_timer, (void *)(intptr_t)ms) < 0) return 1;
    }
    int status = emnet_loop_run(loop);
    emnet_loop_free(loop);
    return status;
}
