/* SO_LINGER as Linux keeps it (sk_setsockopt/sk_getsockopt: the flag, and
 * the time in seconds, kept even when the flag goes off), and how a close
 * ends the connection, as tcp_end saw it (a second connection asks):
 * an orderly close is a FIN; SO_LINGER {1, 0} makes it an RST; so does
 * closing with received data left unread (tcp_close), while a nonzero
 * linger time is still a FIN. In wasm this runs only over a transport that
 * can reset a connection (emnet-proxy's Wisp with emnet's reset
 * extension). */
#include "trace.h"
#include "net.h"

#include <unistd.h>

static void trace_linger(int s)
{
    struct linger lg = { -1, -1 };
    socklen_t len = sizeof lg;
    T(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
    printf("  linger: len=%d onoff=%d linger=%d\n", (int)len, lg.l_onoff, lg.l_linger);
    fflush(stdout);
}

static void set_linger(int s, int on, int secs)
{
    struct linger lg = { on, secs };
    T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
}

int main(void)
{
    net_setup();
    uint8_t token[8];

    trace_note("the option");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    trace_linger(s);
    struct linger lg = { 1, 0 };
    T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg - 1));
    T(setsockopt(s, SOL_SOCKET, SO_LINGER, NULL, sizeof lg));
    set_linger(s, 1, 5);
    trace_linger(s);
    set_linger(s, 0, 7);
    trace_linger(s);
    set_linger(s, 1, 0);
    trace_linger(s);
    int half = -1;
    socklen_t hlen = sizeof half;
    T(getsockopt(s, SOL_SOCKET, SO_LINGER, &half, &hlen));
    TRACE_VALUE("first half", half);
    TRACE_VALUE("its length", hlen);
    T(close(s));
    s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    set_linger(s, 1, 0);
    trace_linger(s);
    T(close(s));

    trace_note("an orderly close: FIN");
    net_end_token(token);
    s = TFD(net_end_open('O', token));
    T(send(s, "0123456789", 10, MSG_NOSIGNAL));
    T(close(s));
    net_trace_end_record(token);

    trace_note("SO_LINGER {1, 0}, then close: RST");
    net_end_token(token);
    s = TFD(net_end_open('O', token));
    set_linger(s, 1, 0);
    T(close(s));
    net_trace_end_record(token);

    trace_note("a linger time: still FIN");
    net_end_token(token);
    s = TFD(net_end_open('O', token));
    T(send(s, "abc", 3, MSG_NOSIGNAL));
    set_linger(s, 1, 2);
    T(close(s));
    net_trace_end_record(token);

    trace_note("closed with data unread: RST");
    net_end_token(token);
    s = TFD(net_end_open('P', token));
    TRACE_TRUE(net_wait_in(s, 10000) & POLLIN);
    T(close(s));
    net_trace_end_record(token);

    trace_note("the data read first: FIN");
    net_end_token(token);
    s = TFD(net_end_open('P', token));
    TRACE_TRUE(net_wait_avail(s, 7) == 7);
    char buf[16];
    T(recv(s, buf, sizeof buf, 0));
    T(close(s));
    net_trace_end_record(token);
    return 0;
}
