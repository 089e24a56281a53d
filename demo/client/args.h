/* The command line both front ends take:
 *   [--nick NICK] [--channel #CHAN] HOST PORT
 * (in a page, Module.arguments). */
#ifndef EMNET_DEMO_ARGS_H
#define EMNET_DEMO_ARGS_H

#include "chat.h"

/* Fills cfg (pointing into argv). Returns 0, or -1 after printing usage. */
int emnet_chat_parse_args(int argc, char **argv, struct emnet_chat_config *cfg);

#endif
