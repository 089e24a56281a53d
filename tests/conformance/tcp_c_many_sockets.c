/* Fifty connections to the echo server at once: all non-blocking connects
 * issued first, then all awaited through one epoll set (each reported
 * writable with its own data), each completed (connect 0) and sent its own
 * message (a different length and content per socket); the echoes are
 * gathered through epoll as they come, in whatever order and chunking,
 * and each socket must get back exactly its own bytes. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define COUNT 50
#define MAXLEN 400

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_ECHO);
    static int fd[COUNT];
    static char msg[COUNT][MAXLEN], got[COUNT][MAXLEN];
    static size_t len[COUNT], have[COUNT];
    int ep = TFD(epoll_create1(0));

    int opened = 0, inprogress = 0, added = 0;
    for (int i = 0; i < COUNT; i++) {
        fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fd[i] < 0) continue;
        opened++;
        errno = 0;
        if (connect(fd[i], (struct sockaddr *)&echo, sizeof echo) == -1 && errno == EINPROGRESS) inprogress++;
        struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = (uint64_t)i };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev) == 0) added++;
    }
    TRACE_VALUE("sockets", opened);
    TRACE_VALUE("connects in progress", inprogress);
    TRACE_VALUE("registered", added);

    /* Wait until every one was reported writable. */
    static int writable[COUNT];
    int nwritable = 0, bad_events = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (nwritable < COUNT && trace_ms_since(&t0) < 30000) {
        struct epoll_event out[16];
        int n = epoll_wait(ep, out, 16, 5000);
        if (n <= 0) break;
        for (int k = 0; k < n; k++) {
            int i = (int)out[k].data.u64;
            if (out[k].events != EPOLLOUT) bad_events++;
            if (!writable[i]) {
                writable[i] = 1;
                nwritable++;
                struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
                epoll_ctl(ep, EPOLL_CTL_MOD, fd[i], &ev);
            }
        }
    }
    TRACE_VALUE("reported writable", nwritable);
    TRACE_VALUE("with other events", bad_events);

    int connected = 0, sent_ok = 0;
    for (int i = 0; i < COUNT; i++) {
        if (connect(fd[i], (struct sockaddr *)&echo, sizeof echo) == 0) connected++;
        len[i] = 100 + (size_t)i * 6;
        int h = snprintf(msg[i], MAXLEN, "socket %02d says:", i);
        for (size_t k = (size_t)h; k < len[i]; k++) msg[i][k] = (char)('A' + (i * 7 + (int)k) % 26);
        if (send(fd[i], msg[i], len[i], MSG_NOSIGNAL) == (ssize_t)len[i]) sent_ok++;
    }
    TRACE_VALUE("connect said 0", connected);
    TRACE_VALUE("sent whole", sent_ok);

    int done = 0, errors = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (done < COUNT && trace_ms_since(&t0) < 30000) {
        struct epoll_event out[16];
        int n = epoll_wait(ep, out, 16, 5000);
        if (n <= 0) break;
        for (int k = 0; k < n; k++) {
            int i = (int)out[k].data.u64;
            ssize_t r = recv(fd[i], got[i] + have[i], MAXLEN - have[i], 0);
            if (r <= 0) {
                if (r == 0 || errno != EAGAIN) errors++;
                continue;
            }
            have[i] += (size_t)r;
            if (have[i] >= len[i]) {
                done++;
                epoll_ctl(ep, EPOLL_CTL_DEL, fd[i], NULL);
            }
        }
    }
    int exact = 0;
    for (int i = 0; i < COUNT; i++)
        if (have[i] == len[i] && memcmp(got[i], msg[i], len[i]) == 0) exact++;
    TRACE_VALUE("echoes complete", done);
    TRACE_VALUE("echoes exact", exact);
    TRACE_VALUE("recv errors", errors);

    int closed = 0;
    for (int i = 0; i < COUNT; i++)
        if (close(fd[i]) == 0) closed++;
    TRACE_VALUE("closed", closed);
    T(close(ep));
    return 0;
}
