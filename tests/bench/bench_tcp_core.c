/* See bench_tcp_core.h. */
#include "bench_tcp_core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536
#define PING 32

enum phase { CONNECT_BULK, CONNECT_ECHO, UP_SEND, UP_ACK, DOWN_REQ, DOWN_RECV, PING_SEND, PING_RECV, DONE };

struct bench_tcp {
    struct bench_tcp_params p;
    int bulk, echo;
    enum phase phase;
    int round, ping;
    uint8_t req[9];
    size_t req_off;
    uint64_t left;          /* bytes still to send or receive in this step */
    size_t ping_off;
    double t0;
    double *up_s, *down_s, *rtt_us;
    uint8_t buf[CHUNK];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_socket(const char *host, uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "bench: bad address %s\n", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        perror("bench: socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        perror("bench: connect");
        close(fd);
        return -1;
    }
    return fd;
}

int bench_tcp_parse_args(struct bench_tcp_params *p, int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST BULK_PORT ECHO_PORT [--rounds R] [--mib M] [--pings P]\n", argv[0]);
        return -1;
    }
    p->host = argv[1];
    p->bulk_port = (uint16_t)atoi(argv[2]);
    p->echo_port = (uint16_t)atoi(argv[3]);
    p->rounds = 5;
    p->bytes = 64u << 20;
    p->pings = 1000;
    p->before_connect = NULL;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rounds")) p->rounds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--mib")) p->bytes = (uint64_t)atoi(argv[i + 1]) << 20;
        else if (!strcmp(argv[i], "--pings")) p->pings = atoi(argv[i + 1]);
    }
    if (p->rounds < 1) p->rounds = 1;
    if (p->pings < 1) p->pings = 1;
    return 0;
}

struct bench_tcp *bench_tcp_start(const struct bench_tcp_params *p)
{
    struct bench_tcp *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->p = *p;
    b->bulk = b->echo = -1;
    b->up_s = calloc((size_t)p->rounds, sizeof(double));
    b->down_s = calloc((size_t)p->rounds, sizeof(double));
    b->rtt_us = calloc((size_t)p->rounds * (size_t)p->pings, sizeof(double));
    for (size_t i = 0; i < CHUNK; i++) b->buf[i] = (uint8_t)(i * 131 + 7);
    if (p->before_connect) p->before_connect(p->bulk_port);
    b->bulk = open_socket(p->host, p->bulk_port);
    if (p->before_connect) p->before_connect(p->echo_port);
    b->echo = b->bulk < 0 ? -1 : open_socket(p->host, p->echo_port);
    if (!b->up_s || !b->down_s || !b->rtt_us || b->echo < 0) {
        bench_tcp_end(b);
        return NULL;
    }
    b->phase = CONNECT_BULK;
    return b;
}

int bench_tcp_fd(const struct bench_tcp *b, int which)
{
    return which ? b->echo : b->bulk;
}

void bench_tcp_waiting_for(const struct bench_tcp *b, int *fd, short *events)
{
    switch (b->phase) {
    case CONNECT_BULK: case UP_SEND: case DOWN_REQ: *fd = b->bulk; *events = POLLOUT; break;
    case UP_ACK: case DOWN_RECV:                    *fd = b->bulk; *events = POLLIN; break;
    case CONNECT_ECHO: case PING_SEND:              *fd = b->echo; *events = POLLOUT; break;
    default:                                        *fd = b->echo; *events = POLLIN; break;
    }
}

static void start_request(struct bench_tcp *b, char kind)
{
    b->req[0] = (uint8_t)kind;
    for (int i = 0; i < 8; i++) b->req[1 + i] = (uint8_t)(b->p.bytes >> (8 * i));
    b->req_off = 0;
    b->left = b->p.bytes;
    b->t0 = now_s();
}

