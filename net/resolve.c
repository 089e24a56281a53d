/* Name lookup for a page: getaddrinfo, freeaddrinfo, gai_strerror,
 * getnameinfo.
 *
 * A page cannot ask DNS; the proxy beside the servers can. So a name gets
 * a stable placeholder address from 240.0.0.0/4 (reserved, never routed),
 * the same one every time it is looked up, and connect() to a placeholder
 * sends the name itself to the proxy ({host} in the URL template).
 * Where it can, getaddrinfo first asks the proxy whether the name exists
 * and in which families (resolve_proxy.c).
 * Numeric addresses pass through unchanged. Results come in musl's order
 * (Emscripten's libc is musl): one entry per socket type asked for, stream
 * before datagram. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PLACEHOLDER_NET 0xF0000000u   /* 240.0.0.0 */
#define MAX_NAMES 65536
#define MAX_NAME_LEN 253              /* the longest DNS name */

static char **names;   /* placeholder index -> name */
static unsigned name_count;

static int placeholder_for(const char *name, uint32_t *ip)
{
    for (unsigned i = 0; i < name_count; i++)
        if (!strcmp(names[i], name)) {
            *ip = PLACEHOLDER_NET | (i + 1);
            return 0;
        }
    if (name_count == MAX_NAMES) return EAI_MEMORY;
    char **n = realloc(names, (name_count + 1) * sizeof *n);
    if (!n) return EAI_MEMORY;
    names = n;
    if (!(names[name_count] = strdup(name))) return EAI_MEMORY;
    *ip = PLACEHOLDER_NET | ++name_count;
    return 0;
}

const char *emnet__placeholder_name(const struct sockaddr *sa)
{
    uint32_t ip;
    if (sa->sa_family == AF_INET) {
        ip = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (!IN6_IS_ADDR_V4MAPPED(a6)) return NULL;
        memcpy(&ip, a6->s6_addr + 12, 4);
        ip = ntohl(ip);
    } else {
        return NULL;
    }
    if ((ip & 0xF0000000u) != PLACEHOLDER_NET) return NULL;
    uint32_t i = ip & 0x0FFFFFFFu;
    return i >= 1 && i <= name_count ? names[i - 1] : NULL;
}

int emnet__addr_host(const struct sockaddr *a, socklen_t len, char *host, size_t hostlen, unsigned *port)
{
    const char *name = emnet__placeholder_name(a);   /* a name from getaddrinfo: the proxy resolves it */
    if (a->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)hostlen);
        *port = ntohs(in->sin_port);
    } else if (a->sa_family == AF_INET6 && len >= 24 /* SIN6_LEN_RFC2133 */) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, host, (socklen_t)hostlen);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)hostlen);
        *port = ntohs(in6->sin6_port);
    } else {
        return -EINVAL;
    }
    if (name) {
        if (strlen(name) >= hostlen) return -EINVAL;
        strcpy(host, name);
    }
    return 0;
}

static int parse_service(const char *service, int flags, unsigned *port)
{
    if (!service) {
        *port = 0;
        return 0;
    }
    char *end;
    unsigned long p = strtoul(service, &end, 10);
    if (*service && !*end) {
        *port = (unsigned)(p & 0xffff);   /* glibc takes any number and keeps 16 bits */
        return 0;
    }
    if (flags & AI_NUMERICSERV) return EAI_NONAME;
    /* No services database in a page: the common names only. */
    static const struct { const char *name; unsigned port; } known[] = {
        { "http", 80 }, { "https", 443 }, { "ftp", 21 }, { "ssh", 22 }, { "smtp", 25 },
        { "domain", 53 }, { "ircd", 6667 }, { "redis", 6379 },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(service, known[i].name)) {
            *port = known[i].port;
            return 0;
        }
    return EAI_SERVICE;
}

/* Which placeholders a name gets (*v4: an AF_INET one, *v6: an AF_INET6
 * one), or an EAI_ error. When the proxy tells which families the name
 * has, glibc's answers: AF_UNSPEC gives those that exist, AF_INET6 an
 * IPv4-only name only with AI_V4MAPPED, none at all EAI_NONAME. Without
 * an answer, one placeholder of the family asked for (AF_UNSPEC: AF_INET)
 * as if the name existed; the proxy finds out at connect time. */
static int families(const char *node, unsigned port, const struct addrinfo *h, int *v4, int *v6)
{
    int known = emnet__dns_ask(node, port);
    if (known == EMNET__DNS_NONAME) return EAI_NONAME;
    if (known == EMNET__DNS_AGAIN) return EAI_AGAIN;
    if (known <= 0) {
        *v4 = h->ai_family != AF_INET6;
        *v6 = h->ai_family == AF_INET6;
        return 0;
    }
    int has4 = known & EMNET__DNS_IPV4, has6 = known & EMNET__DNS_IPV6;
    *v4 = h->ai_family != AF_INET6 && has4;
    *v6 = (h->ai_family == AF_UNSPEC && has6) ||
          (h->ai_family == AF_INET6 && (has6 || (has4 && (h->ai_flags & AI_V4MAPPED))));
    return *v4 || *v6 ? 0 : EAI_NONAME;
}

