/* emnet-proxy's settings: the config file and the command-line flags share
 * one key space.
 *
 * File format: one `key = value` per line, `#` starts a comment line, blank lines ignored, surrounding
 * whitespace trimmed, list keys (marked [list]) may repeat and append. Unknown keys and bad values are errors
 * ("FILE:LINE: key: message"). Command-line flags are the same keys: `--key=value` or `--key value` (the server's main
 * maps them onto emnet_proxy_config_set; flags override the file; a list key given as a flag replaces the file's list).
 *
 * Details: a '#' after a value is part of the value (comments take whole
 * lines); a line may hold up to 4096 bytes; a key given twice keeps the
 * last value (lists append); '-' in a key reads as '_' (--max-connections).
 * Numbers are decimal digits only, range-checked; 0 only where it means
 * "never". Booleans: on/off, true/false, yes/no, 1/0. An optional string
 * (tls_cert, tls_key, bearer_token, bearer_token_file, token_file, wisp_user,
 * wisp_password_file, wisp_motd, webtransport_listen) set to
 * an empty value is unset again. proxy/emnet-proxy.conf.example documents
 * every key. All fields are owned by the struct: change them only through
 * these functions. */
#ifndef EMNET_POLICY_CONFIG_H
#define EMNET_POLICY_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "policy/allowlist.h"

/* The longest Wisp password and MOTD the proxy takes. */
#define EMNET_PROXY_WISP_TEXT_MAX 1024

struct emnet_proxy_config {
    char *listen;                    /* key listen, "HOST:PORT" ([v6]:port ok), default "127.0.0.1:8080";
                                        port 0 = one the kernel picks */
    char *tls_cert, *tls_key;        /* keys tls_cert, tls_key: PEM files; both or neither (validate) */
    char **allow_origin; size_t n_allow_origin;   /* [list] key allow_origin: exact Origin values, or "*" for any.
                                        None configured: only requests WITHOUT an Origin header are accepted. */
    char *bearer_token;              /* key bearer_token: if set, clients must send "Authorization: Bearer T"
                                        or the query parameter access_token=T (token68 characters only) */
    char *bearer_token_file;         /* key bearer_token_file: read the token from this file (first line) instead */
    char *token_file;                /* key token_file: websockify token file or directory (websockify mode) */
    struct emnet_allowlist *allow;   /* [list] key allow: allowlist rules (see allowlist.h); empty = deny all */
    int reveal_blocked_names;        /* key reveal_blocked_names, bool, default off: tell clients that a name
                                        exists but only at addresses the allowlist refuses (off: answered
                                        as a name that does not exist) */
    uint32_t max_connections;        /* key max_connections, default 10000: WebSocket connections in total */
    uint32_t max_connections_per_ip; /* key max_connections_per_ip, default 64 */
    uint32_t max_streams;            /* key max_streams, default 256: Wisp streams per connection */
    uint32_t max_message;            /* key max_message, default 65536: bytes per WebSocket message (payload) */
    uint32_t idle_timeout;           /* key idle_timeout, seconds, default 300 (0 = never) */
    uint32_t connect_timeout;        /* key connect_timeout, seconds, default 10 */
    uint32_t resolve_timeout;        /* key resolve_timeout, seconds, default 5 */
    uint32_t wisp_credit;            /* key wisp_credit, default 64: packets of CONTINUE credit per TCP stream */
    char *wisp_user;                 /* key wisp_user: with wisp_password_file, Wisp clients must authenticate
                                        (v2 password extension) as this user (UTF-8, 1-255 bytes) */
    char *wisp_password_file;        /* key wisp_password_file: the password is this file's first line (without
                                        its line end; UTF-8, 1-1024 bytes) */
    char *wisp_motd;                 /* key wisp_motd: message sent to Wisp v2 clients (MOTD extension; UTF-8,
                                        up to 1024 bytes) */
    uint32_t buffer;                 /* key buffer, default 262144: bytes buffered per direction per stream before
                                        the proxy stops reading the other side */
    uint32_t client_buffer;          /* key client_buffer, default 1048576: memory queued for one client connection
                                        (both ways, every stream, replies, datagrams waiting for a name, with
                                        per-message overhead) before its packets and targets are not read */
    uint32_t client_buffer_max;      /* key client_buffer_max, default 4194304 (>= client_buffer): past it the
                                        client is closed with 1008 */
    char *webtransport_listen;       /* key webtransport_listen, "HOST:PORT" (numeric host; port 0 = the kernel
                                        picks): serve WebTransport over HTTP/3 on this UDP address; unset = off */
    char *webtransport_path;         /* key webtransport_path, default "/emnet": the path sessions CONNECT to */
    uint32_t webtransport_cert_days; /* key webtransport_cert_days, 1-14, default 10: without tls_cert, the
                                        life of the certificate made for WebTransport (renewed at half of it) */
    int metrics;                     /* key metrics, bool (on/off/true/false/yes/no/1/0), default on: GET /metrics */
    char **metrics_allow; size_t n_metrics_allow; /* [list] key metrics_allow: CIDRs that may read /metrics;
                                        default (none configured) = loopback only */
    char *log_level;                 /* key log_level: error|warn|info|debug, default info */
    char *log_format;                /* key log_format: text|json, default text */
    char *config_path;               /* the file loaded, if any (set by emnet_proxy_config_load) */
};

