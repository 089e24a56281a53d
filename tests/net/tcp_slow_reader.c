/* A reader that falls behind: connected to the source server (which sends
 * without end), the program reads nothing for a while, then looks at how
 * much was buffered for it (FIONREAD) and reads 8 MiB, checking every byte
 * against the pattern. With receive flow control the buffer stays near
 * EMNET_RECV_BUFFER however long the pause; prints the figures. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emnet/reactor.h"
#include "../common/pattern.h"

#define READ_TOTAL (8u << 20)

static int sock;
static unsigned received;
static int reading;

static void on_socket(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events, (void)arg;
    if (!reading) return;   /* level-triggered: it comes back once we read */
    static uint8_t buf[65536], want[65536];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN) return;
            printf("stream ended early\n");
            emnet_loop_stop(loop, 1);
            return;
        }
        emnet_test_pattern_fill(want, (size_t)r, received);
        if (memcmp(buf, want, (size_t)r) != 0) {
            printf("corrupt data at %u\n", received);
            emnet_loop_stop(loop, 1);
            return;
        }
        received += (unsigned)r;
        if (received >= READ_TOTAL) {
            printf("read 8 MiB, all as sent\n");
            emnet_loop_del(loop, fd);
            close(fd);
            emnet_loop_stop(loop, 0);
            return;
        }
    }
}

static void after_pause(emnet_loop *loop, int timer, void *arg)
{
    (void)loop, (void)timer, (void)arg;
    int pending = -1;
    ioctl(sock, FIONREAD, &pending);
    printf("buffered after the pause: %d bytes\n", pending);
    reading = 1;
    on_socket(loop, sock, EPOLLIN, NULL);
}

int main(int argc, char **argv)
{
    int pause_ms = argc > 1 ? atoi(argv[1]) : 1500;
    const char *port = getenv("EMNET_TCP_SOURCE_PORT");
    if (!port) {
        printf("EMNET_TCP_SOURCE_PORT is not set\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect(sock, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        perror("connect");
        return 1;
    }
    emnet_loop *loop = emnet_loop_new();
    emnet_loop_add(loop, sock, EPOLLIN, on_socket, NULL);
    emnet_loop_timer(loop, (uint64_t)pause_ms, 0, after_pause, NULL);
    int status = emnet_loop_run(loop);
    emnet_loop_free(loop);
    return status;
}
