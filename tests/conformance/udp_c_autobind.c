/* Implicit binding of a UDP socket. Unbound, getsockname gives AF_INET
 * 0.0.0.0 port 0 (length 16) and getpeername ENOTCONN. The first sendto
 * binds it to a port the kernel picks, address still 0.0.0.0; the next
 * sendto keeps that port. connect then fills in the address the route
 * chose (127.0.0.1), same port. For AF_INET6: :: port 0, length 28, then
 * ::, a nonzero port. A recv does not bind; a send that fails with
 * EDESTADDRREQ (no destination) does: Linux binds before it looks for
 * one. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    net_trace_local(s, 0);
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    char b[16];
    T(recv(s, b, sizeof b, 0));
    net_trace_local(s, 0);
    T(sendto(s, "one", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    uint16_t port = net_trace_local(s, 0);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
    T(sendto(s, "two", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, port);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, port);
    T(close(s));

    trace_note("a failed send binds");
    s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(send(s, "x", 1, 0));
    port = net_trace_local(s, 0);
    T(sendto(s, "three", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, port);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
    T(close(s));

    trace_note("AF_INET6");
    int s6 = TFD(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    net_trace_local(s6, 0);
    struct sockaddr_in6 m = net_addr6_mapped(NET_UDP_ECHO);
    T(sendto(s6, "six", 3, 0, (struct sockaddr *)&m, sizeof m));
    net_trace_local(s6, 0);
    TRACE_VALUE("ready", net_wait_in(s6, 5000) == POLLIN);
    T(recv(s6, b, sizeof b, 0));
    T(close(s6));
    return 0;
}
