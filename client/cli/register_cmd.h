/* register (form 06 of a period) and hours list/set/reset (register_cmd.c). */
#ifndef MC_CLI_REGISTER_CMD_H
#define MC_CLI_REGISTER_CMD_H

#include "cli.h"

int cli_parse_register(cli *c, int argc, char **argv);
int cli_run_register(cli *c);
int cli_parse_hours(cli *c, int argc, char **argv);
int cli_run_hours(cli *c);

#endif
