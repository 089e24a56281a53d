/* QUIC variable-length integers (RFC 9000 §16), the unit every other
 * field of HTTP/3 and WebTransport is built from. */
#include "h3_codec.h"

int emnet_h3_varint_decode(const uint8_t *buf, size_t len, uint64_t *value)
{
    if (len == 0)
        return 0;
    /* The two top bits give the length as a power of two, so the whole
     * size is known from the first byte and checked before any other. */
    size_t n = (size_t)1 << (buf[0] >> 6);
    if (len < n)
        return 0;
    uint64_t v = buf[0] & 0x3f;
    for (size_t i = 1; i < n; i++)
        v = v << 8 | buf[i];
    *value = v;
    return (int)n;
}

size_t emnet_h3_varint_len(uint64_t value)
{
    if (value <= 63)
        return 1;
    if (value <= 16383)
        return 2;
    if (value <= (UINT64_C(1) << 30) - 1)
        return 4;
    if (value <= EMNET_H3_VARINT_MAX)
        return 8;
    return 0;
}

size_t emnet_h3_varint_encode(uint8_t *buf, size_t cap, uint64_t value)
{
    size_t n = emnet_h3_varint_len(value);
    if (n == 0 || cap < n)
        return 0;
    for (size_t i = n; i-- > 0;) {
        buf[i] = (uint8_t)value;
        value >>= 8;
    }
    /* The value fits in the bits below the length prefix (that is how n
     * was chosen), so or-ing the prefix in loses nothing. */
    static const uint8_t prefix[9] = { [1] = 0x00, [2] = 0x40, [4] = 0x80, [8] = 0xc0 };
    buf[0] |= prefix[n];
    return n;
}
