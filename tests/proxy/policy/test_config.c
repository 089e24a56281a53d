/* emnet-proxy's settings (proxy/policy/config.h): defaults, every key with
 * good and bad values, lists and clearing them, the file syntax and its
 * FILE:LINE messages, validate, load, the bearer token, and print -> parse
 * giving the same configuration. Run under ASan, the init/parse/free loops
 * also check that nothing leaks. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/check.h"
#include "policy/config.h"

static char dir[256];

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    path_of(path, sizeof path, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return;
    }
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

/* Parses text into a fresh config; checks rc and, on error, the message. */
static void parse_expect(const char *text, int want_rc, const char *want_msg)
{
    struct emnet_proxy_config c;
    char err[512] = "";
    emnet_proxy_config_init(&c);
    int rc = emnet_proxy_config_parse(&c, text, strlen(text), "test.conf", err, sizeof err);
    CHECK_EQ_INT(rc, want_rc);
    if (want_msg) {
        CHECK(strstr(err, want_msg) != NULL);
        if (!strstr(err, want_msg))
            fprintf(stderr, "  message \"%s\", expected \"%s\"\n", err, want_msg);
    }
    if (rc != want_rc)
        fprintf(stderr, "  text \"%s\": rc %d (%s)\n", text, rc, err);
    emnet_proxy_config_free(&c);
}

static void test_defaults(void)
{
    struct emnet_proxy_config c;
    emnet_proxy_config_init(&c);
    CHECK(c.listen && strcmp(c.listen, "127.0.0.1:8080") == 0);
    CHECK(!c.tls_cert && !c.tls_key && !c.bearer_token && !c.bearer_token_file && !c.token_file && !c.config_path);
    CHECK(c.n_allow_origin == 0 && c.allow_origin == NULL);
    CHECK(c.allow != NULL && emnet_allowlist_count(c.allow) == 0);
    CHECK_EQ_INT(c.max_connections, 10000);
    CHECK_EQ_INT(c.max_connections_per_ip, 64);
    CHECK_EQ_INT(c.max_streams, 256);
    CHECK_EQ_INT(c.max_message, 65536);
    CHECK_EQ_INT(c.idle_timeout, 300);
    CHECK_EQ_INT(c.connect_timeout, 10);
    CHECK_EQ_INT(c.resolve_timeout, 5);
    CHECK_EQ_INT(c.wisp_credit, 64);
    CHECK_EQ_INT(c.buffer, 262144);
    CHECK_EQ_INT(c.client_buffer, 1048576);
    CHECK_EQ_INT(c.client_buffer_max, 4194304);
    CHECK_EQ_INT(c.metrics, 1);
    CHECK_EQ_INT(c.reveal_blocked_names, 0);
    CHECK(c.n_metrics_allow == 0);
    CHECK(!c.wisp_user && !c.wisp_password_file && !c.wisp_motd);
    CHECK(strcmp(c.log_level, "info") == 0 && strcmp(c.log_format, "text") == 0);
    char err[256];
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);
    /* the empty allowlist denies everything */
    CHECK_EQ_INT(emnet_allowlist_check_host(c.allow, "example.org", 80), EMNET_DENY_HOST);
    emnet_proxy_config_free(&c);
    emnet_proxy_config_free(&c); /* twice is harmless: free leaves it zeroed */
}

