/* The codec of emnet's WebTransport protocol (docs/webtransport-protocol.md):
 * pure functions over byte buffers, shared by the webtransport transport
 * (wasm) and emnet-proxy (native). WebTransport's own framing (the 0x41 /
 * 0x54 stream prefixes, HTTP datagrams' quarter stream id) is not here:
 * the browser strips it on one side and proxy/h3 on the other.
 *
 * What travels where:
 *
 *   client stream header  kind u8, then by kind:
 *       0x01 TCP          port u16, address record (type 4, 6 or 0)
 *       0x02 UDP flow     family u8 (4 or 6)
 *       0x03 lookup       family u8 (0, 4 or 6), address record (type 0)
 *   proxy reply           status u8; for status 0 only, by kind:
 *       TCP               the target's socket address
 *       UDP flow          flow id varint, the proxy's port u16
 *       lookup            count u8 (1-32), count address records (4 or 6)
 *   QUIC datagram         flow id varint, socket address, payload
 *   flow stream records   0x01 length varint, socket address, payload
 *                         0x02 status u8 (not 0), socket address
 *
 *   address record        type u8: 4 (4 bytes follow), 6 (16 bytes), or
 *                         0 (length u8 1-253, then that many bytes of
 *                         ASCII letters, digits, '-', '.', '_')
 *   socket address        address record of type 4 or 6, port u16
 *
 * Integers are big-endian; a varint is QUIC's (RFC 9000 §16): the top two
 * bits of the first byte give its length (1, 2, 4 or 8 bytes). Decoders
 * take any length RFC 9000 allows; encoders write the shortest, so a
 * decoded value re-encodes to the same bytes whenever the sender did too.
 * Every other field has one encoding.
 *
 * Return conventions:
 *   - What arrives on a stream (headers, replies, records) is decoded
 *     incrementally: call the decoder on all the bytes so far. It returns
 *     the length of what it decoded (> 0; the stream's next bytes follow
 *     it), 0 when more bytes are needed, never an error for that, or a
 *     negative enum emnet_wt_error as soon as the bytes in show one: a
 *     longer input never turns an error back into 0 or a success.
 *   - A QUIC datagram arrives whole, so a datagram cut short is an error
 *     (ESHORT), not "need more".
 *   - Encoders return the bytes written, or 0 when cap is too small or
 *     when the fields break a rule the decoders check: whatever they write
 *     decodes.
 *
 * Nothing here allocates, keeps state, or does I/O; no socket header is
 * needed. Decoded addresses are copied into the result, so a caller may
 * drop or reuse its buffer once a header is decoded; only payload pointers
 * point into the decoded buffer. */
#ifndef EMNET_WT_CODEC_H
#define EMNET_WT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- varints ---- */

#define EMNET_WT_VARINT_MAX ((UINT64_C(1) << 62) - 1)
#define EMNET_WT_VARINT_MAX_LEN 8

/* The varint at the start of buf: its length (1, 2, 4 or 8) and *value,
 * or 0 when len is shorter than it (*value untouched). */
int emnet_wt_varint_decode(const uint8_t *buf, size_t len, uint64_t *value);
/* The length of value's shortest encoding, or 0 above EMNET_WT_VARINT_MAX. */
size_t emnet_wt_varint_len(uint64_t value);
/* Writes the shortest encoding: its length, or 0 (no room, too large). */
size_t emnet_wt_varint_encode(uint8_t *buf, size_t cap, uint64_t value);

/* ---- errors and statuses ---- */

/* Decoder errors: X(NAME, value, "log name"). The proxy answers a stream
 * header that fails with status 0x07 (INVALID), then FIN. */
