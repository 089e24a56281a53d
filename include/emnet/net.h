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
 * (send() says EAGAIN while a stream has none); plain Wisp has none the
 * other way, so a stream whose receive buffer is full pauses the whole
 * WebSocket until it is read down to half (emnet's receive credit
 * extension, below, removes that).
 *
 * The WebSocket offers the subprotocol "wisp-v2" (and is opened once more
 * without it if the server refuses the handshake). A server whose first
 * packet is INFO speaks version 2: emnet answers with the extensions it
 * supports among those offered: UDP, stream open confirmation (0x05) and
 * password authentication (when EMNET_WISP_PASSWORD is set, with
 * EMNET_WISP_USER, default empty; Emscripten 3.1.6 passes only ASCII
 * through the environment). With stream open confirmation (emnet-proxy
 * offers it) a connect completes when the server says the target accepted
 * it, as on Linux, and fails with ETIMEDOUT if neither that nor a refusal
 * comes within EMNET_CONNECT_TIMEOUT_MS; without it (version 1 servers,
 * version 2 ones that do not offer it) EMNET_CONNECT_CONFIRM_MS applies.
 * emnet's own extensions (docs/wisp-extensions.md; emnet-proxy offers
 * them) give TCP's ends as Linux has them: with half-close (0xe0),
 * shutdown(SHUT_WR) sends a FIN the server sees, and after the server's
 * FIN the socket reads EOF and may still send; with reset (0xe1), close()
 * resets the connection where Linux's would (SO_LINGER {1, 0}, or data
 * left unread); with receive credit (0xe2), each socket may hold at most
 * EMNET_RECV_BUFFER bytes the program has not read and the proxy stops
 * reading that socket's server alone, in every engine; with UDP sockets
 * (0xe3), an unconnected UDP socket has one socket on the proxy: it hears
 * any sender, and servers see one source port. Against a plain
 * Wisp server (or websockify) shutdown only stops sending, the server's
 * FIN ends both directions, every close is an orderly one, and a socket
 * whose buffer is full pauses the whole Wisp connection, and a UDP socket
 * hears only the destinations it sent to, each from another proxy port
 * (tests/conformance/DEVIATIONS.md W1, W3, P4, U1, U2).
 *
 * Transport "webtransport" (browsers with WebTransport; emnet-proxy only,
 * docs/webtransport-protocol.md): one WebTransport session shared by all
 * sockets, opened at the first connect() or UDP send to
 * EMNET_WEBTRANSPORT_URL (https://HOST:PORT/PATH, or
 * emnet_net_set_webtransport_url()), or, when that is not set, to the one
 * that EMNET_WEBTRANSPORT_INFO_URL describes (emnet-proxy's
 * http(s)://H:P/webtransport: port, path and certificate hashes), with
 * EMNET_WEBTRANSPORT_CERT_HASHES (hex SHA-256, comma-separated) for a
 * self-signed certificate. A TCP socket is a bidirectional stream: the
 * connect completes when the proxy's own does (its status on the stream,
 * with Linux's errno for a failure), shutdown(SHUT_WR) is the stream's FIN,
 * resets travel both ways, and QUIC's stream flow control bounds each
 * socket on its own. A UDP socket is a flow: one socket on the proxy,
 * hearing any sender, its datagrams QUIC datagrams. A session that cannot
 * open fails connects with EHOSTUNREACH; one that closes resets connected
 * sockets (ECONNRESET) and fails connects still in progress with
 * ENETUNREACH. EMNET_TRANSPORT=auto is webtransport where the engine has
 * it and the session opens, else wisp (one console line says so).
 *
 * Transport per destination: a default (EMNET_TRANSPORT) and an ordered
 * list of rules, matched on the destination's host and port; the first
 * rule that matches names the transport, else the default applies. A rule
 * is "TRANSPORT HOST[:PORTS]":
 *
 *   wisp *                     every destination
 *   wisp irc.example.org:6667  that name (case-insensitive), that port
 *   wisp *.example.org:1-1024  names below example.org (not example.org
 *                              itself), ports 1 to 1024
 *   websockify 10.0.0.0/8      an IPv4 address or network, any port
 *   wisp [fd00::/8]:443        an IPv6 address or network ([::1]; bare,
 *                              ::1 or fd00::/8, only without a port)
 *
 * PORTS is N, N-M or *. The host matched is the name given to
 * getaddrinfo() when the address is one of its placeholders, else the
 * address in text: name rules match names only, address rules addresses
 * only (an IPv4-mapped IPv6 address counts as its IPv4 address). Rules
 * come from EMNET_TRANSPORT_RULES, separated by ';' or newlines, e.g.
 *   EMNET_TRANSPORT_RULES="wisp 10.0.0.0/8; websockify 127.0.0.1:6667"
 * read once, at the first connect or rule call; the program's own rules
 * (emnet_net_add_transport_rule) come after them. A malformed variable
 * makes every connect() fail with ENETUNREACH (and says why once), as a
 * bad EMNET_TRANSPORT does. UDP sockets choose the same way.
 *
 * Name lookup: getaddrinfo() hands out placeholder addresses from
 * 240.0.0.0/4 that carry the name to the proxy, which resolves it at
 * connect time. When the program can block (ASYNCIFY, or JSPI from main)
 * and talks to emnet-proxy, getaddrinfo() first asks the proxy whether the
 * name exists (GET /resolve?name=NAME&port=PORT, the proxy's allowlist
 * applies), blocking until it answers: a name that does not exist gives
 * EAI_NONAME, a lookup that failed for now (the proxy's DNS timed out)
 * EAI_AGAIN, and only the families that exist are returned (AF_INET6
 * without AI_V4MAPPED for an IPv4-only name: EAI_NONAME, as glibc). A
 * name the proxy's policy forbids keeps its placeholder (connect() is then
 * refused by the proxy). Answers are kept EMNET_RESOLVE_CACHE_MS. The URL
 * is EMNET_RESOLVE_URL (or emnet_net_set_resolve_url()) when set; else it
 * is derived from the URL of the transport the destination would use, when
 * that names emnet-proxy's routes: ws://H:P/wisp/ or ws://H:P/tcp/{host}/
 * {port} give http://H:P/resolve (wss: https; a path before the route,
 * ws://H/gw/wisp/ -> http://H/gw/resolve, and the query, with an
 * access_token, are kept). When the destination's transport is
 * webtransport and EMNET_RESOLVE_URL is not set, the question goes on the
 * WebTransport session instead (a lookup stream to emnet-proxy, same
 * answers, no HTTP request). Without a URL, in a build that cannot block, or
 * when the server gives no usable answer, every name gets its placeholder.
 *
 * UDP sockets (SOCK_DGRAM) need the wisp transport: each destination a
 * socket sends to becomes a UDP stream of the Wisp connection, one
 * datagram per packet (a UDP destination whose configured transport is
 * websockify goes over Wisp when EMNET_WISP_URL is set, else sendto() says
 * ENETUNREACH). A socket receives only from destinations it has sent to:
 * the proxy's UDP socket for that stream is what the server answers. The
 * receive queue holds up to SO_RCVBUF (212992 by default), counted as
 * Linux counts it; datagrams beyond it are dropped and counted
 * (emnet_net_stats). Local ports come from Linux's ephemeral range. A
 * socket keeps the streams of its EMNET_UDP_DESTINATIONS (default 64)
 * most recent destinations and closes the least recently used beyond
 * that (a late reply from there is lost, as a datagram may be).
 *
 * Other settings, from the environment:
 *   EMNET_TRANSPORT           websockify (the default), wisp, webtransport
 *                             or auto (webtransport, else wisp).
 *   EMNET_WEBTRANSPORT_URL, EMNET_WEBTRANSPORT_INFO_URL,
 *   EMNET_WEBTRANSPORT_CERT_HASHES  the WebTransport session, see above.
 *   EMNET_WEBTRANSPORT_UDP    how a UDP socket's datagrams cross a
 *                             WebTransport session: "datagrams" (QUIC
 *                             datagrams, unreliable as UDP; larger ones on
 *                             the socket's stream), "stream" (every one on
 *                             the socket's stream: none lost, in order), or
 *                             "auto" (the default: stream in engines that
 *                             drop bursts of QUIC datagrams, i.e. Firefox).
 *   EMNET_TRANSPORT_RULES     transport rules, see above.
 *   EMNET_RESOLVE_URL         emnet-proxy's /resolve URL (http:// or
 *                             https://), or "off" to never ask.
 *   EMNET_RESOLVE_TIMEOUT_MS  how long getaddrinfo() waits for the proxy's
 *                             answer before it gives EAI_AGAIN (default
 *                             10000).
 *   EMNET_RESOLVE_CACHE_MS    how long an answer is reused (default 10000;
 *                             "try again" answers are never kept).
 *   EMNET_CONNECT_CONFIRM_MS  websockify opens the WebSocket before it tries
 *                             the TCP connect and reports a refused connect
 *                             only by closing (code 1011) afterwards; a
 *                             connect counts as done when data arrives or
 *                             this long after the open without a close
 *                             (default 100). Plain Wisp has no "connected"
 *                             packet either: the same holds from the
 *                             CONNECT on, unless the server confirms
 *                             streams (0x05, see above).
 *   EMNET_CONNECT_TIMEOUT_MS  a WebSocket that has not opened by then
 *                             fails the connect with ETIMEDOUT (default
 *                             127000, Linux's time for an unanswered SYN);
 *                             one that closes before it opened (no proxy
 *                             there, or it refused the handshake) fails it
 *                             with EHOSTUNREACH. Over Wisp with stream open
 *                             confirmation, a stream not confirmed by then
 *                             fails its connect with ETIMEDOUT too.
 *   EMNET_WISP_EXTENSIONS     the Wisp extensions emnet may ask a server for
 *                             (names separated by commas): udp, password,
 *                             confirm (0x05), half-close, reset, credit,
 *                             udp-sockets, packed;
 *                             default all of them. "udp" alone is plain
 *                             Wisp, e.g. to compare, or to work around a
 *                             server that gets one wrong.
 *   EMNET_WISP_USER, EMNET_WISP_PASSWORD  credentials for a Wisp version 2
 *                             server that offers password authentication
 *                             (sent only when EMNET_WISP_PASSWORD is set).
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

/* Chooses the default transport, for every connect() that no transport
 * rule decides, from now on: "websockify" or "wisp". Returns 0, or -1 with
 * errno EINVAL for any other name. Without it, EMNET_TRANSPORT decides
 * (default websockify). */
int emnet_net_set_transport(const char *name);

/* Appends a transport rule ("wisp *.example.org:6667", grammar above)
 * after the existing ones. Returns 0, or -1 with errno EINVAL for a
 * malformed rule or an unknown transport (the list is unchanged), ENOMEM. */
int emnet_net_add_transport_rule(const char *rule);

/* Removes every transport rule, those from EMNET_TRANSPORT_RULES too (a
 * malformed variable then no longer fails connects): the default transport
 * applies to every destination. */
void emnet_net_clear_transport_rules(void);

/* Sets where getaddrinfo() asks about names (copied): emnet-proxy's
 * http(s)://HOST:PORT/resolve, "off" to never ask, or NULL to go back to
 * the URL derived from the transport's. Returns 0, or -1 with errno EINVAL
 * for anything else. Cached answers stay until they expire. */
int emnet_net_set_resolve_url(const char *url);

/* Sets the Wisp server's URL (copied); it replaces EMNET_WISP_URL. Returns
 * 0, or -1 with errno EINVAL if it is not a ws:// or wss:// URL. A Wisp
 * connection already open stays with its URL until it ends. */
int emnet_net_set_wisp_url(const char *url);
/* Sets emnet-proxy's WebTransport URL (https://HOST:PORT/PATH, copied); it
 * replaces EMNET_WEBTRANSPORT_URL (NULL: back to it, or to the session
 * EMNET_WEBTRANSPORT_INFO_URL describes). 0, or -1 with errno EINVAL (not
 * https://) or ENOMEM. Sockets already open keep their session. */
int emnet_net_set_webtransport_url(const char *url);

/* What is alive right now, for leak checks and monitoring: sockets in C,
 * and the host objects (WebSockets, WebSocketStreams; a Wisp connection
 * is one, whatever its streams; a WebTransport stream is one each) behind
 * them in JS.
 * Both return to 0 once every socket is closed (a Wisp connection, once
 * open, stays for the next socket: it counts 1). */
struct emnet_net_stats {
    unsigned sockets;
    unsigned host_objects;
    /* Datagrams that arrived for a UDP socket whose receive buffer was
     * full, and were dropped (as Linux drops them), since the start. */
    unsigned long datagrams_dropped;
    /* Streams open on Wisp connections: one per TCP socket, one per
     * destination of a UDP socket (at most EMNET_UDP_DESTINATIONS each). */
    unsigned wisp_streams;
    /* Stream sockets reset because received bytes could not be kept (out
     * of memory, or a peer sending far past the receive buffer where the
     * engine cannot pause a WebSocket), since the start: never a hole. */
    unsigned long receive_failures;
};
void emnet_net_stats(struct emnet_net_stats *out);

#ifdef __cplusplus
}
#endif

#endif
