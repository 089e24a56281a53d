/* emnet net: TCP and UDP sockets for Emscripten programs, over WebSocket.
 *
 * Programs use the POSIX calls (socket, connect, send, recv, read, write,
 * shutdown, close, getsockopt, setsockopt, getsockname, getpeername, poll,
 * select, epoll): in wasm builds emnet provides them with Linux's answers,
 * natively they are the kernel's. This header only configures where the
 * bytes go.
 *
 * Transport "websockify": one WebSocket per TCP socket, plain binary
 * frames, to a websockify-compatible proxy. The WebSocket URL for a
 * connect() to (host, port) comes from a template:
 *
 *   ws://proxy.example:6080/                      a fixed target
 *   ws://127.0.0.1:6080/?token={host}_{port}      websockify's token form
 *   wss://gw.example/tcp/{host}/{port}            a path per target
 *
 * {host} is the address in text ("127.0.0.1", "::1"), {port} the port.
 * The template is read from the environment variable EMNET_WS_URL (set it
 * from a page with Module.emnetEnv = { EMNET_WS_URL: '...' }, or under Node
 * in the process environment) unless the program sets it first.
 *
 * Transport "wisp": every TCP socket is a stream of one WebSocket to a
 * Wisp server (version 1 or 2), shared by all sockets; it opens on the
 * first connect() and again on the next one after it failed. Chosen with
 * EMNET_TRANSPORT=wisp (or emnet_net_set_transport("wisp")); the server's
 * URL comes from EMNET_WISP_URL (or emnet_net_set_wisp_url()), e.g.
 * ws://127.0.0.1:6001/ or wss://gw.example/wisp/. The Wisp CONNECT names
 * the target by the host name given to getaddrinfo() when the address
 * came from it, else by the address in text. Send credit is the server's
 * (send() says EAGAIN while a stream has none); the protocol has none the
 * other way, so a stream whose receive buffer is full pauses the whole
 * WebSocket until it is read down to half.
 *
 * UDP sockets (SOCK_DGRAM) need the wisp transport: each destination a
 * socket sends to becomes a UDP stream of the Wisp connection, one
 * datagram per packet (a UDP destination whose configured transport is
 * websockify goes over Wisp when EMNET_WISP_URL is set, else sendto() says
 * ENETUNREACH). A socket receives only from destinations it has sent to:
 * the proxy's UDP socket for that stream is what the server answers. The
 * receive queue holds up to SO_RCVBUF (212992 by default), counted as
 * Linux counts it; datagrams beyond it are dropped and counted
 * (emnet_net_stats). Local ports come from Linux's ephemeral range.
 *
 * Other settings, from the environment:
 *   EMNET_TRANSPORT           websockify (the default) or wisp.
 *   EMNET_CONNECT_CONFIRM_MS  websockify opens the WebSocket before it tries
 *                             the TCP connect and reports a refused connect
 *                             only by closing (code 1011) afterwards; a
 *                             connect counts as done when data arrives or
 *                             this long after the open without a close
 *                             (default 100). Wisp has no "connected" packet
 *                             either: the same holds from the CONNECT on.
 *   EMNET_CONNECT_TIMEOUT_MS  a WebSocket that has not opened by then
 *                             fails the connect with ETIMEDOUT (default
 *                             127000, Linux's time for an unanswered SYN);
 *                             one that closes before it opened (no proxy
 *                             there, or it refused the handshake) fails it
 *                             with EHOSTUNREACH.
 *   EMNET_SEND_BUFFER         bytes a socket may have queued in its
 *                             WebSocket before send() says EAGAIN
 *                             (default 1048576).
 *   EMNET_RECV_BUFFER         bytes received and not yet read that a socket
 *                             holds (default 1048576).
 */
#ifndef EMNET_NET_H
#define EMNET_NET_H

#ifdef __cplusplus
extern "C" {
#endif

/* Sets the URL template (copied). Returns 0, or -1 with errno EINVAL if it
 * is not a ws:// or wss:// URL. */
int emnet_net_set_url_template(const char *url_template);

/* Chooses the transport for every connect() from now on: "websockify" or
 * "wisp". Returns 0, or -1 with errno EINVAL for any other name. Without
 * it, EMNET_TRANSPORT decides (default websockify). */
int emnet_net_set_transport(const char *name);

/* Sets the Wisp server's URL (copied); it replaces EMNET_WISP_URL. Returns
 * 0, or -1 with errno EINVAL if it is not a ws:// or wss:// URL. A Wisp
 * connection already open stays with its URL until it ends. */
int emnet_net_set_wisp_url(const char *url);

/* What is alive right now, for leak checks and monitoring: sockets in C,
 * and the host objects (WebSockets, WebSocketStreams; a Wisp connection
 * is one, whatever its streams) behind them in JS.
 * Both return to 0 once every socket is closed (a Wisp connection, once
 * open, stays for the next socket: it counts 1). */
struct emnet_net_stats {
    unsigned sockets;
    unsigned host_objects;
    /* Datagrams that arrived for a UDP socket whose receive buffer was
     * full, and were dropped (as Linux drops them), since the start. */
    unsigned long datagrams_dropped;
};
void emnet_net_stats(struct emnet_net_stats *out);

#ifdef __cplusplus
}
#endif

#endif
