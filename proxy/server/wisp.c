/* Wisp mode: many TCP and UDP streams over one WebSocket (Wisp v1 and v2).
 * Packets are coded by net/wisp_codec.c.
 *
 * Handshake. The version is chosen by the WebSocket upgrade: a client that
 * offers the subprotocol "wisp-v2" (lws then selects our "wisp-v2"
 * protocol entry) speaks v2, any other client v1.
 *   - v1: the first packet is CONTINUE on stream 0 with the credit every
 *     new TCP stream starts with (wisp_credit). No INFO is ever sent: a v1
 *     client reads a first packet other than CONTINUE as a failure.
 *   - v2: the first packet is INFO (version 2.0 and the server's
 *     extensions). The client answers with its own INFO; the server checks
 *     it, keeps the extensions both sides listed, and only then sends
 *     CONTINUE on stream 0, so that nothing is proxied for a client whose
 *     INFO is refused. A malformed INFO or extension list gets CLOSE 0x04
 *     (incompatible extensions) on stream 0, then WebSocket close 1002.
 *     A v2 client whose first packet is not INFO is taken as v1, as the
 *     protocol says of a server still waiting for INFO: it gets CONTINUE
 *     and its packet is handled, with no extensions.
 *   - INFO at any other time (from a v1 client, or a second one): counted
 *     as a protocol error and ignored.
 *
 * v2 extensions (payloads in wisp_codec.h); the server lists UDP, password
 * (when wisp_user is set, as required), MOTD (when wisp_motd is set) and
 * stream confirmation, and keeps those the client's INFO lists too:
 *   - UDP: without it a v2 client's UDP CONNECT gets CLOSE 0x41.
 *   - password: wrong credentials get CLOSE 0xc0 on stream 0, none 0xc2
 *     (also a v1 client, which cannot send any, and a v2 client whose first
 *     packet is not INFO), then WebSocket close 1008; counted as "auth".
 *   - stream confirmation: CONTINUE on a TCP stream once its target's TCP
 *     handshake is done (emnet_px_wisp_stream_open), before its data.
 *   - a malformed entry of a listed extension, or one listed twice: CLOSE
 *     0x04 on stream 0, then close 1002.
 * emnet's own extensions (docs/wisp-extensions.md), offered always:
 *   - half-close 0xe0: the client's FIN packet on a TCP stream becomes our
 *     shutdown(SHUT_WR) once what it sent before is written; the target's
 *     FIN becomes a FIN packet after its data, and the client may still
 *     send. The stream ends (CLOSE 0x02) once both FINs have gone. A FIN
 *     without the extension, or on a UDP stream, is ignored (and counted).
 *   - reset 0xe1: the client's CLOSE with reason RESET closes the target
 *     socket with an RST (SO_LINGER {1, 0}); a target's reset (or EPIPE)
 *     is reported as RESET instead of 0x03.
 *   - receive credit 0xe2 (the client's entry carries its initial window,
 *     u32, not 0): each TCP stream may send the client that many bytes of
 *     DATA; the target is not read while none is left; the client's
 *     CREDIT packets give more. Credit past 2^31 - 1 bytes: CLOSE 0x41;
 *     CREDIT without the extension or on a UDP stream: ignored (counted).
 *   - UDP sockets 0xe3: a CONNECT of type 0xe3 opens a UDP socket of the
 *     proxy's own (udp_socket.c); its DATA carries an address record
 *     before each datagram, both ways; a datagram the allowlist refuses
 *     gets UDP_ERROR "blocked" (0x48), a malformed record closes the stream
 *     with 0x41. Without the extension such a CONNECT gets CLOSE 0x41.
 * A client's CLOSE otherwise ends a stream in order: what it sent is
 * still written to the target, then FIN.
 *
 * Credit (client -> target): the client may send wisp_credit DATA packets
 * on a TCP stream before it must wait for a CONTINUE. The server counts
 * the packets it has fully written to the target; once half the credit has
 * been written it sends CONTINUE with credit minus the packets still
 * queued. Memory stays bounded even if a client ignores credit: past
 * `buffer` queued bytes on any stream, the WebSocket is not read (http.c).
 * Target -> client has no credit in Wisp: a stream's socket is not read
 * while more than `buffer` of its bytes wait for the WebSocket (upstream.c).
 *
 * What a bad packet does (each logged as event=wisp_protocol_error):
 *   - cannot be parsed at all (shorter than the 5-byte header), CONNECT or
 *     DATA on stream 0, a malformed INFO after the handshake: WebSocket
 *     close 1002;
 *   - a malformed CONNECT (bad stream type, port 0, empty/long/bad host,
 *     short payload), or CONNECT on an id already in use: CLOSE 0x41 on
 *     that stream (and the stream already using the id is closed too);
 *   - a malformed CLOSE or CONTINUE on an open stream: that stream is
 *     closed with 0x41;
 *   - an unknown packet type: ignored (v2 lets peers drop packets of
 *     extensions they do not share);
 *   - DATA, CLOSE or CONTINUE for a stream that is not open: ignored, since
 *     a client's packets may cross the server's CLOSE on the wire;
 *   - CONTINUE from the client: ignored (credit runs server -> client only).
 * Limits: more than max_streams open streams -> CLOSE 0x49 (throttled).
 * Stream failures: invalid 0x41, not allowed 0x48, name not resolved or
 * unreachable 0x42, timed out (resolve or connect) 0x43, refused 0x44,
 * internal 0x01. The target's orderly close -> CLOSE 0x02 (after its
 * data; with half-close, FIN), a reset or socket error -> 0x03 (with the
 * reset extension, a reset -> RESET). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "server.h"
#include "wisp_codec.h"

static void send_packet(struct emnet_px_conn *c, const uint8_t *pkt, size_t len)
{
    struct emnet_px_chunk *chunk = emnet_px_chunk_new(len);
    if (!chunk) {
        emnet_px_conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "Out of memory");
        return;
    }
    memcpy(emnet_px_chunk_payload(chunk), pkt, len);
    emnet_px_conn_send(c, chunk);
}

static void send_close(struct emnet_px_conn *c, uint32_t id, uint8_t reason)
{
    uint8_t pkt[EMNET_WISP_CLOSE_SIZE];
    size_t n = emnet_wisp_encode_close(pkt, sizeof pkt, id, reason);
    if (n) send_packet(c, pkt, n);
}

static void send_continue(struct emnet_px_conn *c, uint32_t id, uint32_t remaining)
{
    uint8_t pkt[EMNET_WISP_CONTINUE_SIZE];
    size_t n = emnet_wisp_encode_continue(pkt, sizeof pkt, id, remaining);
    if (n) send_packet(c, pkt, n);
}

static struct emnet_px_stream *find(struct emnet_px_conn *c, uint32_t id)
{
    for (struct emnet_px_stream *s = c->streams; s; s = s->next)
        if (s->id == id) return s;
    return NULL;
}

static void protocol_error(struct emnet_px_conn *c, uint32_t id, const char *what, const char *action)
{
    char sid[16];
    snprintf(sid, sizeof sid, "%u", id);
    emnet_px_refuse(EMNET_PX_REFUSE_PROTOCOL);
    if (emnet_px_log_enabled(EMNET_PX_INFO) && emnet_px_log_allow(&c->log_limit, c->client))
        emnet_px_log(EMNET_PX_INFO, "wisp_protocol_error", "client", c->client, "stream", sid, "error", what,
                     "action", action, NULL);
}

static void fatal(struct emnet_px_conn *c, uint32_t id, const char *what)
{
    char reason[124];
    protocol_error(c, id, what, "close_1002");
    snprintf(reason, sizeof reason, "Wisp protocol error: %s", what);
    emnet_px_conn_close(c, LWS_CLOSE_STATUS_PROTOCOL_ERR, reason);
}

/* Closes stream s (if any) and tells the client why. */
static void close_stream(struct emnet_px_conn *c, struct emnet_px_stream *s, uint32_t id, uint8_t reason)
{
    if (s) emnet_px_stream_release(s, 0);
    send_close(c, id, reason);
}

