/* clock_gettime for Emscripten 3.1.6, whose own version (JavaScript) knows
 * only CLOCK_REALTIME and CLOCK_MONOTONIC, and whose monotonic clock in a
 * page starts at 0 when the page loads.
 *
 * Linux's monotonic clock counts from boot, so programs may compute a
 * deadline in the past (now - 1 s) as a valid absolute time. Here the
 * monotonic clocks (MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME)
 * are performance.now() plus a fixed day, as if the machine had been up
 * that long; CPU-time clocks answer with the same clock, the nearest a
 * page has. emnet's timers read the same clock, so all of it agrees. */
#include <emscripten.h>
#include <errno.h>
#include <time.h>

#include "internal.h"

__attribute__((import_module("env"), import_name("clock_gettime")))
int stock_clock_gettime(clockid_t clk, struct timespec *ts);

#define UPTIME_BASE_MS (86400.0 * 1000.0)

int clock_gettime(clockid_t clk, struct timespec *ts)
{
    double ms;
    switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        return stock_clock_gettime(CLOCK_REALTIME, ts);
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        ms = emscripten_get_now() + UPTIME_BASE_MS;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    double sec = (double)(long long)(ms / 1000.0);
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = (long)((ms - sec * 1000.0) * 1e6);
    if (ts->tv_nsec >= 1000000000L) ts->tv_nsec = 999999999L;
    return 0;
}
