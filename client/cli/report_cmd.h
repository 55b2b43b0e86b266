/* report: the period report and the Decision 766 indicators (report_cmd.c). */
#ifndef MC_CLI_REPORT_CMD_H
#define MC_CLI_REPORT_CMD_H

#include "cli.h"

int cli_parse_report(cli *c, int argc, char **argv);
int cli_run_report(cli *c);

#endif
