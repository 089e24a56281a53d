/* emnet-testsrv: the real servers that tests talk to, in one native process.
 *
 * Listens on 127.0.0.1 only, each service on a port the kernel picks, and
 * prints one line per service ("tcp_echo 41234") followed by "ready", so the
 * harness never guesses a free port and never races another run.
 *
 *   tcp_echo    sends back every byte it receives; after the client's EOF it
 *               flushes what is left and closes.
 *   tcp_source  sends the shared test pattern (tests/common/pattern.h) from
 *               offset 0 until the client goes away.
 *   tcp_sink    discards what it receives; at the client's EOF it answers
 *               "bytes=N fnv1a=HEX\n" and closes.
 *   tcp_bulk    for benchmarks, answers requests of 9 bytes: 'U' and a
 *               little-endian u64 N: it discards the next N bytes, then
 *               sends "k"; 'D' and N: it sends N bytes (the pattern's first
 *               64 KiB, repeated: filling costs more than sending).
 *               Then the next request. Anything else closes.
 *   tcp_end     ends the connection as the client's first byte asks: 'R'
 *               resets it (SO_LINGER {1, 0}, then close: an RST), 'W'
 *               waits for the client's FIN and closes 200 ms after it (so
 *               the client's FIN is surely first, and what the client does
 *               right after it sees the server still there), any other
 *               byte closes it
 *               in order at once (FIN). Nothing is sent. For
 *               what a client sees after each kind of end.
 *               It also watches how a client ends a connection. The
 *               client sends a mode byte and an 8-byte token (not all
 *               zeros): after 'O' it reads until the client's end; after
 *               'H' it first sends its own FIN (the client may still
 *               send); after 'P' it first sends "unread\n" (which a client
 *               may leave unread). Either way it then records "eof" (the
 *               client's FIN) or "reset" (an RST) under the token, with
 *               "bytes=N fnv1a=HEX" of what came after the token, and
 *               closes. A connection that sends '?' and a token gets that
 *               token's record as a line (once it exists) and is closed.
 *   tcp_silent  a target that never answers a connect: a listener with a
 *               backlog of 0, never accepted from, whose queue this process
 *               fills itself. Linux drops every further SYN to it, so a
 *               client's connect stays in progress (SYN_SENT) until it
 *               gives up; nothing else happens on it.
 *   udp_echo    sends every datagram back to its sender.
 *   udp_burst   a datagram "N SIZE" (text) makes it send N datagrams of SIZE
 *               bytes back to the sender as fast as the socket takes them,
 *               each starting with its sequence number 0..N-1 as 4 bytes,
 *               big-endian (the rest is filler): to fill a receive queue.
 *               While a burst is going out, further requests wait.
 *   udp_dual    sends every datagram back to its sender from its own port,
 *               and first a copy prefixed "other:" from a second socket on
 *               another port: a connected client must see only the echo.
 *               The copy goes first so that, on loopback, once the echo
 *               has arrived the copy has been delivered or dropped too.
 *
 * Memory per connection is one fixed buffer: the echo stops reading while it
 * cannot write, so a client that never reads cannot make it grow.
 * SIGTERM or SIGINT end it cleanly; it also dies with its parent. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "../common/pattern.h"

/* TCP kinds first: open_service tells them apart by order. */
enum kind { TCP_ECHO, TCP_SOURCE, TCP_SINK, TCP_BULK, TCP_END, UDP_ECHO, UDP_BURST, UDP_DUAL, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = { "tcp_echo", "tcp_source", "tcp_sink", "tcp_bulk", "tcp_end",
                                                    "udp_echo", "udp_burst", "udp_dual" };

#define BUF_SIZE 65536

struct conn {
    int fd;
    enum kind kind;
    int listener;           /* 1 for a listening or UDP socket */
    int peer_eof;           /* the client shut down its sending side */
    size_t len, off;        /* pending output: buf[off..len) */
    uint64_t sent;          /* tcp_source: stream offset */
    uint64_t count, hash;   /* tcp_sink */
    uint8_t req[9];         /* tcp_bulk: the request being read; tcp_end: mode byte and token */
    size_t req_len;
    char mode;              /* tcp_bulk: 'U' or 'D' while serving one, else 0; tcp_end: 'W' waiting for
                             * EOF, 'w' closing soon after it (other_fd: its timer), 'T' reading a
                             * token, 'O' watching the client's end, '?' a query waiting for its
                             * record, '!' sending it */
    int other_fd;           /* udp_dual: the socket the copies come from; tcp_end 'w': a timer; else -1 */
    uint64_t left;          /* tcp_bulk: bytes still to discard or send */
    struct sockaddr_storage to;   /* udp_burst: where the burst goes */
    socklen_t to_len;
    uint32_t burst_seq, burst_count;   /* udp_burst: next number, how many in all */
    size_t burst_size;
    uint8_t buf[BUF_SIZE];
};

/* tcp_silent: the listener and the connections that fill its queue. */
#define SILENT_FILLERS 2
static int silent_fds[1 + SILENT_FILLERS];

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static int ep;

/* Every open socket by fd, so that a clean exit frees them all. */
#define MAX_FDS 65536
static struct conn *conns[MAX_FDS];

static void fail(const char *what)
{
    fprintf(stderr, "emnet-testsrv: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void watch(struct conn *c, int op, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = c };
    if (epoll_ctl(ep, op, c->fd, &ev) < 0) fail("epoll_ctl");
}

static struct conn *conn_new(int fd, enum kind kind, int listener)
{
    if (fd >= MAX_FDS) {
        fprintf(stderr, "emnet-testsrv: fd %d over the table, dropped\n", fd);
        close(fd);
        return NULL;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c) fail("calloc");
    conns[fd] = c;
    c->fd = fd;
    c->kind = kind;
    c->listener = listener;
    c->hash = EMNET_TEST_FNV1A_INIT;
    c->other_fd = -1;
    return c;
}

static void conn_close(struct conn *c)
{
    conns[c->fd] = NULL;
    close(c->fd);   /* also drops it from the epoll set */
    if (c->other_fd >= 0) close(c->other_fd);
    free(c);
}

/* A socket bound to 127.0.0.1 on a port the kernel picks; returns its port. */
static int open_bound(int type, uint16_t *port)
{
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("bind");
    socklen_t alen = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &alen) < 0) fail("getsockname");
    *port = ntohs(a.sin_port);
    return fd;
}

