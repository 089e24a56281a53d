/* A stream's upstream socket: the target check, resolution, the
 * non-blocking connect over each allowed address in turn, then relaying.
 *
 * The socket is created and connected here and handed to lws as a raw file
 * descriptor (LWS_ADOPT_RAW_FILE_DESC): lws only polls it and calls
 * RAW_RX_FILE / RAW_WRITEABLE_FILE / RAW_CLOSE_FILE, and this file does every
 * recv/send itself, so errors (ECONNREFUSED from SO_ERROR, resets, EOF) are
 * seen exactly. (The Debian build of lws 4.1.6 has no raw-proxy role; the
 * raw-socket role takes an adopted socket as connected and does its own
 * reads, so a refused connect would show up only as a close.)
 * While connecting, POLLOUT is requested; its arrival means connected or
 * failed, which SO_ERROR tells. lws closes the descriptor when the wsi
 * closes.
 *
 * Deny by default: the host (name or address text) and port must pass
 * emnet_allowlist_check_host before any lookup, and each resolved address
 * emnet_allowlist_check_addr before a connect; addresses that fail are
 * skipped, in order. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "server.h"

#define READ_CHUNK 65536   /* one WebSocket message per read: fewer, larger writes */
#define READ_ROUNDS 4      /* reads per wake-up, then other connections get a turn */
#define UDP_MAX 65536
#define UDP_EARLY_MAX 32

static const char *const fail_names[] = {
    [EMNET_PX_FAIL_NONE] = "none",
    [EMNET_PX_FAIL_INVALID] = "invalid",
    [EMNET_PX_FAIL_BLOCKED_HOST] = "blocked_host",
    [EMNET_PX_FAIL_BLOCKED_PORT] = "blocked_port",
    [EMNET_PX_FAIL_BLOCKED_ADDRESS] = "blocked_address",
    [EMNET_PX_FAIL_UNRESOLVED] = "unresolved",
    [EMNET_PX_FAIL_UNREACHABLE] = "unreachable",
    [EMNET_PX_FAIL_REFUSED] = "refused",
    [EMNET_PX_FAIL_TIMEOUT] = "timeout",
    [EMNET_PX_FAIL_INTERNAL] = "internal",
};

const char *emnet_px_fail_name(enum emnet_px_fail f) { return fail_names[f]; }

static const char *type_name(const struct emnet_px_stream *s) { return s->udp ? "udp" : "tcp"; }

/* An info line a client's requests cause: within its conn's rate limit. */
static int may_log(struct emnet_px_stream *s)
{
    if (!emnet_px_log_enabled(EMNET_PX_INFO)) return 0;
    return !s->conn || emnet_px_log_allow(&s->conn->log_limit, s->conn->client);
}

static void free_stream(struct emnet_px_stream *s)
{
    if (s->resolve) emnet_px_resolve_abandon(s->resolve);
    if (s->addrs) freeaddrinfo(s->addrs);
    emnet_px_queue_clear(&s->to_target);
    if (s->state == EMNET_PX_OPEN) emnet_px_metrics.streams_current[s->udp]--;
    free(s);
}

/* The stream failed before it was open: tell the conn (which may release
 * it), or free it if nobody holds it any more. f is what the client is
 * told; when a refusal is told as EMNET_PX_FAIL_UNRESOLVED (see
 * refused_name), s->denied keeps the true reason for the log and metrics. */
static void fail(struct emnet_px_stream *s, enum emnet_px_fail f)
{
    s->state = EMNET_PX_DONE;
    if (f == EMNET_PX_FAIL_REFUSED || f == EMNET_PX_FAIL_UNREACHABLE || f == EMNET_PX_FAIL_TIMEOUT)
        emnet_px_metrics.connect_failures++;
    if (s->conn) emnet_px_conn_stream_failed(s->conn, s, f);
    else free_stream(s);
}

static enum emnet_px_fail fail_from_errno(int err)
{
    switch (err) {
    case ECONNREFUSED: return EMNET_PX_FAIL_REFUSED;
    case ETIMEDOUT: return EMNET_PX_FAIL_TIMEOUT;
    case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: case EHOSTDOWN: case EADDRNOTAVAIL:
        return EMNET_PX_FAIL_UNREACHABLE;
    case 0: return EMNET_PX_FAIL_UNREACHABLE;
    default: return EMNET_PX_FAIL_REFUSED;
    }
}

