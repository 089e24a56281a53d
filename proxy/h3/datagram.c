/* HTTP Datagrams in QUIC DATAGRAM frames (RFC 9297 §2.1): the quarter
 * stream id names the CONNECT stream, and so the WebTransport session
 * (draft-ietf-webtrans-http3 §4.5), without an HTTP/3 frame around it. */
#include "h3_codec.h"

#include <string.h>

int emnet_h3_datagram_decode(const uint8_t *buf, size_t len, struct emnet_h3_datagram *out)
{
    uint64_t qsid;

    memset(out, 0, sizeof *out);
    /* A QUIC DATAGRAM frame arrives whole, so a cut varint can never be
     * completed: unlike on a stream it is an error, not "need more". */
    int n = emnet_h3_varint_decode(buf, len, &qsid);
    if (n == 0)
        return EMNET_H3_EDATAGRAM_SHORT;
    /* Stream ids stop at 2^62-1, so a quarter of one at 2^60-1; the check
     * also keeps qsid * 4 from wrapping. */
    if (qsid > EMNET_H3_QUARTER_STREAM_ID_MAX)
        return EMNET_H3_EQUARTER_STREAM_ID;
    out->session_id = qsid * 4;
    out->payload = buf + n;
    out->len = len - (size_t)n;
    return n;
}

size_t emnet_h3_encode_datagram_header(uint8_t *buf, size_t cap, uint64_t session_id)
{
    if (session_id % 4 != 0 || session_id > EMNET_H3_VARINT_MAX)
        return 0;
    return emnet_h3_varint_encode(buf, cap, session_id / 4);
}

size_t emnet_h3_encode_datagram(uint8_t *buf, size_t cap, uint64_t session_id, const void *payload, size_t len)
{
    if (session_id % 4 != 0 || session_id > EMNET_H3_VARINT_MAX)
        return 0;
    size_t h = emnet_h3_varint_len(session_id / 4);
    if (cap < h || len > cap - h)
        return 0;
    /* The payload first, as it may already sit right after the header. */
    if (len > 0)
        memmove(buf + h, payload, len);
    emnet_h3_varint_encode(buf, cap, session_id / 4);
    return h + len;
}
