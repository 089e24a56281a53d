/* A connected UDP socket receives only from its peer. The dual server
 * answers each datagram twice: first a copy prefixed "other:" from a
 * second port, then the echo from the port the socket is connected to.
 * The socket sees only the echoes; the copies are dropped before they
 * reach its queue (nothing else is there after each echo). */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in dual = net_addr(NET_UDP_DUAL);
    uint16_t port = net_port(NET_UDP_DUAL);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    T(connect(s, (struct sockaddr *)&dual, sizeof dual));
    char b[64];
    for (int i = 0; i < 3; i++) {
        char msg[16];
        int len = snprintf(msg, sizeof msg, "round %d", i);
        T(send(s, msg, (size_t)len, 0));
        TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        long n = T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
        net_trace_data("got", b, n);
        net_trace_addr("from", &from, flen, port);
        T(recv(s, b, sizeof b, MSG_DONTWAIT));
    }
    T(close(s));
    return 0;
}
