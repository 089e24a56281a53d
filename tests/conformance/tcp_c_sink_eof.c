/* The peer's orderly close, through the sink server: send 3000 pattern
 * bytes, shutdown(SHUT_WR) (sending is EPIPE from then on, zero bytes
 * too), and the sink answers "bytes=3000 fnv1a=HEX\n" and closes: the
 * reply, then EOF (recv 0, again and again), EPOLLIN|EPOLLRDHUP and, both
 * directions being shut, EPOLLHUP; no error. Where the transport cannot
 * carry a half-close (websockify, a plain Wisp server: DEVIATIONS.md W1)
 * it never reaches the sink, so it never answers: that documented
 * behaviour is asserted there (net_ends_carried), and a send after the
 * peer closed is EPIPE in both. */
#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#define N 3000

int main(void)
{
    net_setup();
    const int HALF_CLOSE_REACHES_SERVER = net_ends_carried();
    struct sockaddr_in a = net_addr(NET_SINK);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    T(connect(s, (struct sockaddr *)&a, sizeof a));

    static uint8_t data[N];
    emnet_test_pattern_fill(data, N, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "bytes=%d fnv1a=%016llx\n", N,
             (unsigned long long)emnet_test_fnv1a(EMNET_TEST_FNV1A_INIT, data, N));
    size_t sent = 0;
    while (sent < N) {
        ssize_t n = send(s, data + sent, N - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN) break;
        p.events = POLLOUT;
        if (poll(&p, 1, 5000) != 1) break;
    }
    TRACE_VALUE("sent", sent);
    T(shutdown(s, SHUT_WR));
    T(send(s, "x", 1, MSG_NOSIGNAL));
    T(send(s, "x", 0, MSG_NOSIGNAL));

    trace_note("the reply, then EOF");
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = 1 }, out[2];
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    char reply[128];
    size_t have = 0;
    int eof = 0;
    while (!eof && have < sizeof reply - 1) {
        if (epoll_wait(ep, out, 2, HALF_CLOSE_REACHES_SERVER ? 5000 : 1000) != 1) break;
        ssize_t n = recv(s, reply + have, sizeof reply - 1 - have, 0);
        if (n == 0) eof = 1;
        else if (n > 0) have += (size_t)n;
        else if (errno != EAGAIN) break;
    }
    reply[have] = 0;
    TRACE_TRUE((strcmp(reply, expected) == 0) == HALF_CLOSE_REACHES_SERVER);
    TRACE_TRUE(eof == HALF_CLOSE_REACHES_SERVER);

    trace_note("after EOF (per build)");
    char b[8];
    errno = 0;
    ssize_t r = recv(s, b, sizeof b, 0);
    int e = errno;
    TRACE_TRUE(HALF_CLOSE_REACHES_SERVER ? r == 0 : (r == -1 && e == EAGAIN));
    errno = 0;
    r = recv(s, b, sizeof b, 0);
    e = errno;
    TRACE_TRUE(HALF_CLOSE_REACHES_SERVER ? r == 0 : (r == -1 && e == EAGAIN));
    p.events = POLLIN | POLLOUT | POLLRDHUP;
    p.revents = 0;
    poll(&p, 1, 0);
    TRACE_TRUE(p.revents == (HALF_CLOSE_REACHES_SERVER ? (POLLIN | POLLOUT | POLLHUP | POLLRDHUP) : POLLOUT));
    int n = epoll_wait(ep, out, 2, 0);
    TRACE_TRUE(HALF_CLOSE_REACHES_SERVER ? (n == 1 && out[0].events == (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) : n == 0);

    trace_note("the same in both");
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    T(send(s, "x", 1, MSG_NOSIGNAL));
    T(write(s, "x", 1));
    T(close(ep));
    T(close(s));
    return 0;
}
