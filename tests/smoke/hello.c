/* The first smoke test of every tier: the program runs, prints, and ends
 * with the status given as its first argument, which the runner (ctest under
 * Node, or the page under Chromium) must read back exactly. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
#ifdef __EMSCRIPTEN__
    const char *where = "wasm";
#else
    const char *where = "native";
#endif
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("emnet smoke: hello from %s, exiting with %d\n", where, status);
    return status;
}
