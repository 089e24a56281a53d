/* Many TCP sockets at once: SOCKETS non-blocking connects to the echo server
 * are started together, before any of them has completed; one epoll set
 * watches them all. Each socket, once connected, sends BYTES of its own
 * stretch of the shared test pattern (tests/common/pattern.h, offset
 * index * BYTES) in chunks of its own random sizes, reads the echo back and
 * checks every byte against the pattern at its offset, then closes.
 *
 * Over emnet's wisp transport all of them are streams of one WebSocket.
 * In wasm the program prints emnet's own count of live host objects
 * (emnet_net_stats) when the last connect completed and after the last
 * close; the runners count the WebSockets the program really opened
 * (tests/net/count-websockets.js under Node, the page in Chromium).
 * Natively the kernel carries the sockets and there is none.
 *
 * Written as a plain epoll_wait loop, so in wasm it is linked with
 * ASYNCIFY: a wait suspends the program and the page runs on meanwhile.
 *
 *   tcp_many_sockets [SOCKETS [BYTES]]   default 1000 16384; needs EMNET_TCP_ECHO_PORT
 *
 * Prints, in this order:
 *   connected N of N sockets in S s
 *   verified BYTES bytes on each of N sockets (TOTAL in all), failures 0
 *   host objects when the last of N sockets connected: H, after closing them all: H'   (wasm)
 *   time: all connected S s, all echoes verified S s
 *   bench tcp_connect_all MS ms / bench tcp_connect_roundtrip MS ms */
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

#ifdef __EMSCRIPTEN__
#include "emnet/net.h"
#endif
#include "../common/clock_rng.h"
#include "../common/pattern.h"

#define MAX_SOCKETS 4000
#define MAX_CHUNK 4096
#define DEADLINE_S 100.0   /* below ctest's timeout: report, don't get killed */
#define REPORT_FAILURES 10 /* detailed lines; the count covers all */

enum state { CONNECTING, SENDING, READING, DONE, FAILED };

struct conn {
    int fd;
    enum state state;
    uint64_t base;        /* where in the pattern this socket's bytes start */
    size_t sent, received;
    uint32_t rng;
};

static struct conn *conns;
static int nconns, nconnected, ndone, nfailed;
static size_t total;     /* per socket */
static int ep;
static double t0, t_connected;
static unsigned ws_open;   /* host objects alive when the last connect completed */
static uint8_t out_buf[MAX_CHUNK], in_buf[65536], want_buf[65536];

static size_t next_chunk(struct conn *c)
{
    return 1 + emnet_test_xorshift32(&c->rng) % MAX_CHUNK;
}

static void forget(struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
}

static void fail(struct conn *c, const char *what, int err)
{
    if (nfailed < REPORT_FAILURES)
        fprintf(stderr, "socket %d: %s: %s (sent %zu, received %zu)\n", (int)(c - conns), what,
                err ? strerror(err) : "-", c->sent, c->received);
    nfailed++;
    c->state = FAILED;
    forget(c);
}

static void watch(struct conn *c, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)(c - conns) };
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends what the socket takes; 0, or -1 after failing it. */
static int pump_out(struct conn *c)
{
    while (c->sent < total) {
        size_t n = next_chunk(c);
        if (n > total - c->sent) n = total - c->sent;
        emnet_test_pattern_fill(out_buf, n, c->base + c->sent);
        ssize_t r = send(c->fd, out_buf, n, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EAGAIN) return 0;
            fail(c, "send", errno);
            return -1;
        }
        c->sent += (size_t)r;
    }
    c->state = READING;
    watch(c, EPOLLIN);
    return 0;
}

/* Reads and checks what arrived; 1 when the whole echo is in, 0 for more
 * later, -1 after failing the socket. */
static int pump_in(struct conn *c)
{
    for (;;) {
        ssize_t r = recv(c->fd, in_buf, sizeof in_buf, 0);
        if (r < 0) {
            if (errno == EAGAIN) return 0;
            fail(c, "recv", errno);
            return -1;
        }
        if (r == 0) {
            fail(c, "EOF before the whole echo", 0);
            return -1;
        }
        if (c->received + (size_t)r > c->sent) {
            fail(c, "more bytes back than were sent", 0);
            return -1;
        }
        emnet_test_pattern_fill(want_buf, (size_t)r, c->base + c->received);
        if (memcmp(want_buf, in_buf, (size_t)r) != 0) {
            fail(c, "echo differs from what was sent", 0);
            return -1;
        }
        c->received += (size_t)r;
        if (c->received == total) return 1;
    }
}