void emnet_proxy_config_init(struct emnet_proxy_config *c);   /* defaults; allow = empty allowlist */
/* Frees every field; the struct may be initialised again afterwards. */
void emnet_proxy_config_free(struct emnet_proxy_config *c);
/* One setting. Returns 0, or -1 with a message naming the key. */
int emnet_proxy_config_set(struct emnet_proxy_config *c, const char *key, const char *value, char *err, size_t errlen);
/* For flags: clear a list key (allow, allow_origin, metrics_allow) before the flags' values append.
 * 0, or -1 if key is not a list key. */
int emnet_proxy_config_clear(struct emnet_proxy_config *c, const char *key);
/* 1 if key names a list key, 0 if another key, -1 if no key at all. */
int emnet_proxy_config_key_kind(const char *key);
/* Parse text (name is used in messages). Stops at the first error (the
 * lines before it stay applied). Any bytes are accepted as input. */
int emnet_proxy_config_parse(struct emnet_proxy_config *c, const char *text, size_t len, const char *name,
                             char *err, size_t errlen);
int emnet_proxy_config_load(struct emnet_proxy_config *c, const char *path, char *err, size_t errlen);
/* Cross-field checks (tls pair, listen parses, bearer token file readable, token_file loads, wisp_user and
 * wisp_password_file both or neither, the password file readable). */
int emnet_proxy_config_validate(const struct emnet_proxy_config *c, char *err, size_t errlen);
/* The effective bearer token: bearer_token, or the first line of
 * bearer_token_file (trimmed). 1 and the token in out, 0 if none is
 * configured, -1 with a message if the file cannot be read, holds no valid
 * token or the token does not fit in outlen. */
int emnet_proxy_config_bearer_token(const struct emnet_proxy_config *c, char *out, size_t outlen, char *err,
                                    size_t errlen);
/* The Wisp password: the first line of wisp_password_file (without its
 * line end). 1 and the password in out, 0 if none is configured, -1 with
 * a message if the file cannot be read, its first line is empty, longer
 * than 1024 bytes or not UTF-8, or it does not fit in outlen. */
int emnet_proxy_config_wisp_password(const struct emnet_proxy_config *c, char *out, size_t outlen, char *err,
                                     size_t errlen);
/* The effective configuration, one `key = value` per line, in file syntax (bearer token shown as "(set)",
 * which is not a valid token, so a printed config fed back in fails there instead of using it).
 * Unset keys and empty lists appear as comment lines. */
void emnet_proxy_config_print(const struct emnet_proxy_config *c, FILE *out);
/* Splits "HOST:PORT" / "[V6]:PORT" (port 0-65535, decimal). 0 or -1. */
int emnet_split_host_port(const char *text, char *host, size_t hostlen, uint16_t *port);

#endif
