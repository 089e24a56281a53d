/* EPOLLONESHOT on a TCP socket: the first arrival is reported once, then
 * the registration is disabled -- a second arrival reports nothing, nor
 * does a 200 ms wait -- until EPOLL_CTL_MOD re-arms it, which with bytes
 * waiting reports them at once (once). Re-armed with nothing waiting, the
 * next arrival is reported. EPOLL_CTL_DEL of a disabled registration works. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 11 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 0);

    T(send(s, "x", 1, MSG_NOSIGNAL));
    TRACE_WAIT(ep, 4, 5000);
    TRACE_WAIT(ep, 4, 0);
    T(send(s, "y", 1, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 2));
    TRACE_WAIT(ep, 4, 200);

    trace_note("re-armed with bytes waiting");
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    char b[16];
    T(recv(s, b, sizeof b, 0));
    TRACE_TRUE(b[0] == 'x' && b[1] == 'y');

    trace_note("re-armed with nothing waiting");
    ev.data.u64 = 12;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(send(s, "z", 1, MSG_NOSIGNAL));
    TRACE_WAIT(ep, 4, 5000);
    TRACE_WAIT(ep, 4, 0);
    T(recv(s, b, sizeof b, 0));

    trace_note("EPOLLOUT|EPOLLONESHOT: once");
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data.u64 = 13;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL));
    T(close(ep));
    T(close(s));
    return 0;
}
