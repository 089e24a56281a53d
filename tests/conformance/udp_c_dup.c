/* A duplicated UDP socket (dup, as Rust's try_clone does) is the same
 * socket: a datagram sent through one fd is answered to both, the first
 * to read takes it and the other then finds the queue empty; connecting
 * through one connects both (getpeername through the other); closing the
 * original leaves the copy working. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int d = TFD(dup(s));
    char b[16];
    T(sendto(s, "via s", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(d, 5000) == POLLIN);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD through s", avail);
    long n = T(recv(d, b, sizeof b, 0));
    net_trace_data("read through d", b, n);
    T(recv(s, b, sizeof b, 0));

    trace_note("connect through the copy");
    T(connect(d, (struct sockaddr *)&echo, sizeof echo));
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    net_trace_addr("peer through s", &a, alen, net_port(NET_UDP_ECHO));
    T(send(s, "via s", 5, 0));
    TRACE_VALUE("ready", net_wait_in(d, 5000) == POLLIN);

    trace_note("the original closed");
    T(close(s));
    n = T(recv(d, b, sizeof b, 0));
    net_trace_data("read through d", b, n);
    T(send(d, "via d", 5, 0));
    TRACE_VALUE("ready", net_wait_in(d, 5000) == POLLIN);
    n = T(recv(d, b, sizeof b, 0));
    net_trace_data("read through d", b, n);
    T(close(d));
    return 0;
}
