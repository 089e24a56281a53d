/* The webtransport transport's sessions and stream handles (webtransport.h),
 * and the entry points js/library_emnet_webtransport.js calls.
 *
 * One session per URL, shared by every socket that uses it: opened on the
 * first stream that needs it, and forgotten when it closes (the next
 * stream opens a new one). Streams created while it opens are opened by
 * the host once it is ready. A session that closes ends every stream of
 * it: each owner hears session_closed and decides what its socket sees.
 *
 * A handle is a slot of a table from number to stream; the host keys its
 * objects by the same number and sends nothing for a handle after
 * emnet_js_wt_stream_close. Sessions have numbers of their own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>

#include "webtransport.h"

#define FLOW_BUCKETS 64

struct wt_flow_entry {
    struct wt_flow_entry *next;
    uint64_t id;
    struct emnet_channel *ch;
};

struct wt_session {
    struct wt_session *next;
    int sid;
    char *key;                   /* the URL (or the info URL) it was opened for */
    int ready;
    size_t max_datagram;         /* the largest datagram payload the page may send */
    struct wt_stream *streams;
    struct wt_flow_entry *flows[FLOW_BUCKETS];
    /* An arriving datagram: the flow C reserved it for, between reserve
     * and commit. */
    struct emnet_channel *dgram_ch;
    uint8_t *dgram_at;
};

static struct wt_session *sessions;
static int next_sid = 1;

static struct wt_stream **handles;
static int handle_cap;
static unsigned live;   /* handles in use */

unsigned emnet__wt_live_streams(void)
{
    return live;
}

/* ---- sessions ---- */

struct wt_session *wt_session_get(int *err)
{
    const char *url = emnet__transport_url(&emnet__webtransport_transport);
    const char *info = emnet__text_setting(TEXT_WEBTRANSPORT_INFO_URL);
    if (!url) url = "";
    if (!*url && !info) {
        *err = -ENETUNREACH;   /* transports.c has said which setting is missing */
        return NULL;
    }
    const char *key = *url ? url : info;
    for (struct wt_session *s = sessions; s; s = s->next)
        if (!strcmp(s->key, key)) return s;
    struct wt_session *s = calloc(1, sizeof *s);
    if (!s || !(s->key = strdup(key))) {
        free(s);
        *err = -ENOBUFS;
        return NULL;
    }
    s->sid = next_sid++;
    s->next = sessions;
    sessions = s;
    const char *hashes = emnet__text_setting(TEXT_WEBTRANSPORT_CERT_HASHES);
    emnet_js_wt_session_open(s->sid, url, hashes ? hashes : "", info && !*url ? info : "");
    return s;
}

int wt_session_ready(const struct wt_session *s)
{
    return s->ready;
}

size_t wt_session_max_datagram(const struct wt_session *s)
{
    return s->max_datagram;
}

void wt_session_send_datagram(struct wt_session *s, const uint8_t *head, size_t head_len, const void *buf, size_t len)
{
    emnet_js_wt_datagram_send(s->sid, head, head_len, buf, len);
}

static struct wt_session *session_of(int sid)
{
    for (struct wt_session *s = sessions; s; s = s->next)
        if (s->sid == sid) return s;
    return NULL;
}

