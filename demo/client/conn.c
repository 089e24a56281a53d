/* The connection's life: IDLE -> CONNECTING -> CONNECTED -> (lost) ->
 * WAITING (a one-shot timer) -> CONNECTING ... FINISHED ends it. Every
 * fd operation is non-blocking; the loop calls back on readiness. */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUF 8192     /* a server line is at most 512 bytes; room for a burst */
#define WRITE_MAX (256 * 1024)

enum state { IDLE, CONNECTING, CONNECTED, WAITING, FINISHED };

struct emnet_chat_conn {
    emnet_loop *loop;
    const struct emnet_chat_conn_ops *ops;
    void *arg;
    char host[256];
    int port;
    enum state state;
    int fd;
    int timer;               /* the retry timer, -1 if none */
    int finishing;           /* emnet_chat_conn_finish() was called */
    unsigned retry_ms;       /* the next wait */
    char rbuf[READ_BUF];
    size_t rlen;
    char *wbuf;
    size_t wlen, wcap;
};

static void start_connect(struct emnet_chat_conn *c);

static void status(struct emnet_chat_conn *c, const char *state, const char *fmt, const char *detail)
{
    char text[512];
    snprintf(text, sizeof text, fmt, c->host, c->port, detail ? detail : "");
    c->ops->status(c->arg, state, text);
}

static void close_fd(struct emnet_chat_conn *c)
{
    if (c->fd < 0) return;
    emnet_loop_del(c->loop, c->fd);
    close(c->fd);
    c->fd = -1;
    c->rlen = c->wlen = 0;
}

static void on_retry(emnet_loop *loop, int timer, void *arg)
{
    (void)loop, (void)timer;
    struct emnet_chat_conn *c = arg;
    c->timer = -1;
    start_connect(c);
}

/* Something failed: wait and try again (or stop), then report it. The
 * state and the timer are settled before any callback runs, so that a
 * callback may call emnet_chat_conn_finish(). */
static void lost(struct emnet_chat_conn *c, const char *why)
{
    int was_connected = c->state == CONNECTED;
    close_fd(c);
    unsigned wait_ms = c->retry_ms;
    if (!c->finishing) {
        c->state = WAITING;
        c->retry_ms = c->retry_ms * 2 > EMNET_CHAT_RETRY_MAX_MS ? EMNET_CHAT_RETRY_MAX_MS : c->retry_ms * 2;
        c->timer = emnet_loop_timer(c->loop, wait_ms, 0, on_retry, c);
        if (c->timer < 0) c->finishing = 1;   /* out of timers: nothing would bring us back */
    }
    if (c->finishing) c->state = FINISHED;
    if (was_connected) c->ops->lost(c->arg, why);
    if (c->state == FINISHED) {
        status(c, "closed", "connection to %s:%d closed%s", NULL);
        return;
    }
    status(c, "disconnected", "no connection to %s:%d: %s", why);
    if (c->state != WAITING) return;
    char secs[32];
    snprintf(secs, sizeof secs, "%u", wait_ms / 1000);
    status(c, "retry", "reconnecting to %s:%d in %s s", secs);
}

static void lost_errno(struct emnet_chat_conn *c, int err)
{
    lost(c, strerror(err));
}

static int want_events(const struct emnet_chat_conn *c)
{
    return (int)(EPOLLIN | (c->wlen > 0 ? EPOLLOUT : 0));
}

static void flush(struct emnet_chat_conn *c)
{
    size_t done = 0;
    while (done < c->wlen) {
        ssize_t n = send(c->fd, c->wbuf + done, c->wlen - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            lost_errno(c, errno);
            return;
        }
        done += (size_t)n;
    }
    memmove(c->wbuf, c->wbuf + done, c->wlen - done);
    c->wlen -= done;
    emnet_loop_mod(c->loop, c->fd, (uint32_t)want_events(c));
}

/* Hands every complete line to the owner; keeps a partial one. */
static void deliver_lines(struct emnet_chat_conn *c)
{
    size_t start = 0;
    for (size_t i = 0; i < c->rlen && c->state == CONNECTED; i++) {
        if (c->rbuf[i] != '\n') continue;
        size_t end = i;
        if (end > start && c->rbuf[end - 1] == '\r') end--;
        /* The server answered: the next failure starts back-off afresh. */
        c->retry_ms = EMNET_CHAT_RETRY_FIRST_MS;
        c->ops->line(c->arg, c->rbuf + start, end - start);
        start = i + 1;
    }
    if (c->state != CONNECTED) return;   /* the owner closed us from a callback */
    memmove(c->rbuf, c->rbuf + start, c->rlen - start);
    c->rlen -= start;
    /* A line longer than the whole buffer cannot be IRC: drop it. */
    if (c->rlen == sizeof c->rbuf) c->rlen = 0;
}

