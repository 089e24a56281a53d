/* Name resolution off the event loop: glibc's getaddrinfo_a.
 *
 * Each lookup runs in glibc's resolver threads. Its completion (SIGEV_THREAD)
 * puts the request on a mutex-protected done list and calls
 * lws_cancel_service(), which wakes the loop; the loop then calls
 * emnet_px_resolver_poll() (from LWS_CALLBACK_EVENT_WAIT_CANCELLED) and hands
 * results to their owners on its own thread.
 *
 * A request whose owner went away (client closed, resolve_timeout) is
 * abandoned: its callback is dropped, and the memory is freed either at once
 * (gai_cancel removed it before a thread took it, so no completion will come)
 * or when its completion arrives. So nothing is freed while glibc may still
 * write into it, and no owner is touched after it is gone. */
#define _GNU_SOURCE
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

struct emnet_px_resolve {
    struct emnet_px_resolve *next, *prev; /* every unfinished request (loop thread) */
    struct emnet_px_resolve *done_next;   /* the done list (under the mutex) */
    struct gaicb cb;
    struct addrinfo hints;
    char host[256];
    char service[8];
    emnet_px_resolved_fn fn;            /* NULL once abandoned */
    void *arg;
    int done;                           /* on the done list (under the mutex) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct emnet_px_resolve *done_head, *done_tail;   /* under lock */
static struct emnet_px_resolve *pending;                 /* loop thread only */
static size_t npending;
static struct lws_context *context;

int emnet_px_resolver_init(struct lws_context *ctx)
{
    context = ctx;
    return 0;
}

static void on_complete(union sigval sv)
{
    struct emnet_px_resolve *r = sv.sival_ptr;
    pthread_mutex_lock(&lock);
    r->done = 1;
    r->done_next = NULL;
    if (done_tail) done_tail->done_next = r;
    else done_head = r;
    done_tail = r;
    struct lws_context *ctx = context;
    pthread_mutex_unlock(&lock);
    if (ctx) lws_cancel_service(ctx);
}

static void pending_unlink(struct emnet_px_resolve *r)
{
    if (r->prev) r->prev->next = r->next;
    else pending = r->next;
    if (r->next) r->next->prev = r->prev;
    r->next = r->prev = NULL;
    npending--;
}

struct emnet_px_resolve *emnet_px_resolve_start(const char *host, uint16_t port, int udp,
                                                emnet_px_resolved_fn fn, void *arg)
{
    struct emnet_px_resolve *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    snprintf(r->host, sizeof r->host, "%s", host);
    snprintf(r->service, sizeof r->service, "%u", port);
    r->hints.ai_family = AF_UNSPEC;
    r->hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    r->hints.ai_flags = AI_NUMERICSERV;
    r->cb.ar_name = r->host;
    r->cb.ar_service = r->service;
    r->cb.ar_request = &r->hints;
    r->fn = fn;
    r->arg = arg;
    struct gaicb *list[1] = { &r->cb };
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_complete;
    sev.sigev_value.sival_ptr = r;
    /* On the pending list before the call: the completion may run first. */
    r->next = pending;
    if (pending) pending->prev = r;
    pending = r;
    npending++;
    if (getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0) {
        pending_unlink(r);
        free(r);
        return NULL;
    }
    return r;
}

void emnet_px_resolve_abandon(struct emnet_px_resolve *r)
{
    r->fn = NULL;
    r->arg = NULL;
    if (gai_cancel(&r->cb) == EAI_CANCELED) {
        /* Never started: glibc dropped it and will not notify. */
        pending_unlink(r);
        free(r);
    }
    /* Otherwise the completion will come; emnet_px_resolver_poll frees it. */
}

void emnet_px_resolver_poll(void)
{
    pthread_mutex_lock(&lock);
    struct emnet_px_resolve *list = done_head;
    done_head = done_tail = NULL;
    pthread_mutex_unlock(&lock);
    while (list) {
        struct emnet_px_resolve *r = list;
        list = r->done_next;
        pending_unlink(r);
        int err = gai_error(&r->cb);
        struct addrinfo *res = r->cb.ar_result;
        if (r->fn) {
            if (err != 0 && res) {
                freeaddrinfo(res);
                res = NULL;
            }
            r->fn(r->arg, err, err == 0 ? res : NULL);
        } else if (res) {
            freeaddrinfo(res);
        }
        free(r);
    }
}

/* At exit: cancel what has not started, wait a little for the rest so that
 * no resolver thread writes into freed memory. */
void emnet_px_resolver_shutdown(void)
{
    for (struct emnet_px_resolve *r = pending, *next; r; r = next) {
        next = r->next;
        emnet_px_resolve_abandon(r);
    }
    for (int i = 0; i < 200 && npending; i++) {
        emnet_px_resolver_poll();
        if (!npending) break;
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    emnet_px_resolver_poll();
    pthread_mutex_lock(&lock);
    context = NULL;
    pthread_mutex_unlock(&lock);
}
