/* shutdown() on an unconnected UDP socket fails with ENOTCONN -- and
 * takes effect all the same (Linux sets the shutdown bits before it
 * reports the error). After shutdown(SHUT_RD): poll reports
 * POLLIN|POLLRDHUP, a non-blocking recv with nothing queued is EAGAIN and
 * a blocking one returns 0 at once; datagrams still arrive and are
 * returned first. After shutdown(SHUT_WR): sendto is EPIPE, and with both
 * directions shut poll adds POLLHUP. An invalid "how" is EINVAL. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    char b[16];
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    net_trace_poll(s);
    T(shutdown(s, 7));
    T(shutdown(s, -1));
    T(shutdown(s, SHUT_RD));
    net_trace_poll(s);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(recv(s, b, sizeof b, 0));

    trace_note("datagrams still arrive");
    T(sendto(s, "after", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("FIONREAD", net_wait_avail(s, 5));
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(recv(s, b, sizeof b, 0));

    trace_note("SHUT_WR");
    T(shutdown(s, SHUT_WR));
    net_trace_poll(s);
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "x", 1, 0));
    T(shutdown(s, SHUT_RDWR));
    T(close(s));

    trace_note("SHUT_WR alone");
    s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(shutdown(s, SHUT_WR));
    net_trace_poll(s);
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(recv(s, b, sizeof b, 0));
    T(close(s));
    return 0;
}
