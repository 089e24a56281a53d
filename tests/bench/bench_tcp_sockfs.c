/* The same TCP benchmark over Emscripten's own socket emulation (SOCKFS),
 * for comparison: built without emnet. SOCKFS has no epoll and no way to
 * wait without blocking, but it calls back on socket events; the work runs
 * from those callbacks, which is the fastest way SOCKFS offers short of a
 * busy loop.
 *   bench_tcp_sockfs HOST BULK_PORT ECHO_PORT [--rounds R] [--mib M] [--pings P]
 * SOCKFS uses one URL for every socket (Module.websocket.url); it is set
 * before each connect from EMNET_WS_URL's template. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emscripten.h>

#include "bench_tcp_core.h"

static struct bench_tcp *bench;

static void step(int fd, void *arg)
{
    (void)fd, (void)arg;
    if (!bench) return;
    int r = bench_tcp_step(bench);
    if (r > 0) return;
    bench_tcp_end(bench);
    bench = NULL;
    emscripten_force_exit(r < 0);   /* exit() would wait for the live runtime */
}

static void on_error(int fd, int err, const char *msg, void *arg)
{
    (void)arg;
    if (!bench) return;   /* closing our own sockets at the end */
    fprintf(stderr, "bench: socket %d error %d: %s\n", fd, err, msg);
    emscripten_force_exit(1);
}

EM_JS(void, set_socket_url, (const char *url), {
    Module.websocket = Module.websocket || {};
    Module.websocket.url = UTF8ToString(url);
});

/* EMNET_WS_URL's template (emnet's setting, passed in the same way) with
 * {host} and {port} filled in. */
static void set_url_for(uint16_t port)
{
    const char *t = getenv("EMNET_WS_URL");
    char url[512];
    size_t o = 0;
    for (; t && *t && o + 16 < sizeof url; t++) {
        if (!strncmp(t, "{host}", 6)) {
            o += (size_t)snprintf(url + o, sizeof url - o, "127.0.0.1");
            t += 5;
        } else if (!strncmp(t, "{port}", 6)) {
            o += (size_t)snprintf(url + o, sizeof url - o, "%u", port);
            t += 5;
        } else {
            url[o++] = *t;
        }
    }
    url[o] = 0;
    set_socket_url(url);
}

int main(int argc, char **argv)
{
    struct bench_tcp_params p;
    if (bench_tcp_parse_args(&p, argc, argv) < 0) return 2;
    emscripten_set_socket_open_callback(NULL, step);
    emscripten_set_socket_message_callback(NULL, step);
    emscripten_set_socket_error_callback(NULL, on_error);
    p.before_connect = set_url_for;   /* SOCKFS reads the URL at connect */
    bench = bench_tcp_start(&p);
    if (!bench) return 1;
    emscripten_exit_with_live_runtime();
    return 0;
}
