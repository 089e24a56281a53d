/* emnet reactor: readiness for Emscripten programs, and the hosted loop.
 *
 * Two audiences:
 *
 *  1. Programs. They use the POSIX calls (epoll_create1, epoll_ctl,
 *     epoll_wait, eventfd, timerfd_*, poll, select, read, write, close),
 *     which emnet provides with Linux's semantics in wasm builds and which
 *     are the kernel's own in native builds; and the hosted event loop below,
 *     which runs inside the browser's event loop without ever blocking it,
 *     and over the kernel's epoll natively, so one program builds for both.
 *
 *  2. emnet's own modules (net/): anything with readiness -- a socket, an
 *     eventfd, a timer -- plugs into the reactor as a *pollable*: it reports
 *     its current events, and calls emnet_pollable_notify() when they change.
 *     That is all the reactor knows about an fd. Only wasm builds have
 *     pollables; natively the kernel plays that part.
 */
#ifndef EMNET_REACTOR_H
#define EMNET_REACTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * The hosted event loop
 *
 * Register fds and timers once, then call emnet_loop_run() and return from
 * main (or let run never return). Callbacks run from emnet_loop_drive(),
 * which the loop schedules by itself:
 *
 *  - in a browser (or Node.js), a drive runs at most `budget` callbacks and
 *    returns to the event loop; more work schedules another drive as a
 *    zero-delay macrotask (MessageChannel; setImmediate under Node), never
 *    setTimeout(0) and its 4 ms clamp. Wake-ups are coalesced: at most one
 *    drive is pending. The nearest timer is scheduled with setTimeout.
 *    Nothing here blocks or busy-waits.
 *  - natively, emnet_loop_run() blocks in the kernel's epoll_wait and calls
 *    drive itself.
 *
 * Spurious events: a callback may see events that are gone by the time it
 * reads (as with epoll); non-blocking fds and EAGAIN are the contract.
 * --------------------------------------------------------------------- */
typedef struct emnet_loop emnet_loop;

/* events: EPOLL* bits the fd had (EPOLLHUP and EPOLLERR always reported). */
typedef void (*emnet_io_cb)(emnet_loop *loop, int fd, uint32_t events, void *arg);
typedef void (*emnet_timer_cb)(emnet_loop *loop, int timer, void *arg);

/* The default number of callbacks one drive runs before it yields. */
#define EMNET_LOOP_DEFAULT_BUDGET 256

/* Returns NULL with errno set on failure. */
emnet_loop *emnet_loop_new(void);

/* Frees the loop. Fds registered with it are not closed (they are the
 * caller's); timers are. Not allowed from a callback of the same loop. */
void emnet_loop_free(emnet_loop *loop);

/* Watch fd for `events` (EPOLLIN, EPOLLOUT, EPOLLET, EPOLLONESHOT, ...).
 * Return 0, or -1 with errno as epoll_ctl would set it (EEXIST, EBADF, ...).
 * The caller keeps ownership of fd; close it only after emnet_loop_del(). */
int emnet_loop_add(emnet_loop *loop, int fd, uint32_t events, emnet_io_cb cb, void *arg);
int emnet_loop_mod(emnet_loop *loop, int fd, uint32_t events);
int emnet_loop_del(emnet_loop *loop, int fd);

/* A timer that fires after delay_ms, then every interval_ms (0: once).
 * Returns a timer id >= 0, or -1 with errno. A one-shot timer is released
 * after its callback runs; cancel others with emnet_loop_timer_cancel(). */
int emnet_loop_timer(emnet_loop *loop, uint64_t delay_ms, uint64_t interval_ms,
                     emnet_timer_cb cb, void *arg);
int emnet_loop_timer_cancel(emnet_loop *loop, int timer);

/* Runs ready callbacks (fds and timers), at most `budget` of them, and
 * returns how many ran (-1 with errno if epoll_wait failed). Never blocks.
 * Usually called by the loop itself. */
