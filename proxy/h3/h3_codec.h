/* The HTTP/3 and WebTransport codec of emnet-proxy: pure functions over
 * byte buffers, for a server that speaks WebTransport over HTTP/3 to
 * browsers. QUIC itself, QPACK and all state live elsewhere. Where a
 * comment cites "the notes", it means the WebTransport prototype's
 * findings: what Chromium 156 sent and required, seen on the wire.
 *
 * What travels where, as the server sees it:
 *
 *   client unidirectional stream   stream type (varint), then by type:
 *       0x00 control         HTTP/3 frames, SETTINGS first (RFC 9114 §6.2.1)
 *       0x02 / 0x03          QPACK encoder / decoder instructions (RFC 9204)
 *       0x54 WebTransport    session id (varint), then raw bytes
 *       GREASE, unknown      ignored (read and discarded, or abandoned)
 *   client bidirectional stream
 *       0x41 (varint), session id (varint), then raw bytes: a WebTransport
 *       stream; anything else is a request stream of HTTP/3 frames
 *   CONNECT stream of a session     HEADERS, then DATA frames whose payloads,
 *       joined, are capsules: type (varint), length (varint), value
 *   QUIC DATAGRAM frame             quarter stream id (varint), payload
 *
 * A varint is QUIC's variable-length integer (RFC 9000 §16): the top two
 * bits of the first byte give the length (1, 2, 4 or 8 bytes), the rest is
 * the value, big-endian, up to 2^62-1. Any length may carry any value that
 * fits; encoders here always write the shortest.
 *
 * Return conventions, the same in every file:
 *   - Decoders of things that arrive on a stream (varints, frame headers,
 *     stream prefixes, capsules) are incremental: call them on what has
 *     arrived so far; 0 means "not enough bytes yet, call again with more",
 *     never an error. They copy nothing and keep no state.
 *   - A negative return is an enum emnet_h3_error; emnet_h3_error_code()
 *     gives the HTTP/3 error code to close the connection or reset the
 *     stream with. No byte sequence makes a decoder read past len.
 *   - Encoders return the bytes written, or 0 when cap is too small or
 *     when what they were asked to write would break a rule the decoders
 *     check: whatever they write decodes.
 *
 * Nothing here allocates or does I/O. Pointers in decoded results point
 * into the decoded buffer, which must outlive them. */
#ifndef EMNET_H3_CODEC_H
#define EMNET_H3_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- varints (varint.c) ---- */

#define EMNET_H3_VARINT_MAX ((UINT64_C(1) << 62) - 1)
#define EMNET_H3_VARINT_MAX_LEN 8

/* Decodes the varint at the start of buf (len bytes): the bytes it takes
 * (1, 2, 4 or 8) and *value, or 0 when len is shorter than the varint
 * (*value untouched). Every byte sequence long enough is a valid varint,
 * so there is no error case; longer forms than needed are accepted, as
 * RFC 9000 §16 allows (0x40 0x25 is 37, like 0x25). */
int emnet_h3_varint_decode(const uint8_t *buf, size_t len, uint64_t *value);

/* The length of value's shortest encoding: 1, 2, 4 or 8; 0 when value is
 * over EMNET_H3_VARINT_MAX and has none. */
size_t emnet_h3_varint_len(uint64_t value);

/* Writes value's shortest encoding: its length, or 0 when cap is too
 * small or value is over EMNET_H3_VARINT_MAX (nothing written then). */
size_t emnet_h3_varint_encode(uint8_t *buf, size_t cap, uint64_t value);

/* ---- errors (errors.c) ---- */

/* HTTP/3 error codes, as sent in RESET_STREAM, STOP_SENDING and
 * CONNECTION_CLOSE: X(NAME, value, "wire name").
 *   0x100-0x110  RFC 9114 §8.1
 *   0x200-0x202  QPACK, RFC 9204 §6
 *   0x33         RFC 9297 §5.2
 *   WT_*         draft-ietf-webtrans-http3: BUFFERED_STREAM_REJECTED and
 *                SESSION_GONE since draft-07 (as WEBTRANSPORT_*, §8.5 of
 *                -07..-11), FLOW_CONTROL_ERROR from -14 §9.5, ALPN_ERROR
 *                and REQUIREMENTS_NOT_MET from -16 §9.5. */
