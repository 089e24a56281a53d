/* Scatter/gather on UDP: sendmsg with an iovec of three parts (5, 7 and
 * 3 bytes, one of them empty in a second round) sends ONE datagram of
 * their sum; recvmsg into three parts (4, 4, 100) fills them in order and
 * returns the datagram's length; into parts that are too small in total
 * it returns what fits and sets MSG_TRUNC. writev/readv on a connected
 * socket do the same. */
#include "trace.h"
#include "net.h"

#include <sys/uio.h>
#include <unistd.h>

static void show(const char *label, const char *p, size_t n)
{
    printf("  %s \"%.*s\"\n", label, (int)n, p);
    fflush(stdout);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct iovec out[3] = { { "hello", 5 }, { ", world", 7 }, { "!!!", 3 } };
    struct msghdr m = { .msg_name = &echo, .msg_namelen = sizeof echo, .msg_iov = out, .msg_iovlen = 3 };
    T(sendmsg(s, &m, 0));
    out[1].iov_len = 0;
    T(sendmsg(s, &m, 0));

    char p0[4], p1[4], p2[100];
    struct iovec in[3] = { { p0, sizeof p0 }, { p1, sizeof p1 }, { p2, sizeof p2 } };
    struct msghdr r = { .msg_iov = in, .msg_iovlen = 3 };
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recvmsg(s, &r, 0));
    show("part 0", p0, 4);
    show("part 1", p1, 4);
    show("part 2", p2, (size_t)(n - 8));
    TRACE_VALUE("msg_flags", r.msg_flags);
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recvmsg(s, &r, 0));
    show("part 0", p0, 4);
    show("part 1", p1, 4);
    show("part 2", p2, (size_t)(n - 8));

    trace_note("too small in total");
    out[1].iov_len = 7;
    T(sendmsg(s, &m, 0));
    in[2].iov_len = 2;
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recvmsg(s, &r, 0));
    show("part 2", p2, 2);
    TRACE_VALUE("MSG_TRUNC", (r.msg_flags & MSG_TRUNC) != 0);

    trace_note("writev and readv, connected");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(writev(s, out, 3));
    in[2].iov_len = sizeof p2;
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(readv(s, in, 3));
    show("part 0", p0, 4);
    show("part 2", p2, (size_t)(n - 8));
    T(recv(s, p2, sizeof p2, MSG_DONTWAIT));
    T(close(s));
    return 0;
}
