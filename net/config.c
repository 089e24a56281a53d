/* emnet's numeric and text settings: EMNET_* variables of the environment
 * (a page sets them in Module.emnetEnv), each named and defaulted once,
 * here. The transports' URLs and rules live with the transports'
 * registry (transports.c). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct {
    const char *name;
    long fallback;
    long min;   /* smaller values (and malformed ones) mean the default */
} settings[SETTING_COUNT] = {
    /* Linux gives up on an unanswered SYN after about 127 s (tcp_syn_retries 6). */
    [SETTING_CONNECT_TIMEOUT_MS] = { "EMNET_CONNECT_TIMEOUT_MS", 127000, 0 },
    /* A refusal through websockify (or plain Wisp) comes within this. */
    [SETTING_CONNECT_CONFIRM_MS] = { "EMNET_CONNECT_CONFIRM_MS", 100, 0 },
    [SETTING_RECV_BUFFER] = { "EMNET_RECV_BUFFER", 1 << 20, 1 },
    [SETTING_SEND_BUFFER] = { "EMNET_SEND_BUFFER", 1 << 20, 0 },
    [SETTING_UDP_DESTINATIONS] = { "EMNET_UDP_DESTINATIONS", 64, 0 },
    [SETTING_RESOLVE_CACHE_MS] = { "EMNET_RESOLVE_CACHE_MS", 10000, 0 },
    [SETTING_RESOLVE_TIMEOUT_MS] = { "EMNET_RESOLVE_TIMEOUT_MS", 10000, 0 },
};

static const char *const text_settings[TEXT_SETTING_COUNT] = {
    /* An http(s) URL answering {"port":N,"path":"/emnet","certificateHashes":["hex",...]}
     * (emnet-proxy's GET /webtransport): the session is then
     * https://<its host>:<port><path>, unless EMNET_WEBTRANSPORT_URL is set. */
    [TEXT_WEBTRANSPORT_INFO_URL] = "EMNET_WEBTRANSPORT_INFO_URL",
    /* For a self-signed proxy: the certificate's SHA-256 in hex, comma-separated. */
    [TEXT_WEBTRANSPORT_CERT_HASHES] = "EMNET_WEBTRANSPORT_CERT_HASHES",
    /* "datagrams" (QUIC datagrams when they fit), "stream" (every datagram
     * a record on its flow's stream, both ways), or unset/"auto": stream
     * where the engine loses bursts of QUIC datagrams (Firefox). */
    [TEXT_WEBTRANSPORT_UDP] = "EMNET_WEBTRANSPORT_UDP",
};

const char *emnet__text_setting(enum emnet_text_setting which)
{
    const char *v = getenv(text_settings[which]);
    return v && *v ? v : NULL;
}

long emnet__setting(enum emnet_setting which)
{
    const char *v = getenv(settings[which].name);
    if (!v || !*v) return settings[which].fallback;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < settings[which].min ? settings[which].fallback : n;
}

int emnet__config_allows(const char *env_name, const char *name)
{
    const char *v = getenv(env_name);
    if (!v) return 1;   /* unset: everything */
    size_t n = strlen(name);
    for (const char *p = v; *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, name, n) == 0) return 1;
        p += len;
    }
    return 0;
}

void emnet__wisp_credentials(const char **user, const char **password)
{
    *user = getenv("EMNET_WISP_USER");
    if (!*user) *user = "";
    *password = getenv("EMNET_WISP_PASSWORD");
}
