/* The motcua commands: argument parsing/validation and output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "outbox_cmd.h"
#include "slip.h"
#include "transfer_cmd.h"

/* ---- argument parsing ------------------------------------------------- */

static int parse_none(cli *c, int argc, char **argv) {
  return argc > 0 ? cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[0]) : EXIT_OK_;
}

static int check(cli *c, enum mc_msg m, const char *arg) {
  return m == MSG_NONE ? EXIT_OK_ : cli_usage_error(c, m, arg);
}

static int parse_code(cli *c, int argc, char **argv) {
  if (argc < 1) return cli_usage_error(c, MSG_ERR_NEED_CODE, NULL);
  if (argc > 1) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[1]);
  c->code = argv[0];
  return check(c, mc_cli_check_dossier_code(c->code), c->code);
}

static int parse_forward(cli *c, int argc, char **argv) {
  int rc = parse_code(c, argc, argv);
  return rc != EXIT_OK_ ? rc : check(c, mc_cli_check_officer(c->officer), NULL);
}

/* One "--opt value" of receive; 0 ok, else exit code after reporting. */
static int receive_opt(cli *c, int argc, char **argv, int *i) {
  static const char *const names[] = {"--procedure", "--name", "--id", "--phone",
                                      "--channel"};
  const char **slots[] = {&c->procedure, &c->name, &c->id, &c->phone, NULL};
  const char *v = NULL, *channel = NULL;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    int r = cli_opt_value(argc, argv, i, names[k], &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, names[k]);
    if (r == 0) continue;
    if (slots[k] != NULL) {
      *slots[k] = v;
      return EXIT_OK_;
    }
    channel = v;
    c->channel = mc_cli_channel_parse(channel);
    return c->channel < 0 ? cli_usage_error(c, MSG_ERR_CHANNEL, channel) : EXIT_OK_;
  }
  return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
}

static int parse_receive(cli *c, int argc, char **argv) {
  int rc = cli_take_files(c, &argc, argv); /* --file PATH (repeatable) */
  if (rc != EXIT_OK_) return rc;
  c->channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  for (int i = 0; i < argc; i++)
    if ((rc = receive_opt(c, argc, argv, &i)) != EXIT_OK_) return rc;
  if ((rc = check(c, mc_cli_check_procedure(c->procedure), c->procedure)) ||
      (rc = check(c, mc_cli_check_name(c->name), NULL)) ||
      (rc = check(c, mc_cli_check_citizen_id(c->id), NULL)) ||
      (rc = check(c, mc_cli_check_phone(c->phone), NULL)) ||
      (rc = check(c, mc_cli_check_officer(c->officer), NULL)))
    return rc;
  return EXIT_OK_;
}

static int parse_list(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r;
    if ((r = cli_opt_value(argc, argv, &i, "--status", &v)) != 0) {
      if (r < 0 || mc_cli_parse_uint(v, 1, 10, &c->status) != 0)
        return cli_usage_error(c, MSG_ERR_STATUS_RANGE, v);
    } else if ((r = cli_opt_value(argc, argv, &i, "--limit", &v)) != 0) {
      if (r < 0 || mc_cli_parse_uint(v, 1, MC_CLI_LIST_LIMIT_MAX, &c->limit) != 0)
        return cli_usage_error(c, MSG_ERR_LIMIT_RANGE, v);
    } else if (strcmp(argv[i], "--overdue") == 0) {
      c->overdue = 1;
    } else if ((r = cli_opt_value(argc, argv, &i, "--due-within", &v)) != 0) {
      if (r < 0 || mc_cli_parse_span(v, &c->due_within_ms) != 0)
        return cli_usage_error(c, MSG_ERR_SPAN, v);
    } else {
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    }
  }
  return EXIT_OK_;
}

/* ---- workflow action arguments ------------------------------------------ */

enum {
  OPT_REASON = 1u << 0,
  OPT_NOTE = 1u << 1,
  OPT_ASSIGNEE = 1u << 2,  /* --to OFFICER (assign) */
  OPT_DEPT = 1u << 3,
  OPT_AMOUNT = 1u << 4,
  OPT_DUE = 1u << 5,       /* --to DATE (reschedule) */
  OPT_COLLECTOR = 1u << 6, /* --to NAME (return) */
  OPT_LEVEL = 1u << 7
};

static const struct opt_def {
  unsigned bit;
  const char *name;
} opt_defs[] = {
    {OPT_REASON, "--reason"}, {OPT_NOTE, "--note"},     {OPT_ASSIGNEE, "--to"},
    {OPT_DEPT, "--dept"},     {OPT_AMOUNT, "--amount"}, {OPT_DUE, "--to"},
    {OPT_COLLECTOR, "--to"},  {OPT_LEVEL, "--level"},
};

#define ACT(x) MOTCUA__ACTION__ACTION_##x
/* Options each action takes, and those it requires (the server's rules). */
static const struct action_spec {
  int action;
  unsigned allowed, required;
} action_specs[] = {
    {ACT(ACCEPT), 0, 0},
    {ACT(ASSIGN), OPT_ASSIGNEE | OPT_DEPT, OPT_ASSIGNEE},
    {ACT(RESULT), 0, 0},
    {ACT(SEND_BACK), 0, 0},
    {ACT(SUPPLEMENT_REQUEST), OPT_REASON, OPT_REASON},
    {ACT(SUPPLEMENT), OPT_NOTE, 0},
    {ACT(FEE_REQUEST), OPT_AMOUNT, OPT_AMOUNT},
    {ACT(FEE_PAID), 0, 0},
    {ACT(REFUSE), OPT_REASON, OPT_REASON},
    {ACT(STOP), OPT_REASON, OPT_REASON},
    {ACT(WITHDRAW), OPT_REASON, 0},
    {ACT(RESCHEDULE), OPT_DUE | OPT_REASON, OPT_DUE | OPT_REASON},
    {ACT(RETURN), OPT_COLLECTOR, OPT_COLLECTOR},
    {ACT(RATE), OPT_LEVEL, OPT_LEVEL},
};