static enum emnet_px_fail fail_from_verdict(enum emnet_verdict v)
{
    switch (v) {
    case EMNET_DENY_PORT: return EMNET_PX_FAIL_BLOCKED_PORT;
    case EMNET_DENY_HOST: return EMNET_PX_FAIL_BLOCKED_HOST;
    default: return EMNET_PX_FAIL_BLOCKED_ADDRESS;
    }
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    uint16_t port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
        snprintf(buf, len, "%s:%u", ip, port);
    } else {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
        snprintf(buf, len, "[%s]:%u", ip, port);
    }
}

/* UDP: the datagrams that came before the socket existed. */
static void send_early_datagrams(struct emnet_px_stream *s)
{
    struct emnet_px_chunk *c;
    while ((c = emnet_px_queue_pop(&s->to_target))) {
        if (send(s->fd, emnet_px_chunk_payload(c), c->len, MSG_NOSIGNAL) >= 0)
            emnet_px_metrics.bytes_to_target += c->len;
        free(c);
    }
    if (s->conn) emnet_px_conn_stream_queue_changed(s->conn, s);
}

static void became_open(struct emnet_px_stream *s)
{
    s->state = EMNET_PX_OPEN;
    emnet_px_metrics.streams_current[s->udp]++;
    freeaddrinfo(s->addrs);
    s->addrs = s->next_addr = NULL;
    if (s->udp) send_early_datagrams(s);
    else if (s->to_target.head && s->wsi) lws_callback_on_writable(s->wsi);
    emnet_px_log(EMNET_PX_DEBUG, "upstream_open", "type", type_name(s), "host", s->host, "addr", s->peer,
                 NULL);
    if (s->conn) emnet_px_conn_stream_open(s->conn, s);
}

static int parse_numeric(const char *host, uint16_t port, int udp, struct addrinfo **res);

/* Every address DNS gave for the name was refused: unless
 * reveal_blocked_names, the client is told the name did not resolve, as it
 * would be for a name that does not exist. Telling the two apart would let
 * clients map which internal names exist. Any verdict on a resolved address
 * counts (a port not allowed there says as much as an address not allowed);
 * refusals before the lookup and IP literals say nothing about DNS and keep
 * their own reasons. */
static int refused_name(const struct emnet_px_stream *s)
{
    if (emnet_px.cfg->reveal_blocked_names) return 0;
    struct addrinfo *res = NULL;
    if (parse_numeric(s->host, s->port, s->udp, &res) != 0) return 1;
    freeaddrinfo(res);
    return 0;
}

/* Hands the socket fd to lws as s's upstream; -1 (and s failed) if it
 * could not. */
static int adopt(struct emnet_px_stream *s, int fd)
{
    lws_adopt_desc_t desc;
    memset(&desc, 0, sizeof desc);
    desc.vh = emnet_px.vhost;
    desc.type = LWS_ADOPT_RAW_FILE_DESC;
    desc.fd.filefd = s->poll_fd >= 0 ? s->poll_fd : fd;
    desc.vh_prot_name = emnet_px_upstream_protocol.name;
    desc.opaque = s;
    s->fd = fd;
    struct lws *wsi = lws_adopt_descriptor_vhost_via_info(&desc);
    if (!wsi) {
        /* lws closes the descriptor when adoption fails part way; do not
         * close it twice. */
        if (s->poll_fd >= 0) close(fd);
        s->poll_fd = -1;
        s->fd = -1;
        s->last_err = ENOMEM;
        fail(s, EMNET_PX_FAIL_INTERNAL);
        return -1;
    }
    s->wsi = wsi;
    return 0;
}

