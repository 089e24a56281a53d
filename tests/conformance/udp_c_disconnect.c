/* connect() with AF_UNSPEC dissolves a UDP socket's association:
 * getpeername is then ENOTCONN, send and write without an address are
 * EDESTADDRREQ, sendto with an address still works and its echo arrives.
 * AF_UNSPEC on a socket that was never connected is accepted too. What
 * getsockname says afterwards: the local address the route chose at
 * connect (127.0.0.1) goes back to 0.0.0.0, and a port the kernel picked
 * -- at connect, or for a bind to port 0 -- is given up (port 0), while
 * a port bound by number stays. (The failed send binds the socket to a
 * new port again: see udp_c_autobind.) */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    struct sockaddr unspec;
    memset(&unspec, 0, sizeof unspec);
    unspec.sa_family = AF_UNSPEC;

    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(connect(s, &unspec, sizeof unspec));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    uint16_t picked = net_trace_local(s, 0);
    char b[64];
    T(send(s, "connected", 9, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));

    trace_note("dissolved");
    T(connect(s, &unspec, sizeof unspec));
    net_trace_local(s, picked);
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    T(send(s, "x", 1, 0));
    T(write(s, "x", 1));
    T(sendto(s, "unconnected", 11, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    alen = sizeof a;
    long n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&a, &alen));
    net_trace_data("got", b, n);
    net_trace_addr("from", &a, alen, port);
    T(connect(s, &unspec, sizeof unspec));
    T(close(s));

    trace_note("bound to port 0 first");
    s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in any = { .sin_family = AF_INET };
    T(bind(s, (struct sockaddr *)&any, sizeof any));
    uint16_t bound = net_trace_local(s, 0);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, bound);
    T(connect(s, &unspec, sizeof unspec));
    net_trace_local(s, bound);
    T(close(s));

    trace_note("bound to a port by number");
    /* A second socket binds that port by number: now it is "explicit". */
    s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    any.sin_port = htons(bound);
    T(bind(s, (struct sockaddr *)&any, sizeof any));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, bound);
    T(connect(s, &unspec, sizeof unspec));
    net_trace_local(s, bound);
    T(close(s));
    return 0;
}
