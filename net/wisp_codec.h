/* The Wisp packet codec: pure functions over byte buffers, shared by
 * emnet-proxy (native) and the wisp transport (wasm).
 *
 * Wisp carries many TCP and UDP streams over one WebSocket; every
 * WebSocket message is one packet:
 *
 *   offset 0   type       u8     CONNECT 1, DATA 2, CONTINUE 3, CLOSE 4, INFO 5;
 *                                emnet's extensions add FIN 0xe0, CREDIT 0xe2,
 *                                UDP_ERROR 0xe3
 *   offset 1   stream id  u32 LE 0 is the connection itself
 *   offset 5   payload    the rest of the message, laid out by type:
 *
 *   CONNECT   stream type u8 (1 TCP, 2 UDP), port u16 LE, host name (the
 *             rest: UTF-8, not NUL-terminated)
 *   DATA      the stream's bytes
 *   CONTINUE  buffer remaining u32 LE (packets the server still accepts
 *             on the stream; on stream 0 the default for new streams)
 *   CLOSE     reason u8 (EMNET_WISP_CLOSE_*)
 *   INFO      (version 2) major u8, minor u8, then extensions, each
 *             id u8, payload length u32 LE, payload
 *   FIN       nothing: the sender sends no more DATA on the stream
 *             (only once emnet's half-close extension is negotiated;
 *             docs/wisp-extensions.md)
 *   CREDIT    bytes u32 LE: the client lets the server send that many more
 *             bytes of DATA on the stream (receive credit extension)
 *   UDP_ERROR reason u8 (EMNET_WISP_CLOSE_*), then an address record: a
 *             datagram the socket stream sent there failed (UDP sockets
 *             extension)
 *
 * UDP sockets extension (0xe3): a CONNECT of stream type 0xe3 opens a UDP
 * socket on the server, named by the host "0.0.0.0" (IPv4) or "::" (IPv6)
 * and port 0. Every DATA on it starts with an address record, the
 * destination (client to server) or the source (server to client):
 *
 *   family u8 (4 or 6), port u16 LE, address (4 or 16 bytes, network order)
 *
 * All multi-byte fields are little-endian. Version 1 peers never send
 * INFO; a version 2 server sends it first, so the first packet of a
 * connection tells the two versions apart.
 *
 * Nothing here allocates, keeps state or does I/O. The decoder is total:
 * any bytes give either a packet or one precise negative error code. It
 * copies nothing: the pointers in a decoded packet point into the buffer
 * that was decoded, which must outlive them. */
#ifndef EMNET_WISP_CODEC_H
#define EMNET_WISP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMNET_WISP_HEADER 5          /* type + stream id */
#define EMNET_WISP_CONNECT_FIXED 3   /* stream type + port, before the host */
#define EMNET_WISP_CONTINUE_SIZE (EMNET_WISP_HEADER + 4)
#define EMNET_WISP_CLOSE_SIZE (EMNET_WISP_HEADER + 1)
#define EMNET_WISP_FIN_SIZE EMNET_WISP_HEADER
#define EMNET_WISP_CREDIT_SIZE (EMNET_WISP_HEADER + 4)
#define EMNET_WISP_ADDR_MAX 19       /* an address record: family, port, IPv6 address */
#define EMNET_WISP_UDP_ERROR_MAX (EMNET_WISP_HEADER + 1 + EMNET_WISP_ADDR_MAX)
#define EMNET_WISP_INFO_FIXED 2      /* major + minor, before the extensions */
#define EMNET_WISP_EXT_HEADER 5      /* extension id + payload length */
/* A DNS name is at most 253 bytes in text form; a longer host name can
 * only be a mistake or an attack on whoever logs or resolves it. */
#define EMNET_WISP_HOST_MAX 253

