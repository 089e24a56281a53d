/* The wisp transport's own behaviour (wasm only, under the harness's Wisp
 * server, which lets streams reach 127.0.0.1 and nothing else):
 *   - a target the server blocks (127.0.0.2) fails the connect with the
 *     CLOSE reason's errno, EACCES; a refused one with ECONNREFUSED, and
 *     so does port 0 (a CONNECT cannot carry it; Linux refuses it too);
 *   - a Wisp server that cannot be reached fails the connect with
 *     EHOSTUNREACH, and the next connect, to a server that is there, opens
 *     a new connection and works (a round trip through the echo server);
 *   - emnet_net_set_transport() refuses a name it does not know.
 * Each failed connect is seen as Linux shows one: poll gives POLLOUT|
 * POLLERR|POLLHUP, then SO_ERROR. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emnet/net.h"

static struct sockaddr_in addr(const char *ip, const char *port_env)
{
    const char *port = getenv(port_env);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port ? port : "0")) };
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

/* A non-blocking connect, waited for: 0 connected, or the SO_ERROR. */
static int connect_wait(const char *label, struct sockaddr_in a, int *fd)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    if (r < 0 && errno != EINPROGRESS) {
        printf("%s: connect %s\n", label, strerror(errno));
        close(s);
        return errno;
    }
    struct pollfd p = { .fd = s, .events = POLLOUT };
    r = poll(&p, 1, 10000);
    int err = -1;
    socklen_t len = sizeof err;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    printf("%s: poll %d%s%s%s, SO_ERROR %s\n", label, r, p.revents & POLLOUT ? " OUT" : "",
           p.revents & POLLERR ? " ERR" : "", p.revents & POLLHUP ? " HUP" : "", err ? strerror(err) : "0");
    if (err || !fd) {
        close(s);
    } else {
        *fd = s;
    }
    return err;
}

static int round_trip(int s)
{
    if (send(s, "wisp", 4, MSG_NOSIGNAL) != 4) return -1;
    char got[4];
    size_t have = 0;
    while (have < 4) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        if (poll(&p, 1, 5000) != 1) return -1;
        ssize_t n = recv(s, got + have, 4 - have, 0);
        if (n <= 0) return -1;
        have += (size_t)n;
    }
    return memcmp(got, "wisp", 4) == 0 ? 0 : -1;
}

int main(void)
{
    const char *url = getenv("EMNET_WISP_URL");
    if (!url || !getenv("EMNET_TCP_ECHO_PORT") || !getenv("EMNET_TCP_REFUSED_PORT")) {
        printf("run under tests/harness/services.sh\n");
        return 2;
    }
    int failures = 0;
    errno = 0;
    int r = emnet_net_set_transport("carrier-pigeon");
    printf("set_transport(carrier-pigeon): %d %s\n", r, strerror(errno));
    failures += !(r == -1 && errno == EINVAL);
    failures += emnet_net_set_transport("wisp") != 0;

    failures += connect_wait("blocked target", addr("127.0.0.2", "EMNET_TCP_ECHO_PORT"), NULL) != EACCES;
    failures += connect_wait("refused target", addr("127.0.0.1", "EMNET_TCP_REFUSED_PORT"), NULL) != ECONNREFUSED;
    /* Port 0 cannot be named in a CONNECT: refused, as Linux refuses it. */
    struct sockaddr_in zero = addr("127.0.0.1", "EMNET_TCP_ECHO_PORT");
    zero.sin_port = 0;
    failures += connect_wait("port 0", zero, NULL) != ECONNREFUSED;

    /* A Wisp server where nothing listens: the refused port. */
    char dead[64];
    snprintf(dead, sizeof dead, "ws://127.0.0.1:%s/", getenv("EMNET_TCP_REFUSED_PORT"));
    failures += emnet_net_set_wisp_url(dead) != 0;
    failures += connect_wait("no server", addr("127.0.0.1", "EMNET_TCP_ECHO_PORT"), NULL) != EHOSTUNREACH;

    failures += emnet_net_set_wisp_url(url) != 0;
    int s = -1;
    if (connect_wait("server back", addr("127.0.0.1", "EMNET_TCP_ECHO_PORT"), &s) == 0) {
        int ok = round_trip(s) == 0;
        printf("server back: round trip %s\n", ok ? "ok" : "FAILED");
        failures += !ok;
        close(s);
    } else {
        failures++;
    }
    printf("%s\n", failures ? "FAILED" : "all as expected");
    return failures ? 1 : 0;
}
