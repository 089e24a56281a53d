/* UDP echo at volume: one unconnected UDP socket sends COUNT datagrams to
 * the echo server with sendto() and reads the echoes with recvfrom(). Each
 * datagram carries its sequence number and a size of its own (8 bytes up
 * to MAX_SIZE), filled with bytes derived from the number, so that an echo
 * is checked for size, content and sender.
 *
 * At most WINDOW datagrams are in flight (sent, neither echoed nor given up
 * for lost), so that loopback, whose socket buffers are the only queue,
 * does not drop them: the kernel charges a datagram's true size (about
 * 2.3 KB for 1200 bytes) against a receive buffer of 212992 bytes by
 * default, and the echo server's socket, or a proxy's, takes a whole window
 * in a burst when the datagrams come over one WebSocket. 64 leaves room;
 * 256 was measured to lose a quarter of them through emnet-proxy. UDP may lose datagrams; over loopback, and over a
 * Wisp stream carried by TCP, it should not, nor reorder them: the program
 * counts echoes that come back out of order (a sequence number not above
 * the highest seen so far), losses (never echoed; a second without any echo
 * gives up on those in flight) and corrupt ones, and fails on any.
 *
 * Written as a plain epoll_wait loop over the socket; in wasm it is linked
 * with ASYNCIFY, its datagrams go over a Wisp UDP stream.
 *
 * With "resend" (for a path where datagrams may truly be lost or
 * reordered, as QUIC datagrams may: the webtransport transport), every
 * datagram still has to come back, checked, but one whose echo has not
 * come within RESEND_MS is sent again (up to RESEND_MAX times), and an
 * echo may come out of order: the program counts the datagrams it had to
 * send again, the echoes that came back out of order, and the second
 * echoes of datagrams sent twice, and fails only on a datagram that never
 * came back or on a corrupt echo.
 *
 *   udp_echo_100k [COUNT [WINDOW [MAX_SIZE [resend]]]]   default 100000 64 1200;
 *                                              needs EMNET_UDP_ECHO_PORT
 * Prints:
 *   sent N datagrams (8 to MAX_SIZE bytes, B bytes), echoed E, lost L, reordered R, corrupt C
 *   (resend:) resent X datagrams (P% of N), duplicate echoes D
 *   N datagrams in S s: D datagrams/s each way
 *   bench udp_echo_rate D datagrams/s
 *   (resend:) bench udp_resent_pct P % */
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

#include "../common/clock_rng.h"
#include "../common/pattern.h"

#define HEADER 4              /* the sequence number, little-endian */
#define MIN_SIZE 8
#define GIVE_UP_MS 1000       /* no echo for this long: those in flight are lost */
#define DEADLINE_S 100.0      /* below ctest's timeout */
#define REPORT_PROBLEMS 10
#define RESEND_MS 300         /* resend: no echo for this long, the datagram goes again */
#define RESEND_MAX 20         /* ... this many times at most, then it counts as lost */

static uint32_t count, window, max_size;
static uint8_t *seen;          /* a bit per sequence number: echoed */
static uint32_t next_seq;      /* the next to send */
static uint32_t settled;       /* below it: echoed, or given up for lost */
static int64_t highest = -1;   /* the highest sequence number echoed */
static uint32_t echoed, reordered, corrupt, problems;
static uint64_t bytes_sent;
/* resend: the datagrams in flight (a slot each), sent again when late. */
static int resend;
struct slot {
    int used;
    uint32_t seq;
    uint32_t tries;
    double sent_at;
};
static struct slot *slots;
static uint32_t inflight, resent, duplicates, given_up;
static uint8_t *sent_again;   /* a bit per sequence number: sent more than once */

static size_t size_of(uint32_t seq)
{
    return MIN_SIZE + emnet_test_pattern_word(seq) % (max_size - MIN_SIZE + 1);
}

/* A datagram's whole content, derived from its number. */
static void fill(uint8_t *buf, uint32_t seq, size_t size)
{
    for (int i = 0; i < HEADER; i++) buf[i] = (uint8_t)(seq >> (8 * i));
    emnet_test_pattern_fill(buf + HEADER, size - HEADER, (uint64_t)seq << 16);
}