enum emnet_wisp_type {
    EMNET_WISP_CONNECT = 0x01,
    EMNET_WISP_DATA = 0x02,
    EMNET_WISP_CONTINUE = 0x03,
    EMNET_WISP_CLOSE = 0x04,
    EMNET_WISP_INFO = 0x05,
    EMNET_WISP_FIN = 0xe0,       /* emnet's half-close extension */
    EMNET_WISP_CREDIT = 0xe2,    /* emnet's receive credit extension */
    EMNET_WISP_UDP_ERROR = 0xe3, /* emnet's UDP sockets extension */
    EMNET_WISP_PACKED = 0xe4,    /* emnet's packed messages extension */
};

enum emnet_wisp_stream_type {
    EMNET_WISP_STREAM_TCP = 0x01,
    EMNET_WISP_STREAM_UDP = 0x02,
    EMNET_WISP_STREAM_UDP_SOCKET = 0xe3,   /* emnet's UDP sockets extension */
};

/* Extension ids of version 2's INFO packet. */
enum emnet_wisp_ext_id {
    EMNET_WISP_EXT_UDP = 0x01,
    EMNET_WISP_EXT_PASSWORD = 0x02,
    EMNET_WISP_EXT_KEY_AUTH = 0x03,
    EMNET_WISP_EXT_MOTD = 0x04,
    EMNET_WISP_EXT_STREAM_CONFIRM = 0x05,
    /* emnet's own (docs/wisp-extensions.md), from 0xe0 up, a range the
     * protocol's extensions leave alone. */
    EMNET_WISP_EXT_HALF_CLOSE = 0xe0,
    EMNET_WISP_EXT_RESET = 0xe1,
    EMNET_WISP_EXT_RECEIVE_CREDIT = 0xe2,
    EMNET_WISP_EXT_UDP_SOCKETS = 0xe3,
    EMNET_WISP_EXT_PACKED = 0xe4,
};

/* Extension payloads (in INFO, after an entry's id and length).
 *
 *   UDP 0x01             none either way: present = UDP streams allowed.
 *   password 0x02        server: required u8 (0 or 1);
 *                        client: username length u8, password length
 *                        u16 LE, username, password (UTF-8, no NUL).
 *   MOTD 0x04            server: the message (UTF-8, the whole payload);
 *                        client: none.
 *   stream confirm 0x05  none either way. When both sides list it, the
 *                        server confirms a TCP stream once its connection
 *                        to the target is established, with a CONTINUE on
 *                        that stream (the stream's credit); a stream that
 *                        fails gets CLOSE and no confirmation.
 *   half-close 0xe0      none either way. When both list it, FIN packets
 *                        carry each direction's end of a TCP stream.
 *   reset 0xe1           none either way. When both list it, CLOSE with
 *                        RESET (0xe1) resets the target connection (from
 *                        the client) or reports its reset (from the
 *                        server).
 *   receive credit 0xe2  server: none; client: initial window u32 LE (not
 *                        0), the bytes of DATA the server may send on each
 *                        new TCP stream before CREDIT packets give more.
 *   UDP sockets 0xe3     none either way. When both list it, streams of
 *                        type 0xe3 are UDP sockets (above).
 *   packed 0xe4          none either way. When both list it, either side
 *                        may send several packets in one WebSocket message:
 *                        a PACKED packet (below).
 *
 * Decoders take exactly one payload: bytes past the fields are EEXT_PAYLOAD,
 * as are missing bytes and strings that are not UTF-8 or hold a NUL. */
#define EMNET_WISP_PASSWORD_FIXED 3   /* username length + password length */
#define EMNET_WISP_USER_MAX 255
#define EMNET_WISP_PASSWORD_MAX 65535

