/* The hosted event loop: fds and timers with callbacks, over one epoll
 * instance. The same code runs natively (the kernel's epoll and timerfd)
 * and in wasm (emnet's); only who calls emnet_loop_drive() differs:
 * natively emnet_loop_run() blocks in epoll_wait, in wasm the scheduler
 * (hosted_sched.c) drives from the browser's event loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "emnet/reactor.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include "internal.h"
#endif

struct watch {
    emnet_io_cb io;           /* NULL for a timer */
    emnet_timer_cb timer;
    void *arg;
    uint32_t gen;             /* tells a reused fd from the one an event was for */
    unsigned char active;
    unsigned char one_shot;   /* timers: release after the callback */
};

struct emnet_loop {
    int epfd;
    struct watch *watches;    /* by fd */
    int watch_count;
    uint32_t next_gen;
    int budget;
    int stopped;
    int status;
};

emnet_loop *emnet_loop_new(void)
{
    emnet_loop *loop = calloc(1, sizeof *loop);
    if (!loop) return NULL;
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0) {
        int e = errno;
        free(loop);
        errno = e;
        return NULL;
    }
    loop->budget = EMNET_LOOP_DEFAULT_BUDGET;
    return loop;
}

void emnet_loop_free(emnet_loop *loop)
{
    if (!loop) return;
    for (int fd = 0; fd < loop->watch_count; fd++)
        if (loop->watches[fd].active && !loop->watches[fd].io) close(fd);   /* our timers */
    close(loop->epfd);
    free(loop->watches);
    free(loop);
}

static struct watch *watch_slot(emnet_loop *loop, int fd)
{
    if (fd < 0) {
        errno = EBADF;
        return NULL;
    }
    if (fd >= loop->watch_count) {
        int n = loop->watch_count ? loop->watch_count : 64;
        while (n <= fd) n *= 2;
        struct watch *w = realloc(loop->watches, (size_t)n * sizeof *w);
        if (!w) {
            errno = ENOMEM;
            return NULL;
        }
        memset(w + loop->watch_count, 0, (size_t)(n - loop->watch_count) * sizeof *w);
        loop->watches = w;
        loop->watch_count = n;
    }
    return &loop->watches[fd];
}

static int watch_add(emnet_loop *loop, int fd, uint32_t events, struct watch w)
{
    struct watch *slot = watch_slot(loop, fd);
    if (!slot) return -1;
    if (slot->active) {
        errno = EEXIST;
        return -1;
    }
    w.gen = ++loop->next_gen;
    w.active = 1;
    struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)w.gen << 32 | (uint32_t)fd };
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) return -1;
    *slot = w;
    return 0;
}

int emnet_loop_add(emnet_loop *loop, int fd, uint32_t events, emnet_io_cb cb, void *arg)
{
    struct watch w = { .io = cb, .arg = arg };
    return watch_add(loop, fd, events, w);
}

int emnet_loop_mod(emnet_loop *loop, int fd, uint32_t events)
{
    if (fd < 0 || fd >= loop->watch_count || !loop->watches[fd].active) {
        errno = ENOENT;
        return -1;
    }
    struct epoll_event ev = { .events = events,
                              .data.u64 = (uint64_t)loop->watches[fd].gen << 32 | (uint32_t)fd };
    return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev);
}

