/* ICMP port unreachable on a connected UDP socket: after a datagram to a
 * port where nothing listens, the socket gets ECONNREFUSED -- once: the
 * next recv is EAGAIN again and SO_ERROR is 0 -- and it keeps working:
 * connected anew to the echo server it exchanges datagrams. The error
 * comes back asynchronously, so the scenario retries (send, wait with
 * poll, which reports POLLERR while the error waits) and records only
 * the outcome; on loopback the first try gets it.
 * The error can also be fetched with getsockopt(SO_ERROR), which clears
 * it the same way. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

/* Sends to the refused port until the socket reports the error (through
 * recv, or already through send); returns 1 when it did. *pollerr: poll
 * said POLLERR before the recv that failed. */
static int refused_by_recv(int s, int *pollerr)
{
    char b[16];
    for (int i = 0; i < 20; i++) {
        if (send(s, "anyone?", 7, 0) < 0) return errno == ECONNREFUSED;
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 500) <= 0) continue;
        *pollerr = (p.revents & POLLERR) != 0;
        if (recv(s, b, sizeof b, 0) < 0) return errno == ECONNREFUSED;
    }
    return 0;
}

static int refused_by_so_error(int s)
{
    for (int i = 0; i < 20; i++) {
        if (send(s, "anyone?", 7, 0) < 0) return errno == ECONNREFUSED;
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 500) <= 0) continue;
        int err = -1;
        socklen_t len = sizeof err;
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED) return 1;
    }
    return 0;
}

int main(void)
{
    net_setup();
    struct sockaddr_in refused = net_addr(NET_UDP_REFUSED), echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    int pollerr = 0;
    TRACE_VALUE("ECONNREFUSED seen", refused_by_recv(s, &pollerr));
    TRACE_VALUE("POLLERR before it", pollerr);
    char b[16];
    T(recv(s, b, sizeof b, 0));
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);

    trace_note("through SO_ERROR");
    TRACE_VALUE("ECONNREFUSED seen", refused_by_so_error(s));
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR", err);
    T(recv(s, b, sizeof b, 0));

    trace_note("the socket still works");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "alive", 5, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(close(s));
    return 0;
}
