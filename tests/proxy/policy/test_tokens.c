/* websockify token files (proxy/policy/tokens.h): one file and a
 * directory, comments, IPv6 targets, duplicate names, line endings, the
 * lines websockify refuses, unknown names and missing files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/check.h"
#include "scratch_dir.h"
#include "policy/tokens.h"

/* REQUIRE for void functions: counts the failure and leaves the test. */
static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return;
    }
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

/* Looks name up and checks host and port; want_host NULL: must be unknown. */
static void expect(const struct emnet_tokens *t, const char *name, const char *want_host, unsigned want_port)
{
    char host[256] = "";
    uint16_t port = 0;
    int rc = emnet_tokens_lookup(t, name, host, sizeof host, &port);
    if (!want_host) {
        CHECK_EQ_INT(rc, -1);
        return;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK(strcmp(host, want_host) == 0);
    CHECK_EQ_INT(port, want_port);
    if (rc || strcmp(host, want_host) || port != want_port)
        fprintf(stderr, "  token \"%s\": rc %d host \"%s\" port %u, expected %s %u\n", name, rc, host, port,
                want_host, want_port);
}

static void test_one_file(void)
{
    write_file("tokens",
               "# a comment\n"
               "\n"
               "vnc1: 127.0.0.1:5901\n"
               "   vnc2:\t192.0.2.10:5902   \n"
               "  # indented comment\n"
               "web:   example.org:80\n"
               "v6: ::1:5900\n"
               "v6b: [2001:db8::7]:443\n"
               "v6z: [fe80::1%eth0]:22\n"
               "a:b: host.example:1\n"
               "spaced : host.example:2\n"
               "hash#in: host.example:3\n"
               "lead0: host.example:00080\n"
               "dup: first.example:1\n"
               "dup: second.example:2\n"
               "crlf: crlf.example:7\r\n"
               "cr: cr.example:8\rcr2: cr2.example:9\r"
               "last: last.example:10");
    char path[512], err[512] = "";
    path_of(path, sizeof path, "tokens");
    struct emnet_tokens *t = emnet_tokens_load(path, err, sizeof err);
    REQUIRE_VOID(t);
    expect(t, "vnc1", "127.0.0.1", 5901);
    expect(t, "vnc2", "192.0.2.10", 5902);
    expect(t, "web", "example.org", 80);
    expect(t, "v6", "::1", 5900);
    expect(t, "v6b", "2001:db8::7", 443);
    expect(t, "v6z", "fe80::1%eth0", 22);
    expect(t, "a:b", "host.example", 1);
    expect(t, "spaced ", "host.example", 2); /* websockify keeps the space in the name */
    expect(t, "spaced", NULL, 0);
    expect(t, "hash#in", "host.example", 3);
    expect(t, "lead0", "host.example", 80);
    expect(t, "dup", "second.example", 2); /* the last one wins */
    expect(t, "crlf", "crlf.example", 7);
    expect(t, "cr", "cr.example", 8);
    expect(t, "cr2", "cr2.example", 9);
    expect(t, "last", "last.example", 10);
    expect(t, "VNC1", NULL, 0);            /* names are case-sensitive */
    expect(t, "nope", NULL, 0);
    expect(t, "", NULL, 0);
    CHECK_EQ_INT(emnet_tokens_count(t), 15);
    /* host must fit */
    char small[4];
    uint16_t port;
    CHECK_EQ_INT(emnet_tokens_lookup(t, "web", small, sizeof small, &port), -1);
    char fits[12];
    CHECK_EQ_INT(emnet_tokens_lookup(t, "web", fits, sizeof fits, &port), 0);
    CHECK(strcmp(fits, "example.org") == 0);
    CHECK_EQ_INT(emnet_tokens_lookup(NULL, "web", fits, sizeof fits, &port), -1);
    emnet_tokens_free(t);
    emnet_tokens_free(NULL);
}

static void test_directory(void)
{
    char sub[512], err[512] = "";
    path_of(sub, sizeof sub, "d");
    mkdir(sub, 0700);
    write_file("d/b.conf", "shared: from-b.example:2\nb: b.example:22\n");
    write_file("d/a.conf", "shared: from-a.example:1\na: a.example:11\n");
    write_file("d/.hidden", "hidden: hidden.example:33\n");
    write_file("d/empty", "");
    char nested[512];
    path_of(nested, sizeof nested, "d/nested");
    mkdir(nested, 0700);
    write_file("d/nested/x", "nested: nested.example:44\n");
    struct emnet_tokens *t = emnet_tokens_load(sub, err, sizeof err);
    REQUIRE_VOID(t);
    expect(t, "a", "a.example", 11);
    expect(t, "b", "b.example", 22);
    expect(t, "hidden", "hidden.example", 33);
    expect(t, "shared", "from-b.example", 2); /* files in name order, the last one wins */
    expect(t, "nested", NULL, 0);              /* regular files only, no recursion */
    CHECK_EQ_INT(emnet_tokens_count(t), 4);
    emnet_tokens_free(t);

    /* an error names the file inside the directory and its line */
    write_file("d/c.conf", "ok: ok.example:1\nbroken line\n");
    t = emnet_tokens_load(sub, err, sizeof err);
    CHECK(t == NULL);
    CHECK(strstr(err, "/d/c.conf:2: ") != NULL);
    emnet_tokens_free(t);

    char empty[512];
    path_of(empty, sizeof empty, "emptydir");
    mkdir(empty, 0700);
    t = emnet_tokens_load(empty, err, sizeof err);
    CHECK(t != NULL);
    CHECK_EQ_INT(emnet_tokens_count(t), 0);
    expect(t, "a", NULL, 0);
    emnet_tokens_free(t);
}

static void test_errors(void)
{
    static const struct { const char *text, *msg; } t[] = {
        { "novalue\n", ":1: expected \"name: host:port\"" },
        { "tok:host:1\n", ":1: expected \"name: host:port\"" },
        { "\n\ntok: a: b:1\n", ":3: more than one ': '" },
        { ": host:1\n", ":1: empty token name" },
        { "tok: host\n", ":1: target has no port" },
        { "tok: host:\n", ":1: port must be a number 1-65535" },
        { "tok: host:0\n", ":1: port must be a number 1-65535" },
        { "tok: host:65536\n", ":1: port must be a number 1-65535" },
        { "tok: host:vnc\n", ":1: port must be a number 1-65535" },
        { "tok: :80\n", ":1: empty host" },
        { "tok: [::1:80\n", ":1: host has ':' but is not an IPv6 address" },
        { "tok: [host]:80\n", ":1: brackets must hold an IPv6 address" },
        { "tok: a:b:80\n", ":1: host has ':' but is not an IPv6 address" },
        { "tok: my host:80\n", ":1: invalid character in host" },
        { "ok: h:1\ntok: h\0x:80\n", ":2: NUL byte in line" },
    };
    char path[512], err[512];
    path_of(path, sizeof path, "bad");
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        FILE *f = fopen(path, "wb");
        REQUIRE_VOID(f);
        /* the NUL case: write through the last newline */
        size_t len = strlen(t[i].text);
        if (strstr(t[i].msg, "NUL"))
            len = sizeof "ok: h:1\ntok: h\0x:80\n" - 1;
        fwrite(t[i].text, 1, len, f);
        fclose(f);
        strcpy(err, "(none)");
        struct emnet_tokens *tk = emnet_tokens_load(path, err, sizeof err);
        CHECK(tk == NULL);
        CHECK(strstr(err, t[i].msg) != NULL && strncmp(err, path, strlen(path)) == 0);
        if (!strstr(err, t[i].msg))
            fprintf(stderr, "  case %zu: \"%s\", expected \"%s\"\n", i, err, t[i].msg);
        emnet_tokens_free(tk);
    }
    char missing[512];
    path_of(missing, sizeof missing, "does-not-exist");
    CHECK(emnet_tokens_load(missing, err, sizeof err) == NULL);
    CHECK(strstr(err, "does-not-exist: No such file or directory") != NULL);
    CHECK(emnet_tokens_load("", err, sizeof err) == NULL);
    CHECK(emnet_tokens_load("/dev/null", err, sizeof err) == NULL);
    CHECK(strstr(err, "not a regular file") != NULL);
}

static void test_many(void)
{
    char path[512], err[256];
    path_of(path, sizeof path, "many");
    FILE *f = fopen(path, "wb");
    REQUIRE_VOID(f);
    for (int i = 0; i < 5000; i++)
        fprintf(f, "t%d: h%d.example:%d\n", i, i, 1 + i % 65535);
    for (int i = 0; i < 5000; i += 2)
        fprintf(f, "t%d: again.example:%d\n", i, 2 + i % 65534);
    fclose(f);
    struct emnet_tokens *t = emnet_tokens_load(path, err, sizeof err);
    REQUIRE_VOID(t);
    CHECK_EQ_INT(emnet_tokens_count(t), 5000);
    expect(t, "t4999", "h4999.example", 5000);
    expect(t, "t4998", "again.example", 5000);
    expect(t, "t0", "again.example", 2);
    expect(t, "t5000", NULL, 0);
    emnet_tokens_free(t);
}

int main(void)
{
    if (scratch_dir_make(dir, sizeof dir, "emnet-tokens") < 0) return 1;
    test_one_file();
    test_directory();
    test_errors();
    test_many();
    scratch_dir_remove(dir);
    return check_exit("proxy_policy_tokens");
}
