/* The integrity of a 16 MiB echo under non-blocking I/O driven by
 * edge-triggered epoll: the shared pattern goes out in sends of 1..65536
 * bytes and comes back in recvs of 1..65536 bytes (sizes from a fixed-seed
 * generator); on each edge the program sends until EAGAIN and reads until
 * EAGAIN, as an edge-triggered loop must. Every received chunk is compared
 * with the pattern at its offset; the totals and FNV-1a of both directions
 * are traced, not how the bytes were chunked. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#define TOTAL (16ull << 20)

static uint32_t rng_state = 0x1234567u;

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u64 = 5 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));

    static uint8_t out[65536], in[65536], want[65536];
    uint64_t sent = 0, got = 0, bad_chunks = 0;
    uint64_t h_out = EMNET_TEST_FNV1A_INIT, h_in = EMNET_TEST_FNV1A_INIT;
    int stalls = 0, errors = 0, eagain_sends = 0;
    size_t pending = 0;   /* bytes of out[] built but not yet sent */
    size_t pending_off = 0;
    while (got < TOTAL) {
        struct epoll_event e;
        int n = epoll_wait(ep, &e, 1, 5000);
        if (n <= 0) {
            stalls++;
            break;
        }
        if (e.events & (EPOLLERR | EPOLLHUP)) {
            errors++;
            break;
        }
        /* Send until EAGAIN (or all sent). */
        while (sent < TOTAL) {
            if (!pending) {
                size_t c = 1 + net_rng(&rng_state) % 65536;
                if (c > TOTAL - sent) c = (size_t)(TOTAL - sent);
                emnet_test_pattern_fill(out, c, sent);
                pending = c;
                pending_off = 0;
            }
            long r = send(s, out + pending_off, pending, MSG_NOSIGNAL);
            if (r < 0) {
                if (errno == EAGAIN) eagain_sends++;
                else errors++;
                break;
            }
            h_out = emnet_test_fnv1a(h_out, out + pending_off, (size_t)r);
            sent += (uint64_t)r;
            pending_off += (size_t)r;
            pending -= (size_t)r;
        }
        /* Read until EAGAIN. */
        for (;;) {
            size_t c = 1 + net_rng(&rng_state) % 65536;
            long r = recv(s, in, c, 0);
            if (r <= 0) {
                if (!(r < 0 && errno == EAGAIN)) errors++;
                break;
            }
            emnet_test_pattern_fill(want, (size_t)r, got);
            if (memcmp(in, want, (size_t)r)) bad_chunks++;
            h_in = emnet_test_fnv1a(h_in, in, (size_t)r);
            got += (uint64_t)r;
        }
        if (errors) break;
    }
    TRACE_VALUE("sent", sent);
    TRACE_VALUE("received", got);
    TRACE_VALUE("stalls", stalls);
    TRACE_VALUE("errors", errors);
    TRACE_VALUE("chunks unlike the pattern", bad_chunks);
    printf("  fnv1a sent %016llx\n", (unsigned long long)h_out);
    TRACE_TRUE(h_in == h_out);
    (void)eagain_sends;   /* how often the send side filled up is the system's business */
    T(recv(s, in, sizeof in, 0));
    T(close(ep));
    T(close(s));
    return 0;
}
