#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int emnet_chat_parse_args(int argc, char **argv, struct emnet_chat_config *cfg)
{
    const char *pos[2] = { NULL, NULL };
    int npos = 0;
    cfg->nick = "guest";
    cfg->channel = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nick") && i + 1 < argc) cfg->nick = argv[++i];
        else if (!strcmp(argv[i], "--channel") && i + 1 < argc) cfg->channel = argv[++i];
        else if (argv[i][0] != '-' && npos < 2) pos[npos++] = argv[i];
        else npos = 3;
    }
    char *end = NULL;
    long port = npos == 2 ? strtol(pos[1], &end, 10) : 0;
    if (npos != 2 || !end || *end || port <= 0 || port > 65535) {
        fprintf(stderr, "usage: %s [--nick NICK] [--channel #CHANNEL] HOST PORT\n", argc > 0 ? argv[0] : "emnet-chat");
        return -1;
    }
    cfg->host = pos[0];
    cfg->port = (int)port;
    return 0;
}
