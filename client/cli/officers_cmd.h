/* officers list|add|disable|enable|reset-password|roles (officers_cmd.c),
 * and the assign candidates (assign without --to). */
#ifndef MC_CLI_OFFICERS_CMD_H
#define MC_CLI_OFFICERS_CMD_H

#include "cli.h"

int cli_parse_officers(cli *c, int argc, char **argv);
int cli_run_officers(cli *c);
/* The unit's active processing officers, printed (assign without --to). */
int cli_run_assign_candidates(cli *c);

#endif