/* The client may open streams from now on. */
static void become_ready(struct emnet_px_conn *c)
{
    c->wisp_ready = 1;
    send_continue(c, 0, emnet_px.cfg->wisp_credit);
}

/* Ends the connection at the handshake: CLOSE with reason on stream 0,
 * then the WebSocket with code. Counted as a refusal (r) and logged within
 * the client's rate limit. */
static void refuse_handshake(struct emnet_px_conn *c, enum emnet_px_refusal r, const char *what, uint8_t reason,
                             int code)
{
    char action[16], text[124];
    snprintf(action, sizeof action, "close_0x%02x", reason);
    emnet_px_refuse(r);
    if (emnet_px_log_enabled(EMNET_PX_INFO) && emnet_px_log_allow(&c->log_limit, c->client))
        emnet_px_log(EMNET_PX_INFO, r == EMNET_PX_REFUSE_PROTOCOL ? "wisp_protocol_error" : "refused", "client",
                     c->client, "stream", "0", r == EMNET_PX_REFUSE_PROTOCOL ? "error" : "reason",
                     r == EMNET_PX_REFUSE_PROTOCOL ? what : "wisp_auth", "detail",
                     r == EMNET_PX_REFUSE_PROTOCOL ? NULL : what, "action", action, NULL);
    send_close(c, 0, reason);
    snprintf(text, sizeof text, "Wisp handshake refused: %s", what);
    emnet_px_conn_close(c, code, text);
}

