/* recvmsg on a datagram socket reports truncation in msg_flags: MSG_TRUNC
 * when the datagram did not fit in the iovec (the return value is what was
 * copied), 0 when it did. With MSG_TRUNC also in the flags argument, the
 * return value is the real length and msg_flags still says MSG_TRUNC.
 * msg_flags is written by the call, whatever the caller left there. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

static long rmsg(int s, char *b, size_t len, int flags)
{
    struct sockaddr_storage from;
    struct iovec iov = { .iov_base = b, .iov_len = len };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_flags = 0x7fff0000 };
    long n = T(recvmsg(s, &m, flags));
    printf("  msg_flags=%s msg_namelen=%d\n",
           m.msg_flags == MSG_TRUNC ? "MSG_TRUNC" : m.msg_flags == 0 ? "0" : "other", (int)m.msg_namelen);
    return n;
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    char big[300], b[300];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + i % 26);

    trace_note("fits");
    T(sendto(s, big, 40, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    rmsg(s, b, sizeof b, 0);

    trace_note("exactly the buffer's size");
    T(sendto(s, big, 64, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    rmsg(s, b, 64, 0);

    trace_note("too big");
    T(sendto(s, big, 300, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = rmsg(s, b, 100, 0);
    TRACE_TRUE(memcmp(b, big, (size_t)n) == 0);

    trace_note("too big, with MSG_TRUNC in flags");
    T(sendto(s, big, 300, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    rmsg(s, b, 100, MSG_TRUNC);
    T(close(s));
    return 0;
}
