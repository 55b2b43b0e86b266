/* holidays list/add/remove (holiday_cmd.c). */
#ifndef MC_CLI_HOLIDAY_CMD_H
#define MC_CLI_HOLIDAY_CMD_H

#include "cli.h"

int cli_parse_holidays(cli *c, int argc, char **argv);
int cli_run_holidays(cli *c);

#endif
