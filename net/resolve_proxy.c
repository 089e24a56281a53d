/* Asking emnet-proxy whether a name exists, before getaddrinfo() hands out
 * its placeholder (resolve.c).
 *
 * Placeholders alone make every name "exist": a program that looks up a
 * name with a typo learns of it only at connect(), as ECONNREFUSED-like
 * noise, and a program that falls back from AF_INET6 to AF_INET never
 * does. The proxy beside the servers can resolve, so where the program can
 * wait (the blocking bridge: ASYNCIFY, or JSPI) getaddrinfo() asks it once
 * and blocks until it answers. The answer carries no addresses: the
 * program keeps the placeholder, so the proxy still resolves (and its
 * allowlist still judges) the name itself at connect time.
 *
 * One lookup is in flight at a time; a getaddrinfo() that comes while one
 * waits (from a JS callback) gets the placeholder without asking. Answers
 * are kept for EMNET_RESOLVE_CACHE_MS in a small table that forgets the
 * oldest entry; "try again" is never kept. */
#include <emscripten.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define CACHE_SLOTS 64
#define MAX_NAME 253

struct cached {
    char name[MAX_NAME + 1];
    unsigned port;
    int answer;
    uint64_t expires_ns;
};
static struct cached cache[CACHE_SLOTS];
static unsigned cache_next;

static int next_id = 1;
static int waiting_id;   /* the lookup being waited for, 0 if none */
static int waiting_answered, waiting_answer;

static int cache_get(const char *name, unsigned port, uint64_t now, int *answer)
{
    for (unsigned i = 0; i < CACHE_SLOTS; i++) {
        struct cached *c = &cache[i];
        if (c->expires_ns > now && c->port == port && !strcasecmp(c->name, name)) {
            *answer = c->answer;
            return 1;
        }
    }
    return 0;
}

static void cache_put(const char *name, unsigned port, int answer, uint64_t now)
{
    long ms = emnet__setting(SETTING_RESOLVE_CACHE_MS);
    if (ms <= 0 || strlen(name) > MAX_NAME) return;
    struct cached *c = &cache[cache_next++ % CACHE_SLOTS];
    strcpy(c->name, name);
    c->port = port;
    c->answer = answer;
    c->expires_ns = now + (uint64_t)ms * 1000000u;
}

EMSCRIPTEN_KEEPALIVE void emnet__dns_answer(int id, int answer)
{
    if (!waiting_id || id != waiting_id) return;   /* one that timed out: nobody waits for it */
    waiting_answer = answer;
    waiting_answered = 1;
    emnet__wake();
}

int emnet__dns_ask(const char *name, unsigned port)
{
    if (waiting_id || !emnet_js_can_block()) return EMNET__DNS_UNKNOWN;
    uint64_t now = emnet__now_ns();
    int answer;
    if (cache_get(name, port, now, &answer)) return answer;
    char buf[1024];
    int on_session = emnet__resolve_on_session(name, port);
    const char *url = on_session ? NULL : emnet__resolve_url(name, port, buf, sizeof buf);
    if (!url && !on_session) return EMNET__DNS_UNKNOWN;

    waiting_id = next_id;
    next_id = next_id == 0x7fffffff ? 1 : next_id + 1;
    waiting_answered = 0;
    if (on_session) {
        /* Over webtransport: a lookup stream of the session the sockets
         * use (docs/webtransport-protocol.md), no HTTP request. */
        if (wt_dns_query(name, waiting_id) < 0) {
            waiting_id = 0;
            return EMNET__DNS_UNKNOWN;
        }
    } else {
        emnet_js_dns_query(url, name, port, waiting_id);
    }
    uint64_t deadline = now + (uint64_t)emnet__setting(SETTING_RESOLVE_TIMEOUT_MS) * 1000000u;
    answer = EMNET__DNS_AGAIN;   /* what a lookup with no answer in time is on Linux */
    while (!waiting_answered && emnet__now_ns() < deadline) {
        if (emnet__block_until(deadline) < 0) {
            answer = EMNET__DNS_UNKNOWN;
            break;
        }
    }
    if (waiting_answered) answer = waiting_answer;
    waiting_id = 0;
    if (answer != EMNET__DNS_AGAIN) cache_put(name, port, answer, emnet__now_ns());
    return answer;
}