static void count_host_objects(unsigned *out)
{
#ifdef __EMSCRIPTEN__
    struct emnet_net_stats st;
    emnet_net_stats(&st);
    *out = st.host_objects;
#else
    *out = 0;
#endif
}

static void on_event(struct conn *c, uint32_t events)
{
    if (c->state == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err) {
            fail(c, "connect", err);
            return;
        }
        if (!(events & EPOLLOUT)) return;
        if (++nconnected == nconns) {
            t_connected = emnet_test_now_s() - t0;
            count_host_objects(&ws_open);
        }
        c->state = SENDING;
        watch(c, EPOLLIN | EPOLLOUT);
    }
    if (c->state == SENDING && pump_out(c) < 0) return;
    int r = pump_in(c);
    if (r == 1) {
        c->state = DONE;
        ndone++;
        forget(c);
    } else if (r == 0 && (events & (EPOLLERR | EPOLLHUP)) && c->state != FAILED) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        fail(c, "socket error", err);
    }
}

int main(int argc, char **argv)
{
    nconns = argc > 1 ? atoi(argv[1]) : 1000;
    long bytes = argc > 2 ? atol(argv[2]) : 16384;
    if (nconns < 1 || nconns > MAX_SOCKETS || bytes < 1 || bytes > (64l << 20)) {
        printf("usage: tcp_many_sockets [SOCKETS (1-%d) [BYTES]]\n", MAX_SOCKETS);
        return 2;
    }
    total = (size_t)bytes;
    const char *port = getenv("EMNET_TCP_ECHO_PORT");
    if (!port) {
        printf("EMNET_TCP_ECHO_PORT is not set\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    conns = calloc((size_t)nconns, sizeof *conns);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || ep < 0) {
        perror("setup");
        return 1;
    }

    t0 = emnet_test_now_s();
    for (int i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        c->base = (uint64_t)i * total;
        c->rng = 2463534242u ^ ((uint32_t)i * 2654435761u);
        if (c->rng == 0) c->rng = 1;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c->fd < 0) {
            perror("socket");
            return 1;
        }
        struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)i };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
            perror("epoll_ctl");
            return 1;
        }
        if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) fail(c, "connect", errno);
    }

    unsigned ws_after = 0;
    struct epoll_event evs[256];
    while (ndone + nfailed < nconns) {
        if (emnet_test_now_s() - t0 > DEADLINE_S) {
            for (int i = 0; i < nconns; i++)
                if (conns[i].state < DONE) fail(&conns[i], "not done in time", 0);
            break;
        }
        int n = epoll_wait(ep, evs, 256, 1000);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) on_event(&conns[evs[i].data.u32], evs[i].events);
    }
    double t_verified = emnet_test_now_s() - t0;
    count_host_objects(&ws_after);
    close(ep);

    printf("connected %d of %d sockets in %.3f s\n", nconnected, nconns, t_connected ? t_connected : t_verified);
    printf("verified %zu bytes on each of %d sockets (%" PRIu64 " in all), failures %d\n", total, ndone,
           (uint64_t)total * (uint64_t)ndone, nfailed);
#ifdef __EMSCRIPTEN__
    printf("host objects when the last of %d sockets connected: %u, after closing them all: %u\n", nconns, ws_open,
           ws_after);
#else
    printf("host objects: none (the kernel's sockets)\n");
#endif
    printf("time: all connected %.3f s, all echoes verified %.3f s\n", t_connected, t_verified);
    if (nfailed == 0) {
        printf("bench tcp_connect_all %.1f ms\n", t_connected * 1e3);
        printf("bench tcp_connect_roundtrip %.1f ms\n", t_verified * 1e3);
    }
    free(conns);
    return nfailed || ndone != nconns ? 1 : 0;
}
