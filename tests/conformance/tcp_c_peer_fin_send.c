/* The server's FIN first: we read EOF and may go on sending (CLOSE_WAIT),
 * and the server receives all of it before our own FIN. tcp_end 'H' sends
 * its FIN at once, reads until our end and records what it got, which a
 * second connection asks for. Then the other way round, our FIN first
 * (shutdown(SHUT_WR)) with the reading side still open: the server's
 * record arrives only after our FIN, so it is read on the same socket as
 * tcp_c_sink_eof does. In wasm this runs only over a transport that
 * carries both FINs (emnet-proxy's Wisp with emnet's half-close
 * extension; DEVIATIONS.md W1, W3). */
#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#include <sys/epoll.h>
#include <unistd.h>

#define N 5000

int main(void)
{
    net_setup();
    uint8_t token[8];
    static uint8_t data[N];
    emnet_test_pattern_fill(data, N, 0);

    trace_note("the server's FIN: EOF, and we can still send");
    net_end_token(token);
    int s = TFD(net_end_open('H', token));
    TRACE_TRUE(net_wait_in(s, 10000) & POLLIN);
    char c;
    T(recv(s, &c, 1, 0));
    T(recv(s, &c, 1, MSG_DONTWAIT));
    net_trace_poll(s);
    size_t sent = 0;
    while (sent < N) {
        ssize_t n = send(s, data + sent, N - sent < 1000 ? N - sent : 1000, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += (size_t)n;
    }
    TRACE_VALUE("sent after the server's FIN", sent);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    T(getpeername(s, (struct sockaddr *)&peer, &len));
    T(shutdown(s, SHUT_WR));
    T(send(s, "x", 1, MSG_NOSIGNAL));
    net_trace_end_record(token);
    T(close(s));

    trace_note("a zero-length send and SHUT_RD after the server's FIN change nothing");
    net_end_token(token);
    s = TFD(net_end_open('H', token));
    TRACE_TRUE(net_wait_in(s, 10000) & POLLIN);
    T(send(s, "", 0, MSG_NOSIGNAL));
    T(shutdown(s, SHUT_RD));
    T(send(s, data, 100, MSG_NOSIGNAL));
    net_trace_poll(s);
    T(close(s));   /* an orderly close: no unread data */
    net_trace_end_record(token);

    trace_note("the server's FIN seen by epoll: IN and RDHUP, OUT stays");
    net_end_token(token);
    s = TFD(net_end_open('H', token));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u64 = 7 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    TRACE_TRUE(net_wait_in(s, 10000) & POLLIN);
    TRACE_WAIT(ep, 4, 1000);
    T(send(s, data, 10, MSG_NOSIGNAL));
    T(close(s));
    T(close(ep));
    net_trace_end_record(token);
    return 0;
}
