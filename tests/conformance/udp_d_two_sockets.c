/* Two UDP sockets talking to the same echo server, their datagrams
 * interleaved: 50 from each, alternating, each numbered and marked with
 * its socket. Each socket receives exactly its own 50 echoes, in order,
 * none of the other's: the server answers each sender at its own port. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

/* Reads up to 50 datagrams; returns how many were this socket's own, in
 * order. */
static int collect(int s, char mark)
{
    int ok = 0;
    for (int i = 0; i < 50; i++) {
        if (net_wait_in(s, 5000) != POLLIN) break;
        char b[32], want[32];
        long n = recv(s, b, sizeof b - 1, 0);
        if (n < 0) break;
        b[n] = 0;
        snprintf(want, sizeof want, "%c%02d", mark, i);
        if (strcmp(b, want) == 0) ok++;
    }
    return ok;
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int a = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int b = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int sent = 0;
    for (int i = 0; i < 50; i++) {
        char m[8];
        snprintf(m, sizeof m, "a%02d", i);
        sent += sendto(a, m, 3, 0, (struct sockaddr *)&echo, sizeof echo) == 3;
        snprintf(m, sizeof m, "b%02d", i);
        sent += sendto(b, m, 3, 0, (struct sockaddr *)&echo, sizeof echo) == 3;
    }
    TRACE_VALUE("sent", sent);
    TRACE_VALUE("a's own, in order", collect(a, 'a'));
    TRACE_VALUE("b's own, in order", collect(b, 'b'));
    char x[8];
    T(recv(a, x, sizeof x, 0));
    T(recv(b, x, sizeof x, 0));

    trace_note("one connected, one not");
    T(connect(b, (struct sockaddr *)&echo, sizeof echo));
    sent = 0;
    for (int i = 0; i < 50; i++) {
        char m[8];
        snprintf(m, sizeof m, "b%02d", i);
        sent += send(b, m, 3, 0) == 3;
        snprintf(m, sizeof m, "a%02d", i);
        sent += sendto(a, m, 3, 0, (struct sockaddr *)&echo, sizeof echo) == 3;
    }
    TRACE_VALUE("sent", sent);
    TRACE_VALUE("b's own, in order", collect(b, 'b'));
    TRACE_VALUE("a's own, in order", collect(a, 'a'));
    T(recv(a, x, sizeof x, 0));
    T(recv(b, x, sizeof x, 0));
    T(close(a));
    T(close(b));
    return 0;
}
