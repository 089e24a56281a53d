/* Byte order across many small sends: 1000 sends of 1..50 bytes (sizes
 * from a fixed-seed generator), each the next slice of the shared pattern,
 * on a blocking socket to the echo server; every send returns its whole
 * length. What comes back, read in whatever pieces it arrives, is one
 * stream: the pattern from offset 0, the exact total, nothing more. */
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#define SENDS 1000

static uint32_t rng_state = 0xC0FFEE11u;

int main(void)
{
    net_setup();
    static uint8_t stream[SENDS * 50], back[SENDS * 50];
    emnet_test_pattern_fill(stream, sizeof stream, 0);
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));

    size_t total = 0;
    int whole = 0;
    for (int i = 0; i < SENDS; i++) {
        size_t n = 1 + net_rng(&rng_state) % 50;
        if (send(s, stream + total, n, MSG_NOSIGNAL) == (long)n) whole++;
        total += n;
    }
    TRACE_VALUE("sends that took their whole length", whole);
    TRACE_VALUE("bytes sent", total);

    size_t got = 0;
    int recvs = 0;
    while (got < total) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        long r = recv(s, back + got, sizeof back - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
        recvs++;
    }
    TRACE_VALUE("bytes back", got);
    TRACE_TRUE(recvs >= 1);
    TRACE_TRUE(memcmp(back, stream, total) == 0);
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 200));
    T(close(s));
    return 0;
}
