/* The wisp transport with stream open confirmation (0x05), against a
 * server that offers it (emnet-proxy's Wisp mode; wasm only):
 *   - a connect to a server that answers completes at the confirmation,
 *     long before EMNET_CONNECT_CONFIRM_MS, the guess plain Wisp needs;
 *   - a connect to a target that never answers stays in progress until
 *     EMNET_CONNECT_TIMEOUT_MS (here 1500 ms), then fails with ETIMEDOUT,
 *     as Linux's does when nobody answers its SYNs, and the next connect()
 *     says ECONNABORTED once SO_ERROR was read (the kernel's order too). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr(const char *port_env)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(getenv(port_env))) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* Connects s (non-blocking) and waits up to 10 s; prints what came and
 * returns the milliseconds it took. */
static long connect_wait(const char *label, int s, struct sockaddr_in a)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("%s: connect %d %s\n", label, r, r ? strerror(errno) : "");
    struct pollfd p = { .fd = s, .events = POLLOUT };
    r = poll(&p, 1, 10000);
    long ms = ms_since(&t0);
    int err = -1;
    socklen_t len = sizeof err;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    printf("%s: poll %d%s%s%s, SO_ERROR %s\n", label, r, p.revents & POLLOUT ? " OUT" : "",
           p.revents & POLLERR ? " ERR" : "", p.revents & POLLHUP ? " HUP" : "", err ? strerror(err) : "0");
    return ms;
}

int main(void)
{
    if (!getenv("EMNET_TCP_ECHO_PORT") || !getenv("EMNET_TCP_SILENT_PORT")) {
        printf("run under tests/harness/services.sh\n");
        return 2;
    }
    long window = atol(getenv("EMNET_CONNECT_CONFIRM_MS") ? getenv("EMNET_CONNECT_CONFIRM_MS") : "100");
    long timeout = atol(getenv("EMNET_CONNECT_TIMEOUT_MS") ? getenv("EMNET_CONNECT_TIMEOUT_MS") : "127000");
    int failures = 0;

    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect_wait("echo", s, addr("EMNET_TCP_ECHO_PORT"));   /* opens the Wisp connection too */
    close(s);
    s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    long ms = connect_wait("echo again", s, addr("EMNET_TCP_ECHO_PORT"));
    printf("echo again: confirmed before the window: %s\n", ms < window / 2 ? "yes" : "NO");
    failures += ms >= window / 2;
    close(s);

    s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ms = connect_wait("silent", s, addr("EMNET_TCP_SILENT_PORT"));
    int r = connect(s, (struct sockaddr[]){ { .sa_family = AF_INET } }, sizeof(struct sockaddr_in));
    printf("silent: connect again %d %s\n", r, r ? strerror(errno) : "");
    printf("silent: failed at EMNET_CONNECT_TIMEOUT_MS: %s\n", ms >= timeout - 50 && ms < timeout + 2000 ? "yes" : "NO");
    failures += !(ms >= timeout - 50 && ms < timeout + 2000);
    close(s);
    printf("%s\n", failures ? "FAILED" : "all as expected");
    return failures != 0;
}
