/* desk (desk_cmd.c): motcua desk [--listen ADDR:PORT] [--port PORT]. */
#ifndef MC_CLI_DESK_CMD_H
#define MC_CLI_DESK_CMD_H

#include "cli.h"

int cli_parse_desk(cli *c, int argc, char **argv);
int cli_run_desk(cli *c);

#endif