/* Close reasons, as the protocol numbers them: X(NAME, value, "log name",
 * errno), in the protocol's groups: either side (0x01-0x04; 0x04 is
 * version 2's), the server only (0x41-0x49), the client only (0x81), the
 * version 2 authentication extensions (0xc0-0xc2), emnet's reset
 * extension (0xe1).
 *
 * The errno column (expanding it needs <errno.h>) is what a Linux socket
 * reports for the same event. VOLUNTARY is 0, an orderly end of stream:
 * servers send it when the target closed its side normally. Stream
 * creation failures the kernel has no single code for map to the closest
 * error a non-blocking connect reports: an invalid target and a throttled
 * client are refusals (ECONNREFUSED), as a connect to port 0 is; a
 * proxy's block list and failed authentication are EACCES. */
#define EMNET_WISP_CLOSE_REASON_MAP(X)                                    \
    X(UNKNOWN, 0x01, "unknown", ECONNRESET)                               \
    X(VOLUNTARY, 0x02, "voluntary", 0)                                    \
    X(NETWORK_ERROR, 0x03, "network_error", ECONNRESET)                   \
    X(INCOMPATIBLE_EXTENSIONS, 0x04, "incompatible_extensions", ECONNRESET) \
    X(INVALID_INFO, 0x41, "invalid_info", ECONNREFUSED)                   \
    X(UNREACHABLE, 0x42, "unreachable", EHOSTUNREACH)                     \
    X(CONNECT_TIMEOUT, 0x43, "connect_timeout", ETIMEDOUT)                \
    X(REFUSED, 0x44, "refused", ECONNREFUSED)                             \
    X(DATA_TIMEOUT, 0x47, "data_timeout", ETIMEDOUT)                      \
    X(BLOCKED, 0x48, "blocked", EACCES)                                   \
    X(THROTTLED, 0x49, "throttled", ECONNREFUSED)                         \
    X(CLIENT_ERROR, 0x81, "client_error", ECONNRESET)                     \
    X(AUTH_BAD_PASSWORD, 0xc0, "auth_bad_password", EACCES)               \
    X(AUTH_BAD_SIGNATURE, 0xc1, "auth_bad_signature", EACCES)             \
    X(AUTH_REQUIRED, 0xc2, "auth_required", EACCES)                       \
    X(RESET, 0xe1, "reset", ECONNRESET)

enum emnet_wisp_close_reason {
#define EMNET_WISP__CLOSE_ENUM(name, value, text, err) EMNET_WISP_CLOSE_##name = value,
    EMNET_WISP_CLOSE_REASON_MAP(EMNET_WISP__CLOSE_ENUM)
#undef EMNET_WISP__CLOSE_ENUM
};

/* Decoder errors: X(NAME, value, "log name"). */
#define EMNET_WISP_ERROR_MAP(X)                                           \
    X(SHORT, -1, "short")                 /* shorter than its type needs */ \
    X(TYPE, -2, "unknown_type")           /* not 1..5, 0xe0, 0xe2 or 0xe3 */ \
    X(TRAILING, -3, "trailing_bytes")     /* bytes after a fixed payload */ \
    X(STREAM_ID, -4, "bad_stream_id")     /* 0 on CONNECT/DATA, not 0 on INFO */ \
    X(STREAM_TYPE, -5, "bad_stream_type") /* CONNECT stream type not 1, 2 or 0xe3 */ \
    X(PORT, -6, "bad_port")               /* CONNECT to port 0 */           \
    X(HOST_EMPTY, -7, "empty_host")       /* CONNECT without a host */      \
    X(HOST_LONG, -8, "host_too_long")     /* over EMNET_WISP_HOST_MAX */    \
    X(HOST_BYTE, -9, "bad_host_byte")     /* NUL, control byte, bad UTF-8 */ \
    X(EXT, -10, "bad_extension")          /* INFO extension runs past the end */ \
    X(EXT_PAYLOAD, -11, "bad_extension_payload") /* an extension's payload is malformed */ \
    X(ADDR, -12, "bad_address")           /* an address record: family not 4 or 6, or cut short */

