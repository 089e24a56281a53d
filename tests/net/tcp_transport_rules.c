/* Transport rules end to end (wasm, under the harness): the rule that
 * matches a destination picks its transport. Which one was picked shows
 * by pointing the other transport at a URL where nothing listens: a connect
 * that went there fails with EHOSTUNREACH, one that went the right way
 * echoes.
 *   tcp_transport_rules          rules from EMNET_TRANSPORT_RULES and from
 *                                the API, names and addresses, clearing
 *   tcp_transport_rules bad-env  a malformed EMNET_TRANSPORT_RULES: every
 *                                connect fails with ENETUNREACH until the
 *                                program clears the rules */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emnet/net.h"

static int failures;

static void expect(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

/* host is "127.0.0.1" or a name (through getaddrinfo). */
static struct sockaddr_storage target(const char *host, const char *port, socklen_t *len)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
    int r = getaddrinfo(host, port, &hints, &res);
    if (r) {
        printf("getaddrinfo(%s): %s\n", host, gai_strerror(r));
        *len = 0;
        return ss;
    }
    memcpy(&ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return ss;
}

/* Connects, waits, and sends 4 bytes through the echo server: 0, or the
 * errno that stopped it. */
static int echo_via(const char *host, const char *port)
{
    socklen_t len;
    struct sockaddr_storage a = target(host, port, &len);
    if (!len) return EINVAL;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect(s, (struct sockaddr *)&a, len) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(s);
        return e;
    }
    struct pollfd p = { .fd = s, .events = POLLOUT };
    poll(&p, 1, 10000);
    int err = -1;
    socklen_t elen = sizeof err;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (!err && send(s, "rule", 4, MSG_NOSIGNAL) == 4) {
        char got[4];
        size_t have = 0;
        while (have < 4 && !err) {
            p.events = POLLIN;
            ssize_t n = poll(&p, 1, 5000) == 1 ? recv(s, got + have, 4 - have, 0) : -1;
            if (n <= 0) err = EIO;
            else have += (size_t)n;
        }
        if (!err && memcmp(got, "rule", 4)) err = EIO;
    }
    close(s);
    return err;
}

static void check_echo(const char *what, const char *host, const char *port, int want)
{
    int got = echo_via(host, port);
    printf("%s: %s\n", what, got ? strerror(got) : "echoed");
    failures += got != want;
}

int main(int argc, char **argv)
{
    const char *echo = getenv("EMNET_TCP_ECHO_PORT"), *refused = getenv("EMNET_TCP_REFUSED_PORT");
    const char *wisp = getenv("EMNET_WISP_URL"), *ws = getenv("EMNET_WS_URL");
    if (!echo || !refused || !wisp || !ws) {
        printf("run under tests/harness/services.sh\n");
        return 2;
    }
    char dead[64], rule[96];
    snprintf(dead, sizeof dead, "ws://127.0.0.1:%s/", refused);

    if (argc > 1 && !strcmp(argv[1], "bad-env")) {
        setenv("EMNET_TRANSPORT_RULES", "wisp 127.0.0.1; wisp 10.0.0.0/33", 1);
        check_echo("malformed EMNET_TRANSPORT_RULES", "127.0.0.1", echo, ENETUNREACH);
        emnet_net_clear_transport_rules();
        check_echo("after clearing the rules", "127.0.0.1", echo, 0);
        printf("%s\n", failures ? "FAILED" : "all as expected");
        return failures ? 1 : 0;
    }

    /* The default is websockify; the environment's rule (read at the first
     * connect) sends one address and port to a Wisp server that is not
     * there. */
    snprintf(rule, sizeof rule, "wisp 127.0.0.1:%s", echo);
    setenv("EMNET_TRANSPORT_RULES", rule, 1);
    emnet_net_set_wisp_url(dead);
    check_echo("127.0.0.1 by the environment's rule over wisp (no server there)", "127.0.0.1", echo, EHOSTUNREACH);
    check_echo("localhost by default over websockify", "localhost", echo, 0);

    errno = 0;
    expect(emnet_net_add_transport_rule("pigeon *") == -1 && errno == EINVAL, "unknown transport: EINVAL");
    errno = 0;
    expect(emnet_net_add_transport_rule("wisp 10.0.0.1/8") == -1 && errno == EINVAL, "host bits set: EINVAL");
    errno = 0;
    expect(emnet_net_add_transport_rule(NULL) == -1 && errno == EINVAL, "NULL: EINVAL");
    check_echo("the environment's rule still holds", "127.0.0.1", echo, EHOSTUNREACH);

    emnet_net_clear_transport_rules();
    snprintf(rule, sizeof rule, "wisp LOCALHOST:%s-%s", echo, echo);
    expect(emnet_net_add_transport_rule(rule) == 0, rule);
    check_echo("localhost by name rule over wisp (no server there)", "localhost", echo, EHOSTUNREACH);
    check_echo("127.0.0.1 by default over websockify", "127.0.0.1", echo, 0);

    /* Now the other way round: websockify has no server, wisp has one. */
    emnet_net_clear_transport_rules();
    emnet_net_set_wisp_url(wisp);
    emnet_net_set_url_template(dead);
    expect(emnet_net_add_transport_rule("websockify *.example:1-1024") == 0, "websockify *.example:1-1024");
    expect(emnet_net_add_transport_rule("wisp 127.0.0.0/8") == 0, "wisp 127.0.0.0/8");
    expect(emnet_net_add_transport_rule("websockify *") == 0, "websockify *");
    check_echo("127.0.0.1 by network rule over wisp", "127.0.0.1", echo, 0);
    check_echo("localhost by the catch-all over websockify (no server there)", "localhost", echo, EHOSTUNREACH);
    printf("%s\n", failures ? "FAILED" : "all as expected");
    return failures ? 1 : 0;
}