static const struct action_spec *spec_of(int action) {
  for (size_t i = 0; i < sizeof action_specs / sizeof action_specs[0]; i++)
    if (action_specs[i].action == action) return &action_specs[i];
  return NULL;
}

/* Store and check one option value; exit code. */
static int set_action_opt(cli *c, unsigned bit, const char *v) {
  switch (bit) {
  case OPT_REASON: return check(c, mc_cli_check_reason(c->reason = v), NULL);
  case OPT_NOTE: return check(c, mc_cli_check_note(c->note = v), NULL);
  case OPT_ASSIGNEE: return check(c, mc_cli_check_assignee(c->assignee = v), v);
  case OPT_DEPT: return check(c, mc_cli_check_department(c->department = v), v);
  case OPT_COLLECTOR: return check(c, mc_cli_check_collector(c->collected_by = v), v);
  case OPT_AMOUNT:
    return mc_cli_parse_amount(v, &c->amount) == 0 ? EXIT_OK_
                                                     : cli_usage_error(c, MSG_ERR_AMOUNT, v);
  case OPT_DUE:
    return mc_cli_parse_due(v, mc_cli_utc_offset(), &c->new_due_ms) == 0
               ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_DUE_DATE, v);
  case OPT_LEVEL:
    return mc_cli_parse_uint(v, 1, 3, &c->rating) == 0 ? EXIT_OK_
                                                        : cli_usage_error(c, MSG_ERR_RATING, v);
  }
  return EXIT_USAGE;
}

/* One "--opt value" among allowed at argv[*i]; exit code. */
static int action_opt(cli *c, unsigned allowed, unsigned *seen, int argc, char **argv,
                      int *i) {
  for (size_t k = 0; k < sizeof opt_defs / sizeof opt_defs[0]; k++) {
    const char *v = NULL;
    if (!(opt_defs[k].bit & allowed)) continue;
    int r = cli_opt_value(argc, argv, i, opt_defs[k].name, &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, opt_defs[k].name);
    if (r == 0) continue;
    *seen |= opt_defs[k].bit;
    return set_action_opt(c, opt_defs[k].bit, v);
  }
  return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
}

static int missing_required(cli *c, unsigned required, unsigned seen) {
  for (size_t k = 0; k < sizeof opt_defs / sizeof opt_defs[0]; k++)
    if ((opt_defs[k].bit & required) && !(opt_defs[k].bit & seen))
      return cli_usage_error(c, MSG_ERR_NEED_OPTION, opt_defs[k].name);
  return EXIT_OK_;
}

/* CODE plus the options of c->cmd->action, in any order. */
static int parse_action(cli *c, int argc, char **argv) {
  const struct action_spec *sp = spec_of(c->cmd->action);
  unsigned seen = 0;
  int rc;
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      if ((rc = action_opt(c, sp->allowed, &seen, argc, argv, &i)) != EXIT_OK_) return rc;
    } else if (c->code != NULL) {
      return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    } else {
      c->code = argv[i];
    }
  }
  if ((rc = check(c, mc_cli_check_dossier_code(c->code), c->code)) != EXIT_OK_ ||
      (rc = missing_required(c, sp->required, seen)) != EXIT_OK_)
    return rc;
  return check(c, mc_cli_check_officer(c->officer), NULL);
}

/* ---- inbox, search, holidays, slip arguments ---------------------------- */

static int parse_limit(cli *c, int argc, char **argv, int *i, int *matched) {
  const char *v = NULL;
  int r = cli_opt_value(argc, argv, i, "--limit", &v);
  *matched = r != 0;
  if (r < 0 || (r > 0 && mc_cli_parse_uint(v, 1, MC_CLI_LIST_LIMIT_MAX, &c->limit) != 0))
    return cli_usage_error(c, MSG_ERR_LIMIT_RANGE, v);
  return EXIT_OK_;
}

static int parse_inbox(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int matched, rc = parse_limit(c, argc, argv, &i, &matched);
    if (rc != EXIT_OK_) return rc;
    if (matched) continue;
    if (strcmp(argv[i], "--peek") != 0)
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    c->peek = 1;
  }
  return EXIT_OK_;
}

static int parse_search(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int matched, rc = parse_limit(c, argc, argv, &i, &matched);
    if (rc != EXIT_OK_) return rc;
    if (matched) continue;
    if (argv[i][0] == '-' && argv[i][1] == '-')
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    if (c->text != NULL) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    c->text = argv[i];
  }
  if (c->text == NULL) return cli_usage_error(c, MSG_ERR_SEARCH_TEXT, NULL);
  return check(c, mc_cli_check_search(c->text), c->text);
}

static int parse_holiday_date(cli *c, const char *v) {
  int y, m, d;
  c->date = v;
  return mc_cli_parse_date(v, &y, &m, &d) == 0 ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_DATE, v);
}

