/* Download 4 MiB from the source server on a blocking socket, with recvs
 * of 1..65536 bytes (sizes from a fixed-seed generator; each returns what
 * has arrived, at least one byte): the bytes are the shared test pattern
 * from offset 0, none lost, doubled or reordered, and their FNV-1a is the
 * pattern's. Then closing with the stream still flowing. */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#define TOTAL (4u << 20)

static uint32_t rng_state = 0x9E3779B9u;

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_SOURCE);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));

    static uint8_t buf[65536], want[65536];
    size_t got = 0;
    int bad_chunks = 0, empty = 0, errors = 0;
    uint64_t h = EMNET_TEST_FNV1A_INIT;
    while (got < TOTAL) {
        size_t n = 1 + net_rng(&rng_state) % 65536;
        if (n > TOTAL - got) n = TOTAL - got;
        long r = recv(s, buf, n, 0);
        if (r == 0) {
            empty++;
            break;
        }
        if (r < 0) {
            errors++;
            break;
        }
        emnet_test_pattern_fill(want, (size_t)r, got);
        if (memcmp(buf, want, (size_t)r)) bad_chunks++;
        h = emnet_test_fnv1a(h, buf, (size_t)r);
        got += (size_t)r;
    }
    TRACE_VALUE("received", got);
    TRACE_VALUE("chunks unlike the pattern", bad_chunks);
    TRACE_VALUE("early EOF", empty);
    TRACE_VALUE("errors", errors);

    uint64_t hp = EMNET_TEST_FNV1A_INIT;
    for (size_t off = 0; off < TOTAL; off += sizeof want) {
        emnet_test_pattern_fill(want, sizeof want, off);
        hp = emnet_test_fnv1a(hp, want, sizeof want);
    }
    printf("  fnv1a of the pattern's first 4 MiB %016llx\n", (unsigned long long)hp);
    TRACE_TRUE(h == hp);

    trace_note("the stream keeps coming");
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
    T(close(s));
    return 0;
}
