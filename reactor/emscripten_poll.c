/* poll(2), ppoll(2), select(2) and pselect(2) for Emscripten 3.1.6, whose
 * own poll and select ignore the timeout (select also looks at fds below
 * 64 only), whose pselect fails with ENOSYS and which has no ppoll. poll
 * comes in through musl as __syscall_poll; the others are defined here
 * whole, since musl's select keeps the time left from the program (see
 * select below).
 *
 * emnet's fds answer from their pollables; other fds (files, ttys) from
 * Emscripten's own poll, asked about that one fd with a zero timeout. Only
 * emnet's pollables notify, so a wait ends on their events, a timerfd, or
 * the timeout. */
#define _GNU_SOURCE   /* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <time.h>

#include "internal.h"

__attribute__((import_module("env"), import_name("__syscall_poll")))
long stock_poll(long fds, long nfds, long timeout);

/* Our definition, with the signature musl's syscall_arch.h gives it. */
long __syscall_poll(long fds_addr, long nfds, long timeout_ms);

/* Linux's limit on nfds is RLIMIT_NOFILE; ours is the fd table's. */
#define POLL_MAX_FDS EMNET__MAX_FDS

static int beyond_memory(const void *p, size_t len)
{
    size_t mem = __builtin_wasm_memory_size(0) * 65536u;
    return (uintptr_t)p > mem || len > mem - (uintptr_t)p;
}

/* The events fd has now, as EPOLL bits (the POLL bits have the same
 * values), or POLLNVAL for a closed fd. */
static uint32_t fd_events(int fd)
{
    struct emnet_pollable *p = emnet_pollable_get(fd);
    if (p) return p->ops->poll(p);
    struct pollfd one = { .fd = fd, .events = (short)0xffff };
    if (stock_poll((long)&one, 1, 0) < 0) return POLLNVAL;
    return (uint16_t)one.revents;
}

/* The deadline of a timeout of sec seconds and nsec nanoseconds: 0 for a
 * zero timeout (look only), EMNET__NEVER past the clock's range. */
static uint64_t deadline_after(uint64_t sec, uint64_t nsec)
{
    if (!sec && !nsec) return 0;
    uint64_t now = emnet__now_ns();
    if (sec > (EMNET__NEVER - now - nsec) / 1000000000u) return EMNET__NEVER;
    return now + sec * 1000000000u + nsec;
}

/* do_sys_poll: waits until an fd has an event or the deadline passes
 * (EMNET__NEVER: no timeout; 0: just look). Returns the count or -errno. */
static long do_poll(struct pollfd *fds, long nfds, uint64_t deadline)
{
    if ((unsigned long)nfds > POLL_MAX_FDS) return -EINVAL;
    if (nfds && (!fds || beyond_memory(fds, (size_t)nfds * sizeof *fds))) return -EFAULT;
    for (;;) {
        emnet__timers_run();
        int count = 0;
        for (long i = 0; i < nfds; i++) {
            uint32_t mask = 0;
            if (fds[i].fd >= 0) {
                mask = fd_events(fds[i].fd);
                if (!(mask & POLLNVAL)) mask &= (uint16_t)fds[i].events | POLLERR | POLLHUP;
            }
            fds[i].revents = (short)mask;
            if (mask) count++;
        }
        if (count || deadline == 0 || emnet__now_ns() >= deadline) return count;
        int r = emnet__block_until(deadline);
        if (r < 0) return r;
    }
}

long __syscall_poll(long fds_addr, long nfds, long timeout_ms)
{
    uint64_t deadline = EMNET__NEVER;
    if (timeout_ms >= 0) deadline = deadline_after((uint64_t)timeout_ms / 1000, (uint64_t)timeout_ms % 1000 * 1000000u);
    return do_poll((struct pollfd *)fds_addr, nfds, deadline);
}

/* ppoll(): missing from Emscripten 3.1.6's libc. Its timespec is left
 * alone (glibc hands the kernel a copy), an invalid one is EINVAL
 * (poll_select_set_timeout), and the signal mask is ignored
 * (DEVIATIONS.md R7). */
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *ts, const sigset_t *mask)
{
    (void)mask;
    uint64_t deadline = EMNET__NEVER;
    if (ts) {
        if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000) {
            errno = EINVAL;
            return -1;
        }
        deadline = deadline_after((uint64_t)ts->tv_sec, (uint64_t)ts->tv_nsec);
    }
    long r = do_poll(fds, (long)nfds, deadline);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (int)r;
}

/* Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET (fs/select.c). */
#define IN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define OUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define EX_SET (POLLPRI)

static int in_set(fd_set *s, int fd) { return s && FD_ISSET(fd, s); }

/* core_sys_select: waits until an fd is ready or the deadline passes
 * (EMNET__NEVER: no timeout; 0: just look). Returns the count or -errno. */
static long do_select(int nfds, fd_set *rfds, fd_set *wfds, fd_set *efds, uint64_t deadline)
{
    if (nfds < 0) return -EINVAL;
    if (nfds > FD_SETSIZE) nfds = FD_SETSIZE;   /* Linux also caps n at its table size */
    for (int fd = 0; fd < nfds; fd++)
        if ((in_set(rfds, fd) || in_set(wfds, fd) || in_set(efds, fd)) && (fd_events(fd) & POLLNVAL))
            return -EBADF;

    fd_set rout, wout, eout;
    for (;;) {
        emnet__timers_run();
        int count = 0;
        FD_ZERO(&rout);
        FD_ZERO(&wout);
        FD_ZERO(&eout);
        for (int fd = 0; fd < nfds; fd++) {
            int r = in_set(rfds, fd), w = in_set(wfds, fd), e = in_set(efds, fd);
            if (!r && !w && !e) continue;
            uint32_t mask = fd_events(fd);
            if (r && (mask & IN_SET)) FD_SET(fd, &rout), count++;
            if (w && (mask & OUT_SET)) FD_SET(fd, &wout), count++;
            if (e && (mask & EX_SET)) FD_SET(fd, &eout), count++;
        }
        if (count || deadline == 0 || emnet__now_ns() >= deadline) {
            if (rfds) *rfds = rout;
            if (wfds) *wfds = wout;
            if (efds) *efds = eout;
            return count;
        }
        int r = emnet__block_until(deadline);
        if (r < 0) return r;
    }
}

/* select() itself, not only its system call: Linux writes the time left
 * back into the timeval (poll_select_finish), and glibc passes that on;
 * musl's select hands the system call a copy, so the program would never
 * see it. As glibc: a negative time is EINVAL before anything else,
 * microseconds past a second carry into the seconds, and the timeval is
 * written back whatever the outcome -- the time left (0 once it ran out),
 * untouched by the kernel for a zero timeout. */
int select(int nfds, fd_set *restrict rfds, fd_set *restrict wfds, fd_set *restrict efds, struct timeval *restrict tv)
{
    uint64_t deadline = EMNET__NEVER;
    if (tv) {
        if (tv->tv_sec < 0 || tv->tv_usec < 0) {
            errno = EINVAL;
            return -1;
        }
        tv->tv_sec += tv->tv_usec / 1000000;
        tv->tv_usec %= 1000000;
        deadline = deadline_after((uint64_t)tv->tv_sec, (uint64_t)tv->tv_usec * 1000u);
    }
    uint64_t timeout = tv ? (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u : 0;
    long r = do_select(nfds, rfds, wfds, efds, deadline);
    if (tv && deadline != 0 && deadline != EMNET__NEVER) {
        uint64_t now = emnet__now_ns(), left = now < deadline ? deadline - now : 0;
        /* The kernel's clock has always moved on by the end, so less than
         * the whole timeout is left; emnet's may not have, as it can be
         * coarse (100 us in a page, DEVIATIONS.md R4). */
        if (left >= timeout) left = timeout - 1;
        tv->tv_sec = (time_t)(left / 1000000000u);
        tv->tv_usec = (suseconds_t)(left % 1000000000u / 1000u);   /* truncated, as the kernel does */
    }
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (int)r;
}

/* pselect() leaves its timespec alone (glibc copies it, as musl does);
 * the signal mask is ignored (DEVIATIONS.md R7). Emscripten 3.1.6 has no
 * pselect6 system call (ENOSYS), hence this definition. An invalid
 * timespec is EINVAL, as the kernel's poll_select_set_timeout says. */
int pselect(int nfds, fd_set *restrict rfds, fd_set *restrict wfds, fd_set *restrict efds,
            const struct timespec *restrict ts, const sigset_t *restrict mask)
{
    (void)mask;
    uint64_t deadline = EMNET__NEVER;
    if (ts) {
        if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000) {
            errno = EINVAL;
            return -1;
        }
        deadline = deadline_after((uint64_t)ts->tv_sec, (uint64_t)ts->tv_nsec);
    }
    long r = do_select(nfds, rfds, wfds, efds, deadline);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (int)r;
}
