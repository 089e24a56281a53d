/* select() on ten sockets to the echo server: all ten writable at once,
 * none readable (a 200 ms wait times out); after sends on sockets 1, 4 and
 * 8 and their echoes have arrived, exactly those three are readable; then
 * every socket sends its own message and a select loop reads them all back
 * as they come, each socket getting exactly its own bytes. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"

#define N 10

static void trace_set(const char *label, const int *fds, const fd_set *set)
{
    printf("  %s:", label);
    for (int i = 0; i < N; i++)
        if (FD_ISSET(fds[i], set)) printf(" %d", i);
    printf("\n");
    fflush(stdout);
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int fds[N], maxfd = -1, connected = 0;
    for (int i = 0; i < N; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] >= 0 && connect(fds[i], (struct sockaddr *)&a, sizeof a) == 0) connected++;
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        if (fds[i] > maxfd) maxfd = fds[i];
    }
    TRACE_VALUE("connected", connected);

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    for (int i = 0; i < N; i++) FD_SET(fds[i], &r), FD_SET(fds[i], &w);
    struct timeval tv = { 0, 0 };
    T(select(maxfd + 1, &r, &w, NULL, &tv));
    trace_set("readable", fds, &r);
    trace_set("writable", fds, &w);
    FD_ZERO(&r);
    for (int i = 0; i < N; i++) FD_SET(fds[i], &r);
    tv.tv_usec = 200000;
    T(select(maxfd + 1, &r, NULL, NULL, &tv));

    trace_note("echoes on 1, 4 and 8");
    static const int some[3] = { 1, 4, 8 };
    for (int k = 0; k < 3; k++) send(fds[some[k]], "ping", 4, MSG_NOSIGNAL);
    FD_ZERO(&r);
    for (int i = 0; i < N; i++) FD_SET(fds[i], &r);
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    int n = (int)T(select(maxfd + 1, &r, NULL, NULL, &tv) > 0);
    (void)n;
    for (int k = 0; k < 3; k++) net_wait_avail(fds[some[k]], 4);
    FD_ZERO(&r);
    for (int i = 0; i < N; i++) FD_SET(fds[i], &r);
    tv.tv_sec = 0;
    T(select(maxfd + 1, &r, NULL, NULL, &tv));
    trace_set("readable", fds, &r);
    char b[64];
    for (int k = 0; k < 3; k++) T(recv(fds[some[k]], b, sizeof b, 0));

    trace_note("every socket its own message");
    char msgs[N][64];
    size_t len[N], have[N];
    char got[N][64];
    for (int i = 0; i < N; i++) {
        len[i] = (size_t)snprintf(msgs[i], sizeof msgs[i], "socket %d says %.*s", i, 10 + i, "abcdefghijklmnopqrstuvwxyz");
        have[i] = 0;
        send(fds[i], msgs[i], len[i], MSG_NOSIGNAL);
    }
    int pending = N, rounds = 0;
    while (pending > 0 && rounds < 1000) {
        rounds++;
        FD_ZERO(&r);
        for (int i = 0; i < N; i++)
            if (have[i] < len[i]) FD_SET(fds[i], &r);
        tv.tv_sec = 5;
        tv.tv_usec = 0;
        if (select(maxfd + 1, &r, NULL, NULL, &tv) <= 0) break;
        for (int i = 0; i < N; i++) {
            if (!FD_ISSET(fds[i], &r)) continue;
            long got_n = recv(fds[i], got[i] + have[i], sizeof got[i] - have[i], 0);
            if (got_n > 0) have[i] += (size_t)got_n;
            if (have[i] >= len[i]) pending--;
        }
    }
    TRACE_VALUE("pending", pending);
    for (int i = 0; i < N; i++)
        printf("  socket %d: %s\n", i, have[i] == len[i] && !memcmp(got[i], msgs[i], len[i]) ? "its own bytes" : "WRONG");
    FD_ZERO(&r);
    for (int i = 0; i < N; i++) FD_SET(fds[i], &r);
    tv.tv_sec = 0;
    T(select(maxfd + 1, &r, NULL, NULL, &tv));
    int closed = 0;
    for (int i = 0; i < N; i++) closed += close(fds[i]) == 0;
    TRACE_VALUE("closed", closed);
    return 0;
}
