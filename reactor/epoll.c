/* epoll instances with Linux's semantics (fs/eventpoll.c is the reference
 * for every rule below; the differential tests check them against it).
 *
 * Each instance keeps all its registrations ("items") in a list and the
 * ready ones in a second list, so epoll_wait costs O(ready), never
 * O(registered). An item enters the ready list when its pollable wakes it
 * (emnet_pollable_notify) with events it is interested in, or when
 * epoll_ctl finds it ready. epoll_wait then polls each listed item once:
 *
 *   - nothing pending any more:  dropped from the list (stale wake-up);
 *   - level-triggered:           reported and put back at the tail, so
 *                                 a small maxevents rotates fairly;
 *   - edge-triggered (EPOLLET):  reported and left off until the next
 *                                 wake-up -- every wake-up is a new edge;
 *   - EPOLLONESHOT:              reported, then disabled until EPOLL_CTL_MOD.
 *
 * An epoll fd is itself a pollable (EPOLLIN when it has events), so one
 * epoll set can watch another, with Linux's ELOOP rules on nesting. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

struct emnet__epoll {
    struct emnet_pollable base;           /* first: the epoll fd is a pollable */
    struct emnet__epitem *items;          /* every registration */
    struct emnet__epitem *rd_head, *rd_tail;
    emnet__ready_hook hook;
    void *hook_arg;
};

static uint32_t epoll_poll(struct emnet_pollable *p);
static long epoll_read(struct emnet_pollable *p, void *buf, size_t len);
static long epoll_write(struct emnet_pollable *p, const void *buf, size_t len);
static long epoll_ioctl(struct emnet_pollable *p, unsigned long request, void *arg);
static void epoll_destroy(struct emnet_pollable *p);

static const struct emnet_pollable_ops epoll_ops = {
    .name = "anon_inode:[eventpoll]",
    .poll = epoll_poll,
    .read = epoll_read,
    .write = epoll_write,
    .ioctl = epoll_ioctl,
    .destroy = epoll_destroy,
};

static struct emnet__epoll *as_epoll(struct emnet_pollable *p)
{
    return p && p->ops == &epoll_ops ? (struct emnet__epoll *)p : NULL;
}

/* ---- the ready list ---- */

static void rd_push_tail(struct emnet__epoll *ep, struct emnet__epitem *it)
{
    it->rd_next = NULL;
    it->rd_prev = ep->rd_tail;
    if (ep->rd_tail)
        ep->rd_tail->rd_next = it;
    else
        ep->rd_head = it;
    ep->rd_tail = it;
    it->on_ready_list = 1;
}

static void rd_push_head(struct emnet__epoll *ep, struct emnet__epitem *it)
{
    it->rd_prev = NULL;
    it->rd_next = ep->rd_head;
    if (ep->rd_head)
        ep->rd_head->rd_prev = it;
    else
        ep->rd_tail = it;
    ep->rd_head = it;
    it->on_ready_list = 1;
}

static void rd_remove(struct emnet__epoll *ep, struct emnet__epitem *it)
{
    if (!it->on_ready_list) return;
    if (it->rd_prev)
        it->rd_prev->rd_next = it->rd_next;
    else
        ep->rd_head = it->rd_next;
    if (it->rd_next)
        it->rd_next->rd_prev = it->rd_prev;
    else
        ep->rd_tail = it->rd_prev;
    it->rd_prev = it->rd_next = NULL;
    it->on_ready_list = 0;
}

/* ---- wake-ups ---- */

/* What the item would report now. A disabled one-shot item has only
 * private bits left in its interest, so it reports nothing. */
static uint32_t item_poll(struct emnet__epitem *it)
{
    return it->target->ops->poll(it->target) & it->interest & ~EMNET__EP_PRIVATE_BITS;
}

/* Whoever watches this epoll instance (an outer epoll set, a blocked
 * epoll_wait, the hosted loop) hears EPOLLIN. */
static void ep_wake_watchers(struct emnet__epoll *ep)
{
    for (struct emnet__epitem *w = ep->base.watchers; w; w = w->next_watcher)
        emnet__epoll_item_wake(w, EPOLLIN);
    if (ep->hook) ep->hook(ep->hook_arg);
}

void emnet__epoll_item_wake(struct emnet__epitem *it, uint32_t key)
{
    if (!(it->interest & ~EMNET__EP_PRIVATE_BITS)) return;   /* disabled one-shot */
    if (key && !(key & it->interest)) return;                 /* not what it waits for */
    if (!it->on_ready_list) rd_push_tail(it->ep, it);
    ep_wake_watchers(it->ep);
}

/* ---- items ---- */

static struct emnet__epitem *item_find(struct emnet__epoll *ep, struct emnet_pollable *target, int fd)
{
    for (struct emnet__epitem *it = target->watchers; it; it = it->next_watcher)
        if (it->ep == ep && it->fd == fd) return it;
    return NULL;
}

