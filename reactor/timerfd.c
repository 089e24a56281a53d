/* timerfd(2) as a pollable: one-shot and interval timers on
 * CLOCK_MONOTONIC (BOOTTIME is the same clock here) or CLOCK_REALTIME,
 * counting expirations until read. Readable while the count is not zero. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

#include "internal.h"

#define NS 1000000000ull

struct timerfd {
    struct emnet_pollable base;
    struct emnet__timer timer;
    int clockid;
    uint64_t interval_ns;
    uint64_t ticks;
};

static struct timerfd *from_timer(struct emnet__timer *t)
{
    return (struct timerfd *)((char *)t - offsetof(struct timerfd, timer));
}

static void timerfd_expire(struct emnet__timer *t, uint64_t now)
{
    struct timerfd *tf = from_timer(t);
    tf->ticks++;
    if (tf->interval_ns) {
        /* Expirations missed while nobody looked count too (overruns). */
        uint64_t next = t->deadline_ns + tf->interval_ns;
        if (next <= now) {
            uint64_t missed = (now - next) / tf->interval_ns + 1;
            tf->ticks += missed;
            next += missed * tf->interval_ns;
        }
        emnet__timer_schedule(t, next);
    }
    emnet_pollable_notify(&tf->base, EPOLLIN);
}

static uint32_t timerfd_poll(struct emnet_pollable *p)
{
    return ((struct timerfd *)p)->ticks ? EPOLLIN : 0;
}

static long timerfd_read(struct emnet_pollable *p, void *buf, size_t len)
{
    struct timerfd *tf = (struct timerfd *)p;
    if (len < sizeof(uint64_t)) return -EINVAL;
    if (!tf->ticks) return -EAGAIN;
    memcpy(buf, &tf->ticks, sizeof tf->ticks);
    tf->ticks = 0;
    return sizeof(uint64_t);
}

static long timerfd_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    (void)p, (void)buf, (void)len;
    return -EINVAL;   /* a timerfd cannot be written */
}

static void timerfd_destroy(struct emnet_pollable *p)
{
    struct timerfd *tf = (struct timerfd *)p;
    emnet__timer_schedule(&tf->timer, EMNET__NEVER);
    free(tf);
}

static const struct emnet_pollable_ops timerfd_ops = {
    .name = "anon_inode:[timerfd]",
    .poll = timerfd_poll,
    .read = timerfd_read,
    .write = timerfd_write,
    .destroy = timerfd_destroy,
};

int emnet__timerfd_create(int clockid, int flags)
{
    if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) return -EINVAL;
    if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME && clockid != CLOCK_BOOTTIME) {
        /* The *_ALARM clocks need a wake-up alarm that a page cannot set. */
        return clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM ? -EPERM : -EINVAL;
    }
    struct timerfd *tf = calloc(1, sizeof *tf);
    if (!tf) return -ENOMEM;
    emnet_pollable_init(&tf->base, &timerfd_ops);
    tf->timer.expire = timerfd_expire;
    tf->clockid = clockid;
    int fd = emnet_pollable_install(&tf->base, flags & (O_NONBLOCK | O_CLOEXEC));
    if (fd < 0) free(tf);
    return fd;
}

static int valid(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NS;
}

static uint64_t to_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
}

static struct timespec from_ns(uint64_t ns)
{
    struct timespec ts = { .tv_sec = (time_t)(ns / NS), .tv_nsec = (long)(ns % NS) };
    return ts;
}

static struct timerfd *lookup(int fd, int *err)
{
    struct emnet_pollable *p = emnet_pollable_get(fd);
    if (!p) {
        *err = emnet__fs_fd_exists(fd) ? -EINVAL : -EBADF;
        return NULL;
    }
    if (p->ops != &timerfd_ops) {
        *err = -EINVAL;
        return NULL;
    }
    return (struct timerfd *)p;
}

static void current(struct timerfd *tf, struct itimerspec *out)
{
    uint64_t now = emnet__now_ns();
    uint64_t left = tf->timer.heap_index && tf->timer.deadline_ns > now ? tf->timer.deadline_ns - now : 0;
    /* An armed timer whose deadline is this very instant still shows 1 ns,
     * as Linux never reports an armed timer as 0 (which means disarmed). */
    if (tf->timer.heap_index && !left) left = 1;
    out->it_value = from_ns(left);
    out->it_interval = from_ns(tf->interval_ns);
}

int emnet__timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value)
{
    if (!new_value) return -EFAULT;
    if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
        !valid(&new_value->it_value) || !valid(&new_value->it_interval))
        return -EINVAL;
    int err = 0;
    struct timerfd *tf = lookup(fd, &err);
    if (!tf) return err;
    emnet__timers_run();
    if (old_value) current(tf, old_value);

    tf->ticks = 0;
    tf->interval_ns = to_ns(&new_value->it_interval);
    uint64_t value = to_ns(&new_value->it_value);
    uint64_t now = emnet__now_ns();
    uint64_t deadline = EMNET__NEVER;
    if (value) {
        if (!(flags & TFD_TIMER_ABSTIME)) {
            deadline = now + value;
        } else if (tf->clockid == CLOCK_REALTIME) {
            /* An absolute wall-clock time becomes a monotonic deadline. */
            struct timespec rt;
            clock_gettime(CLOCK_REALTIME, &rt);
            uint64_t real_now = to_ns(&rt);
            /* A deadline in the past keeps its place in time, so the
             * intervals since then count as expirations. */
            if (value > real_now)
                deadline = now + (value - real_now);
            else
                deadline = now > real_now - value ? now - (real_now - value) : 0;
        } else {
            deadline = value;
        }
    }
    emnet__timer_schedule(&tf->timer, deadline);
    emnet__timers_run();   /* a deadline already past expires now */
    return 0;
}

int emnet__timerfd_gettime(int fd, struct itimerspec *curr_value)
{
    int err = 0;
    struct timerfd *tf = lookup(fd, &err);
    if (!tf) return err;
    if (!curr_value) return -EFAULT;
    emnet__timers_run();
    current(tf, curr_value);
    return 0;
}
