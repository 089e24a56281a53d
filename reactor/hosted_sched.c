/* The hosted loop's scheduler in wasm: decides when loops are driven.
 *
 *  - A loop's epoll instance calls ready_hook() whenever an event becomes
 *    ready there (a JS callback wrote an eventfd, data arrived). If no drive
 *    is pending, one is scheduled as a zero-delay macrotask; wake-ups are
 *    coalesced, so a burst of events costs one drive.
 *  - A drive runs each loop for its budget. If events remain, another
 *    drive is scheduled: the browser gets to run (input, rendering,
 *    WebSocket events) between drives, so the page never freezes.
 *  - The nearest timer deadline gets one setTimeout, re-armed whenever the
 *    nearest deadline changes.
 *  - A stopped loop ends the program with its status. */
#include <emscripten.h>
#include <stdlib.h>

#include "internal.h"

#define MAX_LOOPS 16

static emnet_loop *loops[MAX_LOOPS];
static int loop_count;
static int drive_pending;
static int in_drive;
static uint64_t timer_armed_for = EMNET__NEVER;

static void request_drive(void)
{
    if (drive_pending || in_drive) return;   /* after a drive, we look again anyway */
    drive_pending = 1;
    emnet_js_schedule_drive();
}

static void ready_hook(void *arg)
{
    (void)arg;
    request_drive();
}

/* Set while the drive runs inside the timer's own setTimeout callback. */
static int in_timer_task;

/* Browsers clamp a setTimeout set from inside a setTimeout callback (after
 * a few levels of such nesting) to 4 ms. */
#define NESTED_CLAMP_NS 4000000u

static void arm_timer(void)
{
    uint64_t next = loop_count ? emnet__timers_next() : EMNET__NEVER;
    if (next == timer_armed_for) return;
    uint64_t now = emnet__now_ns();
    if (next != EMNET__NEVER && in_timer_task && next < now + NESTED_CLAMP_NS) {
        /* Too soon to arm from here without the clamp: arm it from a
         * fresh macrotask, whose timers are not nested. */
        request_drive();
        return;
    }
    timer_armed_for = next;
    if (next == EMNET__NEVER)
        emnet_js_schedule_timer(-1);
    else
        emnet_js_schedule_timer(next > now ? (double)(next - now) / 1e6 : 0);
}

void emnet__timers_changed(void)
{
    if (!in_drive) arm_timer();
}

void emnet__sched_start(emnet_loop *loop)
{
    if (loop_count == MAX_LOOPS) abort();   /* more running loops than any program needs */
    loops[loop_count++] = loop;
    emnet__epoll_set_ready_hook(emnet__loop_epfd(loop), ready_hook, NULL);
    request_drive();
    arm_timer();
}

void emnet__sched_poke(void)
{
    request_drive();
}

EMSCRIPTEN_KEEPALIVE void emnet__sched_drive(void)
{
    drive_pending = 0;
    in_drive = 1;
    emnet__timers_run();
    for (int i = 0; i < loop_count; i++) {
        emnet_loop *loop = loops[i];
        int status;
        if (!emnet__loop_stopped(loop, &status)) emnet_loop_drive(loop, emnet__loop_budget(loop));
    }
    in_drive = 0;
    /* Asked for while this drive ran (it was suspended in a blocking call
     * and a host event came): nothing was posted for it, so post now. */
    int again = drive_pending;
    drive_pending = 0;
    for (int i = 0; i < loop_count; i++) {
        int status;
        if (emnet__loop_stopped(loops[i], &status)) {
            /* The program is done: exit as if main had returned status. */
            emscripten_force_exit(status);
        }
        if (emnet__epoll_has_ready(emnet__loop_epfd(loops[i]))) again = 1;
    }
    if (again) request_drive();
    arm_timer();
}

/* Runs the drive that was asked for, if it has not run yet: called after
 * every host event (js/library_emnet.js, EMNET.event) and by the posted
 * macrotask, whichever comes first. */
EMSCRIPTEN_KEEPALIVE void emnet__sched_settle(void)
{
    /* In a drive (suspended in a blocking call): that drive looks again
     * when it ends. */
    if (drive_pending && !in_drive) emnet__sched_drive();
}

EMSCRIPTEN_KEEPALIVE void emnet__sched_timer(void)
{
    timer_armed_for = EMNET__NEVER;
    /* Drive right here: the callbacks of the timers that came due run in
     * this task, without another trip through the event loop. */
    in_timer_task = 1;
    emnet__sched_drive();
    in_timer_task = 0;
}
