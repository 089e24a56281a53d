/* emnet-bench-proxy: a native WebSocket load client (libwebsockets, one
 * process, one poll loop) that measures a WebSocket-to-TCP proxy from the
 * outside, the same way for emnet-proxy and for websockify.
 *
 *   main.c        options, the lws context and loop, the run's clock and
 *                 deadline, what every test prints
 *   websockify.c  one WebSocket = one TCP connection: throughput against
 *                 tcp_bulk, and idle connections (one echo each)
 *   wisp.c        one WebSocket, many Wisp streams: throughput honouring
 *                 CONTINUE credit, and idle streams (one echo each)
 *   memory.c      VmRSS, PSS and CPU time of the processes of a group
 *
 * The mode files plug into main.c through struct emnet_bp_mode: main.c
 * owns the WebSocket connections (struct emnet_bp_conn) and forwards lws
 * events to the mode. Results are printed as "NAME VALUE" lines for
 * scripts. */
#ifndef EMNET_BENCH_PROXY_H
#define EMNET_BENCH_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

/* A WebSocket message is at most this much payload in both directions. */
#define EMNET_BP_MSG 65536

struct emnet_bp_conn;

/* What a test does with its connections. Every hook is optional except
 * start. Hooks return 0, or -1 to close that connection. */
struct emnet_bp_mode {
    const char *name;
    int (*start)(void);                                /* once, at the beginning */
    int (*established)(struct emnet_bp_conn *c);
    int (*writeable)(struct emnet_bp_conn *c);         /* at most one lws_write */
    /* Wisp modes: one whole message (main.c joins the fragments).
     * websockify modes: each fragment as it comes (they only count bytes). */
    int (*message)(struct emnet_bp_conn *c, const unsigned char *msg, size_t len);
    void (*closed)(struct emnet_bp_conn *c);           /* gone before the end */
};

struct emnet_bp_conn {
    struct lws *wsi;
    int index;
    int open;                  /* established and not closed */
    void *mode_data;           /* the mode's per-connection state */
    unsigned char *msg;        /* the message being reassembled */
    size_t msg_len, msg_cap;
    char close_why[128];       /* the peer's close code and reason, if it sent one */
};

/* The run, as the options set it up. */
struct emnet_bp_options {
    const char *test;          /* tput, idle, wisp-tput, wisp-idle */
    char url_host[128];
    int url_port;
    char url_path[512];        /* with the leading '/' and any query */
    int conns;                 /* tput, idle */
    int streams;               /* wisp-tput, wisp-idle */
    uint64_t bytes;            /* tput: each way per connection (or stream) */
    char target_host[128];     /* wisp: CONNECT target */
    uint16_t target_port;
    int window;                /* idle: connections (streams) being opened at once */
    size_t echo_bytes;         /* idle (websockify mode): the echo's size, 1..EMNET_BP_MSG */
    int pgid;                  /* the proxy's process group, 0 = none */
    int timeout_s;
};
extern struct emnet_bp_options emnet_bp_opt;

/* ---- main.c: services for the modes ---- */
/* Opens one more WebSocket to the URL; NULL if lws refused at once. */
struct emnet_bp_conn *emnet_bp_connect(void);
/* Sends one binary message (buf must have LWS_PRE bytes of room before it).
 * Returns -1 when lws failed. */
int emnet_bp_write(struct emnet_bp_conn *c, unsigned char *buf, size_t len);
/* Monotonic seconds. */
double emnet_bp_now(void);
/* Ends the run with this status after the current callback. */
void emnet_bp_finish(int status);
/* Prints "name value" (the scripts read these). */
void emnet_bp_result(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Calls fn once, after ms milliseconds. */
void emnet_bp_later(int ms, void (*fn)(void));
/* A reusable send buffer of LWS_PRE + EMNET_BP_MSG bytes, payload at + LWS_PRE.
 * The payload starts as a fixed pattern; lws masks client frames in place,
 * so its content is not meaningful after a write. */
unsigned char *emnet_bp_send_buffer(void);

/* Throughput tests: a transfer phase starts now; it ended now, having
 * moved bytes. Prints "<dir>_MBps" (10^6 bytes/s), "<dir>_client_busy"
 * (this client's CPU seconds per second of the phase: near 1, the client
 * was the limit) and, with --pgid,
 * "<dir>_proxy_cpu_s" (the proxy's CPU seconds in the phase) and
 * "<dir>_MB_per_cpu_s": what the proxy would move with a core to itself. */
void emnet_bp_phase_start(void);
void emnet_bp_phase_report(const char *dir, double bytes);

/* The memory part of idle tests: before opening anything and once all is
 * idle. Prints "<prefix>_rss_kb", "<prefix>_pss_kb", "<prefix>_procs". */
void emnet_bp_measure(const char *prefix);

/* ---- the modes ---- */
extern const struct emnet_bp_mode emnet_bp_websockify_tput, emnet_bp_websockify_idle;
extern const struct emnet_bp_mode emnet_bp_wisp_tput, emnet_bp_wisp_idle;

/* ---- memory.c ---- */
struct emnet_bp_memory {
    long rss_kb, pss_kb;       /* sums over the group's processes */
    int procs;
};
/* Sums VmRSS (/proc/PID/status) and Pss (/proc/PID/smaps_rollup) of every
 * process whose process group is pgid. -1 if none was found. */
int emnet_bp_group_memory(int pgid, struct emnet_bp_memory *m);
/* Seconds of CPU used so far by the group's live processes (all threads). */
double emnet_bp_group_cpu(int pgid);

#endif
