/* Private cross-file declarations of reactor/ (wasm builds).
 *
 * Conventions: internal functions return >= 0 or -EXXX and never touch
 * errno; only the POSIX shims (posix_*.c, emscripten_*.c) turn -EXXX into
 * -1 + errno. */
#ifndef EMNET_REACTOR_INTERNAL_H
#define EMNET_REACTOR_INTERNAL_H

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "emnet/reactor.h"

/* Linux's limit on epoll nesting (fs/eventpoll.c EP_MAX_NESTS). */
#define EMNET__EP_MAX_NESTS 4
/* Linux's cap on maxevents: INT_MAX / sizeof(struct epoll_event). */
#define EMNET__EP_MAX_EVENTS (0x7fffffff / 12)
/* Interest bits that are flags, not events. */
#define EMNET__EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

/* ---- fd table (pollable.c) ---- */

/* The highest fd number emnet hands out, plus one. Emscripten's FS keeps
 * its own files below FS.MAX_OPEN_FDS (4096); emnet's fds share the same
 * number space and may go up to this limit. */
#define EMNET__MAX_FDS 65536

/* Returns 0 and drops the fd; the pollable is destroyed with its last fd. */
int emnet__fd_close(int fd);

/* The pollable behind fd if it is of the kind `ops`; otherwise NULL and
 * *err = -EBADF for a closed fd, `wrong_kind` for any other open fd (an
 * emnet fd of another kind, or one of Emscripten's files). */
struct emnet_pollable *emnet__fd_lookup(int fd, const struct emnet_pollable_ops *ops, int wrong_kind, int *err);

/* Returns fd's FD_CLOEXEC (0 or 1) after setting it to `set` if set >= 0;
 * -EBADF if fd is not a pollable. */
int emnet__fd_cloexec(int fd, int set);

/* A new fd (the lowest free one >= min_fd) for the pollable behind oldfd. */
int emnet__fd_dup(int oldfd, int min_fd, int cloexec);

/* Sets O_NONBLOCK on or off for the pollable behind fd. */
void emnet__fd_set_nonblock(struct emnet_pollable *p, int on);

/* Non-blocking read/write of the pollable, made blocking when the fd is
 * blocking: waits (if the build can) until the pollable notifies. */
long emnet__fd_read(struct emnet_pollable *p, void *buf, size_t len);
long emnet__fd_write(struct emnet_pollable *p, const void *buf, size_t len);

/* ---- epoll (epoll.c) ---- */
struct emnet__epoll;

/* One registration: (epoll instance, watched pollable, fd). */
struct emnet__epitem {
    struct emnet__epoll *ep;
    struct emnet_pollable *target;
    int fd;
    uint32_t interest;                       /* events | EPOLLERR | EPOLLHUP | flags */
    epoll_data_t data;
    struct emnet__epitem *next_watcher;      /* in target->watchers */
    struct emnet__epitem *ep_prev, *ep_next; /* in ep's list of all items */
    struct emnet__epitem *rd_prev, *rd_next; /* in ep's ready list */
    int on_ready_list;
};

int emnet__epoll_create(int flags);
int emnet__epoll_ctl(int epfd, int op, int fd, const struct epoll_event *event);
/* timeout_ms < 0: forever. Returns the number of events or -E. */
int emnet__epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
/* The target's last fd is gone: remove all its registrations. */
void emnet__epoll_forget_target(struct emnet_pollable *p);
/* A wake-up of target reached item. */
void emnet__epoll_item_wake(struct emnet__epitem *item, uint32_t key);

/* The hosted loop of a wasm build hooks its epoll instance: `fn` runs
 * whenever an event becomes ready there. */
typedef void (*emnet__ready_hook)(void *arg);
int emnet__epoll_set_ready_hook(int epfd, emnet__ready_hook fn, void *arg);
/* 1 if the epoll instance behind epfd has events to report now. */
int emnet__epoll_has_ready(int epfd);