static void read_all(struct emnet_chat_conn *c)
{
    while (c->state == CONNECTED) {
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen, 0);
        if (n > 0) {
            c->rlen += (size_t)n;
            deliver_lines(c);
            continue;
        }
        if (n == 0) {
            lost(c, "the server closed the connection");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        lost_errno(c, errno);
        return;
    }
}

static void on_io(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop, (void)fd;
    struct emnet_chat_conn *c = arg;
    if (c->state == CONNECTING) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        /* The outcome of a non-blocking connect is in SO_ERROR. */
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err != 0) {
            lost_errno(c, err);
            return;
        }
        c->state = CONNECTED;
        emnet_loop_mod(c->loop, c->fd, EPOLLIN);
        status(c, "connected", "connected to %s:%d%s", NULL);
        c->ops->connected(c->arg);
        return;
    }
    if (c->state != CONNECTED) return;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_all(c);
    if (c->state == CONNECTED && (events & EPOLLOUT)) flush(c);
}

static int resolve(const struct emnet_chat_conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", c->port);
    int r = getaddrinfo(c->host, port, &hints, &res);
    if (r != 0 || !res) return r ? r : EAI_NONAME;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void start_connect(struct emnet_chat_conn *c)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    c->state = CONNECTING;
    status(c, "connecting", "connecting to %s:%d%s", NULL);
    int r = resolve(c, &ss, &len);
    if (r != 0) {
        lost(c, gai_strerror(r));
        return;
    }
    c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        lost_errno(c, errno);
        return;
    }
    if (connect(c->fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
        lost_errno(c, errno);
        return;
    }
    /* Even an immediate success is reported through EPOLLOUT, so there is
     * one path to CONNECTED. */
    if (emnet_loop_add(c->loop, c->fd, EPOLLOUT, on_io, c) < 0) lost_errno(c, errno);
}

struct emnet_chat_conn *emnet_chat_conn_new(emnet_loop *loop, const char *host, int port,
                                            const struct emnet_chat_conn_ops *ops, void *arg)
{
    struct emnet_chat_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->loop = loop;
    c->ops = ops;
    c->arg = arg;
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = port;
    c->fd = -1;
    c->timer = -1;
    c->retry_ms = EMNET_CHAT_RETRY_FIRST_MS;
    start_connect(c);
    return c;
}

void emnet_chat_conn_free(struct emnet_chat_conn *c)
{
    if (!c) return;
    close_fd(c);
    if (c->timer >= 0) emnet_loop_timer_cancel(c->loop, c->timer);
    free(c->wbuf);
    free(c);
}

int emnet_chat_conn_send(struct emnet_chat_conn *c, const char *data, size_t len)
{
    if (c->state != CONNECTED) return -ENOTCONN;
    if (c->wlen + len > WRITE_MAX) return -ENOBUFS;
    if (c->wlen + len > c->wcap) {
        size_t cap = c->wcap ? c->wcap : 4096;
        while (cap < c->wlen + len) cap *= 2;
        char *b = realloc(c->wbuf, cap);
        if (!b) return -ENOMEM;
        c->wbuf = b;
        c->wcap = cap;
    }
    memcpy(c->wbuf + c->wlen, data, len);
    c->wlen += len;
    flush(c);   /* most lines go out at once; the rest waits for EPOLLOUT */
    return 0;
}

void emnet_chat_conn_finish(struct emnet_chat_conn *c)
{
    if (c->finishing) return;
    c->finishing = 1;
    if (c->state == CONNECTED) return;
    if (c->timer >= 0) {
        emnet_loop_timer_cancel(c->loop, c->timer);
        c->timer = -1;
    }
    lost(c, "");
}

int emnet_chat_conn_is_connected(const struct emnet_chat_conn *c) { return c->state == CONNECTED; }
unsigned emnet_chat_conn_retry_ms(const struct emnet_chat_conn *c) { return c->retry_ms; }
