/* FIONREAD on a TCP socket: 0 before connecting and right after; once
 * poll says POLLIN after a 100-byte echo, between 1 and 100; once all has
 * arrived, exactly 100; a recv of 30 leaves 70, a peek leaves it at 70; 50
 * more make 120; reading everything brings it back to 0. Also through
 * ioctl(FIONREAD) on the source server: at least what was seen waiting. */
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
    int avail = -1;
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);

    char msg[150], b[150];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (char)('0' + i % 10);
    T(send(s, msg, 100, MSG_NOSIGNAL));
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
    T(ioctl(s, FIONREAD, &avail));
    TRACE_TRUE(avail >= 1 && avail <= 100);
    TRACE_VALUE("all there", net_wait_avail(s, 100));
    T(recv(s, b, 30, 0));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, b, 10, MSG_PEEK));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(send(s, msg + 100, 50, MSG_NOSIGNAL));
    TRACE_VALUE("all there", net_wait_avail(s, 120));
    T(recv(s, b, sizeof b, 0));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(close(s));

    trace_note("the source server: FIONREAD grows, never below what was seen");
    a = net_addr(NET_SOURCE);
    s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    int seen = net_wait_avail(s, 10000);
    TRACE_TRUE(seen >= 10000);
    T(ioctl(s, FIONREAD, &avail));
    TRACE_TRUE(avail >= seen);
    static char big[4096];
    T(recv(s, big, sizeof big, 0));
    int after = -1;
    T(ioctl(s, FIONREAD, &after));
    TRACE_TRUE(after >= avail - (int)sizeof big);
    T(close(s));
    return 0;
}