#define EMNET_H3_CODE_MAP(X)                                              \
    X(NO_ERROR, 0x100, "H3_NO_ERROR")                                     \
    X(GENERAL_PROTOCOL_ERROR, 0x101, "H3_GENERAL_PROTOCOL_ERROR")         \
    X(INTERNAL_ERROR, 0x102, "H3_INTERNAL_ERROR")                         \
    X(STREAM_CREATION_ERROR, 0x103, "H3_STREAM_CREATION_ERROR")           \
    X(CLOSED_CRITICAL_STREAM, 0x104, "H3_CLOSED_CRITICAL_STREAM")         \
    X(FRAME_UNEXPECTED, 0x105, "H3_FRAME_UNEXPECTED")                     \
    X(FRAME_ERROR, 0x106, "H3_FRAME_ERROR")                               \
    X(EXCESSIVE_LOAD, 0x107, "H3_EXCESSIVE_LOAD")                         \
    X(ID_ERROR, 0x108, "H3_ID_ERROR")                                     \
    X(SETTINGS_ERROR, 0x109, "H3_SETTINGS_ERROR")                         \
    X(MISSING_SETTINGS, 0x10a, "H3_MISSING_SETTINGS")                     \
    X(REQUEST_REJECTED, 0x10b, "H3_REQUEST_REJECTED")                     \
    X(REQUEST_CANCELLED, 0x10c, "H3_REQUEST_CANCELLED")                   \
    X(REQUEST_INCOMPLETE, 0x10d, "H3_REQUEST_INCOMPLETE")                 \
    X(MESSAGE_ERROR, 0x10e, "H3_MESSAGE_ERROR")                           \
    X(CONNECT_ERROR, 0x10f, "H3_CONNECT_ERROR")                           \
    X(VERSION_FALLBACK, 0x110, "H3_VERSION_FALLBACK")                     \
    X(QPACK_DECOMPRESSION_FAILED, 0x200, "QPACK_DECOMPRESSION_FAILED")    \
    X(QPACK_ENCODER_STREAM_ERROR, 0x201, "QPACK_ENCODER_STREAM_ERROR")    \
    X(QPACK_DECODER_STREAM_ERROR, 0x202, "QPACK_DECODER_STREAM_ERROR")    \
    X(DATAGRAM_ERROR, 0x33, "H3_DATAGRAM_ERROR")                          \
    X(WT_BUFFERED_STREAM_REJECTED, 0x3994bd84, "WT_BUFFERED_STREAM_REJECTED") \
    X(WT_SESSION_GONE, 0x170d7b68, "WT_SESSION_GONE")                     \
    X(WT_FLOW_CONTROL_ERROR, 0x045d4487, "WT_FLOW_CONTROL_ERROR")         \
    X(WT_ALPN_ERROR, 0x0817b3dd, "WT_ALPN_ERROR")                         \
    X(WT_REQUIREMENTS_NOT_MET, 0x212c0d48, "WT_REQUIREMENTS_NOT_MET")

enum emnet_h3_code {
#define EMNET_H3__CODE_ENUM(name, value, text) EMNET_H3_CODE_##name = value,
    EMNET_H3_CODE_MAP(EMNET_H3__CODE_ENUM)
#undef EMNET_H3__CODE_ENUM
};

/* The wire name of an HTTP/3 error code; "WT_APPLICATION_ERROR" inside
 * WebTransport's application range, "reserved" for GREASE codepoints,
 * "unknown" otherwise. Never NULL. */
const char *emnet_h3_code_name(uint64_t code);

/* WebTransport application error codes (32 bits, chosen by the page's
 * WebTransportError.streamErrorCode) travel in RESET_STREAM and
 * STOP_SENDING as HTTP/3 codes of the range FIRST..LAST, skipping the
 * GREASE codepoints 0x1f * N + 0x21 that fall inside it
 * (draft-ietf-webtrans-http3-16 §4.4, Figure 4; the same range since -07). */
#define EMNET_H3_WT_APP_ERROR_FIRST UINT64_C(0x52e4a40fa8db)
#define EMNET_H3_WT_APP_ERROR_LAST UINT64_C(0x52e5ac983162)

/* The HTTP/3 code carrying application error code app. */
uint64_t emnet_h3_wt_app_error_to_code(uint32_t app);
/* The application error code an HTTP/3 code carries: 0 and *app, or -1
 * when code is outside the range or one of the skipped GREASE codepoints
 * (a reset with such a code still resets the stream, without an
 * application code). */
int emnet_h3_wt_app_error_from_code(uint64_t code, uint32_t *app);

