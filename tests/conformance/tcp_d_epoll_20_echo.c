/* One epoll set driving 20 non-blocking sockets to the echo server: each
 * connects (EINPROGRESS), becomes writable (SO_ERROR 0), sends its own
 * message of 37..740 bytes once, switches to EPOLLIN and reads until its
 * message is back, then leaves the set. Every socket ends with exactly its
 * own bytes; how the events interleave is not traced. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

#define N 20
#define MAXLEN (37 * N)

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int ep = TFD(epoll_create1(0));
    int fds[N], inprogress = 0, added = 0;
    static uint8_t msgs[N][MAXLEN], got[N][MAXLEN];
    size_t len[N], have[N];
    int sent[N], done[N], so_error_bad = 0, send_bad = 0;
    for (int i = 0; i < N; i++) {
        len[i] = 37 * (size_t)(i + 1);
        emnet_test_pattern_fill(msgs[i], len[i], 1000u * (unsigned)i);
        have[i] = 0;
        sent[i] = done[i] = 0;
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(fds[i], (struct sockaddr *)&a, sizeof a) < 0 && errno == EINPROGRESS) inprogress++;
        struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = (uint64_t)i };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0) added++;
    }
    TRACE_VALUE("connects in progress", inprogress);
    TRACE_VALUE("registered", added);

    int remaining = N, waits = 0, stalls = 0;
    while (remaining > 0 && waits < 100000) {
        struct epoll_event out[32];
        int n = epoll_wait(ep, out, 32, 5000);
        waits++;
        if (n <= 0) {
            stalls++;
            break;
        }
        for (int k = 0; k < n; k++) {
            int i = (int)out[k].data.u64;
            if (out[k].events & (EPOLLERR | EPOLLHUP)) {
                so_error_bad++;
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
                remaining--;
                continue;
            }
            if ((out[k].events & EPOLLOUT) && !sent[i]) {
                int err = -1;
                socklen_t el = sizeof err;
                getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &el);
                if (err) so_error_bad++;
                if (send(fds[i], msgs[i], len[i], MSG_NOSIGNAL) != (long)len[i]) send_bad++;
                sent[i] = 1;
                struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
                epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev);
            }
            if (out[k].events & EPOLLIN) {
                long r = recv(fds[i], got[i] + have[i], MAXLEN - have[i], 0);
                if (r > 0) have[i] += (size_t)r;
                if (r == 0 || have[i] >= len[i]) {
                    done[i] = 1;
                    epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
                    remaining--;
                }
            }
        }
    }
    TRACE_VALUE("remaining", remaining);
    TRACE_VALUE("stalls", stalls);
    TRACE_VALUE("bad SO_ERROR or HUP", so_error_bad);
    TRACE_VALUE("short sends", send_bad);
    for (int i = 0; i < N; i++)
        printf("  socket %2d (%3zu bytes): %s\n", i, len[i],
               done[i] && have[i] == len[i] && !memcmp(got[i], msgs[i], len[i]) ? "its own bytes back" : "WRONG");
    TRACE_WAIT(ep, 4, 0);
    int closed = 0;
    for (int i = 0; i < N; i++) closed += close(fds[i]) == 0;
    TRACE_VALUE("closed", closed);
    T(close(ep));
    return 0;
}
