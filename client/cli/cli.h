/* The bottom layer of the motcua executable: the state of one run, the
 * command table's row, and the helpers every command family uses
 * (cli_util.c): reporting, option values, the send-or-queue call, the
 * dossier answer. Command files include this; main.c includes them. Nothing
 * here calls up into a command file or main.c. */
#ifndef MC_CLI_H
#define MC_CLI_H

#include "domain.h"
#include "fields.h"
#include "list.h"
#include "find.h"
#include "motcua_client.h"
#include "print.h"
#include "render.h"
#include "submit.h"

enum { EXIT_OK_ = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_CONNECT = 3, EXIT_REVOKED = 4 };

typedef struct cli_command cli_command;

typedef struct cli {
  const cli_command *cmd; /* the command being run */
  int json;
  int lang;
  const char *officer;
  mc_client_config cfg;
  mc_client *client;      /* connected by main.c when cmd->connect */
  mc_sender *sender;      /* send-or-queue over client, and the outbox */
  /* command arguments, filled by the command's parser */
  const char *procedure, *name, *id, *phone, *code;
  int channel;
  /* receive: intake as the receipt records it (issue 14) */
  const char *address, *email, *missing_reason;
  unsigned sets;
  size_t ncomps;
  Motcua__ReceivedComponent comps[MC_LIM_COMPONENTS];
  const char *comp_names[MC_LIM_COMPONENTS]; /* --component by name (ordinal 0 until resolved) */
  char comp_name_buf[MC_LIM_COMPONENTS][128];
  unsigned status, limit;
  /* workflow actions, list filters, inbox, holidays, slip */
  const char *reason, *note, *assignee, *department, *collected_by;
  int64_t amount, new_due_ms, due_within_ms;
  const char *due_text;   /* reschedule --to: read again in the hello's zone */
  unsigned rating, year;
  int overdue, peek, workday;
  int mine, awaiting_signature; /* list (issue 15) */
  mc_list_query lq;             /* list (issue 16: filters, order, page) */
  const char *text;       /* search */
  char after[MC_LIM_CURSOR + 1]; /* search --after (list: lq.after) */
  const char *find;       /* procedures --search */
  char code_buf[MC_LIM_DOSSIER_CODE + 1];  /* c->code normalised (find.h) */
  char proc_buf[MC_LIM_PROC_CODE + 1];     /* receive --procedure, resolved */
  int holiday_op;         /* Motcua__HolidaysRequest__Op */
  const char *date, *holiday_name;
  char date_iso[11]; /* date as YYYY-MM-DD (typed ISO or DD/MM/YYYY) */
  const char *form, *out_path, *province;
  int all;                /* outbox/logout --all; list/search/inbox --all: every page */
  /* register, hours (register_cmd.c, issue 14) */
  char from_iso[11], to_iso[11];
  const char *pdf_path, *xlsx_path, *unit;
  int hours_op;           /* 0 list, 1 set, 2 reset */
  size_t nsched;
  mc_fields_schedule sched[4];
  const char *login_name, *password_file, *new_password_file; /* login, passwd */
  /* files (transfer_cmd.c) */
  const char *files[32];
  int nfiles;
  const char *out_dir;
  /* officer accounts (officers_cmd.c) and lists for people (issue 15) */
  int officers_op;        /* Motcua__OfficersRequest__Op */
  const char *off_login, *off_name, *off_title, *off_unit;
  unsigned off_roles;     /* officers.h mask */
  int off_role_filter;    /* Motcua__OfficerRole, 0 = all */
  /* desk (desk_cmd.c, issue 16) */
  const char *desk_listen;
  int desk_port;          /* -1 = as configured */
} cli;

struct cli_command {
  const char *name;
  enum mc_msg usage;
  int connect; /* 1: connect before run; 0: run connects by itself */
  int queue;   /* 1: sends a request that may be queued when offline */
  int action;  /* Motcua__Action for the workflow action commands, else 0 */
  int (*parse)(cli *c, int argc, char **argv); /* 0, or reports and returns 2 */
  int (*run)(cli *c);                           /* exit code */
};

/* ---- reporting ---------------------------------------------------------- */

/* Report a failure (stderr, or the one JSON document on stdout) and return
 * exit_code. detail may be NULL. */
