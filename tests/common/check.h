/* Minimal assertions for emnet's test programs: each CHECK prints the file,
 * line and expression that failed and counts it; check_exit() prints a
 * summary and gives main's return value. Header-only, native and wasm. */
#ifndef EMNET_TESTS_CHECK_H
#define EMNET_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                              \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_EQ_INT(got, want)                                                  \
    do {                                                                         \
        long long got_ = (long long)(got), want_ = (long long)(want);            \
        check_count++;                                                           \
        if (got_ != want_) {                                                     \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %lld, expected %s == %lld\n", \
                    __FILE__, __LINE__, #got, got_, #want, want_);               \
        }                                                                        \
    } while (0)

/* REQUIRE for a void helper: counts, reports, and returns from it. */
#define REQUIRE_VOID(cond)                                                       \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            return;                                                              \
        }                                                                        \
    } while (0)

/* Stops the test at once: for failures that make the rest meaningless. */
#define REQUIRE(cond)                                                            \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            return 1;                                                            \
        }                                                                        \
    } while (0)

static inline int check_exit(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
