/* An AF_INET6 UDP socket reaches an IPv4 server through the v4-mapped
 * address ::ffff:127.0.0.1: sendto it works and the echo's source comes
 * back as AF_INET6, ::ffff:127.0.0.1, the server's port, length 28 (into
 * a sockaddr_in's 16 bytes it is cut, and addrlen still says 28). A
 * plain sockaddr_in destination works too on such a socket. connect to
 * the mapped address gives a mapped getpeername and a mapped local
 * address. With IPV6_V6ONLY set, the mapped destination is
 * ENETUNREACH. */
#include "trace.h"
#include "net.h"

#include <netinet/in.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in6 m = net_addr6_mapped(NET_UDP_ECHO);
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET6, SOCK_DGRAM, 0));
    char b[32];
    T(sendto(s, "mapped", 6, 0, (struct sockaddr *)&m, sizeof m));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    long n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_data("got", b, n);
    net_trace_addr("from", &from, flen, port);

    trace_note("a sockaddr_in destination");
    T(sendto(s, "plain v4", 8, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    memset(&from, 0, sizeof from);
    flen = sizeof(struct sockaddr_in);
    n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_data("got", b, n);
    TRACE_VALUE("addrlen", flen);
    TRACE_VALUE("family is AF_INET6", from.ss_family == AF_INET6);

    trace_note("connected");
    T(connect(s, (struct sockaddr *)&m, sizeof m));
    flen = sizeof from;
    T(getpeername(s, (struct sockaddr *)&from, &flen));
    net_trace_addr("peer", &from, flen, port);
    flen = sizeof from;
    T(getsockname(s, (struct sockaddr *)&from, &flen));
    net_trace_addr("local", &from, flen, 0);
    T(send(s, "connected", 9, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(close(s));

    trace_note("IPV6_V6ONLY");
    s = TFD(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int on = 1;
    T(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&m, sizeof m));
    T(connect(s, (struct sockaddr *)&m, sizeof m));
    T(close(s));
    return 0;
}
