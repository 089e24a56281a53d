/* An unconnected UDP socket never sees ICMP port unreachable: sendto a
 * port where nothing listens succeeds, again and again; no error is
 * queued (poll shows no POLLERR after a wait, SO_ERROR stays 0, recv is
 * EAGAIN), and the same socket then talks to the echo server as if
 * nothing happened. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in refused = net_addr(NET_UDP_REFUSED), echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(sendto(s, "anyone?", 7, 0, (struct sockaddr *)&refused, sizeof refused));
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 300));
    trace_pollfds(&p, 1);
    T(sendto(s, "anyone?", 7, 0, (struct sockaddr *)&refused, sizeof refused));
    T(poll(&p, 1, 300));
    T(sendto(s, "anyone?", 7, 0, (struct sockaddr *)&refused, sizeof refused));
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    char b[16];
    T(recv(s, b, sizeof b, 0));

    trace_note("the echo server, same socket");
    T(sendto(s, "hello", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(sendto(s, "anyone?", 7, 0, (struct sockaddr *)&refused, sizeof refused));
    T(poll(&p, 1, 300));
    T(recv(s, b, sizeof b, 0));
    T(close(s));
    return 0;
}