/* One result: address + socket type, with the sockaddr in the same block,
 * so freeaddrinfo frees each entry whole. */
static struct addrinfo *entry(int family, const void *addr, unsigned port, int socktype, int protocol)
{
    size_t alen = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    struct addrinfo *ai = calloc(1, sizeof *ai + alen);
    if (!ai) return NULL;
    ai->ai_family = family;
    ai->ai_socktype = socktype;
    ai->ai_protocol = protocol ? protocol : (socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP);
    ai->ai_addrlen = (socklen_t)alen;
    ai->ai_addr = (struct sockaddr *)(ai + 1);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)ai->ai_addr;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, addr, 4);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ai->ai_addr;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        memcpy(&in6->sin6_addr, addr, 16);
    }
    return ai;
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res->ai_canonname);
        free(res);
        res = next;
    }
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    struct addrinfo h = { 0 };
    if (hints) h = *hints;
    if (!node && !service) return EAI_NONAME;
    if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET && h.ai_family != AF_INET6) return EAI_FAMILY;
    if (h.ai_socktype && h.ai_socktype != SOCK_STREAM && h.ai_socktype != SOCK_DGRAM) return EAI_SOCKTYPE;
    if (h.ai_flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG |
                       AI_NUMERICSERV))
        return EAI_BADFLAGS;
    unsigned port;
    int r = parse_service(service, h.ai_flags, &port);
    if (r) return r;

    /* The addresses, before socket types. */
    struct { int family; uint8_t addr[16]; } addrs[2];
    int n = 0;
    struct in_addr v4;
    struct in6_addr v6;
    if (!node) {
        int passive = h.ai_flags & AI_PASSIVE;
        if (h.ai_family != AF_INET) {
            addrs[n].family = AF_INET6;
            memcpy(addrs[n++].addr, passive ? &in6addr_any : &in6addr_loopback, 16);
        }
        if (h.ai_family != AF_INET6) {
            uint32_t ip = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);
            addrs[n].family = AF_INET;
            memcpy(addrs[n++].addr, &ip, 4);
        }
    } else if (inet_pton(AF_INET, node, &v4) == 1) {
        if (h.ai_family == AF_INET6) return EAI_ADDRFAMILY;
        addrs[n].family = AF_INET;
        memcpy(addrs[n++].addr, &v4, 4);
    } else if (inet_pton(AF_INET6, node, &v6) == 1) {
        if (h.ai_family == AF_INET) return EAI_ADDRFAMILY;
        addrs[n].family = AF_INET6;
        memcpy(addrs[n++].addr, &v6, 16);
    } else {
        if (h.ai_flags & AI_NUMERICHOST) return EAI_NONAME;
        if (!*node || strlen(node) > MAX_NAME_LEN) return EAI_NONAME;
        int want4, want6;
        if ((r = families(node, port, &h, &want4, &want6))) return r;
        uint32_t ip;
        if ((r = placeholder_for(node, &ip))) return r;
        ip = htonl(ip);
        if (want4) {
            addrs[n].family = AF_INET;
            memcpy(addrs[n++].addr, &ip, 4);
        }
        if (want6) {
            /* IPv4-mapped: a v6 socket reaches the name just the same. */
            uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
            memcpy(mapped + 12, &ip, 4);
            addrs[n].family = AF_INET6;
            memcpy(addrs[n++].addr, mapped, 16);
        }
    }

    static const int both[] = { SOCK_STREAM, SOCK_DGRAM };
    struct addrinfo *head = NULL, **tail = &head;
    for (int i = 0; i < n; i++) {
        for (int t = 0; t < 2; t++) {
            if (h.ai_socktype && h.ai_socktype != both[t]) continue;
            struct addrinfo *ai = entry(addrs[i].family, addrs[i].addr, port, both[t], h.ai_protocol);
            if (!ai) {
                freeaddrinfo(head);
                return EAI_MEMORY;
            }
            *tail = ai;
            tail = &ai->ai_next;
        }
    }
    if (head && (h.ai_flags & AI_CANONNAME) && node) {
        head->ai_canonname = strdup(node);
        if (!head->ai_canonname) {
            freeaddrinfo(head);
            return EAI_MEMORY;
        }
    }
    *res = head;
    return 0;
}

const char *gai_strerror(int ecode)
{
    switch (ecode) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Argument buffer overflow";
    case EAI_ADDRFAMILY: return "Address family for hostname not supported";
    default: return "Unknown error";
    }
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                socklen_t servlen, int flags)
{
    if (!sa) return EAI_FAIL;
    unsigned port;
    char text[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        port = ntohs(in6->sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host && hostlen) {
        /* A placeholder names its host; any other address has no name a
         * page could learn (no reverse DNS), so it is given as a number. */
        const char *name = (flags & NI_NUMERICHOST) ? NULL : emnet__placeholder_name(sa);
        if (!name && (flags & NI_NAMEREQD)) return EAI_NONAME;
        if ((size_t)snprintf(host, hostlen, "%s", name ? name : text) >= hostlen) return EAI_OVERFLOW;
    }
    if (serv && servlen && (size_t)snprintf(serv, servlen, "%u", port) >= servlen) return EAI_OVERFLOW;
    return 0;
}
