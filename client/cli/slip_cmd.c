/* slip: an official slip (forms 01-05) of a dossier as PDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "slip.h"
#include "slip_cmd.h"

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

int cli_parse_slip(cli *c, int argc, char **argv) {
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
  if ((rc = cli_check(c, mc_cli_check_dossier_code(c->code), c->code)) != EXIT_OK_) return rc;
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
        .officer = cli_str_or_empty(p->officer),
        .action = cli_str_or_empty(p->action),
        .status_after = (int)p->status_after,
        .step_due_ms = p->step_due_ms,
        .result = cli_str_or_empty(p->result),
        .detail = cli_str_or_empty(p->detail)};
  }
}

static void slip_fill(const cli *c, const Motcua__HistoryReply *h, const name_cache *nc,
                      mc_slip_data *sd) {
  const Motcua__Dossier *d = h->dossier;
  const Motcua__Applicant *a = d->applicant;
  sd->province = c->province ? c->province : "UBND TỈNH HÀ TĨNH";
  sd->unit_name = unit_label(nc, d->unit_name, d->unit_code);
  sd->code = d->code;
  sd->procedure_code = cli_str_or_empty(d->procedure_code);
  sd->procedure_name = cli_str_or_empty(d->procedure_name);
  sd->applicant_name = a ? cli_str_or_empty(a->name) : "";
  sd->applicant_id = a ? cli_str_or_empty(a->id_number) : "";
  sd->applicant_phone = a ? cli_str_or_empty(a->phone) : "";
  sd->officer = cli_str_or_empty(c->officer);
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

int cli_run_slip(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__HistoryRequest body = MOTCUA__HISTORY_REQUEST__INIT;
  body.code = (char *)c->code;
  req.body_case = MOTCUA__ENVELOPE__BODY_HISTORY;
  req.history = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_HISTORY_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  if (rep->history_reply->dossier == NULL)
    rc = cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  else
    rc = write_slip(c, rep->history_reply);
  mc_envelope_free(rep);
  return rc;
}

