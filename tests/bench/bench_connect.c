/* How long a non-blocking connect takes to complete: from connect() to
 * EPOLLOUT (then SO_ERROR), for N connects to the harness's echo server,
 * one at a time; and for one connect to the refused port, to the error.
 * Prints the median, 90th percentile, minimum and maximum in milliseconds,
 * and the median and p90 as "bench NAME VALUE ms" lines for the tables.
 *
 * Natively this is the kernel's loopback handshake. In wasm it depends on
 * what the transport can tell: over Wisp with stream open confirmation the
 * proxy's own connect (a round trip through it); without it (websockify,
 * plain Wisp) the guess at EMNET_CONNECT_CONFIRM_MS. Run it under
 * tests/harness/services.sh; scripts pick the transport in the environment.
 *
 *   bench_connect [N]     default 20 */
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

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One connect, waited for; returns the milliseconds, *err the SO_ERROR. */
static double timed_connect(const char *port_env, int *err)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(getenv(port_env))) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ep = epoll_create1(0);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct epoll_event ev = { .events = EPOLLOUT }, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    double t0 = now_ms();
    *err = -1;
    if (connect(s, (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS) {
        if (epoll_wait(ep, &out, 1, 10000) == 1) {
            socklen_t len = sizeof *err;
            getsockopt(s, SOL_SOCKET, SO_ERROR, err, &len);
        }
    }
    double ms = now_ms() - t0;
    close(s);
    close(ep);
    return ms;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20;
    if (n < 1 || n > 1000 || !getenv("EMNET_TCP_ECHO_PORT") || !getenv("EMNET_TCP_REFUSED_PORT")) {
        printf("usage: bench_connect [N<=1000], under tests/harness/services.sh\n");
        return 2;
    }
    int err;
    timed_connect("EMNET_TCP_ECHO_PORT", &err);   /* the first opens the transport's connection */
    double *t = calloc((size_t)n, sizeof *t);
    int failed = 0;
    for (int i = 0; i < n; i++) {
        t[i] = timed_connect("EMNET_TCP_ECHO_PORT", &err);
        failed += err != 0;
    }
    qsort(t, (size_t)n, sizeof *t, cmp);
    printf("connect to EPOLLOUT, %d connects: median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms%s\n", n,
           t[n / 2], t[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1], t[0], t[n - 1], failed ? " (some FAILED)" : "");
    printf("bench connect_median %.3f ms\nbench connect_p90 %.3f ms\n", t[n / 2],
           t[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1]);
    double r = timed_connect("EMNET_TCP_REFUSED_PORT", &err);
    printf("refused connect to its error: %.2f ms (%s)\n", r, err == ECONNREFUSED ? "ECONNREFUSED" : strerror(err));
    free(t);
    return failed != 0;
}
