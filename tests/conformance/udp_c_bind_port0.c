/* bind() to 127.0.0.1 port 0: the kernel picks a port at once, so
 * getsockname gives 127.0.0.1 and a nonzero port right after the bind;
 * sending and connecting do not change it, and the echo server sees that
 * port (its reply comes back to this socket). Bound to 0.0.0.0 port 0,
 * getsockname gives 0.0.0.0 and a nonzero port, and after connect the
 * address the route chose (127.0.0.1), same port. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    uint16_t port = net_trace_local(s, 0);
    char b[16];
    T(sendto(s, "bound", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
    net_trace_local(s, port);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, port);
    T(close(s));

    trace_note("0.0.0.0 port 0");
    s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in any = { .sin_family = AF_INET };
    T(bind(s, (struct sockaddr *)&any, sizeof any));
    port = net_trace_local(s, 0);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    net_trace_local(s, port);
    T(send(s, "any", 3, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
    net_trace_local(s, port);
    T(close(s));
    return 0;
}
