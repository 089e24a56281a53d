/* A UDP socket that talks to more destinations than it keeps Wisp streams
 * for (EMNET_UDP_DESTINATIONS, set to 2 here): it sends to the echo
 * server, the dual server and a port where nothing listens, in turn, 20
 * rounds; every echo still comes back (a closed stream is opened again on
 * the next send), and the Wisp streams open never exceed the limit.
 * wasm only: it checks emnet's own bookkeeping. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emnet/net.h"

#define ROUNDS 20

static struct sockaddr_in addr_of(const char *env)
{
    const char *v = getenv(env);
    if (!v) {
        printf("%s is not set: run under tests/harness/services.sh\n", env);
        exit(2);
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(v)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* Waits up to 5 s for the datagram "tag" back from `from`; other datagrams
 * (the dual server's copy from its second port never comes over Wisp, but
 * would natively) are skipped. */
static int echoed(int s, const char *tag, const struct sockaddr_in *from)
{
    for (;;) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) return 0;
        char b[64];
        struct sockaddr_in src;
        socklen_t len = sizeof src;
        ssize_t n = recvfrom(s, b, sizeof b - 1, 0, (struct sockaddr *)&src, &len);
        if (n < 0) return 0;
        b[n] = 0;
        if (src.sin_port == from->sin_port && !strcmp(b, tag)) return 1;
    }
}

int main(void)
{
    struct sockaddr_in echo = addr_of("EMNET_UDP_ECHO_PORT"), dual = addr_of("EMNET_UDP_DUAL_PORT"),
                       none = addr_of("EMNET_UDP_REFUSED_PORT");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int echoes = 0, duals = 0;
    unsigned most = 0;
    for (int i = 0; i < ROUNDS; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "round %d", i);
        sendto(s, tag, strlen(tag), 0, (struct sockaddr *)&echo, sizeof echo);
        echoes += echoed(s, tag, &echo);
        sendto(s, tag, strlen(tag), 0, (struct sockaddr *)&dual, sizeof dual);
        duals += echoed(s, tag, &dual);
        sendto(s, tag, strlen(tag), 0, (struct sockaddr *)&none, sizeof none);
        struct emnet_net_stats st;
        emnet_net_stats(&st);
        if (st.wisp_streams > most) most = st.wisp_streams;
    }
    close(s);
    struct emnet_net_stats st;
    emnet_net_stats(&st);
    printf("echoes %d of %d, dual echoes %d of %d\n", echoes, ROUNDS, duals, ROUNDS);
    printf("most Wisp streams open %u, after close %u\n", most, st.wisp_streams);
    return echoes == ROUNDS && duals == ROUNDS && most <= 2 && st.wisp_streams == 0 ? 0 : 1;
}