/* Codec errors: X(NAME, value, "log name", HTTP/3 code to answer with).
 * The code is what the RFCs or drafts prescribe for the case; where they
 * leave it open (size limits) it is the code they use for excess. */
#define EMNET_H3_ERROR_MAP(X)                                                              \
    X(FRAME_TOO_LARGE, -1, "frame_too_large", EXCESSIVE_LOAD)   /* over max_payload */     \
    X(FRAME_HTTP2, -2, "http2_frame_type", FRAME_UNEXPECTED)    /* 0x2, 0x6, 0x8, 0x9 */   \
    X(FRAME_WT_STREAM, -3, "misplaced_wt_stream", FRAME_ERROR)  /* 0x41 as a frame */      \
    X(FRAME_PAYLOAD, -4, "bad_frame_payload", FRAME_ERROR)      /* fields do not fill it */ \
    X(SETTINGS_DUPLICATE, -5, "duplicate_setting", SETTINGS_ERROR)                          \
    X(SETTINGS_HTTP2, -6, "http2_setting", SETTINGS_ERROR)      /* ids 0x2-0x5 */          \
    X(SETTINGS_VALUE, -7, "bad_setting_value", SETTINGS_ERROR)  /* 0x08, 0x33 not 0 or 1 */ \
    X(SETTINGS_TOO_MANY, -8, "too_many_settings", EXCESSIVE_LOAD)                           \
    X(SESSION_ID, -9, "bad_session_id", ID_ERROR)   /* not a client bidirectional stream */ \
    X(CAPSULE_TOO_LARGE, -10, "capsule_too_large", MESSAGE_ERROR)                           \
    X(CLOSE_PAYLOAD, -11, "bad_close_session", MESSAGE_ERROR)   /* no 4-byte code */       \
    X(CLOSE_REASON_LONG, -12, "close_reason_too_long", MESSAGE_ERROR)                       \
    X(CLOSE_REASON_UTF8, -13, "close_reason_not_utf8", MESSAGE_ERROR)                       \
    X(DRAIN_PAYLOAD, -14, "bad_drain_session", MESSAGE_ERROR)   /* a non-empty DRAIN */     \
    X(DATAGRAM_SHORT, -15, "datagram_too_short", DATAGRAM_ERROR)                            \
    X(QUARTER_STREAM_ID, -16, "bad_quarter_stream_id", DATAGRAM_ERROR) /* over 2^60-1 */

enum emnet_h3_error {
    EMNET_H3_OK = 0,
#define EMNET_H3__ERROR_ENUM(name, value, text, code) EMNET_H3_E##name = value,
    EMNET_H3_ERROR_MAP(EMNET_H3__ERROR_ENUM)
#undef EMNET_H3__ERROR_ENUM
};

/* Short names for logs and metrics; "ok" for 0, "?" for what is not an
 * error of the table. Never NULL. */
const char *emnet_h3_error_name(int err);
/* The HTTP/3 code for a codec error: H3_NO_ERROR for 0 and
 * H3_INTERNAL_ERROR for what is not an error of the table. */
uint64_t emnet_h3_error_code(int err);

/* ---- frames (frames.c) ---- */

/* Frame types, RFC 9114 §7.2. */
#define EMNET_H3_FRAME_DATA 0x00
#define EMNET_H3_FRAME_HEADERS 0x01
#define EMNET_H3_FRAME_CANCEL_PUSH 0x03
#define EMNET_H3_FRAME_SETTINGS 0x04
#define EMNET_H3_FRAME_PUSH_PROMISE 0x05
#define EMNET_H3_FRAME_GOAWAY 0x07
#define EMNET_H3_FRAME_MAX_PUSH_ID 0x0d
/* WEBTRANSPORT_STREAM (draft-02..-11) / WT_STREAM (-14 on): registered as a
 * frame type only so that no frame takes the number; it is the signal
 * that starts a WebTransport bidirectional stream (stream prefixes below). */
#define EMNET_H3_FRAME_WT_STREAM 0x41

