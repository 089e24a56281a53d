/* A blocking recv on a UDP socket waits for the datagram: sent to the
 * echo server and read at once without polling first, recv, recvfrom,
 * recvmsg and read each return the echo when it arrives (loopback: it
 * always does), on an unconnected and on a connected socket. A blocking
 * sendto returns the datagram's size. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    char b[64];
    T(sendto(s, "recv", 4, 0, (struct sockaddr *)&echo, sizeof echo));
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(sendto(s, "recvfrom", 8, 0, (struct sockaddr *)&echo, sizeof echo));
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_data("got", b, n);
    net_trace_addr("from", &from, flen, port);

    trace_note("connected");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "recvmsg", 7, 0));
    struct iovec iov = { .iov_base = b, .iov_len = sizeof b };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    n = T(recvmsg(s, &m, 0));
    net_trace_data("got", b, n);
    T(write(s, "read", 4));
    n = T(read(s, b, sizeof b));
    net_trace_data("got", b, n);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(close(s));
    return 0;
}