static void test_each_key(void)
{
    struct emnet_proxy_config c;
    char err[512];
    emnet_proxy_config_init(&c);
#define SET_OK(k, v) CHECK_EQ_INT(emnet_proxy_config_set(&c, k, v, err, sizeof err), 0)
    SET_OK("listen", "[::1]:9000");
    CHECK(strcmp(c.listen, "[::1]:9000") == 0);
    SET_OK("listen", "0.0.0.0:0");
    SET_OK("tls_cert", "/etc/cert.pem");
    SET_OK("tls_key", " /etc/key.pem ");
    CHECK(strcmp(c.tls_key, "/etc/key.pem") == 0);
    SET_OK("tls_key", "");
    CHECK(c.tls_key == NULL);
    SET_OK("allow_origin", "https://app.example.org");
    SET_OK("allow_origin", "http://localhost:8000");
    SET_OK("allow_origin", "*");
    SET_OK("allow_origin", "null");
    CHECK_EQ_INT(c.n_allow_origin, 4);
    CHECK(strcmp(c.allow_origin[1], "http://localhost:8000") == 0);
    SET_OK("bearer_token", "abc-DEF_123.~+/==");
    SET_OK("bearer_token_file", "/run/secret");
    SET_OK("token_file", "/etc/tokens");
    SET_OK("allow", "10.0.0.0/8:6667");
    SET_OK("allow", "*.example.org:443");
    CHECK_EQ_INT(emnet_allowlist_count(c.allow), 2);
    SET_OK("max_connections", "1");
    SET_OK("max_connections_per_ip", "10000000");
    SET_OK("max_streams", "1000000");
    SET_OK("max_message", "256");
    SET_OK("idle_timeout", "0");
    SET_OK("connect_timeout", "3600");
    SET_OK("resolve_timeout", "1");
    SET_OK("wisp_credit", "65535");
    SET_OK("buffer", "4096");
    SET_OK("client_buffer", "16384");
    SET_OK("client-buffer-max", "1073741824");
    SET_OK("max-connections", "00042"); /* '-' for '_', leading zeros */
    CHECK_EQ_INT(c.max_connections, 42);
    CHECK_EQ_INT(c.max_connections_per_ip, 10000000);
    CHECK_EQ_INT(c.idle_timeout, 0);
    CHECK_EQ_INT(c.wisp_credit, 65535);
    SET_OK("wisp_user", "\xc3\xbcser name");
    SET_OK("wisp_password_file", "/run/wisp-password");
    SET_OK("wisp_motd", "Welcome \xe2\x82\xac: 10 streams each");
    CHECK(strcmp(c.wisp_user, "\xc3\xbcser name") == 0 && strcmp(c.wisp_motd, "Welcome \xe2\x82\xac: 10 streams each") == 0);
    {
        char name[256], motd[1026];
        memset(name, 'u', 255);
        name[255] = '\0';
        SET_OK("wisp_user", name);
        memset(motd, 'm', 1024);
        motd[1024] = '\0';
        SET_OK("wisp_motd", motd);
        CHECK_EQ_INT(strlen(c.wisp_motd), 1024);
        name[254] = 'u';
        strcpy(motd + 1024, "m");
        CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_motd", motd, err, sizeof err), -1);
        CHECK(strstr(err, "wisp_motd: ") && strstr(err, "longer than 1024 bytes"));
        char longer[257];
        memset(longer, 'u', 256);
        longer[256] = '\0';
        CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_user", longer, err, sizeof err), -1);
        CHECK(strstr(err, "longer than 255 bytes") != NULL);
        CHECK_EQ_INT(strlen(c.wisp_user), 255);
    }
    SET_OK("wisp_motd", "");
    CHECK(c.wisp_motd == NULL);
    static const char *const yes[] = { "on", "true", "yes", "1", "ON", "True" };
    static const char *const no[] = { "off", "false", "no", "0", "OFF", "No" };
    for (size_t i = 0; i < 6; i++) {
        SET_OK("metrics", no[i]);
        CHECK_EQ_INT(c.metrics, 0);
        SET_OK("metrics", yes[i]);
        CHECK_EQ_INT(c.metrics, 1);
        SET_OK("reveal_blocked_names", yes[i]);
        CHECK_EQ_INT(c.reveal_blocked_names, 1);
        SET_OK("reveal-blocked-names", no[i]);
        CHECK_EQ_INT(c.reveal_blocked_names, 0);
    }
    SET_OK("metrics_allow", "127.0.0.0/8");
    SET_OK("metrics_allow", "::1");
    SET_OK("metrics_allow", "[fd00::/8]");
    CHECK_EQ_INT(c.n_metrics_allow, 3);
    CHECK(strcmp(c.metrics_allow[2], "fd00::/8") == 0); /* kept in canonical form */
    SET_OK("log_level", "debug");
    SET_OK("log_format", "json");
#undef SET_OK

    static const struct { const char *key, *value, *msg; } bad[] = {
        { "listen", "8080", "listen: \"8080\": expected HOST:PORT" },
        { "listen", "::1:80", "expected HOST:PORT" },
        { "listen", "host:65536", "expected HOST:PORT" },
        { "listen", "", "listen: \"\": empty value" },
        { "allow_origin", "https://app.example.org/", "an Origin has no path" },
        { "allow_origin", "app.example.org", "expected \"*\", \"null\" or SCHEME://HOST[:PORT]" },
        { "allow_origin", "", "empty value" },
        { "bearer_token", "has space", "a bearer token is 1-1024 characters" },
        { "bearer_token", "a=b", "a bearer token is" },
        { "bearer_token", "(set)", "is how a printed config hides the token" },
        { "allow", "10.0.0.1/8", "allow: 10.0.0.1/8: host bits set" },
        { "allow", "10.0.0.0/8 # office", "comments must be on lines of their own" },
        { "allow", "", "empty value" },
        { "max_connections", "0", "max_connections: \"0\": out of range (1-10000000)" },
        { "max_connections", "-1", "not a number (decimal digits only)" },
        { "max_connections", "+5", "not a number" },
        { "max_connections", "1e3", "not a number" },
        { "max_connections", "0x10", "not a number" },
        { "max_connections", "99999999999999999999", "out of range" },
        { "max_connections", "4294967296", "out of range" },
        { "max_connections", "10000001", "out of range" },
        { "max_message", "255", "out of range (256-67108864)" },
        { "idle_timeout", "604801", "out of range (0-604800, 0 = never)" },
        { "connect_timeout", "0", "out of range (1-3600)" },
        { "resolve_timeout", "0", "out of range" },
        { "wisp_credit", "0", "out of range" },
        { "buffer", "4095", "out of range" },
        { "client_buffer", "16383", "out of range" },
        { "client_buffer_max", "1073741825", "out of range" },
        { "max_streams", "0", "out of range" },
        { "max_connections_per_ip", "", "empty value" },
        { "metrics", "maybe", "expected on/off, true/false, yes/no or 1/0" },
        { "metrics", "2", "expected on/off" },
        { "reveal_blocked_names", "maybe", "reveal_blocked_names: \"maybe\": expected on/off" },
        { "reveal_blocked_names", "", "empty value" },
        { "metrics_allow", "10.0.0.0/8:80", "expected an address or CIDR without a port" },
        { "metrics_allow", "localhost", "expected an address or CIDR" },
        { "log_level", "verbose", "expected error, warn, info or debug" },
        { "log_level", "INFO", "expected error, warn, info or debug" },
        { "log_format", "xml", "expected text or json" },
        { "tls_cert", "a\tb", "control character in value" },
        { "wisp_user", "\xff", "wisp_user: \"?\": not valid UTF-8" },
        { "wisp_motd", "caf\xc3", "not valid UTF-8" },
        { "wisp_motd", "a\x01b", "control character in value" },
        { "no_such_key", "1", "unknown key \"no_such_key\"" },
        { "", "1", "unknown key \"\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(err, "(none)");
        CHECK_EQ_INT(emnet_proxy_config_set(&c, bad[i].key, bad[i].value, err, sizeof err), -1);
        CHECK(strstr(err, bad[i].msg) != NULL);
        if (!strstr(err, bad[i].msg))
            fprintf(stderr, "  %s = %s: \"%s\", expected \"%s\"\n", bad[i].key, bad[i].value, err, bad[i].msg);
    }
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "listen", NULL, err, sizeof err), -1);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, NULL, "x", err, sizeof err), -1);
    /* failed sets changed nothing */
    CHECK_EQ_INT(c.max_connections, 42);
    CHECK_EQ_INT(emnet_allowlist_count(c.allow), 2);
    CHECK_EQ_INT(c.n_allow_origin, 4);

    /* clearing lists, as a list flag does before its values */
    CHECK_EQ_INT(emnet_proxy_config_key_kind("allow"), 1);
    CHECK_EQ_INT(emnet_proxy_config_key_kind("metrics-allow"), 1);
    CHECK_EQ_INT(emnet_proxy_config_key_kind("listen"), 0);
    CHECK_EQ_INT(emnet_proxy_config_key_kind("nope"), -1);
    CHECK_EQ_INT(emnet_proxy_config_clear(&c, "allow"), 0);
    CHECK(c.allow != NULL && emnet_allowlist_count(c.allow) == 0);
    CHECK_EQ_INT(emnet_proxy_config_clear(&c, "allow_origin"), 0);
    CHECK(c.n_allow_origin == 0 && c.allow_origin == NULL);
    CHECK_EQ_INT(emnet_proxy_config_clear(&c, "metrics_allow"), 0);
    CHECK(c.n_metrics_allow == 0);
    CHECK_EQ_INT(emnet_proxy_config_clear(&c, "listen"), -1);
    CHECK_EQ_INT(emnet_proxy_config_clear(&c, "bogus"), -1);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "allow", "192.0.2.1:80", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_allowlist_count(c.allow), 1);
    emnet_proxy_config_free(&c);
}

