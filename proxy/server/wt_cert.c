/* The WebTransport gateway's certificate. A deployment with a real
 * certificate names its files (tls_cert, tls_key). Without one, the proxy
 * makes its own: browsers accept a self-signed certificate for
 * WebTransport when the page passes its SHA-256 hash
 * (serverCertificateHashes), but only an ECDSA one valid for at most 14
 * days. So it is made here, valid for webtransport_cert_days, made again
 * when half of that has gone, and its hash (with the previous one's, for
 * pages that fetched it just before) is served on /webtransport. */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wt.h"

#define HASH_LEN 32

struct cert {
    gnutls_certificate_credentials_t cred;
    unsigned char hash[HASH_LEN];
    int has_hash;                     /* made here: its hash is published */
    time_t made, expires;
};

/* The current one; the one before (connections made with it may still
 * use it, and a page may hold its hash); the one before that, freed when
 * the next is made. */
static struct cert current, previous, older;
static unsigned cert_days;

static void cert_clear(struct cert *c)
{
    if (c->cred) gnutls_certificate_free_credentials(c->cred);
    memset(c, 0, sizeof *c);
}

static int make_self_signed(struct cert *out, unsigned days, char *err, size_t errlen)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t der = { NULL, 0 };
    int rc = -1;
    time_t now = time(NULL);
    unsigned char serial[16];
    static const unsigned char loopback4[4] = { 127, 0, 0, 1 };
    static const unsigned char loopback6[16] = { [15] = 1 };
    if (gnutls_x509_privkey_init(&key) != 0 ||
        gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) != 0 ||
        gnutls_x509_crt_init(&crt) != 0)
        goto out;
    gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial);
    serial[0] &= 0x7f;   /* a positive number */
    /* Browsers count the whole validity period: a minute of slack for
     * clocks behind, and the end a minute early, keep it within days. */
    if (gnutls_x509_crt_set_version(crt, 3) != 0 || gnutls_x509_crt_set_serial(crt, serial, sizeof serial) != 0 ||
        gnutls_x509_crt_set_activation_time(crt, now - 60) != 0 ||
        gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400 - 120) != 0 ||
        gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "emnet-proxy", 11) != 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND) != 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback4, 4, GNUTLS_FSAN_APPEND) != 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback6, 16, GNUTLS_FSAN_APPEND) != 0 ||
        gnutls_x509_crt_set_key(crt, key) != 0 ||
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) != 0 ||
        gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) != 0 ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) != 0 ||
        gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, out->hash) != 0 ||
        gnutls_certificate_allocate_credentials(&out->cred) != 0)
        goto out;
    if (gnutls_certificate_set_x509_key(out->cred, &crt, 1, key) < 0) {
        gnutls_certificate_free_credentials(out->cred);
        out->cred = NULL;
        goto out;
    }
    out->has_hash = 1;
    out->made = now;
    out->expires = now + (time_t)days * 86400 - 120;
    rc = 0;
out:
    if (rc != 0) snprintf(err, errlen, "webtransport: cannot make a certificate");
    gnutls_free(der.data);
    if (crt) gnutls_x509_crt_deinit(crt);
    if (key) gnutls_x509_privkey_deinit(key);
    return rc;
}

int emnet_px_wt_cert_init(const char *cert_file, const char *key_file, unsigned days, char *err, size_t errlen)
{
    cert_days = days;
    if (cert_file && key_file) {
        if (gnutls_certificate_allocate_credentials(&current.cred) != 0) return -1;
        int rc = gnutls_certificate_set_x509_key_file(current.cred, cert_file, key_file, GNUTLS_X509_FMT_PEM);
        if (rc < 0) {
            snprintf(err, errlen, "webtransport: %s / %s: %s", cert_file, key_file, gnutls_strerror(rc));
            cert_clear(&current);
            return -1;
        }
        return 0;
    }
    return make_self_signed(&current, days, err, errlen);
}

struct gnutls_certificate_credentials_st *emnet_px_wt_cert_credentials(void)
{
    return current.cred;
}

void emnet_px_wt_cert_check_rotation(void)
{
    if (!current.has_hash || time(NULL) < current.made + (time_t)cert_days * 86400 / 2) return;
    struct cert next = { 0 };
    char err[128];
    if (make_self_signed(&next, cert_days, err, sizeof err) != 0) {
        emnet_px_log(EMNET_PX_WARN, "webtransport_cert", "error", err, NULL);
        return;
    }
    cert_clear(&older);
    older = previous;
    previous = current;
    current = next;
    emnet_px_log(EMNET_PX_INFO, "webtransport_cert", "event", "renewed", NULL);
}

static size_t put_hash(char *buf, size_t cap, const struct cert *c, int comma)
{
    static const char hex[] = "0123456789abcdef";
    char text[2 * HASH_LEN + 1];
    for (int i = 0; i < HASH_LEN; i++) {
        text[2 * i] = hex[c->hash[i] >> 4];
        text[2 * i + 1] = hex[c->hash[i] & 15];
    }
    text[2 * HASH_LEN] = '\0';
    int n = snprintf(buf, cap, "%s\"%s\"", comma ? "," : "", text);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t emnet_px_wt_cert_json(char *buf, size_t cap)
{
    size_t n = 0;
    int w = snprintf(buf, cap, "{\"port\":%d,\"path\":\"%s\",\"certificateHashes\":[", emnet_px.wt_port,
                     emnet_px.cfg->webtransport_path);
    if (w < 0 || (size_t)w >= cap) return 0;
    n = (size_t)w;
    if (current.has_hash) n += put_hash(buf + n, cap - n, &current, 0);
    if (previous.has_hash && time(NULL) < previous.expires) n += put_hash(buf + n, cap - n, &previous, 1);
    w = snprintf(buf + n, cap - n, "]}\n");
    if (w < 0 || (size_t)w >= cap - n) return 0;
    return n + (size_t)w;
}

void emnet_px_wt_cert_free(void)
{
    cert_clear(&current);
    cert_clear(&previous);
    cert_clear(&older);
}
