/* Name lookup and connect by name: getaddrinfo for a numeric address, for
 * "localhost" (natively from /etc/hosts; in wasm a placeholder address
 * that the proxy resolves), connect to the echo server through the result,
 * bytes round trip; getaddrinfo and getnameinfo errors. Addresses are not
 * traced: a page sees placeholders, not the real ones. */
#include <netdb.h>
#include <poll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

static void roundtrip(const char *node)
{
    const char *port = getenv(NET_ECHO);
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
    T(getaddrinfo(node, port, &hints, &res));
    int count = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) count++;
    TRACE_VALUE("results", count);
    TRACE_TRUE(res && res->ai_family == AF_INET && res->ai_socktype == SOCK_STREAM && res->ai_protocol == IPPROTO_TCP);
    TRACE_TRUE(res && res->ai_addrlen == sizeof(struct sockaddr_in));
    int s = TFD(socket(res->ai_family, res->ai_socktype, res->ai_protocol));
    T(connect(s, res->ai_addr, res->ai_addrlen));
    freeaddrinfo(res);
    T(send(s, "hello", 5, MSG_NOSIGNAL));
    char b[8] = { 0 };
    size_t have = 0;
    while (have < 5) {
        ssize_t r = recv(s, b + have, sizeof b - have, 0);
        if (r <= 0) break;
        have += (size_t)r;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(b, "hello", 5) == 0);
    T(close(s));
}

int main(void)
{
    net_setup();
    roundtrip("127.0.0.1");
    roundtrip("localhost");

    trace_note("errors");
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
    T(getaddrinfo(NULL, NULL, &hints, &res));
    if (T(getaddrinfo("127.0.0.1", "99999", &hints, &res)) == 0) freeaddrinfo(res);
    hints.ai_flags = AI_NUMERICHOST;
    T(getaddrinfo("localhost", "80", &hints, &res));
    hints.ai_flags = 0;
    hints.ai_family = 12345;
    T(getaddrinfo("127.0.0.1", "80", &hints, &res));
    hints.ai_family = AF_INET;
    hints.ai_socktype = 77;
    T(getaddrinfo("127.0.0.1", "80", &hints, &res));

    trace_note("getnameinfo, numeric");
    struct sockaddr_in a = net_addr(NET_ECHO);
    char host[64], serv[16];
    T(getnameinfo((struct sockaddr *)&a, sizeof a, host, sizeof host, serv, sizeof serv,
                  NI_NUMERICHOST | NI_NUMERICSERV));
    TRACE_TRUE(strcmp(host, "127.0.0.1") == 0);
    TRACE_TRUE(atoi(serv) == atoi(getenv(NET_ECHO)));
    T(getnameinfo((struct sockaddr *)&a, 3, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST));
    return 0;
}
