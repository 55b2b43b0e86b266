/* The command table (commands.c): one row per command. */
#ifndef MC_CLI_COMMANDS_H
#define MC_CLI_COMMANDS_H

#include <stddef.h>

#include "cli.h"

#define CLI_COMMANDS_MAX 64 /* rows at most */

/* The rows, *n of them. */
const cli_command *cli_commands(size_t *n);

#endif
