/* A datagram larger than the buffer is truncated: recv returns the
 * buffer's size, the bytes are the datagram's first ones, and the rest is
 * discarded -- the next recv gets the next datagram, not the remainder.
 * With MSG_TRUNC, recv returns the datagram's real length (still copying
 * only what fits), also with a zero-length buffer. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    char big[100], b[100];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('A' + i % 26);
    T(sendto(s, big, 100, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "next", 4, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, 10, 0));
    net_trace_data("got", b, n);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));

    trace_note("MSG_TRUNC: the real length");
    T(sendto(s, big, 100, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, big, 60, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "tail", 4, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    memset(b, 0, sizeof b);
    n = T(recv(s, b, 10, MSG_TRUNC));
    net_trace_data("copied", b, 10);
    TRACE_VALUE("byte 10 untouched", b[10] == 0);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, 0, MSG_TRUNC));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, b, sizeof b, MSG_TRUNC));
    net_trace_data("got", b, n);
    T(recv(s, b, sizeof b, MSG_TRUNC | MSG_DONTWAIT));
    T(close(s));
    return 0;
}
