/* TCP benchmark over emnet (wasm) or the kernel (native): the work of
 * bench_tcp_core.c driven by the hosted loop, as an ordinary non-blocking
 * program would be written.
 *   bench_tcp HOST BULK_PORT ECHO_PORT [--rounds R] [--mib M] [--pings P]
 * In wasm, EMNET_WS_URL says how (HOST, PORT) becomes a WebSocket URL. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "bench_tcp_core.h"
#include "emnet/reactor.h"

static struct bench_tcp *bench;

static void watch_next(emnet_loop *loop)
{
    int fd;
    short events;
    bench_tcp_waiting_for(bench, &fd, &events);
    for (int i = 0; i < 2; i++) {
        int f = bench_tcp_fd(bench, i);
        emnet_loop_mod(loop, f, f == fd ? (events == POLLIN ? EPOLLIN : EPOLLOUT) : 0);
    }
}

static void on_event(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)fd, (void)events, (void)arg;
    int r = bench_tcp_step(bench);
    if (r > 0) {
        watch_next(loop);
        return;
    }
    bench_tcp_end(bench);
    emnet_loop_stop(loop, r < 0);
}

int main(int argc, char **argv)
{
    struct bench_tcp_params p;
    if (bench_tcp_parse_args(&p, argc, argv) < 0) return 2;
    bench = bench_tcp_start(&p);
    emnet_loop *loop = emnet_loop_new();
    if (!bench || !loop) return 1;
    for (int i = 0; i < 2; i++)
        if (emnet_loop_add(loop, bench_tcp_fd(bench, i), 0, on_event, NULL) < 0) return 1;
    watch_next(loop);
    int status = emnet_loop_run(loop);   /* natively; in wasm it does not return */
    emnet_loop_free(loop);
    return status;
}