/* Tries the remaining addresses in order; only allowed ones are used. */
static void try_next(struct emnet_px_stream *s)
{
    const struct emnet_proxy_config *cfg = emnet_px.cfg;
    for (; s->next_addr; s->next_addr = s->next_addr->ai_next) {
        struct addrinfo *ai = s->next_addr;
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        enum emnet_verdict v = emnet_allowlist_check_addr(emnet_px.allow, s->host, ai->ai_addr, s->port);
        addr_text(ai->ai_addr, s->peer, sizeof s->peer);
        if (v != EMNET_ALLOW) {
            s->denied = fail_from_verdict(v);
            emnet_px_log(EMNET_PX_DEBUG, "address_denied", "host", s->host, "addr", s->peer, "verdict",
                         emnet_verdict_name(v), NULL);
            continue;
        }
        int fd = socket(ai->ai_family, (s->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            s->last_err = errno;
            continue;
        }
        if (!s->udp) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
            s->last_err = errno;
            close(fd);
            continue;
        }
        s->state = EMNET_PX_CONNECTING;
        s->deadline_ms = emnet_px_now_ms() + (int64_t)cfg->connect_timeout * 1000;
        s->next_addr = ai->ai_next;
        if (adopt(s, fd) < 0) return;
        if (s->udp) became_open(s);
        else lws_callback_on_writable(s->wsi);
        return;
    }
    if (s->last_err) fail(s, fail_from_errno(s->last_err));
    else if (s->denied != EMNET_PX_FAIL_NONE) fail(s, refused_name(s) ? EMNET_PX_FAIL_UNRESOLVED : s->denied);
    else fail(s, EMNET_PX_FAIL_UNRESOLVED);
}

static void on_resolved(void *arg, int err, struct addrinfo *res)
{
    struct emnet_px_stream *s = arg;
    s->resolve = NULL;
    if (err != 0) {
        emnet_px_metrics.resolve_failures++;
        if (may_log(s))
            emnet_px_log(EMNET_PX_INFO, "resolve_failed", "host", s->host, "error", gai_strerror(err), NULL);
        fail(s, EMNET_PX_FAIL_UNRESOLVED);
        return;
    }
    s->addrs = s->next_addr = res;
    try_next(s);
}

static int parse_numeric(const char *host, uint16_t port, int udp, struct addrinfo **res)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    return getaddrinfo(host, service, &hints, res);
}

/* A new stream of conn, linked and counted; NULL when out of memory. */
static struct emnet_px_stream *stream_new(struct emnet_px_conn *conn, uint32_t id, int udp, const char *host,
                                          uint16_t port)
{
    struct emnet_px_stream *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->conn = conn;
    s->id = id;
    s->udp = udp;
    s->fd = -1;
    s->poll_fd = -1;
    s->port = port;
    s->credit_on = !udp && conn->wisp_window;
    s->credit = conn->wisp_window;
    s->state = EMNET_PX_RESOLVING;
    snprintf(s->host, sizeof s->host, "%s", host);
    emnet_px_queue_set_account(&s->to_target, &conn->queued);
    s->next = conn->streams;
    conn->streams = s;
    conn->nstreams++;
    emnet_px_metrics.streams_total[udp]++;
    return s;
}

int emnet_px_stream_open(struct emnet_px_conn *conn, uint32_t id, int udp, const char *host, uint16_t port)
{
    struct emnet_px_stream *s = stream_new(conn, id, udp, host, port);
    if (!s) return -1;
    if (!host[0] || strlen(host) >= sizeof s->host || port == 0) {
        fail(s, EMNET_PX_FAIL_INVALID);
        return 0;
    }
    enum emnet_verdict v = emnet_allowlist_check_host(emnet_px.allow, host, port);
    if (v != EMNET_ALLOW) {
        fail(s, fail_from_verdict(v));
        return 0;
    }
    struct addrinfo *res = NULL;
    if (parse_numeric(host, port, udp, &res) == 0) {
        s->addrs = s->next_addr = res;
        try_next(s);
        return 0;
    }
    s->deadline_ms = emnet_px_now_ms() + (int64_t)emnet_px.cfg->resolve_timeout * 1000;
    s->resolve = emnet_px_resolve_start(host, port, udp, on_resolved, s);
    if (!s->resolve) fail(s, EMNET_PX_FAIL_INTERNAL);
    return 0;
}

