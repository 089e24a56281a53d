/* Helpers for the TCP scenarios: the harness's servers, by the port the
 * harness gives in the environment (tests/harness/services.sh). Natively
 * the kernel connects to them; in wasm emnet reaches them through the
 * websockify the harness also started (EMNET_WS_URL). */
#ifndef EMNET_CONFORMANCE_NET_H
#define EMNET_CONFORMANCE_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trace.h"
#include "../common/clock_rng.h"

static inline struct sockaddr_in net_addr(const char *port_env)
{
    const char *v = getenv(port_env);
    if (!v) {
        printf("%s is not set: run under tests/harness/services.sh\n", port_env);
        exit(2);
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(v));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

#define NET_ECHO "EMNET_TCP_ECHO_PORT"
#define NET_SOURCE "EMNET_TCP_SOURCE_PORT"
#define NET_SINK "EMNET_TCP_SINK_PORT"
#define NET_REFUSED "EMNET_TCP_REFUSED_PORT"
#define NET_END "EMNET_TCP_END_PORT"   /* first byte 'R': resets; any other: closes (FIN) */

/* Whether a server's reset reaches the program as one (ECONNRESET):
 * natively; in wasm over the websockify transport (websockify drops the
 * WebSocket without a close frame, emnet-proxy closes with 1011: not the
 * 1000 of an orderly end), over webtransport (RESET_STREAM) and over wisp
 * to emnet-proxy (CLOSE 0x03). The
 * wisp-js server closes its stream with VOLUNTARY after a reset
 * (DEVIATIONS.md P3): there a reset reads as EOF. */
static inline int net_reset_arrives(void)
{
#ifdef __EMSCRIPTEN__
    const char *transport = getenv("EMNET_TRANSPORT");
    const char *via = getenv("EMNET_TEST_VIA");
    if (!transport || strcmp(transport, "wisp") != 0) return 1;
    return via && strcmp(via, "emnet-proxy-wisp") == 0;
#else
    return 1;
#endif
}
/* Whether our FIN reaches the server and the server's FIN leaves us able
 * to send (TCP's half-close), and whether SO_LINGER {1, 0} and a close
 * with unread data reset the connection: natively, in wasm over
 * webtransport (stream FIN and RESET_STREAM, natively), and over wisp to
 * emnet-proxy, which speaks emnet's half-close and reset extensions
 * (docs/wisp-extensions.md). websockify and the wisp-js server carry
 * neither (DEVIATIONS.md W1, W3). */
static inline int net_ends_carried(void)
{
#ifdef __EMSCRIPTEN__
    const char *transport = getenv("EMNET_TRANSPORT");
    const char *via = getenv("EMNET_TEST_VIA");
    if (transport && strcmp(transport, "webtransport") == 0) return 1;
    return transport && strcmp(transport, "wisp") == 0 && via && strcmp(via, "emnet-proxy-wisp") == 0;
#else
    return 1;
#endif
}

/* A target that never answers a connect (its listen queue is full, so the
 * kernel drops the SYNs): a connect to it stays in progress. */
#define NET_SILENT "EMNET_TCP_SILENT_PORT"

/* No SIGPIPE natively either, so that both builds see EPIPE. */
static inline void net_setup(void)
{
    signal(SIGPIPE, SIG_IGN);
}

/* Waits (up to 10 s, in 5 ms naps) until at least n bytes have arrived
 * on s; returns how many there are (FIONREAD), or -1. */
static inline int net_wait_avail(int s, int n)
{
    int avail = 0;
    for (int i = 0; i < 2000; i++) {
        if (ioctl(s, FIONREAD, &avail) < 0) return -1;
        if (avail >= n) break;
        poll(NULL, 0, 5);
    }
    return avail;
}

/* xorshift32: chunk sizes and data from a fixed seed, the same in both
 * builds. */
static inline uint32_t net_rng(uint32_t *state)
{
    return emnet_test_xorshift32(state);
}

/* ---- UDP: the harness's datagram services ---- */
#define NET_UDP_ECHO "EMNET_UDP_ECHO_PORT"         /* each datagram back to its sender */
#define NET_UDP_BURST "EMNET_UDP_BURST_PORT"       /* "N SIZE": N numbered datagrams back */
#define NET_UDP_DUAL "EMNET_UDP_DUAL_PORT"         /* the echo, after an "other:" copy from another port */
#define NET_UDP_REFUSED "EMNET_UDP_REFUSED_PORT"   /* nothing there: ICMP port unreachable */

/* Waits up to timeout_ms for POLLIN on s, unrecorded; returns revents (0
 * when the time ran out). Every recv on loopback comes after one, so that a
 * lost datagram fails the scenario instead of hanging it. */
static inline int net_wait_in(int s, int timeout_ms)
{
    struct pollfd p = { .fd = s, .events = POLLIN };
    return poll(&p, 1, timeout_ms) > 0 ? p.revents : 0;
}

/* The service's port, as the harness gave it. */
static inline uint16_t net_port(const char *port_env)
{
    return ntohs(net_addr(port_env).sin_port);
}

/* The same service as an AF_INET6 v4-mapped address, ::ffff:127.0.0.1. */
static inline struct sockaddr_in6 net_addr6_mapped(const char *port_env)
{
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = net_addr(port_env).sin_port;
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &a.sin6_addr);
    return a;
}

