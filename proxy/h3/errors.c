/* Error codes: the codec's own, the HTTP/3 codes they become on the wire,
 * and WebTransport's application codes folded into HTTP/3's space. This
 * is the one place where one kind turns into another. */
#include "h3_codec.h"

const char *emnet_h3_error_name(int err)
{
    switch (err) {
    case EMNET_H3_OK:
        return "ok";
#define NAME_CASE(name, value, text, code) \
    case value:                            \
        return text;
        EMNET_H3_ERROR_MAP(NAME_CASE)
#undef NAME_CASE
    }
    return "?";
}

uint64_t emnet_h3_error_code(int err)
{
    switch (err) {
    case EMNET_H3_OK:
        return EMNET_H3_CODE_NO_ERROR;
#define CODE_CASE(name, value, text, code) \
    case value:                            \
        return EMNET_H3_CODE_##code;
        EMNET_H3_ERROR_MAP(CODE_CASE)
#undef CODE_CASE
    }
    /* Not a codec error: a bug on this side, which is what
     * H3_INTERNAL_ERROR tells the peer. */
    return EMNET_H3_CODE_INTERNAL_ERROR;
}

const char *emnet_h3_code_name(uint64_t code)
{
    switch (code) {
#define WIRE_CASE(name, value, text) \
    case value:                      \
        return text;
        EMNET_H3_CODE_MAP(WIRE_CASE)
#undef WIRE_CASE
    }
    /* The range check comes before GREASE: inside the range, the GREASE
     * codepoints are the ones the mapping skips, still "reserved". */
    uint32_t app;
    if (emnet_h3_wt_app_error_from_code(code, &app) == 0)
        return "WT_APPLICATION_ERROR";
    return emnet_h3_is_grease(code) ? "reserved" : "unknown";
}

/* draft-ietf-webtrans-http3-16 §4.4, Figure 4: code n goes to
 * first + n + floor(n / 0x1e). The range holds 0x1f codepoints for every
 * 0x1e codes, one of each 0x1f being a GREASE value (RFC 9114 §8.1), and
 * the range starts right after one (first - 0x21 = 1 mod 0x1f), so the
 * added floor(n / 0x1e) steps over exactly the GREASE values. The unit
 * test walks both ends and a stride of the whole range to hold the
 * formula to that. */
uint64_t emnet_h3_wt_app_error_to_code(uint32_t app)
{
    return EMNET_H3_WT_APP_ERROR_FIRST + app + app / 0x1e;
}

int emnet_h3_wt_app_error_from_code(uint64_t code, uint32_t *app)
{
    if (code < EMNET_H3_WT_APP_ERROR_FIRST || code > EMNET_H3_WT_APP_ERROR_LAST || emnet_h3_is_grease(code))
        return -1;
    uint64_t shifted = code - EMNET_H3_WT_APP_ERROR_FIRST;
    *app = (uint32_t)(shifted - shifted / 0x1f);
    return 0;
}