/* A client that cannot authenticate while a password is required. */
static void refuse_unauthenticated(struct emnet_px_conn *c, const char *what)
{
    refuse_handshake(c, EMNET_PX_REFUSE_AUTH, what, EMNET_WISP_CLOSE_AUTH_REQUIRED, LWS_CLOSE_STATUS_POLICY_VIOLATION);
}

void emnet_px_wisp_start(struct emnet_px_conn *c)
{
    const struct lws_protocols *proto = lws_get_protocol(c->wsi);
    c->wisp_version = proto && proto->name && strcmp(proto->name, "wisp-v2") == 0 ? 2 : 1;
    if (c->wisp_version == 1) {
        /* v1 has no way to send credentials. */
        if (emnet_px.wisp_password) refuse_unauthenticated(c, "v1_client");
        else become_ready(c);
        return;
    }
    /* INFO: version 2.0, then UDP, password (required), MOTD, stream
     * confirmation, emnet's half-close, reset, receive credit, UDP
     * sockets and packed messages. The MOTD is at most
     * EMNET_PROXY_WISP_TEXT_MAX bytes. */
    uint8_t ext[9 * EMNET_WISP_EXT_HEADER + 1 + EMNET_PROXY_WISP_TEXT_MAX];
    uint8_t pkt[EMNET_WISP_HEADER + EMNET_WISP_INFO_FIXED + sizeof ext];
    size_t e = emnet_wisp_encode_ext(ext, sizeof ext, EMNET_WISP_EXT_UDP, NULL, 0);
    if (emnet_px.wisp_password) e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_PASSWORD, "\x01", 1);
    const char *motd = emnet_px.cfg->wisp_motd;
    if (motd) e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_MOTD, motd, strlen(motd));
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_STREAM_CONFIRM, NULL, 0);
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_HALF_CLOSE, NULL, 0);
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_RESET, NULL, 0);
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_RECEIVE_CREDIT, NULL, 0);
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_UDP_SOCKETS, NULL, 0);
    e += emnet_wisp_encode_ext(ext + e, sizeof ext - e, EMNET_WISP_EXT_PACKED, NULL, 0);
    size_t n = emnet_wisp_encode_info(pkt, sizeof pkt, 2, 0, ext, e);
    if (n) send_packet(c, pkt, n);
}

/* The client's credentials against wisp_user and the password, both
 * compared in constant time (and both always compared). */
static int credentials_ok(const struct emnet_wisp_password *pw)
{
    char user[EMNET_WISP_USER_MAX + 1], pass[EMNET_PROXY_WISP_TEXT_MAX + 1];
    if (pw->password_len > EMNET_PROXY_WISP_TEXT_MAX) return 0;  /* longer than any password we take */
    memcpy(user, pw->user, pw->user_len);
    user[pw->user_len] = '\0';
    memcpy(pass, pw->password, pw->password_len);
    pass[pw->password_len] = '\0';
    int ok = emnet_px_secret_equal(user, emnet_px.cfg->wisp_user);
    ok &= emnet_px_secret_equal(pass, emnet_px.wisp_password);
    memset(pass, 0, sizeof pass);
    return ok;
}

