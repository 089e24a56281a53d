/* connect() again while a non-blocking connect is in progress: EALREADY,
 * to the same address, to another one and to an address of the other
 * family alike, for as long as it is in progress (here a target that never
 * answers, past the time a proxy that cannot say "connected" would guess
 * success); AF_UNSPEC disconnects it (tcp_disconnect: SO_ERROR
 * ECONNRESET). The socket can then connect again,
 * to a server that answers: EINPROGRESS, EALREADY until it completes (how
 * many is not recorded), then 0 once, then EISCONN.
 *
 * The target is the harness's silent port. Over a proxy this needs a
 * protocol that reports when the proxy's own connect completes (Wisp's
 * stream open confirmation): CMakeLists.txt runs it over emnet-proxy's
 * Wisp mode only. */
#include <poll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

int main(void)
{
    net_setup();
    struct sockaddr_in silent = net_addr(NET_SILENT);
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in6 echo6 = net_addr6_mapped(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&silent, sizeof silent));
    T(connect(s, (struct sockaddr *)&silent, sizeof silent));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(poll(NULL, 0, 800));
    T(connect(s, (struct sockaddr *)&silent, sizeof silent));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(connect(s, (struct sockaddr *)&echo6, sizeof echo6));
    net_trace_poll(s);

    trace_note("AF_UNSPEC ends the attempt");
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    T(connect(s, &unspec, sizeof unspec));
    net_trace_poll(s);
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_TRUE(err == ECONNRESET);

    trace_note("then a server that answers");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    int r, e, seen = 0;
    for (;;) {
        struct pollfd p = { .fd = s, .events = POLLOUT };
        poll(&p, 1, 5000);
        errno = 0;
        r = connect(s, (struct sockaddr *)&echo, sizeof echo);
        e = errno;
        if (!(r == -1 && e == EALREADY) || ++seen > 100) break;
    }
    trace_result("connect(s, &echo, sizeof echo) once no longer EALREADY", r, e);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(connect(s, (struct sockaddr *)&silent, sizeof silent));
    net_trace_poll(s);
    T(close(s));
    return 0;
}
