/* The motcua file commands (transfer_cmd.c): attach, files, download, and
 * the --file options of receive and result. Internal to the executable. */
#ifndef MC_TRANSFER_CMD_H
#define MC_TRANSFER_CMD_H

#include "cli.h"

int cli_parse_attach(cli *c, int argc, char **argv);
int cli_run_attach(cli *c);
int cli_parse_files(cli *c, int argc, char **argv);
int cli_run_files(cli *c);
int cli_parse_download(cli *c, int argc, char **argv);
int cli_run_download(cli *c);

/* Remove every "--file PATH" from argv (compacting it, *argc updated) into
 * c->files; exit code. */
int cli_take_files(cli *c, int *argc, char **argv);
/* Upload c->files to code as kind; reports the first failure; exit code.
 * into (may be NULL) receives one JSON object per file. */
int cli_upload_files(cli *c, const char *code, const char *kind, json_t *into);
/* receive --file: print the dossier of rep (freed) with its files. */
int cli_receive_files(cli *c, Motcua__Envelope *rep);

#endif
