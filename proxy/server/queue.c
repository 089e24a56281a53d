/* FIFO of byte chunks. Each chunk has LWS_PRE bytes of headroom so that a
 * message for the client goes to lws_write without a copy. The queue counts
 * its bytes and the memory it holds, and may charge that memory to an
 * account (a client connection's budget) so that callers can bound it
 * without walking the queue. */
#include <stdlib.h>

#include "server.h"

struct emnet_px_chunk *emnet_px_chunk_new(size_t len)
{
    struct emnet_px_chunk *c = malloc(sizeof *c + LWS_PRE + len);
    if (!c) return NULL;
    c->next = NULL;
    c->snext = NULL;
    c->stream = NULL;
    c->len = len;
    c->off = 0;
    return c;
}

struct emnet_px_chunk *emnet_px_chunk_trim(struct emnet_px_chunk *c, size_t len)
{
    if (len >= c->len) return c;
    /* A failed shrink leaves the larger block, which holds the bytes too. */
    struct emnet_px_chunk *t = realloc(c, sizeof *c + LWS_PRE + len);
    if (t) c = t;
    c->len = len;
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
    q->cost += EMNET_PX_CHUNK_COST(c->len);
    if (q->account) *q->account += EMNET_PX_CHUNK_COST(c->len);
}

struct emnet_px_chunk *emnet_px_queue_pop(struct emnet_px_queue *q)
{
    struct emnet_px_chunk *c = q->head;
    if (!c) return NULL;
    q->head = c->next;
    if (!q->head) q->tail = NULL;
    q->bytes -= c->len - c->off;
    q->count--;
    q->cost -= EMNET_PX_CHUNK_COST(c->len);
    if (q->account) *q->account -= EMNET_PX_CHUNK_COST(c->len);
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

void emnet_px_queue_set_account(struct emnet_px_queue *q, size_t *account)
{
    if (q->account) *q->account -= q->cost;
    q->account = account;
    if (account) *account += q->cost;
}