static void item_free(struct emnet__epitem *it)
{
    struct emnet__epoll *ep = it->ep;
    rd_remove(ep, it);
    if (it->ep_prev)
        it->ep_prev->ep_next = it->ep_next;
    else
        ep->items = it->ep_next;
    if (it->ep_next) it->ep_next->ep_prev = it->ep_prev;
    struct emnet__epitem **pp = &it->target->watchers;
    while (*pp != it) pp = &(*pp)->next_watcher;
    *pp = it->next_watcher;
    free(it);
}

/* ep_insert / ep_modify: after a change of interest, an item that is ready
 * goes on the ready list at once. */
static void item_check_ready(struct emnet__epitem *it)
{
    if (item_poll(it) && !it->on_ready_list) {
        rd_push_tail(it->ep, it);
        ep_wake_watchers(it->ep);
    }
}

static int item_add(struct emnet__epoll *ep, struct emnet_pollable *target, int fd, const struct epoll_event *ev)
{
    struct emnet__epitem *it = calloc(1, sizeof *it);
    if (!it) return -ENOMEM;
    it->ep = ep;
    it->target = target;
    it->fd = fd;
    it->interest = ev->events | EPOLLERR | EPOLLHUP;
    it->data = ev->data;
    it->ep_next = ep->items;
    if (ep->items) ep->items->ep_prev = it;
    ep->items = it;
    it->next_watcher = target->watchers;
    target->watchers = it;
    item_check_ready(it);
    return 0;
}

/* ---- nesting rules (ep_loop_check) ---- */

/* How deep epoll sets nest below ep; INT_MAX if `inserting_into` is among
 * them (the new link would close a cycle) or the chain is too deep. */
static int depth_below(struct emnet__epoll *ep, struct emnet__epoll *inserting_into, int depth)
{
    int result = 0;
    for (struct emnet__epitem *it = ep->items; it; it = it->ep_next) {
        struct emnet__epoll *child = as_epoll(it->target);
        if (!child) continue;
        if (child == inserting_into || depth > EMNET__EP_MAX_NESTS) {
            result = INT_MAX;
        } else {
            int d = depth_below(child, inserting_into, depth + 1);
            if (d == INT_MAX) result = INT_MAX;
            else if (d + 1 > result) result = d + 1;
        }
        if (result > EMNET__EP_MAX_NESTS) break;
    }
    return result;
}

/* How deep the epoll sets that contain ep nest above it. */
static int depth_above(struct emnet__epoll *ep, int depth)
{
    int result = 0;
    if (depth > EMNET__EP_MAX_NESTS) return INT_MAX / 2;
    for (struct emnet__epitem *w = ep->base.watchers; w; w = w->next_watcher) {
        int d = depth_above(w->ep, depth + 1) + 1;
        if (d > result) result = d;
    }
    return result;
}

static int loop_check(struct emnet__epoll *ep, struct emnet__epoll *to)
{
    int below = depth_below(to, ep, 0);
    if (below > EMNET__EP_MAX_NESTS) return -ELOOP;
    return below + 1 + depth_above(ep, 0) > EMNET__EP_MAX_NESTS ? -ELOOP : 0;
}

/* ---- the epoll fd as a pollable ---- */

static uint32_t epoll_poll(struct emnet_pollable *p)
{
    struct emnet__epoll *ep = (struct emnet__epoll *)p;
    /* Like __ep_eventpoll_poll: the first live item answers; stale ones
     * are dropped on the way. */
    while (ep->rd_head) {
        struct emnet__epitem *it = ep->rd_head;
        if (item_poll(it)) return EPOLLIN | EPOLLRDNORM;
        rd_remove(ep, it);
    }
    return 0;
}

/* An epoll fd has no read or write. */
static long epoll_read(struct emnet_pollable *p, void *buf, size_t len)
{
    (void)p, (void)buf, (void)len;
    return -EINVAL;
}

static long epoll_write(struct emnet_pollable *p, const void *buf, size_t len)
{
    (void)p, (void)buf, (void)len;
    return -EINVAL;
}

/* Linux 6.9+ has epoll ioctls (busy-poll parameters, which a page has no
 * use for) and answers EINVAL to any other request, FIONREAD included. */
static long epoll_ioctl(struct emnet_pollable *p, unsigned long request, void *arg)
{
    (void)p, (void)request, (void)arg;
    return -EINVAL;
}

static void epoll_destroy(struct emnet_pollable *p)
{
    struct emnet__epoll *ep = (struct emnet__epoll *)p;
    while (ep->items) item_free(ep->items);
    free(ep);
}

void emnet__epoll_forget_target(struct emnet_pollable *p)
{
    while (p->watchers) item_free(p->watchers);
}

/* ---- the calls ---- */

