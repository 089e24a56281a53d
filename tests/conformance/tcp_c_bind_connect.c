/* bind before connect: 127.0.0.1 port 0 binds, and the connect that
 * follows works (round trip); binding again is EINVAL, before and after
 * the connect, and so is binding a socket that connect bound implicitly.
 * bind's checks (inet_bind): a short length EINVAL, a NULL address EFAULT,
 * another family EAFNOSUPPORT -- except AF_UNSPEC with INADDR_ANY, which
 * Linux accepts as AF_INET for old programs --, an address not of this
 * host EADDRNOTAVAIL. The port picked at bind time is visible through
 * getsockname, and stays through the connect. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <unistd.h>

static void round_trip(int s)
{
    T(send(s, "bound", 5, MSG_NOSIGNAL));
    char got[5] = { 0 };
    size_t have = 0;
    while (have < 5) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        ssize_t n = recv(s, got + have, 5 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(got, "bound", 5) == 0);
}

static struct sockaddr_in local_name(int s)
{
    struct sockaddr_in me;
    memset(&me, 0, sizeof me);
    socklen_t len = sizeof me;
    T(getsockname(s, (struct sockaddr *)&me, &len));
    TRACE_VALUE("length", len);
    TRACE_VALUE("address is 127.0.0.1", me.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    return me;
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

    trace_note("bind to 127.0.0.1 port 0, then connect");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    struct sockaddr_in me = local_name(s);
    TRACE_TRUE(me.sin_port != 0);
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    struct sockaddr_in after = local_name(s);
    TRACE_TRUE(after.sin_port == me.sin_port);
    round_trip(s);
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    T(close(s));

    trace_note("connect binds implicitly: bind after it is EINVAL");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    round_trip(s);
    T(close(s));

    trace_note("bind's checks, each on a fresh socket");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo - 1));
    T(bind(s, (struct sockaddr *)&lo, 0));
    T(bind(s, NULL, sizeof lo));
    struct sockaddr_in other = lo;
    other.sin_family = AF_INET6;
    T(bind(s, (struct sockaddr *)&other, sizeof other));
    other.sin_family = AF_UNSPEC;
    T(bind(s, (struct sockaddr *)&other, sizeof other));
    other.sin_addr.s_addr = htonl(0x08080808);   /* 8.8.8.8: not this host's */
    other.sin_family = AF_INET;
    T(bind(s, (struct sockaddr *)&other, sizeof other));
    T(close(s));
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in any = { .sin_family = AF_UNSPEC, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_ANY) };
    T(bind(s, (struct sockaddr *)&any, sizeof any));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    T(close(s));
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    any.sin_family = AF_INET;
    T(bind(s, (struct sockaddr *)&any, sizeof any));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    round_trip(s);
    T(close(s));
    return 0;
}
