/* getsockname always answers for a TCP socket: a struct sockaddr_in of
 * length 16 (sockaddr_in6, 28, for AF_INET6), family set. Unbound it is
 * the wildcard address, port 0. After a connect to a loopback peer it names
 * the local end: 127.0.0.1 and an ephemeral port. Short buffers are filled as far as they go and get the full
 * length back; a NULL length pointer is EFAULT, a negative length EINVAL. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <unistd.h>

static void name_of(int s)
{
    struct sockaddr_storage st;
    memset(&st, 0xee, sizeof st);
    socklen_t len = sizeof st;
    T(getsockname(s, (struct sockaddr *)&st, &len));
    TRACE_VALUE("length", len);
    TRACE_VALUE("family is AF_INET", st.ss_family == AF_INET);
    TRACE_VALUE("family is AF_INET6", st.ss_family == AF_INET6);
    TRACE_TRUE(((unsigned char *)&st)[len] == 0xee);
    if (st.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&st;
        TRACE_VALUE("address is 0.0.0.0", in->sin_addr.s_addr == htonl(INADDR_ANY));
        TRACE_VALUE("port is 0", in->sin_port == 0);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&st;
        TRACE_VALUE("address is ::", memcmp(&in6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0);
        TRACE_VALUE("port is 0", in6->sin6_port == 0);
    }
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);

    trace_note("fresh AF_INET");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    name_of(s);
    trace_note("fresh AF_INET6");
    int s6 = TFD(socket(AF_INET6, SOCK_STREAM, 0));
    name_of(s6);
    T(close(s6));

    trace_note("short buffers, bad lengths");
    unsigned char b[8];
    memset(b, 0xee, sizeof b);
    socklen_t len = 2;
    T(getsockname(s, (struct sockaddr *)b, &len));
    TRACE_VALUE("length", len);
    TRACE_TRUE(b[0] | b[1]);
    TRACE_TRUE(b[2] == 0xee);
    len = 0;
    T(getsockname(s, NULL, &len));
    TRACE_VALUE("length", len);
    T(getsockname(s, (struct sockaddr *)b, NULL));
    len = (socklen_t)-1;
    T(getsockname(s, (struct sockaddr *)b, &len));
    len = 16;
    T(getsockname(s, NULL, &len));

    trace_note("connected");
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in me;
    memset(&me, 0, sizeof me);
    len = sizeof me;
    T(getsockname(s, (struct sockaddr *)&me, &len));
    TRACE_VALUE("length", len);
    TRACE_VALUE("family is AF_INET", me.sin_family == AF_INET);
    TRACE_TRUE(me.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && me.sin_port != 0);
    T(close(s));
    return 0;
}