int emnet_px_stream_open_udp_socket(struct emnet_px_conn *conn, uint32_t id, int family)
{
    struct emnet_px_stream *s = stream_new(conn, id, 1, family == 6 ? "::" : "0.0.0.0", 0);
    if (!s) return -1;
    s->udp_socket = family;
    int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        s->last_err = errno;
        fail(s, EMNET_PX_FAIL_INTERNAL);
        return 0;
    }
    if (family == 6) {   /* IPv4 peers too, as v4-mapped addresses */
        int off = 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    if (conn->mode == EMNET_PX_WEBTRANSPORT) {
        /* ICMP errors, for the page's connected sockets (udp_socket.c);
         * the socket is polled through an epoll instance of its own, which
         * a queued error does not make poll as POLLERR. */
        int on = 1;
        setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
        if (family == 6) setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
        struct epoll_event ev = { .events = EPOLLIN };
        s->poll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (s->poll_fd < 0 || epoll_ctl(s->poll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            s->last_err = errno;
            if (s->poll_fd >= 0) close(s->poll_fd);
            s->poll_fd = -1;
            close(fd);
            fail(s, EMNET_PX_FAIL_INTERNAL);
            return 0;
        }
    }
    /* Not bound here: the first sendto picks a port, as autobind does. A
     * socket that has sent nothing hears nothing, which is the client's
     * case too (its port exists only in the page). */
    snprintf(s->peer, sizeof s->peer, "%s", family == 6 ? "[::]:*" : "0.0.0.0:*");
    if (adopt(s, fd) == 0) became_open(s);
    return 0;
}

static void set_reading(struct emnet_px_stream *s, int on)
{
    if (!s->wsi || s->read_paused == !on) return;
    s->read_paused = !on;
    lws_rx_flow_control(s->wsi, on);
}

/* The target is read while its conn is under budget and fewer than
 * `buffer` of its bytes wait for the client (resuming at half). */
/* Receive credit holds a stream only while its client's packets are
 * read: a client whose WebSocket is paused (its uploads over the budget)
 * cannot send the CREDIT that would free it, and a target such as an echo
 * server, whose output nobody reads, stops reading what it is sent: a
 * deadlock. Then `buffer` and the budget alone bound the stream, as in
 * plain Wisp, and the client holds what comes past its window until it
 * reads. */
static int credit_holds(const struct emnet_px_stream *s)
{
    return s->credit_on && !s->conn->rx_paused;
}

/* The budget pauses targets only when what waits for the client is what
 * fills it: pausing a target because the client's own uploads wait would
 * stop the target that has to drain them. */
static int client_side_full(const struct emnet_px_conn *c)
{
    return c->over_budget && c->out.cost >= emnet_px.cfg->client_buffer / 2;
}

void emnet_px_stream_update_reading(struct emnet_px_stream *s)
{
    if (!s->conn || s->target_eof) return;   /* after its FIN there is nothing to read */
    size_t limit = emnet_px.cfg->buffer;
    int stop = client_side_full(s->conn) || (credit_holds(s) && s->credit == 0);
    if (!s->read_paused && (stop || s->to_client > limit)) set_reading(s, 0);
    else if (s->read_paused && !stop && s->to_client <= limit / 2) set_reading(s, 1);
}

/* The stream's credit, with its conn's count of starved streams kept:
 * only those need a look when the client's reads pause or resume. */
static void set_credit(struct emnet_px_stream *s, uint32_t credit)
{
    if (s->conn && (s->credit == 0) != (credit == 0)) {
        if (credit == 0) s->conn->credit_starved++;
        else s->conn->credit_starved--;
    }
    s->credit = credit;
}

int emnet_px_stream_add_credit(struct emnet_px_stream *s, uint32_t n)
{
    if (!s->credit_on) return 0;
    if ((uint64_t)s->credit + n > INT32_MAX) return -1;
    set_credit(s, s->credit + n);
    emnet_px_stream_update_reading(s);
    return 0;
}

void emnet_px_stream_client_drained(struct emnet_px_stream *s)
{
    if (s->read_paused) emnet_px_stream_update_reading(s);
}

void emnet_px_stream_write(struct emnet_px_stream *s, const void *data, size_t len)
{
    if (s->state == EMNET_PX_DONE || s->flush_then_close || s->client_fin) return;
    if (s->udp_socket) {   /* open from the start: one datagram, its address first */
        emnet_px_udp_socket_send(s, data, len);
        return;
    }
    if (s->udp && s->state == EMNET_PX_OPEN) {
        /* A full socket buffer drops the datagram, as UDP may. */
        if (send(s->fd, data, len, MSG_NOSIGNAL) >= 0) emnet_px_metrics.bytes_to_target += len;
        return;
    }
    /* Datagrams sent while the name is being resolved wait, a few of them,
     * up to `buffer` bytes (and count against the client's budget like
     * everything queued); more are dropped, as a network may. */
    if (s->udp && (s->to_target.count >= UDP_EARLY_MAX || s->to_target.bytes + len > emnet_px.cfg->buffer)) return;
    struct emnet_px_chunk *c = emnet_px_chunk_new(len);
    if (!c) return;
    memcpy(emnet_px_chunk_payload(c), data, len);
    emnet_px_queue_push(&s->to_target, c);
    if (s->state == EMNET_PX_OPEN && s->wsi) lws_callback_on_writable(s->wsi);
    /* Last: over the budget, the conn may let go of s (and free it). */
    if (s->conn) emnet_px_conn_stream_queue_changed(s->conn, s);
}

/* Kills the upstream wsi from outside its callbacks; RAW_CLOSE_FILE follows. */
static void kill_wsi(struct emnet_px_stream *s)
{
    lws_set_timeout(s->wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
}

void emnet_px_stream_release(struct emnet_px_stream *s, int flush)
{
    if (s->conn) emnet_px_conn_unlink_stream(s->conn, s);
    s->conn = NULL;
    if (s->wsi) {
        if (flush && (s->state == EMNET_PX_OPEN || s->state == EMNET_PX_CONNECTING) && !s->udp &&
            s->to_target.bytes) {
            /* lws's own timeout bounds how long a target that stopped
             * reading can keep the socket. One still connecting is
             * written to once connected (a client may send and close
             * before the target answered, as a Linux program may); if
             * the connect fails, the bytes go with it. */
            s->flush_then_close = 1;
            lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, (int)emnet_px.cfg->connect_timeout + 1);
            if (s->state == EMNET_PX_OPEN) lws_callback_on_writable(s->wsi);
            return;
        }
        kill_wsi(s);
        return;
    }
    free_stream(s);
}

void emnet_px_stream_client_fin(struct emnet_px_stream *s)
{
    if (s->udp || s->client_fin) return;
    s->client_fin = 1;
    /* Open: on_writeable passes it on once to_target is written. Still
     * connecting: it does so after the connect. */
    if (s->state == EMNET_PX_OPEN && s->wsi) lws_callback_on_writable(s->wsi);
}

void emnet_px_stream_reset(struct emnet_px_stream *s)
{
    if (s->wsi && s->state == EMNET_PX_OPEN && !s->udp) {
        /* What the client sent before its reset goes out if the socket
         * takes it now, as a kernel's socket sends what it had before an
         * abortive close; the rest is dropped with the connection. */
        struct emnet_px_chunk *c;
        while ((c = s->to_target.head)) {
            ssize_t n = send(s->fd, emnet_px_chunk_payload(c) + c->off, c->len - c->off, MSG_NOSIGNAL);
            if (n <= 0) break;
            emnet_px_metrics.bytes_to_target += (uint64_t)n;
            emnet_px_queue_consume(&s->to_target, (size_t)n);
            if (c->off < c->len) break;
            free(emnet_px_queue_pop(&s->to_target));
        }
        struct linger lg = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    emnet_px_stream_release(s, 0);
}

void emnet_px_stream_check_deadline(struct emnet_px_stream *s, int64_t now_ms)
{
    if (now_ms < s->deadline_ms) return;
    if (s->state == EMNET_PX_RESOLVING && s->resolve) {
        emnet_px_resolve_abandon(s->resolve);
        s->resolve = NULL;
        emnet_px_metrics.resolve_failures++;
        if (may_log(s)) emnet_px_log(EMNET_PX_INFO, "resolve_timeout", "host", s->host, NULL);
        fail(s, EMNET_PX_FAIL_TIMEOUT);
    } else if (s->state == EMNET_PX_CONNECTING && s->wsi) {
        s->last_err = ETIMEDOUT;
        s->next_addr = NULL;      /* one deadline for the whole connect */
        kill_wsi(s);
    }
}

static int connect_result(struct emnet_px_stream *s)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    return err;
}

/* Chunks handed to one sendmsg: a client's 64 KiB message often comes in
 * several pieces (each its own chunk), and the socket takes them all in
 * one call. */
#define SEND_IOV 16

/* One sendmsg of the chunks at the head of to_target: what the socket
 * took (0 when full), or -1 if it failed (errno). */
static ssize_t send_queued(struct emnet_px_stream *s)
{
    struct iovec iov[SEND_IOV];
    int n = 0;
    for (struct emnet_px_chunk *c = s->to_target.head; c && n < SEND_IOV; c = c->next, n++) {
        iov[n].iov_base = emnet_px_chunk_payload(c) + c->off;
        iov[n].iov_len = c->len - c->off;
    }
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n };
    ssize_t sent = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    return sent;
}