static void open_service(enum kind kind)
{
    int udp = kind >= UDP_ECHO;
    uint16_t port;
    int fd = open_bound(udp ? SOCK_DGRAM : SOCK_STREAM, &port);
    if (!udp && listen(fd, 1024) < 0) fail("listen");
    printf("%s %u\n", kind_names[kind], port);
    struct conn *c = conn_new(fd, kind, 1);
    if (!c) exit(1);
    if (kind == UDP_DUAL) {
        /* Never read: nobody is told its port. */
        uint16_t other_port;
        c->other_fd = open_bound(SOCK_DGRAM, &other_port);
    }
    watch(c, EPOLL_CTL_ADD, EPOLLIN);
}

static void on_accept(struct conn *l)
{
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR)
                fprintf(stderr, "emnet-testsrv: accept: %s\n", strerror(errno));
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = conn_new(fd, l->kind, 0);
        if (!c) continue;
        watch(c, EPOLL_CTL_ADD, l->kind == TCP_SOURCE ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
}

static void on_udp(struct conn *c)
{
    for (;;) {
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(c->fd, c->buf, sizeof c->buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) return;   /* EAGAIN, or an ICMP error queued for the socket */
        sendto(c->fd, c->buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
    }
}

static void on_udp_dual(struct conn *c)
{
    static uint8_t copy[65507];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(c->fd, c->buf, sizeof c->buf, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) return;
        size_t clen = 6 + (size_t)n < sizeof copy ? 6 + (size_t)n : sizeof copy;
        memcpy(copy, "other:", 6);
        memcpy(copy + 6, c->buf, clen - 6);
        sendto(c->other_fd, copy, clen, 0, (struct sockaddr *)&from, flen);
        sendto(c->fd, c->buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
    }
}

/* Sends what is left of the current burst; when the socket is full, waits
 * for EPOLLOUT rather than spinning, and reads no request meanwhile. */
static void burst_send(struct conn *c)
{
    while (c->burst_seq < c->burst_count) {
        uint32_t seq = c->burst_seq;
        c->buf[0] = (uint8_t)(seq >> 24);
        c->buf[1] = (uint8_t)(seq >> 16);
        c->buf[2] = (uint8_t)(seq >> 8);
        c->buf[3] = (uint8_t)seq;
        ssize_t n = sendto(c->fd, c->buf, c->burst_size, 0, (struct sockaddr *)&c->to, c->to_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            watch(c, EPOLL_CTL_MOD, EPOLLOUT);
            return;
        }
        /* Any other failure (ENOBUFS) loses this datagram, as the
         * network may: the client sees a gap in the numbers. */
        c->burst_seq++;
    }
    watch(c, EPOLL_CTL_MOD, EPOLLIN);
}

static void on_udp_burst(struct conn *c)
{
    if (c->burst_seq < c->burst_count) {
        burst_send(c);
        return;
    }
    for (;;) {
        char req[64];
        c->to_len = sizeof c->to;
        ssize_t n = recvfrom(c->fd, req, sizeof req - 1, 0, (struct sockaddr *)&c->to, &c->to_len);
        if (n < 0) return;
        req[n] = 0;
        unsigned long count, size;
        if (sscanf(req, "%lu %lu", &count, &size) != 2 || count < 1 || count > 100000 || size < 4 || size > 65507)
            continue;
        c->burst_count = (uint32_t)count;
        c->burst_seq = 0;
        c->burst_size = (size_t)size;
        for (size_t i = 4; i < c->burst_size; i++) c->buf[i] = (uint8_t)('a' + i % 26);
        burst_send(c);
        if (c->burst_seq < c->burst_count) return;
    }
}

/* Writes pending output; returns 1 when all of it went out, 0 if the socket
 * is full, -1 if the client is gone. */
static int flush_out(struct conn *c)
{
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->off += (size_t)n;
    }
    c->off = c->len = 0;
    return 1;
}

