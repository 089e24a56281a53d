/* read()/write() on a TCP socket instead of recv()/send(), and calls of
 * length 0. write sends, read returns what arrived (EAGAIN when nothing
 * has, non-blocking). A length of 0: send and write return 0; read returns
 * 0 (the socket layer answers a zero-length read before TCP sees it);
 * recv goes to tcp_recvmsg, which answers EAGAIN when there is nothing to
 * read and 0 when there is -- and, on a blocking socket, waits for data
 * before returning 0. None of them consumes anything. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    char msg[500], got[500];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (char)(i * 31 + 7);

    trace_note("length 0, nothing to read");
    T(recv(s, got, 0, 0));
    T(read(s, got, 0));
    T(send(s, msg, 0, MSG_NOSIGNAL));
    T(send(s, NULL, 0, MSG_NOSIGNAL));
    T(write(s, msg, 0));
    T(read(s, got, sizeof got));

    trace_note("write, read");
    T(write(s, msg, sizeof msg));
    size_t have = 0;
    int reads = 0;
    while (have < sizeof got) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        long r = read(s, got + have, sizeof got - have);
        if (r <= 0) break;
        have += (size_t)r;
        reads++;
    }
    TRACE_VALUE("read back", have);
    TRACE_TRUE(reads >= 1);
    TRACE_TRUE(memcmp(got, msg, sizeof msg) == 0);
    T(read(s, got, sizeof got));

    trace_note("length 0 with data waiting");
    T(write(s, msg, 10));
    TRACE_VALUE("waiting", net_wait_avail(s, 10));
    T(recv(s, got, 0, 0));
    T(read(s, got, 0));
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(read(s, got, sizeof got));

    trace_note("a blocking recv of length 0 waits for data");
    T(fcntl(s, F_SETFL, 0));
    T(recv(s, got, 0, MSG_DONTWAIT));
    T(write(s, "abc", 3));
    T(recv(s, got, 0, 0));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_TRUE(avail > 0);
    TRACE_VALUE("waiting", net_wait_avail(s, 3));
    T(read(s, got, 0));
    T(read(s, got, sizeof got));
    T(close(s));
    return 0;
}
