/* Helpers for the TCP scenarios: the harness's servers, by the port the
 * harness gives in the environment (tests/harness/services.sh). Natively
 * the kernel connects to them; in wasm emnet reaches them through the
 * websockify the harness also started (EMNET_WS_URL). */
#ifndef EMNET_CONFORMANCE_NET_H
#define EMNET_CONFORMANCE_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#endif
