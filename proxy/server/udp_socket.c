/* UDP socket streams (Wisp with emnet's UDP sockets extension, 0xe3;
 * docs/wisp-extensions.md): one UDP socket of the proxy's per stream, not
 * connected, so that the client's socket hears any sender and every
 * server sees one source port, as a Linux UDP socket does. Every DATA
 * payload starts with an address record (net/wisp_codec.h): where the
 * datagram goes, or where it came from.
 *
 * Each datagram's destination passes the allowlist as a CONNECT's address
 * would (its address in text stands for the host name); one that does not
 * is dropped and the client is told with UDP_ERROR "blocked". Datagrams
 * the socket does not take at once are dropped, as a full network drops
 * them. Over Wisp, ICMP errors are not asked for (no IP_RECVERR): an
 * unconnected Linux socket does not hear them either, and a connected one
 * has a stream of its own. A WebTransport flow is the page's socket
 * whether or not it is connected, so its socket asks for them (upstream.c)
 * and each one goes to the page with the address it was for: the page's
 * socket hears it if it is connected there, as Linux's would. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server.h"
#include "wisp_codec.h"

static int read_errors(struct emnet_px_stream *s);

enum emnet_px_udp_sent emnet_px_udp_socket_sendto(struct emnet_px_stream *s, int family, const uint8_t *addr,
                                                   uint16_t port, const void *data, size_t len)
{
    struct sockaddr_storage to, plain;
    socklen_t tolen, plen;
    memset(&to, 0, sizeof to);
    memset(&plain, 0, sizeof plain);
    /* The address as itself (for the allowlist), and as the socket's
     * family takes it: an IPv4 peer of a dual-stack socket is v4-mapped;
     * an IPv6 one cannot be reached from an IPv4 socket. */
    if (family == 4) {
        struct sockaddr_in *a = (struct sockaddr_in *)&plain;
        a->sin_family = AF_INET;
        memcpy(&a->sin_addr, addr, 4);
        a->sin_port = htons(port);
        plen = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&plain;
        a->sin6_family = AF_INET6;
        memcpy(&a->sin6_addr, addr, 16);
        a->sin6_port = htons(port);
        plen = sizeof *a;
    }
    if (s->udp_socket == family) {
        to = plain;
        tolen = plen;
    } else if (s->udp_socket == 6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
        a->sin6_family = AF_INET6;
        a->sin6_addr.s6_addr[10] = a->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&a->sin6_addr.s6_addr[12], addr, 4);
        a->sin6_port = htons(port);
        tolen = sizeof *a;
    } else {
        return EMNET_PX_UDP_UNREACHABLE;
    }
    /* The allowlist judges the address (its text stands for a name). */
    char host[INET6_ADDRSTRLEN];
    inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, host, sizeof host);
    enum emnet_verdict v = emnet_allowlist_check_host(emnet_px.allow, host, port);
    if (v == EMNET_ALLOW) v = emnet_allowlist_check_addr(emnet_px.allow, host, (struct sockaddr *)&plain, port);
    if (v != EMNET_ALLOW) {
        emnet_px_refuse(v == EMNET_DENY_PORT   ? EMNET_PX_REFUSE_BLOCKED_PORT
                        : v == EMNET_DENY_HOST ? EMNET_PX_REFUSE_BLOCKED_HOST
                                               : EMNET_PX_REFUSE_BLOCKED_ADDRESS);
        return EMNET_PX_UDP_BLOCKED;
    }
    ssize_t sent = sendto(s->fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&to, tolen);
    if (sent < 0 && s->poll_fd >= 0 && (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)) {
        /* A send reports an ICMP error not yet read, and sends nothing:
         * the error goes to the page, the datagram once more. */
        read_errors(s);
        sent = sendto(s->fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&to, tolen);
    }
    if (sent >= 0) emnet_px_metrics.bytes_to_target += len;
    return EMNET_PX_UDP_SENT;
}

