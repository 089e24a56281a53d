/* FIFO of byte chunks. Each chunk has LWS_PRE bytes of headroom so that a
 * message for the client goes to lws_write without a copy. The queue counts
 * its bytes so callers can bound it. */
#include <stdlib.h>

#include "server.h"

struct emnet_px_chunk *emnet_px_chunk_new(size_t len)
{
    struct emnet_px_chunk *c = malloc(sizeof *c + LWS_PRE + len);
    if (!c) return NULL;
    c->next = NULL;
    c->stream = NULL;
    c->len = len;
    c->off = 0;
    return c;
}

void emnet_px_queue_push(struct emnet_px_queue *q, struct emnet_px_chunk *c)
{
    c->next = NULL;
    if (q->tail) q->tail->next = c;
    else q->head = c;
    q->tail = c;
    q->bytes += c->len - c->off;
    q->count++;
}

struct emnet_px_chunk *emnet_px_queue_pop(struct emnet_px_queue *q)
{
    struct emnet_px_chunk *c = q->head;
    if (!c) return NULL;
    q->head = c->next;
    if (!q->head) q->tail = NULL;
    q->bytes -= c->len - c->off;
    q->count--;
    c->next = NULL;
    return c;
}

void emnet_px_queue_consume(struct emnet_px_queue *q, size_t n)
{
    q->head->off += n;
    q->bytes -= n;
}

void emnet_px_queue_clear(struct emnet_px_queue *q)
{
    struct emnet_px_chunk *c;
    while ((c = emnet_px_queue_pop(q))) free(c);
}

void emnet_px_queue_forget(struct emnet_px_queue *q, const struct emnet_px_stream *s)
{
    for (struct emnet_px_chunk *c = q->head; c; c = c->next)
        if (c->stream == s) c->stream = NULL;
}
