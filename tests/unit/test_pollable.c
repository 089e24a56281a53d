/* The pollable interface that net/ plugs sockets into, with a fake pollable
 * whose events the test sets: EPOLLHUP and EPOLLERR are reported by epoll
 * and poll whether asked for or not (Linux always adds them to an epoll
 * interest and a poll filter), select() counts a hang-up as readable, a
 * notify with a key outside an edge-triggered item's interest is no edge,
 * and closing the fd destroys the pollable once. wasm only: natively the
 * kernel has no such interface. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#include "emnet/reactor.h"
#include "../common/check.h"

struct fake {
    struct emnet_pollable base;
    uint32_t events;
};

static int destroyed;

static uint32_t fake_poll(struct emnet_pollable *p) { return ((struct fake *)p)->events; }
static long fake_read(struct emnet_pollable *p, void *b, size_t n) { (void)p, (void)b, (void)n; return -EAGAIN; }
static long fake_write(struct emnet_pollable *p, const void *b, size_t n) { (void)p, (void)b; return (long)n; }
static void fake_destroy(struct emnet_pollable *p) { destroyed++; free(p); }

static const struct emnet_pollable_ops fake_ops = {
    .name = "fake", .poll = fake_poll, .read = fake_read, .write = fake_write, .destroy = fake_destroy,
};

static void set(struct fake *f, uint32_t events, uint32_t key)
{
    f->events = events;
    emnet_pollable_notify(&f->base, key);
}

int main(void)
{
    struct fake *f = calloc(1, sizeof *f);
    emnet_pollable_init(&f->base, &fake_ops);
    int fd = emnet_pollable_install(&f->base, O_NONBLOCK);
    REQUIRE(fd >= 0);
    REQUIRE(emnet_pollable_get(fd) == &f->base);

    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 }, out[4];
    CHECK_EQ_INT(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 0);

    /* Hang-up: reported to an EPOLLIN-only interest. */
    set(f, EPOLLHUP, EPOLLHUP);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ_INT(out[0].events, EPOLLHUP);
    CHECK_EQ_INT(out[0].data.u32, 5);

    /* Error too, and readable data alongside. */
    set(f, EPOLLERR | EPOLLIN, EPOLLERR | EPOLLIN);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ_INT(out[0].events, EPOLLERR | EPOLLIN);

    /* Events outside the interest are filtered out. */
    set(f, EPOLLOUT | EPOLLRDHUP, EPOLLOUT);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 0);

    /* poll: POLLHUP without asking for it; select: a hang-up is readable. */
    set(f, EPOLLHUP, EPOLLHUP);
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    CHECK_EQ_INT(poll(&p, 1, 0), 1);
    CHECK_EQ_INT(p.revents, POLLHUP);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    struct timeval tv = { 0, 0 };
    CHECK_EQ_INT(select(fd + 1, &r, NULL, NULL, &tv), 1);
    CHECK(FD_ISSET(fd, &r));

    /* Edge-triggered: a wake-up whose key misses the interest is no edge;
     * one that matches is, even with the same events as before. */
    ev.events = EPOLLIN | EPOLLET;
    CHECK_EQ_INT(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);   /* MOD found it ready (HUP) */
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 0);
    set(f, EPOLLIN, EPOLLOUT);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 0);
    set(f, EPOLLIN, EPOLLIN);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);
    set(f, EPOLLIN, EPOLLIN);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);
    set(f, EPOLLIN, 0);   /* key 0: "something changed", an edge for anyone */
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);

    /* A disabled one-shot item hears nothing, not even a hang-up. */
    ev.events = EPOLLIN | EPOLLONESHOT;
    CHECK_EQ_INT(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev), 0);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 1);
    set(f, EPOLLHUP | EPOLLERR, EPOLLHUP | EPOLLERR);
    CHECK_EQ_INT(epoll_wait(ep, out, 4, 0), 0);

    /* Reads and writes reach the ops; close destroys it exactly once. */
    char b[4];
    CHECK_EQ_INT(read(fd, b, sizeof b), -1);
    CHECK_EQ_INT(errno, EAGAIN);
    CHECK_EQ_INT(write(fd, "abc", 3), 3);
    int dup_fd = dup(fd);
    CHECK(dup_fd >= 0);
    CHECK_EQ_INT(close(fd), 0);
    CHECK_EQ_INT(destroyed, 0);
    CHECK_EQ_INT(close(dup_fd), 0);
    CHECK_EQ_INT(destroyed, 1);
    CHECK(emnet_pollable_get(fd) == NULL);
    CHECK_EQ_INT(close(ep), 0);
    return check_exit("test_pollable");
}
