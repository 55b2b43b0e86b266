/* The workflow actions (accept ... rate) and result with its documents. */
#include <stdio.h>
#include <string.h>

#include "action_cmd.h"
#include "error.h"
#include "officers_cmd.h"
#include "transfer_cmd.h"

/* ---- arguments -------------------------------------------------------- */

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
    {ACT(ASSIGN), OPT_ASSIGNEE | OPT_DEPT, 0}, /* no --to: list the candidates */
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
    {ACT(PROPOSE), OPT_NOTE, 0},
};

static const struct action_spec *spec_of(int action) {
  for (size_t i = 0; i < sizeof action_specs / sizeof action_specs[0]; i++)
    if (action_specs[i].action == action) return &action_specs[i];
  return NULL;
}

/* Store and check one option value; exit code. */
static int set_action_opt(cli *c, unsigned bit, const char *v) {
  switch (bit) {
  case OPT_REASON: return cli_check(c, mc_fields_check_reason(c->reason = v), NULL);
  case OPT_NOTE: return cli_check(c, mc_fields_check_note(c->note = v), NULL);
  case OPT_ASSIGNEE: return cli_check(c, mc_fields_check_assignee(c->assignee = v), v);
  case OPT_DEPT: return cli_check(c, mc_fields_check_department(c->department = v), v);
  case OPT_COLLECTOR: return cli_check(c, mc_fields_check_collector(c->collected_by = v), v);
  case OPT_AMOUNT:
    return mc_fields_parse_amount(v, &c->amount) == 0 ? EXIT_OK_
                                                     : cli_usage_error(c, MSG_ERR_AMOUNT, v);
  case OPT_DUE:
    c->due_text = v;
    return mc_fields_parse_due(v, mc_render_utc_offset(), &c->new_due_ms) == 0
               ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_DUE_DATE, v);
  case OPT_LEVEL:
    return mc_fields_parse_uint(v, 1, 3, &c->rating) == 0 ? EXIT_OK_
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
int cli_parse_action(cli *c, int argc, char **argv) {
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
  if ((rc = cli_check(c, cli_code_normalise(c), c->code)) != EXIT_OK_ ||
      (rc = missing_required(c, sp->required, seen)) != EXIT_OK_)
    return rc;
  return cli_check(c, mc_fields_check_officer_opt(c->officer), NULL);
}

/* ---- the action -------------------------------------------------------- */

int cli_run_action(cli *c) {
  if (c->cmd->action == MOTCUA__ACTION__ACTION_ASSIGN && c->assignee == NULL)
    return cli_run_assign_candidates(c);
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ActionRequest body = MOTCUA__ACTION_REQUEST__INIT;
  body.idempotency_key = ""; /* fixed by mc_client_submit */
  body.code = (char *)c->code;
  body.action = (Motcua__Action)c->cmd->action;
  body.officer = (char *)c->officer;
  body.reason = cli_str_or_empty(c->reason);
  body.note = cli_str_or_empty(c->note);
  body.to_officer = cli_str_or_empty(c->assignee);
  body.department = cli_str_or_empty(c->department);
  body.collected_by = cli_str_or_empty(c->collected_by);
  body.amount = c->amount;
  if (c->due_text != NULL) /* the zone may have come with the hello since parsing */
    mc_fields_parse_due(c->due_text, mc_render_utc_offset(), &c->new_due_ms);
  body.new_due_ms = c->new_due_ms;
  body.rating = c->rating;
  req.body_case = MOTCUA__ENVELOPE__BODY_ACTION;
  req.action = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  if (rc != EXIT_OK_ || rep == NULL) return rc; /* failed, or queued */
  const Motcua__Dossier *d = rep->dossier_reply->dossier;
  const mc_render_action_def *def = mc_render_action_by_command(c->cmd->name);
  if (!c->json && d != NULL && def != NULL) /* "Đã yêu cầu bổ sung hồ sơ H30…" */
    printf("%s %s\n", mc_msg(c->lang, def->done), d->code);
  return cli_print_dossier_reply(c, rep, MSG_NONE);
}

/* result CODE [--file PATH ...]: upload the result documents, then act. */
int cli_parse_result(cli *c, int argc, char **argv) {
  int rc = cli_take_files(c, &argc, argv);
  return rc != EXIT_OK_ ? rc : cli_parse_action(c, argc, argv);
}

int cli_run_result(cli *c) {
  int rc = cli_upload_files(c, c->code, "result", NULL);
  return rc != EXIT_OK_ ? rc : cli_run_action(c);
}

