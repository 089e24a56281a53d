/* The SETTINGS frame (RFC 9114 §7.2.4): what the client says it can do,
 * and what the server must say so that a browser agrees to WebTransport. */
#include "h3_codec.h"

#include <stddef.h>
#include <string.h>

/* One row per setting a server acts on, in the order of the present bits:
 * the decoder finds a field by id, the encoder walks the rows in order. */
static const struct setting {
    uint64_t id;
    size_t offset;   /* of the field in struct emnet_h3_settings */
    const char *name;
    int boolean;     /* only 0 and 1 are valid values */
} settings[] = {
#define ROW(id, field, name, boolean) { id, offsetof(struct emnet_h3_settings, field), name, boolean }
    ROW(EMNET_H3_SETTING_QPACK_MAX_TABLE_CAPACITY, qpack_max_table_capacity, "QPACK_MAX_TABLE_CAPACITY", 0),
    ROW(EMNET_H3_SETTING_MAX_FIELD_SECTION_SIZE, max_field_section_size, "MAX_FIELD_SECTION_SIZE", 0),
    ROW(EMNET_H3_SETTING_QPACK_BLOCKED_STREAMS, qpack_blocked_streams, "QPACK_BLOCKED_STREAMS", 0),
    ROW(EMNET_H3_SETTING_ENABLE_CONNECT_PROTOCOL, enable_connect_protocol, "ENABLE_CONNECT_PROTOCOL", 1),
    ROW(EMNET_H3_SETTING_H3_DATAGRAM, h3_datagram, "H3_DATAGRAM", 1),
    ROW(EMNET_H3_SETTING_ENABLE_WEBTRANSPORT, enable_webtransport, "ENABLE_WEBTRANSPORT", 0),
    ROW(EMNET_H3_SETTING_WEBTRANSPORT_MAX_SESSIONS, webtransport_max_sessions, "WEBTRANSPORT_MAX_SESSIONS", 0),
    ROW(EMNET_H3_SETTING_WT_MAX_SESSIONS, wt_max_sessions, "WT_MAX_SESSIONS", 0),
    ROW(EMNET_H3_SETTING_WT_ENABLED, wt_enabled, "WT_ENABLED", 0),
    ROW(EMNET_H3_SETTING_WT_INITIAL_MAX_STREAMS_UNI, wt_initial_max_streams_uni, "WT_INITIAL_MAX_STREAMS_UNI", 0),
    ROW(EMNET_H3_SETTING_WT_INITIAL_MAX_STREAMS_BIDI, wt_initial_max_streams_bidi, "WT_INITIAL_MAX_STREAMS_BIDI", 0),
    ROW(EMNET_H3_SETTING_WT_INITIAL_MAX_DATA, wt_initial_max_data, "WT_INITIAL_MAX_DATA", 0),
#undef ROW
};

#define COUNT (sizeof settings / sizeof settings[0])

/* The rows follow the EMNET_H3_HAS_* bits one for one. */
_Static_assert(COUNT == 12 && EMNET_H3_HAS_WT_INITIAL_MAX_DATA == 1u << 11, "one row per present bit");

static uint64_t *field(struct emnet_h3_settings *s, size_t row)
{
    return (uint64_t *)((char *)s + settings[row].offset);
}

static uint64_t field_value(const struct emnet_h3_settings *s, size_t row)
{
    uint64_t v;
    memcpy(&v, (const char *)s + settings[row].offset, sizeof v);
    return v;
}

static int row_of(uint64_t id)
{
    for (size_t i = 0; i < COUNT; i++)
        if (settings[i].id == id)
            return (int)i;
    return -1;
}

/* HTTP/2's SETTINGS_ENABLE_PUSH, MAX_CONCURRENT_STREAMS,
 * INITIAL_WINDOW_SIZE and MAX_FRAME_SIZE have no meaning in HTTP/3;
 * RFC 9114 §7.2.4.1 makes receiving them H3_SETTINGS_ERROR. */
static int http2_id(uint64_t id)
{
    return id >= 0x02 && id <= 0x05;
}

const char *emnet_h3_setting_name(uint64_t id)
{
    int row = row_of(id);
    if (row >= 0)
        return settings[row].name;
    if (http2_id(id))
        return "HTTP/2";
    return emnet_h3_is_grease(id) ? "reserved" : "unknown";
}

int emnet_h3_settings_next(const uint8_t **p, const uint8_t *end, uint64_t *id, uint64_t *value)
{
    size_t left = (size_t)(end - *p);
    if (left == 0)
        return 0;
    uint64_t i, v;
    int in = emnet_h3_varint_decode(*p, left, &i);
    if (in == 0)
        return EMNET_H3_EFRAME_PAYLOAD;
    int vn = emnet_h3_varint_decode(*p + in, left - (size_t)in, &v);
    if (vn == 0)
        return EMNET_H3_EFRAME_PAYLOAD;
    *id = i;
    *value = v;
    *p += in + vn;
    return 1;
}

