/* Helpers for the TCP scenarios: the harness's servers, by the port the
 * harness gives in the environment (tests/harness/services.sh). Natively
 * the kernel connects to them; in wasm emnet reaches them through the
 * websockify the harness also started (EMNET_WS_URL). */
#ifndef EMNET_CONFORMANCE_NET_H
#define EMNET_CONFORMANCE_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static inline struct sockaddr_in net_addr(const char *port_env)
{
    const char *v = getenv(port_env);
    if (!v) {
        printf("%s is not set: run under tests/harness/services.sh\n", port_env);
        exit(2);
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(v));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

#define NET_ECHO "EMNET_TCP_ECHO_PORT"
#define NET_SOURCE "EMNET_TCP_SOURCE_PORT"
#define NET_SINK "EMNET_TCP_SINK_PORT"
#define NET_REFUSED "EMNET_TCP_REFUSED_PORT"

/* No SIGPIPE natively either, so that both builds see EPIPE. */
static inline void net_setup(void)
{
    signal(SIGPIPE, SIG_IGN);
}

/* Waits (up to 10 s, in 5 ms naps) until at least n bytes have arrived
 * on s; returns how many there are (FIONREAD), or -1. */
static inline int net_wait_avail(int s, int n)
{
    int avail = 0;
    for (int i = 0; i < 2000; i++) {
        if (ioctl(s, FIONREAD, &avail) < 0) return -1;
        if (avail >= n) break;
        poll(NULL, 0, 5);
    }
    return avail;
}

/* xorshift32: chunk sizes and data from a fixed seed, the same in both
 * builds. */
static inline uint32_t net_rng(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#endif
