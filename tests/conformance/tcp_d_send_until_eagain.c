/* Partial writes and flow control on a non-blocking socket: 64 KiB sends
 * of a deterministic stream to the echo server, whose replies are not read,
 * until one fails with EAGAIN (the echo server stops reading while it cannot
 * write back, so the buffers fill: how many bytes that takes is the
 * system's business, and is not traced). After EAGAIN, draining the echoes
 * brings EPOLLOUT back; then every byte sent comes back, in order. Only
 * that EAGAIN happened, that EPOLLOUT returned, and the totals and
 * checksums agree are traced. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#define CHUNK 65536
#define LIMIT (512ull << 20)   /* give up: something does not push back */

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(fcntl(s, F_SETFL, O_NONBLOCK));

    static uint8_t out[CHUNK], in[CHUNK], want[CHUNK];
    uint64_t sent = 0, echoed = 0, mismatches = 0;
    uint64_t h_sent = EMNET_TEST_FNV1A_INIT, h_echo = EMNET_TEST_FNV1A_INIT;
    int eagain = 0, other_error = 0, partial = 0;
    while (sent < LIMIT) {
        size_t off = sent % CHUNK;   /* resume a partial chunk where it stopped */
        emnet_test_pattern_fill(out, CHUNK - off, sent);
        long r = send(s, out, CHUNK - off, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EAGAIN) eagain = 1; else other_error = errno;
            break;
        }
        if ((size_t)r < CHUNK - off) partial = 1;
        h_sent = emnet_test_fnv1a(h_sent, out, (size_t)r);
        sent += (uint64_t)r;
    }
    (void)partial;   /* a short send before EAGAIN is allowed, not required */
    TRACE_TRUE(eagain);
    TRACE_VALUE("other error", other_error);
    TRACE_TRUE(sent > 0);

    int ep = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 1 };
    T(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));

    trace_note("drain the echoes until EPOLLOUT returns");
    int writable = 0, stalls = 0;
    while (!writable && echoed < sent) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) {
            stalls++;
            break;
        }
        long r = recv(s, in, sizeof in, 0);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN) continue;
            break;
        }
        emnet_test_pattern_fill(want, (size_t)r, echoed);
        if (memcmp(in, want, (size_t)r)) mismatches++;
        h_echo = emnet_test_fnv1a(h_echo, in, (size_t)r);
        echoed += (uint64_t)r;
        struct epoll_event got;
        if (epoll_wait(ep, &got, 1, 0) == 1 && (got.events & EPOLLOUT)) writable = 1;
    }
    TRACE_TRUE(writable);
    TRACE_VALUE("stalls", stalls);
    struct epoll_event got[2];
    int n = (int)T(epoll_wait(ep, got, 2, 5000));
    trace_epoll_events(got, n);

    trace_note("everything sent comes back");
    while (echoed < sent) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) break;
        long r = recv(s, in, sizeof in, 0);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN) continue;
            break;
        }
        emnet_test_pattern_fill(want, (size_t)r, echoed);
        if (memcmp(in, want, (size_t)r)) mismatches++;
        h_echo = emnet_test_fnv1a(h_echo, in, (size_t)r);
        echoed += (uint64_t)r;
    }
    TRACE_TRUE(echoed == sent);
    TRACE_VALUE("chunks that differ from the pattern", mismatches);
    TRACE_TRUE(h_echo == h_sent);
    T(recv(s, in, sizeof in, 0));
    T(close(ep));
    T(close(s));
    return 0;
}
