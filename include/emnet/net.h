/* emnet net: TCP sockets for Emscripten programs, over WebSocket.
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
 * Other settings, from the environment:
 *   EMNET_CONNECT_CONFIRM_MS  websockify opens the WebSocket before it tries
 *                             the TCP connect and reports a refused connect
 *                             only by closing (code 1011) afterwards; a
 *                             connect counts as done when data arrives or
 *                             this long after the open without a close
 *                             (default 100).
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

#ifdef __cplusplus
}
#endif

#endif