enum emnet_wisp_error {
    EMNET_WISP_OK = 0,
#define EMNET_WISP__ERROR_ENUM(name, value, text) EMNET_WISP_E##name = value,
    EMNET_WISP_ERROR_MAP(EMNET_WISP__ERROR_ENUM)
#undef EMNET_WISP__ERROR_ENUM
};

/* A decoded packet. Every pointer points into the decoded buffer. */
struct emnet_wisp_packet {
    uint8_t type;                /* enum emnet_wisp_type */
    uint32_t stream_id;
    union {
        struct {
            uint8_t stream_type; /* enum emnet_wisp_stream_type */
            uint16_t port;       /* never 0 */
            const char *host;    /* not NUL-terminated: use host_len */
            size_t host_len;     /* 1..EMNET_WISP_HOST_MAX */
        } connect;
        struct {
            const uint8_t *data; /* may be empty (len 0), see below */
            size_t len;
        } data;
        struct {
            uint32_t remaining;
        } cont;
        struct {
            uint8_t reason;      /* any value: unknown ones are kept as is */
        } close;
        struct {
            uint32_t bytes;
        } credit;
        struct {
            uint8_t reason;
            const uint8_t *addr; /* a whole address record: emnet_wisp_decode_addr */
            size_t addr_len;
        } udp_error;
        struct {
            const uint8_t *records; /* well-formed: walk it with emnet_wisp_packed_next */
            size_t len;
        } packed;
        struct {
            uint8_t major, minor;
            const uint8_t *ext;  /* well-formed list: walk it with emnet_wisp_ext_next */
            size_t ext_len;
        } info;
    } u;
};

/* PACKED (emnet's packed messages extension, 0xe4): stream id 0, then
 * records, each a u32 LE length (at least EMNET_WISP_HEADER) and that many
 * bytes of one packet, which is never PACKED itself. At least one record;
 * the records fill the payload exactly. */
#define EMNET_WISP_PACKED_RECORD 4   /* a record's length field */
/* Steps *it through the records up to end: 1 with the next packet in
 * (*pkt, *len), 0 at the end. Only for a payload emnet_wisp_decode took. */
int emnet_wisp_packed_next(const uint8_t **it, const uint8_t *end, const uint8_t **pkt, size_t *len);

/* Decodes one packet (one WebSocket message) of len bytes.
 *
 * Returns 0 and fills *out, or a negative enum emnet_wisp_error. The checks
 * run in this order, and the first that fails is returned: at least a
 * header (ESHORT), a known type (ETYPE), the stream id allowed for the type
 * (ESTREAM_ID), then the payload. When the header was there, out->type and
 * out->stream_id are filled even on error, so that a server can answer a
 * bad CONNECT with a CLOSE on the right stream, or skip a packet type that
 * an extension it does not know defines.
 *
 * Rules beyond the layout:
 *   - stream 0 is the connection: CONNECT and DATA on it are ESTREAM_ID;
 *     INFO belongs to the handshake and must be on it; CONTINUE (the
 *     default buffer size) and CLOSE (ending the connection) may be on it.
 *   - CONNECT: stream type 1 or 2, port not 0, a host of 1 to 253 bytes of
 *     valid UTF-8 without NUL or control bytes (0x00-0x1f, 0x7f).
 *   - DATA of 0 bytes decodes: the protocol does not forbid it and a UDP
 *     datagram may be empty. On a TCP stream it carries nothing and must
 *     not be read as end of stream (only CLOSE ends a stream).
 *   - CONTINUE and CLOSE have a fixed size: a longer packet is ETRAILING.
 *   - FIN: never on stream 0 (ESTREAM_ID), no payload (ETRAILING).
 *   - CREDIT: never on stream 0, exactly 4 bytes of payload.
 *   - CONNECT of type 0xe3 (a UDP socket): port 0, and only 0; host
 *     "0.0.0.0" or "::" (else EHOST_BYTE).
 *   - UDP_ERROR: never on stream 0, a reason and one whole address record
 *     (EADDR otherwise). DATA on a type 0xe3 stream is not judged here:
 *     emnet_wisp_decode_addr reads its address record.
 *     Whether the extension was negotiated is the caller's to judge.
 *   - CLOSE keeps an unknown reason as is (newer peers may add reasons).
 *   - INFO: the extension list must be whole (EEXT otherwise); extension
 *     ids and versions are not judged here. */