#define EMNET_WT_ERROR_MAP(X)                                                          \
    X(KIND, -1, "unknown_kind")             /* a stream kind not 1, 2 or 3 */          \
    X(FAMILY, -2, "bad_family")             /* UDP: not 4 or 6; lookup: not 0, 4, 6 */ \
    X(ADDR_TYPE, -3, "bad_address_type")    /* not 4, 6 or 0, or not allowed there */  \
    X(NAME_EMPTY, -4, "empty_name")         /* a name of length 0 */                   \
    X(NAME_LONG, -5, "name_too_long")       /* over EMNET_WT_NAME_MAX */               \
    X(NAME_BYTE, -6, "bad_name_byte")       /* not a letter, digit, '-', '.' or '_' */ \
    X(COUNT, -7, "bad_count")               /* a lookup answer of 0 or over 32 */      \
    X(RECORD_TYPE, -8, "unknown_record")    /* a flow record not 0x01 or 0x02 */       \
    X(RECORD_LONG, -9, "record_too_long")   /* a payload over EMNET_WT_UDP_PAYLOAD_MAX */ \
    X(STATUS, -10, "bad_status")            /* an error record of status 0 */          \
    X(SHORT, -11, "short")                  /* a datagram cut short */

enum emnet_wt_error {
    EMNET_WT_OK = 0,
#define EMNET_WT__ERROR_ENUM(name, value, text) EMNET_WT_E##name = value,
    EMNET_WT_ERROR_MAP(EMNET_WT__ERROR_ENUM)
#undef EMNET_WT__ERROR_ENUM
};

/* "short", "bad_family", ...; "ok" for 0, "?" for anything else. Never NULL. */
const char *emnet_wt_error_name(int err);

/* The proxy's status, the first byte of every reply and of an error
 * record: X(NAME, value, "log name", errno). The errno column (expanding
 * it needs <errno.h>) is what a Linux connect reports for the same
 * outcome. A lookup stream's statuses become getaddrinfo's EAI_* codes
 * instead, which the resolver maps itself (0x06 EAI_NONAME, 0x09
 * EAI_AGAIN). */
#define EMNET_WT_STATUS_MAP(X)                                        \
    X(OK, 0x00, "ok", 0)                                              \
    X(REFUSED, 0x01, "refused", ECONNREFUSED)                         \
    X(NET_UNREACHABLE, 0x02, "network_unreachable", ENETUNREACH)      \
    X(HOST_UNREACHABLE, 0x03, "host_unreachable", EHOSTUNREACH)       \
    X(TIMED_OUT, 0x04, "timed_out", ETIMEDOUT)                        \
    X(BLOCKED, 0x05, "blocked", ECONNREFUSED)                         \
    X(NO_NAME, 0x06, "no_such_name", EHOSTUNREACH)                    \
    X(INVALID, 0x07, "invalid", EINVAL)                               \
    X(NO_RESOURCES, 0x08, "no_resources", ENOBUFS)                    \
    X(TRY_AGAIN, 0x09, "try_again", ETIMEDOUT)

enum emnet_wt_status {
#define EMNET_WT__STATUS_ENUM(name, value, text, err) EMNET_WT_STATUS_##name = value,
    EMNET_WT_STATUS_MAP(EMNET_WT__STATUS_ENUM)
#undef EMNET_WT__STATUS_ENUM
};

/* "ok", "refused", ...; "unrecognised" for a status not in the table (a
 * newer proxy may add some). Never NULL. */
const char *emnet_wt_status_name(uint8_t status);
/* The errno (this platform's value) a Linux connect reports for status: 0
 * for OK, ECONNREFUSED for a status not in the table (still a failure:
 * only 0 connects). Never send the result over the wire. */
int emnet_wt_status_errno(uint8_t status);

/* WebTransport application error codes on streams (RESET_STREAM,
 * STOP_SENDING) and session close codes (CLOSE_WEBTRANSPORT_SESSION). */
#define EMNET_WT_CODE_NO_ERROR 0x00
#define EMNET_WT_CODE_RESET 0x01       /* TCP's RST, both ways */
#define EMNET_WT_CODE_PROTOCOL 0x02    /* a stream this protocol does not allow */
#define EMNET_WT_CLOSE_NORMAL 0x00
#define EMNET_WT_CLOSE_PROTOCOL 0x10
#define EMNET_WT_CLOSE_DRAINING 0x11   /* the proxy shuts down: open a new session */

