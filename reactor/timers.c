/* The clock, and one min-heap of deadlines for everything timed in the
 * reactor (timerfds; the hosted loop's timers are timerfds too).
 *
 * A binary heap: arm, re-arm and cancel cost O(log n), and asking whether
 * anything is due -- done on every entry into the reactor -- is O(1).
 * Nothing fires by itself in wasm: timers run when the program enters the
 * reactor (epoll_wait, poll, select, read of a timerfd), when a suspended
 * wait times out, or when the hosted loop's setTimeout comes due. */
#include <stdlib.h>
#include <time.h>

#include "internal.h"

static struct emnet__timer **heap;   /* 1-based; heap[0] unused */
static unsigned heap_len, heap_cap;

uint64_t emnet__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put(unsigned i, struct emnet__timer *t)
{
    heap[i] = t;
    t->heap_index = i;
}

static void sift_up(unsigned i)
{
    struct emnet__timer *t = heap[i];
    while (i > 1 && heap[i / 2]->deadline_ns > t->deadline_ns) {
        put(i, heap[i / 2]);
        i /= 2;
    }
    put(i, t);
}

static void sift_down(unsigned i)
{
    struct emnet__timer *t = heap[i];
    for (;;) {
        unsigned c = 2 * i;
        if (c > heap_len) break;
        if (c + 1 <= heap_len && heap[c + 1]->deadline_ns < heap[c]->deadline_ns) c++;
        if (heap[c]->deadline_ns >= t->deadline_ns) break;
        put(i, heap[c]);
        i = c;
    }
    put(i, t);
}

static void remove_at(unsigned i)
{
    struct emnet__timer *last = heap[heap_len--];
    heap[i]->heap_index = 0;
    if (i <= heap_len) {
        put(i, last);
        sift_down(i);
        sift_up(last->heap_index);
    }
}

void emnet__timer_schedule(struct emnet__timer *t, uint64_t deadline_ns)
{
    if (t->heap_index) remove_at(t->heap_index);
    t->deadline_ns = deadline_ns;
    if (deadline_ns != EMNET__NEVER) {
        if (heap_len + 1 >= heap_cap) {
            unsigned cap = heap_cap ? heap_cap * 2 : 64;
            struct emnet__timer **h = realloc(heap, cap * sizeof *h);
            if (!h) abort();   /* a few bytes per timer; out of memory is fatal here */
            heap = h;
            heap_cap = cap;
        }
        put(++heap_len, t);
        sift_up(heap_len);
    }
    emnet__timers_changed();
    /* A program suspended in a wait chose its wake-up time from the old
     * deadlines (a JS callback may arm a timer meanwhile): let it look again. */
    emnet__wake();
}

uint64_t emnet__timers_next(void)
{
    return heap_len ? heap[1]->deadline_ns : EMNET__NEVER;
}

void emnet__timers_run(void)
{
    if (!heap_len) return;
    uint64_t now = emnet__now_ns();
    while (heap_len && heap[1]->deadline_ns <= now) {
        struct emnet__timer *t = heap[1];
        remove_at(1);
        t->expire(t, now);   /* sees the deadline that passed; may re-arm t */
    }
}