int emnet_loop_drive(emnet_loop *loop, int budget);

/* Sets the budget of the drives the loop schedules by itself. */
void emnet_loop_set_budget(emnet_loop *loop, int budget);

/* Runs the loop until emnet_loop_stop().
 * Natively: blocks, then returns the status given to emnet_loop_stop()
 * (-1 with errno if epoll_wait failed).
 * In wasm: returns control to the browser and does not return; when the
 * loop is stopped the program exits with that status (as if main returned
 * it). So do cleanup before emnet_loop_stop(), not after emnet_loop_run(). */
int emnet_loop_run(emnet_loop *loop);
void emnet_loop_stop(emnet_loop *loop, int status);

/* ---------------------------------------------------------------------
 * JavaScript entry points (wasm): what a page's code may call.
 * --------------------------------------------------------------------- */

/* Adds n to an eventfd's counter, as write(2) of n would, from JS:
 * Module._emnet_eventfd_signal(fd, n). Returns 0 or -1 (errno: EBADF,
 * EINVAL for an fd that is not an eventfd, EAGAIN if the counter is full). */
int emnet_eventfd_signal(int fd, uint32_t n);

/* ---------------------------------------------------------------------
 * Pollables (for emnet's modules; wasm builds only)
 * --------------------------------------------------------------------- */
struct emnet_pollable;
struct emnet__epitem;

/* Every operation is non-blocking: return -EAGAIN and the reactor blocks
 * (when the fd is blocking and the build can) until emnet_pollable_notify()
 * reports a change. Errors are negative errno values, never errno itself. */
struct emnet_pollable_ops {
    const char *name;                                          /* "eventfd", "socket", ... */
    uint32_t (*poll)(struct emnet_pollable *p);                /* current EPOLL* bits */
    long (*read)(struct emnet_pollable *p, void *buf, size_t len);
    long (*write)(struct emnet_pollable *p, const void *buf, size_t len);
    long (*ioctl)(struct emnet_pollable *p, unsigned long request, void *arg); /* NULL: ENOTTY */
    void (*destroy)(struct emnet_pollable *p);                 /* the last fd was closed */
    /* writev() hands all its buffers to one write (a socket: one
     * datagram, as sendmsg); otherwise one write per buffer. */
    int gather_writes;
};

/* Embedded at the start of each pollable object. */
struct emnet_pollable {
    const struct emnet_pollable_ops *ops;   /* public, set by emnet_pollable_init */
    int status_flags;                       /* read-only: O_NONBLOCK, set by fcntl/ioctl */
    int fd_refs;                            /* private: fds that refer to it */
    struct emnet__epitem *watchers;         /* private: epoll registrations */
    /* How long a blocking read or write may wait (a socket's SO_RCVTIMEO
     * and SO_SNDTIMEO), in ns; 0 waits without end. Past it the call
     * returns what it has, or EAGAIN. */
    uint64_t rcv_timeout_ns, snd_timeout_ns;
};

void emnet_pollable_init(struct emnet_pollable *p, const struct emnet_pollable_ops *ops);

/* Gives p an fd (the lowest free one, as Linux does). flags: O_NONBLOCK,
 * O_CLOEXEC. Returns the fd, or -EMFILE/-ENOMEM. */
int emnet_pollable_install(struct emnet_pollable *p, int flags);

/* The pollable behind fd, or NULL if fd is not one of emnet's. */
struct emnet_pollable *emnet_pollable_get(int fd);

/* Something happened on p: `key` holds the events concerned (EPOLLIN when
 * data arrived, EPOLLOUT when room was made, ...), 0 if unknown. Like a
 * kernel wake-up, every call is a new edge for EPOLLET watchers whose
 * interest matches `key`. */
void emnet_pollable_notify(struct emnet_pollable *p, uint32_t key);

#ifdef __cplusplus
}
#endif

#endif
