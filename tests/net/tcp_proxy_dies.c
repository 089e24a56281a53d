/* The proxy dies mid-stream: reading from the source server through a
 * websockify that is then killed (tests/net/proxy-dies.sh), the socket
 * must report a reset -- recv fails with ECONNRESET once, then returns 0,
 * send fails with EPIPE, poll shows EPOLLERR|EPOLLHUP before -- never a
 * clean end of stream, never a hang. wasm only: it is the proxy's death,
 * which the kernel has no counterpart for. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    const char *port = getenv("EMNET_TCP_SOURCE_PORT");
    if (!port) return 2;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        perror("connect");
        return 1;
    }
    printf("connected\n");
    fflush(stdout);
    static char buf[65536];
    long long total = 0;
    for (;;) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 20000) != 1) {
            printf("no event for 20 s: the reset was lost\n");
            return 1;
        }
        if (p.revents & POLLERR) printf("poll: %s%s\n", p.revents & POLLERR ? "ERR" : "", p.revents & POLLHUP ? "|HUP" : "");
        ssize_t r = recv(s, buf, sizeof buf, 0);
        if (r > 0) {
            total += r;
            usleep(1000);   /* a slow reader, so that the proxy dies with data in flight */
            continue;
        }
        printf("recv: %zd %s after %s\n", r, r < 0 ? strerror(errno) : "(end of stream)",
               total > 0 ? "some data" : "no data");
        break;
    }
    ssize_t again = recv(s, buf, sizeof buf, 0);
    printf("recv again: %zd\n", again);
    ssize_t w = send(s, "x", 1, MSG_NOSIGNAL);
    printf("send: %zd %s\n", w, w < 0 ? strerror(errno) : "");
    close(s);
    return 0;
}
