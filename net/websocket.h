/* WebSockets for the transports that ride on them (websockify, Wisp), over
 * one JS backend (js/library_emnet_websocket.js): WebSocketStream where
 * the engine has it, WebSocket elsewhere, the npm ws package under Node.
 *
 * A transport opens a WebSocket with its own event table and an owner
 * pointer. Messages arrive in batches (several per crossing from JS, one
 * drive after the batch): for each, `reserve` says where its bytes go --
 * the transport may look at the message's first bytes (`head`) and have
 * the first `*skip` of them left out, so a header never lands in a socket's
 * buffer -- and `commit` hands it over. */
#ifndef EMNET_NET_WEBSOCKET_H
#define EMNET_NET_WEBSOCKET_H

#include <stddef.h>
#include <stdint.h>

struct emnet_ws_events {
    void (*opened)(void *owner);
    /* Room for a message of len bytes whose first bytes are head[0..head_len)
     * (head_len = min(len, 8)); *skip (0 by default) of them are not copied.
     * NULL: the message is not wanted (the transport has dealt with it). */
    uint8_t *(*reserve)(void *owner, size_t len, const uint8_t *head, size_t head_len, size_t *skip);
    /* The message's bytes (after the skipped ones) are there: 1 to read on,
     * 0 to pause (emnet__ws_pause(h, 0) reads on). */
    int (*commit)(void *owner, size_t len);
    /* The WebSocket closed (code as received; 1006: abnormally, or never
     * opened). The handle is gone: no emnet__ws_close needed. */
    void (*closed)(void *owner, int code, int opened);
    /* The bytes queued went below the mark given to emnet__ws_watch_drain. */
    void (*drained)(void *owner);
};

/* A new WebSocket to url, offering subprotocol `protocol` (NULL: none; a
 * server that refuses the offer is tried once more without it). A handle,
 * or -errno (a malformed URL, out of memory). */
int emnet__ws_open(const char *url, const char *protocol, const struct emnet_ws_events *ev, void *owner);
/* Sends one message: head (head_len bytes) then tail (tail_len, may be 0). */
void emnet__ws_send(int h, const void *head, size_t head_len, const void *tail, size_t tail_len);
/* Bytes queued and not yet sent: ask after a send, never on a poll. */
double emnet__ws_buffered(int h);
void emnet__ws_watch_drain(int h, double below);   /* drained() once the queue is below `below` */
void emnet__ws_pause(int h, int paused);          /* stop or restart reading messages */
/* From now on both ends may pack messages: a message whose first byte is
 * `type`, then four zero bytes, holds records, each a u32 LE length and
 * one message. Received ones are unpacked before C sees them; small
 * messages sent back to back leave packed (a browser pays per message). */
void emnet__ws_pack(int h, uint8_t type);
void emnet__ws_close(int h);                      /* code 1000; no event follows */
unsigned emnet__ws_live(void);                    /* WebSockets open, for emnet_net_stats */

/* Entry points js/library_emnet_websocket.js calls (exported). */
int32_t *emnet__ws_skip_slot(void);
void emnet__ws_on_open(int h);
uint8_t *emnet__ws_rx_reserve(int h, size_t len, uint32_t head0, uint32_t head1);
int emnet__ws_rx_commit(int h, size_t len);
void emnet__ws_on_close(int h, int code, int opened);
void emnet__ws_on_drain(int h);

#endif
