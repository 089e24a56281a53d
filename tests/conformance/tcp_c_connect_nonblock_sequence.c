/* A non-blocking connect's answers in order: EINPROGRESS; EALREADY for as
 * long as the handshake is in progress (to any address); 0 exactly once
 * when it has completed; EISCONN after that (to any address). Over loopback
 * Linux usually completes the handshake inside the first connect, over a
 * proxy it takes a round trip, so how many EALREADYs come first is not
 * recorded; whenever one is seen, the socket must look as Linux's SYN_SENT
 * socket does: no poll events, send and recv EAGAIN, SO_ERROR 0,
 * getpeername ENOTCONN. Then a round trip proves the connection. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <unistd.h>

static int in_progress_looks_right(int s)
{
    int ok = 1;
    char b[4] = "abc";
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };
    if (poll(&p, 1, 0) != 0 || p.revents != 0) ok = 0;
    errno = 0;
    if (send(s, b, sizeof b, MSG_NOSIGNAL) != -1 || errno != EAGAIN) ok = 0;
    errno = 0;
    if (recv(s, b, sizeof b, 0) != -1 || errno != EAGAIN) ok = 0;
    int err = -1;
    socklen_t len = sizeof err;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) ok = 0;
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    errno = 0;
    if (getpeername(s, (struct sockaddr *)&peer, &plen) != -1 || errno != ENOTCONN) ok = 0;
    return ok;
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    struct sockaddr_in other = net_addr(NET_SINK);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));

    /* Ask again until the answer is no longer EALREADY. */
    int r, e, seen = 0, ok = 1, other_ok = 1;
    for (;;) {
        errno = 0;
        r = connect(s, (struct sockaddr *)&a, sizeof a);
        e = errno;
        if (!(r == -1 && e == EALREADY) || seen > 1000) break;
        seen++;
        if (!in_progress_looks_right(s)) ok = 0;
        /* Another address while in progress: EALREADY too. */
        errno = 0;
        if (connect(s, (struct sockaddr *)&other, sizeof other) != -1 || errno != EALREADY) other_ok = 0;
        struct pollfd p = { .fd = s, .events = POLLOUT };
        poll(&p, 1, 5000);
    }
    trace_result("connect(s, &a, sizeof a) once no longer EALREADY", r, e);
    TRACE_TRUE(seen <= 1000);
    TRACE_TRUE(ok);
    TRACE_TRUE(other_ok);

    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(connect(s, (struct sockaddr *)&other, sizeof other));
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);

    const char msg[] = "connected after EINPROGRESS";
    T(send(s, msg, sizeof msg - 1, MSG_NOSIGNAL));
    char got[sizeof msg];
    memset(got, 0, sizeof got);
    size_t have = 0;
    while (have < sizeof msg - 1) {
        struct pollfd q = { .fd = s, .events = POLLIN };
        if (poll(&q, 1, 5000) != 1) break;
        ssize_t n = recv(s, got + have, sizeof msg - 1 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(got, msg, sizeof msg - 1) == 0);
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(close(s));
    return 0;
}