static void test_file_syntax(void)
{
    parse_expect("", 0, NULL);
    parse_expect("\n\n# only comments\n   # indented\n\t\n", 0, NULL);
    parse_expect("max_streams=5", 0, NULL);
    parse_expect("  max_streams   =   5  \r\nlisten = 127.0.0.1:1\r\n", 0, NULL);
    parse_expect("max_streams = 5\nbogus = 1\n", -1, "test.conf:2: unknown key \"bogus\"");
    parse_expect("\xEF\xBB\xBFmax_streams = 5\n", 0, NULL);
    parse_expect("max_streams = 5\n\xEF\xBB\xBFmax_streams = 5\n", -1, "test.conf:2: unknown key");
    parse_expect("\n\n\nmax_streams = 0\n", -1, "test.conf:4: max_streams: \"0\": out of range");
    parse_expect("max_streams 5\n", -1, "test.conf:1: expected key = value, got \"max_streams 5\"");
    parse_expect("= 5\n", -1, "test.conf:1: missing key before '='");
    parse_expect("metrics = on # comment\n", -1, "test.conf:1: metrics: ");
    parse_expect("allow = 10.0.0.0/8 # office\n", -1, "comments must be on lines of their own");
    parse_expect("log_level = debug\nlog_level = bad\n", -1, "test.conf:2: log_level");
    /* the binary junk in a message is made printable */
    parse_expect("k\x01\x7f\xff = 1\n", -1, "test.conf:1: unknown key \"k???\"");
    {
        const char text[] = "max_streams = 5\nlisten = a\0b:1\n";
        struct emnet_proxy_config c;
        char err[256];
        emnet_proxy_config_init(&c);
        CHECK_EQ_INT(emnet_proxy_config_parse(&c, text, sizeof text - 1, "nul.conf", err, sizeof err), -1);
        CHECK(strstr(err, "nul.conf:2: NUL byte in line") != NULL);
        CHECK_EQ_INT(c.max_streams, 5); /* lines before the error stay applied */
        emnet_proxy_config_free(&c);
    }
    /* 4096 bytes per line: the limit itself is fine, one more is not */
    char *line = malloc(8200);
    REQUIRE_VOID(line);
    memset(line, ' ', 8200);
    memcpy(line, "# ", 2);
    line[4096] = '\0';
    parse_expect(line, 0, NULL);
    line[4096] = ' ';
    line[4097] = '\0';
    parse_expect(line, -1, "test.conf:1: line longer than 4096 bytes");
    memcpy(line, "max_streams=7", 13);
    line[4096] = '\r';
    line[4097] = '\n';
    line[4098] = '\0';
    parse_expect(line, 0, NULL);
    /* a token of 4090 bytes is a legal line but not a legal token */
    memset(line, 'a', 8200);
    memcpy(line, "bearer_token=", 13);
    line[4096] = '\0';
    parse_expect(line, -1, "a bearer token is 1-1024 characters");
    free(line);
    /* lists append in file order */
    {
        const char *text = "allow = 10.0.0.0/8\nallow = irc.example.org:6667\nallow_origin = https://a.example\n"
                           "allow_origin = https://b.example\nmetrics_allow = 10.1.0.0/16\n";
        struct emnet_proxy_config c;
        char err[256];
        emnet_proxy_config_init(&c);
        CHECK_EQ_INT(emnet_proxy_config_parse(&c, text, strlen(text), "l.conf", err, sizeof err), 0);
        CHECK_EQ_INT(emnet_allowlist_count(c.allow), 2);
        CHECK(strcmp(emnet_allowlist_rule(c.allow, 1), "irc.example.org:6667") == 0);
        CHECK_EQ_INT(c.n_allow_origin, 2);
        CHECK(strcmp(c.allow_origin[0], "https://a.example") == 0);
        CHECK_EQ_INT(c.n_metrics_allow, 1);
        emnet_proxy_config_free(&c);
    }
}

