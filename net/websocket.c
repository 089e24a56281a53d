/* The C half of emnet's WebSockets (websocket.h): a table from handle to
 * the transport that owns the WebSocket, and the entry points the JS
 * backend (js/library_emnet_websocket.js) calls. A handle is a slot of this
 * table; the JS side keys its WebSocket by the same number and sends
 * nothing for a handle after emnet__ws_close or a close event. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>

#include "websocket.h"

/* ---- the host (js/library_emnet_websocket.js) ---- */
int emnet_js_websocket_open(const char *url, const char *protocol, int h);   /* 0 or -errno */
void emnet_js_websocket_send(int h, const void *head, size_t head_len, const void *tail, size_t tail_len);
double emnet_js_websocket_buffered(int h);
void emnet_js_websocket_watch_drain(int h, double below);
void emnet_js_websocket_pause(int h, int paused);
void emnet_js_websocket_pack(int h, int type);
void emnet_js_websocket_close(int h);

struct ws_slot {
    const struct emnet_ws_events *ev;   /* NULL: a free slot */
    void *owner;
};

static struct ws_slot *slots;
static int slot_cap;
static unsigned live;

/* Where a reserve tells the JS side how many of a message's first bytes
 * to leave out: one word the backend reads after the call, instead of a
 * second crossing per message. */
static int32_t skip_slot;

EMSCRIPTEN_KEEPALIVE int32_t *emnet__ws_skip_slot(void)
{
    return &skip_slot;
}

static struct ws_slot *slot(int h)
{
    return h > 0 && h < slot_cap && slots[h].ev ? &slots[h] : NULL;
}

int emnet__ws_open(const char *url, const char *protocol, const struct emnet_ws_events *ev, void *owner)
{
    int h = 1;
    while (h < slot_cap && slots[h].ev) h++;
    if (h >= slot_cap) {
        int cap = slot_cap ? slot_cap * 2 : 16;
        struct ws_slot *n = realloc(slots, (size_t)cap * sizeof *n);
        if (!n) return -ENOMEM;
        memset(n + slot_cap, 0, (size_t)(cap - slot_cap) * sizeof *n);
        slots = n;
        slot_cap = cap;
    }
    int r = emnet_js_websocket_open(url, protocol, h);
    if (r < 0) return r;
    slots[h].ev = ev;
    slots[h].owner = owner;
    live++;
    return h;
}

static void slot_free(int h)
{
    slots[h].ev = NULL;
    slots[h].owner = NULL;
    live--;
}

void emnet__ws_send(int h, const void *head, size_t head_len, const void *tail, size_t tail_len)
{
    if (slot(h)) emnet_js_websocket_send(h, head, head_len, tail, tail_len);
}

double emnet__ws_buffered(int h)
{
    return slot(h) ? emnet_js_websocket_buffered(h) : 0;
}

void emnet__ws_watch_drain(int h, double below)
{
    if (slot(h)) emnet_js_websocket_watch_drain(h, below);
}

void emnet__ws_pause(int h, int paused)
{
    if (slot(h)) emnet_js_websocket_pause(h, paused);
}

void emnet__ws_pack(int h, uint8_t type)
{
    if (slot(h)) emnet_js_websocket_pack(h, type);
}

void emnet__ws_close(int h)
{
    if (!slot(h)) return;
    emnet_js_websocket_close(h);
    slot_free(h);
}

unsigned emnet__ws_live(void)
{
    return live;
}

/* ---- entry points for the JS backend (exported) ---- */

EMSCRIPTEN_KEEPALIVE void emnet__ws_on_open(int h)
{
    struct ws_slot *s = slot(h);
    if (s) s->ev->opened(s->owner);
}

/* head0/head1: the message's first 8 bytes, little-endian (zero past its
 * end). */
EMSCRIPTEN_KEEPALIVE uint8_t *emnet__ws_rx_reserve(int h, size_t len, uint32_t head0, uint32_t head1)
{
    struct ws_slot *s = slot(h);
    skip_slot = 0;
    if (!s) return NULL;
    uint8_t head[8];
    for (int i = 0; i < 4; i++) {
        head[i] = (uint8_t)(head0 >> (8 * i));
        head[4 + i] = (uint8_t)(head1 >> (8 * i));
    }
    size_t skip = 0;
    uint8_t *p = s->ev->reserve(s->owner, len, head, len < 8 ? len : 8, &skip);
    skip_slot = (int32_t)skip;
    return p;
}

EMSCRIPTEN_KEEPALIVE int emnet__ws_rx_commit(int h, size_t len)
{
    struct ws_slot *s = slot(h);
    return s ? s->ev->commit(s->owner, len) : 0;
}

EMSCRIPTEN_KEEPALIVE void emnet__ws_on_close(int h, int code, int opened)
{
    struct ws_slot *s = slot(h);
    if (!s) return;
    const struct emnet_ws_events *ev = s->ev;
    void *owner = s->owner;
    slot_free(h);   /* the JS side has let go of it already */
    ev->closed(owner, code, opened);
}

EMSCRIPTEN_KEEPALIVE void emnet__ws_on_drain(int h)
{
    struct ws_slot *s = slot(h);
    if (s) s->ev->drained(s->owner);
}
