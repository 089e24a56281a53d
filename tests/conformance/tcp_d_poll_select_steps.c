/* poll() and select() readiness at each step of an echo exchange: before
 * connecting (poll: OUT|HUP, select: writable), connecting (a blocking
 * connect, then non-blocking), connected with nothing to read (OUT only;
 * a 200 ms read wait times out), after a send once the echo has all
 * arrived (IN and OUT, with RDNORM/WRNORM when asked for), after a partial
 * read (unchanged), after reading everything (OUT only again). */
#define _GNU_SOURCE   /* POLLRDHUP */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

static void look(int s, const char *step)
{
    trace_note(step);
    struct pollfd p[2] = { { .fd = s, .events = POLLIN | POLLOUT },
                           { .fd = s, .events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI | POLLRDHUP } };
    T(poll(p, 2, 0));
    trace_pollfds(p, 2);
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(s, &r);
    FD_SET(s, &w);
    FD_SET(s, &e);
    struct timeval tv = { 0, 0 };
    T(select(s + 1, &r, &w, &e, &tv));
    printf("  readable %d writable %d exceptional %d\n", FD_ISSET(s, &r) != 0, FD_ISSET(s, &w) != 0,
           FD_ISSET(s, &e) != 0);
    fflush(stdout);
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    look(s, "a fresh socket");
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(fcntl(s, F_SETFL, O_NONBLOCK));
    look(s, "connected, nothing to read");
    struct pollfd p = { .fd = s, .events = POLLIN };
    T(poll(&p, 1, 200));
    trace_pollfds(&p, 1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(s, &r);
    struct timeval tv = { 0, 200000 };
    T(select(s + 1, &r, NULL, NULL, &tv));

    T(send(s, "0123456789", 10, MSG_NOSIGNAL));
    p.events = POLLIN;
    T(poll(&p, 1, 5000));
    trace_pollfds(&p, 1);
    TRACE_VALUE("waiting", net_wait_avail(s, 10));
    look(s, "the echo has arrived");
    char b[16];
    T(recv(s, b, 4, 0));
    look(s, "after reading 4 of 10");
    T(recv(s, b, sizeof b, 0));
    look(s, "after reading everything");

    trace_note("select waits for the next echo");
    T(send(s, "abc", 3, MSG_NOSIGNAL));
    FD_ZERO(&r);
    FD_SET(s, &r);
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    T(select(s + 1, &r, NULL, NULL, &tv));
    TRACE_TRUE(FD_ISSET(s, &r));
    TRACE_VALUE("waiting", net_wait_avail(s, 3));
    T(recv(s, b, sizeof b, 0));
    look(s, "after reading everything");
    T(close(s));
    return 0;
}
