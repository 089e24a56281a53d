/* Socket options of a UDP socket: SO_TYPE SOCK_DGRAM, SO_PROTOCOL
 * IPPROTO_UDP, SO_DOMAIN AF_INET (AF_INET6 for an AF_INET6 one),
 * SO_ACCEPTCONN 0, SO_ERROR 0; SO_BROADCAST and SO_REUSEADDR start at 0
 * and round-trip; SO_RCVBUF/SO_SNDBUF have a positive default, and a
 * value set reads back doubled (65536 -> 131072; Linux keeps half for
 * bookkeeping), tiny values are raised to the minimum. TCP's options on
 * a UDP socket: setsockopt(IPPROTO_TCP) is ENOPROTOOPT, and so is
 * getsockopt -- except on an AF_INET socket, where ip_getsockopt answers
 * EOPNOTSUPP. Unknown SOL_SOCKET options are ENOPROTOOPT. Connected, the
 * answers are the same. */
#include "trace.h"
#include "net.h"

#include <netinet/tcp.h>
#include <unistd.h>

static void options(int s)
{
    net_get_int_opt(s, SOL_SOCKET, SO_TYPE, "SO_TYPE");
    net_get_int_opt(s, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL");
    net_get_int_opt(s, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN");
    net_get_int_opt(s, SOL_SOCKET, SO_ERROR, "SO_ERROR");

    trace_note("flags round trip");
    net_get_int_opt(s, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST");
    net_set_int_opt(s, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
    net_get_int_opt(s, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST");
    net_set_int_opt(s, SOL_SOCKET, SO_BROADCAST, 0, "SO_BROADCAST");
    net_get_int_opt(s, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST");
    net_get_int_opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    net_set_int_opt(s, SOL_SOCKET, SO_REUSEADDR, 5, "SO_REUSEADDR");
    net_get_int_opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    net_set_int_opt(s, SOL_SOCKET, SO_REUSEADDR, 0, "SO_REUSEADDR");
    net_get_int_opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");

    trace_note("buffer sizes: doubled; the minimum");
    int v = -1;
    socklen_t len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
    TRACE_TRUE(v > 0);
    len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len));
    TRACE_TRUE(v > 0);
    net_set_int_opt(s, SOL_SOCKET, SO_RCVBUF, 65536, "SO_RCVBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_RCVBUF, 4096, "SO_RCVBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_SNDBUF, 65536, "SO_SNDBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_RCVBUF, 1, "SO_RCVBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_SNDBUF, 0, "SO_SNDBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");

    trace_note("TCP's options");
    v = 1;
    len = sizeof v;
    T(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len));
    T(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    T(getsockopt(s, SOL_SOCKET, 12345, &v, &len));
    T(setsockopt(s, SOL_SOCKET, 12345, &v, sizeof v));
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    trace_note("a fresh AF_INET socket");
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    net_get_int_opt(s, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN");
    options(s);
    T(close(s));

    trace_note("IPPROTO_UDP given, connected");
    s = TFD(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    options(s);
    T(close(s));

    trace_note("a fresh AF_INET6 socket");
    int s6 = TFD(socket(AF_INET6, SOCK_DGRAM, 0));
    int dom = -1;
    socklen_t len = sizeof dom;
    T(getsockopt(s6, SOL_SOCKET, SO_DOMAIN, &dom, &len));
    TRACE_VALUE("SO_DOMAIN is AF_INET6", dom == AF_INET6);
    options(s6);
    T(close(s6));
    return 0;
}