int emnet_loop_del(emnet_loop *loop, int fd)
{
    if (fd < 0 || fd >= loop->watch_count || !loop->watches[fd].active) {
        errno = ENOENT;
        return -1;
    }
    loop->watches[fd].active = 0;
    return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int emnet_loop_timer(emnet_loop *loop, uint64_t delay_ms, uint64_t interval_ms, emnet_timer_cb cb, void *arg)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return -1;
    struct itimerspec its = {
        .it_value = { .tv_sec = (time_t)(delay_ms / 1000), .tv_nsec = (long)(delay_ms % 1000) * 1000000 },
        .it_interval = { .tv_sec = (time_t)(interval_ms / 1000), .tv_nsec = (long)(interval_ms % 1000) * 1000000 },
    };
    if (!delay_ms) its.it_value.tv_nsec = 1;   /* 0 would disarm: "now" is 1 ns */
    struct watch w = { .timer = cb, .arg = arg, .one_shot = interval_ms == 0 };
    if (timerfd_settime(fd, 0, &its, NULL) < 0 || watch_add(loop, fd, EPOLLIN, w) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int emnet_loop_timer_cancel(emnet_loop *loop, int timer)
{
    if (timer < 0 || timer >= loop->watch_count || !loop->watches[timer].active || loop->watches[timer].io) {
        errno = EINVAL;
        return -1;
    }
    emnet_loop_del(loop, timer);
    return close(timer);
}

static void run_timer(emnet_loop *loop, int fd, struct watch *w)
{
    uint64_t expirations;
    if (read(fd, &expirations, sizeof expirations) != sizeof expirations) return;   /* spurious */
    emnet_timer_cb cb = w->timer;
    void *arg = w->arg;
    if (w->one_shot) {
        /* Released before the callback, so the callback may reuse the fd. */
        emnet_loop_del(loop, fd);
        close(fd);
    }
    cb(loop, fd, arg);
}

/* Runs up to `budget` callbacks; the first epoll_wait may wait `timeout`. */
static int dispatch(emnet_loop *loop, int timeout, int budget)
{
    struct epoll_event evs[64];
    int ran = 0;
    while (ran < budget && !loop->stopped) {
        int want = budget - ran < 64 ? budget - ran : 64;
        int n = epoll_wait(loop->epfd, evs, want, timeout);
        if (n < 0) {
            if (errno == EINTR) continue;
            return ran ? ran : -1;
        }
        if (n == 0) break;
        timeout = 0;
        for (int i = 0; i < n; i++) {
            int fd = (int)(uint32_t)evs[i].data.u64;
            uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
            /* An earlier callback of this batch may have removed the fd,
             * or removed it and registered another under the same number. */
            if (fd >= loop->watch_count) continue;
            struct watch *w = &loop->watches[fd];
            if (!w->active || w->gen != gen) continue;
            if (w->io)
                w->io(loop, fd, evs[i].events, w->arg);
            else
                run_timer(loop, fd, w);
            ran++;
        }
        /* Look again while budget remains: callbacks often make more
         * work ready (a reply, a re-armed edge) and a drive is cheaper
         * than a trip through the browser's event loop. */
    }
    return ran;
}

int emnet_loop_drive(emnet_loop *loop, int budget)
{
    return dispatch(loop, 0, budget);
}

void emnet_loop_set_budget(emnet_loop *loop, int budget)
{
    loop->budget = budget > 0 ? budget : 1;
}

void emnet_loop_stop(emnet_loop *loop, int status)
{
    loop->stopped = 1;
    loop->status = status;
#ifdef __EMSCRIPTEN__
    emnet__sched_poke();   /* the scheduler ends the program */
#endif
}

#ifdef __EMSCRIPTEN__
int emnet_loop_run(emnet_loop *loop)
{
    loop->stopped = 0;
    emnet__sched_start(loop);
    emscripten_exit_with_live_runtime();
}

int emnet__loop_epfd(emnet_loop *loop) { return loop->epfd; }
int emnet__loop_budget(emnet_loop *loop) { return loop->budget; }

int emnet__loop_stopped(emnet_loop *loop, int *status)
{
    *status = loop->status;
    return loop->stopped;
}
#else
int emnet_loop_run(emnet_loop *loop)
{
    loop->stopped = 0;
    while (!loop->stopped) {
        if (dispatch(loop, -1, loop->budget) < 0) return -1;   /* epoll_wait failed */
    }
    return loop->status;
}
#endif
