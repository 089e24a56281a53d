/* listen and accept. Linux lets a bound (or unbound: it binds one) TCP
 * socket listen; SO_ACCEPTCONN then reads 1, a non-blocking accept with
 * nobody connecting is EAGAIN, poll reports nothing, and connect on it is
 * EISCONN. emnet cannot accept connections (that needs a proxy feature it
 * does not have): listen is EOPNOTSUPP and accept EINVAL -- a deviation,
 * asserted per build. The same in both: accept on a socket that is not
 * listening (fresh, connected) is EINVAL, accept4 with unknown flags
 * EINVAL, and on non-sockets ENOTSOCK / EBADF. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#ifdef __EMSCRIPTEN__
#define CAN_LISTEN 0   /* deviation: listen() is EOPNOTSUPP, accept() EINVAL */
#else
#define CAN_LISTEN 1
#endif

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int r, e, v;
    socklen_t len;

    trace_note("listen on a bound socket (per build)");
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(bind(s, (struct sockaddr *)&lo, sizeof lo));
    errno = 0;
    r = listen(s, 8);
    e = errno;
    TRACE_TRUE(CAN_LISTEN ? r == 0 : (r == -1 && e == EOPNOTSUPP));
    v = -1;
    len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
    TRACE_TRUE(v == CAN_LISTEN);
    errno = 0;
    r = accept(s, NULL, NULL);
    e = errno;
    TRACE_TRUE(r == -1 && e == (CAN_LISTEN ? EAGAIN : EINVAL));
    errno = 0;
    r = accept4(s, NULL, NULL, SOCK_CLOEXEC);
    e = errno;
    TRACE_TRUE(r == -1 && e == (CAN_LISTEN ? EAGAIN : EINVAL));
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT };
    poll(&p, 1, 0);
    TRACE_TRUE(p.revents == (CAN_LISTEN ? 0 : (POLLOUT | POLLHUP)));
    errno = 0;
    r = connect(s, (struct sockaddr *)&echo, sizeof echo);
    e = errno;
    TRACE_TRUE(CAN_LISTEN ? (r == -1 && e == EISCONN) : (r == -1 && e == EINPROGRESS));
    T(close(s));

    trace_note("listen on an unbound socket (per build)");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    errno = 0;
    r = listen(s, 0);
    e = errno;
    TRACE_TRUE(CAN_LISTEN ? r == 0 : (r == -1 && e == EOPNOTSUPP));
    T(close(s));

    trace_note("listen on a connected socket (per build)");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    errno = 0;
    r = listen(s, 8);
    e = errno;
    TRACE_TRUE(r == -1 && e == (CAN_LISTEN ? EINVAL : EOPNOTSUPP));

    trace_note("accept on sockets that are not listening");
    T(accept(s, NULL, NULL));
    struct sockaddr_in from;
    len = sizeof from;
    T(accept(s, (struct sockaddr *)&from, &len));
    T(accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    T(accept4(s, NULL, NULL, 0x40));
    T(close(s));
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(accept(s, NULL, NULL));
    T(accept4(s, NULL, NULL, 0x40));
    T(close(s));

    trace_note("not sockets");
    int efd = TFD(eventfd(0, 0));
    T(accept(efd, NULL, NULL));
    T(listen(efd, 1));
    T(close(efd));
    T(accept(efd, NULL, NULL));
    T(listen(efd, 1));
    return 0;
}
