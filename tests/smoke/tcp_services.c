/* Smoke test of the test-service harness, natively against the kernel:
 * every server that tests rely on answers as tests/servers/testsrv.c says. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../common/check.h"
#include "../common/pattern.h"

static int port_from_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "%s is not set: run under tests/harness/services.sh\n", name);
        exit(2);
    }
    return atoi(v);
}

static int connect_to(int type, const char *port_var)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_from_env(port_var)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = { .tv_sec = 10 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "connect %s: %s\n", port_var, strerror(errno));
        exit(1);
    }
    return fd;
}

static size_t recv_all(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, buf + got, len - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
    }
    return got;
}

static void test_echo(void)
{
    static uint8_t out[300000], in[sizeof out];
    emnet_test_pattern_fill(out, sizeof out, 12345);
    int fd = connect_to(SOCK_STREAM, "EMNET_TCP_ECHO_PORT");
    /* Half the data, read it back, then the rest: the echo must neither hold
     * bytes back nor lose them. */
    CHECK_EQ_INT(send(fd, out, 1000, 0), 1000);
    CHECK_EQ_INT(recv_all(fd, in, 1000), 1000);
    CHECK(memcmp(in, out, 1000) == 0);
    size_t sent = 1000;
    while (sent < sizeof out) {
        ssize_t n = send(fd, out + sent, sizeof out - sent, 0);
        if (n <= 0) break;
        sent += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    CHECK_EQ_INT(recv_all(fd, in + 1000, sizeof in - 1000), sizeof in - 1000);
    CHECK(memcmp(in, out, sizeof in) == 0);
    CHECK_EQ_INT(recv(fd, in, 1, 0), 0);   /* EOF after the echo of everything */
    close(fd);
}

static void test_source(void)
{
    static uint8_t in[1 << 20], want[sizeof in];
    int fd = connect_to(SOCK_STREAM, "EMNET_TCP_SOURCE_PORT");
    CHECK_EQ_INT(recv_all(fd, in, sizeof in), sizeof in);
    emnet_test_pattern_fill(want, sizeof want, 0);
    CHECK(memcmp(in, want, sizeof in) == 0);
    close(fd);
}

static void test_sink(void)
{
    static uint8_t out[200000];
    char reply[128] = { 0 }, want[128];
    emnet_test_pattern_fill(out, sizeof out, 7);
    int fd = connect_to(SOCK_STREAM, "EMNET_TCP_SINK_PORT");
    CHECK_EQ_INT(send(fd, out, sizeof out, 0), sizeof out);
    shutdown(fd, SHUT_WR);
    recv_all(fd, (uint8_t *)reply, sizeof reply - 1);
    snprintf(want, sizeof want, "bytes=%zu fnv1a=%016" PRIx64 "\n", sizeof out,
             emnet_test_fnv1a(EMNET_TEST_FNV1A_INIT, out, sizeof out));
    CHECK(strcmp(reply, want) == 0);
    close(fd);
}

static void test_udp_echo(void)
{
    int fd = connect_to(SOCK_DGRAM, "EMNET_UDP_ECHO_PORT");
    for (int i = 1; i <= 50; i++) {
        uint8_t out[1400], in[1500];
        size_t len = (size_t)(i * 28);
        emnet_test_pattern_fill(out, len, (uint64_t)i);
        CHECK_EQ_INT(send(fd, out, len, 0), len);
        CHECK_EQ_INT(recv(fd, in, sizeof in, 0), len);   /* boundaries kept */
        CHECK(memcmp(in, out, len) == 0);
    }
    close(fd);
}

int main(void)
{
    test_echo();
    test_source();
    test_sink();
    test_udp_echo();
    return check_exit("tcp_services");
}