/* Returns 0 to keep the connection, -1 to close it. */
static int on_echo(struct conn *c)
{
    int r = flush_out(c);
    if (r < 0) return -1;
    while (r == 1 && !c->peer_eof) {
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n < 0) {
            if (errno == EAGAIN) break;
            return -1;
        }
        if (n == 0) {
            c->peer_eof = 1;
            break;
        }
        c->len = (size_t)n;
        r = flush_out(c);
        if (r < 0) return -1;
    }
    if (r == 1 && c->peer_eof) {
        shutdown(c->fd, SHUT_WR);
        return -1;
    }
    /* Read again only when everything read so far has been written. */
    watch(c, EPOLL_CTL_MOD, r == 1 ? EPOLLIN : EPOLLOUT);
    return 0;
}

static int on_source(struct conn *c, uint32_t events)
{
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) return -1;
    }
    for (;;) {
        int r = flush_out(c);
        if (r <= 0) return r;
        emnet_test_pattern_fill(c->buf, sizeof c->buf, c->sent);
        c->sent += sizeof c->buf;
        c->len = sizeof c->buf;
    }
}

static int on_sink(struct conn *c)
{
    if (c->peer_eof) return flush_out(c) == 0 ? 0 : -1;
    for (;;) {
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        if (n == 0) break;
        c->count += (uint64_t)n;
        c->hash = emnet_test_fnv1a(c->hash, c->buf, (size_t)n);
    }
    c->peer_eof = 1;
    c->len = (size_t)snprintf((char *)c->buf, sizeof c->buf, "bytes=%" PRIu64 " fnv1a=%016" PRIx64 "\n",
                              c->count, c->hash);
    c->off = 0;
    if (flush_out(c) != 0) return -1;
    watch(c, EPOLL_CTL_MOD, EPOLLOUT);
    return 0;
}

/* Reads one request's 9 bytes; 1 when complete, 0 if more must come. */
static int bulk_read_request(struct conn *c)
{
    while (c->req_len < sizeof c->req) {
        ssize_t n = recv(c->fd, c->req + c->req_len, sizeof c->req - c->req_len, 0);
        if (n <= 0) return n == 0 || errno != EAGAIN ? -1 : 0;
        c->req_len += (size_t)n;
    }
    c->req_len = 0;
    if (c->req[0] != 'U' && c->req[0] != 'D') return -1;
    c->mode = (char)c->req[0];
    c->left = 0;
    for (int i = 8; i >= 1; i--) c->left = c->left << 8 | c->req[i];
    if (c->mode == 'D') emnet_test_pattern_fill(c->buf, sizeof c->buf, 0);
    return 1;
}

