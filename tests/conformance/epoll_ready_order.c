/* The order of the ready list follows the order in which fds became ready,
 * not the order of registration: six eventfds registered 1..6 and written
 * 4, 2, 6, 1, 5, 3 are reported in that order. A second write to an fd that
 * is already listed does not move it; MOD of a listed item keeps its place
 * (with the new data); DEL and re-ADD puts it at the tail; fds ready at ADD
 * are listed in ADD order; an edge-triggered item re-enters at the tail on
 * its next edge; and level-triggered items reported by a wait keep their
 * relative order behind the ones that were not. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace.h"

#define N 6

static void wait_line(int ep, int max)
{
    struct epoll_event out[16];
    int n = epoll_wait(ep, out, max, 0);
    printf("epoll_wait(ep, out, %d, 0) = %d:", max, n);
    for (int i = 0; i < n; i++) printf(" %llu", (unsigned long long)out[i].data.u64);
    printf("\n");
    fflush(stdout);
}

static int fds[N + 1];

static void drain(void)
{
    eventfd_t v;
    for (int i = 1; i <= N; i++) eventfd_read(fds[i], &v);
}

static void write_in_order(const int *order, int count)
{
    printf("-- write");
    for (int i = 0; i < count; i++) {
        printf(" %d", order[i]);
        if (eventfd_write(fds[order[i]], 1) != 0) printf("(failed)");
    }
    printf("\n");
    fflush(stdout);
}

int main(void)
{
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN };
    for (int i = 1; i <= N; i++) {
        fds[i] = eventfd(0, EFD_NONBLOCK);
        ev.data.u64 = (uint64_t)i;
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    wait_line(ep, 16);

    static const int order1[] = { 4, 2, 6, 1, 5, 3 };
    write_in_order(order1, 6);
    wait_line(ep, 16);
    wait_line(ep, 16);

    trace_note("after a partial wait: the unreported first, then the reported in their order");
    wait_line(ep, 2);
    wait_line(ep, 16);

    drain();
    wait_line(ep, 16);
    trace_note("a second write to a listed fd does not move it");
    static const int order2[] = { 3, 5, 3, 1, 5 };
    write_in_order(order2, 5);
    wait_line(ep, 16);

    trace_note("MOD of a listed item keeps its place, with the new data");
    ev.events = EPOLLIN;
    ev.data.u64 = 55;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, fds[5], &ev));
    wait_line(ep, 16);

    trace_note("DEL and re-ADD puts it at the tail");
    T(epoll_ctl(ep, EPOLL_CTL_DEL, fds[3], NULL));
    ev.data.u64 = 33;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, fds[3], &ev));
    wait_line(ep, 16);

    trace_note("fds ready at ADD are listed in ADD order, behind those already listed");
    drain();
    for (int i = 1; i <= N; i++) T(epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL));
    static const int order3[] = { 6, 2, 4 };
    write_in_order(order3, 3);
    for (int i = 1; i <= N; i++) {
        ev.data.u64 = (uint64_t)i;
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    wait_line(ep, 16);
    static const int order4[] = { 5, 1 };
    write_in_order(order4, 2);
    wait_line(ep, 16);

    trace_note("edge-triggered items re-enter at the tail on their next edge");
    drain();
    ev.events = EPOLLIN | EPOLLET;
    for (int i = 1; i <= N; i++) {
        ev.data.u64 = (uint64_t)(10 + i);
        epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev);
    }
    wait_line(ep, 16);
    static const int order5[] = { 2, 4, 6 };
    write_in_order(order5, 3);
    wait_line(ep, 1);
    static const int order6[] = { 2, 1 };
    write_in_order(order6, 2);
    wait_line(ep, 16);
    wait_line(ep, 16);

    drain();
    for (int i = 1; i <= N; i++) close(fds[i]);
    T(close(ep));
    return 0;
}
