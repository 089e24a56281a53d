/* A non-blocking connect to the echo server: EINPROGRESS, then EPOLLOUT
 * and SO_ERROR 0, EISCONN on a repeat; bytes sent come back whole (read
 * until all arrived, whatever the chunking); poll and epoll readiness at
 * each step; FIONREAD; close. */
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
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u64 = 1 }, out[4];
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    int n = T(epoll_wait(ep, out, 4, 5000));
    trace_epoll_events(out, n);
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(connect(s, (struct sockaddr *)&a, sizeof a));

    char msg[1000];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (char)('a' + i % 26);
    T(send(s, msg, sizeof msg, MSG_NOSIGNAL));
    char got[1000];
    size_t have = 0;
    while (have < sizeof got) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        ssize_t r = recv(s, got + have, sizeof got - have, 0);
        if (r <= 0) break;
        have += (size_t)r;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(got, msg, sizeof msg) == 0);
    T(recv(s, got, sizeof got, 0));
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    n = T(epoll_wait(ep, out, 4, 0));
    trace_epoll_events(out, n);
    T(close(ep));
    T(close(s));
    return 0;
}