/* Options of holidays list/add/remove after the subcommand; exit code. */
static int holidays_opt(cli *c, int argc, char **argv, int *i) {
  const char *v = NULL;
  int r, op = c->holiday_op;
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__LIST &&
      (r = cli_opt_value(argc, argv, i, "--year", &v)) != 0)
    return r < 0 || mc_cli_parse_uint(v, 2000, 2100, &c->year) != 0
               ? cli_usage_error(c, MSG_ERR_YEAR, v) : EXIT_OK_;
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD &&
      (r = cli_opt_value(argc, argv, i, "--name", &v)) != 0) {
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--name");
    return check(c, mc_cli_check_holiday_name(c->holiday_name = v), v);
  }
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD && strcmp(argv[*i], "--workday") == 0)
    return c->workday = 1, EXIT_OK_;
  if (argv[*i][0] == '-' && argv[*i][1] == '-')
    return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__LIST || c->date != NULL)
    return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[*i]);
  return parse_holiday_date(c, argv[*i]);
}

static int parse_holidays(cli *c, int argc, char **argv) {
  static const char *const subs[] = {"list", "add", "remove"};
  c->holiday_op = -1;
  for (int k = 0; argc > 0 && k < 3; k++)
    if (strcmp(argv[0], subs[k]) == 0) c->holiday_op = k;
  if (c->holiday_op < 0)
    return cli_usage_error(c, MSG_ERR_NEED_SUBCOMMAND, argc > 0 ? argv[0] : NULL);
  for (int i = 1; i < argc; i++) {
    int rc = holidays_opt(c, argc, argv, &i);
    if (rc != EXIT_OK_) return rc;
  }
  if (c->holiday_op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST && c->date == NULL)
    return cli_usage_error(c, MSG_ERR_DATE, NULL);
  if (c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD && c->holiday_name == NULL)
    return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--name");
  return EXIT_OK_;
}

static int valid_form(const char *f) {
  return f != NULL && strlen(f) == 2 && f[0] == '0' && f[1] >= '1' && f[1] <= '5';
}

/* One option of slip at argv[*i]; exit code. */
static int slip_opt(cli *c, int argc, char **argv, int *i) {
  static const char *const names[] = {"--form", "-o", "--output", "--province"};
  const char **slots[] = {&c->form, &c->out_path, &c->out_path, &c->province};
  for (size_t k = 0; k < 4; k++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, i, names[k], &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, names[k]);
    if (r > 0) return *slots[k] = v, EXIT_OK_;
  }
  return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
}

static int parse_slip(cli *c, int argc, char **argv) {
  int rc;
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      if ((rc = slip_opt(c, argc, argv, &i)) != EXIT_OK_) return rc;
    } else if (c->code != NULL) {
      return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    } else {
      c->code = argv[i];
    }
  }
  if ((rc = check(c, mc_cli_check_dossier_code(c->code), c->code)) != EXIT_OK_) return rc;
  if (c->form == NULL) return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--form");
  if (!valid_form(c->form)) return cli_usage_error(c, MSG_ERR_FORM, c->form);
  if (c->out_path == NULL || c->out_path[0] == '\0')
    return cli_usage_error(c, MSG_ERR_NEED_OPTION, "-o");
  if (c->json && strcmp(c->out_path, "-") == 0) /* one JSON document on stdout */
    return cli_usage_error(c, MSG_ERR_EXTRA_ARG, "-o -");
  if (c->province != NULL && c->province[0] != '\0' &&
      mc_cli_check_collector(c->province) != MSG_NONE)
    return cli_usage_error(c, MSG_ERR_PROVINCE_INVALID, NULL);
  return EXIT_OK_;
}

/* ---- calls ------------------------------------------------------------ */

/* Send req and check the reply's body; exit code. */
static int call(cli *c, Motcua__Envelope *req, Motcua__Envelope__BodyCase want,
                Motcua__Envelope **reply) {
  int rc = cli_outbox_call(c, req, reply); /* mc_client_call, or queued offline */
  if (rc >= EXIT_REPORTED) return rc;
  if (rc != MC_OK) return cli_client_error(c, rc);
  if ((*reply)->body_case == want) return EXIT_OK_;
  const char *got = mc_body_name((*reply)->body_case);
  mc_envelope_free(*reply);
  *reply = NULL;
  if (c->json)
    return cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  return cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), got);
}

static void time_text(int64_t ms, int lang, char *buf, size_t size) {
  if (mc_cli_human_time(ms, mc_cli_utc_offset(), lang, buf, size) != 0)
    snprintf(buf, size, "%s", mc_msg(lang, MSG_NONE_YET));
}

static json_t *jtime(int64_t ms) {
  char buf[40];
  if (mc_cli_rfc3339(ms, mc_cli_utc_offset(), buf, sizeof buf) != 0) return json_null();
  return json_string(buf);
}

static const char *role_name(int role) {
  const char *n = mc_cli_role_name(role);
  return n != NULL ? n : "unknown";
}

static enum mc_msg role_msg(int role) {
  return role == 1 ? MSG_ROLE_COMMUNE : role == 2 ? MSG_ROLE_DISTRICT
                                    : role == 3   ? MSG_ROLE_ADMIN
                                                  : MSG_UNKNOWN;
}

/* ---- commands --------------------------------------------------------- */