/* The v2 client's INFO, its first packet: keep the extensions both sides
 * list, check their payloads and the credentials, then open for streams.
 * Extensions the server did not offer are skipped, as the protocol says
 * only shared ones are used. */
static void on_client_info(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    char ver[16];
    snprintf(ver, sizeof ver, "%u.%u", p->u.info.major, p->u.info.minor);
    emnet_px_log(EMNET_PX_DEBUG, "wisp_info", "client", c->client, "version", ver, NULL);
    if (p->u.info.major != 2) {
        refuse_handshake(c, EMNET_PX_REFUSE_PROTOCOL, "info_version", EMNET_WISP_CLOSE_INCOMPATIBLE_EXTENSIONS,
                         LWS_CLOSE_STATUS_PROTOCOL_ERR);
        return;
    }
    unsigned offered = EMNET_PX_WISP_EXT(EMNET_WISP_EXT_UDP) | EMNET_PX_WISP_EXT(EMNET_WISP_EXT_STREAM_CONFIRM) |
                       EMNET_PX_WISP_EXT(EMNET_WISP_EXT_HALF_CLOSE) | EMNET_PX_WISP_EXT(EMNET_WISP_EXT_RESET) |
                       EMNET_PX_WISP_EXT(EMNET_WISP_EXT_RECEIVE_CREDIT) | EMNET_PX_WISP_EXT(EMNET_WISP_EXT_UDP_SOCKETS) |
                       EMNET_PX_WISP_EXT(EMNET_WISP_EXT_PACKED);
    if (emnet_px.wisp_password) offered |= EMNET_PX_WISP_EXT(EMNET_WISP_EXT_PASSWORD);
    if (emnet_px.cfg->wisp_motd) offered |= EMNET_PX_WISP_EXT(EMNET_WISP_EXT_MOTD);
    const uint8_t *it = p->u.info.ext, *end = it + p->u.info.ext_len, *payload;
    uint8_t id;
    uint32_t len;
    unsigned seen = 0;
    int authed = 0, bad_password = 0;
    uint32_t window = 0;
    while (p->u.info.ext_len && emnet_wisp_ext_next(&it, end, &id, &payload, &len) == 1) {
        unsigned bit = EMNET_PX_WISP_EXT(id);
        if (!(offered & bit)) continue;
        if (seen & bit) {
            refuse_handshake(c, EMNET_PX_REFUSE_PROTOCOL, "extension_repeated",
                             EMNET_WISP_CLOSE_INCOMPATIBLE_EXTENSIONS, LWS_CLOSE_STATUS_PROTOCOL_ERR);
            return;
        }
        seen |= bit;
        int rc = 0;
        if (id == EMNET_WISP_EXT_PASSWORD) {
            struct emnet_wisp_password pw;
            rc = emnet_wisp_decode_password(payload, len, &pw);
            if (rc == 0) {
                authed = credentials_ok(&pw);
                bad_password = !authed;
            }
        } else if (id == EMNET_WISP_EXT_RECEIVE_CREDIT) {
            rc = emnet_wisp_decode_window(payload, len, &window);
        } else if (id != EMNET_WISP_EXT_MOTD) {
            rc = emnet_wisp_check_empty_ext(len);   /* UDP, confirmation, half-close, reset, UDP sockets, packed */
        }
        /* The client's MOTD entry has no payload to speak of: any is ignored. */
        if (rc < 0) {
            refuse_handshake(c, EMNET_PX_REFUSE_PROTOCOL, emnet_wisp_error_name(rc),
                             EMNET_WISP_CLOSE_INCOMPATIBLE_EXTENSIONS, LWS_CLOSE_STATUS_PROTOCOL_ERR);
            return;
        }
    }
    if (bad_password) {
        refuse_handshake(c, EMNET_PX_REFUSE_AUTH, "bad_password", EMNET_WISP_CLOSE_AUTH_BAD_PASSWORD,
                         LWS_CLOSE_STATUS_POLICY_VIOLATION);
        return;
    }
    if (emnet_px.wisp_password && !authed) {
        refuse_unauthenticated(c, "no_credentials");
        return;
    }
    c->wisp_ext = seen;
    c->wisp_window = window;
    if (emnet_px_log_enabled(EMNET_PX_DEBUG)) {
        char list[96] = "";
        for (unsigned i = 1; i < 256; i++)
            if (seen & EMNET_PX_WISP_EXT(i))
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s0x%02x", *list ? "," : "", i);
        emnet_px_log(EMNET_PX_DEBUG, "wisp_extensions", "client", c->client, "extensions", list, NULL);
    }
    become_ready(c);
}

