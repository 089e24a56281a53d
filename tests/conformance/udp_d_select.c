/* select on UDP sockets: a fresh socket is in the write set at once and
 * in the read set only while a datagram is queued; of two sockets, only
 * the one whose echo arrived is readable; a timeout of zero with nothing
 * readable returns 0 and clears the read set. */
#include "trace.h"
#include "net.h"

#include <sys/select.h>
#include <unistd.h>

static void report(const char *what, int a, int b, const fd_set *set)
{
    printf("  %s: a=%d b=%d\n", what, FD_ISSET(a, set) ? 1 : 0, FD_ISSET(b, set) ? 1 : 0);
    fflush(stdout);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int a = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int b = TFD(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int nfds = (a > b ? a : b) + 1;
    fd_set r, w;
    struct timeval zero = { 0, 0 };

    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(a, &r);
    FD_SET(b, &r);
    FD_SET(a, &w);
    FD_SET(b, &w);
    T(select(nfds, &r, &w, NULL, &zero));
    report("readable", a, b, &r);
    report("writable", a, b, &w);

    trace_note("an echo for b only");
    T(sendto(b, "b", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    T(sendto(a, "a", 1, 0, (struct sockaddr *)&echo, sizeof echo));
    char buf[4];
    TRACE_VALUE("a ready", net_wait_in(a, 5000) == POLLIN);
    T(recv(a, buf, sizeof buf, 0));
    FD_ZERO(&r);
    FD_SET(a, &r);
    FD_SET(b, &r);
    struct timeval five = { 5, 0 };
    T(select(nfds, &r, NULL, NULL, &five));
    report("readable", a, b, &r);
    T(recv(b, buf, sizeof buf, 0));

    trace_note("nothing left");
    FD_ZERO(&r);
    FD_SET(a, &r);
    FD_SET(b, &r);
    zero.tv_sec = 0;
    zero.tv_usec = 0;
    T(select(nfds, &r, NULL, NULL, &zero));
    report("readable", a, b, &r);
    T(close(a));
    T(close(b));
    return 0;
}