/* Sends what is left of the request header; 1 when it is out. */
static int send_request(struct bench_tcp *b)
{
    while (b->req_off < sizeof b->req) {
        ssize_t n = send(b->bulk, b->req + b->req_off, sizeof b->req - b->req_off, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        b->req_off += (size_t)n;
    }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pick(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i];
}

static void report(struct bench_tcp *b)
{
    double mib = (double)b->p.bytes / 1e6;
    double up = pick(b->up_s, (size_t)b->p.rounds, 0.5), down = pick(b->down_s, (size_t)b->p.rounds, 0.5);
    size_t n = (size_t)b->p.rounds * (size_t)b->p.pings;
    printf("bench tcp_upload %.1f MB/s\n", mib / up);
    printf("bench tcp_download %.1f MB/s\n", mib / down);
    printf("bench tcp_rtt_median %.1f us\n", pick(b->rtt_us, n, 0.5));
    printf("bench tcp_rtt_p99 %.1f us\n", pick(b->rtt_us, n, 0.99));
    fflush(stdout);
}

static int fail(struct bench_tcp *b, const char *what)
{
    fprintf(stderr, "bench: %s (phase %d, round %d): %s\n", what, (int)b->phase, b->round, strerror(errno));
    return -1;
}

int bench_tcp_step(struct bench_tcp *b)
{
    for (;;) {
        struct pollfd pfd;
        bench_tcp_waiting_for(b, &pfd.fd, &pfd.events);
        if (b->phase == DONE) return 0;
        if (poll(&pfd, 1, 0) < 0) return fail(b, "poll");
        if (!(pfd.revents & (pfd.events | POLLERR | POLLHUP))) return 1;
        ssize_t n = 0;
        int r, err = 0;
        socklen_t elen = sizeof err;
        switch (b->phase) {
        case CONNECT_BULK:
        case CONNECT_ECHO:
            if (getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) return fail(b, "getsockopt");
            if (err) {
                errno = err;
                return fail(b, "connect");
            }
            if (b->phase == CONNECT_ECHO) {
                start_request(b, 'U');
                b->phase = UP_SEND;
            } else {
                b->phase = CONNECT_ECHO;
            }
            break;
        case UP_SEND:
            r = send_request(b);
            if (r < 0) return fail(b, "send");
            if (r == 0) break;
            while (b->left > 0) {
                size_t want = b->left < CHUNK ? (size_t)b->left : CHUNK;
                n = send(b->bulk, b->buf, want, MSG_NOSIGNAL);
                if (n < 0) break;
                b->left -= (uint64_t)n;
            }
            if (b->left > 0 && errno != EAGAIN) return fail(b, "send");
            if (b->left == 0) b->phase = UP_ACK;
            break;
        case UP_ACK:
            n = recv(b->bulk, b->buf, 1, 0);
            if (n == 0) errno = EPIPE;
            if (n <= 0 && errno != EAGAIN) return fail(b, "recv ack");
            if (n == 1) {
                b->up_s[b->round] = now_s() - b->t0;
                start_request(b, 'D');
                b->phase = DOWN_REQ;
            }
            break;
        case DOWN_REQ:
            r = send_request(b);
            if (r < 0) return fail(b, "send");
            if (r == 1) b->phase = DOWN_RECV;
            break;
        case DOWN_RECV:
            while (b->left > 0) {
                n = recv(b->bulk, b->buf, CHUNK, 0);
                if (n <= 0) break;
                b->left -= (uint64_t)n;
            }
            if (b->left > 0 && n == 0) errno = EPIPE;
            if (b->left > 0 && n <= 0 && errno != EAGAIN) return fail(b, "recv");
            if (b->left == 0) {
                b->down_s[b->round] = now_s() - b->t0;
                b->ping = 0;
                b->phase = PING_SEND;
            }
            break;
        case PING_SEND:
            b->t0 = now_s();
            n = send(b->echo, b->buf, PING, MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) break;
            if (n != PING) return fail(b, "send ping");
            b->ping_off = 0;
            b->phase = PING_RECV;
            break;
        case PING_RECV:
            n = recv(b->echo, b->buf + CHUNK / 2 + b->ping_off, PING - b->ping_off, 0);
            if (n == 0) errno = EPIPE;
            if (n <= 0 && errno != EAGAIN) return fail(b, "recv ping");
            if (n > 0) b->ping_off += (size_t)n;
            if (b->ping_off < PING) break;
            b->rtt_us[b->round * b->p.pings + b->ping] = (now_s() - b->t0) * 1e6;
            if (memcmp(b->buf, b->buf + CHUNK / 2, PING)) {
                errno = EILSEQ;
                return fail(b, "ping came back different");
            }
            b->phase = PING_SEND;
            if (++b->ping < b->p.pings) break;
            if (++b->round < b->p.rounds) {
                start_request(b, 'U');
                b->phase = UP_SEND;
                break;
            }
            b->phase = DONE;
            report(b);
            return 0;
        case DONE:
            return 0;
        }
    }
}

void bench_tcp_end(struct bench_tcp *b)
{
    if (!b) return;
    if (b->bulk >= 0) close(b->bulk);
    if (b->echo >= 0) close(b->echo);
    free(b->up_s);
    free(b->down_s);
    free(b->rtt_us);
    free(b);
}