static void problem(const char *what, uint32_t seq, size_t len)
{
    if (problems++ < REPORT_PROBLEMS) fprintf(stderr, "datagram %" PRIu32 " (%zu bytes): %s\n", seq, len, what);
}

static void on_echo(const uint8_t *buf, size_t len, const struct sockaddr_in *from, const struct sockaddr_in *to)
{
    static uint8_t want[65536];
    if (len < HEADER || from->sin_port != to->sin_port || from->sin_addr.s_addr != to->sin_addr.s_addr) {
        corrupt++;
        problem("not an echo from the server", 0, len);
        return;
    }
    uint32_t seq = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
    if (resend && seq < next_seq && (seen[seq / 8] & (1u << (seq % 8))) && (sent_again[seq / 8] & (1u << (seq % 8)))) {
        duplicates++;   /* the echo of a copy sent again */
        return;
    }
    if (seq >= next_seq || (seen[seq / 8] & (1u << (seq % 8)))) {
        corrupt++;
        problem(seq >= next_seq ? "never sent" : "echoed twice", seq, len);
        return;
    }
    size_t size = size_of(seq);
    fill(want, seq, size);
    if (len != size || memcmp(buf, want, size) != 0) {
        corrupt++;
        problem("differs from what was sent", seq, len);
        return;
    }
    seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
    echoed++;
    if (resend) {
        for (uint32_t i = 0; i < window; i++)
            if (slots[i].used && slots[i].seq == seq) {
                slots[i].used = 0;
                inflight--;
                break;
            }
        if ((int64_t)seq <= highest) reordered++;   /* may be, on this path: counted, not a failure */
        else highest = seq;
        return;
    }
    if ((int64_t)seq <= highest) {
        reordered++;
        problem("came back after a later one", seq, len);
    } else {
        highest = seq;
    }
    /* Nothing is reordered, so every number below this one that has not
     * come back never will. */
    if (seq + 1 > settled) settled = seq + 1;
}

/* Sends datagram seq: its size, 0 when the socket is full (EAGAIN,
 * ENOBUFS: try again once writable), -1 on any other failure. */
static ssize_t send_seq(int fd, uint8_t *buf, uint32_t seq, const struct sockaddr_in *to)
{
    size_t size = size_of(seq);
    fill(buf, seq, size);
    ssize_t r = sendto(fd, buf, size, 0, (const struct sockaddr *)to, sizeof *to);
    if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) return 0;
    if (r != (ssize_t)size) {
        perror("sendto");
        return -1;
    }
    return r;
}

static void set_interest(int ep, int fd, uint32_t events, uint32_t *current)
{
    if (events == *current) return;
    struct epoll_event ev = { .events = events, .data.fd = fd };
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    *current = events;
}

