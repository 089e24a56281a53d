/* A socket whose connect was refused can be connected again, as Linux's
 * __inet_stream_connect allows once the socket is back in TCP_CLOSE: the
 * first connect after the failure reports it (ECONNREFUSED if SO_ERROR was
 * not read, ECONNABORTED if it was) and leaves the socket unconnected; the
 * next one starts a new attempt, which may go elsewhere (here: the echo
 * server, with a round trip to prove it). The same after a blocking
 * connect was refused, and after two refusals in a row. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <unistd.h>

static void wait_out(int s)
{
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
}

static void so_error(int s)
{
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR is ECONNREFUSED", err == ECONNREFUSED);
    TRACE_VALUE("SO_ERROR is 0", err == 0);
}

static void round_trip(int s)
{
    const char msg[] = "connected after a refusal";
    T(send(s, msg, sizeof msg - 1, MSG_NOSIGNAL));
    char got[sizeof msg];
    memset(got, 0, sizeof got);
    size_t have = 0;
    while (have < sizeof msg - 1) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        ssize_t n = recv(s, got + have, sizeof msg - 1 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(got, msg, sizeof msg - 1) == 0);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in refused = net_addr(NET_REFUSED);

    trace_note("refused, SO_ERROR not read: the next connect reports the error");
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    so_error(s);
    trace_note("and the one after that starts a new attempt");
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    so_error(s);
    round_trip(s);
    T(close(s));

    trace_note("refused, SO_ERROR read first: the next connect says ECONNABORTED");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    wait_out(s);
    so_error(s);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    round_trip(s);
    T(close(s));

    trace_note("a blocking connect refused, then a blocking connect to the echo server");
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    round_trip(s);
    T(close(s));

    trace_note("refused twice in a row on one socket");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    wait_out(s);
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    wait_out(s);
    so_error(s);
    T(close(s));
    return 0;
}
