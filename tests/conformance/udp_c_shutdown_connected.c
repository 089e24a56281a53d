/* shutdown() on a connected UDP socket. SHUT_RD: poll reports
 * POLLIN|POLLRDHUP; with nothing queued a non-blocking recv is EAGAIN
 * and a blocking recv or read returns 0 at once (end of file); sending
 * still works, and the echo that comes back is still queued and returned
 * before the 0s resume. SHUT_WR: send, write and sendto are EPIPE (no
 * SIGPIPE here: it is ignored), POLLOUT stays; with both directions shut
 * poll adds POLLHUP. SHUT_WR alone leaves receiving as it was. Each
 * shutdown returns 0, also when repeated. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    char b[16];

    trace_note("SHUT_RD");
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    net_trace_poll(s);
    T(shutdown(s, SHUT_RD));
    net_trace_poll(s);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(recv(s, b, sizeof b, 0));
    T(read(s, b, sizeof b));
    T(send(s, "still", 5, 0));
    TRACE_VALUE("FIONREAD", net_wait_avail(s, 5));
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(recv(s, b, sizeof b, 0));
    T(shutdown(s, SHUT_RD));

    trace_note("then SHUT_WR");
    T(shutdown(s, SHUT_WR));
    net_trace_poll(s);
    T(send(s, "x", 1, 0));
    T(write(s, "x", 1));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(shutdown(s, SHUT_RDWR));
    T(close(s));

    trace_note("SHUT_WR alone");
    s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    T(shutdown(s, SHUT_WR));
    net_trace_poll(s);
    T(send(s, "x", 1, 0));
    T(recv(s, b, sizeof b, 0));
    T(close(s));
    return 0;
}
