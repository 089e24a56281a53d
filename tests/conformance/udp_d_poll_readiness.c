/* poll on UDP sockets: a fresh one (unbound, unconnected) is writable at
 * once and nothing else -- POLLOUT, with POLLWRNORM when asked, never
 * POLLHUP; POLLIN (and POLLRDNORM) only while a datagram is queued: after
 * the echo arrives, until the last one is read. A connected socket polls
 * the same. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

static void look(int s, short events, int timeout)
{
    struct pollfd p = { .fd = s, .events = events };
    T(poll(&p, 1, timeout));
    trace_pollfds(&p, 1);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    look(s, POLLIN | POLLOUT, 0);
    look(s, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLPRI | POLLRDHUP, 0);
    look(s, POLLIN, 0);
    look(s, 0, 0);

    trace_note("two datagrams queued");
    T(sendto(s, "one", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "two", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    look(s, POLLIN, 5000);
    look(s, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM, 0);
    char b[8];
    T(recv(s, b, sizeof b, 0));
    look(s, POLLIN, 5000);
    T(recv(s, b, sizeof b, 0));
    look(s, POLLIN | POLLOUT, 0);

    trace_note("connected");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    look(s, POLLIN | POLLOUT | POLLRDHUP, 0);
    T(send(s, "three", 5, 0));
    look(s, POLLIN, 5000);
    look(s, POLLIN | POLLOUT | POLLRDHUP, 0);
    T(recv(s, b, sizeof b, 0));
    look(s, POLLIN | POLLOUT, 0);
    T(close(s));
    return 0;
}
