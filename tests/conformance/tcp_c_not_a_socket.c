/* Socket calls on fds that are not sockets fail with ENOTSOCK (an eventfd,
 * an epoll fd, a regular file), on fds that are not open with EBADF (a
 * closed socket, a number never opened, -1). Linux looks the fd up before
 * anything else, with two exceptions kept here: connect copies the address
 * in first (NULL: EFAULT even on a non-socket, a length over 128 EINVAL),
 * and accept4 checks its flags once the fd is found, before asking whether
 * it is a socket (unknown flags: EINVAL on an eventfd, EBADF on -1).
 * read/write on a closed socket are EBADF too. */
#include "trace.h"
#include "net.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

static void all_calls(int fd, const struct sockaddr_in *a)
{
    char b[8] = "abcdefg";
    struct iovec iov = { b, sizeof b };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    int v = 1;
    socklen_t len = sizeof v;
    struct sockaddr_in name;
    socklen_t nlen = sizeof name;
    T(connect(fd, (const struct sockaddr *)a, sizeof *a));
    T(bind(fd, (const struct sockaddr *)a, sizeof *a));
    T(listen(fd, 1));
    T(accept(fd, NULL, NULL));
    T(accept4(fd, NULL, NULL, SOCK_NONBLOCK));
    T(send(fd, b, sizeof b, MSG_NOSIGNAL));
    T(sendto(fd, b, sizeof b, MSG_NOSIGNAL, (const struct sockaddr *)a, sizeof *a));
    T(sendmsg(fd, &m, MSG_NOSIGNAL));
    T(recv(fd, b, sizeof b, MSG_DONTWAIT));
    T(recvfrom(fd, b, sizeof b, MSG_DONTWAIT, NULL, NULL));
    T(recvmsg(fd, &m, MSG_DONTWAIT));
    T(shutdown(fd, SHUT_RDWR));
    T(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
    T(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    T(getsockname(fd, (struct sockaddr *)&name, &nlen));
    T(getpeername(fd, (struct sockaddr *)&name, &nlen));
}

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);

    trace_note("an eventfd");
    int efd = TFD(eventfd(0, EFD_NONBLOCK));
    all_calls(efd, &a);
    trace_note("an epoll fd");
    int ep = TFD(epoll_create1(0));
    all_calls(ep, &a);
    trace_note("a regular file");
    char path[] = "/tmp/emnet-conf-notsock-XXXXXX";
    int f = TFD(mkstemp(path));
    T(unlink(path));
    all_calls(f, &a);
    trace_note("the address is copied in before the fd is looked at");
    T(connect(efd, NULL, sizeof a));
    T(connect(f, NULL, sizeof a));
    T(connect(efd, (const struct sockaddr *)&a, 1000));

    trace_note("a closed socket");
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(close(s));
    all_calls(s, &a);
    char b[4];
    T(read(s, b, sizeof b));
    T(write(s, b, sizeof b));
    T(close(s));
    trace_note("a number never opened, and -1");
    all_calls(1000, &a);
    all_calls(-1, &a);
    trace_note("accept4 checks its flags before asking for a socket");
    T(accept4(-1, NULL, NULL, 0x40));
    T(accept4(efd, NULL, NULL, 0x40));
    T(close(f));
    T(close(ep));
    T(close(efd));
    return 0;
}