/* ---- addresses ---- */

enum emnet_wt_addr_type {
    EMNET_WT_ADDR_NAME = 0,
    EMNET_WT_ADDR_IPV4 = 4,
    EMNET_WT_ADDR_IPV6 = 6,
};

/* A DNS name in text form is at most 253 bytes. */
#define EMNET_WT_NAME_MAX 253
#define EMNET_WT_ADDR_MAX (2 + EMNET_WT_NAME_MAX) /* the longest address record */
#define EMNET_WT_SOCKADDR_MAX 19                   /* type, IPv6 address, port */

/* An address record of any type. */
struct emnet_wt_addr {
    uint8_t type;                     /* enum emnet_wt_addr_type */
    uint8_t len;                      /* 4, 16, or the name's 1..EMNET_WT_NAME_MAX */
    uint8_t bytes[EMNET_WT_NAME_MAX]; /* the address in network order, or the
                                       * name (not NUL-terminated) */
};

/* An address record of type 4 or 6: what a socket address and a lookup
 * answer hold. */
struct emnet_wt_ip {
    uint8_t type;      /* 4 or 6 */
    uint8_t bytes[16]; /* network order; type 4 uses the first 4 */
};

struct emnet_wt_sockaddr {
    struct emnet_wt_ip ip;
    uint16_t port;
};

/* 0 when name (len bytes) may travel as a name record, else ENAME_EMPTY,
 * ENAME_LONG or ENAME_BYTE. Only ASCII letters, digits, '-', '.' and '_':
 * no NUL, nothing that a log or a resolver could read another way. */
int emnet_wt_check_name(const char *name, size_t len);

/* The address record at the start of buf (incremental): its length, 0,
 * or EADDR_TYPE and the name errors. */
int emnet_wt_decode_addr(const uint8_t *buf, size_t len, struct emnet_wt_addr *out);
/* The record's encoded length, or 0 when *a is not a valid record (type
 * and len disagree, or a name check_name refuses). */
size_t emnet_wt_addr_len(const struct emnet_wt_addr *a);
size_t emnet_wt_encode_addr(uint8_t *buf, size_t cap, const struct emnet_wt_addr *a);

/* The socket address at the start of buf (incremental): its length (7 or
 * 19), 0, or EADDR_TYPE (a name, or an unknown type). */
int emnet_wt_decode_sockaddr(const uint8_t *buf, size_t len, struct emnet_wt_sockaddr *out);
/* 7, 19, or 0 when the type is not 4 or 6. */
size_t emnet_wt_sockaddr_len(const struct emnet_wt_sockaddr *sa);
size_t emnet_wt_encode_sockaddr(uint8_t *buf, size_t cap, const struct emnet_wt_sockaddr *sa);

/* ---- stream headers (client to proxy) ---- */

enum emnet_wt_kind {
    EMNET_WT_KIND_TCP = 0x01,
    EMNET_WT_KIND_UDP = 0x02,
    EMNET_WT_KIND_LOOKUP = 0x03,
    /* A UDP flow whose datagrams all travel as records on its stream,
     * both ways: for engines that lose bursts of QUIC datagrams. */
    EMNET_WT_KIND_UDP_ON_STREAM = 0x04,
};

#define EMNET_WT_REQUEST_MAX (3 + EMNET_WT_ADDR_MAX) /* TCP to a name */

struct emnet_wt_request {
    uint8_t kind;              /* enum emnet_wt_kind */
    uint8_t family;            /* UDP(_ON_STREAM): 4 or 6; LOOKUP: 0 (any), 4 or 6; TCP: 0 */
    uint16_t port;             /* TCP only; 0 is well-formed */
    struct emnet_wt_addr addr; /* TCP: the target, any type; LOOKUP: the name */
};

/* The header at the start of a client's stream. Returns its length (the
 * TCP bytes or flow records follow it), 0, or: EKIND, EFAMILY, EADDR_TYPE
 * (a lookup of something other than a name) or a name error. The checks
 * run in byte order, so the error is that of the first bad byte. *out is
 * complete only when > 0; out->kind is set once the first byte is in. */
