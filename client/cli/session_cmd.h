/* login, logout, passwd (session_cmd.c): the officer session (issue 15). */
#ifndef MC_CLI_SESSION_CMD_H
#define MC_CLI_SESSION_CMD_H

#include "cli.h"

int cli_parse_login(cli *c, int argc, char **argv);
int cli_run_login(cli *c);
int cli_parse_logout(cli *c, int argc, char **argv);
int cli_run_logout(cli *c);
int cli_parse_passwd(cli *c, int argc, char **argv);
int cli_run_passwd(cli *c);

#endif
