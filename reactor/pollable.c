/* The fd table of emnet's pollables, and what every pollable shares:
 * installing one under an fd, notifying readiness, closing, and turning the
 * non-blocking operations of a pollable into blocking ones when the fd is
 * blocking.
 *
 * Fd numbers come from Emscripten's FS (js/library_emnet.js reserves a
 * stream slot), so emnet's fds and the FS's files never collide and every
 * fd is the lowest free one, as on Linux. The table here maps them to
 * pollables; an fd that is not in it belongs to the FS. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

struct fd_slot {
    struct emnet_pollable *p;
    int cloexec;   /* FD_CLOEXEC belongs to the fd, not to the open file */
};

static struct fd_slot *slots;
static int slot_count;

void emnet_pollable_init(struct emnet_pollable *p, const struct emnet_pollable_ops *ops)
{
    memset(p, 0, sizeof *p);
    p->ops = ops;
}

static int grow_table(int fd)
{
    int n = slot_count ? slot_count : 64;
    while (n <= fd) n *= 2;
    struct fd_slot *s = realloc(slots, (size_t)n * sizeof *s);
    if (!s) return -ENOMEM;
    memset(s + slot_count, 0, (size_t)(n - slot_count) * sizeof *s);
    slots = s;
    slot_count = n;
    return 0;
}

static int install_at(struct emnet_pollable *p, int min_fd, int cloexec)
{
    int fd = emnet_js_fd_reserve(p->ops->name, min_fd);
    if (fd < 0) return fd;
    if (fd >= slot_count) {
        int r = fd < EMNET__MAX_FDS ? grow_table(fd) : -EMFILE;
        if (r < 0) {
            emnet_js_fd_release(fd);
            return r;
        }
    }
    slots[fd].p = p;
    slots[fd].cloexec = cloexec;
    p->fd_refs++;
    return fd;
}

int emnet_pollable_install(struct emnet_pollable *p, int flags)
{
    int fd = install_at(p, 0, (flags & O_CLOEXEC) != 0);
    if (fd >= 0 && (flags & O_NONBLOCK)) p->status_flags |= O_NONBLOCK;
    return fd;
}

int emnet__fd_dup(int oldfd, int min_fd, int cloexec)
{
    struct emnet_pollable *p = emnet_pollable_get(oldfd);
    if (!p) return -EBADF;
    return install_at(p, min_fd, cloexec);
}

struct emnet_pollable *emnet_pollable_get(int fd)
{
    if (fd < 0 || fd >= slot_count) return NULL;
    return slots[fd].p;
}

struct emnet_pollable *emnet__fd_lookup(int fd, const struct emnet_pollable_ops *ops, int wrong_kind, int *err)
{
    struct emnet_pollable *p = emnet_pollable_get(fd);
    if (p && p->ops == ops) return p;
    *err = p || emnet__fs_fd_exists(fd) ? wrong_kind : -EBADF;
    return NULL;
}

void emnet_pollable_notify(struct emnet_pollable *p, uint32_t key)
{
    /* A wake-up may make a nested epoll notify its own watchers; it never
     * removes a registration, so the walk stays valid. */
    for (struct emnet__epitem *it = p->watchers; it; it = it->next_watcher)
        emnet__epoll_item_wake(it, key);
    emnet__wake();
}

int emnet__fd_close(int fd)
{
    struct emnet_pollable *p = emnet_pollable_get(fd);
    if (!p) return -EBADF;
    slots[fd].p = NULL;
    emnet_js_fd_release(fd);
    /* As on Linux, registrations belong to the open file, not to the fd:
     * they go away only with the last fd that refers to it. */
    if (--p->fd_refs == 0) {
        emnet__epoll_forget_target(p);
        p->ops->destroy(p);
    }
    return 0;
}

int emnet__fd_cloexec(int fd, int set)
{
    if (!emnet_pollable_get(fd)) return -EBADF;
    if (set >= 0) slots[fd].cloexec = set;
    return slots[fd].cloexec;
}

void emnet__fd_set_nonblock(struct emnet_pollable *p, int on)
{
    if (on)
        p->status_flags |= O_NONBLOCK;
    else
        p->status_flags &= ~O_NONBLOCK;
}

/* A read of a blocking fd waits (suspends, where the build can) while the
 * pollable says EAGAIN; the pollable notifies when its state changes. */
long emnet__fd_read(struct emnet_pollable *p, void *buf, size_t len)
{
    uint64_t deadline = emnet__deadline_after(p->rcv_timeout_ns);
    for (;;) {
        long r = p->ops->read(p, buf, len);
        if (r != -EAGAIN || (p->status_flags & O_NONBLOCK)) return r;
        int w = emnet__wait_until(deadline);
        if (w < 0) return w;
    }
}

/* A write of a blocking fd, as Linux's for a stream: it waits until all of
 * it is taken, and reports a shortfall only if an error cut it short. */
long emnet__fd_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    size_t done = 0;
    uint64_t deadline = emnet__deadline_after(p->snd_timeout_ns);
    for (;;) {
        long r = p->ops->write(p, (const uint8_t *)buf + done, len - done);
        if (r > 0) {
            done += (size_t)r;
            if (done == len || (p->status_flags & O_NONBLOCK)) return (long)done;
            continue;
        }
        if (r == 0) return (long)done;
        if (r != -EAGAIN || (p->status_flags & O_NONBLOCK)) return done ? (long)done : r;
        int w = emnet__wait_until(deadline);
        if (w < 0) return done ? (long)done : w;
    }
}