int emnet_wt_decode_request(const uint8_t *buf, size_t len, struct emnet_wt_request *out);

size_t emnet_wt_encode_tcp_request(uint8_t *buf, size_t cap, uint16_t port, const struct emnet_wt_addr *target);
/* kind: EMNET_WT_KIND_UDP or EMNET_WT_KIND_UDP_ON_STREAM. */
size_t emnet_wt_encode_udp_request(uint8_t *buf, size_t cap, uint8_t kind, uint8_t family);
size_t emnet_wt_encode_lookup_request(uint8_t *buf, size_t cap, uint8_t family, const char *name,
                                      size_t name_len);
/* Any header, as emnet_wt_decode_request gives it: the same bytes back. */
size_t emnet_wt_encode_request(uint8_t *buf, size_t cap, const struct emnet_wt_request *req);

/* ---- replies (proxy to client) ----
 *
 * Each decoder returns the reply's length, 0, or an error. A status other
 * than 0, known or not, is a whole reply of one byte: the proxy sends
 * nothing else on the stream. Encoders ignore the fields after the status
 * when it is not 0 (they may be NULL). */

#define EMNET_WT_TCP_REPLY_MAX (1 + EMNET_WT_SOCKADDR_MAX)
#define EMNET_WT_UDP_REPLY_MAX (1 + EMNET_WT_VARINT_MAX_LEN + 2)
#define EMNET_WT_LOOKUP_MAX 32
#define EMNET_WT_LOOKUP_REPLY_MAX (2 + EMNET_WT_LOOKUP_MAX * 17)

struct emnet_wt_tcp_reply {
    uint8_t status;
    struct emnet_wt_sockaddr peer; /* status 0: the address connected to */
};
/* EADDR_TYPE when the peer is not an IPv4 or IPv6 address. */
int emnet_wt_decode_tcp_reply(const uint8_t *buf, size_t len, struct emnet_wt_tcp_reply *out);
size_t emnet_wt_encode_tcp_reply(uint8_t *buf, size_t cap, uint8_t status, const struct emnet_wt_sockaddr *peer);

struct emnet_wt_udp_reply {
    uint8_t status;
    uint64_t flow_id; /* status 0: names the flow in datagrams */
    uint16_t port;    /* status 0: the proxy's socket's port */
};
/* Never an error: any bytes are a reply or the start of one. */
int emnet_wt_decode_udp_reply(const uint8_t *buf, size_t len, struct emnet_wt_udp_reply *out);
/* 0 also for a flow id over EMNET_WT_VARINT_MAX. */
size_t emnet_wt_encode_udp_reply(uint8_t *buf, size_t cap, uint8_t status, uint64_t flow_id, uint16_t port);

struct emnet_wt_lookup_reply {
    uint8_t status;
    uint8_t count; /* status 0: 1..EMNET_WT_LOOKUP_MAX */
    struct emnet_wt_ip addrs[EMNET_WT_LOOKUP_MAX];
};
/* ECOUNT (a count of 0 or over 32, as soon as the count is in) or
 * EADDR_TYPE (a record not of type 4 or 6). Whether the addresses are of
 * the family asked for is the caller's to judge. */
int emnet_wt_decode_lookup_reply(const uint8_t *buf, size_t len, struct emnet_wt_lookup_reply *out);
size_t emnet_wt_encode_lookup_reply(uint8_t *buf, size_t cap, uint8_t status, const struct emnet_wt_ip *addrs,
                                    size_t count);

/* ---- datagrams ---- */

/* The header of a datagram: flow id and socket address. */
#define EMNET_WT_DATAGRAM_HEADER_MAX (EMNET_WT_VARINT_MAX_LEN + EMNET_WT_SOCKADDR_MAX)

struct emnet_wt_datagram {
    uint64_t flow_id;
    struct emnet_wt_sockaddr addr; /* client: the destination; proxy: the sender */
    const uint8_t *payload;        /* into the decoded buffer; may be empty */
    size_t len;
};