static int run_ping(cli *c) {
  uint64_t rtt = 0;
  int64_t server_ms = 0;
  const mc_client_info *info = mc_client_get_info(c->client);
  int rc = mc_client_ping(c->client, &rtt, &server_ms);
  if (rc != MC_OK) return cli_client_error(c, rc);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:o, s:I, s:s}", "server_version",
                                   info->server_version, "server_time", jtime(server_ms),
                                   "rtt_ms", (json_int_t)rtt, "server",
                                   mc_client_target(c->client)), 0) ? EXIT_CONNECT : EXIT_OK_;
  char t[40];
  time_text(server_ms, c->lang, t, sizeof t);
  printf("%s: %s (motcua-server %s)\n", mc_msg(c->lang, MSG_F_SERVER),
         mc_client_target(c->client), info->server_version);
  printf("%s: %s (+07:00)\n", mc_msg(c->lang, MSG_F_SERVER_TIME), t);
  printf("%s: %llu ms\n", mc_msg(c->lang, MSG_F_RTT), (unsigned long long)rtt);
  return EXIT_OK_;
}

static int run_whoami(cli *c) {
  const mc_client_info *i = mc_client_get_info(c->client);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:s, s:s, s:s}", "unit", i->unit_code,
                                   "unit_name", i->unit_name, "role", role_name(i->role),
                                   "server_version", i->server_version), 0)
               ? EXIT_CONNECT : EXIT_OK_;
  printf("%s: %s %s\n", mc_msg(c->lang, MSG_F_UNIT), i->unit_code, i->unit_name);
  printf("%s: %s (%s)\n", mc_msg(c->lang, MSG_F_ROLE), mc_msg(c->lang, role_msg(i->role)),
         role_name(i->role));
  return EXIT_OK_;
}

static int run_procedures(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ProceduresRequest body = MOTCUA__PROCEDURES_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_PROCEDURES;
  req.procedures = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_PROCEDURES_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__ProceduresReply *r = rep->procedures_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_procedures; i++)
      json_array_append_new(a, mc_cli_procedure_json(r->procedures[i]));
    rc = cli_emit_json(a, 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    for (size_t i = 0; i < r->n_procedures; i++)
      mc_cli_print_procedure(stdout, r->procedures[i], c->lang);
    printf("%zu %s\n", r->n_procedures, mc_msg(c->lang, MSG_PROC_COUNT));
  }
  mc_envelope_free(rep);
  return rc;
}

/* Print a DossierReply (JSON or human, with an optional headline). */
static int print_dossier_reply(cli *c, Motcua__Envelope *rep, enum mc_msg headline) {
  const Motcua__Dossier *d = rep->dossier_reply->dossier;
  int rc = EXIT_OK_;
  if (d == NULL) {
    rc = cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  } else if (c->json) {
    rc = cli_emit_json(mc_cli_dossier_json(d, c->lang), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    if (headline != MSG_NONE) printf("%s: %s\n", mc_msg(c->lang, headline), d->code);
    mc_cli_print_dossier(stdout, d, c->lang);
  }
  mc_envelope_free(rep);
  return rc;
}

static int run_receive(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ReceiveRequest body = MOTCUA__RECEIVE_REQUEST__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail(c, EXIT_CONNECT, MC_EINTERNAL, mc_strerror(MC_EINTERNAL), "RAND_bytes");
  a.name = (char *)c->name;
  a.id_number = (char *)c->id;
  a.phone = (char *)(c->phone ? c->phone : "");
  body.idempotency_key = key;
  body.procedure_code = (char *)c->procedure;
  body.applicant = &a;
  body.channel = (Motcua__Channel)c->channel;
  body.officer = (char *)c->officer;
  req.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  req.receive = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  if (rc == EXIT_OK_ && c->nfiles > 0) return cli_receive_files(c, rep);
  return rc != EXIT_OK_ ? rc : print_dossier_reply(c, rep, MSG_RECEIVED_OK);
}

static int run_show(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ShowRequest body = MOTCUA__SHOW_REQUEST__INIT;
  body.code = (char *)c->code;
  req.body_case = MOTCUA__ENVELOPE__BODY_SHOW;
  req.show = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_dossier_reply(c, rep, MSG_NONE);
}

static int run_forward(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ForwardRequest body = MOTCUA__FORWARD_REQUEST__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail(c, EXIT_CONNECT, MC_EINTERNAL, mc_strerror(MC_EINTERNAL), "RAND_bytes");
  body.idempotency_key = key;
  body.code = (char *)c->code;
  body.officer = (char *)c->officer;
  req.body_case = MOTCUA__ENVELOPE__BODY_FORWARD;
  req.forward = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_dossier_reply(c, rep, MSG_FORWARDED_OK);
}

/* Print a ListReply (list, search) and free it; exit code. */
static int print_list_reply(cli *c, Motcua__Envelope *rep) {
  const Motcua__ListReply *r = rep->list_reply;
  int rc = EXIT_OK_;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_dossiers; i++)
      json_array_append_new(a, mc_cli_dossier_json(r->dossiers[i], c->lang));
    rc = cli_emit_json(a, 0) ? EXIT_CONNECT : EXIT_OK_;
  } else if (r->n_dossiers == 0) {
    puts(mc_msg(c->lang, MSG_LIST_EMPTY));
  } else {
    for (size_t i = 0; i < r->n_dossiers; i++)
      mc_cli_print_dossier_line(stdout, r->dossiers[i], c->lang);
    printf("%zu %s\n", r->n_dossiers, mc_msg(c->lang, MSG_LIST_COUNT));
  }
  mc_envelope_free(rep);
  return rc;
}

