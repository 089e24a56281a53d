/* What poll, select and epoll say about a TCP socket in each state, all
 * asked with a zero timeout for every event: a fresh socket (Linux's
 * tcp_poll on TCP_CLOSE: OUT and HUP; select: readable and writable); one
 * whose connect is in progress (nothing at all; over loopback Linux has
 * usually finished the handshake already, so either that or the connected
 * answer is accepted, the same in all three); a connected one (writable
 * only); one whose connect was refused (IN, OUT, ERR, HUP, RDHUP: readable
 * and writable), and the same after SO_ERROR was read (no ERR). One epoll
 * registration made while fresh follows the socket through its states. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#define ALL_POLL (POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND)
#define ALL_EPOLL (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP | EPOLLRDNORM | EPOLLWRNORM)

struct seen {
    int poll_n, sel_n, ep_n, ep_reg_n;
    short revents;
    int rd, wr, ex;
    uint32_t ep, ep_reg;
};

/* epreg: an epoll set the socket has been in since it was fresh. */
static struct seen look(int s, int epreg)
{
    struct seen v;
    memset(&v, 0, sizeof v);
    struct pollfd p = { .fd = s, .events = ALL_POLL };
    v.poll_n = poll(&p, 1, 0);
    v.revents = p.revents;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    FD_SET(s, &r);
    FD_SET(s, &w);
    FD_SET(s, &x);
    struct timeval tv = { 0, 0 };
    v.sel_n = select(s + 1, &r, &w, &x, &tv);
    v.rd = FD_ISSET(s, &r) != 0;
    v.wr = FD_ISSET(s, &w) != 0;
    v.ex = FD_ISSET(s, &x) != 0;
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = ALL_EPOLL, .data.u64 = 7 }, out[2];
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    v.ep_n = epoll_wait(ep, out, 2, 0);
    v.ep = v.ep_n > 0 ? out[0].events : 0;
    close(ep);
    v.ep_reg_n = epoll_wait(epreg, out, 2, 0);
    v.ep_reg = v.ep_reg_n > 0 ? out[0].events : 0;
    return v;
}

static void show(const char *what, struct seen v)
{
    char b1[128], b2[128], b3[128];
    printf("%s:\n  poll = %d revents=%s\n  select = %d read=%d write=%d except=%d\n"
           "  epoll_wait = %d %s\n  epoll_wait (registered while fresh) = %d %s\n",
           what, v.poll_n, trace_events_name((uint16_t)v.revents, b1, sizeof b1), v.sel_n, v.rd, v.wr, v.ex,
           v.ep_n, trace_events_name(v.ep, b2, sizeof b2), v.ep_reg_n, trace_events_name(v.ep_reg, b3, sizeof b3));
    fflush(stdout);
}

static int same(struct seen a, struct seen b)
{
    return a.poll_n == b.poll_n && a.revents == b.revents && a.sel_n == b.sel_n && a.rd == b.rd && a.wr == b.wr &&
           a.ex == b.ex && a.ep_n == b.ep_n && a.ep == b.ep && a.ep_reg_n == b.ep_reg_n && a.ep_reg == b.ep_reg;
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    struct sockaddr_in refused = net_addr(NET_REFUSED);

    int s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int epreg = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = ALL_EPOLL, .data.u64 = 1 };
    T(epoll_ctl(epreg, EPOLL_CTL_ADD, s, &ev));
    show("fresh", look(s, epreg));

    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    struct seen connecting = look(s, epreg);
    struct pollfd p = { .fd = s, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    struct seen connected = look(s, epreg);
    struct seen nothing;
    memset(&nothing, 0, sizeof nothing);
    TRACE_TRUE(same(connecting, nothing) || same(connecting, connected));
    show("connected", connected);
    T(connect(s, (struct sockaddr *)&echo, sizeof echo));
    show("connected, after connect said 0", look(s, epreg));
    T(close(s));
    T(close(epreg));

    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    epreg = TFD(epoll_create1(0));
    T(epoll_ctl(epreg, EPOLL_CTL_ADD, s, &ev));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    p.revents = 0;
    T(poll(&p, 1, 5000));
    show("refused", look(s, epreg));
    int err = -1;
    socklen_t len = sizeof err;
    T(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    TRACE_VALUE("SO_ERROR is ECONNREFUSED", err == ECONNREFUSED);
    show("refused, SO_ERROR read", look(s, epreg));
    T(connect(s, (struct sockaddr *)&refused, sizeof refused));
    show("refused, connect said so", look(s, epreg));
    T(close(s));
    T(close(epreg));
    return 0;
}
