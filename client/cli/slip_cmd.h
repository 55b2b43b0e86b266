/* slip CODE --form NN -o FILE (slip_cmd.c). */
#ifndef MC_CLI_SLIP_CMD_H
#define MC_CLI_SLIP_CMD_H

#include "cli.h"

int cli_parse_slip(cli *c, int argc, char **argv);
int cli_run_slip(cli *c);

#endif
