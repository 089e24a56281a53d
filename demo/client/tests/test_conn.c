/* The connection against a local listener that comes and goes, over the
 * kernel: refused twice (back-off 1 s, then 2 s), then accepted; lines in
 * both directions; the server closes (back-off starts again at 1 s, since
 * the server had answered); finish() while waiting ends it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../../tests/common/check.h"
#include "conn.h"

static emnet_loop *loop;
static struct emnet_chat_conn *conn;
static int port, listener = -1, peer = -1;
static char trace[2048];          /* "state;state;..." */
static double connecting_at[4];
static int connectings;
static char got[256];             /* what the server read */
static char lines[256];           /* what the client was handed */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_connected(void *arg)
{
    (void)arg;
    CHECK_EQ_INT(emnet_chat_conn_send(conn, "NICK x\r\n", 8), 0);
}

static void on_line(void *arg, const char *line, size_t len)
{
    (void)arg;
    strncat(lines, line, len < sizeof lines - strlen(lines) - 2 ? len : 0);
    strcat(lines, "|");
}

static void on_lost(void *arg, const char *why)
{
    (void)arg, (void)why;
}

static void on_status(void *arg, const char *state, const char *text)
{
    (void)arg;
    snprintf(trace + strlen(trace), sizeof trace - strlen(trace), "%s%s", state,
             !strcmp(state, "retry") ? strrchr(text, ' ') - 2 : "");
    strcat(trace, ";");
    if (!strcmp(state, "connecting") && connectings < 4) connecting_at[connectings++] = now_ms();
    if (!strcmp(state, "retry") && strstr(trace, ";connected;")) emnet_chat_conn_finish(conn);
    if (!strcmp(state, "closed")) emnet_loop_stop(loop, 0);
}

static const struct emnet_chat_conn_ops ops = { on_connected, on_line, on_lost, on_status };

static void on_peer(emnet_loop *l, int fd, uint32_t events, void *arg)
{
    (void)events, (void)arg;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0) return;
    buf[n] = '\0';
    strncat(got, buf, sizeof got - strlen(got) - 1);
    if (strstr(got, "\r\n")) {   /* the client spoke: answer, then hang up */
        const char *reply = ":srv 001 x :hi\r\nPING :a\r\n";
        CHECK_EQ_INT(write(fd, reply, strlen(reply)), (long)strlen(reply));
        emnet_loop_del(l, fd);
        close(fd);
        peer = -1;
    }
}

static void on_accept(emnet_loop *l, int fd, uint32_t events, void *arg)
{
    (void)events, (void)arg;
    peer = accept(fd, NULL, NULL);
    if (peer < 0) return;
    emnet_loop_add(l, peer, EPOLLIN, on_peer, NULL);
    emnet_loop_del(l, fd);
    close(fd);
    listener = -1;
}

static int bind_port(int p)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        close(fd);
        return -1;
    }
    port = ntohs(a.sin_port);
    return fd;
}

/* Between the second refusal (at ~1 s) and the third attempt (at ~3 s). */
static void open_listener(emnet_loop *l, int timer, void *arg)
{
    (void)timer, (void)arg;
    listener = bind_port(port);
    if (listener < 0 || listen(listener, 4) < 0) {
        printf("cannot listen again on %d\n", port);
        emnet_loop_stop(l, 1);
        return;
    }
    emnet_loop_add(l, listener, EPOLLIN, on_accept, NULL);
}

static void give_up(emnet_loop *l, int timer, void *arg)
{
    (void)timer, (void)arg;
    printf("timed out; trace: %s\n", trace);
    emnet_loop_stop(l, 1);
}

int main(void)
{
    int fd = bind_port(0);   /* a port nobody listens on, for now */
    REQUIRE(fd >= 0);
    close(fd);
    loop = emnet_loop_new();
    REQUIRE(loop != NULL);
    conn = emnet_chat_conn_new(loop, "127.0.0.1", port, &ops, NULL);
    REQUIRE(conn != NULL);
    emnet_loop_timer(loop, 1500, 0, open_listener, NULL);
    emnet_loop_timer(loop, 15000, 0, give_up, NULL);
    CHECK_EQ_INT(emnet_loop_run(loop), 0);

    printf("trace: %s\n", trace);
    CHECK(!strcmp(trace, "connecting;disconnected;retry 1 s;connecting;disconnected;retry 2 s;connecting;connected;"
                         "disconnected;retry 1 s;closed;"));
    CHECK(!strcmp(got, "NICK x\r\n"));
    CHECK(!strcmp(lines, ":srv 001 x :hi|PING :a|"));
    CHECK_EQ_INT(connectings, 3);
    double first = connecting_at[1] - connecting_at[0], second = connecting_at[2] - connecting_at[1];
    printf("waits: %.0f ms, %.0f ms\n", first, second);
    CHECK(first >= 990 && first < 2000);   /* upper bounds leave room for a busy machine */
    CHECK(second >= 1990 && second < 3500);
    emnet_chat_conn_free(conn);
    if (peer >= 0) close(peer);
    if (listener >= 0) close(listener);
    emnet_loop_free(loop);
    return check_exit("demo_client_conn");
}