/* Records an address without what changes from run to run: the family,
 * the address as text and the port only as "expected" (== want), "0" or
 * "other" (an ephemeral port). len is the length the call returned; the
 * address is read by its family from a sockaddr_storage. */
static inline void net_trace_addr(const char *label, const struct sockaddr_storage *sa, socklen_t len, uint16_t want)
{
    sa_family_t fam = sa->ss_family;
    char text[INET6_ADDRSTRLEN] = "?";
    const char *family = "other";
    uint16_t port = 0;
    if (fam == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        family = "AF_INET";
        inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
        port = ntohs(in.sin_port);
    } else if (fam == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        family = "AF_INET6";
        inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
        port = ntohs(in6.sin6_port);
    } else if (fam == AF_UNSPEC) {
        family = "AF_UNSPEC";
    }
    printf("  %s: len=%d %s %s port=%s\n", label, (int)len, family, text,
           port == 0 ? "0" : port == want ? "expected" : "other");
    fflush(stdout);
}

/* getsockname, traced: the local address (the port "expected" when it is
 * want); returns the port. */
static inline uint16_t net_trace_local(int s, uint16_t want)
{
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    T(getsockname(s, (struct sockaddr *)&a, &alen));
    net_trace_addr("local", &a, alen, want);
    return a.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&a)->sin6_port)
                                   : ntohs(((struct sockaddr_in *)&a)->sin_port);
}

#ifndef POLLRDHUP   /* <poll.h> came before _GNU_SOURCE was defined */
#define POLLRDHUP 0x2000
#endif

/* A zero-timeout poll for IN, OUT and RDHUP, traced. */
static inline void net_trace_poll(int s)
{
    struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
}

/* A datagram's first bytes as text, for the trace. */
static inline void net_trace_data(const char *label, const void *buf, long n)
{
    int shown = n < 0 ? 0 : n > 48 ? 48 : (int)n;
    printf("  %s \"%.*s\"%s\n", label, shown, (const char *)buf, n > shown ? "..." : "");
    fflush(stdout);
}

/* Asks the burst server for count datagrams of size bytes, lets them pile
 * up unread, then reads them all and records only what holds for any
 * receive queue that drops what does not fit: some arrived, not all of
 * them, the first is number 0, the numbers strictly increase (no
 * duplicate, no reordering), each is whole. How many fit is the
 * implementation's own (buffer accounting differs), so it is not
 * printed. The wait: the first datagram, then a second for the rest to
 * land (or be dropped); then reading until 500 ms pass without one. */
