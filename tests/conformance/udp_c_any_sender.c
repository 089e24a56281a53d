/* An unconnected UDP socket hears every sender, each datagram with its own
 * source. The dual server answers each datagram twice: first a copy
 * prefixed "other:" from a second port the socket never sent to, then the
 * echo from the port it did. Both arrive, in that order, the copy from
 * another port; the same through an AF_INET6 socket (v4-mapped sources).
 * In wasm this runs only over a transport that gives a socket a single
 * address of its own: emnet-proxy's Wisp with emnet's UDP sockets
 * extension (DEVIATIONS.md U1). */
#include "trace.h"
#include "net.h"

#include <unistd.h>

static void round_trip(int s, const struct sockaddr *to, socklen_t tolen, uint16_t port, const char *msg)
{
    T(sendto(s, msg, strlen(msg), 0, to, tolen));
    for (int i = 0; i < 2; i++) {
        char b[64];
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
        long n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
        net_trace_data("got", b, n);
        net_trace_addr("from", &from, flen, port);
    }
    char b[8];
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
}

int main(void)
{
    net_setup();
    struct sockaddr_in dual = net_addr(NET_UDP_DUAL);
    uint16_t port = net_port(NET_UDP_DUAL);

    trace_note("AF_INET");
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    round_trip(s, (struct sockaddr *)&dual, sizeof dual, port, "first");
    round_trip(s, (struct sockaddr *)&dual, sizeof dual, port, "second");
    T(close(s));

    trace_note("AF_INET6, to a v4-mapped address");
    struct sockaddr_in6 dual6 = net_addr6_mapped(NET_UDP_DUAL);
    s = TFD(socket(AF_INET6, SOCK_DGRAM, 0));
    round_trip(s, (struct sockaddr *)&dual6, sizeof dual6, port, "third");
    T(close(s));
    return 0;
}