int emnet_wisp_decode(const uint8_t *buf, size_t len, struct emnet_wisp_packet *out);

/* Walks an INFO extension list from *p to end. Returns 1 with the next
 * extension's id and payload, advancing *p past it; 0 at the end of the
 * list; EMNET_WISP_EEXT (leaving *p alone) when the bytes left are not a
 * whole extension. Safe on any bytes, not only a decoded INFO's. */
int emnet_wisp_ext_next(const uint8_t **p, const uint8_t *end, uint8_t *id,
                        const uint8_t **payload, uint32_t *len);

/* 0 when host (len bytes) is acceptable in a CONNECT, else EHOST_EMPTY,
 * EHOST_LONG or EHOST_BYTE, as the decoder judges it. */
int emnet_wisp_check_host(const char *host, size_t len);

/* Credentials of the password extension (client side). Pointers into the
 * decoded payload; strings are not NUL-terminated. */
struct emnet_wisp_password {
    const char *user;
    size_t user_len;       /* 0..EMNET_WISP_USER_MAX */
    const char *password;
    size_t password_len;   /* 0..EMNET_WISP_PASSWORD_MAX */
};

/* The client's password payload: 0 and *out, or EEXT_PAYLOAD. */
int emnet_wisp_decode_password(const uint8_t *payload, size_t len, struct emnet_wisp_password *out);
/* The server's password payload: 0 and *required (0 or 1), or EEXT_PAYLOAD
 * (not exactly one byte, or a value other than 0 and 1). */
int emnet_wisp_decode_password_required(const uint8_t *payload, size_t len, int *required);
/* The client's receive credit payload: 0 and *window (not 0), or
 * EEXT_PAYLOAD (not exactly 4 bytes, or 0). */
int emnet_wisp_decode_window(const uint8_t *payload, size_t len, uint32_t *window);
/* A MOTD payload: 0 if it is UTF-8 without NUL, else EEXT_PAYLOAD. */
int emnet_wisp_check_motd(const uint8_t *payload, size_t len);
/* 0 if an extension whose payload must be empty (UDP, stream confirm, the
 * client's MOTD) has none, else EEXT_PAYLOAD. */
int emnet_wisp_check_empty_ext(size_t len);

/* Short names for logs and metrics; never NULL. */
const char *emnet_wisp_error_name(int err);              /* "?" if not an error code */
const char *emnet_wisp_type_name(uint8_t type);          /* "?" if unknown */
const char *emnet_wisp_close_reason_name(uint8_t reason); /* "unrecognised" if unknown */

/* The errno (this platform's value) a Linux socket would report when its
 * stream is closed with this reason: 0 for an orderly end of stream
 * (VOLUNTARY), ECONNRESET for reasons not in the table. Never send the
 * result over the wire: errno values differ between Linux and wasm. */
int emnet_wisp_close_reason_errno(uint8_t reason);

/* Encoders. Each writes one packet at buf (cap bytes of room) and returns
 * the bytes written, or 0 when the packet does not fit or when it would
 * break a rule the decoder checks (stream id 0 on CONNECT or DATA, a bad
 * stream type, port or host, a malformed extension list): whatever they
 * write decodes. */

size_t emnet_wisp_encode_connect(uint8_t *buf, size_t cap, uint32_t stream_id, uint8_t stream_type,
                                 uint16_t port, const char *host, size_t host_len);

/* The DATA packet's 5-byte header only: send it and then the payload in
 * the same WebSocket message, so that the bytes are never copied. Any
 * payload length goes with it. Returns EMNET_WISP_HEADER or 0. */