enum emnet_h3_frame_class {
    EMNET_H3_FRAME_KNOWN,     /* one of the seven types above */
    EMNET_H3_FRAME_HTTP2,     /* 0x2, 0x6, 0x8, 0x9: HTTP/2's, an error (§7.2.8) */
    EMNET_H3_FRAME_WT_SIGNAL, /* 0x41: a stream prefix, never a frame */
    EMNET_H3_FRAME_GREASE,    /* 0x1f * N + 0x21: skip */
    EMNET_H3_FRAME_UNKNOWN,   /* anything else: skip (§9) */
};
int emnet_h3_frame_class(uint64_t type);
/* "DATA", "HEADERS", ..., "WT_STREAM", "PRIORITY" etc. for HTTP/2's,
 * "reserved" for GREASE, "unknown". Never NULL. */
const char *emnet_h3_frame_name(uint64_t type);

/* 1 when v is of the form 0x1f * N + 0x21, the values RFC 9114 reserves in
 * the frame type, setting, stream type and error code spaces so that
 * peers exercise their "ignore what you do not know" paths. */
int emnet_h3_is_grease(uint64_t v);

struct emnet_h3_frame_header {
    uint64_t type;
    uint64_t length;     /* of the payload, which follows the header */
    size_t header_len;   /* 2..16: the payload starts at buf + header_len */
};

/* Decodes the header of the frame at the start of buf. Returns header_len
 * (> 0) and *out when both varints are in, 0 while they are not (call
 * again with more bytes), or:
 *   EFRAME_HTTP2      a type HTTP/2 defined that HTTP/3 forbids;
 *   EFRAME_WT_STREAM  0x41, which may only start a bidirectional stream
 *                     (emnet_h3_bidi_prefix_decode reads it there);
 *   EFRAME_TOO_LARGE  a payload over max_payload, for every type but DATA.
 * These two are reported as soon as the type is in, with out->type set;
 * EFRAME_TOO_LARGE leaves all of *out set, so that a caller may still
 * choose to skip an oversized frame of a type it ignores as it arrives.
 *
 * max_payload bounds the frames a receiver has to hold whole (HEADERS,
 * SETTINGS, GOAWAY, unknown ones...). DATA is exempt: its payload is the
 * stream's content, consumed as it arrives whatever its size. The header
 * says nothing about whether the type is allowed on the stream at hand
 * (DATA on the control stream, a second SETTINGS): that is the caller's
 * state to judge, with emnet_h3_frame_class() for the unknown ones. */
int emnet_h3_frame_header_decode(const uint8_t *buf, size_t len, uint64_t max_payload,
                                 struct emnet_h3_frame_header *out);

/* The bytes a frame header of this type and length takes: 0 when either
 * is over EMNET_H3_VARINT_MAX. */
size_t emnet_h3_frame_header_len(uint64_t type, uint64_t length);

/* A frame header alone, to send the payload after it without a copy.
 * Refuses (0) the types the decoder rejects: HTTP/2's and 0x41. */
size_t emnet_h3_encode_frame_header(uint8_t *buf, size_t cap, uint64_t type, uint64_t length);
/* A whole frame. payload may already sit at buf + the header's length
 * (emnet_h3_frame_header_len): it is moved, not copied, so overlap is fine. */
size_t emnet_h3_encode_frame(uint8_t *buf, size_t cap, uint64_t type, const void *payload, size_t len);

size_t emnet_h3_encode_data_header(uint8_t *buf, size_t cap, uint64_t length);
size_t emnet_h3_encode_data(uint8_t *buf, size_t cap, const void *data, size_t len);
/* HEADERS: the payload is a QPACK field section, encoded elsewhere. */
size_t emnet_h3_encode_headers_header(uint8_t *buf, size_t cap, uint64_t length);
size_t emnet_h3_encode_headers(uint8_t *buf, size_t cap, const void *block, size_t len);

/* GOAWAY from the server: the first client-initiated bidirectional stream
 * id it will not process (RFC 9114 §5.2), so a multiple of 4 (else 0). */
size_t emnet_h3_encode_goaway(uint8_t *buf, size_t cap, uint64_t stream_id);

/* The payload of GOAWAY, CANCEL_PUSH and MAX_PUSH_ID: one varint and
 * nothing else. 0 and *id, or EFRAME_PAYLOAD. A client's GOAWAY carries a
 * push id, which may be any value. */
int emnet_h3_decode_id_payload(const uint8_t *payload, size_t len, uint64_t *id);

/* ---- SETTINGS (settings.c) ---- */

