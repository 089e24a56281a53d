/* 1 MiB up and down with random chunk sizes: a non-blocking socket to the
 * echo server, driven by poll(), sends 1 MiB of pseudo-random bytes (fixed
 * seed) in sends of 1..16384 bytes and reads the echo with recvs of
 * 1..16384 bytes, both sizes from the same fixed-seed generator. Sends may
 * be short (the rest goes in the next one) and recvs return what there is:
 * only the totals, that bytes match, and the FNV-1a of what went out and
 * what came back are traced. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#define TOTAL (1u << 20)

static uint32_t rng_state = 0x2545F491u;

int main(void)
{
    net_setup();
    static uint8_t out[TOTAL], back[TOTAL];
    for (size_t i = 0; i < TOTAL; i++) out[i] = (uint8_t)(net_rng(&rng_state) >> 11);

    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));

    size_t sent = 0, got = 0;
    int stalls = 0, errors = 0, sends = 0, recvs = 0;
    while (got < TOTAL) {
        struct pollfd p = { .fd = s, .events = (short)(POLLIN | (sent < TOTAL ? POLLOUT : 0)) };
        if (poll(&p, 1, 5000) != 1) {
            stalls++;
            break;
        }
        if ((p.revents & POLLOUT) && sent < TOTAL) {
            size_t n = 1 + net_rng(&rng_state) % 16384;
            if (n > TOTAL - sent) n = TOTAL - sent;
            long r = send(s, out + sent, n, MSG_NOSIGNAL);
            if (r > 0) sent += (size_t)r, sends++;
            else if (!(r < 0 && errno == EAGAIN)) errors++;
        }
        if (p.revents & POLLIN) {
            size_t n = 1 + net_rng(&rng_state) % 16384;
            if (n > TOTAL - got) n = TOTAL - got;
            long r = recv(s, back + got, n, 0);
            if (r > 0) got += (size_t)r, recvs++;
            else if (!(r < 0 && errno == EAGAIN)) {
                errors++;
                break;
            }
        }
        if (p.revents & (POLLERR | POLLHUP)) {
            errors++;
            break;
        }
    }
    TRACE_VALUE("sent", sent);
    TRACE_VALUE("echoed", got);
    TRACE_VALUE("stalls", stalls);
    TRACE_VALUE("errors", errors);
    TRACE_TRUE(sends > 0 && recvs > 0);
    TRACE_TRUE(memcmp(out, back, TOTAL) == 0);
    uint64_t h_out = emnet_test_fnv1a(EMNET_TEST_FNV1A_INIT, out, TOTAL);
    uint64_t h_back = emnet_test_fnv1a(EMNET_TEST_FNV1A_INIT, back, got);
    printf("  fnv1a sent %016llx\n", (unsigned long long)h_out);
    TRACE_TRUE(h_back == h_out);
    T(recv(s, back, 16, 0));
    T(close(s));
    return 0;
}
