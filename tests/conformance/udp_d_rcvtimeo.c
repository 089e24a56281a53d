/* SO_RCVTIMEO on a blocking UDP socket: it reads back as set (200 ms);
 * a recv with nothing coming fails with EAGAIN after about that long
 * (checked with a wide tolerance, not printed); a recv whose echo comes
 * returns it; a timeout of zero means wait for ever again. SO_SNDTIMEO
 * round-trips too. */
#include "trace.h"
#include "net.h"

#include <sys/time.h>
#include <unistd.h>

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }, back;
    socklen_t len = sizeof back;
    T(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &back, &len));
    TRACE_VALUE("tv_sec", back.tv_sec);
    TRACE_VALUE("tv_usec", back.tv_usec);
    T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    len = sizeof back;
    T(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &back, &len));
    TRACE_VALUE("tv_sec", back.tv_sec);
    TRACE_VALUE("tv_usec", back.tv_usec);

    char b[16];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(recv(s, b, sizeof b, 0));
    long long ms = trace_ms_since(&t0);
    TRACE_TRUE(ms >= 150 && ms < 3000);

    trace_note("an echo within the timeout");
    T(sendto(s, "in time", 7, 0, (struct sockaddr *)&echo, sizeof echo));
    long n = T(recv(s, b, sizeof b, 0));
    net_trace_data("got", b, n);

    trace_note("bad lengths; SO_SNDTIMEO");
    T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 3));
    T(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    len = sizeof back;
    T(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &back, &len));
    TRACE_VALUE("tv_usec", back.tv_usec);
    struct timeval zero = { 0, 0 };
    T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &zero, sizeof zero));
    len = sizeof back;
    T(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &back, &len));
    TRACE_VALUE("tv_usec", back.tv_usec);
    T(close(s));
    return 0;
}
