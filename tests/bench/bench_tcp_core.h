/* The TCP benchmark's work, written once for every way of running it: a
 * state machine over two non-blocking sockets that the driver calls on
 * every event. It asks poll() (timeout 0) whether the socket it waits for
 * is ready, so it needs nothing from the driver but a call when something
 * may have changed.
 *
 * Work, per round: upload N bytes to tcp_bulk ('U' request, then wait for
 * its "k"), download N bytes ('D' request), then P ping-pongs of 32 bytes
 * with tcp_echo. Figures: the median round's MB/s each way, and the median
 * and 99th percentile of every ping-pong's round trip. */
#ifndef BENCH_TCP_CORE_H
#define BENCH_TCP_CORE_H

#include <stddef.h>
#include <stdint.h>

struct bench_tcp_params {
    const char *host;
    uint16_t bulk_port, echo_port;
    int rounds;
    uint64_t bytes;   /* each way, per round */
    int pings;        /* per round */
    void (*before_connect)(uint16_t port);   /* optional: the driver's address setup */
};

struct bench_tcp;

/* Starts the two connects and returns the state, or NULL after printing
 * why. */
struct bench_tcp *bench_tcp_start(const struct bench_tcp_params *p);

/* The two sockets, for drivers that watch them. */
int bench_tcp_fd(const struct bench_tcp *b, int which);   /* 0 bulk, 1 echo */

/* What the machine waits for now: the fd and POLLIN or POLLOUT. */
void bench_tcp_waiting_for(const struct bench_tcp *b, int *fd, short *events);

/* Does all the work that can be done without blocking. Returns 1 while
 * there is more to do, 0 when finished (results printed), -1 on failure
 * (printed). */
int bench_tcp_step(struct bench_tcp *b);

/* Closes the sockets and frees the state. */
void bench_tcp_end(struct bench_tcp *b);

/* Reads "HOST BULK_PORT ECHO_PORT [--rounds R] [--mib M] [--pings P]";
 * 0, or -1 after printing the usage. */
int bench_tcp_parse_args(struct bench_tcp_params *p, int argc, char **argv);

#endif
