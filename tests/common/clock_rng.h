/* Small things the test and benchmark programs share: the monotonic clock
 * in seconds, and xorshift32 for chunk sizes that are random but the same
 * on every run. Header-only, for native and wasm builds alike. */
#ifndef EMNET_TESTS_CLOCK_RNG_H
#define EMNET_TESTS_CLOCK_RNG_H

#include <stdint.h>
#include <time.h>

static inline double emnet_test_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline uint32_t emnet_test_xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#endif
