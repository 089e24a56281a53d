/* UDP keeps message boundaries: five datagrams of different sizes sent
 * one after another to the echo server come back as five, each recvfrom
 * returning exactly one of them, whole, in order, however large the
 * buffer. MSG_WAITALL changes nothing for a datagram socket: recv still
 * returns one datagram. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    static const size_t sizes[] = { 1, 100, 7, 1000, 50 };
    static char out[1000], in[4096];
    for (size_t i = 0; i < sizeof out; i++) out[i] = (char)('a' + i % 26);
    for (size_t i = 0; i < 5; i++) {
        out[0] = (char)('0' + i);
        T(sendto(s, out, sizes[i], 0, (struct sockaddr *)&echo, sizeof echo));
    }
    for (size_t i = 0; i < 5; i++) {
        TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
        long n = T(recvfrom(s, in, sizeof in, 0, NULL, NULL));
        out[0] = (char)('0' + i);
        TRACE_TRUE(n == (long)sizes[i] && memcmp(in, out, sizes[i]) == 0);
    }
    T(recv(s, in, sizeof in, MSG_DONTWAIT));

    trace_note("MSG_WAITALL returns one datagram");
    T(sendto(s, "first", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "second", 6, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, in, sizeof in, MSG_WAITALL));
    net_trace_data("got", in, n);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, in, sizeof in, MSG_WAITALL));
    net_trace_data("got", in, n);
    T(close(s));
    return 0;
}
