/* monitor [--once] [--interval S] (monitor_cmd.c): the links of every unit,
 * as the server's admin endpoint sees them (admin certificates). */
#ifndef MC_CLI_MONITOR_CMD_H
#define MC_CLI_MONITOR_CMD_H

#include "cli.h"

int cli_parse_monitor(cli *c, int argc, char **argv);
int cli_run_monitor(cli *c);

#endif
