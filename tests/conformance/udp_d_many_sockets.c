/* Many UDP sockets at once, as a program probing many peers does: 64
 * sockets each send one datagram naming itself to the echo server, then
 * polls over all of them wait until every one is readable, and
 * each reads exactly its own datagram back. Half of them are connected,
 * half not. All close cleanly. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

#define COUNT 64

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int fds[COUNT];
    int made = 0, sent = 0;
    for (int i = 0; i < COUNT; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (fds[i] < 0) break;
        made++;
        char m[16];
        int len = snprintf(m, sizeof m, "socket %d", i);
        if (i % 2) {
            if (connect(fds[i], (struct sockaddr *)&echo, sizeof echo) == 0 && send(fds[i], m, (size_t)len, 0) == len)
                sent++;
        } else if (sendto(fds[i], m, (size_t)len, 0, (struct sockaddr *)&echo, sizeof echo) == len) {
            sent++;
        }
    }
    TRACE_VALUE("sockets", made);
    TRACE_VALUE("sent", sent);

    /* Until every socket has its echo, or 5 s have passed: a socket
     * already readable leaves the set (a negative fd is skipped), so that
     * each poll waits for one that is not. */
    struct pollfd p[COUNT];
    for (int i = 0; i < made; i++) p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
    int readable = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (readable < made && trace_ms_since(&t0) < 5000) {
        if (poll(p, (nfds_t)made, 100) <= 0) continue;
        for (int i = 0; i < made; i++) {
            if (p[i].fd >= 0 && (p[i].revents & POLLIN)) {
                p[i].fd = -1;
                readable++;
            }
        }
    }
    TRACE_VALUE("readable", readable);
    int own = 0, extra = 0;
    for (int i = 0; i < made; i++) {
        char b[32], want[16];
        long n = recv(fds[i], b, sizeof b - 1, 0);
        int len = snprintf(want, sizeof want, "socket %d", i);
        if (n == len && memcmp(b, want, (size_t)len) == 0) own++;
        if (recv(fds[i], b, sizeof b, 0) >= 0) extra++;
    }
    TRACE_VALUE("got their own", own);
    TRACE_VALUE("got more", extra);
    int closed = 0;
    for (int i = 0; i < made; i++) closed += close(fds[i]) == 0;
    TRACE_VALUE("closed", closed);
    return 0;
}
