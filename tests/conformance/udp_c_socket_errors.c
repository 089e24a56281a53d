/* What a UDP socket refuses, and what it lets through: listen, accept
 * and accept4 are EOPNOTSUPP; SOCK_DGRAM with IPPROTO_TCP is
 * EPROTONOSUPPORT (IPPROTO_UDP is fine, and so are SOCK_NONBLOCK and
 * SOCK_CLOEXEC, which show in fcntl); recv with MSG_OOB is not refused:
 * Linux's UDP ignores the flag and returns the next datagram (EAGAIN with
 * none). Calls on a closed UDP fd are EBADF. */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    T(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    T(socket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP));
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
    TRACE_VALUE("FD_CLOEXEC", fcntl(s, F_GETFD) == FD_CLOEXEC);
    TRACE_VALUE("O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    T(listen(s, 5));
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    T(accept(s, (struct sockaddr *)&a, &alen));
    T(accept4(s, NULL, NULL, SOCK_NONBLOCK));
    char b[8];
    T(recv(s, b, sizeof b, MSG_OOB));
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    T(sendto(s, "oob", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, sizeof b, MSG_OOB));
    net_trace_data("got", b, n);
    T(close(s));

    trace_note("closed");
    T(send(s, "x", 1, 0));
    T(recv(s, b, sizeof b, 0));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(close(s));
    return 0;
}
