/* shutdown(SHUT_RD) on a connected socket: recv returns 0 (EOF) at once
 * when nothing is queued, and poll/epoll report IN|RDHUP from then on;
 * but Linux neither drops what was already received nor refuses what
 * arrives later (TCP has no way to tell the peer): both are still read,
 * byte for byte, before the 0. Sending is unaffected. Arrivals are awaited
 * with FIONREAD, since readiness no longer says anything. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Waits (up to 5 s) until want bytes are queued; returns the count. */
static int wait_queued(int s, int want)
{
    int ep = epoll_create1(0);
    struct epoll_event out[1];
    int avail = 0;
    for (int i = 0; i < 500; i++) {
        if (ioctl(s, FIONREAD, &avail) != 0 || avail >= want) break;
        epoll_wait(ep, out, 1, 10);   /* an empty set: just a pause */
    }
    close(ep);
    return avail;
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    char b[16];

    trace_note("nothing queued: EOF at once");
    T(recv(s, b, sizeof b, 0));
    T(shutdown(s, SHUT_RD));
    T(recv(s, b, sizeof b, 0));
    T(read(s, b, sizeof b));
    p.events = POLLIN | POLLOUT | POLLRDHUP;
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    TRACE_WAIT(ep, 4, 0);

    trace_note("sending still works; the echo arrives and is read before EOF");
    T(send(s, "after", 5, MSG_NOSIGNAL));
    TRACE_VALUE("queued", wait_queued(s, 5));
    memset(b, 0, sizeof b);
    T(recv(s, b, sizeof b, 0));
    TRACE_TRUE(memcmp(b, "after", 5) == 0);
    T(recv(s, b, sizeof b, 0));
    T(close(s));

    trace_note("data queued before the shutdown is still read");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "before", 6, MSG_NOSIGNAL));
    TRACE_VALUE("queued", wait_queued(s, 6));
    T(shutdown(s, SHUT_RD));
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    memset(b, 0, sizeof b);
    T(recv(s, b, 3, MSG_PEEK));
    T(recv(s, b, 3, 0));
    T(recv(s, b + 3, sizeof b - 3, 0));
    TRACE_TRUE(memcmp(b, "before", 6) == 0);
    T(recv(s, b, sizeof b, 0));
    T(recv(s, b, sizeof b, 0));

    trace_note("SHUT_WR as well: both directions shut");
    T(shutdown(s, SHUT_WR));
    p.fd = s;
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    T(send(s, b, 1, MSG_NOSIGNAL));
    T(recv(s, b, sizeof b, 0));
    T(close(s));
    T(close(ep));
    return 0;
}