/* Writes queued client bytes; returns -1 if the socket failed. */
static int flush_to_target(struct emnet_px_stream *s)
{
    uint32_t packets = 0;
    size_t wrote = 0;
    while (s->to_target.head) {
        ssize_t n = send_queued(s);
        if (n < 0) {
            s->last_err = errno;
            return -1;
        }
        if (n == 0) break;
        wrote += (size_t)n;
        /* Whole chunks written are freed (each a client message: a Wisp
         * packet's credit); a partial one keeps its offset. */
        for (size_t left = (size_t)n; left;) {
            struct emnet_px_chunk *c = s->to_target.head;
            size_t in = c->len - c->off < left ? c->len - c->off : left;
            emnet_px_queue_consume(&s->to_target, in);
            left -= in;
            if (c->off < c->len) break;
            free(emnet_px_queue_pop(&s->to_target));
            packets++;
        }
        if (s->to_target.head && s->to_target.head->off) break;   /* the socket is full */
    }
    emnet_px_metrics.bytes_to_target += wrote;
    if (s->to_target.head) lws_callback_on_writable(s->wsi);
    if ((wrote || packets) && s->conn) emnet_px_conn_stream_drained(s->conn, s, packets);
    return 0;
}

/* A connecting socket that polls ready has finished connecting: 0 when
 * it is open now (or was already), -1 when the connect failed. */
