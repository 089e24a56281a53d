/* Edge-triggered epoll (EPOLLIN|EPOLLET) on a TCP socket: each arrival is
 * a new edge, reported once, even while earlier bytes are still unread;
 * without an arrival there is none (a further wait, reading part or all of
 * the data, waiting 200 ms: nothing). EPOLL_CTL_MOD re-arms: with bytes
 * waiting it reports them again. */
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
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 3 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 0);

    trace_note("one arrival, one edge");
    T(send(s, "a", 1, MSG_NOSIGNAL));
    TRACE_WAIT(ep, 4, 5000);
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 200);

    trace_note("a second arrival with the first unread");
    T(send(s, "b", 1, MSG_NOSIGNAL));
    TRACE_WAIT(ep, 4, 5000);
    TRACE_VALUE("waiting", net_wait_avail(s, 2));
    TRACE_WAIT(ep, 4, 0);

    trace_note("reading makes no edge");
    char b[16];
    T(recv(s, b, 1, 0));
    TRACE_WAIT(ep, 4, 0);
    T(recv(s, b + 1, 1, 0));
    TRACE_TRUE(b[0] == 'a' && b[1] == 'b');
    TRACE_WAIT(ep, 4, 200);

    trace_note("EPOLL_CTL_MOD re-arms");
    T(send(s, "cd", 2, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 2));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    TRACE_WAIT(ep, 4, 0);
    T(recv(s, b, sizeof b, 0));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(close(ep));
    T(close(s));
    return 0;
}
