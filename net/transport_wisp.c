/* The wisp transport: every TCP socket is a stream of one Wisp connection, a
 * single WebSocket to a Wisp server shared by all sockets that use the
 * same server URL (net/wisp_codec.h has the packet layout).
 *
 *   socket A --\                       CONNECT / DATA / CLOSE ->
 *   socket B ---+-- Wisp connection (one WebSocket) ---------- Wisp server
 *   socket C --/                       <- DATA / CONTINUE / CLOSE
 *
 * The connection opens lazily, on the first connect() that needs it, and
 * offers the WebSocket subprotocol "wisp-v2" (js/library_emnet_websocket.js
 * tries once more without it when a server refuses the handshake). The
 * server speaks first, and its first packet tells the version:
 *
 *   version 2   INFO (version, the extensions it offers); we answer at once
 *               with our INFO listing those of them we support (UDP 0x01,
 *               stream open confirmation 0x05, password 0x02 when
 *               EMNET_WISP_PASSWORD is set, emnet's half-close 0xe0,
 *               reset 0xe1, receive credit 0xe2, UDP sockets 0xe3 and
 *               packed messages 0xe4), then comes CONTINUE
 *   version 1   CONTINUE straight away (a server that did not select the
 *               subprotocol is version 1 too, unless it sends INFO first)
 *
 * The CONTINUE on stream 0 gives the credit each new stream starts with.
 * Until it comes, no CONNECT goes out (the protocol says the client waits
 * for it); streams created meanwhile are sent then. A connection that dies
 * (the WebSocket closes or fails) takes all its streams with it: connected
 * ones are reset, connecting ones fail; the next connect() opens a new
 * connection.
 *
 * Sending: credit counts DATA packets, not bytes. Each stream may send as
 * many DATA packets as its credit says; at zero, send() says EAGAIN and
 * EPOLLOUT is withheld until the server's CONTINUE gives credit again. The
 * WebSocket's own queue is bounded too (EMNET_SEND_BUFFER bytes, shared by
 * the connection's streams): once full, every stream waits until it has
 * drained to half.
 *
 * Receiving: with emnet's receive credit extension (0xe2, emnet-proxy)
 * each TCP stream has a window of EMNET_RECV_BUFFER bytes: the server
 * sends no more than that beyond what the program has read, and a CREDIT
 * packet gives more each time half a window has been read. A socket that
 * is not read holds only its own stream (the server stops reading its
 * target), in every engine. Plain Wisp has no credit towards the client
 * (CONTINUE is the server's only), so a stream cannot be slowed on its
 * own: when a stream's unread bytes reach its receive buffer limit the
 * connection stops reading the WebSocket -- every stream then waits, the
 * server's TCP reads stop and its targets are slowed by their own flow
 * control -- and reads on again once that stream has been read down to
 * half (DEVIATIONS.md P4). The same pause guards against a server that
 * sends past the credit it was given.
 *
 * Connect: with stream open confirmation (0x05) negotiated, the server
 * sends a TCP stream's first CONTINUE when its connection to the target is
 * established, and a connect completes exactly then, as Linux's completes
 * at the SYN-ACK; until then it stays in progress (connect() EALREADY,
 * send() EAGAIN, no EPOLLOUT), up to the server's CLOSE or
 * EMNET_CONNECT_TIMEOUT_MS (then ETIMEDOUT, and our CLOSE tells the server
 * to give up). Plain Wisp (version 1, or a server without 0x05) has no
 * "connected" packet; a server reports only failure (CLOSE with a reason).
 * As over websockify, a connect then completes at the first DATA or
 * CONTINUE on the stream, or EMNET_CONNECT_CONFIRM_MS after the CONNECT
 * went out without a CLOSE. Either way, a CLOSE before completion fails the
 * connect with the reason's errno (refused, unreachable, timed out,
 * blocked); a generic reason (unknown, network error) reads as a refusal.
 * After it, VOLUNTARY is an orderly end of stream and any other reason a
 * reset. Our close() sends CLOSE with VOLUNTARY.
 *
 * Ends, with emnet's extensions (docs/wisp-extensions.md), as TCP has
 * them: with half-close, shutdown(SHUT_WR) sends FIN on the stream and the
 * server's FIN is the end of stream to read while the socket may still
 * send; the stream ends at the server's CLOSE once both FINs went. With
 * reset, close() sends CLOSE RESET where Linux's would send an RST
 * (SO_LINGER {1, 0}, or data left unread), and the server's RESET is
 * ECONNRESET. Without them, shutdown(SHUT_WR) only stops sending
 * (DEVIATIONS.md W1) and the server's CLOSE ends both directions (W3).
 *
 * UDP: with emnet's UDP sockets extension (emnet-proxy) an unconnected
 * socket is one stream, its datagrams carrying their addresses (see "UDP
 * socket streams" below). Otherwise, and for a connected socket, a socket
 * gets a stream (type UDP) per destination it sends to, made on the first
 * datagram there; one DATA packet is one datagram, in both
 * directions, and what comes back on a stream is from that destination.
 * UDP streams have no credit: a full WebSocket says EAGAIN, and datagrams
 * sent before the connection is ready wait in their stream. A stream the
 * server closes with a reason is reported to a connected socket as an
 * ICMP error would be (refused: ECONNREFUSED); the next send opens another.
 *
 * Stream ids count up from 1 and are not reused until the 32-bit counter
 * wraps: servers answer our CLOSE with a CLOSE of their own, which must
 * never reach a newer stream. */
#include "wisp.h"

/* Each socket's channel is a TCP stream (wisp_tcp.c) or a UDP flow
 * (wisp_udp.c); both ride on the connections of wisp_conn.c. */

static int wisp_send_full(const struct emnet_channel *ch)
{
    return ch->datagrams ? wisp_udp_send_full(ch) : wisp_tcp_send_full(ch);
}

static void wisp_close(struct emnet_channel *ch, int reset)
{
    if (ch->datagrams)
        wisp_udp_close(ch);
    else if (ch->state)
        wisp_stream_close(wisp_stream_of(ch), reset);
}

const struct emnet_transport emnet__wisp_transport = {
    .name = "wisp",
    .open = wisp_tcp_open,
    .send = wisp_tcp_send,
    .consumed = wisp_tcp_consumed,
    .shutdown_write = wisp_tcp_shutdown_write,
    .send_datagram = wisp_udp_send_datagram,
    .send_full = wisp_send_full,
    .close = wisp_close,
};