static int finish_connect(struct emnet_px_stream *s)
{
    if (s->state != EMNET_PX_CONNECTING) return 0;
    int err = connect_result(s);
    if (err) {
        s->last_err = err;
        return -1;
    }
    became_open(s);
    return 0;
}

static int on_writeable(struct emnet_px_stream *s)
{
    int was_connecting = s->state == EMNET_PX_CONNECTING;
    if (finish_connect(s) < 0) return -1;
    if (was_connecting && s->state != EMNET_PX_OPEN) return -1;
    if (s->state != EMNET_PX_OPEN) return 0;
    if (flush_to_target(s) < 0) return -1;
    if (s->flush_then_close && !s->to_target.head) {
        shutdown(s->fd, SHUT_WR);
        return -1;
    }
    if (s->client_fin && !s->fin_sent && !s->to_target.head) {
        shutdown(s->fd, SHUT_WR);
        s->fin_sent = 1;
        if (s->target_eof) return -1;   /* both FINs have gone: the stream is over */
    }
    return 0;
}

/* recv failed: 0 if it only would have blocked, -1 (the stream is over)
 * otherwise. */
static int read_failed(struct emnet_px_stream *s, int err)
{
    if (err == EAGAIN || err == EINTR) return 0;
    /* UDP too: an ICMP error for an earlier datagram ends the stream with
     * "refused", which the client reports as a connected UDP socket's
     * ECONNREFUSED; it opens another to send again. */
    s->last_err = err;
    return -1;
}

/* The target's FIN: the client hears of it and may still send
 * (half-close), unless its own FIN went already or the mode cannot carry
 * one: then the stream is over (-1). */
static int target_fin(struct emnet_px_stream *s)
{
    s->last_err = 0;
    if (s->fin_sent || !emnet_px_conn_stream_peer_fin(s->conn, s)) return -1;
    s->target_eof = 1;
    set_reading(s, 0);
    return 0;
}

/* One read of the target, straight into the message that carries it to
 * the client: the chunk has room for the mode's header before the bytes,
 * so the kernel's copy is the only one before lws writes them. A chunk
 * larger than what came is trimmed, so that the budget counts what is
 * held. 1: read, and more may be waiting; 0: nothing more for now; -1: the
 * stream is over. */
static int read_once(struct emnet_px_stream *s)
{
    size_t want = s->udp ? UDP_MAX : READ_CHUNK;
    if (credit_holds(s) && want > s->credit) want = s->credit;
    if (!want) {
        set_reading(s, 0);   /* no credit left: CREDIT resumes it */
        return 0;
    }
    size_t head = emnet_px_conn_data_head(s->conn);
    struct emnet_px_chunk *chunk = emnet_px_chunk_new(head + want);
    if (!chunk) {   /* the client goes, and the stream with it */
        emnet_px_conn_close(s->conn, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "Out of memory");
        s->last_err = ENOMEM;
        return -1;
    }
    ssize_t n = recv(s->fd, emnet_px_chunk_payload(chunk) + head, want, 0);
    if (n < 0 || (n == 0 && !s->udp)) {   /* a UDP datagram may be empty */
        int err = errno;
        free(chunk);
        return n < 0 ? read_failed(s, err) : target_fin(s);
    }
    emnet_px_metrics.bytes_to_client += (uint64_t)n;
    if (s->credit_on) set_credit(s, s->credit < (uint32_t)n ? 0 : s->credit - (uint32_t)n);   /* past it: 0 */
    emnet_px_conn_stream_data(s->conn, s, emnet_px_chunk_trim(chunk, head + (size_t)n));
    emnet_px_stream_update_reading(s);
    /* A TCP read shorter than asked emptied the socket: poll says when
     * more comes, and a read that would only fail with EAGAIN is saved. */
    return s->udp || (size_t)n == want;
}

