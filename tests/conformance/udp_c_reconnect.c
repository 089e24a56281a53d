/* connect() again on a connected UDP socket moves it to the new peer:
 * getpeername follows and the echoes come from the new peer. Back and
 * forth between the echo and the dual server (whose "other:" copies a
 * connected socket never sees). A connect that fails (bad length) leaves the peer as it
 * was. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

static void round_trip(int s, const char *msg, uint16_t port)
{
    char b[64];
    T(send(s, msg, strlen(msg), 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    long n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_data("got", b, n);
    net_trace_addr("from", &from, flen, port);
}

static void peer(int s, uint16_t port)
{
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    net_trace_addr("peer", &a, alen, port);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO), dual = net_addr(NET_UDP_DUAL);
    uint16_t echo_port = net_port(NET_UDP_ECHO), dual_port = net_port(NET_UDP_DUAL);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    peer(s, echo_port);
    round_trip(s, "to echo", echo_port);

    trace_note("to the dual server");
    T(connect(s, (struct sockaddr *)&dual, sizeof dual));
    peer(s, dual_port);
    round_trip(s, "to dual", dual_port);
    char b[64];
    T(recv(s, b, sizeof b, MSG_DONTWAIT));

    trace_note("a failed connect keeps the peer");
    T(connect(s, (struct sockaddr *)&echo, 3));
    peer(s, dual_port);

    trace_note("back to the echo server");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    peer(s, echo_port);
    round_trip(s, "echo again", echo_port);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(close(s));
    return 0;
}
