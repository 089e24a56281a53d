/* getpeername: ENOTCONN before connect, while in progress (when seen:
 * connect says EALREADY) and after a refused connect; once connected, the
 * address and port connected to (compared, not printed), length 16. The
 * length is in-out: a short buffer gets the first bytes and the full
 * length back, length 0 with a NULL buffer works, a negative length is
 * EINVAL and a NULL length pointer EFAULT (ENOTCONN comes first on an
 * unconnected socket). shutdown(SHUT_RD) keeps the peer, and so does a dup
 * after the original fd is closed. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <unistd.h>

static int same_peer(const struct sockaddr_in *p, const struct sockaddr_in *a)
{
    return p->sin_family == AF_INET && p->sin_port == a->sin_port && p->sin_addr.s_addr == a->sin_addr.s_addr;
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    struct sockaddr_in refused = net_addr(NET_REFUSED);
    struct sockaddr_in peer;
    socklen_t len;

    trace_note("fresh");
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    len = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    TRACE_VALUE("length untouched", len == sizeof peer);
    T(getpeername(s, (struct sockaddr *)&peer, NULL));
    T(getpeername(s, NULL, &len));

    trace_note("connecting");
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    int ok = 1, r = -1;
    for (int i = 0; i < 1000; i++) {
        errno = 0;
        r = connect(s, (struct sockaddr *)&a, sizeof a);
        if (r != -1 || errno != EALREADY) break;
        len = sizeof peer;
        errno = 0;
        if (getpeername(s, (struct sockaddr *)&peer, &len) != -1 || errno != ENOTCONN) ok = 0;
        struct pollfd p = { .fd = s, .events = POLLOUT };
        poll(&p, 1, 5000);
    }
    TRACE_TRUE(r == 0);
    TRACE_TRUE(ok);

    trace_note("connected");
    memset(&peer, 0, sizeof peer);
    len = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    TRACE_VALUE("length", len);
    TRACE_TRUE(same_peer(&peer, &a));
    trace_note("a bigger buffer: the length says what was written");
    struct sockaddr_storage st;
    memset(&st, 0xee, sizeof st);
    len = sizeof st;
    T(getpeername(s, (struct sockaddr *)&st, &len));
    TRACE_VALUE("length", len);
    TRACE_TRUE(same_peer((struct sockaddr_in *)&st, &a));
    TRACE_TRUE(((unsigned char *)&st)[sizeof(struct sockaddr_in)] == 0xee);
    trace_note("short buffers");
    unsigned char four[8];
    memset(four, 0xee, sizeof four);
    len = 4;
    T(getpeername(s, (struct sockaddr *)four, &len));
    TRACE_VALUE("length", len);
    TRACE_TRUE(memcmp(four, &peer, 4) == 0 && four[4] == 0xee);
    len = 0;
    T(getpeername(s, NULL, &len));
    TRACE_VALUE("length", len);
    len = (socklen_t)-1;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    T(getpeername(s, (struct sockaddr *)&peer, NULL));
    len = sizeof peer;
    T(getpeername(s, NULL, &len));

    trace_note("after shutdown(SHUT_RD), and through a dup");
    T(shutdown(s, SHUT_RD));
    memset(&peer, 0, sizeof peer);
    len = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    TRACE_TRUE(same_peer(&peer, &a));
    int d = TFD(dup(s));
    T(close(s));
    memset(&peer, 0, sizeof peer);
    len = sizeof peer;
    T(getpeername(d, (struct sockaddr *)&peer, &len));
    TRACE_TRUE(same_peer(&peer, &a));
    T(close(d));

    trace_note("refused");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    len = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    len = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    T(close(s));
    return 0;
}
