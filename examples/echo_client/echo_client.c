/* echo_client: a plain POSIX client, written as for Linux. It sends a few
 * messages to a TCP echo server and a UDP echo server with blocking calls
 * and checks that each comes back unchanged.
 *
 *   echo_client HOST TCP_PORT UDP_PORT
 *
 * Natively the kernel carries it; built with emnet (ASYNCIFY, for the
 * blocking calls) it runs in a page or under Node.js, its sockets carried
 * to emnet-proxy (EMNET_WISP_URL) beside the servers. Exit status 0 when
 * every message came back. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int open_socket(const char *host, const char *port, int type)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = type }, *ai;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        fprintf(stderr, "%s connect %s:%s: %s\n", type == SOCK_STREAM ? "tcp" : "udp", host, port, strerror(errno));
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Reads exactly len bytes (a stream may deliver them in pieces). */
static int read_all(int fd, char *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = recv(fd, buf + got, len - got, 0);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static int tcp_round(int fd, int i)
{
    char msg[64], back[64];
    int len = snprintf(msg, sizeof msg, "tcp message %d", i);
    if (send(fd, msg, (size_t)len, 0) != len || read_all(fd, back, (size_t)len) != 0) {
        fprintf(stderr, "tcp round %d: %s\n", i, strerror(errno));
        return -1;
    }
    return memcmp(msg, back, (size_t)len) == 0 ? 0 : -1;
}

/* UDP may lose a datagram: each is sent again after a second of silence. */
static int udp_round(int fd, int i)
{
    char msg[64], back[64];
    int len = snprintf(msg, sizeof msg, "udp message %d", i);
    for (int attempt = 0; attempt < 5; attempt++) {
        if (send(fd, msg, (size_t)len, 0) != len) break;
        ssize_t n = recv(fd, back, sizeof back, 0);
        if (n == len && memcmp(msg, back, (size_t)len) == 0) return 0;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
    }
    fprintf(stderr, "udp round %d: %s\n", i, strerror(errno));
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST TCP_PORT UDP_PORT\n", argv[0]);
        return 2;
    }
    int tcp = open_socket(argv[1], argv[2], SOCK_STREAM);
    int udp = open_socket(argv[1], argv[3], SOCK_DGRAM);
    if (tcp < 0 || udp < 0) return 1;
    struct timeval second = { .tv_sec = 1 };
    setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second);

    int failed = 0;
    for (int i = 0; i < 5; i++) {
        failed |= tcp_round(tcp, i) != 0;
        failed |= udp_round(udp, i) != 0;
    }
    close(tcp);
    close(udp);
    printf("echo_client: %s\n", failed ? "FAILED" : "5 TCP and 5 UDP messages came back");
    return failed;
}