static void defaults(struct emnet_h3_settings *s)
{
    memset(s, 0, sizeof *s);
    s->max_field_section_size = EMNET_H3_UNLIMITED;
}

int emnet_h3_settings_decode(const uint8_t *payload, size_t len, struct emnet_h3_settings *out)
{
    /* Every id seen so far, GREASE and unknown ones too: a duplicate is a
     * duplicate whatever its meaning. The cap keeps this quadratic check
     * at 64 * 64 comparisons and the array on the stack. */
    uint64_t seen[EMNET_H3_SETTINGS_MAX];
    size_t nseen = 0;
    uint64_t id, value;
    int rc;

    defaults(out);
    /* An empty SETTINGS frame is valid; returning here also keeps a NULL
     * payload out of the pointer arithmetic below. */
    if (len == 0)
        return 0;
    const uint8_t *p = payload, *end = payload + len;
    while ((rc = emnet_h3_settings_next(&p, end, &id, &value)) == 1) {
        if (http2_id(id))
            return EMNET_H3_ESETTINGS_HTTP2;
        for (size_t i = 0; i < nseen; i++)
            if (seen[i] == id)
                return EMNET_H3_ESETTINGS_DUPLICATE;
        if (nseen == EMNET_H3_SETTINGS_MAX)
            return EMNET_H3_ESETTINGS_TOO_MANY;
        seen[nseen++] = id;
        int row = row_of(id);
        if (row < 0)
            continue;
        if (settings[row].boolean && value > 1)
            return EMNET_H3_ESETTINGS_VALUE;
        *field(out, (size_t)row) = value;
        out->present |= 1u << row;
    }
    return rc;
}

void emnet_h3_server_settings(struct emnet_h3_settings *s, uint64_t max_sessions)
{
    defaults(s);
    /* QPACK without a dynamic table: the server then never has to track
     * the client's table state or hold blocked streams (RFC 9204 §2.1.2),
     * and its decoder needs only the static table and Huffman. */
    s->qpack_max_table_capacity = 0;
    s->qpack_blocked_streams = 0;
    /* Extended CONNECT (RFC 9220) is how a session opens; datagrams are
     * required by every WebTransport draft; Chromium refuses sessions
     * without 0x33 and without draft-02's 0x2b603742 (notes, "Failures"). */
    s->enable_connect_protocol = 1;
    s->h3_datagram = 1;
    s->enable_webtransport = 1;
    /* The same limit under draft-07's and draft-14's codepoints: a peer
     * reads the one of the draft it speaks and ignores the other. */
    s->webtransport_max_sessions = max_sessions;
    s->wt_max_sessions = max_sessions;
    s->wt_initial_max_streams_uni = 0;
    s->wt_initial_max_streams_bidi = 0;
    s->wt_initial_max_data = 0;
    s->present = EMNET_H3_HAS_QPACK_MAX_TABLE_CAPACITY | EMNET_H3_HAS_QPACK_BLOCKED_STREAMS |
                 EMNET_H3_HAS_ENABLE_CONNECT_PROTOCOL | EMNET_H3_HAS_H3_DATAGRAM |
                 EMNET_H3_HAS_ENABLE_WEBTRANSPORT | EMNET_H3_HAS_WEBTRANSPORT_MAX_SESSIONS |
                 EMNET_H3_HAS_WT_MAX_SESSIONS | EMNET_H3_HAS_WT_INITIAL_MAX_STREAMS_UNI |
                 EMNET_H3_HAS_WT_INITIAL_MAX_STREAMS_BIDI | EMNET_H3_HAS_WT_INITIAL_MAX_DATA;
}

size_t emnet_h3_encode_settings(uint8_t *buf, size_t cap, const struct emnet_h3_settings *s)
{
    /* Sized first, so that the header (whose length depends on the
     * payload's) is written once and the pairs straight after it. */
    size_t payload = 0;
    for (size_t i = 0; i < COUNT; i++) {
        if (!(s->present & (1u << i)))
            continue;
        uint64_t v = field_value(s, i);
        size_t vn = emnet_h3_varint_len(v);
        if (vn == 0 || (settings[i].boolean && v > 1))
            return 0;
        payload += emnet_h3_varint_len(settings[i].id) + vn;
    }
    size_t h = emnet_h3_frame_header_len(EMNET_H3_FRAME_SETTINGS, payload);
    if (cap < h || payload > cap - h)
        return 0;
    size_t n = emnet_h3_encode_frame_header(buf, cap, EMNET_H3_FRAME_SETTINGS, payload);
    for (size_t i = 0; i < COUNT; i++) {
        if (!(s->present & (1u << i)))
            continue;
        n += emnet_h3_varint_encode(buf + n, cap - n, settings[i].id);
        n += emnet_h3_varint_encode(buf + n, cap - n, field_value(s, i));
    }
    return n;
}