/* Setting ids a server acts on. */
#define EMNET_H3_SETTING_QPACK_MAX_TABLE_CAPACITY UINT64_C(0x01)  /* RFC 9204 §5 */
#define EMNET_H3_SETTING_MAX_FIELD_SECTION_SIZE UINT64_C(0x06)    /* RFC 9114 §7.2.4.1 */
#define EMNET_H3_SETTING_QPACK_BLOCKED_STREAMS UINT64_C(0x07)     /* RFC 9204 §5 */
#define EMNET_H3_SETTING_ENABLE_CONNECT_PROTOCOL UINT64_C(0x08)   /* RFC 9220, after RFC 8441 §3 */
#define EMNET_H3_SETTING_H3_DATAGRAM UINT64_C(0x33)               /* RFC 9297 §2.1.1 */
/* SETTINGS_ENABLE_WEBTRANSPORT, draft-ietf-webtrans-http3-02 (what stock
 * Chromium requires; seen on the wire, see the notes) */
#define EMNET_H3_SETTING_ENABLE_WEBTRANSPORT UINT64_C(0x2b603742)
/* WEBTRANSPORT_MAX_SESSIONS, draft-ietf-webtrans-http3-07..-12 §8.2 (-11
 * checked); Chromium sends it with EnableWebTransportDraft07 */
#define EMNET_H3_SETTING_WEBTRANSPORT_MAX_SESSIONS UINT64_C(0xc671706a)
/* SETTINGS_WT_MAX_SESSIONS, draft-ietf-webtrans-http3-14 §9.2 (-13 too,
 * by secondary sources only); -15 replaced it with WT_ENABLED */
#define EMNET_H3_SETTING_WT_MAX_SESSIONS UINT64_C(0x14e9cd29)
/* SETTINGS_WT_ENABLED as draft-ietf-webtrans-http3-16 §9.2 registers it;
 * each draft from -15 on may pick its own codepoint (§7.1), so this one is
 * read, never sent */
#define EMNET_H3_SETTING_WT_ENABLED UINT64_C(0x2c7cf000)
/* Initial flow-control limits, draft-ietf-webtrans-http3-14 §9.2 (same
 * values in -16 §9.2) */
#define EMNET_H3_SETTING_WT_INITIAL_MAX_STREAMS_UNI UINT64_C(0x2b64)
#define EMNET_H3_SETTING_WT_INITIAL_MAX_STREAMS_BIDI UINT64_C(0x2b65)
#define EMNET_H3_SETTING_WT_INITIAL_MAX_DATA UINT64_C(0x2b61)

/* Bits of emnet_h3_settings.present, one per field below. */
enum emnet_h3_setting_bit {
    EMNET_H3_HAS_QPACK_MAX_TABLE_CAPACITY = 1u << 0,
    EMNET_H3_HAS_MAX_FIELD_SECTION_SIZE = 1u << 1,
    EMNET_H3_HAS_QPACK_BLOCKED_STREAMS = 1u << 2,
    EMNET_H3_HAS_ENABLE_CONNECT_PROTOCOL = 1u << 3,
    EMNET_H3_HAS_H3_DATAGRAM = 1u << 4,
    EMNET_H3_HAS_ENABLE_WEBTRANSPORT = 1u << 5,
    EMNET_H3_HAS_WEBTRANSPORT_MAX_SESSIONS = 1u << 6,
    EMNET_H3_HAS_WT_MAX_SESSIONS = 1u << 7,
    EMNET_H3_HAS_WT_ENABLED = 1u << 8,
    EMNET_H3_HAS_WT_INITIAL_MAX_STREAMS_UNI = 1u << 9,
    EMNET_H3_HAS_WT_INITIAL_MAX_STREAMS_BIDI = 1u << 10,
    EMNET_H3_HAS_WT_INITIAL_MAX_DATA = 1u << 11,
};

/* MAX_FIELD_SECTION_SIZE when the peer did not send it: no limit. */
#define EMNET_H3_UNLIMITED UINT64_MAX

/* The settings a server needs to know of (decoded), or sends (encoded).
 * A field not sent holds its default: 0, or EMNET_H3_UNLIMITED for
 * max_field_section_size; present says which were sent. */
struct emnet_h3_settings {
    uint32_t present;                     /* EMNET_H3_HAS_* */
    uint64_t qpack_max_table_capacity;
    uint64_t max_field_section_size;
    uint64_t qpack_blocked_streams;
    uint64_t enable_connect_protocol;     /* 0 or 1 */
    uint64_t h3_datagram;                 /* 0 or 1 */
    uint64_t enable_webtransport;
    uint64_t webtransport_max_sessions;
    uint64_t wt_max_sessions;
    uint64_t wt_enabled;
    uint64_t wt_initial_max_streams_uni;
    uint64_t wt_initial_max_streams_bidi;
    uint64_t wt_initial_max_data;
};