/* read_once without the pause or receive credit: for the bytes still in
 * a socket lws is closing. 1 while more came, 0 or -1 at the end. */
static int read_once_all(struct emnet_px_stream *s)
{
    int credit_on = s->credit_on;
    s->credit_on = 0;
    int r = read_once(s);
    s->credit_on = credit_on;
    return r;
}

static int on_readable(struct emnet_px_stream *s)
{
    if (finish_connect(s) < 0) return -1;
    if (s->state != EMNET_PX_OPEN) return 0;
    if (!s->conn) {
        /* Released and flushing: what the target says is dropped. */
        char sink[4096];
        ssize_t n = recv(s->fd, sink, sizeof sink, 0);
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ? -1 : 0;
    }
    if (s->udp_socket) {
        if (emnet_px_udp_socket_recv(s) == 0) return 0;
        s->last_err = errno;
        return -1;
    }
    /* A few reads per wake-up, then yield to other connections. */
    for (int round = 0; round < READ_ROUNDS && s->conn && !s->read_paused; round++) {
        int r = read_once(s);
        if (r <= 0) return r;
    }
    return 0;
}

static void on_close(struct emnet_px_stream *s)
{
    /* At exit lws closes sockets in any order: let go of the conn rather
     * than report to it (or try another address). */
    if (emnet_px.stopping && s->conn) {
        emnet_px_conn_unlink_stream(s->conn, s);
        s->conn = NULL;
    }
    /* lws closes a socket that polls as an error without reading it: the
     * error (a UDP target's ICMP port unreachable, a reset) is still
     * pending. */
    if (!s->last_err && s->fd >= 0) {
        int e = 0;
        socklen_t elen = sizeof e;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0) s->last_err = e;
    }
    /* Once both ends have sent FIN the socket polls as hung up, and lws
     * closes it even while its reads are paused (the client was slow):
     * what the target sent before its FIN is still in the socket, at
     * most its receive buffer. It is taken now, or the client would see
     * the end of a stream with a hole before it. */
    if (!s->last_err && s->conn && s->state == EMNET_PX_OPEN && !s->udp && s->fd >= 0 && !s->target_eof) {
        s->read_paused = 0;
        while (s->conn && read_once_all(s) > 0) {}
    }
    s->wsi = NULL;
    if (s->poll_fd >= 0) close(s->fd);   /* lws closed the epoll instance it polled */
    s->poll_fd = -1;
    s->fd = -1;
    s->read_paused = 0;
    if (s->state == EMNET_PX_CONNECTING) {
        const char *e = strerror(s->last_err ? s->last_err : ECONNRESET);
        emnet_px_log(EMNET_PX_DEBUG, "connect_failed", "host", s->host, "addr", s->peer, "error", e, NULL);
        if (s->conn && s->next_addr) {
            try_next(s);
            return;
        }
        if (s->conn) {
            fail(s, fail_from_errno(s->last_err));
            return;
        }
        free_stream(s);
        return;
    }
    if (s->state == EMNET_PX_OPEN) {
        emnet_px_metrics.streams_current[s->udp]--;
        s->state = EMNET_PX_DONE;
        if (s->conn) {
            emnet_px_conn_stream_closed(s->conn, s, s->last_err);
            return;
        }
    }
    if (!s->conn) free_stream(s);
}

static int upstream_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void)user;
    (void)in;
    (void)len;
    struct emnet_px_stream *s = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        if (!s) return -1;
        return on_readable(s);
    case LWS_CALLBACK_RAW_WRITEABLE_FILE:
        if (!s) return -1;
        return on_writeable(s);
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        if (s) {
            lws_set_opaque_user_data(wsi, NULL);
            on_close(s);
        }
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols emnet_px_upstream_protocol = {
    "emnet-upstream", upstream_callback, 0, 0, 0, NULL, 0
};