static int run_list(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ListRequest body = MOTCUA__LIST_REQUEST__INIT;
  body.status = c->status;
  body.limit = c->limit;
  body.overdue = c->overdue;
  body.due_within_ms = c->due_within_ms;
  req.body_case = MOTCUA__ENVELOPE__BODY_LIST;
  req.list = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_LIST_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_list_reply(c, rep);
}

static int run_search(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__SearchRequest body = MOTCUA__SEARCH_REQUEST__INIT;
  body.text = (char *)c->text;
  body.limit = c->limit;
  req.body_case = MOTCUA__ENVELOPE__BODY_SEARCH;
  req.search = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_LIST_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_list_reply(c, rep);
}

/* ---- workflow actions ----------------------------------------------------- */

static char *str_or_empty(const char *s) { return (char *)(s != NULL ? s : ""); }

static int run_action(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ActionRequest body = MOTCUA__ACTION_REQUEST__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail(c, EXIT_CONNECT, MC_EINTERNAL, mc_strerror(MC_EINTERNAL), "RAND_bytes");
  body.idempotency_key = key;
  body.code = (char *)c->code;
  body.action = (Motcua__Action)c->cmd->action;
  body.officer = (char *)c->officer;
  body.reason = str_or_empty(c->reason);
  body.note = str_or_empty(c->note);
  body.to_officer = str_or_empty(c->assignee);
  body.department = str_or_empty(c->department);
  body.collected_by = str_or_empty(c->collected_by);
  body.amount = c->amount;
  body.new_due_ms = c->new_due_ms;
  body.rating = c->rating;
  req.body_case = MOTCUA__ENVELOPE__BODY_ACTION;
  req.action = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__Dossier *d = rep->dossier_reply->dossier;
  const mc_cli_action_def *def = mc_cli_action_by_command(c->cmd->name);
  if (!c->json && d != NULL && def != NULL) /* "Đã yêu cầu bổ sung hồ sơ H30…" */
    printf("%s %s\n", mc_msg(c->lang, def->done), d->code);
  return print_dossier_reply(c, rep, MSG_NONE);
}

/* result CODE [--file PATH ...]: upload the result documents, then act. */
static int parse_result(cli *c, int argc, char **argv) {
  int rc = cli_take_files(c, &argc, argv);
  return rc != EXIT_OK_ ? rc : parse_action(c, argc, argv);
}

static int run_result(cli *c) {
  int rc = cli_upload_files(c, c->code, "result", NULL);
  return rc != EXIT_OK_ ? rc : run_action(c);
}

static int run_history(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__HistoryRequest body = MOTCUA__HISTORY_REQUEST__INIT;
  body.code = (char *)c->code;
  req.body_case = MOTCUA__ENVELOPE__BODY_HISTORY;
  req.history = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_HISTORY_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  if (c->json)
    rc = cli_emit_json(mc_cli_history_json(rep->history_reply, c->lang), 0) ? EXIT_CONNECT
                                                                             : EXIT_OK_;
  else
    mc_cli_print_history(stdout, rep->history_reply, c->lang);
  mc_envelope_free(rep);
  return rc;
}

static int run_inbox(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__InboxRequest body = MOTCUA__INBOX_REQUEST__INIT;
  body.mark_read = !c->peek;
  body.limit = c->limit;
  req.body_case = MOTCUA__ENVELOPE__BODY_INBOX;
  req.inbox = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_INBOX_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__InboxReply *r = rep->inbox_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_events; i++)
      json_array_append_new(a, mc_cli_event_json(r->events[i], c->lang));
    rc = cli_emit_json(json_pack("{s:o}", "events", a), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else if (r->n_events == 0) {
    puts(mc_msg(c->lang, MSG_INBOX_EMPTY));
  } else {
    for (size_t i = 0; i < r->n_events; i++) mc_cli_print_event(stdout, r->events[i], c->lang);
    printf("%zu %s\n", r->n_events, mc_msg(c->lang, MSG_INBOX_COUNT));
  }
  mc_envelope_free(rep);
  return rc;
}

/* ---- holidays ------------------------------------------------------------- */

static void print_holidays(const cli *c, const Motcua__HolidaysReply *r) {
  if (c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD)
    printf("%s %s\n", mc_msg(c->lang, MSG_HOLIDAY_ADDED), c->date);
  else if (c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__REMOVE)
    printf("%s %s\n", mc_msg(c->lang, MSG_HOLIDAY_REMOVED), c->date);
  if (r->n_holidays == 0) {
    puts(mc_msg(c->lang, MSG_HOLIDAYS_EMPTY));
    return;
  }
  for (size_t i = 0; i < r->n_holidays; i++) mc_cli_print_holiday(stdout, r->holidays[i], c->lang);
  printf("%zu %s\n", r->n_holidays, mc_msg(c->lang, MSG_HOLIDAYS_COUNT));
}

static int run_holidays(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__HolidaysRequest body = MOTCUA__HOLIDAYS_REQUEST__INIT;
  Motcua__Holiday h = MOTCUA__HOLIDAY__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail(c, EXIT_CONNECT, MC_EINTERNAL, mc_strerror(MC_EINTERNAL), "RAND_bytes");
  body.op = (Motcua__HolidaysRequest__Op)c->holiday_op;
  body.year = c->year;
  body.idempotency_key = key;
  if (c->holiday_op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST) {
    h.date = (char *)c->date;
    h.kind = c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD
                 ? (char *)(c->workday ? "workday" : "holiday") : "";
    h.name = str_or_empty(c->holiday_name);
    body.holiday = &h;
  }
  req.body_case = MOTCUA__ENVELOPE__BODY_HOLIDAYS;
  req.holidays = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_HOLIDAYS_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__HolidaysReply *r = rep->holidays_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_holidays; i++)
      json_array_append_new(a, mc_cli_holiday_json(r->holidays[i]));
    rc = cli_emit_json(json_pack("{s:o}", "holidays", a), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    print_holidays(c, r);
  }
  mc_envelope_free(rep);
  return rc;
}

