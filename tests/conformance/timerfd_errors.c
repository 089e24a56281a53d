/* timerfd's argument checks: timerfd_create with unknown or unsupported
 * clocks and unknown flags; timerfd_settime with tv_nsec >= 1e9 or < 0 or a
 * negative tv_sec in either field, unknown flags, or a NULL new_value
 * (EFAULT, checked before the fd); timerfd_gettime on a non-timerfd
 * (EINVAL), on a closed or negative fd (EBADF), or into NULL (EFAULT).
 * None of the failed calls changes the timer. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MS 1000000L

int main(void)
{
    trace_note("timerfd_create: clocks");
    T(timerfd_create(-1, 0));
    T(timerfd_create(12345, 0));
    T(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    T(timerfd_create(CLOCK_THREAD_CPUTIME_ID, 0));
    T(timerfd_create(CLOCK_MONOTONIC_RAW, 0));
    T(timerfd_create(CLOCK_MONOTONIC_COARSE, 0));
    int boot = TFD(timerfd_create(CLOCK_BOOTTIME, 0));
    T(close(boot));

    trace_note("timerfd_create: flags");
    T(timerfd_create(CLOCK_MONOTONIC, 0x10));
    T(timerfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME));
    T(timerfd_create(CLOCK_MONOTONIC, O_RDWR));
    T(timerfd_create(12345, 0x10));
    int both = TFD(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
    T(close(both));

    int tfd = TFD(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec set = { .it_value = { .tv_sec = 30 } }, bad, cur;
    T(timerfd_settime(tfd, 0, &set, NULL));

    trace_note("timerfd_settime: bad times");
    bad = (struct itimerspec){ .it_value = { .tv_nsec = 1000000000 } };
    T(timerfd_settime(tfd, 0, &bad, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_nsec = -1 } };
    T(timerfd_settime(tfd, 0, &bad, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_sec = -1 } };
    T(timerfd_settime(tfd, 0, &bad, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_sec = -1 } };
    T(timerfd_settime(tfd, TFD_TIMER_ABSTIME, &bad, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_sec = 1 }, .it_interval = { .tv_nsec = 1000000000 } };
    T(timerfd_settime(tfd, 0, &bad, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_sec = 1 }, .it_interval = { .tv_sec = -5 } };
    T(timerfd_settime(tfd, 0, &bad, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_sec = 0 }, .it_interval = { .tv_nsec = -1 } };
    T(timerfd_settime(tfd, 0, &bad, NULL));
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec >= 29 && cur.it_value.tv_sec <= 30);
    TRACE_TRUE(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0);

    trace_note("timerfd_settime: flags");
    T(timerfd_settime(tfd, 0x40, &set, NULL));
    T(timerfd_settime(tfd, -1, &set, NULL));
    T(timerfd_settime(tfd, TFD_TIMER_CANCEL_ON_SET, &set, NULL));

    trace_note("timerfd_settime: NULL new_value, before the fd");
    T(timerfd_settime(tfd, 0, NULL, NULL));
    T(timerfd_settime(-1, 0, NULL, NULL));
    T(timerfd_settime(tfd, 0x40, NULL, NULL));

    trace_note("timerfd_settime: checks on the times and flags come before the fd");
    T(timerfd_settime(-1, 0x40, &set, NULL));
    bad = (struct itimerspec){ .it_value = { .tv_nsec = 1000000000 } };
    T(timerfd_settime(-1, 0, &bad, NULL));

    trace_note("timerfd_settime and gettime on other fds");
    int efd = TFD(eventfd(0, 0));
    int ep = TFD(epoll_create1(0));
    int dir = TFD(open("/tmp", O_RDONLY | O_DIRECTORY));
    T(timerfd_settime(efd, 0, &set, NULL));
    T(timerfd_settime(ep, 0, &set, NULL));
    T(timerfd_settime(dir, 0, &set, NULL));
    T(timerfd_settime(-1, 0, &set, NULL));
    T(timerfd_settime(INT_MAX, 0, &set, NULL));
    T(timerfd_gettime(efd, &cur));
    T(timerfd_gettime(ep, &cur));
    T(timerfd_gettime(dir, &cur));
    T(timerfd_gettime(-1, &cur));
    T(timerfd_gettime(INT_MAX, &cur));
    T(close(dir));
    T(timerfd_gettime(dir, &cur));
    T(timerfd_settime(dir, 0, &set, NULL));

    trace_note("timerfd_gettime into NULL");
    T(timerfd_gettime(tfd, NULL));
    T(timerfd_gettime(-1, NULL));
    T(timerfd_gettime(efd, NULL));

    trace_note("a closed timerfd");
    int gone = TFD(timerfd_create(CLOCK_MONOTONIC, 0));
    T(close(gone));
    T(timerfd_gettime(gone, &cur));
    T(timerfd_settime(gone, 0, &set, NULL));

    trace_note("the timer is as it was");
    T(timerfd_gettime(tfd, &cur));
    TRACE_TRUE(cur.it_value.tv_sec >= 29 && cur.it_value.tv_sec <= 30);
    T(close(ep));
    T(close(efd));
    T(close(tfd));
    return 0;
}
