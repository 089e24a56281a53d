/* connect's checks of the address, each group on a fresh socket (which
 * none of them may start connecting): a length below sizeof(struct sockaddr_in) or above
 * sizeof(struct sockaddr_storage) (or negative) is EINVAL, a NULL address
 * EFAULT (but EINVAL with length 0: nothing is copied then), a family
 * other than AF_INET EAFNOSUPPORT -- except AF_UNSPEC, which means
 * "dissolve the association": 0 on a fresh socket, and on a connected one
 * it drops the connection and leaves the socket connectable again. A
 * longer length than needed is fine. An AF_INET6 socket needs at least 24
 * bytes and reaches an IPv4 server through a v4-mapped address. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <unistd.h>

static void wait_out(int s)
{
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
}

static void round_trip(int s)
{
    const char msg[] = "ping";
    T(send(s, msg, 4, MSG_NOSIGNAL));
    char got[4] = { 0 };
    size_t have = 0;
    while (have < 4) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        ssize_t n = recv(s, got + have, 4 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(got, msg, 4) == 0);
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    struct sockaddr_storage big;
    memset(&big, 0, sizeof big);
    memcpy(&big, &a, sizeof a);
    /* Each group on a socket of its own, so that one wrong answer (a
     * connect that starts) cannot change the answers to the next group. */
    trace_note("lengths");
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, 0));
    T(connect(s, (struct sockaddr *)&a, 1));
    T(connect(s, (struct sockaddr *)&a, 2));
    T(connect(s, (struct sockaddr *)&a, sizeof a - 1));
    T(connect(s, (struct sockaddr *)&a, -1));
    T(connect(s, (struct sockaddr *)&big, sizeof big + 1));
    T(connect(s, (struct sockaddr *)&big, 1000));
    T(close(s));

    trace_note("NULL");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, NULL, sizeof a));
    T(connect(s, NULL, 0));
    T(close(s));

    trace_note("families");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in wrong = a;
    wrong.sin_family = AF_INET6;
    T(connect(s, (struct sockaddr *)&wrong, sizeof wrong));
    wrong.sin_family = 12345;
    T(connect(s, (struct sockaddr *)&wrong, sizeof wrong));
    struct sockaddr_in6 a6;
    memset(&a6, 0, sizeof a6);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = a.sin_port;
    a6.sin6_addr = in6addr_loopback;
    T(connect(s, (struct sockaddr *)&a6, sizeof a6));
    T(close(s));

    trace_note("AF_UNSPEC on a fresh socket: 0, and it stays fresh");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in unspec = a;
    unspec.sin_family = AF_UNSPEC;
    T(connect(s, (struct sockaddr *)&unspec, sizeof unspec));
    struct sockaddr_in name;
    socklen_t nlen = sizeof name;
    T(getpeername(s, (struct sockaddr *)&name, &nlen));
    char b[4];
    T(recv(s, b, sizeof b, 0));

    trace_note("a longer length than needed connects");
    T(connect(s, (struct sockaddr *)&big, sizeof big));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&big, sizeof big));
    round_trip(s);

    trace_note("AF_UNSPEC on a connected socket dissolves the connection");
    T(connect(s, (struct sockaddr *)&unspec, sizeof unspec));
    nlen = sizeof name;
    T(getpeername(s, (struct sockaddr *)&name, &nlen));
    T(recv(s, b, sizeof b, 0));
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    trace_note("and it can connect again");
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    round_trip(s);
    T(close(s));

    trace_note("an AF_INET6 socket");
    s = TFD(socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(connect(s, (struct sockaddr *)&a6, 23));
    T(connect(s, NULL, sizeof a6));
    trace_note("to the IPv4 echo server, v4-mapped");
    memset(&a6.sin6_addr, 0, sizeof a6.sin6_addr);
    a6.sin6_addr.s6_addr[10] = 0xff;
    a6.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&a6.sin6_addr.s6_addr[12], &a.sin_addr, 4);
    T(connect(s, (struct sockaddr *)&a6, sizeof a6));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&a6, sizeof a6));
    struct sockaddr_in6 peer6;
    memset(&peer6, 0, sizeof peer6);
    nlen = sizeof peer6;
    T(getpeername(s, (struct sockaddr *)&peer6, &nlen));
    TRACE_VALUE("peer length", nlen);
    TRACE_TRUE(peer6.sin6_family == AF_INET6 && peer6.sin6_port == a.sin_port &&
               memcmp(&peer6.sin6_addr, &a6.sin6_addr, sizeof a6.sin6_addr) == 0);
    round_trip(s);
    T(close(s));
    return 0;
}