static void on_connect(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    uint32_t id = p->stream_id;
    struct emnet_px_stream *old = find(c, id);
    if (old) {
        protocol_error(c, id, "stream_id_in_use", "close_0x41");
        close_stream(c, old, id, EMNET_WISP_CLOSE_INVALID_INFO);
        return;
    }
    char host[EMNET_WISP_HOST_MAX + 1];
    size_t hlen = p->u.connect.host_len;
    const char *h = p->u.connect.host;
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    int udp = p->u.connect.stream_type != EMNET_WISP_STREAM_TCP;
    int udp_socket = p->u.connect.stream_type == EMNET_WISP_STREAM_UDP_SOCKET;
    if (udp_socket && !(c->wisp_ext & EMNET_PX_WISP_EXT(EMNET_WISP_EXT_UDP_SOCKETS))) {
        protocol_error(c, id, "udp_socket_not_negotiated", "close_0x41");
        send_close(c, id, EMNET_WISP_CLOSE_INVALID_INFO);
        return;
    }
    if (udp && c->wisp_version == 2 && !(c->wisp_ext & EMNET_PX_WISP_EXT(EMNET_WISP_EXT_UDP))) {
        /* v2 has UDP streams only when both sides listed the extension. */
        protocol_error(c, id, "udp_not_negotiated", "close_0x41");
        send_close(c, id, EMNET_WISP_CLOSE_INVALID_INFO);
        return;
    }
    char sid[16], port[8];
    snprintf(sid, sizeof sid, "%u", id);
    snprintf(port, sizeof port, "%u", p->u.connect.port);
    if (c->nstreams >= emnet_px.cfg->max_streams) {
        emnet_px_refuse(EMNET_PX_REFUSE_MAX_STREAMS);
        if (emnet_px_log_enabled(EMNET_PX_INFO) && emnet_px_log_allow(&c->log_limit, c->client))
            emnet_px_log(EMNET_PX_INFO, "refused", "client", c->client, "reason", "max_streams", "stream", sid,
                         "host", host, "port", port, NULL);
        send_close(c, id, EMNET_WISP_CLOSE_THROTTLED);
        return;
    }
    emnet_px_log(EMNET_PX_DEBUG, "wisp_connect", "client", c->client, "stream", sid, "type", udp ? "udp" : "tcp",
                 "host", host, "port", port, NULL);
    int rc = udp_socket ? emnet_px_stream_open_udp_socket(c, id, strcmp(host, "::") == 0 ? 6 : 4)
                        : emnet_px_stream_open(c, id, udp, host, p->u.connect.port);
    if (rc < 0) send_close(c, id, EMNET_WISP_CLOSE_UNKNOWN);
}

static int negotiated(const struct emnet_px_conn *c, uint8_t ext)
{
    return (c->wisp_ext & EMNET_PX_WISP_EXT(ext)) != 0;
}

/* The open TCP stream an extension's packet (FIN, CREDIT) is for, or NULL
 * when it is to be ignored: the extension is not in effect, or the stream
 * is UDP (both counted as protocol errors), or not open (the packet may
 * cross our CLOSE). */
static struct emnet_px_stream *ext_packet_stream(struct emnet_px_conn *c, const struct emnet_wisp_packet *p,
                                                 uint8_t ext)
{
    int fin = p->type == EMNET_WISP_FIN;
    if (!negotiated(c, ext)) {
        protocol_error(c, p->stream_id, fin ? "fin_not_negotiated" : "credit_not_negotiated", "ignored");
        return NULL;
    }
    struct emnet_px_stream *s = find(c, p->stream_id);
    if (s && s->udp) {
        protocol_error(c, p->stream_id, fin ? "fin_on_udp" : "credit_on_udp", "ignored");
        return NULL;
    }
    return s;
}

