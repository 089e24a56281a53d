/* poll(2) and select(2) for Emscripten 3.1.6, whose own versions ignore the
 * timeout and, for select, look at fds below 64 only. Both come in through
 * musl as __syscall_poll and __syscall__newselect.
 *
 * emnet's fds answer from their pollables; other fds (files, ttys) from
 * Emscripten's own poll, asked about that one fd with a zero timeout. Only
 * emnet's pollables notify, so a wait ends on their events, a timerfd, or
 * the timeout. */
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <time.h>

#include "internal.h"

__attribute__((import_module("env"), import_name("__syscall_poll")))
long stock_poll(long fds, long nfds, long timeout);

/* Our definitions, with the signatures musl's syscall_arch.h gives them. */
long __syscall_poll(long fds_addr, long nfds, long timeout_ms);
long __syscall__newselect(long nfds, long rfds_addr, long wfds_addr, long efds_addr, long tv_addr);

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

static uint64_t deadline_after_ms(long timeout_ms)
{
    return timeout_ms < 0 ? EMNET__NEVER : emnet__now_ns() + (uint64_t)timeout_ms * 1000000u;
}

long __syscall_poll(long fds_addr, long nfds, long timeout_ms)
{
    struct pollfd *fds = (struct pollfd *)fds_addr;
    if ((unsigned long)nfds > POLL_MAX_FDS) return -EINVAL;
    if (nfds && (!fds || beyond_memory(fds, (size_t)nfds * sizeof *fds))) return -EFAULT;
    uint64_t deadline = deadline_after_ms(timeout_ms);
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
        if (count || timeout_ms == 0 || emnet__now_ns() >= deadline) return count;
        int r = emnet__block_until(deadline);
        if (r < 0) return r;
    }
}

/* Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET (fs/select.c). */
#define IN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define OUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define EX_SET (POLLPRI)

static int in_set(fd_set *s, int fd) { return s && FD_ISSET(fd, s); }

long __syscall__newselect(long nfds, long rfds_addr, long wfds_addr, long efds_addr, long tv_addr)
{
    fd_set *rfds = (fd_set *)rfds_addr, *wfds = (fd_set *)wfds_addr, *efds = (fd_set *)efds_addr;
    struct timeval *tv = (struct timeval *)tv_addr;
    if (nfds < 0) return -EINVAL;
    if (nfds > FD_SETSIZE) nfds = FD_SETSIZE;   /* Linux also caps n at its table size */
    if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)) return -EINVAL;
    for (int fd = 0; fd < nfds; fd++)
        if ((in_set(rfds, fd) || in_set(wfds, fd) || in_set(efds, fd)) && (fd_events(fd) & POLLNVAL))
            return -EBADF;

    long timeout_ms = tv ? (long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000 : -1;
    uint64_t deadline = deadline_after_ms(timeout_ms);
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
        if (count || timeout_ms == 0 || emnet__now_ns() >= deadline) {
            if (rfds) *rfds = rout;
            if (wfds) *wfds = wout;
            if (efds) *efds = eout;
            return count;
        }
        int r = emnet__block_until(deadline);
        if (r < 0) return r;
    }
}