int emnet__epoll_create(int flags)
{
    if (flags & ~O_CLOEXEC) return -EINVAL;
    struct emnet__epoll *ep = calloc(1, sizeof *ep);
    if (!ep) return -ENOMEM;
    emnet_pollable_init(&ep->base, &epoll_ops);
    int fd = emnet_pollable_install(&ep->base, flags);
    if (fd < 0) free(ep);
    return fd;
}

int emnet__epoll_ctl(int epfd, int op, int fd, const struct epoll_event *event)
{
    /* The order of the checks is Linux's, so that a call with several
     * faults fails with the same errno. */
    if (op != EPOLL_CTL_DEL && !event) return -EFAULT;
    struct emnet_pollable *epp = emnet_pollable_get(epfd);
    if (!epp && !emnet__fs_fd_exists(epfd)) return -EBADF;
    struct emnet_pollable *target = emnet_pollable_get(fd);
    if (!target) return emnet__fs_fd_exists(fd) ? -EPERM : -EBADF;
    struct emnet__epoll *ep = as_epoll(epp);
    if (!ep || epp == target) return -EINVAL;

    uint32_t events = op != EPOLL_CTL_DEL ? event->events : 0;
    if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
        const uint32_t ok = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
        if (op == EPOLL_CTL_MOD) return -EINVAL;
        if (op == EPOLL_CTL_ADD && (as_epoll(target) || (events & ~ok))) return -EINVAL;
    }
    if (op == EPOLL_CTL_ADD && as_epoll(target)) {
        int r = loop_check(ep, as_epoll(target));
        if (r < 0) return r;
    }

    struct emnet__epitem *it = item_find(ep, target, fd);
    switch (op) {
    case EPOLL_CTL_ADD:
        return it ? -EEXIST : item_add(ep, target, fd, event);
    case EPOLL_CTL_DEL:
        if (!it) return -ENOENT;
        item_free(it);
        return 0;
    case EPOLL_CTL_MOD:
        if (!it) return -ENOENT;
        if (it->interest & EPOLLEXCLUSIVE) return -EINVAL;
        it->interest = events | EPOLLERR | EPOLLHUP;
        it->data = event->data;
        item_check_ready(it);
        return 0;
    default:
        return -EINVAL;
    }
}

/* ep_send_events: report up to maxevents items, each at most once. */
static int harvest(struct emnet__epoll *ep, struct epoll_event *events, int maxevents)
{
    int n = 0, listed = 0;
    for (struct emnet__epitem *it = ep->rd_head; it; it = it->rd_next) listed++;
    while (n < maxevents && listed-- > 0 && ep->rd_head) {
        struct emnet__epitem *it = ep->rd_head;
        rd_remove(ep, it);
        uint32_t revents = item_poll(it);
        if (!revents) continue;
        if (!events) {
            /* The caller's buffer faults: the event stays pending, as
             * Linux puts it back before failing with EFAULT. */
            rd_push_head(ep, it);
            return n ? n : -EFAULT;
        }
        events[n].events = revents;
        events[n].data = it->data;
        n++;
        if (it->interest & EPOLLONESHOT)
            it->interest &= EMNET__EP_PRIVATE_BITS;
        else if (!(it->interest & EPOLLET))
            rd_push_tail(ep, it);
    }
    return n;
}

static int events_fault(const struct epoll_event *events, int maxevents)
{
    /* Linux's access_ok(): the whole buffer must lie in the address space
     * (NULL does, and faults only when an event is written there). */
    size_t mem = __builtin_wasm_memory_size(0) * 65536u;
    size_t len = (size_t)maxevents * sizeof *events;
    return (uintptr_t)events > mem || len > mem - (uintptr_t)events;
}

int emnet__epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms)
{
    /* Linux 6.18's order: the fd, maxevents, the buffer, then the kind. */
    struct emnet_pollable *epp = emnet_pollable_get(epfd);
    if (!epp && !emnet__fs_fd_exists(epfd)) return -EBADF;
    if (maxevents <= 0 || maxevents > EMNET__EP_MAX_EVENTS) return -EINVAL;
    if (events_fault(events, maxevents)) return -EFAULT;
    struct emnet__epoll *ep = as_epoll(epp);
    if (!ep) return -EINVAL;

    uint64_t deadline = timeout_ms < 0 ? EMNET__NEVER : emnet__now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        emnet__timers_run();
        int n = harvest(ep, events, maxevents);
        if (n != 0 || timeout_ms == 0 || emnet__now_ns() >= deadline) return n;
        int r = emnet__block_until(deadline);
        if (r < 0) return r;
    }
}

int emnet__epoll_set_ready_hook(int epfd, emnet__ready_hook fn, void *arg)
{
    struct emnet__epoll *ep = as_epoll(emnet_pollable_get(epfd));
    if (!ep) return -EINVAL;
    ep->hook = fn;
    ep->hook_arg = arg;
    return 0;
}

int emnet__epoll_has_ready(int epfd)
{
    struct emnet__epoll *ep = as_epoll(emnet_pollable_get(epfd));
    return ep && epoll_poll(&ep->base) != 0;
}