/* ---- watch ------------------------------------------------------------ */

static void watch_stamp(const cli *c, char *buf, size_t size) {
  time_text(mc_client_now_ms(), c->lang, buf, size);
}

static json_t *watch_json(const cli *c, mc_client *cl, const mc_client_event *ev) {
  const mc_client_info *i = mc_client_get_info(cl);
  json_t *at = jtime(mc_client_now_ms());
  switch (ev->kind) {
  case MC_CLIENT_EV_CONNECTED:
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "event", "connected", "at", at,
                     "server", mc_client_target(cl), "server_version", i->server_version,
                     "unit", i->unit_code, "unit_name", i->unit_name);
  case MC_CLIENT_EV_DISCONNECTED:
    return json_pack("{s:s, s:o, s:s, s:s, s:i, s:I}", "event", "disconnected", "at", at,
                     "code", mc_errname(ev->err), "message", ev->errmsg ? ev->errmsg : "",
                     "attempt", (int)ev->attempt, "retry_in_ms", (json_int_t)ev->retry_in_ms);
  case MC_CLIENT_EV_PONG:
    return json_pack("{s:s, s:o, s:I}", "event", "pong", "at", at, "rtt_ms",
                     (json_int_t)ev->rtt_ms);
  case MC_CLIENT_EV_PUSH:
    break;
  }
  const Motcua__Envelope *e = ev->env;
  if (e->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT && e->dossier_event->dossier) {
    /* the inbox form of the event, plus "event" and the arrival time */
    json_t *o = mc_cli_event_json(e->dossier_event, c->lang);
    if (o == NULL) return NULL;
    json_object_set(o, "event_at", json_object_get(o, "at"));
    json_object_set_new(o, "at", at);
    json_object_set_new(o, "event", json_string("dossier"));
    json_object_set_new(o, "kind_name",
                        json_string(mc_cli_action_label(c->lang, e->dossier_event->kind)));
    return o;
  }
  if (e->body_case == MOTCUA__ENVELOPE__BODY_ERROR)
    return json_pack("{s:s, s:o, s:s, s:s}", "event", "error", "at", at, "code",
                     mc_errname(mc_err_from_wire(e->error->code)), "message",
                     mc_msg(c->lang, mc_msg_for_err(mc_err_from_wire(e->error->code))));
  if (e->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE)
    return json_pack("{s:s, s:o, s:s}", "event", "goodbye", "at", at, "reason",
                     e->goodbye->reason);
  return json_pack("{s:s, s:o}", "event", mc_body_name(e->body_case), "at", at);
}

static void watch_print_push(const cli *c, const Motcua__Envelope *e, const char *ts) {
  int lang = c->lang;
  if (e->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT && e->dossier_event->dossier) {
    const Motcua__DossierEvent *ev = e->dossier_event;
    const Motcua__Dossier *d = ev->dossier;
    printf("%s  %s %s – %s (%s %s): %s, %s %s → %s", ts, mc_msg(lang, MSG_EV_DOSSIER), d->code,
           mc_cli_action_label(lang, ev->kind), mc_msg(lang, MSG_EV_FROM),
           ev->from_unit && ev->from_unit[0] ? ev->from_unit : "—",
           mc_status_name(lang, d->status), d->unit_code, d->unit_name, d->holder_unit);
    if (ev->detail != NULL && ev->detail[0] != '\0') printf(" – %s", ev->detail);
    putchar('\n');
  } else if (e->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    printf("%s  %s: %s\n", ts, mc_msg(lang, MSG_EV_ERROR),
           mc_msg(lang, mc_msg_for_err(mc_err_from_wire(e->error->code))));
  } else if (e->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE) {
    printf("%s  %s: %s\n", ts, mc_msg(lang, MSG_EV_GOODBYE), e->goodbye->reason);
  } else {
    printf("%s  %s: %s\n", ts, mc_msg(lang, MSG_EV_OTHER), mc_body_name(e->body_case));
  }
}

static void watch_print(const cli *c, mc_client *cl, const mc_client_event *ev) {
  char ts[40];
  const mc_client_info *i = mc_client_get_info(cl);
  int lang = c->lang;
  watch_stamp(c, ts, sizeof ts);
  switch (ev->kind) {
  case MC_CLIENT_EV_CONNECTED:
    printf("%s  %s %s (%s %s %s)\n", ts, mc_msg(lang, MSG_EV_CONNECTED),
           mc_client_target(cl), mc_msg(lang, MSG_F_UNIT), i->unit_code, i->unit_name);
    break;
  case MC_CLIENT_EV_DISCONNECTED:
    printf("%s  %s %.1f s (#%u): %s\n", ts, mc_msg(lang, MSG_EV_DISCONNECTED),
           (double)ev->retry_in_ms / 1000.0, ev->attempt,
           ev->errmsg && ev->errmsg[0] ? ev->errmsg : mc_strerror(ev->err));
    break;
  case MC_CLIENT_EV_PONG:
    printf("%s  %s %llu ms\n", ts, mc_msg(lang, MSG_EV_PONG), (unsigned long long)ev->rtt_ms);
    break;
  case MC_CLIENT_EV_PUSH:
    watch_print_push(c, ev->env, ts);
    break;
  }
}

