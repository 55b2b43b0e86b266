/* The outbox commands (outbox_cmd.c): `outbox` lists what waits, `sync`
 * delivers it, and the watch loop's hook delivers it while the link is up.
 * Queueing itself is the library's (submit.h). */
#ifndef MC_CLI_OUTBOX_CMD_H
#define MC_CLI_OUTBOX_CMD_H

#include "cli.h"

/* The watch loop's hook: delivers the outbox on CONNECTED and PONG and
 * prints what it delivered. ud is the cli. */
void cli_outbox_watch(void *ud, mc_client *cl, const mc_client_event *ev);

int cli_outbox_parse(cli *c, int argc, char **argv);
int cli_outbox_run(cli *c);
int cli_sync_parse(cli *c, int argc, char **argv);
int cli_sync_run(cli *c);

#endif
