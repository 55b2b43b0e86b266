/* Internal to the motcua executable: the offline outbox in the CLI
 * (client/outbox_cmd.c over the library's client/outbox.h).
 *
 * A state-changing command (receive, forward, a workflow action) whose
 * server cannot be reached is queued instead of failing: main.c's connect
 * step asks cli_outbox_offline() whether to go on without a link, and
 * commands.c's call() sends through cli_outbox_call(), which queues the
 * request (offline, or behind undelivered items of the same dossier) and
 * prints the "queued" answer. The commands `outbox` and `sync`, and the
 * delivery hook of `watch`, live here too. */
#ifndef MC_OUTBOX_CMD_H
#define MC_OUTBOX_CMD_H

#include "cli.h"

/* EXIT_REPORTED + code: the command's answer (queued, or an error about
 * the outbox) is already printed; the process exits with code. main()
 * maps it. */
#define EXIT_REPORTED 100

/* After mc_client_connect failed with err: 1 if this command may go on and
 * queue its request (state-changing command, "cannot reach" error), 0 if
 * the failure must be reported as before. */
int cli_outbox_offline(cli *c, int err);

/* mc_client_call for the commands, through the outbox when needed:
 * MC_OK and *reply; an mc_err (reported by the caller as usual); or
 * EXIT_REPORTED + exit code once the answer is printed. */
int cli_outbox_call(cli *c, Motcua__Envelope *req, Motcua__Envelope **reply);

/* The watch loop's hook: delivers the outbox on CONNECTED and PONG and
 * prints what it delivered. ud is the cli. */
void cli_outbox_watch(void *ud, mc_client *cl, const mc_client_event *ev);

/* Release the outbox state of c (NULL state allowed). */
void cli_outbox_free(cli *c);

/* The commands. */
int cli_outbox_parse(cli *c, int argc, char **argv);
int cli_outbox_run(cli *c);
int cli_sync_parse(cli *c, int argc, char **argv);
int cli_sync_run(cli *c);

#endif
