/* Internal to the motcua executable: state shared by main.c (options,
 * configuration, error reporting) and commands.c (one function per
 * command). */
#ifndef MC_CLI_H
#define MC_CLI_H

#include "fields.h"
#include "print.h"
#include "render.h"
#include "motcua_client.h"

enum { EXIT_OK_ = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_CONNECT = 3 };

typedef struct cli_command cli_command;

typedef struct cli {
  const cli_command *cmd; /* the command being run */
  int json;
  int lang;
  const char *officer;
  mc_client_config cfg;
  mc_client *client;
  /* command arguments, filled by the command's parser */
  const char *procedure, *name, *id, *phone, *code;
  int channel;
  unsigned status, limit;
  /* workflow actions, list filters, inbox, holidays, slip */
  const char *reason, *note, *assignee, *department, *collected_by;
  int64_t amount, new_due_ms, due_within_ms;
  unsigned rating, year;
  int overdue, peek, workday;
  const char *text;       /* search */
  int holiday_op;         /* Motcua__HolidaysRequest__Op */
  const char *date, *holiday_name;
  const char *form, *out_path, *province;
  int all;                /* outbox --all */
  struct cli_outbox *ob;  /* offline outbox state (outbox_cmd.c) */
  /* files (transfer_cmd.c) */
  const char *files[32];
  int nfiles;
  const char *out_dir;
} cli;

struct cli_command {
  const char *name;
  enum mc_msg usage;
  int connect; /* 1: connect before run; 0: run connects by itself */
  int action;  /* Motcua__Action for the workflow action commands, else 0 */
  int (*parse)(cli *c, int argc, char **argv); /* 0, or reports and returns 2 */
  int (*run)(cli *c);                           /* exit code */
};

const cli_command *cli_find_command(const char *name);

/* Report a failure (stderr, or the one JSON document on stdout) and return
 * exit_code. detail may be NULL. */
int cli_fail(const cli *c, int exit_code, int err, const char *text, const char *detail);
int cli_usage_error(const cli *c, enum mc_msg msg, const char *arg);
/* Report the client's last failure: refusal -> 1, transport -> 3. */
int cli_client_error(const cli *c, int err);
/* Print doc (compact when one_line) on stdout and release it. */
int cli_emit_json(json_t *doc, int one_line);

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 and *out (advancing *i
 * past a separate value), 0 if argv[*i] is another option, -1 if the
 * value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out);

#endif
