/* getaddrinfo() answers as glibc does (under the harness; natively glibc
 * answers, in wasm emnet asks emnet-proxy's /resolve over the harness's
 * proxy and blocks for the answer, so it links with ASYNCIFY):
 *   - "localhost" exists, in AF_INET (and AF_INET6 with AI_V4MAPPED), and a
 *     connect to what it gave reaches the echo server;
 *   - names that cannot exist (an empty label, a label over 63 bytes) give
 *     EAI_NONAME, not an address.
 * wasm only, what getaddrinfo makes of each kind of answer, served as
 * files by the harness's static server (tests/net/resolve-answers/):
 * "again" gives EAI_AGAIN, an IPv6-only name no AF_INET entry, "blocked"
 * and a server that is no emnet-proxy the placeholder; answers are kept
 * for a while; with EMNET_RESOLVE_URL=off nobody is asked. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __EMSCRIPTEN__
#include "emnet/net.h"
#endif

static int failures;

static const char *gai_name(int r)
{
    switch (r) {
    case 0: return "ok";
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_FAMILY: return "EAI_FAMILY";
    default: return "EAI_other";
    }
}

/* Looks name up and prints the result: "ok" with the families found (a
 * set: inet, inet6), or the error's name. Returns it in out (cap bytes). */
static void lookup(const char *name, int family, int flags, char *out, size_t cap)
{
    struct addrinfo hints = { .ai_family = family, .ai_flags = flags, .ai_socktype = SOCK_STREAM }, *res;
    int r = getaddrinfo(name, "80", &hints, &res);
    int v4 = 0, v6 = 0;
    for (struct addrinfo *a = r ? NULL : res; a; a = a->ai_next) {
        v4 |= a->ai_family == AF_INET;
        v6 |= a->ai_family == AF_INET6;
    }
    if (!r) freeaddrinfo(res);
    snprintf(out, cap, "%s%s%s", gai_name(r), v4 ? " inet" : "", v6 ? " inet6" : "");
}

static void expect(const char *name, int family, int flags, const char *want)
{
    char got[64];
    lookup(name, family, flags, got, sizeof got);
    const char *fam = family == AF_INET ? "AF_INET" : family == AF_INET6 ? "AF_INET6" : "AF_UNSPEC";
    int ok = !strcmp(got, want);
    printf("%.24s %s%s: %s%s%s\n", name, fam, flags & AI_V4MAPPED ? "+V4MAPPED" : "", got, ok ? "" : ", want ",
           ok ? "" : want);
    failures += !ok;
}

/* getaddrinfo(host, port) for AF_INET, connect, 4 bytes through the echo. */
static int echo_via(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
    if (getaddrinfo(host, port, &hints, &res)) return -1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int r = connect(s, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    char got[4];
    size_t have = 0;
    if (r == 0 && send(s, "name", 4, MSG_NOSIGNAL) == 4) {
        while (have < 4) {
            ssize_t n = recv(s, got + have, 4 - have, 0);
            if (n <= 0) break;
            have += (size_t)n;
        }
    }
    close(s);
    return have == 4 && !memcmp(got, "name", 4) ? 0 : -1;
}

int main(void)
{
    const char *echo = getenv("EMNET_TCP_ECHO_PORT");
    if (!echo) {
        printf("run under tests/harness/services.sh\n");
        return 2;
    }
    char long_label[80];
    memset(long_label, 'x', 64);
    strcpy(long_label + 64, ".example");
#ifdef __EMSCRIPTEN__
    /* Over emnet-proxy's Wisp mode: the resolve URL comes from its URL. */
    const char *proxy = getenv("EMNET_PROXY_WISP_URL"), *http = getenv("EMNET_HTTP_PORT");
    if (!proxy || !http) {
        printf("run under tests/harness/services.sh with emnet-proxy built\n");
        return 2;
    }
    /* Or over webtransport, when asked: the questions then go on the
     * session (a lookup stream), until a resolve URL is set below. */
    const char *transport = getenv("EMNET_TRANSPORT");
    if (!transport || strcmp(transport, "webtransport") != 0) {
        emnet_net_set_transport("wisp");
        emnet_net_set_wisp_url(proxy);
    }
#endif
    expect("localhost", AF_INET, 0, "ok inet");
    expect("localhost", AF_INET6, AI_V4MAPPED, "ok inet6");
    char got[64];
    lookup("localhost", AF_UNSPEC, 0, got, sizeof got);
    int ok = !strncmp(got, "ok inet", 7);
    printf("localhost AF_UNSPEC: %s\n", ok ? "ok, inet among them" : got);
    failures += !ok;
    expect("a..b", AF_UNSPEC, 0, "EAI_NONAME");
    expect(long_label, AF_UNSPEC, 0, "EAI_NONAME");
    expect(long_label, AF_INET6, 0, "EAI_NONAME");
    ok = echo_via("localhost", echo) == 0;
    printf("connect to localhost: %s\n", ok ? "echoed" : "FAILED");
    failures += !ok;

#ifdef __EMSCRIPTEN__
    char url[160];
#define ANSWERS(file) \
    (snprintf(url, sizeof url, "http://127.0.0.1:%s/tests/net/resolve-answers/%s", http, file), url)
    /* The proxy's answer about "localhost" is kept: a server that now says
     * "again" is not asked. */
    emnet_net_set_resolve_url(ANSWERS("again.json"));
    expect("localhost", AF_INET, 0, "ok inet");
    expect("again.example", AF_UNSPEC, 0, "EAI_AGAIN");
    expect("again.example", AF_INET, 0, "EAI_AGAIN");   /* never kept: asked again */
    emnet_net_set_resolve_url(ANSWERS("ipv6-only.json"));
    expect("v6.example", AF_UNSPEC, 0, "ok inet6");
    expect("v6.example", AF_INET, 0, "EAI_NONAME");
    expect("v6.example", AF_INET6, 0, "ok inet6");
    emnet_net_set_resolve_url(ANSWERS("both.json"));
    expect("both.example", AF_UNSPEC, 0, "ok inet inet6");
    expect("both.example", AF_INET6, 0, "ok inet6");
    emnet_net_set_resolve_url(ANSWERS("blocked.json"));
    expect("blocked.example", AF_UNSPEC, 0, "ok inet");
    emnet_net_set_resolve_url(ANSWERS("noname.json"));
    expect("noname.example", AF_UNSPEC, 0, "EAI_NONAME");
    emnet_net_set_resolve_url(ANSWERS("no-such-file.json"));   /* 404, no answer: placeholder */
    expect("unknown.example", AF_UNSPEC, 0, "ok inet");
    emnet_net_set_resolve_url("off");
    expect("a..c", AF_UNSPEC, 0, "ok inet");   /* nobody asked: the placeholder, as before */
    errno = 0;
    ok = emnet_net_set_resolve_url("ftp://x/") == -1 && errno == EINVAL;
    printf("set_resolve_url(ftp://x/): %s\n", ok ? "EINVAL" : "FAILED");
    failures += !ok;
#endif
    printf("%s\n", failures ? "FAILED" : "all as expected");
    return failures ? 1 : 0;
}
