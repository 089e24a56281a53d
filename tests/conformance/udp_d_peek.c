/* MSG_PEEK on a datagram socket: peeking twice gives the same datagram
 * (and the same source address), the recv that follows the same bytes
 * again, and only then is the next datagram seen. A peek with a small
 * buffer returns the buffer's size and leaves the datagram whole: the
 * recv after it gets all of it. MSG_PEEK|MSG_TRUNC returns the datagram's
 * real length without consuming it (how a program learns the size before
 * allocating). An empty non-blocking peek is EAGAIN. */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    char b[256], c[256];
    T(recv(s, b, sizeof b, MSG_PEEK));
    T(sendto(s, "first datagram", 14, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "second", 6, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);

    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    long n = T(recvfrom(s, b, sizeof b, MSG_PEEK, (struct sockaddr *)&from, &flen));
    net_trace_data("peeked", b, n);
    net_trace_addr("from", &from, flen, port);
    memset(c, 0, sizeof c);
    n = T(recv(s, c, sizeof c, MSG_PEEK));
    net_trace_data("peeked", c, n);
    TRACE_TRUE(memcmp(b, c, 14) == 0);

    trace_note("small buffer");
    n = T(recv(s, c, 5, MSG_PEEK));
    net_trace_data("peeked", c, n);
    T(recv(s, c, 5, MSG_PEEK | MSG_TRUNC));
    T(recv(s, NULL, 0, MSG_PEEK | MSG_TRUNC));
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    n = T(recv(s, c, sizeof c, 0));
    net_trace_data("read", c, n);

    trace_note("the next datagram");
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, c, 3, MSG_PEEK));
    net_trace_data("peeked", c, n);
    n = T(recv(s, c, sizeof c, 0));
    net_trace_data("read", c, n);
    T(recv(s, c, sizeof c, MSG_PEEK));
    T(close(s));
    return 0;
}
