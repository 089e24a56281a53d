/* MSG_TRUNC on TCP: Linux's tcp_recvmsg then skips the copy, so the bytes
 * are discarded (the buffer may be NULL) and the call returns how many it
 * dropped -- as many as asked, up to what is there. With 10,000 echoed
 * bytes waiting: MSG_TRUNC|MSG_PEEK counts without consuming, MSG_TRUNC
 * drops 3000, a plain recv gets bytes 3000..3009, MSG_TRUNC drops the
 * remaining 6990 in one call; then EAGAIN, FIONREAD 0. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
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
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    static uint8_t msg[10000], b[10000];
    emnet_test_pattern_fill(msg, sizeof msg, 0);
    T(recv(s, NULL, 100, MSG_TRUNC));

    T(send(s, msg, sizeof msg, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, (int)sizeof msg));
    T(recv(s, NULL, sizeof b, MSG_TRUNC | MSG_PEEK));
    T(recv(s, b, 20, MSG_TRUNC | MSG_PEEK));
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, NULL, 3000, MSG_TRUNC));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, b, 10, 0));
    TRACE_TRUE(memcmp(b, msg + 3000, 10) == 0);
    T(recv(s, NULL, sizeof b, MSG_TRUNC));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, b, sizeof b, 0));

    trace_note("MSG_TRUNC with a buffer leaves it untouched");
    T(send(s, msg, 100, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 100));
    memset(b, 0x5a, 100);
    T(recv(s, b, 50, MSG_TRUNC));
    int untouched = 1;
    for (int i = 0; i < 100; i++) untouched &= b[i] == 0x5a;
    TRACE_TRUE(untouched);
    T(recv(s, b, 100, 0));
    TRACE_TRUE(memcmp(b, msg + 50, 50) == 0);
    T(close(s));
    return 0;
}
