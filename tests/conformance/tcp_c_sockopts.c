/* getsockopt/setsockopt on a TCP socket: SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
 * SO_ACCEPTCONN read back what the socket is; SO_ERROR is 0; SO_KEEPALIVE,
 * SO_REUSEADDR and TCP_NODELAY start at 0 and round-trip (any non-zero
 * value reads back as 1); SO_RCVBUF/SO_SNDBUF set to 65536 read back
 * doubled (Linux keeps half for bookkeeping), tiny values are raised to
 * the minimum (2304 and 4608). Unknown options (either level) are
 * ENOPROTOOPT, and so is an unknown level -- except for getsockopt on an
 * AF_INET socket, which ip_getsockopt answers EOPNOTSUPP. Setting with an
 * optlen below sizeof(int) is EINVAL, NULL values EFAULT; getsockopt with
 * a short optlen returns that many bytes, with a negative one EINVAL. The
 * same on a connected socket and on an AF_INET6 one. */
#include "trace.h"
#include "net.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

static void options(int s)
{
    net_get_int_opt(s, SOL_SOCKET, SO_TYPE, "SO_TYPE");
    net_get_int_opt(s, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL");
    net_get_int_opt(s, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN");
    net_get_int_opt(s, SOL_SOCKET, SO_ERROR, "SO_ERROR");

    trace_note("flags round trip");
    net_get_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    net_set_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
    net_get_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    net_set_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, 0, "SO_KEEPALIVE");
    net_get_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    net_set_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, 7, "SO_KEEPALIVE");
    net_get_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    net_get_int_opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    net_set_int_opt(s, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    net_get_int_opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    net_set_int_opt(s, SOL_SOCKET, SO_REUSEADDR, 0, "SO_REUSEADDR");
    net_get_int_opt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
    net_get_int_opt(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
    net_set_int_opt(s, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
    net_get_int_opt(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
    net_set_int_opt(s, IPPROTO_TCP, TCP_NODELAY, -5, "TCP_NODELAY");
    net_get_int_opt(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
    net_set_int_opt(s, IPPROTO_TCP, TCP_NODELAY, 0, "TCP_NODELAY");
    net_get_int_opt(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");

    trace_note("buffer sizes: doubled; the minimum");
    int v = -1;
    socklen_t len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
    TRACE_TRUE(v > 0);
    len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len));
    TRACE_TRUE(v > 0);
    net_set_int_opt(s, SOL_SOCKET, SO_RCVBUF, 65536, "SO_RCVBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_SNDBUF, 65536, "SO_SNDBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_RCVBUF, 1, "SO_RCVBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF");
    net_set_int_opt(s, SOL_SOCKET, SO_SNDBUF, 0, "SO_SNDBUF");
    net_get_int_opt(s, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");

    trace_note("unknown options");
    v = 1;
    len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, 12345, &v, &len));
    T(setsockopt(s, SOL_SOCKET, 12345, &v, sizeof v));
    T(getsockopt(s, IPPROTO_TCP, 12345, &v, &len));
    T(setsockopt(s, IPPROTO_TCP, 12345, &v, sizeof v));
    T(getsockopt(s, 12345, 1, &v, &len));
    T(setsockopt(s, 12345, 1, &v, sizeof v));

    trace_note("lengths and pointers");
    short sv = 1;
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &sv, sizeof sv));
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 0));
    T(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &sv, sizeof sv));
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, NULL, sizeof v));
    T(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, NULL, sizeof v));
    long long big = 1;
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &big, sizeof big));
    net_get_int_opt(s, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE");
    unsigned char two[4] = { 0xee, 0xee, 0xee, 0xee };
    len = 2;
    T(getsockopt(s, SOL_SOCKET, SO_TYPE, two, &len));
    TRACE_VALUE("optlen", len);
    TRACE_VALUE("bytes", two[0] | two[1] << 8 | two[2] << 16);
    long long wide = -1;
    len = sizeof wide;
    T(getsockopt(s, SOL_SOCKET, SO_TYPE, &wide, &len));
    TRACE_VALUE("optlen", len);
    len = (socklen_t)-1;
    T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_TYPE, NULL, &len));
    T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, NULL));
    len = 0;
    T(getsockopt(s, SOL_SOCKET, SO_TYPE, NULL, &len));
    TRACE_VALUE("optlen", len);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);

    trace_note("a fresh AF_INET socket");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    net_get_int_opt(s, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN");
    options(s);

    trace_note("connected");
    int c = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(c, (struct sockaddr *)&echo, sizeof echo));
    struct pollfd p = { .fd = c, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    options(c);
    T(close(c));

    trace_note("a fresh AF_INET6 socket");
    int s6 = TFD(socket(AF_INET6, SOCK_STREAM, 0));
    int dom = -1;
    socklen_t len = sizeof dom;
    T(getsockopt(s6, SOL_SOCKET, SO_DOMAIN, &dom, &len));
    TRACE_VALUE("SO_DOMAIN is AF_INET6", dom == AF_INET6);
    options(s6);
    T(close(s6));
    T(close(s));
    return 0;
}
