/* A scratch directory for a policy test's files: made under $TMPDIR (or
 * /tmp) at the start, removed with everything in it at the end. */
#ifndef EMNET_TESTS_SCRATCH_DIR_H
#define EMNET_TESTS_SCRATCH_DIR_H

#include <stdio.h>
#include <stdlib.h>

/* Fills dir (len bytes) with a new directory's path; 0, or -1 after perror. */
static int scratch_dir_make(char *dir, size_t len, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    if (mkdtemp(dir)) return 0;
    perror("mkdtemp");
    return -1;
}

static void scratch_dir_remove(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

#endif
