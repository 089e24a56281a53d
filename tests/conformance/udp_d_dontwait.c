/* MSG_DONTWAIT on a blocking UDP socket: recv with it and nothing queued
 * is EAGAIN at once, without making the socket non-blocking (F_GETFL
 * unchanged); with the echo queued it returns the datagram; send with it
 * works as a plain send. The same for recvfrom and recvmsg. */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    char b[16];
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    TRACE_VALUE("O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    T(sendto(s, "dontwait", 8, MSG_DONTWAIT, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recvfrom(s, b, sizeof b, MSG_DONTWAIT, NULL, NULL));
    T(recvfrom(s, b, sizeof b, MSG_DONTWAIT, NULL, NULL));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "second", 6, MSG_DONTWAIT));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    struct iovec iov = { .iov_base = b, .iov_len = sizeof b };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    T(recvmsg(s, &m, MSG_DONTWAIT));
    T(recvmsg(s, &m, MSG_DONTWAIT));
    TRACE_VALUE("O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    T(close(s));
    return 0;
}
