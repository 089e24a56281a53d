/* Receive credit over Wisp (emnet's extension 0xe2, which emnet-proxy
 * offers; wasm only): a socket that is not read holds only itself.
 *   - socket A connects to the source server (which sends without end)
 *     and is not read for a while: it holds at most its window
 *     (EMNET_RECV_BUFFER) of the source's bytes, however long the pause;
 *   - meanwhile socket B, on the same Wisp connection, echoes 2 MiB and
 *     does 200 round trips: nothing waits for A;
 *   - then A is read: 4 MiB, every byte as the source sent it.
 * Over plain Wisp (no credit) B would wait for A to be read: the whole
 * connection pauses for a full stream (DEVIATIONS.md P4). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/pattern.h"

#define ECHO_BYTES (2u << 20)
#define ROUND_TRIPS 200
#define READ_A (4u << 20)

static int connect_to(const char *port_env)
{
    const char *port = getenv(port_env);
    if (!port) {
        printf("%s is not set\n", port_env);
        exit(2);
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        printf("connect to %s: %s\n", port_env, strerror(errno));
        exit(1);
    }
    return s;
}

static int recv_all(int s, uint8_t *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = recv(s, buf + got, len - got, 0);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

int main(void)
{
    long window = getenv("EMNET_RECV_BUFFER") ? atol(getenv("EMNET_RECV_BUFFER")) : 1 << 20;
    int a = connect_to("EMNET_TCP_SOURCE_PORT");
    int b = connect_to("EMNET_TCP_ECHO_PORT");
    poll(NULL, 0, 800);   /* the source fills A's window */
    int held = -1;
    ioctl(a, FIONREAD, &held);
    printf("A holds %s its window after the pause\n", held > 0 && held <= window ? "at most" : "MORE THAN");

    /* B: a 2 MiB echo in 64 KiB steps, then 200 round trips of 32 bytes. */
    static uint8_t out[65536], in[65536];
    int ok = 1;
    for (size_t done = 0; done < ECHO_BYTES && ok; done += sizeof out) {
        emnet_test_pattern_fill(out, sizeof out, done);
        ok = send(b, out, sizeof out, 0) == (ssize_t)sizeof out && recv_all(b, in, sizeof in) == 0 &&
             memcmp(in, out, sizeof out) == 0;
    }
    for (int i = 0; i < ROUND_TRIPS && ok; i++) {
        snprintf((char *)out, 33, "round trip %-21d", i);
        ok = send(b, out, 32, 0) == 32 && recv_all(b, in, 32) == 0 && memcmp(in, out, 32) == 0;
    }
    printf("B: %s while A was not read\n", ok ? "2 MiB echoed and 200 round trips" : "FAILED");
    ioctl(a, FIONREAD, &held);
    printf("A still holds %s its window\n", held > 0 && held <= window ? "at most" : "MORE THAN");

    size_t got = 0;
    while (got < READ_A && ok) {
        ssize_t n = recv(a, in, sizeof in, 0);
        if (n <= 0) break;
        uint8_t want[sizeof in];
        emnet_test_pattern_fill(want, (size_t)n, got);
        if (memcmp(in, want, (size_t)n) != 0) break;
        got += (size_t)n;
    }
    printf("A: read %s\n", got >= READ_A ? "4 MiB, all as sent" : "FAILED");
    close(a);
    close(b);
    return ok && got >= READ_A && held > 0 && held <= window ? 0 : 1;
}