/* The client's FIN (half-close): the target gets ours once what the
 * client sent before it is written. */
static void on_fin(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    struct emnet_px_stream *s = ext_packet_stream(c, p, EMNET_WISP_EXT_HALF_CLOSE);
    if (s) emnet_px_stream_client_fin(s);
}

/* The client's CREDIT (receive credit): more bytes it takes on a TCP
 * stream. Credit past 2^31 - 1 bytes closes the stream with 0x41. */
static void on_credit(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    struct emnet_px_stream *s = ext_packet_stream(c, p, EMNET_WISP_EXT_RECEIVE_CREDIT);
    if (s && emnet_px_stream_add_credit(s, p->u.credit.bytes) < 0) {
        protocol_error(c, p->stream_id, "credit_overflow", "close_0x41");
        close_stream(c, s, p->stream_id, EMNET_WISP_CLOSE_INVALID_INFO);
    }
}

/* The client closes a stream: in order (what it sent is still written,
 * then FIN), or, with emnet's reset extension and reason RESET, with an
 * RST as a Linux socket closed with SO_LINGER {1, 0}. */
static void on_stream_close(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    struct emnet_px_stream *s = find(c, p->stream_id);
    if (!s) return;
    if (p->u.close.reason == EMNET_WISP_CLOSE_RESET && negotiated(c, EMNET_WISP_EXT_RESET))
        emnet_px_stream_reset(s);
    else
        emnet_px_stream_release(s, 1);
}

static void on_data(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    struct emnet_px_stream *s = find(c, p->stream_id);
    if (!s) {
        char sid[16];
        snprintf(sid, sizeof sid, "%u", p->stream_id);
        emnet_px_log(EMNET_PX_DEBUG, "wisp_data_dropped", "client", c->client, "stream", sid, NULL);
        return;
    }
    /* May let go of s (the client went over its budget): s is not used after. */
    if (s->udp || p->u.data.len) emnet_px_stream_write(s, p->u.data.data, p->u.data.len);
}

/* A decode error with the header present: judge it by type and stream. */
static void on_bad_packet(struct emnet_px_conn *c, const uint8_t *msg, size_t len, int err,
                          const struct emnet_wisp_packet *p)
{
    const char *what = emnet_wisp_error_name(err);
    if (err == EMNET_WISP_ESHORT && len < EMNET_WISP_HEADER) {
        fatal(c, 0, what);
        return;
    }
    (void)msg;
    if (err == EMNET_WISP_ETYPE) {
        protocol_error(c, p->stream_id, what, "ignored");
        return;
    }
    if (err == EMNET_WISP_ESTREAM_ID || p->type == EMNET_WISP_INFO) {
        fatal(c, p->stream_id, what);
        return;
    }
    struct emnet_px_stream *s = find(c, p->stream_id);
    if (p->type == EMNET_WISP_CONNECT) {
        protocol_error(c, p->stream_id, what, "close_0x41");
        close_stream(c, s, p->stream_id, EMNET_WISP_CLOSE_INVALID_INFO);
        return;
    }
    /* CLOSE or CONTINUE of the wrong size. */
    if (s) {
        protocol_error(c, p->stream_id, what, "close_0x41");
        close_stream(c, s, p->stream_id, EMNET_WISP_CLOSE_INVALID_INFO);
    } else {
        protocol_error(c, p->stream_id, what, "ignored");
    }
}

static void on_packet(struct emnet_px_conn *c, const struct emnet_wisp_packet *p);

/* Several packets in one message (emnet's packed messages, 0xe4): each as
 * if it had come alone, while the connection lasts. */
static void on_packed(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    if (!(c->wisp_ext & EMNET_PX_WISP_EXT(EMNET_WISP_EXT_PACKED))) {
        protocol_error(c, 0, "packed_not_negotiated", "ignored");
        return;
    }
    const uint8_t *it = p->u.packed.records, *end = it + p->u.packed.len, *pkt;
    size_t len;
    while (!c->closing && emnet_wisp_packed_next(&it, end, &pkt, &len) == 1) {
        struct emnet_wisp_packet one;
        int err = emnet_wisp_decode(pkt, len, &one);
        if (err < 0)
            on_bad_packet(c, pkt, len, err, &one);
        else
            on_packet(c, &one);
    }
}

