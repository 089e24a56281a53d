/* The shared test stream must be the same however it is produced: whole,
 * in chunks of any size, from any offset; and it must not repeat. Both the
 * test servers and the wasm tests depend on that. */
#include <stdint.h>
#include <string.h>

#include "../common/check.h"
#include "../common/pattern.h"

int main(void)
{
    static uint8_t whole[1 << 16], part[sizeof whole];
    emnet_test_pattern_fill(whole, sizeof whole, 0);

    /* Chunked at every size from 1 to 97 bytes gives the same bytes. */
    for (size_t chunk = 1; chunk < 98; chunk++) {
        for (size_t off = 0; off < sizeof part; off += chunk) {
            size_t n = sizeof part - off < chunk ? sizeof part - off : chunk;
            emnet_test_pattern_fill(part + off, n, off);
        }
        CHECK(memcmp(whole, part, sizeof whole) == 0);
    }

    /* No period: a window compared against the stream shifted by common
     * buffer sizes never matches. */
    static const size_t shifts[] = { 1, 4, 251, 256, 4096, 16384, 32768 };
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++)
        CHECK(memcmp(whole, whole + shifts[i], 1024) != 0);

    /* Known values pin the definition, so native and wasm cannot drift. */
    CHECK_EQ_INT(emnet_test_pattern_word(0), 0);
    CHECK_EQ_INT(emnet_test_fnv1a(EMNET_TEST_FNV1A_INIT, (const uint8_t *)"a", 1) == 0xAF63DC4C8601EC8Cull, 1);

    /* Far offsets (past 4 GiB) are well defined and differ from the start. */
    uint8_t far[64];
    emnet_test_pattern_fill(far, sizeof far, (uint64_t)1 << 33);
    CHECK(memcmp(far, whole, sizeof far) != 0);
    return check_exit("test_pattern");
}
