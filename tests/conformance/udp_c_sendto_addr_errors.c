/* sendto's destination checks on an AF_INET UDP socket, in Linux's order:
 * a length below sizeof(struct sockaddr_in) is EINVAL whatever the family
 * (checked first), above sizeof(struct sockaddr_storage) EINVAL too; a
 * whole-length address of another family (AF_INET6) is EAFNOSUPPORT;
 * AF_UNSPEC is taken as AF_INET (the datagram goes out and is echoed);
 * port 0 is EINVAL; the broadcast address without SO_BROADCAST is EACCES.
 * None of the failures sends anything: only the good datagrams' echoes
 * come back. On an AF_INET6 socket an unknown family is EINVAL (not
 * EAFNOSUPPORT), and so are a short sockaddr_in6 and port 0. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    static struct sockaddr_storage big;
    memcpy(&big, &echo, sizeof echo);

    trace_note("lengths");
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, 0));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, 2));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&echo, 15));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&big, sizeof big + 1));
    T(sendto(s, "long", 4, 0, (struct sockaddr *)&big, sizeof big));

    trace_note("families");
    struct sockaddr_in other = echo;
    other.sin_family = AF_INET6;
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&other, sizeof other));
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&other, 8));
    other.sin_family = 12345;
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&other, sizeof other));
    other.sin_family = AF_UNSPEC;
    T(sendto(s, "unspec", 6, 0, (struct sockaddr *)&other, sizeof other));

    trace_note("ports and addresses");
    other = echo;
    other.sin_port = 0;
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&other, sizeof other));
    other = echo;
    other.sin_addr.s_addr = htonl(INADDR_BROADCAST);
    T(sendto(s, "x", 1, 0, (struct sockaddr *)&other, sizeof other));

    trace_note("only the good ones were sent");
    char b[16];
    for (int i = 0; i < 2; i++) {
        TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
        long n = T(recv(s, b, sizeof b, 0));
        net_trace_data("got", b, n);
    }
    T(recv(s, b, sizeof b, 0));
    T(close(s));

    trace_note("an AF_INET6 socket");
    int s6 = TFD(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    struct sockaddr_in6 m = net_addr6_mapped(NET_UDP_ECHO);
    T(sendto(s6, "x", 1, 0, (struct sockaddr *)&m, 23));
    T(sendto(s6, "x", 1, 0, (struct sockaddr *)&m, 1));
    m.sin6_family = 12345;
    T(sendto(s6, "x", 1, 0, (struct sockaddr *)&m, sizeof m));
    m = net_addr6_mapped(NET_UDP_ECHO);
    m.sin6_port = 0;
    T(sendto(s6, "x", 1, 0, (struct sockaddr *)&m, sizeof m));
    T(recv(s6, b, sizeof b, 0));
    T(close(s6));
    return 0;
}
