/* eventfd(2) as a pollable: a 64-bit counter that write adds to and read
 * takes (all of it, or 1 with EFD_SEMAPHORE). Readable while the counter is
 * not zero; writable while one more write of 1 would fit. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "internal.h"

#define COUNTER_MAX 0xfffffffffffffffeull   /* ULLONG_MAX - 1, as Linux */

struct eventfd {
    struct emnet_pollable base;
    uint64_t count;
    int semaphore;
};

static uint32_t ev_poll(struct emnet_pollable *p)
{
    struct eventfd *e = (struct eventfd *)p;
    uint32_t ev = 0;
    if (e->count > 0) ev |= EPOLLIN;
    if (e->count < COUNTER_MAX) ev |= EPOLLOUT;
    return ev;
}

static long ev_read(struct emnet_pollable *p, void *buf, size_t len)
{
    struct eventfd *e = (struct eventfd *)p;
    if (len < sizeof(uint64_t)) return -EINVAL;
    if (e->count == 0) return -EAGAIN;
    uint64_t v = e->semaphore ? 1 : e->count;
    e->count -= v;
    memcpy(buf, &v, sizeof v);
    emnet_pollable_notify(p, EPOLLOUT);   /* room was made, as Linux's eventfd_read wakes */
    return sizeof v;
}

static long add(struct eventfd *e, uint64_t v)
{
    if (v == UINT64_MAX) return -EINVAL;
    if (COUNTER_MAX - e->count < v) return -EAGAIN;
    e->count += v;
    emnet_pollable_notify(&e->base, EPOLLIN);   /* every write wakes, even of 0 */
    return sizeof v;
}

static long ev_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    uint64_t v;
    if (len != sizeof v) return -EINVAL;   /* exactly 8 since Linux 6.5; reads take >= 8 */
    memcpy(&v, buf, sizeof v);
    return add((struct eventfd *)p, v);
}

static void ev_destroy(struct emnet_pollable *p)
{
    free(p);
}

static const struct emnet_pollable_ops eventfd_ops = {
    .name = "anon_inode:[eventfd]",
    .poll = ev_poll,
    .read = ev_read,
    .write = ev_write,
    .destroy = ev_destroy,
};

int emnet__eventfd(unsigned int initval, int flags)
{
    if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) return -EINVAL;
    struct eventfd *e = calloc(1, sizeof *e);
    if (!e) return -ENOMEM;
    emnet_pollable_init(&e->base, &eventfd_ops);
    e->count = initval;
    e->semaphore = (flags & EFD_SEMAPHORE) != 0;
    int fd = emnet_pollable_install(&e->base, flags & (O_NONBLOCK | O_CLOEXEC));
    if (fd < 0) free(e);
    return fd;
}

int emnet__eventfd_signal(int fd, uint64_t n)
{
    int err = 0;
    struct emnet_pollable *p = emnet__fd_lookup(fd, &eventfd_ops, -EINVAL, &err);
    if (!p) return err;
    long r = add((struct eventfd *)p, n);
    return r < 0 ? (int)r : 0;
}