static char *print_to_string(const struct emnet_proxy_config *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    emnet_proxy_config_print(c, f);
    fclose(f);
    return buf;
}

static void test_print_roundtrip(void)
{
    const char *text = "listen = [::1]:8443\ntls_cert = /etc/emnet/cert.pem\ntls_key = /etc/emnet/key.pem\n"
                       "allow_origin = https://app.example.org\nallow_origin = *\n"
                       "token_file = /etc/emnet/tokens\nbearer_token_file = /run/emnet/token\n"
                       "allow = 10.0.0.1/32:6667\nallow = [2001:DB8::/32]:1000-2000\nallow = *.Example.org:443\n"
                       "allow = *\nreveal_blocked_names = yes\n"
                       "max_connections = 5\nmax_connections_per_ip = 6\nmax_streams = 7\nmax_message = 1000\n"
                       "idle_timeout = 0\nconnect_timeout = 9\nresolve_timeout = 8\nwisp_credit = 3\nbuffer = 5000\n"
                       "wisp_user = emnet\nwisp_password_file = /run/emnet/wisp\nwisp_motd = Hello: be nice # not a comment\n"
                       "metrics = no\nmetrics_allow = 192.168.0.0/16\nlog_level = warn\nlog_format = json\n";
    struct emnet_proxy_config a, b;
    char err[512];
    emnet_proxy_config_init(&a);
    emnet_proxy_config_init(&b);
    CHECK_EQ_INT(emnet_proxy_config_parse(&a, text, strlen(text), "a.conf", err, sizeof err), 0);
    size_t la, lb;
    char *pa = print_to_string(&a, &la);
    REQUIRE_VOID(pa);
    CHECK_EQ_INT(emnet_proxy_config_parse(&b, pa, la, "printed", err, sizeof err), 0);
    char *pb = print_to_string(&b, &lb);
    CHECK(pb && strcmp(pa, pb) == 0);
    CHECK(strstr(pa, "allow = 10.0.0.1:6667\n") != NULL);
    CHECK(strstr(pa, "allow = [2001:db8::/32]:1000-2000\n") != NULL);
    CHECK(strstr(pa, "allow = *.example.org:443\n") != NULL);
    CHECK(strstr(pa, "metrics = off\n") != NULL);
    CHECK(strstr(pa, "reveal_blocked_names = on\n") != NULL);
    CHECK_EQ_INT(b.reveal_blocked_names, 1);
    CHECK(strstr(pa, "idle_timeout = 0\n") != NULL);
    CHECK(strstr(pa, "# bearer_token =\n") != NULL);
    CHECK(strstr(pa, "wisp_user = emnet\nwisp_password_file = /run/emnet/wisp\n") != NULL);
    CHECK(strstr(pa, "wisp_motd = Hello: be nice # not a comment\n") != NULL);
    CHECK_EQ_INT(b.max_message, 1000);
    CHECK(strcmp(b.tls_key, "/etc/emnet/key.pem") == 0 && strcmp(b.bearer_token_file, "/run/emnet/token") == 0);
    CHECK_EQ_INT(b.n_allow_origin, 2);
    CHECK_EQ_INT(emnet_allowlist_count(b.allow), 4);
    free(pa);
    free(pb);
    emnet_proxy_config_free(&b);

    /* defaults print and read back the same too */
    emnet_proxy_config_init(&b);
    pa = print_to_string(&b, &la);
    emnet_proxy_config_free(&b);
    emnet_proxy_config_init(&b);
    CHECK_EQ_INT(emnet_proxy_config_parse(&b, pa, la, "printed", err, sizeof err), 0);
    pb = print_to_string(&b, &lb);
    CHECK(pa && pb && strcmp(pa, pb) == 0);
    CHECK(strstr(pa, "# allow =") != NULL);
    CHECK(strstr(pa, "\nreveal_blocked_names = off\n") != NULL);
    free(pa);
    free(pb);
    emnet_proxy_config_free(&b);

    /* the bearer token is never printed; its placeholder does not read back */
    CHECK_EQ_INT(emnet_proxy_config_set(&a, "bearer_token_file", "", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_set(&a, "bearer_token", "s3cr3t-token", err, sizeof err), 0);
    pa = print_to_string(&a, &la);
    CHECK(pa && strstr(pa, "s3cr3t") == NULL && strstr(pa, "bearer_token = (set)\n") != NULL);
    emnet_proxy_config_init(&b);
    CHECK_EQ_INT(emnet_proxy_config_parse(&b, pa, la, "printed", err, sizeof err), -1);
    CHECK(strstr(err, "bearer_token") != NULL);
    free(pa);
    emnet_proxy_config_free(&b);
    emnet_proxy_config_free(&a);
}

static void test_validate_and_load(void)
{
    struct emnet_proxy_config c;
    char err[600], p1[512], p2[512];
    write_file("cert.pem", "-----BEGIN CERTIFICATE-----\n");
    write_file("key.pem", "-----BEGIN PRIVATE KEY-----\n");
    write_file("token", "  tok3n.value==  \nsecond line ignored\n");
    write_file("badtoken", "not a token\n");
    write_file("emptytoken", "\n");
    write_file("wisp-password", " open sesame \r\nsecond line ignored\n");
    write_file("wisp-password-utf8", "caf\xc3\n");
    {
        static char long_pw[1100];
        memset(long_pw, 'p', 1025);
        long_pw[1025] = '\n';
        write_file("wisp-password-long", long_pw);
    }
    write_file("tokens", "vnc: 127.0.0.1:5900\n");
    write_file("badtokens", "vnc 127.0.0.1:5900\n");

    emnet_proxy_config_init(&c);
    path_of(p1, sizeof p1, "cert.pem");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "tls_cert", p1, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "tls_cert is set but tls_key is not") != NULL);
    path_of(p2, sizeof p2, "missing-key.pem");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "tls_key", p2, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "tls_key: ") && strstr(err, "missing-key.pem: No such file or directory"));
    path_of(p2, sizeof p2, "key.pem");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "tls_key", p2, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "tls_cert", "", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "tls_key is set but tls_cert is not") != NULL);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "tls_key", "", err, sizeof err), 0);

    /* the hard limit of a client's memory is at least its budget */
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "client_buffer", "65536", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "client_buffer_max", "65535", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "client_buffer_max is below client_buffer") != NULL);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "client_buffer_max", "65536", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);

    /* bearer token: none, inline, from a file, both, bad file */
    char tok[64];
    CHECK_EQ_INT(emnet_proxy_config_bearer_token(&c, tok, sizeof tok, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "bearer_token", "inline", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_bearer_token(&c, tok, sizeof tok, err, sizeof err), 1);
    CHECK(strcmp(tok, "inline") == 0);
    CHECK_EQ_INT(emnet_proxy_config_bearer_token(&c, tok, 6, err, sizeof err), -1);
    path_of(p1, sizeof p1, "token");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "bearer_token_file", p1, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "bearer_token and bearer_token_file are both set") != NULL);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "bearer_token", "", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_bearer_token(&c, tok, sizeof tok, err, sizeof err), 1);
    CHECK(strcmp(tok, "tok3n.value==") == 0);
    static const char *const bad_files[] = { "badtoken", "emptytoken", "no-such-token" };
    for (size_t i = 0; i < 3; i++) {
        path_of(p1, sizeof p1, bad_files[i]);
        CHECK_EQ_INT(emnet_proxy_config_set(&c, "bearer_token_file", p1, err, sizeof err), 0);
        CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
        CHECK(strncmp(err, "bearer_token_file: ", 19) == 0 && strstr(err, bad_files[i]));
    }
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "bearer_token_file", "", err, sizeof err), 0);

    /* Wisp password: user and file both or neither; the file's whole first
     * line (spaces kept) is the password; a bad file fails validation. */
    char pw[EMNET_PROXY_WISP_TEXT_MAX + 1];
    CHECK_EQ_INT(emnet_proxy_config_wisp_password(&c, pw, sizeof pw, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_user", "emnet", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "wisp_user is set but wisp_password_file is not") != NULL);
    path_of(p1, sizeof p1, "wisp-password");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_password_file", p1, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_wisp_password(&c, pw, sizeof pw, err, sizeof err), 1);
    CHECK(strcmp(pw, " open sesame ") == 0);
    CHECK_EQ_INT(emnet_proxy_config_wisp_password(&c, pw, 5, err, sizeof err), -1);
    CHECK(strstr(err, "does not fit") != NULL);
    static const char *const bad_pw[] = { "emptytoken", "no-such-token", "wisp-password-long", "wisp-password-utf8" };
    static const char *const bad_pw_msg[] = { "first line is empty", "No such file", "longer than 1024 bytes",
                                              "not valid UTF-8" };
    for (size_t i = 0; i < 4; i++) {
        path_of(p1, sizeof p1, bad_pw[i]);
        CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_password_file", p1, err, sizeof err), 0);
        CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
        CHECK(strncmp(err, "wisp_password_file: ", 20) == 0 && strstr(err, bad_pw_msg[i]));
        if (!strstr(err, bad_pw_msg[i]))
            fprintf(stderr, "  wisp_password_file %s: \"%s\"\n", bad_pw[i], err);
    }
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_user", "", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strstr(err, "wisp_password_file is set but wisp_user is not") != NULL);
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "wisp_password_file", "", err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);

    /* token_file must load */
    path_of(p1, sizeof p1, "tokens");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "token_file", p1, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);
    path_of(p1, sizeof p1, "badtokens");
    CHECK_EQ_INT(emnet_proxy_config_set(&c, "token_file", p1, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), -1);
    CHECK(strncmp(err, "token_file: ", 12) == 0 && strstr(err, "badtokens:1: "));
    emnet_proxy_config_free(&c);

    /* load: messages carry the path; config_path is set */
    write_file("proxy.conf", "# emnet-proxy\nlisten = 127.0.0.1:0\nallow = 127.0.0.1:7\n\nmax_streams = x\n");
    path_of(p1, sizeof p1, "proxy.conf");
    emnet_proxy_config_init(&c);
    CHECK_EQ_INT(emnet_proxy_config_load(&c, p1, err, sizeof err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s:5: max_streams: \"x\": not a number", p1);
    CHECK(strstr(err, want) == err);
    CHECK(c.config_path && strcmp(c.config_path, p1) == 0);
    CHECK_EQ_INT(emnet_allowlist_count(c.allow), 1);
    emnet_proxy_config_free(&c);
    write_file("proxy.conf", "listen = 127.0.0.1:0\nallow = 127.0.0.1:7\n");
    emnet_proxy_config_init(&c);
    CHECK_EQ_INT(emnet_proxy_config_load(&c, p1, err, sizeof err), 0);
    CHECK_EQ_INT(emnet_proxy_config_validate(&c, err, sizeof err), 0);
    emnet_proxy_config_free(&c);
    emnet_proxy_config_init(&c);
    path_of(p1, sizeof p1, "nothing-here.conf");
    CHECK_EQ_INT(emnet_proxy_config_load(&c, p1, err, sizeof err), -1);
    CHECK(strstr(err, "nothing-here.conf: No such file or directory") != NULL);
    CHECK_EQ_INT(emnet_proxy_config_load(&c, dir, err, sizeof err), -1);
    CHECK(strstr(err, "is a directory") != NULL);
    emnet_proxy_config_free(&c);
}