void emnet_px_wisp_rx(struct emnet_px_conn *c, const unsigned char *msg, size_t len)
{
    struct emnet_wisp_packet p;
    memset(&p, 0, sizeof p);
    int err = emnet_wisp_decode(msg, len, &p);
    if (!c->wisp_ready) {
        /* The first packet of a v2 client: its INFO, or it is taken as v1. */
        if (p.type == EMNET_WISP_INFO && err == EMNET_WISP_OK) {
            on_client_info(c, &p);
            return;
        }
        if (p.type == EMNET_WISP_INFO && len >= EMNET_WISP_HEADER) {
            refuse_handshake(c, EMNET_PX_REFUSE_PROTOCOL, err < 0 ? emnet_wisp_error_name(err) : "bad_info",
                             EMNET_WISP_CLOSE_INCOMPATIBLE_EXTENSIONS, LWS_CLOSE_STATUS_PROTOCOL_ERR);
            return;
        }
        if (emnet_px.wisp_password) {
            refuse_unauthenticated(c, "no_info");
            return;
        }
        emnet_px_log(EMNET_PX_DEBUG, "wisp_no_info", "client", c->client, NULL);
        c->wisp_version = 1;
        become_ready(c);
    }
    if (err < 0) {
        on_bad_packet(c, msg, len, err, &p);
        return;
    }
    if (p.type == EMNET_WISP_PACKED)
        on_packed(c, &p);
    else
        on_packet(c, &p);
}

/* One packet of a ready connection (alone, or out of a PACKED one). */
static void on_packet(struct emnet_px_conn *c, const struct emnet_wisp_packet *p)
{
    switch (p->type) {
    case EMNET_WISP_CONNECT:
        on_connect(c, p);
        break;
    case EMNET_WISP_DATA:
        on_data(c, p);
        break;
    case EMNET_WISP_CONTINUE:
        break;
    case EMNET_WISP_CLOSE:
        if (p->stream_id == 0) {
            emnet_px_log(EMNET_PX_DEBUG, "wisp_client_close", "client", c->client, "reason",
                         emnet_wisp_close_reason_name(p->u.close.reason), NULL);
            emnet_px_conn_close(c, LWS_CLOSE_STATUS_NORMAL, "");
        } else {
            on_stream_close(c, p);
        }
        break;
    case EMNET_WISP_FIN:
        on_fin(c, p);
        break;
    case EMNET_WISP_CREDIT:
        on_credit(c, p);
        break;
    case EMNET_WISP_INFO:
        protocol_error(c, 0, "info_unexpected", "ignored");
        break;
    default:
        break;
    }
}

void emnet_px_wisp_stream_open(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    char sid[16], port[8];
    snprintf(sid, sizeof sid, "%u", s->id);
    snprintf(port, sizeof port, "%u", s->port);
    emnet_px_log(EMNET_PX_INFO, "connect", "client", c->client, "stream", sid, "type", s->udp ? "udp" : "tcp",
                 "host", s->host, "port", port, "addr", s->peer, NULL);
    /* Stream confirmation: the target's TCP handshake is done now, before
     * any of its bytes are read. The credit is what the client may still
     * send: packets it sent early are still queued. UDP streams get no
     * CONTINUE in Wisp, so none is confirmed. */
    if (!s->udp && (c->wisp_ext & EMNET_PX_WISP_EXT(EMNET_WISP_EXT_STREAM_CONFIRM))) {
        uint32_t credit = emnet_px.cfg->wisp_credit, queued = (uint32_t)s->to_target.count;
        send_continue(c, s->id, credit > queued ? credit - queued : 0);
    }
}

