/* bind() errors on UDP sockets: binding a bound socket again is EINVAL
 * (also after the implicit bind of a sendto); an address that is not
 * local (192.0.2.1, TEST-NET-1) is EADDRNOTAVAIL; a length below
 * sizeof(struct sockaddr_in) is EINVAL; another family is EAFNOSUPPORT;
 * a port already bound by another of the program's sockets is
 * EADDRINUSE. A failed bind leaves the socket unbound (port 0). */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));

    trace_note("failures leave it unbound");
    struct sockaddr_in far = lo;
    inet_pton(AF_INET, "192.0.2.1", &far.sin_addr);
    T(bind(s, (struct sockaddr *)&far, sizeof far));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo - 1));
    T(bind(s, (struct sockaddr *)&lo, 0));
    struct sockaddr_in bad = lo;
    bad.sin_family = AF_INET6;
    T(bind(s, (struct sockaddr *)&bad, sizeof bad));
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getsockname(s, (struct sockaddr *)&a, &alen));
    net_trace_addr("local", &a, alen, 0);

    trace_note("twice");
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    alen = sizeof a;
    T(getsockname(s, (struct sockaddr *)&a, &alen));
    uint16_t port = ntohs(((struct sockaddr_in *)&a)->sin_port);

    trace_note("the same port from another socket");
    int t = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in same = lo;
    same.sin_port = htons(port);
    T(bind(t, (struct sockaddr *)&same, sizeof same));
    struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(port) };
    T(bind(t, (struct sockaddr *)&any, sizeof any));
    T(close(t));

    trace_note("after an implicit bind");
    t = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(sendto(t, "x", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(bind(t, (struct sockaddr *)&lo, sizeof lo));
    TRACE_VALUE("ready", net_wait_in(t, 5000) == POLLIN);
    char b[4];
    T(recv(t, b, sizeof b, 0));
    T(close(t));
    T(close(s));
    return 0;
}
