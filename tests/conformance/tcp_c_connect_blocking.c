/* A blocking connect: to the echo server it returns 0 once the connection
 * is established (no EINPROGRESS), SO_ERROR is 0, the socket is writable,
 * a repeat is EISCONN, getpeername names the address connected to, and a
 * blocking send/recv round trip works. To a port nobody listens on it
 * fails with ECONNREFUSED, at once, and the error is consumed by connect
 * itself (SO_ERROR is then 0); the dead socket reads EOF, refuses sends
 * with EPIPE and polls as shut down in both directions. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <time.h>
#include <unistd.h>

/* Reads until len bytes arrived (or 5 s pass without any). */
static size_t recv_all(int s, char *buf, size_t len)
{
    size_t have = 0;
    while (have < len) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        ssize_t r = recv(s, buf + have, len - have, 0);
        if (r <= 0) break;
        have += (size_t)r;
    }
    return have;
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    struct sockaddr_in refused = net_addr(NET_REFUSED);
    int err;
    socklen_t len;

    trace_note("blocking connect to the echo server");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    err = -1;
    len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    struct sockaddr_in peer;
    memset(&peer, 0, sizeof peer);
    socklen_t plen = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &plen));
    TRACE_VALUE("peer length", plen);
    TRACE_TRUE(peer.sin_family == AF_INET && peer.sin_port == a.sin_port && peer.sin_addr.s_addr == a.sin_addr.s_addr);

    const char msg[] = "a blocking connect, then a blocking round trip";
    T(send(s, msg, sizeof msg - 1, MSG_NOSIGNAL));
    char got[sizeof msg];
    memset(got, 0, sizeof got);
    TRACE_VALUE("echoed", recv_all(s, got, sizeof msg - 1));
    TRACE_TRUE(memcmp(got, msg, sizeof msg - 1) == 0);
    T(close(s));

    trace_note("blocking connect to a port nobody listens on");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    long long ms = trace_ms_since(&t0);
    TRACE_TRUE(ms < 3000);
    err = -1;
    len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR after the failed connect", err);
    p.revents = 0;
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    plen = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &plen));
    char b[4] = "abc";
    T(recv(s, b, sizeof b, 0));
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    T(close(s));
    return 0;
}
