/* Fuzzes emnet-proxy's policy parsers. Any bytes, as a config file, must
 * give 0 or -1 with a printable message, and a config that parsed must
 * pass through print -> parse unchanged (printing it again gives the same
 * text). The same bytes, line by line, go to the allowlist as rules: a
 * rule taken must read back from its canonical text to the same text, and
 * each line is also checked as a host. The bytes are also read as a
 * websockify token file (through a memfd: no disk), and every name on a
 * line is looked up. Failures abort, which libFuzzer
 * reports as a crash with the input that caused it; ASan's leak checker
 * sees anything the parsers forget to free. */
#define _GNU_SOURCE /* memfd_create */
#include <netinet/in.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/allowlist.h"
#include "policy/config.h"
#include "policy/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASSERT(cond)      \
    do {                  \
        if (!(cond))      \
            abort();      \
    } while (0)

static void message_ok(const char *err)
{
    ASSERT(err[0] != '\0');
    for (const char *p = err; *p; p++)
        ASSERT((unsigned char)*p >= 0x20);
}

static char *print_config(const struct emnet_proxy_config *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    ASSERT(f);
    emnet_proxy_config_print(c, f);
    ASSERT(fclose(f) == 0);
    return buf;
}

static void fuzz_config(const char *text, size_t size)
{
    struct emnet_proxy_config c;
    char err[512] = "";
    emnet_proxy_config_init(&c);
    int rc = emnet_proxy_config_parse(&c, text, size, "fuzz.conf", err, sizeof err);
    ASSERT(rc == 0 || rc == -1);
    if (rc < 0)
        message_ok(err);

    /* validate without touching the real filesystem: the paths the input
     * names are swapped for one that cannot exist, keeping which are set */
    struct emnet_proxy_config v = c;
    v.token_file = NULL;
    v.bearer_token_file = NULL;
    if (v.tls_cert)
        v.tls_cert = "/nonexistent/emnet-fuzz";
    if (v.tls_key)
        v.tls_key = "/nonexistent/emnet-fuzz";
    err[0] = '\0';
    if (emnet_proxy_config_validate(&v, err, sizeof err) < 0)
        message_ok(err);

    size_t la;
    char *pa = print_config(&c, &la);
    /* the bearer token prints as a placeholder that must not read back */
    if (rc == 0) {
        struct emnet_proxy_config b;
        emnet_proxy_config_init(&b);
        int rb = emnet_proxy_config_parse(&b, pa, la, "printed", err, sizeof err);
        if (c.bearer_token) {
            ASSERT(rb == -1);
        } else {
            ASSERT(rb == 0);
            size_t lb;
            char *pb = print_config(&b, &lb);
            ASSERT(la == lb && memcmp(pa, pb, la) == 0);
            free(pb);
        }
        emnet_proxy_config_free(&b);
    }
    free(pa);
    emnet_proxy_config_free(&c);
}

static void fuzz_rules(const char *text, size_t size)
{
    struct emnet_allowlist *al = emnet_allowlist_new();
    ASSERT(al);
    char line[600], err[256];
    size_t pos = 0, lines = 0;
    /* each check scans every rule: 128 lines keep an input well under a
     * millisecond, and the rule parser sees each line alone anyway */
    while (pos < size && lines++ < 128) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - text) - pos : size - pos;
        size_t n = len < sizeof line - 1 ? len : sizeof line - 1;
        memcpy(line, text + pos, n);
        line[n] = '\0'; /* an embedded NUL just ends the rule early */
        pos += len + 1;

        size_t before = emnet_allowlist_count(al);
        err[0] = '\0';
        if (emnet_allowlist_add(al, line, err, sizeof err) == 0) {
            ASSERT(emnet_allowlist_count(al) == before + 1);
            const char *canon = emnet_allowlist_rule(al, before);
            ASSERT(canon);
            struct emnet_allowlist *again = emnet_allowlist_new();
            ASSERT(again && emnet_allowlist_add(again, canon, err, sizeof err) == 0);
            ASSERT(strcmp(emnet_allowlist_rule(again, 0), canon) == 0);
            emnet_allowlist_free(again);
        } else {
            ASSERT(emnet_allowlist_count(al) == before);
            message_ok(err);
        }

        /* the line as a host, before and after resolving */
        uint16_t port = (uint16_t)(n ? (unsigned char)line[0] * 257u : 0);
        enum emnet_verdict vh = emnet_allowlist_check_host(al, line, port);
        ASSERT(vh >= EMNET_ALLOW && vh <= EMNET_DENY_ADDRESS);
        struct sockaddr_in6 s6;
        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        memcpy(s6.sin6_addr.s6_addr, line, n < 16 ? n : 16);
        enum emnet_verdict va = emnet_allowlist_check_addr(al, line, (struct sockaddr *)&s6, port);
        ASSERT(va >= EMNET_ALLOW && va <= EMNET_DENY_ADDRESS);
        struct sockaddr_in s4;
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        memcpy(&s4.sin_addr, line, n < 4 ? n : 4);
        va = emnet_allowlist_check_addr(al, line, (struct sockaddr *)&s4, port);
        ASSERT(va >= EMNET_ALLOW && va <= EMNET_DENY_ADDRESS);
        /* an address rule allows what it names: the same bytes as IPv4-mapped IPv6 */
        if (va == EMNET_ALLOW) {
            memset(&s6.sin6_addr, 0, sizeof s6.sin6_addr);
            s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
            memcpy(s6.sin6_addr.s6_addr + 12, &s4.sin_addr, 4);
            ASSERT(emnet_allowlist_check_addr(al, line, (struct sockaddr *)&s6, port) == EMNET_ALLOW);
        }
    }
    emnet_allowlist_free(al);
}

static void fuzz_tokens(const char *text, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("emnet-fuzz-tokens", MFD_CLOEXEC);
        ASSERT(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    ASSERT(ftruncate(fd, 0) == 0);
    ASSERT(size == 0 || pwrite(fd, text, size, 0) == (ssize_t)size);
    char err[512] = "", host[300], name[300];
    struct emnet_tokens *t = emnet_tokens_load(path, err, sizeof err);
    if (!t) {
        message_ok(err);
        return;
    }
    /* every name before a ": " is found, with a host of no brackets */
    size_t pos = 0, found = 0;
    while (pos < size) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - text) - pos : size - pos;
        const char *sep = memchr(text + pos, ':', len);
        size_t n = sep ? (size_t)(sep - text) - pos : 0;
        if (n && n < sizeof name) {
            memcpy(name, text + pos, n);
            name[n] = '\0';
            uint16_t port = 0;
            if (emnet_tokens_lookup(t, name, host, sizeof host, &port) == 0) {
                ASSERT(port != 0 && host[0] != '\0' && host[0] != '[');
                found++;
            }
        }
        pos += len + 1;
    }
    ASSERT(found == 0 || emnet_tokens_count(t) > 0);
    emnet_tokens_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_config((const char *)data, size);
    fuzz_rules((const char *)data, size);
    fuzz_tokens((const char *)data, size);
    return 0;
}
