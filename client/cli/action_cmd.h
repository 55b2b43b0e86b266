/* The workflow action commands (action_cmd.c); the action is c->cmd->action. */
#ifndef MC_CLI_ACTION_CMD_H
#define MC_CLI_ACTION_CMD_H

#include "cli.h"

int cli_parse_action(cli *c, int argc, char **argv);
int cli_run_action(cli *c);
int cli_parse_result(cli *c, int argc, char **argv);
int cli_run_result(cli *c);

#endif
