/* A byte buffer for received data: appended at the end by the transport
 * (which writes straight into it, no extra copy), read from the start by
 * the program. Space is reclaimed by moving the unread bytes to the front
 * when that is enough, and by growing otherwise; the socket bounds it. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t rxbuf_len(const struct rxbuf *b)
{
    return b->end - b->start;
}

uint8_t *rxbuf_reserve(struct rxbuf *b, size_t len)
{
    if (b->cap - b->end >= len) return b->data + b->end;
    size_t unread = rxbuf_len(b);
    if (b->start && b->cap - unread >= len) {
        memmove(b->data, b->data + b->start, unread);
    } else {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - unread < len) cap *= 2;
        uint8_t *d = malloc(cap);
        if (!d) return NULL;
        if (unread) memcpy(d, b->data + b->start, unread);
        free(b->data);
        b->data = d;
        b->cap = cap;
    }
    b->start = 0;
    b->end = unread;
    return b->data + b->end;
}

void rxbuf_commit(struct rxbuf *b, size_t len)
{
    b->end += len;
}

size_t rxbuf_read(struct rxbuf *b, void *dst, size_t len, int peek)
{
    size_t n = rxbuf_len(b) < len ? rxbuf_len(b) : len;
    if (dst) memcpy(dst, b->data + b->start, n);
    if (!peek) {
        b->start += n;
        if (b->start == b->end) b->start = b->end = 0;
    }
    return n;
}

void rxbuf_free(struct rxbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
