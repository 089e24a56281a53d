/* Zero-length datagrams are datagrams: sendto of 0 bytes returns 0 and the
 * echo server sends one back; poll shows POLLIN for it, yet FIONREAD says
 * 0 (the size of the next datagram); recv returns 0 -- not EOF -- and
 * consumes it, so the next recv is EAGAIN. One between two others keeps
 * its place in the order. */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    char b[64];
    T(sendto(s, "", 0, 0, (struct sockaddr *)&echo, sizeof echo));
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_addr("from", &from, flen, net_port(NET_UDP_ECHO));
    T(recv(s, b, sizeof b, 0));
    T(poll(&p, 1, 0));

    trace_note("in the middle of others");
    T(sendto(s, "a", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, NULL, 0, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, "bc", 2, 0, (struct sockaddr *)&echo, sizeof echo));
    for (int i = 0; i < 3; i++) {
        TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
        T(recv(s, b, sizeof b, 0));
    }
    T(recv(s, b, sizeof b, 0));

    trace_note("recvmsg of an empty datagram");
    T(sendto(s, "", 0, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    struct iovec iov = { .iov_base = b, .iov_len = sizeof b };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    T(recvmsg(s, &m, 0));
    TRACE_VALUE("msg_flags", m.msg_flags);
    T(close(s));
    return 0;
}
