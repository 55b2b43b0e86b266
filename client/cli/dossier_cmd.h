/* The dossier commands (dossier_cmd.c): ping, whoami, procedures, receive,
 * show, forward, list, search, history, inbox. */
#ifndef MC_CLI_DOSSIER_CMD_H
#define MC_CLI_DOSSIER_CMD_H

#include "cli.h"

int cli_parse_forward(cli *c, int argc, char **argv);
int cli_parse_receive(cli *c, int argc, char **argv);
int cli_parse_list(cli *c, int argc, char **argv);
int cli_parse_inbox(cli *c, int argc, char **argv);
int cli_parse_search(cli *c, int argc, char **argv);
int cli_run_ping(cli *c);
int cli_run_whoami(cli *c);
int cli_parse_procedures(cli *c, int argc, char **argv);
int cli_run_procedures(cli *c);
int cli_run_receive(cli *c);
int cli_run_show(cli *c);
int cli_run_forward(cli *c);
int cli_run_list(cli *c);
int cli_run_today(cli *c);
int cli_run_search(cli *c);
int cli_run_history(cli *c);
int cli_run_inbox(cli *c);

#endif