static void watch_event_cb(mc_client *cl, const mc_client_event *ev, void *ud) {
  const cli *c = ud;
  if (c->json)
    cli_emit_json(watch_json(c, cl, ev), 1);
  else
    watch_print(c, cl, ev);
  fflush(stdout);
  cli_outbox_watch(ud, cl, ev); /* deliver the outbox while the link is up */
}

static int run_watch(cli *c) {
  char err[512] = "";
  int rc = mc_client_new(&c->cfg, &c->client, err, sizeof err);
  if (rc != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_TLS_SETUP), err);
  rc = mc_client_watch(c->client, watch_event_cb, c);
  if (!c->json) fprintf(stderr, "%s\n", mc_msg(c->lang, MSG_EV_STOPPED));
  return rc == MC_OK ? EXIT_OK_ : EXIT_CONNECT;
}

/* ---- slip --------------------------------------------------------------- */

/* Unit names known to this client without the step's own names: the
 * dossier's receiving unit and our own (HelloReply). */
typedef struct name_cache {
  const char *code[2], *name[2];
} name_cache;

/* The name the server sent with the step, else a cached one, else the code. */
static const char *unit_label(const name_cache *nc, const char *name, const char *code) {
  if (code == NULL || code[0] == '\0') return "";
  if (name != NULL && name[0] != '\0') return name;
  for (int i = 0; i < 2; i++)
    if (nc->code[i] && nc->name[i] && nc->name[i][0] && strcmp(nc->code[i], code) == 0)
      return nc->name[i];
  return code;
}

/* Index of the last step with this action, or -1. */
static long last_step(const Motcua__HistoryReply *h, const char *action) {
  for (size_t i = h->n_steps; i-- > 0;)
    if (h->steps[i]->action && strcmp(h->steps[i]->action, action) == 0) return (long)i;
  return -1;
}

/* Reason and (04) the missed appointment, from the latest relevant step. */
static void slip_reason(const Motcua__HistoryReply *h, const char *form, mc_slip_data *sd) {
  const char *action = strcmp(form, "02") == 0   ? "supplement_request"
                       : strcmp(form, "03") == 0 ? "refuse"
                       : strcmp(form, "04") == 0 ? "reschedule"
                                                 : NULL;
  long i = action ? last_step(h, action) : -1;
  sd->reason = i >= 0 && h->steps[i]->detail ? h->steps[i]->detail : "";
  if (strcmp(form, "04") != 0 || i < 0) return;
  for (long k = i - 1; k >= 0 && sd->old_due_at_ms == 0; k--)
    sd->old_due_at_ms = h->steps[k]->step_due_ms; /* the due time in force before */
}

static void slip_steps(const Motcua__HistoryReply *h, const name_cache *nc, mc_slip_step *out) {
  for (size_t i = 0; i < h->n_steps; i++) {
    const Motcua__ProgressStep *p = h->steps[i];
    int handover = p->from_unit && p->from_unit[0] && p->to_unit && p->to_unit[0];
    out[i] = (mc_slip_step){
        .at_ms = p->at_ms,
        .from_unit_name = handover ? unit_label(nc, p->from_unit_name, p->from_unit)
                                   : unit_label(nc, p->unit_name, p->unit_code),
        .to_unit_name = handover ? unit_label(nc, p->to_unit_name, p->to_unit) : "",
        .officer = str_or_empty(p->officer),
        .action = str_or_empty(p->action),
        .status_after = (int)p->status_after,
        .step_due_ms = p->step_due_ms,
        .result = str_or_empty(p->result),
        .detail = str_or_empty(p->detail)};
  }
}

static void slip_fill(const cli *c, const Motcua__HistoryReply *h, const name_cache *nc,
                      mc_slip_data *sd) {
  const Motcua__Dossier *d = h->dossier;
  const Motcua__Applicant *a = d->applicant;
  sd->province = c->province ? c->province : "UBND TỈNH HÀ TĨNH";
  sd->unit_name = unit_label(nc, d->unit_name, d->unit_code);
  sd->code = d->code;
  sd->procedure_code = str_or_empty(d->procedure_code);
  sd->procedure_name = str_or_empty(d->procedure_name);
  sd->applicant_name = a ? str_or_empty(a->name) : "";
  sd->applicant_id = a ? str_or_empty(a->id_number) : "";
  sd->applicant_phone = a ? str_or_empty(a->phone) : "";
  sd->officer = str_or_empty(c->officer);
  sd->status = (int)d->status;
  sd->received_at_ms = d->received_at_ms;
  sd->due_at_ms = d->due_at_ms;
  sd->utc_offset_min = mc_cli_utc_offset();
  /* 01 and 05 are dated at reception; 02, 03, 04 are issued now */
  sd->issued_at_ms = strcmp(c->form, "01") == 0 || strcmp(c->form, "05") == 0
                         ? 0 : mc_client_now_ms();
  slip_reason(h, c->form, sd);
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  long n = -1;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (f != NULL) fclose(f);
  return n;
}

static int slip_report(cli *c, const char *code) {
  if (strcmp(c->out_path, "-") == 0) return EXIT_OK_; /* the PDF went to stdout */
  long bytes = file_size(c->out_path);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:s, s:s, s:I}", "file", c->out_path, "form", c->form,
                                   "code", code, "bytes", (json_int_t)bytes), 0)
               ? EXIT_CONNECT : EXIT_OK_;
  printf("%s %s: %s (%ld bytes)\n", mc_msg(c->lang, MSG_SLIP_WRITTEN), c->form, c->out_path,
         bytes);
  return EXIT_OK_;
}

