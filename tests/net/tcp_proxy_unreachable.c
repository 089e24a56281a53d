/* The proxy itself cannot be reached: the connect fails the way Linux
 * fails one whose SYN gets no answer or is rejected on the way, never as a
 * connect that succeeded. wasm only (the kernel has no proxy):
 *   - nothing listens where the proxy should be: the WebSocket closes
 *     before it opened -> SO_ERROR EHOSTUNREACH;
 *   - the proxy's port accepts but never answers the handshake (the sink
 *     server swallows it) -> after EMNET_CONNECT_TIMEOUT_MS, ETIMEDOUT;
 * each seen through epoll as Linux shows a failed connect (IN|OUT|ERR|HUP|
 * RDHUP), then getsockopt, then a second connect, which Linux answers with
 * ECONNABORTED once the error has been read. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emnet/net.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int try_connect(const char *label, const char *proxy_port)
{
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%s/", proxy_port);
    if (emnet_net_set_url_template(url) < 0) return 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("%s: connect %d %s\n", label, r, r < 0 ? strerror(errno) : "");
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN | EPOLLRDHUP }, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    double t0 = now_ms();
    int n = epoll_wait(ep, &out, 1, 10000);
    double took = now_ms() - t0;
    printf("%s: epoll_wait %d events 0x%x\n", label, n, n == 1 ? out.events : 0);
    int err = -1;
    socklen_t len = sizeof err;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    printf("%s: SO_ERROR %s\n", label, strerror(err));
    r = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("%s: connect again %d %s\n", label, r, r < 0 ? strerror(errno) : "");
    close(ep);
    close(s);
    return (int)took;
}

int main(void)
{
    const char *nobody = getenv("EMNET_TCP_REFUSED_PORT"), *sink = getenv("EMNET_TCP_SINK_PORT");
    if (!nobody || !sink) {
        fprintf(stderr, "run under tests/harness/services.sh\n");
        return 2;
    }
    try_connect("no proxy", nobody);
    setenv("EMNET_CONNECT_TIMEOUT_MS", "300", 1);
    int took = try_connect("silent proxy", sink);
    printf("silent proxy: timed out after %s\n", took >= 300 && took < 5000 ? "the configured time" : "a wrong time");
    return 0;
}
