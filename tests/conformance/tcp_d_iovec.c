/* Scatter/gather on a TCP socket to the echo server: writev and sendmsg
 * with several iovecs (one of them empty) send their concatenation; readv
 * and recvmsg, once the echo has all arrived, fill the iovecs in order,
 * returning what fits (recvmsg with msg_flags 0 and no name); a readv whose
 * iovecs add up to more than what is there returns all that is there, even
 * 80 KiB in one call. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    static uint8_t msg[81920];
    emnet_test_pattern_fill(msg, sizeof msg, 0);

    trace_note("writev, readv");
    struct iovec w[4] = { { msg, 3 }, { msg + 3, 0 }, { msg + 3, 500 }, { msg + 503, 1 } };
    T(writev(s, w, 4));
    TRACE_VALUE("waiting", net_wait_avail(s, 504));
    static uint8_t r1[10], r2[100], r3[1000];
    struct iovec r[3] = { { r1, sizeof r1 }, { r2, sizeof r2 }, { r3, sizeof r3 } };
    T(readv(s, r, 3));
    TRACE_TRUE(memcmp(r1, msg, 10) == 0);
    TRACE_TRUE(memcmp(r2, msg + 10, 100) == 0);
    TRACE_TRUE(memcmp(r3, msg + 110, 394) == 0);

    trace_note("sendmsg, recvmsg");
    struct iovec sv[4] = { { msg, 700 }, { msg + 700, 0 }, { msg + 700, 300 }, { msg + 1000, 1000 } };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = sv;
    m.msg_iovlen = 4;
    T(sendmsg(s, &m, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 2000));
    static uint8_t q1[500], q2[500], q3[700];
    struct iovec rv[3] = { { q1, sizeof q1 }, { q2, sizeof q2 }, { q3, sizeof q3 } };
    struct sockaddr_in from;
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = rv;
    m.msg_iovlen = 3;
    m.msg_flags = -1;
    T(recvmsg(s, &m, 0));
    TRACE_VALUE("msg_namelen", m.msg_namelen);
    TRACE_VALUE("msg_flags", m.msg_flags);
    TRACE_TRUE(memcmp(q1, msg, 500) == 0);
    TRACE_TRUE(memcmp(q2, msg + 500, 500) == 0);
    TRACE_TRUE(memcmp(q3, msg + 1000, 700) == 0);
    memset(&m, 0, sizeof m);
    m.msg_iov = rv;
    m.msg_iovlen = 3;
    T(recvmsg(s, &m, 0));
    TRACE_TRUE(memcmp(q1, msg + 1700, 300) == 0);

    trace_note("80 KiB in one readv");
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    size_t sent = 0;
    while (sent < sizeof msg) {
        struct pollfd p = { .fd = s, .events = POLLOUT };
        if (poll(&p, 1, 5000) != 1) break;
        long n = send(s, msg + sent, sizeof msg - sent, MSG_NOSIGNAL);
        if (n > 0) sent += (size_t)n;
    }
    TRACE_VALUE("sent", sent);
    TRACE_VALUE("waiting", net_wait_avail(s, (int)sizeof msg));
    static uint8_t big1[40000], big2[60000];
    struct iovec bv[2] = { { big1, sizeof big1 }, { big2, sizeof big2 } };
    T(readv(s, bv, 2));
    TRACE_TRUE(memcmp(big1, msg, sizeof big1) == 0);
    TRACE_TRUE(memcmp(big2, msg + sizeof big1, sizeof msg - sizeof big1) == 0);
    T(readv(s, bv, 2));
    T(close(s));
    return 0;
}