/* A QUIC datagram's payload, whole (len bytes). Returns the header's
 * length (the payload is the rest), ESHORT when the header is cut, or
 * EADDR_TYPE. Whether the flow exists is the caller's to know. */
int emnet_wt_decode_datagram(const uint8_t *buf, size_t len, struct emnet_wt_datagram *out);

/* The header's length for this flow id and address, or 0 when either is
 * invalid. A caller that reserves this much in front of a payload already
 * in place writes the header with emnet_wt_encode_datagram_header and
 * sends the two as one datagram, never copying the payload. */
size_t emnet_wt_datagram_header_len(uint64_t flow_id, const struct emnet_wt_sockaddr *addr);
size_t emnet_wt_encode_datagram_header(uint8_t *buf, size_t cap, uint64_t flow_id,
                                       const struct emnet_wt_sockaddr *addr);
/* A whole datagram. payload may already sit at buf + the header's length:
 * it is moved, not copied, so overlap is fine. */
size_t emnet_wt_encode_datagram(uint8_t *buf, size_t cap, uint64_t flow_id, const struct emnet_wt_sockaddr *addr,
                                const void *payload, size_t len);

/* ---- flow stream records ---- */

enum emnet_wt_record_type {
    EMNET_WT_RECORD_DATAGRAM = 0x01, /* either way: a datagram too large for QUIC's */
    EMNET_WT_RECORD_ERROR = 0x02,    /* proxy to client: an ICMP error or a block */
};

/* The most a UDP datagram carries (its 16-bit length, less its 8-byte
 * header); a record claiming more is RECORD_LONG, so that no receiver
 * buffers without bound. */
#define EMNET_WT_UDP_PAYLOAD_MAX 65527
/* A datagram record's header: type, length (4 bytes at most for 65527),
 * socket address. */
#define EMNET_WT_RECORD_HEADER_MAX (1 + 4 + EMNET_WT_SOCKADDR_MAX)
#define EMNET_WT_ERROR_RECORD_MAX (2 + EMNET_WT_SOCKADDR_MAX)

struct emnet_wt_record {
    uint8_t type;                  /* enum emnet_wt_record_type */
    uint8_t status;                /* ERROR: not 0 (unknown values kept) */
    struct emnet_wt_sockaddr addr; /* DATAGRAM: as in a datagram; ERROR: the
                                    * address the error is about */
    const uint8_t *payload;        /* DATAGRAM: into the decoded buffer */
    size_t len;                    /* DATAGRAM: 0..EMNET_WT_UDP_PAYLOAD_MAX */
};

/* The record at the start of buf (incremental). Returns the whole
 * record's length, payload included, once all of it is in buf (the next
 * record follows), 0 before, or ERECORD_TYPE, ERECORD_LONG (as soon as
 * the length is in), ESTATUS, EADDR_TYPE. Which side may send ERROR is
 * the caller's to judge. */
int emnet_wt_decode_record(const uint8_t *buf, size_t len, struct emnet_wt_record *out);

/* A datagram record's header alone, to write the payload after it on the
 * stream without a copy. The length, or 0 when addr is invalid or len is
 * over EMNET_WT_UDP_PAYLOAD_MAX. */
size_t emnet_wt_record_header_len(const struct emnet_wt_sockaddr *addr, size_t len);
size_t emnet_wt_encode_datagram_record_header(uint8_t *buf, size_t cap, const struct emnet_wt_sockaddr *addr,
                                              size_t len);
/* A whole datagram record; payload may already sit after the header. */
size_t emnet_wt_encode_datagram_record(uint8_t *buf, size_t cap, const struct emnet_wt_sockaddr *addr,
                                       const void *payload, size_t len);
/* An error record; 0 also for status 0. */
size_t emnet_wt_encode_error_record(uint8_t *buf, size_t cap, uint8_t status, const struct emnet_wt_sockaddr *addr);

#ifdef __cplusplus
}
#endif

#endif
