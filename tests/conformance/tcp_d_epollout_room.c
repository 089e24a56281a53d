/* EPOLLOUT on a connected socket with room to send. Level-triggered it is
 * reported at every wait, alone when nothing is to be read; poll and select
 * agree. Edge-triggered (EPOLLOUT|EPOLLET) it is reported once at
 * registration and then not again: a small send, and the arrival of its
 * echo (a read event, not asked for), make no new EPOLLOUT edge; an
 * EPOLL_CTL_MOD re-arms it. A send of a few bytes keeps the room. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    T(fcntl(s, F_SETFL, O_NONBLOCK));

    trace_note("level-triggered");
    int lt = TFD(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = 1 };
    T(epoll_ctl(lt, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(lt, 4, 0);
    TRACE_WAIT(lt, 4, 5000);
    ev.events = EPOLLIN | EPOLLOUT;
    T(epoll_ctl(lt, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(lt, 4, 0);
    struct pollfd p = { .fd = s, .events = POLLOUT | POLLWRNORM };
    T(poll(&p, 1, 0));
    trace_pollfds(&p, 1);
    fd_set w;
    FD_ZERO(&w);
    FD_SET(s, &w);
    struct timeval tv = { 0, 0 };
    T(select(s + 1, NULL, &w, NULL, &tv));

    trace_note("edge-triggered");
    int et = TFD(epoll_create1(0));
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = 2;
    T(epoll_ctl(et, EPOLL_CTL_ADD, s, &ev));
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(et, 4, 0);
    T(send(s, "ping", 4, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 4));
    TRACE_WAIT(et, 4, 200);
    TRACE_WAIT(lt, 4, 0);
    T(epoll_ctl(et, EPOLL_CTL_MOD, s, &ev));
    TRACE_WAIT(et, 4, 0);
    TRACE_WAIT(et, 4, 0);
    char b[8];
    T(recv(s, b, sizeof b, 0));
    TRACE_WAIT(lt, 4, 0);
    T(close(et));
    T(close(lt));
    T(close(s));
    return 0;
}
