/* I/O without a destination on an unconnected UDP socket: send, write and
 * sendmsg without a name are EDESTADDRREQ (whether bound or not);
 * getpeername is ENOTCONN; a non-blocking recv or read with nothing
 * queued is EAGAIN, not ENOTCONN (an unconnected socket may still
 * receive). MSG_OOB is EOPNOTSUPP for sending. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    char b[16];
    T(send(s, "x", 1, 0));
    T(write(s, "x", 1));
    T(send(s, "", 0, 0));
    struct iovec iov = { .iov_base = "x", .iov_len = 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    T(sendmsg(s, &m, 0));
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    T(recv(s, b, sizeof b, 0));
    T(read(s, b, sizeof b));
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&a, &alen));

    trace_note("after a sendto (bound now)");
    T(sendto(s, "hi", 2, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
    T(send(s, "x", 1, 0));
    T(write(s, "x", 1));
    T(recv(s, b, sizeof b, 0));
    alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));

    trace_note("MSG_OOB");
    T(sendto(s, "x", 1, MSG_OOB, (struct sockaddr *)&echo, sizeof echo));
    T(close(s));
    return 0;
}