static void test_split_host_port(void)
{
    static const struct { const char *text, *host; int port; } t[] = {
        { "127.0.0.1:8080", "127.0.0.1", 8080 }, { "[::1]:80", "::1", 80 }, { "localhost:0", "localhost", 0 },
        { "[fe80::1%eth0]:22", "fe80::1%eth0", 22 }, { "host:65535", "host", 65535 },
        { "host", NULL, 0 }, { ":80", NULL, 0 }, { "::1:80", NULL, 0 }, { "[::1]80", NULL, 0 },
        { "[::1]:", NULL, 0 }, { "host:65536", NULL, 0 }, { "host:-1", NULL, 0 }, { "[host]:80", NULL, 0 },
        { "[]:80", NULL, 0 }, { "a b:80", NULL, 0 }, { "host:8 0", NULL, 0 }, { "", NULL, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char host[64] = "";
        uint16_t port = 1;
        int rc = emnet_split_host_port(t[i].text, host, sizeof host, &port);
        CHECK_EQ_INT(rc, t[i].host ? 0 : -1);
        if (t[i].host && rc == 0) {
            CHECK(strcmp(host, t[i].host) == 0);
            CHECK_EQ_INT(port, t[i].port);
        }
    }
    char tiny[4];
    uint16_t port;
    CHECK_EQ_INT(emnet_split_host_port("longhost:1", tiny, sizeof tiny, &port), -1);
    CHECK_EQ_INT(emnet_split_host_port("abc:1", tiny, sizeof tiny, &port), 0);
}

/* init, parse, free many times: ASan's leak checker sees every loss */
static void test_no_leaks(void)
{
    const char *text = "allow = 10.0.0.0/8\nallow = a.example:1\nallow_origin = https://x.example\n"
                       "metrics_allow = ::1\nbearer_token = abc\ntls_cert = c\nlisten = [::1]:1\nbogus = 1\n";
    char err[256];
    for (int i = 0; i < 200; i++) {
        struct emnet_proxy_config c;
        emnet_proxy_config_init(&c);
        CHECK_EQ_INT(emnet_proxy_config_parse(&c, text, strlen(text), "loop", err, sizeof err), -1);
        CHECK_EQ_INT(emnet_proxy_config_clear(&c, "allow"), 0);
        emnet_proxy_config_free(&c);
    }
}

/* The documented example: it loads as it is (everything commented out: the
 * defaults), and with every "#key = value" line switched on it still
 * parses, and the numbers, booleans and choices it shows are the defaults. */
static void test_example(const char *path)
{
    struct emnet_proxy_config c, d;
    char err[600];
    emnet_proxy_config_init(&c);
    CHECK_EQ_INT(emnet_proxy_config_load(&c, path, err, sizeof err), 0);
    emnet_proxy_config_free(&c);

    FILE *f = fopen(path, "rb");
    REQUIRE_VOID(f);
    char *text = NULL;
    size_t len = 0, n_set = 0;
    FILE *out = open_memstream(&text, &len);
    char line[4200];
    while (fgets(line, sizeof line, f)) {
        int setting = line[0] == '#' && line[1] >= 'a' && line[1] <= 'z';
        n_set += (size_t)setting;
        fputs(setting ? line + 1 : line, out);
    }
    fclose(f);
    fclose(out);
    emnet_proxy_config_init(&c);
    emnet_proxy_config_init(&d);
    if (emnet_proxy_config_parse(&c, text, len, "example", err, sizeof err) != 0) {
        CHECK(!"the example with its settings switched on parses");
        fprintf(stderr, "  example: %s\n", err);
    }
    CHECK(n_set >= 22);
    CHECK(strcmp(c.listen, d.listen) == 0);
    CHECK(c.max_connections == d.max_connections && c.max_connections_per_ip == d.max_connections_per_ip);
    CHECK(c.max_streams == d.max_streams && c.max_message == d.max_message);
    CHECK(c.idle_timeout == d.idle_timeout && c.connect_timeout == d.connect_timeout);
    CHECK(c.resolve_timeout == d.resolve_timeout && c.wisp_credit == d.wisp_credit && c.buffer == d.buffer);
    CHECK(c.metrics == d.metrics && c.reveal_blocked_names == d.reveal_blocked_names);
    CHECK(strcmp(c.log_level, d.log_level) == 0 && strcmp(c.log_format, d.log_format) == 0);
    CHECK(c.tls_cert && c.tls_key && c.bearer_token && c.bearer_token_file && c.token_file);
    CHECK(c.wisp_user && c.wisp_password_file && c.wisp_motd);
    CHECK(c.n_allow_origin == 2 && c.n_metrics_allow == 1 && emnet_allowlist_count(c.allow) == 3);
    /* every key of the table appears in the example */
    char *printed = NULL;
    size_t plen = 0;
    out = open_memstream(&printed, &plen);
    emnet_proxy_config_print(&d, out);
    fclose(out);
    for (char *p = printed; p && *p;) {
        char *nl = strchr(p, '\n');
        char key[64];
        const char *k = p[0] == '#' && p[1] == ' ' ? p + 2 : p;
        size_t kl = strcspn(k, " =");
        if (kl < sizeof key && strchr(k, '=') && strchr(k, '=') < (nl ? nl : k + strlen(k))) {
            snprintf(key, sizeof key, "\n%.*s = ", (int)kl, k);
            CHECK(strstr(text, key) != NULL);
            if (!strstr(text, key))
                fprintf(stderr, "  the example does not show %s\n", key + 1);
        }
        p = nl ? nl + 1 : NULL;
    }
    free(printed);
    free(text);
    emnet_proxy_config_free(&c);
    emnet_proxy_config_free(&d);
}

static void cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/emnet-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_defaults();
    test_each_key();
    test_file_syntax();
    test_print_roundtrip();
    test_validate_and_load();
    test_split_host_port();
    test_no_leaks();
    if (argc > 1)
        test_example(argv[1]);
    cleanup();
    return check_exit("proxy_policy_config");
}
