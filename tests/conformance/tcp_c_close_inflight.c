/* close() with data in flight returns 0 at once, never waiting for it:
 * with 256 KiB sent to the echo server and its echo unread; with the
 * source server's stream arriving unread; with a connect still in
 * progress. The fd is then gone (EBADF, POLLNVAL), its number is the next
 * socket's, and the servers carry on serving new connections (the
 * source's stream starts over from its first byte). */
#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#include <poll.h>
#include <time.h>
#include <unistd.h>

#define BIG (256 * 1024)

static void wait_out(int s)
{
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in source = net_addr(NET_SOURCE);
    static char data[BIG];
    memset(data, 'z', sizeof data);
    struct timespec t0;

    trace_note("echo: send 256 KiB, read none of it, close");
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    wait_out(s);
    size_t sent = 0;
    for (int i = 0; i < 1000 && sent < BIG; i++) {
        ssize_t n = send(s, data + sent, BIG - sent, MSG_NOSIGNAL);
        if (n > 0) sent += (size_t)n;
        else if (n < 0 && errno != EAGAIN) break;
        else {
            struct pollfd p = { .fd = s, .events = POLLOUT };
            if (poll(&p, 1, 100) < 0) break;
        }
    }
    TRACE_TRUE(sent > 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(close(s));
    TRACE_TRUE(trace_ms_since(&t0) < 1000);
    char b[16];
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    T(close(s));
    int old = s;

    trace_note("source: the stream arriving unread, close");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    TRACE_TRUE(s == old);
    T(connect(s, (struct sockaddr *)&source, sizeof source));
    p.fd = s;
    p.events = POLLIN;
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(close(s));
    TRACE_TRUE(trace_ms_since(&t0) < 1000);

    trace_note("a connect in progress, close");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    TRACE_TRUE(s == old);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(close(s));

    trace_note("the echo server still answers");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    TRACE_TRUE(s == old);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(send(s, "still here", 10, MSG_NOSIGNAL));
    size_t have = 0;
    while (have < 10) {
        p.fd = s;
        p.events = POLLIN;
        if (poll(&p, 1, 5000) != 1) break;
        ssize_t n = recv(s, b + have, 10 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(b, "still here", 10) == 0);
    T(close(s));
    trace_note("the source server too");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&source, sizeof source));
    p.fd = s;
    p.events = POLLIN;
    T(poll(&p, 1, 5000));
    ssize_t n = recv(s, b, sizeof b, MSG_WAITALL);
    TRACE_VALUE("read", n);
    uint8_t want[sizeof b];
    emnet_test_pattern_fill(want, sizeof want, 0);
    TRACE_TRUE(memcmp(b, want, sizeof want) == 0);
    T(close(s));
    return 0;
}
