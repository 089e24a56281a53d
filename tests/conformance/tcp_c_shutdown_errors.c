/* shutdown's errors, in Linux's order (inet_shutdown): the fd first
 * (EBADF, ENOTSOCK), then how (anything but SHUT_RD, SHUT_WR, SHUT_RDWR:
 * EINVAL, even on a socket that is not connected), then the state: a
 * fresh socket and a refused one are ENOTCONN. Linux still records the
 * shutdown on such a socket (its tcp_poll and tcp_recvmsg see it: poll
 * adds IN|RDHUP, recv then returns 0 instead of ENOTCONN). On a connected
 * socket each direction can be shut, repeatedly, without error. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void mask(int s)
{
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in refused = net_addr(NET_REFUSED);
    char b[4];

    trace_note("not sockets");
    T(shutdown(-1, SHUT_RDWR));
    T(shutdown(-1, 12345));
    int efd = TFD(eventfd(0, 0));
    T(shutdown(efd, SHUT_RDWR));
    T(shutdown(efd, 12345));
    T(close(efd));

    trace_note("a fresh socket");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(shutdown(s, 3));
    T(shutdown(s, -1));
    T(shutdown(s, 12345));
    T(shutdown(s, SHUT_WR));
    mask(s);
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(shutdown(s, SHUT_RD));
    mask(s);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(recv(s, b, sizeof b, 0));
    T(shutdown(s, SHUT_RDWR));
    T(close(s));

    trace_note("a refused socket");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    T(shutdown(s, 3));
    T(shutdown(s, SHUT_RD));
    T(shutdown(s, SHUT_RDWR));
    mask(s);
    T(close(s));

    trace_note("a connected socket");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    T(shutdown(s, 3));
    T(shutdown(s, -1));
    mask(s);
    T(shutdown(s, SHUT_RD));
    T(shutdown(s, SHUT_RD));
    mask(s);
    T(recv(s, b, sizeof b, 0));
    T(shutdown(s, SHUT_WR));
    mask(s);
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    T(shutdown(s, 3));
    T(close(s));
    return 0;
}
