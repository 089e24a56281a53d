/* The largest UDP datagram over IPv4 carries 65507 bytes (65535 minus the
 * IP and UDP headers): 65507 bytes go out and the echo brings all of them
 * back in one datagram; 65508 is EMSGSIZE, on an unconnected and on a
 * connected socket, and nothing is sent. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    static unsigned char out[65508], in[70000];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof out; i++) out[i] = (unsigned char)net_rng(&seed);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(sendto(s, out, 65508, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, out, 65507, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    long n = T(recv(s, in, sizeof in, 0));
    TRACE_TRUE(n == 65507 && memcmp(in, out, 65507) == 0);
    T(recv(s, in, sizeof in, 0));

    trace_note("connected");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, out, 65508, 0));
    T(write(s, out, 65508));
    T(send(s, out + 1, 65507, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, in, sizeof in, 0));
    TRACE_TRUE(n == 65507 && memcmp(in, out + 1, 65507) == 0);
    T(recv(s, in, sizeof in, 0));
    T(close(s));
    return 0;
}
