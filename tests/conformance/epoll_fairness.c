/* Fairness of level-triggered reporting. With 10 ready level-triggered
 * eventfds (data 0..9, added in that order) and maxevents 3, successive
 * epoll_wait calls rotate through all of them: the reported items go to the
 * back of the ready list, the ones not yet reported stay in front, so no fd
 * starves. Items that stop being ready (read) drop out of the rotation
 * without disturbing the others' order, and come back at the tail when
 * written again. Edge-triggered items mixed in are reported once each, in
 * their turn. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

#define N 10

/* One wait, its data values on one line. */
static void wait_line(int ep, int max)
{
    struct epoll_event out[N + 2];
    int n = epoll_wait(ep, out, max, 0);
    printf("epoll_wait(ep, out, %d, 0) = %d:", max, n);
    for (int i = 0; i < n; i++) printf(" %llu", (unsigned long long)out[i].data.u64);
    printf("\n");
    fflush(stdout);
}

int main(void)
{
    eventfd_t v = 0;
    int fds[N];
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN };
    int created = 0, added = 0;
    for (int i = 0; i < N; i++) {
        fds[i] = eventfd(1, EFD_NONBLOCK);
        created += fds[i] >= 0;
        ev.data.u64 = (uint64_t)i;
        added += epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0;
    }
    TRACE_VALUE("created", created);
    TRACE_VALUE("added", added);

    trace_note("maxevents 3: the rotation covers everyone");
    for (int k = 0; k < 8; k++) wait_line(ep, 3);

    trace_note("read 4 and 7: they drop out, the others keep their order");
    T(eventfd_read(fds[4], &v));
    T(eventfd_read(fds[7], &v));
    for (int k = 0; k < 6; k++) wait_line(ep, 3);

    trace_note("write 7 then 4 again: they come back at the tail, in that order");
    T(eventfd_write(fds[7], 1));
    T(eventfd_write(fds[4], 1));
    for (int k = 0; k < 6; k++) wait_line(ep, 3);

    trace_note("maxevents 4, then all at once");
    for (int k = 0; k < 4; k++) wait_line(ep, 4);
    wait_line(ep, N + 2);
    wait_line(ep, N + 2);

    trace_note("maxevents 1");
    for (int k = 0; k < 12; k++) wait_line(ep, 1);

    trace_note("2, 5 and 8 become edge-triggered (MOD: queued again if not listed)");
    ev.events = EPOLLIN | EPOLLET;
    for (int i = 2; i <= 8; i += 3) {
        ev.data.u64 = (uint64_t)(100 + i);
        T(epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev));
    }
    for (int k = 0; k < 8; k++) wait_line(ep, 3);

    trace_note("all read: nothing left");
    for (int i = 0; i < N; i++) eventfd_read(fds[i], &v);
    wait_line(ep, 3);
    for (int i = 0; i < N; i++) close(fds[i]);
    T(close(ep));
    return 0;
}