static int on_bulk(struct conn *c)
{
    for (;;) {
        int r = flush_out(c);
        if (r <= 0) {
            if (r == 0) watch(c, EPOLL_CTL_MOD, EPOLLOUT);
            return r;
        }
        if (c->mode == 0) {
            r = bulk_read_request(c);
            if (r < 0) return -1;
            if (r == 0) break;
        }
        if (c->mode == 'U') {
            while (c->left > 0) {
                size_t want = c->left < sizeof c->buf ? (size_t)c->left : sizeof c->buf;
                ssize_t n = recv(c->fd, c->buf, want, 0);
                if (n == 0 || (n < 0 && errno != EAGAIN)) return -1;
                if (n < 0) goto wait_input;
                c->left -= (uint64_t)n;
            }
            c->buf[0] = 'k';
            c->len = 1;
            c->mode = 0;
        } else {
            if (c->left == 0) {
                c->mode = 0;
                continue;
            }
            size_t n = c->left < sizeof c->buf ? (size_t)c->left : sizeof c->buf;
            c->left -= n;
            c->len = n;
        }
    }
wait_input:
    watch(c, EPOLL_CTL_MOD, EPOLLIN);
    return 0;
}

/* tcp_end's records of how watched connections ended, oldest first, each
 * under the token its client chose (tests running at once keep theirs
 * apart). A full table forgets its oldest record. */
#define END_RECORDS 64
#define END_TOKEN 8
static struct end_record {
    uint8_t token[END_TOKEN];
    char text[80];
} end_records[END_RECORDS];
static unsigned end_first, end_count;

/* Gives each waiting query the record of its token, if there is one now. */
static void give_records(void)
{
    for (int fd = 0; fd < MAX_FDS; fd++) {
        struct conn *q = conns[fd];
        if (!q || q->kind != TCP_END || q->mode != '?') continue;
        for (unsigned i = 0; i < end_count; i++) {
            struct end_record *r = &end_records[(end_first + i) % END_RECORDS];
            if (memcmp(r->token, q->req + 1, END_TOKEN) != 0) continue;
            q->len = (size_t)snprintf((char *)q->buf, sizeof q->buf, "%s\n", r->text);
            q->off = 0;
            q->mode = '!';
            memset(r->token, 0, END_TOKEN);   /* given: no token of a client is all zeros */
            watch(q, EPOLL_CTL_MOD, EPOLLOUT);   /* sent (and closed) from its own event */
            break;
        }
    }
}

/* A watched connection: counts what comes until the client's FIN or RST,
 * then records which it was; -1 to close then. */
static int end_watch(struct conn *c)
{
    const char *how;
    for (;;) {
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n > 0) {
            c->count += (uint64_t)n;
            c->hash = emnet_test_fnv1a(c->hash, c->buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EAGAIN) return 0;
        if (n < 0 && errno == EINTR) continue;
        how = n == 0 ? "eof" : errno == ECONNRESET ? "reset" : strerror(errno);
        break;
    }
    if (end_count == END_RECORDS) {
        end_first = (end_first + 1) % END_RECORDS;
        end_count--;
    }
    struct end_record *r = &end_records[(end_first + end_count++) % END_RECORDS];
    memcpy(r->token, c->req + 1, END_TOKEN);
    snprintf(r->text, sizeof r->text, "%s bytes=%" PRIu64 " fnv1a=%016" PRIx64, how, c->count, c->hash);
    give_records();
    return -1;
}

/* The mode byte and the token of a watched connection or a query; 1 once
 * all 9 bytes are in, 0 if more must come, -1 if the client went away. */
static int end_request(struct conn *c)
{
    while (c->req_len < 1 + END_TOKEN) {
        ssize_t n = recv(c->fd, c->req + c->req_len, 1 + END_TOKEN - c->req_len, 0);
        if (n <= 0) return n == 0 || errno != EAGAIN ? -1 : 0;
        c->req_len += (size_t)n;
    }
    return 1;
}