static uint8_t reason_of(enum emnet_px_fail f)
{
    switch (f) {
    case EMNET_PX_FAIL_INVALID: return EMNET_WISP_CLOSE_INVALID_INFO;
    case EMNET_PX_FAIL_BLOCKED_HOST:
    case EMNET_PX_FAIL_BLOCKED_PORT:
    case EMNET_PX_FAIL_BLOCKED_ADDRESS: return EMNET_WISP_CLOSE_BLOCKED;
    case EMNET_PX_FAIL_UNRESOLVED:
    case EMNET_PX_FAIL_UNREACHABLE: return EMNET_WISP_CLOSE_UNREACHABLE;
    case EMNET_PX_FAIL_TIMEOUT: return EMNET_WISP_CLOSE_CONNECT_TIMEOUT;
    case EMNET_PX_FAIL_REFUSED: return EMNET_WISP_CLOSE_REFUSED;
    default: return EMNET_WISP_CLOSE_UNKNOWN;
    }
}

void emnet_px_wisp_stream_failed(struct emnet_px_conn *c, struct emnet_px_stream *s, enum emnet_px_fail f)
{
    uint32_t id = s->id;
    emnet_px_stream_release(s, 0);
    send_close(c, id, reason_of(f));
}

/* The target's bytes were read in place after the room for the header. */
void emnet_px_wisp_stream_data(struct emnet_px_conn *c, struct emnet_px_stream *s, struct emnet_px_chunk *chunk)
{
    emnet_wisp_encode_data_header(emnet_px_chunk_payload(chunk) + chunk->off, EMNET_WISP_HEADER, s->id);
    chunk->stream = s;
    emnet_px_conn_send(c, chunk);
}

void emnet_px_wisp_stream_closed(struct emnet_px_conn *c, struct emnet_px_stream *s, int err)
{
    uint32_t id = s->id;
    char sid[16];
    snprintf(sid, sizeof sid, "%u", id);
    emnet_px_log(EMNET_PX_DEBUG, "target_closed", "client", c->client, "stream", sid, "error",
                 err ? strerror(err) : NULL, NULL);
    emnet_px_stream_release(s, 0);
    uint8_t reason = EMNET_WISP_CLOSE_VOLUNTARY;
    if (err == ECONNREFUSED)
        reason = EMNET_WISP_CLOSE_REFUSED;   /* a UDP target's ICMP port unreachable */
    else if (err == EHOSTUNREACH || err == ENETUNREACH)
        reason = EMNET_WISP_CLOSE_UNREACHABLE;
    else if ((err == ECONNRESET || err == EPIPE) && negotiated(c, EMNET_WISP_EXT_RESET))
        reason = EMNET_WISP_CLOSE_RESET;   /* the target's RST */
    else if (err)
        reason = EMNET_WISP_CLOSE_NETWORK_ERROR;
    send_close(c, id, reason);
}

void emnet_px_wisp_udp_error(struct emnet_px_conn *c, struct emnet_px_stream *s, const struct emnet_wisp_addr *a,
                             uint8_t reason)
{
    if (!a) {   /* no address to name: the stream itself was misused */
        protocol_error(c, s->id, "bad_address", "close_0x41");
        close_stream(c, s, s->id, reason);
        return;
    }
    uint8_t pkt[EMNET_WISP_UDP_ERROR_MAX];
    size_t n = emnet_wisp_encode_udp_error(pkt, sizeof pkt, s->id, reason, a);
    if (n) send_packet(c, pkt, n);
}

int emnet_px_wisp_stream_peer_fin(struct emnet_px_conn *c, struct emnet_px_stream *s)
{
    if (!negotiated(c, EMNET_WISP_EXT_HALF_CLOSE)) return 0;
    uint8_t pkt[EMNET_WISP_FIN_SIZE];
    size_t n = emnet_wisp_encode_fin(pkt, sizeof pkt, s->id);
    if (n) send_packet(c, pkt, n);   /* after the stream's data: one queue to the client */
    return 1;
}

void emnet_px_wisp_stream_drained(struct emnet_px_conn *c, struct emnet_px_stream *s, uint32_t packets)
{
    if (s->udp || !packets) return;
    uint32_t credit = emnet_px.cfg->wisp_credit;
    s->written_packets += packets;
    uint32_t half = credit / 2 ? credit / 2 : 1;
    if (s->written_packets < half) return;
    s->written_packets = 0;
    uint32_t queued = (uint32_t)s->to_target.count;
    send_continue(c, s->id, credit > queued ? credit - queued : 0);
}