static int write_slip(cli *c, const Motcua__HistoryReply *h) {
  const mc_client_info *info = mc_client_get_info(c->client);
  name_cache nc = {{h->dossier->unit_code, info->unit_code},
                   {h->dossier->unit_name, info->unit_name}};
  mc_slip_data sd = {0};
  mc_slip_step *steps = h->n_steps ? calloc(h->n_steps, sizeof *steps) : NULL;
  char err[512] = "";
  if (h->n_steps && steps == NULL)
    return cli_fail(c, EXIT_CONNECT, MC_ENOMEM, mc_strerror(MC_ENOMEM), NULL);
  slip_fill(c, h, &nc, &sd);
  slip_steps(h, &nc, steps);
  sd.steps = steps;
  sd.nsteps = h->n_steps;
  int rc = mc_slip_write(&sd, c->form, c->lang == MC_LANG_EN ? "en" : "vi", NULL, c->out_path,
                         err, sizeof err);
  free(steps);
  if (rc != MC_OK) return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_SLIP), err);
  return slip_report(c, h->dossier->code);
}

static int run_slip(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__HistoryRequest body = MOTCUA__HISTORY_REQUEST__INIT;
  body.code = (char *)c->code;
  req.body_case = MOTCUA__ENVELOPE__BODY_HISTORY;
  req.history = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_HISTORY_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  if (rep->history_reply->dossier == NULL)
    rc = cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  else
    rc = write_slip(c, rep->history_reply);
  mc_envelope_free(rep);
  return rc;
}

int mc_cmd_monitor_parse(cli *c, int argc, char **argv); /* monitor_cmd.c */
int mc_cmd_monitor_run(cli *c);

#define ACTION_CMD(name, usage, act) {name, usage, 1, MOTCUA__ACTION__ACTION_##act, parse_action, run_action}
static const cli_command commands[] = {
    {"ping", MSG_USAGE_PING, 1, 0, parse_none, run_ping},
    {"whoami", MSG_USAGE_WHOAMI, 1, 0, parse_none, run_whoami},
    {"procedures", MSG_USAGE_PROCEDURES, 1, 0, parse_none, run_procedures},
    {"receive", MSG_USAGE_RECEIVE, 1, 0, parse_receive, run_receive},
    {"show", MSG_USAGE_SHOW, 1, 0, parse_code, run_show},
    {"list", MSG_USAGE_LIST, 1, 0, parse_list, run_list},
    {"search", MSG_USAGE_SEARCH, 1, 0, parse_search, run_search},
    {"forward", MSG_USAGE_FORWARD, 1, 0, parse_forward, run_forward},
    {"history", MSG_USAGE_HISTORY, 1, 0, parse_code, run_history},
    {"inbox", MSG_USAGE_INBOX, 1, 0, parse_inbox, run_inbox},
    {"watch", MSG_USAGE_WATCH, 0, 0, parse_none, run_watch},
    {"holidays", MSG_USAGE_HOLIDAYS, 1, 0, parse_holidays, run_holidays},
    {"slip", MSG_USAGE_SLIP, 1, 0, parse_slip, run_slip},
    {"outbox", MSG_USAGE_OUTBOX, 0, 0, cli_outbox_parse, cli_outbox_run},
    {"sync", MSG_USAGE_SYNC, 0, 0, cli_sync_parse, cli_sync_run},
    {"attach", MSG_USAGE_ATTACH, 1, 0, cli_parse_attach, cli_run_attach},
    {"files", MSG_USAGE_FILES, 1, 0, cli_parse_files, cli_run_files},
    {"download", MSG_USAGE_DOWNLOAD, 1, 0, cli_parse_download, cli_run_download},
    {"monitor", MSG_USAGE_MONITOR, 1, 0, mc_cmd_monitor_parse, mc_cmd_monitor_run},
    ACTION_CMD("accept", MSG_USAGE_ACCEPT, ACCEPT),
    ACTION_CMD("assign", MSG_USAGE_ASSIGN, ASSIGN),
    {"result", MSG_USAGE_RESULT, 1, MOTCUA__ACTION__ACTION_RESULT, parse_result, run_result},
    ACTION_CMD("send-back", MSG_USAGE_SEND_BACK, SEND_BACK),
    ACTION_CMD("supplement-request", MSG_USAGE_SUPPLEMENT_REQUEST, SUPPLEMENT_REQUEST),
    ACTION_CMD("supplement", MSG_USAGE_SUPPLEMENT, SUPPLEMENT),
    ACTION_CMD("fee-request", MSG_USAGE_FEE_REQUEST, FEE_REQUEST),
    ACTION_CMD("fee-paid", MSG_USAGE_FEE_PAID, FEE_PAID),
    ACTION_CMD("refuse", MSG_USAGE_REFUSE, REFUSE),
    ACTION_CMD("stop", MSG_USAGE_STOP, STOP),
    ACTION_CMD("withdraw", MSG_USAGE_WITHDRAW, WITHDRAW),
    ACTION_CMD("reschedule", MSG_USAGE_RESCHEDULE, RESCHEDULE),
    ACTION_CMD("return", MSG_USAGE_RETURN, RETURN),
    ACTION_CMD("rate", MSG_USAGE_RATE, RATE),
};
#undef ACTION_CMD

const cli_command *cli_find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}
