/* One TCP connection to the chat server on the hosted loop, that comes
 * back by itself: a non-blocking connect (EINPROGRESS, then EPOLLOUT and
 * SO_ERROR), a read buffer cut into lines, a write queue drained on
 * EPOLLOUT, and after any failure a new attempt after 1 s, 2 s, 4 s, ...
 * up to 30 s (back to 1 s once the server has answered). The same code
 * runs over the kernel natively and over emnet in wasm. */
#ifndef EMNET_DEMO_CONN_H
#define EMNET_DEMO_CONN_H

#include <stddef.h>

#include "emnet/reactor.h"

struct emnet_chat_conn_ops {
    void (*connected)(void *arg);
    void (*line)(void *arg, const char *line, size_t len);   /* without CR LF */
    /* The connection is gone (or never came): `why` says why. */
    void (*lost)(void *arg, const char *why);
    /* state: "connecting", "connected", "disconnected", "retry", "closed";
     * text: a sentence for the user. */
    void (*status)(void *arg, const char *state, const char *text);
};

struct emnet_chat_conn;

#define EMNET_CHAT_RETRY_FIRST_MS 1000
#define EMNET_CHAT_RETRY_MAX_MS 30000

/* Copies host. Returns NULL if out of memory. Connects at once. */
struct emnet_chat_conn *emnet_chat_conn_new(emnet_loop *loop, const char *host, int port,
                                            const struct emnet_chat_conn_ops *ops, void *arg);
/* Closes the socket, cancels its timers and frees it. */
void emnet_chat_conn_free(struct emnet_chat_conn *c);

/* Queues bytes for the server; dropped (returns -ENOTCONN) when not
 * connected, -ENOBUFS if the queue is full. */
int emnet_chat_conn_send(struct emnet_chat_conn *c, const char *data, size_t len);

/* No more reconnecting: the next loss of the connection is the last, and
 * reports "closed". Closes at once if not connected. */
void emnet_chat_conn_finish(struct emnet_chat_conn *c);

int emnet_chat_conn_is_connected(const struct emnet_chat_conn *c);
/* The delay before the next attempt, in ms (for tests and the status). */
unsigned emnet_chat_conn_retry_ms(const struct emnet_chat_conn *c);

#endif
