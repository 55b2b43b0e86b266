/* The workflow actions (accept ... rate) and result with its documents. */
#include <stdio.h>
#include <string.h>

#include "action_cmd.h"
#include "requests.h"
#include "error.h"
#include "officers_cmd.h"
#include "transfer_cmd.h"

/* ---- arguments -------------------------------------------------------- */

/* The options each action takes and requires are client/lib/requests.c's
 * (shared with the desk); here only their names on the command line. */
enum { OPT_LEVEL = MC_REQ_RATING };
static const struct opt_def {
  unsigned bit;
  const char *name;
} opt_defs[] = {
    {MC_REQ_REASON, "--reason"}, {MC_REQ_NOTE, "--note"},     {MC_REQ_ASSIGNEE, "--to"},
    {MC_REQ_DEPT, "--dept"},     {MC_REQ_AMOUNT, "--amount"}, {MC_REQ_DUE, "--to"},
    {MC_REQ_COLLECTOR, "--to"},  {OPT_LEVEL, "--level"},
};

/* Store and check one option value; exit code. */
static int set_action_opt(cli *c, unsigned bit, const char *v) {
  mc_req_action_vals vals = {0};
  enum mc_msg m = mc_req_action_opt(bit, v, mc_render_utc_offset(), &vals);
  const char *shown = bit == MC_REQ_REASON || bit == MC_REQ_NOTE ? NULL : v;
  switch (bit) {
  case MC_REQ_REASON: c->reason = v; break;
  case MC_REQ_NOTE: c->note = v; break;
  case MC_REQ_ASSIGNEE: c->assignee = v; break;
  case MC_REQ_DEPT: c->department = v; break;
  case MC_REQ_COLLECTOR: c->collected_by = v; break;
  case MC_REQ_AMOUNT: c->amount = vals.amount; break;
  case MC_REQ_DUE: c->due_text = v, c->new_due_ms = vals.new_due_ms; break;
  case MC_REQ_RATING: c->rating = vals.rating; break;
  }
  return cli_check(c, m, shown);
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
  const mc_req_action_spec *sp = mc_req_action_spec_of(c->cmd->action);
  unsigned seen = 0, required = sp->required;
  int rc;
  if (c->cmd->action == MOTCUA__ACTION__ACTION_ASSIGN)
    required &= ~(unsigned)MC_REQ_ASSIGNEE; /* no --to: list the candidates */
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
      (rc = missing_required(c, required, seen)) != EXIT_OK_)
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