static void session_free(struct wt_session *s)
{
    for (struct wt_session **p = &sessions; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    for (int i = 0; i < FLOW_BUCKETS; i++)
        while (s->flows[i]) {
            struct wt_flow_entry *f = s->flows[i];
            s->flows[i] = f->next;
            free(f);
        }
    free(s->key);
    free(s);
}

/* ---- flows ---- */

void wt_session_add_flow(struct wt_session *s, uint64_t id, struct emnet_channel *ch)
{
    struct wt_flow_entry *f = malloc(sizeof *f);
    if (!f) return;   /* its datagrams are dropped, as UDP may */
    f->id = id;
    f->ch = ch;
    f->next = s->flows[id % FLOW_BUCKETS];
    s->flows[id % FLOW_BUCKETS] = f;
}

void wt_session_remove_flow(struct wt_session *s, uint64_t id)
{
    for (struct wt_flow_entry **p = &s->flows[id % FLOW_BUCKETS]; *p; p = &(*p)->next)
        if ((*p)->id == id) {
            struct wt_flow_entry *f = *p;
            *p = f->next;
            free(f);
            return;
        }
}

struct emnet_channel *wt_session_flow(struct wt_session *s, uint64_t id)
{
    for (struct wt_flow_entry *f = s->flows[id % FLOW_BUCKETS]; f; f = f->next)
        if (f->id == id) return f->ch;
    return NULL;
}

/* ---- streams ---- */

int wt_stream_start(struct wt_stream *st, struct wt_session *s, const struct wt_stream_ops *ops,
                    const uint8_t *head, size_t len)
{
    int h = 1;
    while (h < handle_cap && handles[h]) h++;
    if (h >= handle_cap) {
        int cap = handle_cap ? handle_cap * 2 : 64;
        struct wt_stream **n = realloc(handles, (size_t)cap * sizeof *n);
        if (!n) return -ENOBUFS;
        memset(n + handle_cap, 0, (size_t)(cap - handle_cap) * sizeof *n);
        handles = n;
        handle_cap = cap;
    }
    st->h = h;
    st->ops = ops;
    st->sess = s;
    st->next = s->streams;
    s->streams = st;
    handles[h] = st;
    live++;
    emnet_js_wt_stream_open(s->sid, h, head, len);
    return 0;
}

static void unlink_stream(struct wt_stream *st)
{
    if (st->h > 0 && st->h < handle_cap && handles[st->h] == st) {
        handles[st->h] = NULL;
        live--;
    }
    st->h = 0;
    if (!st->sess) return;
    for (struct wt_stream **p = &st->sess->streams; *p; p = &(*p)->next)
        if (*p == st) {
            *p = st->next;
            break;
        }
    st->sess = NULL;
}

void wt_stream_release(struct wt_stream *st, int reset)
{
    if (st->h) emnet_js_wt_stream_close(st->h, reset);
    unlink_stream(st);
}

static struct wt_stream *stream_of(int h)
{
    return h > 0 && h < handle_cap ? handles[h] : NULL;
}

/* ---- entry points for the host (exported) ---- */

EMSCRIPTEN_KEEPALIVE void emnet__wt_on_session_ready(int sid, double max_datagram)
{
    struct wt_session *s = session_of(sid);
    if (!s) return;
    s->ready = 1;
    s->max_datagram = max_datagram > 0 ? (size_t)max_datagram : 0;
}

/* Every stream of the session is over, on the host's side already. The
 * session is forgotten first, so that an owner that opens a new stream
 * (a socket falling back, a flow reopened) gets a new session. */
EMSCRIPTEN_KEEPALIVE void emnet__wt_on_session_closed(int sid, int opened, const char *why)
{
    struct wt_session *s = session_of(sid);
    if (!s) return;
    struct wt_stream *list = s->streams;
    s->streams = NULL;
    session_free(s);
    while (list) {
        struct wt_stream *st = list;
        list = st->next;
        if (handles[st->h] == st) {
            handles[st->h] = NULL;
            live--;
        }
        st->h = 0;
        st->sess = NULL;
        st->ops->session_closed(st, opened, why);
    }
}

EMSCRIPTEN_KEEPALIVE uint8_t *emnet__wt_rx_reserve(int h, size_t len)
{
    struct wt_stream *st = stream_of(h);
    return st ? st->ops->reserve(st, len) : NULL;
}

EMSCRIPTEN_KEEPALIVE int emnet__wt_rx_commit(int h, size_t len)
{
    struct wt_stream *st = stream_of(h);
    return st ? st->ops->commit(st, len) : 0;
}

EMSCRIPTEN_KEEPALIVE void emnet__wt_on_fin(int h)
{
    struct wt_stream *st = stream_of(h);
    if (st) st->ops->fin(st);
}

EMSCRIPTEN_KEEPALIVE void emnet__wt_on_error(int h, int code)
{
    struct wt_stream *st = stream_of(h);
    if (st) st->ops->error(st, code);
}

EMSCRIPTEN_KEEPALIVE void emnet__wt_on_drain(int h)
{
    struct wt_stream *st = stream_of(h);
    if (st) st->ops->drained(st);
}

/* A datagram: its first 8 bytes (head0/head1, little-endian, zero past
 * its end) hold the flow id, which says whose queue it goes to. NULL: not
 * wanted (no such flow, a malformed id, a full queue), dropped. */
EMSCRIPTEN_KEEPALIVE uint8_t *emnet__wt_dgram_reserve(int sid, size_t len, uint32_t head0, uint32_t head1)
{
    struct wt_session *s = session_of(sid);
    if (!s) return NULL;
    s->dgram_ch = NULL;
    uint8_t head[8];
    for (int i = 0; i < 4; i++) {
        head[i] = (uint8_t)(head0 >> (8 * i));
        head[4 + i] = (uint8_t)(head1 >> (8 * i));
    }
    uint64_t id;
    if (emnet_wt_varint_decode(head, len < 8 ? len : 8, &id) <= 0) return NULL;
    struct emnet_channel *ch = wt_session_flow(s, id);
    if (!ch) return NULL;
    uint8_t *p = emnet__chan_dgram_reserve(ch, len);
    if (p) {
        s->dgram_ch = ch;
        s->dgram_at = p;
    }
    return p;
}

EMSCRIPTEN_KEEPALIVE void emnet__wt_dgram_commit(int sid, size_t len)
{
    struct wt_session *s = session_of(sid);
    if (!s || !s->dgram_ch) return;
    struct emnet_channel *ch = s->dgram_ch;
    s->dgram_ch = NULL;
    wt_udp_datagram(ch, s->dgram_at, len);
}
