/* The libc symbols a program links against for epoll, eventfd and timerfd
 * (Emscripten's libc has none of them): Linux's ABI and flag values, -1 and
 * errno exactly as Linux sets them. The work is done in epoll.c,
 * eventfd.c and timerfd.c; this file only converts -EXXX into errno. */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <emscripten.h>

#include "internal.h"

static int ret(long r)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return (int)r;
}

int epoll_create(int size)
{
    return size <= 0 ? ret(-EINVAL) : ret(emnet__epoll_create(0));
}

int epoll_create1(int flags)
{
    return ret(emnet__epoll_create(flags));
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
    return ret(emnet__epoll_ctl(epfd, op, fd, event));
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    return ret(emnet__epoll_wait(epfd, events, maxevents, timeout));
}

int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout, const sigset_t *sigmask)
{
    (void)sigmask;   /* a page has no signals to mask */
    return epoll_wait(epfd, events, maxevents, timeout);
}

int eventfd(unsigned int initval, int flags)
{
    return ret(emnet__eventfd(initval, flags));
}

int eventfd_read(int fd, eventfd_t *value)
{
    return read(fd, value, sizeof *value) == sizeof *value ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value)
{
    return write(fd, &value, sizeof value) == sizeof value ? 0 : -1;
}

int timerfd_create(int clockid, int flags)
{
    return ret(emnet__timerfd_create(clockid, flags));
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value)
{
    return ret(emnet__timerfd_settime(fd, flags, new_value, old_value));
}

int timerfd_gettime(int fd, struct itimerspec *curr_value)
{
    return ret(emnet__timerfd_gettime(fd, curr_value));
}

EMSCRIPTEN_KEEPALIVE int emnet_eventfd_signal(int fd, uint32_t n)
{
    return ret(emnet__eventfd_signal(fd, n));
}
