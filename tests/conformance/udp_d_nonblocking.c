/* Non-blocking receive on UDP, set three ways (SOCK_NONBLOCK,
 * fcntl(O_NONBLOCK), ioctl(FIONBIO)): with nothing queued recv, recvfrom,
 * recvmsg and read are EAGAIN at once, on an unbound, a bound and a
 * connected socket; once the echo is there they return it. Clearing the
 * flag again is seen by fcntl(F_GETFL). */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <unistd.h>

static void empty(int s)
{
    char b[8];
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    T(recv(s, b, sizeof b, 0));
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&a, &alen));
    struct iovec iov = { .iov_base = b, .iov_len = sizeof b };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    T(recvmsg(s, &m, 0));
    T(read(s, b, sizeof b));
}

static void echo_once(int s, const struct sockaddr_in *echo)
{
    char b[8];
    T(sendto(s, "hi", 2, 0, (const struct sockaddr *)echo, sizeof *echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    T(recv(s, b, sizeof b, 0));
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);

    trace_note("SOCK_NONBLOCK, unbound");
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    TRACE_VALUE("O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    empty(s);
    echo_once(s, &echo);
    empty(s);
    T(close(s));

    trace_note("fcntl, bound");
    s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    empty(s);
    echo_once(s, &echo);
    T(fcntl(s, F_SETFL, 0));
    TRACE_VALUE("O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    T(close(s));

    trace_note("FIONBIO, connected");
    s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    int on = 1;
    T(ioctl(s, FIONBIO, &on));
    TRACE_VALUE("O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    empty(s);
    echo_once(s, &echo);
    empty(s);
    T(close(s));
    return 0;
}
