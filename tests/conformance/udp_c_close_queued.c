/* close() on a UDP socket with datagrams still queued returns 0 and
 * throws them away: nothing is sent to anyone (unlike TCP's reset). A new
 * socket -- very likely given the same fd number -- starts empty: it sees
 * only the echo of its own datagram, none of the old socket's. Closing
 * a socket that is in an epoll set removes it from the set. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    for (int i = 0; i < 3; i++) T(sendto(s, "old", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_WAIT(ep, 8, 5000);
    poll(NULL, 0, 100);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(close(s));
    TRACE_WAIT(ep, 8, 0);

    trace_note("a new socket");
    int t = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    char b[16];
    T(recv(t, b, sizeof b, 0));
    T(sendto(t, "new", 3, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(t, 5000) == POLLIN);
    long n = T(recv(t, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(recv(t, b, sizeof b, 0));
    TRACE_WAIT(ep, 8, 0);
    T(close(t));
    T(close(ep));
    return 0;
}
