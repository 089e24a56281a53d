/* Name lookup for a datagram service, as a resolver or game client does
 * it: getaddrinfo with SOCK_DGRAM for a numeric address and for
 * "localhost" gives AF_INET, SOCK_DGRAM, IPPROTO_UDP and a sockaddr_in's
 * length; a socket made from the result and connected to it exchanges a
 * datagram with the echo server, and sendto through ai_addr on an
 * unconnected one too. Addresses are not traced: a page may see
 * placeholders for names, not the real ones. */
#include "trace.h"
#include "net.h"

#include <netdb.h>
#include <unistd.h>

static void exchange(const char *node)
{
    const char *port = getenv(NET_UDP_ECHO);
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *res = NULL;
    if (T(getaddrinfo(node, port, &hints, &res)) != 0) return;
    int count = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) count++;
    TRACE_VALUE("results", count);
    TRACE_TRUE(res->ai_family == AF_INET && res->ai_socktype == SOCK_DGRAM && res->ai_protocol == IPPROTO_UDP);
    TRACE_TRUE(res->ai_addrlen == sizeof(struct sockaddr_in));
    char b[16];

    int s = TFD(socket(res->ai_family, res->ai_socktype, res->ai_protocol));
    T(connect(s, res->ai_addr, res->ai_addrlen));
    T(send(s, "connected", 9, 0));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);
    T(close(s));

    s = TFD(socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK, res->ai_protocol));
    T(sendto(s, "sendto", 6, 0, res->ai_addr, res->ai_addrlen));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
    n = T(recvfrom(s, b, sizeof b, 0, NULL, NULL));
    net_trace_data("got", b, n);
    T(close(s));
    freeaddrinfo(res);
}

int main(void)
{
    net_setup();
    trace_note("numeric");
    exchange("127.0.0.1");
    trace_note("localhost");
    exchange("localhost");

    trace_note("a numeric service on a datagram socket type");
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM,
                              .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *res = NULL;
    if (T(getaddrinfo("127.0.0.1", "53", &hints, &res)) == 0) {
        struct sockaddr_in a;
        memcpy(&a, res->ai_addr, sizeof a);
        TRACE_VALUE("port", ntohs(a.sin_port));
        freeaddrinfo(res);
    }
    T(getaddrinfo("127.0.0.1", "domain", &hints, &res));
    return 0;
}