/* Most settings one SETTINGS frame may carry here, GREASE included.
 * Chromium sends 8; the cap keeps the duplicate check cheap and bounded. */
#define EMNET_H3_SETTINGS_MAX 64

/* Decodes a SETTINGS frame's payload (len bytes, whole) into *out.
 * Returns 0, or the first problem in byte order:
 *   EFRAME_PAYLOAD      the bytes end inside an id/value pair;
 *   ESETTINGS_HTTP2     an id HTTP/2 defined that HTTP/3 forbids (0x2-0x5);
 *   ESETTINGS_DUPLICATE an id seen before in the frame (RFC 9114 §7.2.4
 *                       allows this to be an error, and it is one here);
 *   ESETTINGS_VALUE     ENABLE_CONNECT_PROTOCOL or H3_DATAGRAM not 0 or 1
 *                       (RFC 9297 §2.1.1 makes that an error for
 *                       H3_DATAGRAM; RFC 8441 §3 only says "MUST be 0 or
 *                       1" and is held to the same rule here);
 *   ESETTINGS_TOO_MANY  more than EMNET_H3_SETTINGS_MAX pairs.
 * Unknown and GREASE ids are skipped. *out is complete only on 0. */
int emnet_h3_settings_decode(const uint8_t *payload, size_t len, struct emnet_h3_settings *out);

/* Steps *p through a SETTINGS payload up to end: 1 with the next pair, 0
 * at the end, EFRAME_PAYLOAD (leaving *p alone) when the bytes left are
 * not a whole pair. Judges nothing else. */
int emnet_h3_settings_next(const uint8_t **p, const uint8_t *end, uint64_t *id, uint64_t *value);

/* What emnet-proxy sends: every setting of the notes' table (QPACK without
 * dynamic table or blocking, extended CONNECT, datagrams, WebTransport
 * draft-02 on, draft-07 WEBTRANSPORT_MAX_SESSIONS = max_sessions), plus
 * draft-14's WT_MAX_SESSIONS = max_sessions and its three initial
 * flow-control limits at 0. A 0 there is the default and leaves
 * WebTransport flow control off (draft-14 §5.1): raise them only together
 * with sending and honouring the flow-control capsules. */
void emnet_h3_server_settings(struct emnet_h3_settings *s, uint64_t max_sessions);

/* A whole SETTINGS frame with the settings in s->present, in the order of
 * the bits. Returns its length, or 0: no room, a value over
 * EMNET_H3_VARINT_MAX, or a 0-or-1 setting with another value. */
size_t emnet_h3_encode_settings(uint8_t *buf, size_t cap, const struct emnet_h3_settings *s);

/* "H3_DATAGRAM", "ENABLE_WEBTRANSPORT", ... for the ids above, "reserved"
 * for GREASE, "HTTP/2" for 0x2-0x5, "unknown". Never NULL. */
const char *emnet_h3_setting_name(uint64_t id);

/* ---- stream prefixes (stream_prefix.c) ---- */

/* Unidirectional stream types, RFC 9114 §6.2, RFC 9204 §4.2, and
 * WebTransport's (draft-ietf-webtrans-http3 §4.2, 0x54 since draft-02). */
#define EMNET_H3_STREAM_CONTROL 0x00
#define EMNET_H3_STREAM_PUSH 0x01
#define EMNET_H3_STREAM_QPACK_ENCODER 0x02
#define EMNET_H3_STREAM_QPACK_DECODER 0x03
#define EMNET_H3_STREAM_WEBTRANSPORT 0x54

enum emnet_h3_stream_kind {
    EMNET_H3_KIND_CONTROL,
    EMNET_H3_KIND_PUSH,          /* only servers push: from a client, H3_STREAM_CREATION_ERROR */
    EMNET_H3_KIND_QPACK_ENCODER,
    EMNET_H3_KIND_QPACK_DECODER,
    EMNET_H3_KIND_WEBTRANSPORT,  /* uni 0x54 or bidi 0x41, with a session id */
    EMNET_H3_KIND_REQUEST,       /* bidirectional, not WebTransport: HTTP/3 frames */
    EMNET_H3_KIND_GREASE,        /* abandon reading: H3_STREAM_CREATION_ERROR is the */
    EMNET_H3_KIND_UNKNOWN,       /* code RFC 9114 §6.2 suggests for unknown types */
};
/* "control", "push", ..., never NULL ("?" out of the enum). */
const char *emnet_h3_stream_kind_name(int kind);