int cli_fail(const cli *c, int exit_code, int err, const char *text, const char *detail);
/* A failure err with the catalogue's text for it; raw (an English detail
 * from the server or a library, may be NULL) goes to the log and --json,
 * and is shown in English mode only. */
int cli_fail_err(const cli *c, int exit_code, int err, const char *raw);
/* A usage error about arg; MSG_ERR_UNKNOWN_OPTION goes through
 * cli_unknown_option (a suggestion when one is close). */
int cli_usage_error(const cli *c, enum mc_msg msg, const char *arg);
/* "Không có tùy chọn '--stauts'. Có phải ý bạn là '--status'?" when a
 * global option or one in the command's usage text is close to arg (the
 * part before any '='), else the plain unknown-option error. Exit 2. */
int cli_unknown_option(const cli *c, const char *arg);
/* "<msg> 'typo'. <Did you mean> 'best'?"; exit 2. */
int cli_suggest_error(const cli *c, enum mc_msg msg, const char *typo, const char *best);
/* Report a failed call: refusal -> 1, transport -> 3, revoked certificate
 * -> 4, local -> its code. */
int cli_report(const cli *c, const mc_client_error *e);
/* Print doc (compact when one_line) on stdout and release it; 0 or
 * MC_EIO. */
int cli_emit_json(json_t *doc, int one_line);
/* A time in the current zone for people; "—"-style MSG_NONE_YET if absent. */
void cli_time_text(int64_t ms, int lang, char *buf, size_t size);

/* ---- arguments ---------------------------------------------------------- */

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 and *out (advancing *i
 * past a separate value), 0 if argv[*i] is another option, -1 if the
 * value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out);
/* 1 if arg is the flag name ("--peek"). */
int cli_flag(const char *arg, const char *name);
/* While a probe is set, every option name a parser compares an argument
 * with (cli_opt_value, cli_flag) is recorded in it, once: what the parser
 * accepts, for the test that walks the command table (tests/client). */
#define CLI_PROBE_MAX 48
typedef struct cli_opt_probe {
  const char *names[CLI_PROBE_MAX];
  size_t n;
} cli_opt_probe;
void cli_opt_probe_set(cli_opt_probe *p); /* NULL stops recording */
/* m == MSG_NONE: EXIT_OK_; else the usage error m about arg. */
int cli_check(cli *c, enum mc_msg m, const char *arg);
int cli_parse_none(cli *c, int argc, char **argv);
/* c->code as the server spells it (find.h), into c->code_buf: any case;
 * the short form "yymmdd-nnnn" is accepted here and expanded after the
 * hello by cli_code_expand. MSG_NONE, or the message saying what is wrong. */
enum mc_msg cli_code_normalise(cli *c);
/* After connecting: a short c->code gets the agency id of the caller's own
 * unit (HelloReply units); offline, it is a usage error. Exit code. */
int cli_code_expand(cli *c);
/* The text search sends: c->text, or, when it is a dossier code in any
 * case, the code as the server spells it (in buf). A short form
 * "yymmdd-nnnn" goes as typed: the server matches it after any agency id
 * among the dossiers the caller sees. */
const char *cli_search_text(const cli *c, char *buf, size_t size);
/* Exactly one dossier code (or provisional number). */
int cli_parse_code(cli *c, int argc, char **argv);
/* "--limit N" at argv[*i] (*matched says whether it was); exit code. */
int cli_parse_limit(cli *c, int argc, char **argv, int *i, int *matched);
char *cli_str_or_empty(const char *s);

/* ---- calls -------------------------------------------------------------- */

/* mc_client_submit, then check the reply's body; exit code. Queued (the
 * server could not be reached, or the dossier has undelivered items): the
 * "queued" answer is printed, EXIT_OK_ returned and *reply is NULL. */
int cli_call(cli *c, Motcua__Envelope *req, Motcua__Envelope__BodyCase want,
             Motcua__Envelope **reply);
/* A dossier's history (HistoryRequest); exit code, *rep the reply. */
int cli_fetch_history(cli *c, const char *code, Motcua__Envelope **rep);
/* Print a DossierReply (JSON, or human with an optional headline) and free
 * it; exit code. */
int cli_print_dossier_reply(cli *c, Motcua__Envelope *rep, enum mc_msg headline);

#endif