size_t emnet_wisp_encode_data_header(uint8_t *buf, size_t cap, uint32_t stream_id);

/* A whole DATA packet. data may already sit at buf + EMNET_WISP_HEADER
 * (it is moved, not copied, so overlap is fine). */
size_t emnet_wisp_encode_data(uint8_t *buf, size_t cap, uint32_t stream_id, const void *data, size_t len);

size_t emnet_wisp_encode_continue(uint8_t *buf, size_t cap, uint32_t stream_id, uint32_t remaining);
size_t emnet_wisp_encode_close(uint8_t *buf, size_t cap, uint32_t stream_id, uint8_t reason);
/* FIN (half-close extension): never on stream 0. */
size_t emnet_wisp_encode_fin(uint8_t *buf, size_t cap, uint32_t stream_id);
/* CREDIT (receive credit extension): never on stream 0. */
size_t emnet_wisp_encode_credit(uint8_t *buf, size_t cap, uint32_t stream_id, uint32_t bytes);

/* An address record (UDP sockets extension). family is 4 or 6; addr holds
 * 4 or 16 bytes in network order. */
struct emnet_wisp_addr {
    uint8_t family;
    uint16_t port;
    uint8_t addr[16];
};
/* Reads the address record at the start of p (n bytes): its length (7 or
 * 19) and *out, or EADDR. What follows it (a datagram) is the caller's. */
int emnet_wisp_decode_addr(const uint8_t *p, size_t n, struct emnet_wisp_addr *out);
/* Writes an address record: its length, or 0 (no room, bad family). */
size_t emnet_wisp_encode_addr(uint8_t *buf, size_t cap, const struct emnet_wisp_addr *a);
/* An IPv4 or IPv6 socket address as a record (an IPv4-mapped IPv6 address
 * as IPv4): 0, or -1 for another family. */
struct sockaddr;
struct sockaddr_storage;
int emnet_wisp_addr_from_sockaddr(const struct sockaddr *sa, struct emnet_wisp_addr *a);
/* A record as an address of a socket of family (AF_INET or AF_INET6; IPv4
 * as v4-mapped there) into *ss, its length in *len: 0, or -1 when that
 * family cannot hold it. */
int emnet_wisp_addr_to_sockaddr(const struct emnet_wisp_addr *a, int family, struct sockaddr_storage *ss,
                                unsigned *len);
/* UDP_ERROR with a reason for the address: never on stream 0. */
size_t emnet_wisp_encode_udp_error(uint8_t *buf, size_t cap, uint32_t stream_id, uint8_t reason,
                                   const struct emnet_wisp_addr *a);

/* INFO on stream 0; ext (ext_len bytes) is a list built with
 * emnet_wisp_encode_ext, or NULL/0 for none. */
size_t emnet_wisp_encode_info(uint8_t *buf, size_t cap, uint8_t major, uint8_t minor,
                              const uint8_t *ext, size_t ext_len);

/* One INFO extension entry (id, length, payload); append entries to build
 * the list. 0 if it does not fit or len exceeds UINT32_MAX. */
size_t emnet_wisp_encode_ext(uint8_t *buf, size_t cap, uint8_t id, const void *payload, size_t len);

/* The client's password payload (no extension header: pass it to
 * emnet_wisp_encode_ext). 0 if it does not fit, a length is over its
 * maximum, or a string is not UTF-8 or holds a NUL. */
size_t emnet_wisp_encode_password(uint8_t *buf, size_t cap, const char *user, size_t user_len,
                                  const char *password, size_t password_len);

/* Encodes a packet as emnet_wisp_decode gives it: decoding then encoding
 * gives back the same bytes, since every field has one encoding. */
size_t emnet_wisp_encode(uint8_t *buf, size_t cap, const struct emnet_wisp_packet *pkt);

#ifdef __cplusplus
}
#endif

#endif
