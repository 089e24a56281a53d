/* connect() on a UDP socket sets a default peer: send, write, recv and
 * read then work without addresses; getpeername gives the peer (AF_INET,
 * 127.0.0.1, its port); recvfrom still reports the source; sendto with
 * the peer's own address, or with none, goes to the peer. sendto another
 * address is allowed too (the datagram goes there), but that address's
 * answers are dropped: only the peer's reach the socket. connect returns
 * at once: nothing is sent. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    net_trace_addr("peer", &a, alen, port);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);

    char b[64];
    T(send(s, "by send", 7, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("recv", b, n);

    T(write(s, "by write", 8));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(read(s, b, sizeof b));
    net_trace_data("read", b, n);

    T(sendto(s, "sendto NULL", 11, 0, NULL, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    alen = sizeof a;
    n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&a, &alen));
    net_trace_data("recvfrom", b, n);
    net_trace_addr("from", &a, alen, port);

    T(sendto(s, "sendto peer", 11, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recv(s, b, sizeof b, 0));
    net_trace_data("recv", b, n);

    trace_note("sendto another address");
    struct sockaddr_in dual = net_addr(NET_UDP_DUAL);
    T(sendto(s, "elsewhere", 9, 0, (struct sockaddr *)&dual, sizeof dual));
    T(send(s, "peer", 4, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    alen = sizeof a;
    n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&a, &alen));
    net_trace_data("recvfrom", b, n);
    net_trace_addr("from", &a, alen, port);
    /* The dual server's answers may come after the peer's: give them time. */
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 300));
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    alen = sizeof a;
    T(getpeername(s, (struct sockaddr *)&a, &alen));
    net_trace_addr("peer", &a, alen, port);
    T(close(s));
    return 0;
}
