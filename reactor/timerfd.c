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
    int expired;    /* an interval timer waiting for catch_up() */
};

static struct timerfd *from_timer(struct emnet__timer *t)
{
    return (struct timerfd *)((char *)t - offsetof(struct timerfd, timer));
}

/* As Linux's timerfd_tmrproc: an expiry counts one tick and wakes waiters
 * once. An interval timer is not re-armed here: it stays expired until a
 * read or timerfd_gettime looks at it (catch_up), so a tick nobody reads
 * makes no further wake-ups -- no new edges for EPOLLET, no end to a wait. */
static void timerfd_expire(struct emnet__timer *t, uint64_t now)
{
    (void)now;
    struct timerfd *tf = from_timer(t);
    tf->ticks++;
    tf->expired = 1;
    emnet_pollable_notify(&tf->base, EPOLLIN);
}

/* Counts the intervals missed since the expiry (overruns) and re-arms an
 * interval timer for its next deadline after now. */
static void catch_up(struct timerfd *tf)
{
    if (!tf->expired || !tf->interval_ns) return;
    tf->expired = 0;
    uint64_t now = emnet__now_ns();
    uint64_t next = tf->timer.deadline_ns + tf->interval_ns;
    if (next <= now) {
        uint64_t missed = (now - next) / tf->interval_ns + 1;
        tf->ticks += missed;
        next += missed * tf->interval_ns;
    }
    emnet__timer_schedule(&tf->timer, next);
}

static uint32_t timerfd_poll(struct emnet_pollable *p)
{
    return ((struct timerfd *)p)->ticks ? EPOLLIN : 0;
}

static long timerfd_read(struct emnet_pollable *p, void *buf, size_t len)
{
    struct timerfd *tf = (struct timerfd *)p;
    if (len < sizeof(uint64_t)) return -EINVAL;
    /* Expire what is due now (the clock is read here, not on every read
     * and write of every fd). */
    emnet__timers_run();
    catch_up(tf);
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
    return (struct timerfd *)emnet__fd_lookup(fd, &timerfd_ops, -EINVAL, err);
}

static void current(struct timerfd *tf, struct itimerspec *out)
{
    uint64_t now = emnet__now_ns();
    uint64_t left = 0;
    if (tf->timer.heap_index) {
        left = tf->timer.deadline_ns > now ? tf->timer.deadline_ns - now : 0;
        /* An armed timer due this very instant still shows 1 ns: 0 would
         * mean disarmed. */
        if (!left) left = 1;
    } else if (tf->expired && tf->interval_ns) {
        /* Expired, not caught up yet: the next expiry it would have. */
        uint64_t since = now - tf->timer.deadline_ns;
        left = tf->interval_ns - since % tf->interval_ns;
    }
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
    tf->expired = 0;
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
    catch_up(tf);
    current(tf, curr_value);
    return 0;
}
