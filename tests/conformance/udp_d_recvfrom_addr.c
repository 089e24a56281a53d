/* recvfrom's source address and its length. The echo's source is AF_INET,
 * 127.0.0.1, the echo server's port, and addrlen comes back as 16. With a
 * larger addrlen it still comes back as 16. With a short one (4) only that
 * many bytes are written -- family and port -- the rest of the caller's
 * buffer is untouched, and addrlen comes back as the full 16 (so a caller
 * can tell it was cut). addrlen 0 writes nothing and returns 16. A NULL
 * address with an addrlen leaves addrlen alone. recvmsg reports the same
 * in msg_namelen. */
#include "trace.h"
#include "net.h"

#include <unistd.h>

static void ask(int s, const struct sockaddr_in *echo)
{
    T(sendto(s, "ping", 4, 0, (const struct sockaddr *)echo, sizeof *echo));
    TRACE_VALUE("ready", net_wait_in(s, 5000) == POLLIN);
}

int main(void)
{
    net_setup();
    struct sockaddr_in echo = net_addr(NET_UDP_ECHO);
    uint16_t port = net_port(NET_UDP_ECHO);
    int s = TFD(socket(AF_INET, SOCK_DGRAM, 0));
    char b[64];

    trace_note("full length");
    struct sockaddr_storage from;
    socklen_t flen = sizeof(struct sockaddr_in);
    ask(s, &echo);
    memset(&from, 0xee, sizeof from);
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_addr("from", &from, flen, port);

    trace_note("larger than needed");
    ask(s, &echo);
    flen = sizeof from;
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen));
    net_trace_addr("from", &from, flen, port);

    trace_note("short: 4 bytes");
    ask(s, &echo);
    unsigned char raw[16];
    memset(raw, 0xee, sizeof raw);
    flen = 4;
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)raw, &flen));
    TRACE_VALUE("addrlen", flen);
    struct sockaddr_in part;
    memcpy(&part, raw, sizeof part);
    TRACE_TRUE(part.sin_family == AF_INET && ntohs(part.sin_port) == port);
    TRACE_VALUE("bytes 4..15 untouched", raw[4] == 0xee && raw[8] == 0xee && raw[15] == 0xee);

    trace_note("addrlen 0");
    ask(s, &echo);
    memset(raw, 0xee, sizeof raw);
    flen = 0;
    T(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)raw, &flen));
    TRACE_VALUE("addrlen", flen);
    TRACE_VALUE("nothing written", raw[0] == 0xee && raw[1] == 0xee && raw[2] == 0xee);

    trace_note("NULL address");
    ask(s, &echo);
    flen = 99;
    T(recvfrom(s, b, sizeof b, 0, NULL, &flen));
    TRACE_VALUE("addrlen", flen);

    trace_note("recvmsg");
    ask(s, &echo);
    struct iovec iov = { .iov_base = b, .iov_len = sizeof b };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
    T(recvmsg(s, &m, 0));
    net_trace_addr("msg_name", &from, m.msg_namelen, port);
    TRACE_VALUE("msg_flags", m.msg_flags);
    T(close(s));
    return 0;
}
