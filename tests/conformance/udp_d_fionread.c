/* FIONREAD (SIOCINQ) on a UDP socket is the size of the NEXT datagram
 * only, not the sum of what is queued: 0 on a fresh socket, 30 with a
 * 30-byte and a 70-byte datagram waiting, 70 once the first is read, 0
 * when the queue is empty. A peek does not change it. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

/* Linux's other name for FIONREAD on sockets (linux/sockios.h, which
 * Emscripten's headers do not have). */
#ifndef SIOCINQ
#define SIOCINQ FIONREAD
#endif

static void inq(int s)
{
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    inq(s);
    char msg[70], b[100];
    memset(msg, 'x', sizeof msg);
    T(sendto(s, msg, 30, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(s, msg, 70, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    inq(s);
    int avail = -1;
    T(ioctl(s, SIOCINQ, &avail));
    TRACE_VALUE("SIOCINQ", avail);
    T(recv(s, b, 10, MSG_PEEK));
    inq(s);
    T(recv(s, b, sizeof b, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    inq(s);
    T(recv(s, b, sizeof b, 0));
    inq(s);
    T(close(s));
    return 0;
}
