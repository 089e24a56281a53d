/* Traces for the differential conformance suite.
 *
 * A scenario is one C program that makes calls and records each result
 * here: the return value, errno *by name* (Emscripten's errno numbers are
 * not Linux's), event masks by flag name. The same program is built
 * natively, where the Linux kernel answers, and as wasm, where emnet does;
 * tests/conformance/compare.sh runs both and fails on any difference.
 *
 * Record only what must be equal: an fd's number is "fd" (numbering may
 * differ with the runner's open files), and timing-dependent values go
 * through TRACE_TRUE with a tolerance. Header-only. */
#ifndef EMNET_CONFORMANCE_TRACE_H
#define EMNET_CONFORMANCE_TRACE_H

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "errno_names.h"

/* name(args) = result, with errno's name when the call failed.
 * errno is read before anything else can change it. */
static inline long trace_result(const char *call, long r, int err)
{
    if (r < 0)
        printf("%s = %ld %s\n", call, r, trace_errno_name(err));
    else
        printf("%s = %ld\n", call, r);
    fflush(stdout);
    return r;
}

static inline long trace_fd_result(const char *call, long r, int err)
{
    if (r < 0)
        printf("%s = %ld %s\n", call, r, trace_errno_name(err));
    else
        printf("%s = fd\n", call);
    fflush(stdout);
    return r;
}

/* T(call): records the call and its result; evaluates to the result.
 * (A statement expression, so errno is read after the call, never before.) */
#define T(call) ({ errno = 0; long r_ = (long)(call); trace_result(#call, r_, errno); })
/* TFD(call): for calls that return a new fd. */
#define TFD(call) ({ errno = 0; long r_ = (long)(call); trace_fd_result(#call, r_, errno); })

/* A value the scenario computed (a counter read, a byte count). */
#define TRACE_VALUE(label, v) (printf("  %s = %lld\n", label, (long long)(v)), fflush(stdout))

/* A property that must hold in both builds (e.g. a timer's remaining time
 * within bounds); prints the expression and whether it held. */
#define TRACE_TRUE(expr) (printf("  check %s: %s\n", #expr, (expr) ? "yes" : "NO"), fflush(stdout))

static inline void trace_note(const char *text)
{
    printf("-- %s\n", text);
    fflush(stdout);
}

/* Event bits by name, in a fixed order, with any unknown rest in hex. */
static inline const char *trace_events_name(uint32_t ev, char *buf, size_t len)
{
    static const struct { uint32_t bit; const char *name; } names[] = {
        { EPOLLIN, "IN" }, { EPOLLPRI, "PRI" }, { EPOLLOUT, "OUT" }, { EPOLLERR, "ERR" },
        { EPOLLHUP, "HUP" }, { POLLNVAL, "NVAL" }, { EPOLLRDNORM, "RDNORM" },
        { EPOLLRDBAND, "RDBAND" }, { EPOLLWRNORM, "WRNORM" }, { EPOLLWRBAND, "WRBAND" },
        { EPOLLMSG, "MSG" }, { EPOLLRDHUP, "RDHUP" },
    };
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(ev & names[i].bit)) continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "", names[i].name);
        ev &= ~names[i].bit;
    }
    if (ev) used += (size_t)snprintf(buf + used, len - used, "%s0x%x", used ? "|" : "", ev);
    if (!used) snprintf(buf, len, "0");
    return buf;
}

/* The events epoll_wait returned: each mask and its data (a small number
 * the scenario chose, never a pointer or an fd). */
static inline void trace_epoll_events(const struct epoll_event *ev, int n)
{
    char b[128];
    for (int i = 0; i < n; i++) printf("  [%d] %s data=%llu\n", i, trace_events_name(ev[i].events, b, sizeof b),
                                       (unsigned long long)ev[i].data.u64);
    fflush(stdout);
}

/* epoll_wait, recorded with the events it returned. */
#define TRACE_WAIT(ep, max, timeout)                                \
    do {                                                            \
        struct epoll_event out_[16];                                \
        int n_ = (int)T(epoll_wait(ep, out_, max, timeout));        \
        trace_epoll_events(out_, n_);                               \
    } while (0)

/* Milliseconds on CLOCK_MONOTONIC since t0, for TRACE_TRUE bounds. */
static inline long long trace_ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000LL + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static inline void trace_pollfds(const struct pollfd *p, int n)
{
    char b[128];
    for (int i = 0; i < n; i++) printf("  [%d] revents=%s\n", i, trace_events_name((uint16_t)p[i].revents, b, sizeof b));
    fflush(stdout);
}

#endif
