/* MSG_PEEK: with an echoed message waiting, peeks return its first bytes
 * again and again without consuming them (FIONREAD does not move); the
 * recv that follows returns the same bytes, and a peek then sees the rest.
 * A peek with nothing there is EAGAIN on a non-blocking socket. Then
 * MSG_PEEK|MSG_WAITALL on a blocking socket: with 100 bytes waiting and
 * 100 more on their way, it waits until all 200 are there (Linux's
 * tcp_recvmsg keeps waiting while peeking), still consuming nothing. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

static void trace_bytes(const char *label, const char *b, long n)
{
    printf("  %s \"%.*s\"\n", label, n > 0 ? (int)n : 0, b);
    fflush(stdout);
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    char b[256];
    T(recv(s, b, sizeof b, MSG_PEEK));

    T(send(s, "hello, world", 12, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 12));
    long n = T(recv(s, b, 5, MSG_PEEK));
    trace_bytes("peeked", b, n);
    memset(b, 0, sizeof b);
    n = T(recv(s, b, 5, MSG_PEEK));
    trace_bytes("peeked", b, n);
    n = T(recv(s, b, sizeof b, MSG_PEEK));
    trace_bytes("peeked", b, n);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    memset(b, 0, sizeof b);
    n = T(recv(s, b, 5, 0));
    trace_bytes("read", b, n);
    n = T(recv(s, b, sizeof b, MSG_PEEK));
    trace_bytes("peeked", b, n);
    char c[256];
    n = T(recv(s, c, sizeof c, 0));
    trace_bytes("read", c, n);
    TRACE_TRUE(memcmp(b, c, 7) == 0);
    T(recv(s, b, sizeof b, MSG_PEEK));
    T(recv(s, b, sizeof b, MSG_PEEK | MSG_DONTWAIT));

    trace_note("MSG_PEEK|MSG_WAITALL on a blocking socket waits for all");
    T(fcntl(s, F_SETFL, 0));
    char msg[200];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (char)('A' + i % 26);
    T(send(s, msg, 100, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 100));
    T(send(s, msg + 100, 100, MSG_NOSIGNAL));
    static char peeked[200], got[200];
    T(recv(s, peeked, sizeof peeked, MSG_PEEK | MSG_WAITALL));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, got, sizeof got, MSG_WAITALL));
    TRACE_TRUE(memcmp(peeked, msg, sizeof msg) == 0);
    TRACE_TRUE(memcmp(got, msg, sizeof msg) == 0);
    T(recv(s, got, sizeof got, MSG_DONTWAIT));
    T(close(s));
    return 0;
}
