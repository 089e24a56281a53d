/* Level-triggered epoll on a TCP socket: EPOLLIN is reported at every
 * wait for as long as any byte is left -- 300 echoed bytes read 100 at a
 * time keep it up through the second read and drop it after the third.
 * Registered for EPOLLIN|EPOLLOUT the connected socket with room reports
 * OUT alone, and IN|OUT once a byte is waiting. */
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
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 0);

    char msg[300], b[300];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (char)i;
    T(send(s, msg, sizeof msg, MSG_NOSIGNAL));
    TRACE_WAIT(ep, 4, 5000);
    TRACE_VALUE("waiting", net_wait_avail(s, 300));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(recv(s, b, 100, 0));
    TRACE_WAIT(ep, 4, 0);
    T(recv(s, b + 100, 100, 0));
    TRACE_WAIT(ep, 4, 5000);
    T(recv(s, b + 200, 100, 0));
    TRACE_TRUE(memcmp(b, msg, sizeof msg) == 0);
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 200);

    trace_note("EPOLLIN|EPOLLOUT");
    ev.events = EPOLLIN | EPOLLOUT;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(send(s, "x", 1, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 1));
    TRACE_WAIT(ep, 4, 0);
    T(recv(s, b, sizeof b, 0));
    TRACE_WAIT(ep, 4, 0);
    T(close(ep));
    T(close(s));
    return 0;
}
