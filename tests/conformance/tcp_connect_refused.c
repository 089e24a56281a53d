/* A connect to a port nobody listens on: non-blocking, EINPROGRESS, then
 * EPOLLOUT|EPOLLERR|EPOLLHUP and SO_ERROR ECONNREFUSED (read once); the
 * socket can then be connected again. */
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_REFUSED);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int r = T(connect(s, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = { .fd = s, .events = POLLOUT };
    if (r < 0) {
        T(poll(&p, 1, 5000));
        trace_pollfds(&p, 1);
    }
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR is ECONNREFUSED", err == ECONNREFUSED);
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("then", err);
    char b[4];
    T(recv(s, b, sizeof b, 0));
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    T(close(s));

    trace_note("a blocking connect fails the same way, at once");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(close(s));
    return 0;
}
