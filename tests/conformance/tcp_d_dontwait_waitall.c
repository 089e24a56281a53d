/* MSG_DONTWAIT and MSG_WAITALL on a blocking socket to the echo server.
 * MSG_DONTWAIT makes one call non-blocking (EAGAIN with nothing there) and
 * leaves the socket blocking; with 10 bytes there it returns them, and with
 * MSG_WAITALL too it still returns at once with what there is. MSG_WAITALL
 * alone waits for the whole length: 100 bytes after one send, 6000 after
 * three sends of 1000, 2000 and 3000, and 80 KiB after one large send --
 * whatever the chunking on the way, one recv returns all of it. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "trace.h"
#include "net.h"
#include "../common/pattern.h"

int main(void)
{
    net_setup();
    struct sockaddr_in a = net_addr(NET_ECHO);
    int s = TFD(socket(AF_INET, SOCK_STREAM, 0));
    T(connect(s, (struct sockaddr *)&a, sizeof a));
    static uint8_t msg[81920], got[81920];
    emnet_test_pattern_fill(msg, sizeof msg, 0);

    trace_note("MSG_DONTWAIT");
    T(recv(s, got, 100, MSG_DONTWAIT));
    TRACE_TRUE((fcntl(s, F_GETFL) & O_NONBLOCK) == 0);
    T(send(s, msg, 10, MSG_NOSIGNAL | MSG_DONTWAIT));
    TRACE_VALUE("waiting", net_wait_avail(s, 10));
    T(recv(s, got, 100, MSG_DONTWAIT));
    TRACE_TRUE(memcmp(got, msg, 10) == 0);
    T(recv(s, got, 100, MSG_DONTWAIT));
    T(send(s, msg, 10, MSG_NOSIGNAL));
    TRACE_VALUE("waiting", net_wait_avail(s, 10));
    T(recv(s, got, 100, MSG_DONTWAIT | MSG_WAITALL));
    T(recv(s, got, 100, MSG_DONTWAIT | MSG_WAITALL));

    trace_note("MSG_WAITALL waits for the whole length");
    T(send(s, msg, 100, MSG_NOSIGNAL));
    memset(got, 0, sizeof got);
    T(recv(s, got, 100, MSG_WAITALL));
    TRACE_TRUE(memcmp(got, msg, 100) == 0);

    T(send(s, msg, 1000, MSG_NOSIGNAL));
    T(send(s, msg + 1000, 2000, MSG_NOSIGNAL));
    T(send(s, msg + 3000, 3000, MSG_NOSIGNAL));
    memset(got, 0, sizeof got);
    T(recv(s, got, 6000, MSG_WAITALL));
    TRACE_TRUE(memcmp(got, msg, 6000) == 0);

    long r = send(s, msg, sizeof msg, MSG_NOSIGNAL);
    TRACE_TRUE(r == (long)sizeof msg);
    memset(got, 0, sizeof got);
    r = recv(s, got, sizeof got, MSG_WAITALL);
    TRACE_TRUE(r == (long)sizeof got);
    TRACE_TRUE(memcmp(got, msg, sizeof msg) == 0);
    T(recv(s, got, 100, MSG_DONTWAIT));
    T(close(s));
    return 0;
}
