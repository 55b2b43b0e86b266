/* watch (watch_cmd.c): parse with cli_parse_none. */
#ifndef MC_CLI_WATCH_CMD_H
#define MC_CLI_WATCH_CMD_H

#include "cli.h"

int cli_run_watch(cli *c);

#endif
