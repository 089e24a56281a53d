/* SOCK_NONBLOCK and SOCK_CLOEXEC as fcntl sees them (F_GETFL is O_RDWR
 * plus O_NONBLOCK, F_GETFD FD_CLOEXEC), and the ways to change them later:
 * F_SETFL, ioctl FIONBIO (NULL argument: EFAULT), F_SETFD, FIOCLEX and
 * FIONCLEX. O_NONBLOCK belongs to the open file, so a dup shares it;
 * FD_CLOEXEC to the fd, so a dup does not. The flag decides what connect
 * and recv do: EINPROGRESS instead of waiting, EAGAIN instead of blocking
 * (MSG_DONTWAIT does the same for one call on a blocking socket). */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void flags(int s)
{
    int fl = fcntl(s, F_GETFL);
    int fd = fcntl(s, F_GETFD);
    printf("  O_ACCMODE=%s O_NONBLOCK=%d FD_CLOEXEC=%d\n", (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "other",
           (fl & O_NONBLOCK) != 0, (fd & FD_CLOEXEC) != 0);
    fflush(stdout);
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);

    trace_note("at creation");
    int s0 = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(fcntl(s0, F_GETFL));
    T(fcntl(s0, F_GETFD));
    flags(s0);
    int s1 = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    T(fcntl(s1, F_GETFL));
    flags(s1);
    int s2 = TFD(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    T(fcntl(s2, F_GETFD));
    flags(s2);
    int s3 = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    flags(s3);
    T(close(s1));
    T(close(s2));
    T(close(s3));

    trace_note("FD_CLOEXEC: F_SETFD, FIOCLEX, FIONCLEX; a dup does not inherit it");
    T(fcntl(s0, F_SETFD, FD_CLOEXEC));
    flags(s0);
    T(ioctl(s0, FIONCLEX));
    flags(s0);
    T(ioctl(s0, FIOCLEX));
    flags(s0);
    int d = TFD(dup(s0));
    flags(d);

    trace_note("O_NONBLOCK: FIONBIO, shared with the dup");
    int on = 1, off = 0;
    T(ioctl(s0, FIONBIO, &on));
    flags(s0);
    flags(d);
    T(ioctl(s0, FIONBIO, NULL));
    flags(s0);
    T(connect(s0, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = { .fd = s0, .events = POLLOUT };
    T(poll(&p, 1, 5000));
    T(connect(d, (struct sockaddr *)&a, sizeof a));
    char b[16];
    T(recv(s0, b, sizeof b, 0));
    T(read(d, b, sizeof b));

    trace_note("blocking again: MSG_DONTWAIT still does not wait");
    T(ioctl(d, FIONBIO, &off));
    flags(s0);
    T(recv(s0, b, sizeof b, MSG_DONTWAIT));

    trace_note("F_SETFL O_NONBLOCK, then off; a blocking recv waits for the echo");
    T(fcntl(s0, F_SETFL, O_NONBLOCK));
    flags(d);
    T(recv(d, b, sizeof b, 0));
    T(fcntl(s0, F_SETFL, 0));
    flags(d);
    T(send(s0, "hello", 5, MSG_NOSIGNAL));
    size_t have = 0;
    while (have < 5) {
        ssize_t n = recv(s0, b + have, 5 - have, 0);
        if (n <= 0) break;
        have += (size_t)n;
    }
    TRACE_VALUE("echoed", have);
    TRACE_TRUE(memcmp(b, "hello", 5) == 0);
    T(close(d));
    T(close(s0));
    return 0;
}
