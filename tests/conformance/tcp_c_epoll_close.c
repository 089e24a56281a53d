/* Closing a socket's last fd removes it from every epoll set: a readable
 * socket (the source server's stream) reported with its data stops being
 * reported once closed. While a dup keeps the socket open the
 * registration stays and is still reported with the closed fd's data,
 * though the closed number can no longer name it (EBADF) and the dup's
 * number was never registered (ENOENT); closing the dup ends it. The
 * number, reused by a new socket, is free to register again. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in source = net_addr(NET_SOURCE);
    struct sockaddr_in echo = net_addr(NET_ECHO);
    int ep = TFD(epoll_create1(0));

    trace_note("a readable socket, closed");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&source, sizeof source));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 5000);
    T(close(s));
    TRACE_WAIT(ep, 4, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL));
    int old = s;

    trace_note("closed while a dup keeps it open");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    TRACE_TRUE(s == old);
    T(connect(s, (struct sockaddr *)&source, sizeof source));
    ev.data.u64 = 2;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 5000);
    int d = TFD(dup(s));
    T(close(s));
    TRACE_WAIT(ep, 4, 0);
    ev.data.u64 = 3;
    T(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, d, &ev));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    TRACE_WAIT(ep, 4, 0);
    T(close(d));
    TRACE_WAIT(ep, 4, 0);

    trace_note("the number again, a new socket: registers afresh");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    TRACE_TRUE(s == old);
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 4;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 0);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 4, 5000);
    T(close(s));
    TRACE_WAIT(ep, 4, 0);

    trace_note("two sockets in one set, one closed: the other stays");
    int s1 = TFD(socket(AF_INET, SOCK_STREAM, 0));
    int s2 = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s1, (struct sockaddr *)&echo, sizeof echo));
    T(connect(s2, (struct sockaddr *)&echo, sizeof echo));
    ev.events = EPOLLOUT;
    ev.data.u64 = 5;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s1, &ev));
    ev.data.u64 = 6;
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s2, &ev));
    struct epoll_event out[4];
    int n = (int)T(epoll_wait(ep, out, 4, 5000));
    TRACE_VALUE("data sum", n == 2 ? (long long)(out[0].data.u64 + out[1].data.u64) : -1);
    T(close(s1));
    TRACE_WAIT(ep, 4, 0);
    T(close(s2));
    TRACE_WAIT(ep, 4, 0);
    T(close(ep));
    return 0;
}
