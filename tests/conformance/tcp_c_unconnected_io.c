/* Data calls on a TCP socket that is not connected. Never connected:
 * sending is EPIPE (send, sendto with an address -- ignored on a stream --,
 * sendmsg, write, zero bytes too), receiving ENOTCONN (recv, recvfrom,
 * recvmsg, read, MSG_PEEK, zero bytes too), and neither blocks on a
 * blocking socket. While a connect is in progress (when the connect is
 * seen to be: EALREADY) both are EAGAIN. Connected with nothing to read,
 * a zero-byte non-blocking recv is EAGAIN, as any recv (tcp_recvmsg waits
 * for one byte whatever the length), while a zero-byte read() is 0 (the
 * socket layer answers it before TCP); with data queued a zero-byte recv
 * returns 0 and leaves the data. */
#include "trace.h"
#include "net.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

static void data_calls(int s, const struct sockaddr_in *a)
{
    char b[8] = "abcdefg";
    struct iovec iov = { b, sizeof b };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    T(send(s, b, sizeof b, MSG_NOSIGNAL));
    T(send(s, b, 0, MSG_NOSIGNAL));
    T(send(s, b, sizeof b, MSG_NOSIGNAL | MSG_DONTWAIT));
    T(sendto(s, b, sizeof b, MSG_NOSIGNAL, (const struct sockaddr *)a, sizeof *a));
    T(sendmsg(s, &m, MSG_NOSIGNAL));
    T(write(s, b, sizeof b));
    T(recv(s, b, sizeof b, 0));
    T(recv(s, b, 0, 0));
    T(recv(s, b, sizeof b, MSG_PEEK));
    T(recv(s, b, sizeof b, MSG_DONTWAIT));
    T(recvfrom(s, b, sizeof b, 0, NULL, NULL));
    T(recvmsg(s, &m, 0));
    T(read(s, b, sizeof b));
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);

    trace_note("never connected, blocking");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    data_calls(s, &a);
    T(close(s));
    trace_note("never connected, non-blocking");
    s = TFD(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    data_calls(s, &a);

    trace_note("connecting: EAGAIN both ways whenever connect says EALREADY");
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    int ok = 1, r;
    char b[8] = "abcdefg";
    for (int i = 0; i < 1000; i++) {
        errno = 0;
        r = connect(s, (struct sockaddr *)&a, sizeof a);
        if (r != -1 || errno != EALREADY) break;
        errno = 0;
        if (send(s, b, sizeof b, MSG_NOSIGNAL) != -1 || errno != EAGAIN) ok = 0;
        errno = 0;
        if (send(s, b, 0, MSG_NOSIGNAL) != -1 || errno != EAGAIN) ok = 0;
        errno = 0;
        if (write(s, b, sizeof b) != -1 || errno != EAGAIN) ok = 0;
        errno = 0;
        if (recv(s, b, sizeof b, 0) != -1 || errno != EAGAIN) ok = 0;
        errno = 0;
        if (recv(s, b, sizeof b, MSG_PEEK) != -1 || errno != EAGAIN) ok = 0;
        errno = 0;
        if (read(s, b, sizeof b) != -1 || errno != EAGAIN) ok = 0;
        struct pollfd p = { .fd = s, .events = POLLOUT };
        poll(&p, 1, 5000);
    }
    TRACE_TRUE(r == 0);
    TRACE_TRUE(ok);

    trace_note("connected, nothing to read: zero bytes is EAGAIN too");
    T(recv(s, b, 0, 0));
    T(recv(s, b, 0, MSG_DONTWAIT));
    T(recv(s, b, sizeof b, 0));
    T(read(s, b, 0));
    T(send(s, b, 0, MSG_NOSIGNAL));
    trace_note("connected, data queued: zero bytes returns 0 and leaves it");
    T(send(s, "xyz", 3, MSG_NOSIGNAL));
    int avail = 0;
    for (int i = 0; i < 500 && avail < 3; i++) {
        struct pollfd p = { .fd = s, .events = POLLIN };
        poll(&p, 1, 10);
        ioctl(s, FIONREAD, &avail);
    }
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, b, 0, 0));
    T(ioctl(s, FIONREAD, &avail));
    TRACE_VALUE("FIONREAD", avail);
    T(recv(s, b, sizeof b, 0));
    TRACE_TRUE(memcmp(b, "xyz", 3) == 0);
    T(close(s));
    return 0;
}