int main(int argc, char **argv)
{
    count = argc > 1 ? (uint32_t)atol(argv[1]) : 100000;
    window = argc > 2 ? (uint32_t)atol(argv[2]) : 64;
    max_size = argc > 3 ? (uint32_t)atol(argv[3]) : 1200;
    resend = argc > 4 && !strcmp(argv[4], "resend");
    if (count < 1 || window < 1 || max_size < MIN_SIZE || max_size > 65000 || (argc > 4 && !resend)) {
        printf("usage: udp_echo_100k [COUNT [WINDOW [MAX_SIZE (%d-65000) [resend]]]]\n", MIN_SIZE);
        return 2;
    }
    const char *port = getenv("EMNET_UDP_ECHO_PORT");
    if (!port) {
        printf("EMNET_UDP_ECHO_PORT is not set\n");
        return 2;
    }
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    seen = calloc(count / 8 + 1, 1);
    sent_again = calloc(count / 8 + 1, 1);
    slots = calloc(window, sizeof *slots);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!seen || !sent_again || !slots || fd < 0 || ep < 0) {
        perror("setup");
        return 1;
    }
    /* Room for a whole window of echoes (the kernel may give less; emnet
     * may not take the option at all: then its own buffer decides). */
    int rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    uint32_t interest = EPOLLIN | EPOLLOUT;
    struct epoll_event ev = { .events = interest, .data.fd = fd };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        perror("epoll_ctl");
        return 1;
    }

    static uint8_t buf[65536];
    double t0 = emnet_test_now_s(), last_echo = t0;
    int failed = 0;
    while ((resend ? next_seq < count || inflight : settled < count) && !failed) {
        int blocked = 0;
        if (resend) {
            /* Late ones first, then new ones into the free slots. */
            double t = emnet_test_now_s();
            for (uint32_t i = 0; i < window && !blocked && !failed; i++) {
                struct slot *sl = &slots[i];
                if (!sl->used && next_seq < count) {
                    sl->used = 1;
                    sl->seq = next_seq++;
                    sl->tries = 0;
                    sl->sent_at = 0;
                    inflight++;
                }
                if (!sl->used || (sl->tries && t - sl->sent_at < RESEND_MS / 1e3)) continue;
                if (sl->tries > RESEND_MAX) {
                    problem("never echoed, however often sent", sl->seq, 0);
                    sl->used = 0;
                    inflight--;
                    given_up++;
                    continue;
                }
                ssize_t r = send_seq(fd, buf, sl->seq, &to);
                if (r <= 0) {
                    blocked = r == 0;
                    failed = r < 0;
                    break;
                }
                if (sl->tries++) {
                    resent++;
                    sent_again[sl->seq / 8] |= (uint8_t)(1u << (sl->seq % 8));
                } else {
                    bytes_sent += (size_t)r;
                }
                sl->sent_at = t;
            }
        }
        while (!resend && next_seq < count && next_seq - settled < window) {
            ssize_t r = send_seq(fd, buf, next_seq, &to);
            if (r <= 0) {
                blocked = r == 0;
                failed = r < 0;
                break;
            }
            bytes_sent += (size_t)r;
            next_seq++;
        }
        set_interest(ep, fd, EPOLLIN | (blocked ? EPOLLOUT : 0), &interest);
        int n = epoll_wait(ep, &ev, 1, resend ? RESEND_MS / 4 : GIVE_UP_MS / 4);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            failed = 1;
        }
        double now = emnet_test_now_s();
        for (;;) {
            struct sockaddr_in from;
            socklen_t flen = sizeof from;
            ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
            if (r < 0) {
                if (errno != EAGAIN) {
                    perror("recvfrom");
                    failed = 1;
                }
                break;
            }
            on_echo(buf, (size_t)r, &from, &to);
            last_echo = now;
        }
        if (!resend && now - last_echo > GIVE_UP_MS / 1e3 && settled < next_seq) {
            problem("no echo for a while: those in flight count as lost", settled, 0);
            settled = next_seq;
            last_echo = now;
        }
        if (now - t0 > DEADLINE_S) {
            fprintf(stderr, "not done in %.0f s\n", DEADLINE_S);
            failed = 1;
        }
    }
    double secs = emnet_test_now_s() - t0;
    close(ep);
    close(fd);
    free(seen);
    free(sent_again);
    free(slots);

    uint32_t lost = next_seq - echoed;
    printf("sent %" PRIu32 " datagrams (%d to %" PRIu32 " bytes, %" PRIu64 " bytes), echoed %" PRIu32
           ", lost %" PRIu32 ", reordered %" PRIu32 ", corrupt %" PRIu32 "\n",
           next_seq, MIN_SIZE, max_size, bytes_sent, echoed, lost, reordered, corrupt);
    if (resend)
        printf("resent %" PRIu32 " datagrams (%.3f%% of %" PRIu32 "), duplicate echoes %" PRIu32 "\n", resent,
               100.0 * resent / (next_seq ? next_seq : 1), next_seq, duplicates);
    printf("%" PRIu32 " datagrams in %.3f s: %.0f datagrams/s each way\n", next_seq, secs, (double)echoed / secs);
    if (failed || lost || (reordered && !resend) || corrupt || next_seq != count) return 1;
    printf("bench udp_echo_rate %.0f datagrams/s\n", (double)echoed / secs);
    if (resend) printf("bench udp_resent_pct %.3f %%\n", 100.0 * resent / count);
    return 0;
}
