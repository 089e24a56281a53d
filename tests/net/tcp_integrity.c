/* Integrity of a long TCP stream both ways: MiB megabytes of the shared test
 * pattern go to the echo server in chunks of random size and come back;
 * every byte received is checked against the pattern at its offset, and
 * an FNV-1a of what was sent and of what came back is printed. Driven by
 * the hosted loop with non-blocking sockets, so in a page it runs without
 * ever blocking. Natively the kernel carries it, in wasm emnet through
 * websockify.
 *
 *   tcp_integrity [MiB]     default 16; needs EMNET_TCP_ECHO_PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emnet/reactor.h"
#include "../common/pattern.h"

static uint64_t total, sent, received;
static uint64_t sent_hash = EMNET_TEST_FNV1A_INIT, recv_hash = EMNET_TEST_FNV1A_INIT;
static uint32_t rng = 12345;
static int sock;
static double t0;
static uint8_t buf[1 << 16];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t next_chunk(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return 1 + rng % sizeof buf;
}

static void finish(emnet_loop *loop, int status, const char *why)
{
    double secs = now_s() - t0;
    printf("%s: sent %" PRIu64 " received %" PRIu64 " bytes in %.2f s (%.1f MB/s each way)\n", why, sent, received,
           secs, (double)received / secs / 1e6);
    printf("fnv1a sent=%016" PRIx64 " received=%016" PRIx64 " %s\n", sent_hash, recv_hash,
           sent_hash == recv_hash ? "equal" : "DIFFERENT");
    emnet_loop_del(loop, sock);
    close(sock);
    emnet_loop_stop(loop, status);
}

static void on_socket(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)arg;
    if (events & EPOLLERR) {
        finish(loop, 1, "socket error");
        return;
    }
    while ((events & EPOLLOUT) && sent < total) {
        size_t n = next_chunk();
        if (n > total - sent) n = (size_t)(total - sent);
        emnet_test_pattern_fill(buf, n, sent);
        ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EAGAIN) break;
            finish(loop, 1, "send failed");
            return;
        }
        sent_hash = emnet_test_fnv1a(sent_hash, buf, (size_t)r);
        sent += (uint64_t)r;
        if (sent == total) emnet_loop_mod(loop, fd, EPOLLIN);
    }
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r < 0) {
            if (errno == EAGAIN) return;
            finish(loop, 1, "recv failed");
            return;
        }
        if (r == 0) {
            finish(loop, 1, "early EOF");
            return;
        }
        static uint8_t want[sizeof buf];
        emnet_test_pattern_fill(want, (size_t)r, received);
        if (memcmp(want, buf, (size_t)r) != 0) {
            finish(loop, 1, "corrupt data");
            return;
        }
        recv_hash = emnet_test_fnv1a(recv_hash, buf, (size_t)r);
        received += (uint64_t)r;
        if (received == total) {
            finish(loop, sent_hash == recv_hash ? 0 : 1, "done");
            return;
        }
    }
}

int main(int argc, char **argv)
{
    total = (uint64_t)(argc > 1 ? atol(argv[1]) : 16) << 20;
    const char *port = getenv("EMNET_TCP_ECHO_PORT");
    if (!port) {
        printf("EMNET_TCP_ECHO_PORT is not set\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (sock < 0 || (connect(sock, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)) {
        perror("connect");
        return 1;
    }
    emnet_loop *loop = emnet_loop_new();
    t0 = now_s();
    emnet_loop_add(loop, sock, EPOLLIN | EPOLLOUT, on_socket, NULL);
    int status = emnet_loop_run(loop);
    emnet_loop_free(loop);
    return status;
}
