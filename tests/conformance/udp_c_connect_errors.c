/* connect()'s checks on a UDP socket: a length below
 * sizeof(struct sockaddr_in) is EINVAL, another family EAFNOSUPPORT; a
 * socket whose connect failed is still unconnected (getpeername
 * ENOTCONN, send EDESTADDRREQ). On an AF_INET6 socket a sockaddr_in (the
 * AF_INET family) is accepted and the peer reads back v4-mapped; a short
 * sockaddr_in6 is EINVAL. (A bad address given to a connected socket
 * fails and keeps the old peer: udp_c_reconnect.) */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&echo, 0));
    T(connect(s, (struct sockaddr *)&echo, 15));
    struct sockaddr_in bad = echo;
    bad.sin_family = AF_INET6;
    T(connect(s, (struct sockaddr *)&bad, sizeof bad));
    bad.sin_family = 12345;
    T(connect(s, (struct sockaddr *)&bad, sizeof bad));
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    T(send(s, "x", 1, 0));
    T(close(s));

    trace_note("AF_INET6 socket, AF_INET address");
    int s6 = TFD(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(connect(s6, (struct sockaddr *)&echo, sizeof echo));
    alen = sizeof a;
    T(getpeername(s6, (struct sockaddr *)&a, &alen));
    net_trace_addr("peer", &a, alen, port);
    T(send(s6, "six", 3, 0));
    TRACE_VALUE("ready", net_wait_in(s6, 5000) == POLLIN);
    char b[8];
    T(recv(s6, b, sizeof b, 0));
    struct sockaddr_in6 m = net_addr6_mapped(NET_UDP_ECHO);
    T(connect(s6, (struct sockaddr *)&m, 8));
    T(close(s6));
    return 0;
}
