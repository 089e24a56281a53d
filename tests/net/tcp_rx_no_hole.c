/* Received bytes that cannot be kept must never leave a hole: connected
 * to the source server (which sends the pattern without end), the program
 * reads and checks 1 MiB, then stops reading. Its receive buffer is set
 * far larger than the page's memory may grow (EMNET_RECV_BUFFER 256 MiB,
 * linked with a small MAXIMUM_MEMORY), so the buffer grows until an
 * allocation fails. The socket must then be reset -- EPOLLERR, and recv
 * ECONNRESET, then end of stream -- and counted in emnet_net_stats(), never go on
 * with the bytes that did not fit left out. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emnet/net.h"
#include "../common/pattern.h"

#define CHECKED (1u << 20)

static uint8_t buf[65536], want[65536];

int main(void)
{
    const char *port = getenv("EMNET_TCP_SOURCE_PORT");
    if (!port) {
        printf("EMNET_TCP_SOURCE_PORT is not set\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("connect");
        return 1;
    }
    unsigned received = 0;
    while (received < CHECKED) {
        ssize_t r = recv(s, buf, sizeof buf, 0);
        if (r <= 0) {
            printf("stream ended early: %zd %s\n", r, r < 0 ? strerror(errno) : "");
            return 1;
        }
        emnet_test_pattern_fill(want, (size_t)r, received);
        if (memcmp(buf, want, (size_t)r)) {
            printf("corrupt data at %u\n", received);
            return 1;
        }
        received += (unsigned)r;
    }
    printf("read 1 MiB, all as sent\n");

    /* Not reading: the buffer grows until the page's memory runs out. */
    struct pollfd p = { .fd = s, .events = 0 };
    int n = poll(&p, 1, 60000);
    printf("poll: %d%s%s\n", n, (p.revents & POLLERR) ? " ERR" : "", (p.revents & POLLHUP) ? " HUP" : "");
    /* Then the reset, once; after it the stream is over (as on Linux):
     * nothing more from the middle of the stream. */
    ssize_t r = recv(s, buf, sizeof buf, MSG_DONTWAIT);
    printf("recv: %zd %s\n", r, r < 0 ? strerror(errno) : "");
    r = recv(s, buf, sizeof buf, MSG_DONTWAIT);
    printf("recv again: %zd\n", r);
    struct emnet_net_stats st;
    emnet_net_stats(&st);
    printf("receive failures counted: %lu\n", st.receive_failures);
    close(s);
    emnet_net_stats(&st);
    printf("sockets left: %u, WebSockets left: %u\n", st.sockets, st.host_objects);
    return 0;
}