struct emnet_h3_stream_prefix {
    int kind;            /* enum emnet_h3_stream_kind */
    uint64_t type;       /* the first varint: stream type, or 0x41 */
    uint64_t session_id; /* WEBTRANSPORT only: the CONNECT stream's id */
    size_t len;          /* bytes of prefix; the stream's content follows */
};

/* The start of a unidirectional stream the peer opened. Returns 1 with
 * *out once the prefix is whole (a type varint, and for 0x54 the session
 * id too), 0 before, or ESESSION_ID when the session id is not a
 * client-initiated bidirectional stream id, i.e. not a multiple of 4
 * (H3_ID_ERROR, draft-ietf-webtrans-http3-16 §4; out->kind, type and
 * session_id set). */
int emnet_h3_uni_prefix_decode(const uint8_t *buf, size_t len, struct emnet_h3_stream_prefix *out);

/* The start of a client-initiated bidirectional stream: WebTransport when
 * the first varint is 0x41 (then a session id, out->len covering both),
 * else a request stream whose frames start at byte 0 (kind REQUEST,
 * out->len 0, nothing to strip). Returns 1, 0 (need more) or ESESSION_ID
 * as above. */
int emnet_h3_bidi_prefix_decode(const uint8_t *buf, size_t len, struct emnet_h3_stream_prefix *out);

/* The type varint of a unidirectional stream the server opens (control,
 * QPACK, GREASE...). 0x54 is refused: use emnet_h3_encode_wt_uni_prefix. */
size_t emnet_h3_encode_uni_stream_type(uint8_t *buf, size_t cap, uint64_t type);
/* 0x54 and the session id: a server-opened WebTransport unidirectional
 * stream. The session id must be a multiple of 4 (else 0). */
size_t emnet_h3_encode_wt_uni_prefix(uint8_t *buf, size_t cap, uint64_t session_id);
/* 0x41 and the session id: a server-opened WebTransport bidirectional
 * stream. The session id must be a multiple of 4 (else 0). */
size_t emnet_h3_encode_wt_bidi_prefix(uint8_t *buf, size_t cap, uint64_t session_id);

/* ---- capsules (capsule.c) ---- */

/* Capsule types: RFC 9297 §3.5, draft-ietf-webtrans-http3 (-07 §8.6 under
 * the names CLOSE_/DRAIN_WEBTRANSPORT_SESSION, -14 §9.6 as WT_*). The
 * flow-control capsules (-14 §5.6) are named, not decoded: without the
 * initial limits enabled they must be ignored (-16 §5.1). */
#define EMNET_H3_CAPSULE_DATAGRAM UINT64_C(0x00)
#define EMNET_H3_CAPSULE_CLOSE_SESSION UINT64_C(0x2843)
#define EMNET_H3_CAPSULE_DRAIN_SESSION UINT64_C(0x78ae)
#define EMNET_H3_CAPSULE_WT_MAX_DATA UINT64_C(0x190b4d3d)
#define EMNET_H3_CAPSULE_WT_MAX_STREAMS_BIDI UINT64_C(0x190b4d3f)
#define EMNET_H3_CAPSULE_WT_MAX_STREAMS_UNI UINT64_C(0x190b4d40)
#define EMNET_H3_CAPSULE_WT_DATA_BLOCKED UINT64_C(0x190b4d41)
#define EMNET_H3_CAPSULE_WT_STREAMS_BLOCKED_BIDI UINT64_C(0x190b4d43)
#define EMNET_H3_CAPSULE_WT_STREAMS_BLOCKED_UNI UINT64_C(0x190b4d44)

/* 1 for the capsule types RFC 9297 §5.4 reserves for GREASE: 0x29 * N +
 * 0x17 (Chromium sends one right after a session opens). */
int emnet_h3_capsule_is_grease(uint64_t type);
/* "DATAGRAM", "CLOSE_SESSION", "DRAIN_SESSION", "WT_MAX_DATA", ...,
 * "reserved" for GREASE, "unknown". Never NULL. */
const char *emnet_h3_capsule_name(uint64_t type);

struct emnet_h3_capsule {
    uint64_t type;
    uint64_t length;      /* of the value */
    const uint8_t *value; /* buf + header_len; set only on success */
    size_t header_len;    /* 2..16 */
};

