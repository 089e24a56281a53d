/* Structured log lines on stderr, one event per line:
 *   text: level=info event=connect client=1.2.3.4 target="a b"
 *   json: {"level":"info","event":"connect","client":"1.2.3.4"}
 * Values are quoted in text form only when they hold a space, a quote or
 * '='; control bytes are escaped in both forms so a hostile host name cannot
 * forge a line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server.h"

static enum emnet_px_level max_level = EMNET_PX_INFO;
static int json;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void emnet_px_log_setup(const char *level, const char *format)
{
    for (int i = 0; i < 4; i++)
        if (level && strcmp(level, level_names[i]) == 0) max_level = (enum emnet_px_level)i;
    json = format && strcmp(format, "json") == 0;
}

int emnet_px_log_enabled(enum emnet_px_level level) { return level <= max_level; }

/* A line is built in memory and written with one call: stderr is
 * unbuffered, so writing it piece by piece would cost a system call per
 * character, and lines of a busy proxy could tear. A line longer than
 * LOG_LINE_MAX is cut, and says so. */
#define LOG_LINE_MAX 4096
struct line {
    char buf[LOG_LINE_MAX];
    size_t len;
    int cut;
    int in_quote;   /* inside a quoted value (where a cut line is closed) */
};

/* Room kept for what ends a line (the cut mark and the newline). */
#define LINE_END_ROOM 16

static void put_bytes(struct line *l, const char *p, size_t n)
{
    if (l->len + n > LOG_LINE_MAX - LINE_END_ROOM) {
        n = LOG_LINE_MAX - LINE_END_ROOM - l->len;
        l->cut = 1;
    }
    memcpy(l->buf + l->len, p, n);
    l->len += n;
}

static void put_end(struct line *l, const char *s)
{
    size_t n = strlen(s);
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_str(struct line *l, const char *s) { put_bytes(l, s, strlen(s)); }

static void put_escaped(struct line *l, const char *v, int quote_always)
{
    int quote = quote_always || !*v || strpbrk(v, " \"=\\") != NULL;
    if (quote) {
        put_bytes(l, "\"", 1);
        l->in_quote = 1;
    }
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            put_bytes(l, esc, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            put_bytes(l, esc, 6);
        } else {
            put_bytes(l, (const char *)p, 1);
        }
    }
    if (quote) {
        put_bytes(l, "\"", 1);
        l->in_quote = 0;
    }
}

void emnet_px_log(enum emnet_px_level level, const char *event, ...)
{
    if (level > max_level) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    /* Room for what gcc thinks the widest fields could print (-O2's
     * format-truncation check), not only for real dates. */
    char when[96];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    static struct line l;
    l.len = 0;
    l.cut = 0;
    l.in_quote = 0;
    put_str(&l, json ? "{\"time\":\"" : "time=");
    put_str(&l, when);
    put_str(&l, json ? "\",\"level\":\"" : " level=");
    put_str(&l, level_names[level]);
    put_str(&l, json ? "\",\"event\":" : " event=");
    put_escaped(&l, event, json);
    va_list ap;
    va_start(ap, event);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k) break;
        const char *v = va_arg(ap, const char *);
        if (!v) continue;
        put_str(&l, json ? ",\"" : " ");
        put_str(&l, k);
        put_str(&l, json ? "\":" : "=");
        put_escaped(&l, v, json);
    }
    va_end(ap);
    if (l.cut) {
        if (l.in_quote) put_end(&l, "\"");
        put_end(&l, json ? ",\"cut\":true" : " cut=yes");
    }
    put_end(&l, json ? "}\n" : "\n");
    fwrite(l.buf, 1, l.len, stderr);
    fflush(stderr);
}

/* A client may cause a burst of LIMIT_BURST lines, then LIMIT_PER_SECOND a
 * second: enough to see what it does, too few to fill a disk. */
#define LIMIT_BURST 20
#define LIMIT_PER_SECOND 2

int emnet_px_log_allow(struct emnet_px_log_limit *l, const char *client)
{
    int64_t now = emnet_px_now_ms();
    if (!l->refill_ms) {
        l->refill_ms = now;
        l->tokens = LIMIT_BURST;
    }
    int64_t add = (now - l->refill_ms) * LIMIT_PER_SECOND / 1000;
    if (add > 0) {
        l->tokens = (uint32_t)(l->tokens + add > LIMIT_BURST ? LIMIT_BURST : l->tokens + add);
        l->refill_ms += add * 1000 / LIMIT_PER_SECOND;
    }
    if (!l->tokens) {
        l->suppressed++;
        emnet_px_metrics.log_lines_suppressed++;
        return 0;
    }
    l->tokens--;
    if (l->suppressed) {
        char n[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)l->suppressed);
        l->suppressed = 0;
        emnet_px_log(EMNET_PX_INFO, "log_suppressed", "client", client, "lines", n, NULL);
    }
    return 1;
}
