/* Level-triggered epoll on a UDP socket: EPOLLIN is reported on every
 * wait while any datagram is queued -- after reading one of two, still;
 * after the last, no more -- and EPOLLOUT always. EPOLLONESHOT reports
 * once, then nothing until EPOLL_CTL_MOD re-arms it, which reports the
 * still-queued datagram at once. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 8, 0);
    T(sendto(s, "A", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "B", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 8, 5000);
    TRACE_WAIT(ep, 8, 0);
    char b[4];
    T(recv(s, b, sizeof b, 0));
    TRACE_WAIT(ep, 8, 5000);
    T(recv(s, b, sizeof b, 0));
    TRACE_WAIT(ep, 8, 0);

    trace_note("with EPOLLOUT");
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 8, 0);
    TRACE_WAIT(ep, 8, 0);

    trace_note("EPOLLONESHOT");
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    T(sendto(s, "C", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 8, 5000);
    TRACE_WAIT(ep, 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 8, 0);
    T(recv(s, b, sizeof b, 0));
    T(close(ep));
    T(close(s));
    return 0;
}
