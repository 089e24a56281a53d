/* Integrity of long TCP streams both ways: MiB megabytes of the shared test
 * pattern go to the echo server in writes of random size and come back,
 * read in reads of random size;
 * every byte received is checked against the pattern at its offset, and
 * an FNV-1a of what was sent and of what came back is printed. With
 * SOCKETS > 1, that many connections do it at once (MiB each, each its own
 * stretch of the pattern), so that a transport that carries them over one
 * WebSocket (wisp) must keep their bytes apart; the figures are then totals, and "equal" means equal on
 * every socket. Driven by the hosted loop with non-blocking sockets, so in
 * a page it runs without ever blocking. Natively the kernel carries it, in
 * wasm emnet through its transport.
 *
 *   tcp_integrity [MiB [SOCKETS]]     default 16, 1; needs EMNET_TCP_ECHO_PORT */
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
#include "../common/clock_rng.h"
#include "../common/pattern.h"

#define MAX_SOCKETS 64

struct conn {
    int fd;
    int watched;   /* registered with the loop */
    uint64_t base;   /* where in the pattern its stream starts: each socket's bytes differ */
    uint64_t sent, received;
    uint64_t sent_hash, recv_hash;
    uint32_t rng;
};

static struct conn conns[MAX_SOCKETS];
static int nconns, ndone;
static uint64_t total;   /* per socket */
static double t0;
static uint8_t buf[1 << 16];

static size_t next_chunk(struct conn *c)
{
    return 1 + emnet_test_xorshift32(&c->rng) % sizeof buf;
}

static void finish(emnet_loop *loop, int status, const char *why)
{
    double secs = emnet_test_now_s() - t0;
    uint64_t sent = 0, received = 0, sent_hash = 0, recv_hash = 0;
    int equal = 1;
    for (int i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        sent += c->sent;
        received += c->received;
        /* One socket: its hashes; several: their XOR, for the record. */
        sent_hash = nconns == 1 ? c->sent_hash : sent_hash ^ c->sent_hash;
        recv_hash = nconns == 1 ? c->recv_hash : recv_hash ^ c->recv_hash;
        if (c->sent_hash != c->recv_hash) equal = 0;
        if (c->watched) emnet_loop_del(loop, c->fd);
        c->watched = 0;
        if (c->fd >= 0) {
            close(c->fd);
            c->fd = -1;
        }
    }
    printf("%s: sent %" PRIu64 " received %" PRIu64 " bytes in %.2f s (%.1f MB/s each way)\n", why, sent, received,
           secs, (double)received / secs / 1e6);
    printf("fnv1a sent=%016" PRIx64 " received=%016" PRIx64 " %s\n", sent_hash, recv_hash,
           equal ? "equal" : "DIFFERENT");
    if (nconns > 1) printf("sockets: %d\n", nconns);
    emnet_loop_stop(loop, equal ? status : 1);
}

static void on_socket(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    struct conn *c = arg;
    if (events & EPOLLERR) {
        finish(loop, 1, "socket error");
        return;
    }
    while ((events & EPOLLOUT) && c->sent < total) {
        size_t n = next_chunk(c);
        if (n > total - c->sent) n = (size_t)(total - c->sent);
        emnet_test_pattern_fill(buf, n, c->base + c->sent);
        ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EAGAIN) break;
            finish(loop, 1, "send failed");
            return;
        }
        c->sent_hash = emnet_test_fnv1a(c->sent_hash, buf, (size_t)r);
        c->sent += (uint64_t)r;
        if (c->sent == total) emnet_loop_mod(loop, fd, EPOLLIN);
    }
    for (;;) {
        ssize_t r = recv(fd, buf, next_chunk(c), 0);   /* reads of random size too */
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
        emnet_test_pattern_fill(want, (size_t)r, c->base + c->received);
        if (memcmp(want, buf, (size_t)r) != 0) {
            finish(loop, 1, "corrupt data");
            return;
        }
        c->recv_hash = emnet_test_fnv1a(c->recv_hash, buf, (size_t)r);
        c->received += (uint64_t)r;
        if (c->received == total) {
            emnet_loop_del(loop, fd);   /* this one is done; the others go on */
            c->watched = 0;
            if (++ndone == nconns) finish(loop, 0, "done");
            return;
        }
    }
}

int main(int argc, char **argv)
{
    total = (uint64_t)(argc > 1 ? atol(argv[1]) : 16) << 20;
    nconns = argc > 2 ? atoi(argv[2]) : 1;
    if (nconns < 1 || nconns > MAX_SOCKETS) {
        printf("SOCKETS must be 1 to %d\n", MAX_SOCKETS);
        return 2;
    }
    const char *port = getenv("EMNET_TCP_ECHO_PORT");
    if (!port) {
        printf("EMNET_TCP_ECHO_PORT is not set\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    emnet_loop *loop = emnet_loop_new();
    t0 = emnet_test_now_s();
    for (int i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        c->sent_hash = c->recv_hash = EMNET_TEST_FNV1A_INIT;
        c->rng = 12345u + (uint32_t)i * 7919u;   /* each socket its own chunk sizes */
        c->base = (uint64_t)i * total;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)) {
            perror("connect");
            return 1;
        }
        emnet_loop_add(loop, c->fd, EPOLLIN | EPOLLOUT, on_socket, c);
        c->watched = 1;
    }
    int status = emnet_loop_run(loop);
    emnet_loop_free(loop);
    return status;
}
