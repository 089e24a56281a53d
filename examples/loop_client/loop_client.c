/* loop_client: an event-driven program on emnet's hosted loop. It connects
 * to a TCP echo server without blocking, sends a line every 50 ms from a
 * timer, counts the lines that come back, and stops after COUNT of them.
 *
 *   loop_client HOST TCP_PORT [COUNT]
 *
 * One source for both builds: natively emnet_loop_run() blocks in the
 * kernel's epoll_wait; in a page it returns control to the browser after
 * each drive (no ASYNCIFY needed), and the program exits with the status
 * given to emnet_loop_stop(). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <emnet/reactor.h>

struct client {
    int fd;
    int timer;
    int sent, wanted;
    size_t echoed_bytes;   /* bytes of lines that came back */
    size_t expected_bytes; /* bytes of lines sent */
};

static void finish(emnet_loop *loop, struct client *c, int status)
{
    if (c->timer >= 0) emnet_loop_timer_cancel(loop, c->timer);
    c->timer = -1;
    emnet_loop_del(loop, c->fd);
    close(c->fd);
    printf("loop_client: %d lines sent, %zu of %zu bytes echoed\n", c->sent, c->echoed_bytes, c->expected_bytes);
    emnet_loop_stop(loop, status);
}

static void on_timer(emnet_loop *loop, int timer, void *arg)
{
    (void)timer;
    struct client *c = arg;
    if (c->sent == c->wanted) return;
    char line[64];
    int len = snprintf(line, sizeof line, "line %d\n", c->sent);
    ssize_t n = send(c->fd, line, (size_t)len, 0);
    if (n == len) {
        c->sent++;
        c->expected_bytes += (size_t)len;
    } else if (n < 0 && errno != EAGAIN) {
        perror("send");
        finish(loop, c, 1);
    }
}

static void on_socket(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    struct client *c = arg;
    if (events & EPOLLOUT) {   /* the non-blocking connect has completed */
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            fprintf(stderr, "connect: %s\n", strerror(err));
            finish(loop, c, 1);
            return;
        }
        emnet_loop_mod(loop, fd, EPOLLIN);
        c->timer = emnet_loop_timer(loop, 0, 50, on_timer, c);
    }
    if (events & EPOLLIN) {
        char buf[512];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) c->echoed_bytes += (size_t)n;
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            fprintf(stderr, "the server went away\n");
            finish(loop, c, 1);
            return;
        }
        if (c->sent == c->wanted && c->echoed_bytes == c->expected_bytes) finish(loop, c, 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST TCP_PORT [COUNT]\n", argv[0]);
        return 2;
    }
    static struct client c = { .timer = -1 };
    c.wanted = argc > 3 ? atoi(argv[3]) : 10;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "%s: not an IPv4 address\n", argv[1]);
        return 2;
    }
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c.fd < 0 || (connect(c.fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS)) {
        perror("connect");
        return 1;
    }
    emnet_loop *loop = emnet_loop_new();
    if (!loop || emnet_loop_add(loop, c.fd, EPOLLOUT, on_socket, &c) != 0) {
        perror("emnet_loop");
        return 1;
    }
    return emnet_loop_run(loop);   /* in a page, the program ends inside */
}