static inline void net_udp_burst_facts(int s, unsigned count, unsigned size)
{
    struct sockaddr_in burst = net_addr(NET_UDP_BURST);
    char req[32];
    int len = snprintf(req, sizeof req, "%u %u", count, size);
    long r = sendto(s, req, (size_t)len, 0, (struct sockaddr *)&burst, sizeof burst);
    TRACE_VALUE("request sent", r == len);
    TRACE_VALUE("first arrived", net_wait_in(s, 5000) == POLLIN);
    poll(NULL, 0, 1000);
    static unsigned char b[65536];
    unsigned got = 0, whole = 1, increasing = 1;
    long first = -1, last = -1;
    while (net_wait_in(s, 500) & POLLIN) {
        long n = recv(s, b, sizeof b, MSG_DONTWAIT);
        if (n < 0) break;
        long seq = (long)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
        if (n != (long)size) whole = 0;
        if (got == 0) first = seq;
        else if (seq <= last) increasing = 0;
        last = seq;
        got++;
    }
    TRACE_VALUE("some received", got > 0);
    TRACE_VALUE("fewer than sent", got < count);
    TRACE_VALUE("first is number 0", first == 0);
    TRACE_VALUE("numbers strictly increase", increasing);
    TRACE_VALUE("each whole", whole);
    TRACE_VALUE("last below count", last < (long)count);
}

/* getsockopt/setsockopt of an int option, traced: the call, its result and
 * errno, and the value read back. */
static inline void net_get_int_opt(int s, int level, int name, const char *label)
{
    int v = -1;
    socklen_t len = sizeof v;
    errno = 0;
    long r = getsockopt(s, level, name, &v, &len);
    int e = errno;
    char call[96];
    snprintf(call, sizeof call, "getsockopt(%s)", label);
    trace_result(call, r, e);
    if (r == 0) printf("  value = %d, optlen = %d\n", v, (int)len);
    fflush(stdout);
}

static inline void net_set_int_opt(int s, int level, int name, int v, const char *label)
{
    errno = 0;
    long r = setsockopt(s, level, name, &v, sizeof v);
    int e = errno;
    char call[96];
    snprintf(call, sizeof call, "setsockopt(%s, %d)", label, v);
    trace_result(call, r, e);
}

/* ---- tcp_end's watched connections: how the server saw our end ---- */

/* A token for a watched connection: its record is asked for by it, so
 * that tests running at once keep theirs apart. Never all zeros. */
static inline void net_end_token(uint8_t token[8])
{
    uint64_t v = (uint64_t)(emnet_test_now_s() * 1e9) ^ ((uint64_t)rand() << 32) ^ (uint64_t)(uintptr_t)token;
    for (int i = 0; i < 8; i++) token[i] = (uint8_t)(v >> (8 * i)) | (i == 0);
}

/* A blocking connection to tcp_end that sends mode ('O' watch, 'H' the
 * server sends its FIN first, 'P' it sends "unread\n" first, '?' a query)
 * and the token; the fd, or -1. */
static inline int net_end_open(char mode, const uint8_t token[8])
{
    struct sockaddr_in a = net_addr(NET_END);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    uint8_t req[9];
    req[0] = (uint8_t)mode;
    memcpy(req + 1, token, 8);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0 || send(s, req, sizeof req, MSG_NOSIGNAL) != sizeof req) {
        close(s);
        return -1;
    }
    return s;
}

/* How tcp_end saw the watched connection of this token end: "eof bytes=N
 * fnv1a=HEX" or "reset ...", without the newline, into buf ("" after 10 s
 * without an answer). Untraced: the caller traces it. */
static inline void net_end_record(const uint8_t token[8], char *buf, size_t len)
{
    buf[0] = 0;
    int s = net_end_open('?', token);
    if (s < 0) return;
    size_t have = 0;
    while (have < len - 1 && net_wait_in(s, 10000)) {
        ssize_t n = recv(s, buf + have, len - 1 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    buf[have] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    close(s);
}

/* The record of the token's connection, traced. */
static inline void net_trace_end_record(const uint8_t token[8])
{
    char rec[96];
    net_end_record(token, rec, sizeof rec);
    printf("  the server saw: %s\n", rec);
    fflush(stdout);
}

#endif
