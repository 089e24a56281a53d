/* 1000 registered eventfds with 3 ready: epoll_wait reports exactly those
 * 3 (with their data, in the order they became ready) and nothing else,
 * whatever maxevents; after they are read, nothing; a few more writes are
 * again the only ones reported; ADD of a fresh fd among them and DEL of
 * many leave the rest intact; closing all of them empties the set. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

#define N 1000

static int fds[N];

static void wait_line(int ep, int max)
{
    static struct epoll_event out[N + 8];
    char b[64];
    int n = epoll_wait(ep, out, max, 0);
    printf("epoll_wait(ep, out, %d, 0) = %d:", max, n);
    for (int i = 0; i < n; i++)
        printf(" %llu(%s)", (unsigned long long)out[i].data.u64, trace_events_name(out[i].events, b, sizeof b));
    printf("\n");
    fflush(stdout);
}

int main(void)
{
    eventfd_t v = 0;
    int ep = TFD(epoll_create1(0));
    int created = 0, added = 0;
    struct epoll_event ev = { .events = EPOLLIN };
    for (int i = 0; i < N; i++) {
        fds[i] = eventfd(0, EFD_NONBLOCK);
        if (fds[i] < 0) continue;
        created++;
        ev.data.u64 = (uint64_t)i;
        added += epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0;
    }
    TRACE_VALUE("created", created);
    TRACE_VALUE("added", added);
    wait_line(ep, 64);

    trace_note("3 ready: 999, 17, 500");
    T(eventfd_write(fds[999], 1));
    T(eventfd_write(fds[17], 1));
    T(eventfd_write(fds[500], 1));
    wait_line(ep, 64);
    wait_line(ep, N + 8);
    wait_line(ep, 2);
    wait_line(ep, 2);

    trace_note("read: nothing");
    T(eventfd_read(fds[17], &v));
    T(eventfd_read(fds[500], &v));
    T(eventfd_read(fds[999], &v));
    wait_line(ep, N + 8);

    trace_note("others: 0, 1, 998");
    T(eventfd_write(fds[0], 1));
    T(eventfd_write(fds[998], 1));
    T(eventfd_write(fds[1], 1));
    wait_line(ep, 64);

    trace_note("DEL of every even fd: the odd ones stay");
    int deleted = 0;
    for (int i = 0; i < N; i += 2) deleted += epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL) == 0;
    TRACE_VALUE("deleted", deleted);
    wait_line(ep, 64);
    T(eventfd_write(fds[2], 1));
    T(eventfd_write(fds[3], 1));
    wait_line(ep, 64);

    trace_note("a MOD among many");
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 5000;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, fds[3], &ev));
    wait_line(ep, 64);

    trace_note("close all");
    int closed = 0;
    for (int i = 0; i < N; i++) closed += close(fds[i]) == 0;
    TRACE_VALUE("closed", closed);
    wait_line(ep, 64);
    T(close(ep));
    return 0;
}
