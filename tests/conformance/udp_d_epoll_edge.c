/* EPOLLET on a UDP socket reports each arrival: with one datagram queued
 * and unread, the next one to arrive is a new edge and epoll_wait reports
 * EPOLLIN again. Without an arrival nothing is reported, and reading
 * (even partly draining the queue) makes no edge. A fresh socket's
 * EPOLLOUT is reported once. (EPOLLOUT is left out of the mask while
 * datagrams come and go: on Linux each send that frees buffer space is an
 * edge of its own, at a moment that depends on scheduling.) */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u64 = 7 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 8, 0);
    TRACE_WAIT(ep, 8, 0);
    ev.events = EPOLLIN | EPOLLET;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 8, 0);

    trace_note("first datagram");
    T(sendto(s, "A", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 8, 5000);
    TRACE_WAIT(ep, 8, 0);

    trace_note("second datagram, the first still unread");
    T(sendto(s, "B", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 8, 5000);
    TRACE_WAIT(ep, 8, 0);

    trace_note("reading makes no edge");
    char b[4];
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    TRACE_WAIT(ep, 8, 0);
    n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    TRACE_WAIT(ep, 8, 0);
    T(recv(s, b, sizeof b, 0));

    trace_note("re-armed by EPOLL_CTL_MOD with a datagram queued");
    T(sendto(s, "C", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 8, 5000);
    TRACE_WAIT(ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 8, 0);
    TRACE_WAIT(ep, 8, 0);
    T(recv(s, b, sizeof b, 0));
    T(close(ep));
    T(close(s));
    return 0;
}