/* Decodes the capsule at the start of buf: the bytes of the CONNECT
 * stream's DATA payloads, joined in order. Returns header_len (> 0) with
 * *out once the whole capsule (header and value) is in buf; the next
 * capsule starts at header_len + length. Returns 0 while it is not, or
 * ECAPSULE_TOO_LARGE as soon as the header shows a value over max_len,
 * with type, length and header_len set: RFC 9297 §3.2 asks receivers not
 * to buffer what they will drop, so a caller skips an unknown, GREASE or
 * unusably large capsule as it arrives instead of failing. */
int emnet_h3_capsule_decode(const uint8_t *buf, size_t len, uint64_t max_len, struct emnet_h3_capsule *out);

/* The longest application message of a CLOSE_SESSION capsule, and so the
 * longest value one has (draft-ietf-webtrans-http3-16 §6, -07 §5). */
#define EMNET_H3_CLOSE_REASON_MAX 1024
#define EMNET_H3_CLOSE_VALUE_MAX (4 + EMNET_H3_CLOSE_REASON_MAX)

struct emnet_h3_close_session {
    uint32_t code;       /* the application's, as WebTransportCloseInfo.closeCode */
    const char *reason;  /* UTF-8, not NUL-terminated */
    size_t reason_len;   /* 0..EMNET_H3_CLOSE_REASON_MAX */
};

/* A CLOSE_SESSION capsule's value: a 32-bit code (network byte order) and
 * the reason, the rest. 0 and *out, or ECLOSE_PAYLOAD (shorter than the
 * code), ECLOSE_REASON_LONG, ECLOSE_REASON_UTF8 (the draft: reset the
 * CONNECT stream with H3_MESSAGE_ERROR). */
int emnet_h3_decode_close_session(const uint8_t *value, size_t len, struct emnet_h3_close_session *out);
/* A DRAIN_SESSION capsule's value must be empty: 0, or EDRAIN_PAYLOAD. */
int emnet_h3_check_drain_session(uint64_t length);

/* A capsule's header alone, or a whole capsule (value moved, not copied). */
size_t emnet_h3_encode_capsule_header(uint8_t *buf, size_t cap, uint64_t type, uint64_t length);
size_t emnet_h3_encode_capsule(uint8_t *buf, size_t cap, uint64_t type, const void *value, size_t len);
/* A whole CLOSE_SESSION capsule; 0 also when the reason is over
 * EMNET_H3_CLOSE_REASON_MAX or not UTF-8. Send it in a DATA frame on the
 * CONNECT stream, then FIN (the draft requires the FIN at once). */
size_t emnet_h3_encode_close_session(uint8_t *buf, size_t cap, uint32_t code, const char *reason,
                                     size_t reason_len);
/* A whole DRAIN_SESSION capsule (5 bytes). */
size_t emnet_h3_encode_drain_session(uint8_t *buf, size_t cap);

/* ---- datagrams (datagram.c) ---- */

/* RFC 9297 §2.1: a quarter stream id above this cannot name a stream. */
#define EMNET_H3_QUARTER_STREAM_ID_MAX ((UINT64_C(1) << 60) - 1)

struct emnet_h3_datagram {
    uint64_t session_id;    /* the quarter stream id times 4 */
    const uint8_t *payload; /* may be empty */
    size_t len;
};

/* Decodes a QUIC DATAGRAM frame's payload (len bytes, always whole).
 * Returns the quarter stream id's length (> 0) and *out, or
 * EDATAGRAM_SHORT (no whole varint) or EQUARTER_STREAM_ID (over
 * EMNET_H3_QUARTER_STREAM_ID_MAX), both H3_DATAGRAM_ERROR. Whether a
 * session has that id is the caller's to know. */
int emnet_h3_datagram_decode(const uint8_t *buf, size_t len, struct emnet_h3_datagram *out);

/* The quarter stream id alone, to send the payload after it without a
 * copy; session_id must be a multiple of 4 and below 2^62 (else 0). */
size_t emnet_h3_encode_datagram_header(uint8_t *buf, size_t cap, uint64_t session_id);
/* A whole datagram payload; payload may already sit after the header. */
size_t emnet_h3_encode_datagram(uint8_t *buf, size_t cap, uint64_t session_id, const void *payload, size_t len);

#ifdef __cplusplus
}
#endif

#endif
