/* A UDP receive queue that is full drops datagrams; it does not block the
 * sender or fail anything. The burst server sends 2000 datagrams of 1000
 * bytes (2 MB, far more than the default receive buffer) to a socket
 * that does not read; read afterwards: some arrived, fewer than 2000, the
 * first is number 0, numbers strictly increasing, each whole. Then the
 * socket works as before: an echo round trip. Exact counts depend on the
 * buffer's accounting and are not compared. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    net_udp_burst_facts(s, 2000, 1000);
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);

    trace_note("still works");
    char b[16];
    T(sendto(s, "after", 5, 0, (struct sockaddr *)&echo, sizeof echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(close(s));
    return 0;
}
