/* A connect that the target never answers stays in progress, however long
 * one waits: no readiness at all (poll and epoll, past the time a proxy
 * that cannot say "connected" would guess success), send and recv EAGAIN,
 * SO_ERROR 0, getpeername ENOTCONN; shutdown ends it, as a reset.
 * Then a connect to a server that does answer completes as usual, with
 * EPOLLOUT only once it has, and a round trip.
 *
 * The target is the harness's silent port (its queue full, the kernel
 * drops the SYNs). Over a proxy this needs a protocol that reports when
 * the proxy's own connect completes (Wisp's stream open confirmation):
 * CMakeLists.txt runs it over emnet-proxy's Wisp mode only. */
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

int main(void)
{
    net_setup();
    struct sockaddr_in silent = net_addr(NET_SILENT);
    struct sockaddr_in echo = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&silent, sizeof silent));

    trace_note("a second: nothing happens");
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };
    T(poll(&p, 1, 1000));
    trace_pollfds(&p, 1);
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u32 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 300);

    char b[4] = "abc";
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    T(recv(s, b, sizeof b, 0));
    T(write(s, b, sizeof b));
    int err = -1, avail = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &plen));
    trace_note("shutdown ends the attempt (inet_shutdown disconnects: SO_ERROR ECONNRESET)");
    T(shutdown(s, SHUT_WR));
    net_trace_poll(s);
    TRACE_WAIT(ep, 4, 0);
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_TRUE(err == ECONNRESET);
    T(close(s));

    trace_note("a target that answers");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    ev.events = EPOLLOUT;
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(ep, 4, 5000);
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "ping", 4, MSG_NOSIGNAL));
    TRACE_VALUE("echoed", net_wait_avail(s, 4));
    T(recv(s, b, sizeof b, 0));
    T(close(s));
    T(close(ep));
    return 0;
}