void emnet_px_udp_socket_send(struct emnet_px_stream *s, const uint8_t *payload, size_t len)
{
    struct emnet_wisp_addr a;
    int rec = emnet_wisp_decode_addr(payload, len, &a);
    if (rec < 0) {
        emnet_px_wisp_udp_error(s->conn, s, NULL, EMNET_WISP_CLOSE_INVALID_INFO);
        return;
    }
    switch (emnet_px_udp_socket_sendto(s, a.family, a.addr, a.port, payload + rec, len - (size_t)rec)) {
    case EMNET_PX_UDP_UNREACHABLE: emnet_px_wisp_udp_error(s->conn, s, &a, EMNET_WISP_CLOSE_UNREACHABLE); break;
    case EMNET_PX_UDP_BLOCKED: emnet_px_wisp_udp_error(s->conn, s, &a, EMNET_WISP_CLOSE_BLOCKED); break;
    default: break;
    }
}

/* The room before a datagram in its message: the DATA header and the
 * longest address record. The record is written right before the
 * datagram, and the message starts (chunk->off) where it needs. */
#define RECV_ROOM (EMNET_WISP_HEADER + EMNET_WISP_ADDR_MAX)
#define DATAGRAM_MAX 65536

/* The ICMP errors queued on a flow's socket (IP_RECVERR), each to the
 * page with the address of the datagram it answers: 1 if any, else 0. */
static int read_errors(struct emnet_px_stream *s)
{
    int any = 0;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage to;
        char control[512];
        struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof to, .msg_control = control,
                            .msg_controllen = sizeof control };
        memset(&to, 0, sizeof to);
        if (recvmsg(s->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break;
        any = 1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                  (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                continue;
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(c), sizeof ee);
            if ((ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) && s->conn &&
                m.msg_namelen > 0)
                emnet_px_wtg_udp_error(s->conn, s, &to, (int)ee.ee_errno);
        }
    }
    return any;
}

/* One datagram, read straight into its message to the client (no copy of
 * its bytes): 1 if read, 0 if none waits, -1 on an error (errno set). */
static int recv_one(struct emnet_px_stream *s)
{
    struct emnet_px_chunk *chunk = emnet_px_chunk_new(RECV_ROOM + DATAGRAM_MAX);
    if (!chunk) {   /* the client goes, and the stream with it */
        emnet_px_conn_close(s->conn, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "Out of memory");
        errno = ENOMEM;
        return -1;
    }
    uint8_t *payload = emnet_px_chunk_payload(chunk);
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(s->fd, payload + RECV_ROOM, DATAGRAM_MAX, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) {
        int err = errno;
        free(chunk);
        /* A flow's socket reports an ICMP error once, then its queue
         * says for which address: the socket goes on. */
        if (s->poll_fd >= 0 && err != EAGAIN && err != EINTR) {
            read_errors(s);
            return 1;
        }
        errno = err;
        return err == EAGAIN || err == EINTR ? 0 : -1;
    }
    if (s->conn->mode == EMNET_PX_WEBTRANSPORT) {
        emnet_px_metrics.bytes_to_client += (uint64_t)n;
        emnet_px_wtg_udp_received(s->conn, s, &from, payload + RECV_ROOM, (size_t)n);
        free(chunk);
        return 1;
    }
    struct emnet_wisp_addr a;
    emnet_wisp_addr_from_sockaddr((struct sockaddr *)&from, &a);
    uint8_t rec[EMNET_WISP_ADDR_MAX];
    size_t r = emnet_wisp_encode_addr(rec, sizeof rec, &a);
    memcpy(payload + RECV_ROOM - r, rec, r);
    chunk->off = EMNET_WISP_ADDR_MAX - r;   /* the DATA header goes right before the record */
    emnet_px_metrics.bytes_to_client += (uint64_t)n;
    emnet_px_conn_stream_data(s->conn, s, emnet_px_chunk_trim(chunk, RECV_ROOM + (size_t)n));
    emnet_px_stream_update_reading(s);
    return 1;
}

int emnet_px_udp_socket_recv(struct emnet_px_stream *s)
{
    /* A few datagrams per wake-up, then yield to other connections. */
    for (int round = 0; round < 16 && s->conn && !s->read_paused; round++) {
        int r = recv_one(s);
        /* Woken with no datagram: an error is queued whose report a send
         * took already; read, or the epoll instance stays readable. */
        if (r == 0 && round == 0 && s->poll_fd >= 0) read_errors(s);
        if (r <= 0) return r;
    }
    return 0;
}
