/* Partial reads: 1000 bytes echoed back and all arrived (FIONREAD says
 * so) are read 7 bytes at a time -- every recv returns exactly 7 until the
 * last 6, then EAGAIN, and the pieces put together are what was sent. Then
 * the same from the source server: once at least 50,000 bytes of its
 * stream are waiting, 500 recvs of 100 bytes each return 100, and the
 * bytes are the pattern from offset 0. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

/* Naps of 5 ms (up to 10 s) until at least n bytes wait to be read. */
int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);

    static char msg[1000], got[1000];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (char)(' ' + (i * 7) % 95);
    T(send(s, msg, sizeof msg, MSG_NOSIGNAL));
    TRACE_TRUE(net_wait_avail(s, 1000) == 1000);

    trace_note("7 bytes at a time");
    size_t have = 0;
    int sevens = 0, others = 0;
    long last = 0;
    while (have < sizeof got) {
        size_t want = sizeof got - have < 7 ? sizeof got - have : 7;
        long r = recv(s, got + have, 7, 0);
        if (r <= 0) break;
        if (r == 7) sevens++; else others++;
        if ((size_t)r != want) others += 1000;
        last = r;
        have += (size_t)r;
    }
    TRACE_VALUE("recvs of 7", sevens);
    TRACE_VALUE("other recvs", others);
    TRACE_VALUE("last recv", last);
    TRACE_VALUE("total", have);
    TRACE_TRUE(memcmp(got, msg, sizeof msg) == 0);
    T(recv(s, got, 7, 0));
    T(close(s));

    trace_note("the source server's stream, 100 bytes at a time");
    a = net_addr(NET_SOURCE);
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    TRACE_TRUE(net_wait_avail(s, 50000) >= 50000);
    static uint8_t buf[50000], want[50000];
    int hundreds = 0;
    for (int i = 0; i < 500; i++)
        if (recv(s, buf + i * 100, 100, 0) == 100) hundreds++;
    TRACE_VALUE("recvs of 100", hundreds);
    emnet_test_pattern_fill(want, sizeof want, 0);
    TRACE_TRUE(memcmp(buf, want, sizeof want) == 0);
    T(close(s));
    return 0;
}
