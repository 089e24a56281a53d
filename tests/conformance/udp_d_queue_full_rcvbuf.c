/* SO_RCVBUF bounds a UDP socket's queue: set to 4096 (read back as 8192),
 * a burst of 2000 datagrams of 1000 bytes leaves fewer than 2000 queued,
 * starting with number 0, strictly increasing, each whole -- the same
 * facts as with the default buffer (udp_d_queue_full). A second burst,
 * 200 datagrams of 3000 bytes, after the queue was drained: the same
 * facts again, numbered from 0 again. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

int main(void)
{
    net_setup();
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    int v = 4096;
    T(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    socklen_t len = sizeof v;
    T(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
    TRACE_VALUE("SO_RCVBUF", v);
    net_udp_burst_facts(s, 2000, 1000);

    trace_note("again, with larger datagrams");
    net_udp_burst_facts(s, 200, 3000);
    T(close(s));
    return 0;
}