/* Returns 0 until the client's first byte came, then -1 to close: after
 * SO_LINGER {1, 0} that close is a reset. The byte has been read, so an
 * orderly close is a FIN (unread data would make it a reset too). The
 * watching modes and queries keep the connection as the top says. */
static int on_end(struct conn *c)
{
    if (c->mode == 'O') return end_watch(c);
    if (c->mode == '?') {   /* waiting for its record: only the client's end matters */
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        return n == 0 || (n < 0 && errno != EAGAIN) ? -1 : 0;
    }
    if (c->mode == '!') return flush_out(c) == 0 ? 0 : -1;   /* the answer, then close */
    if (c->mode == 'w') {   /* 'W' after the client's FIN: its timer fired (the only fd watched) */
        uint64_t ticks;
        return read(c->other_fd, &ticks, sizeof ticks) == (ssize_t)sizeof ticks ? -1 : 0;
    }
    if (c->mode == 'T') {   /* reading a token */
        int r = end_request(c);
        if (r <= 0) return r;
        uint8_t b = c->req[0];
        if (b == '?') {
            c->mode = '?';
            give_records();
            return 0;
        }
        c->mode = 'O';
        if (b == 'H') shutdown(c->fd, SHUT_WR);
        if (b == 'P') send(c->fd, "unread\n", 7, MSG_NOSIGNAL);
        return end_watch(c);
    }
    uint8_t b;
    ssize_t n = recv(c->fd, &b, 1, 0);
    if (n < 0 && errno == EAGAIN) return 0;
    if (n == 1 && !c->mode && (b == 'O' || b == 'H' || b == 'P' || b == '?')) {
        c->mode = 'T';
        c->req[0] = b;
        c->req_len = 1;
        return on_end(c);
    }
    if (n == 1 && (b == 'W' || c->mode == 'W')) {
        c->mode = 'W';   /* read on until the client's FIN */
        return 0;
    }
    if (n == 0 && c->mode == 'W') {
        /* The client's FIN: close 200 ms later, so that what the client
         * does right after its shutdown sees a server that has not closed
         * yet (FIN_WAIT2, not TIME_WAIT), natively as through a proxy. */
        int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        struct itimerspec its = { .it_value = { .tv_nsec = 200000000 } };
        if (t < 0 || timerfd_settime(t, 0, &its, NULL) < 0) {
            if (t >= 0) close(t);
            return -1;
        }
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        c->other_fd = t;
        c->mode = 'w';
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev) < 0) return -1;
        return 0;
    }
    if (n == 1 && b == 'R') {
        struct linger lg = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    return -1;
}

/* tcp_silent (see the top). Not in the epoll set: nothing is ever done
 * with these sockets but closing them at exit. */
static void open_silent(void)
{
    uint16_t port;
    int fd = silent_fds[0] = open_bound(SOCK_STREAM, &port);
    if (listen(fd, 0) < 0) fail("listen");
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    for (int i = 1; i <= SILENT_FILLERS; i++) {
        int c = silent_fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c < 0) fail("socket");
        if (connect(c, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) fail("connect");
    }
    printf("tcp_silent %u\n", port);
}

int main(void)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) fail("epoll_create1");
    for (int k = 0; k < KIND_COUNT; k++) open_service((enum kind)k);
    open_silent();
    printf("ready\n");
    fflush(stdout);

    struct epoll_event evs[64];
    while (!stopping) {
        int n = epoll_wait(ep, evs, 64, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int r = 0;
            if (c->kind == UDP_ECHO) on_udp(c);
            else if (c->kind == UDP_DUAL) on_udp_dual(c);
            else if (c->kind == UDP_BURST) on_udp_burst(c);
            else if (c->listener) on_accept(c);
            else if (c->kind == TCP_ECHO) r = on_echo(c);
            else if (c->kind == TCP_SOURCE) r = on_source(c, evs[i].events);
            else if (c->kind == TCP_SINK) r = on_sink(c);
            else if (c->kind == TCP_END) r = on_end(c);
            else r = on_bulk(c);
            if (r < 0) conn_close(c);
        }
    }
    for (int fd = 0; fd < MAX_FDS; fd++)
        if (conns[fd]) conn_close(conns[fd]);
    for (int i = 0; i <= SILENT_FILLERS; i++) close(silent_fds[i]);
    close(ep);
    return 0;
}
