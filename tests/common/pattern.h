/* The deterministic byte stream that the test servers and tests share.
 *
 * Byte i of the stream is a byte of a 32-bit hash of i/4, so the stream never
 * repeats within 2^34 bytes: a lost, doubled or reordered chunk of any size
 * shows up as a mismatch. Header-only so that native and wasm builds, the
 * test servers and the tests all use this one definition. */
#ifndef EMNET_TESTS_PATTERN_H
#define EMNET_TESTS_PATTERN_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t emnet_test_pattern_word(uint64_t word_index)
{
    uint32_t x = (uint32_t)word_index ^ (uint32_t)(word_index >> 32) * 0x9E3779B1u;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

/* Fills buf with bytes [offset, offset + len) of the stream. */
static inline void emnet_test_pattern_fill(uint8_t *buf, size_t len, uint64_t offset)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t at = offset + i;
        buf[i] = (uint8_t)(emnet_test_pattern_word(at >> 2) >> (8 * (at & 3)));
    }
}

/* FNV-1a, 64-bit: the checksum the sink server reports for what it received. */
#define EMNET_TEST_FNV1A_INIT 0xCBF29CE484222325ull

static inline uint64_t emnet_test_fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

#endif