/* ---- eventfd.c, timerfd.c ---- */
int emnet__eventfd(unsigned int initval, int flags);
int emnet__eventfd_signal(int fd, uint64_t n);
int emnet__timerfd_create(int clockid, int flags);
int emnet__timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value);
int emnet__timerfd_gettime(int fd, struct itimerspec *curr_value);

/* ---- Emscripten's own fds (emscripten_fd.c) ---- */

/* 1 if fd is open in Emscripten's FS but is not one of emnet's (a file, a
 * tty, a pipe): Linux answers EPERM, not EBADF, for those in epoll_ctl. */
int emnet__fs_fd_exists(int fd);

/* ---- time and timers (timers.c) ---- */
uint64_t emnet__now_ns(void);   /* CLOCK_MONOTONIC */
#define EMNET__NEVER UINT64_MAX

struct emnet__timer {
    uint64_t deadline_ns;           /* meaningful while armed */
    unsigned heap_index;            /* private to timers.c; 0 = not armed */
    /* Called once the deadline has passed, with the timer disarmed and
     * deadline_ns still the deadline that passed. */
    void (*expire)(struct emnet__timer *t, uint64_t now_ns);
};
/* Arms t for deadline_ns, or disarms it with EMNET__NEVER. */
void emnet__timer_schedule(struct emnet__timer *t, uint64_t deadline_ns);
/* Fires every timer whose deadline has passed. Cheap when none has. */
void emnet__timers_run(void);
/* The nearest deadline, or EMNET__NEVER. */
uint64_t emnet__timers_next(void);

/* ---- waiting (wait.c): the blocking bridge ---- */

/* Suspends the program until a pollable notifies or deadline_ns passes.
 * Returns 0, or -ENOTSUP (after a one-time console message) in a build
 * that cannot suspend (neither ASYNCIFY nor JSPI). */
int emnet__block_until(uint64_t deadline_ns);
/* The deadline of a blocking call that may wait timeout_ns (0: none). */
uint64_t emnet__deadline_after(uint64_t timeout_ns);
/* One wait of a blocking call: 0 to try again, -EAGAIN when the deadline
 * had passed already (the call has had its last try), or
 * emnet__block_until's error. */
int emnet__wait_until(uint64_t deadline_ns);
/* A pollable notified: resume a suspended program, tell the scheduler. */
void emnet__wake(void);
/* Deadlines changed: the hosted scheduler may need an earlier setTimeout. */
void emnet__timers_changed(void);

/* ---- the hosted loop's scheduler (hosted_sched.c, wasm) ---- */
void emnet__sched_start(emnet_loop *loop);
void emnet__sched_poke(void);                     /* something to do: drive soon */
int emnet__loop_epfd(emnet_loop *loop);           /* from hosted_loop.c */
int emnet__loop_stopped(emnet_loop *loop, int *status);
int emnet__loop_budget(emnet_loop *loop);
/* Entry points the host calls: a scheduled drive, the timer's setTimeout. */
void emnet__sched_drive(void);
void emnet__sched_timer(void);
void emnet__sched_settle(void);

/* ---- the host (js/library_emnet.js) ---- */
int emnet_js_fd_reserve(const char *name, int min_fd); /* lowest free FS fd >= min_fd, or -errno */
void emnet_js_fd_release(int fd);
/* Emscripten's own streams: FD_CLOEXEC (set >= 0 sets it) and status flags
 * (bits in mask set to value); both return the current value or -EBADF. */
int emnet_js_stream_cloexec(int fd, int set);
int emnet_js_stream_flags(int fd, int mask, int value);
int emnet_js_can_block(void);
int emnet_js_wait(double timeout_ms);            /* suspends (ASYNCIFY/JSPI) */
void emnet_js_wake(void);
void emnet_js_warn_once(const char *message);
void emnet_js_schedule_drive(void);               /* a zero-delay macrotask */
void emnet_js_schedule_timer(double delay_ms);    /* < 0: cancel */

#endif
