/* A slip's data from a dossier's history and the hello's units: what every
 * front-end prints (slip.h mc_slip_from_history). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "messages.h"
#include "render.h"
#include "slip.h"

static const char *str_or_empty(const char *s) { return s != NULL ? s : ""; }

/* A unit's name: the one the server sent with the step, else the dossier's
 * receiving unit or a unit of the hello, else the code. */
static const char *unit_label(const Motcua__HistoryReply *h, const mc_client_info *info,
                              const char *name, const char *code) {
  if (code == NULL || code[0] == '\0') return "";
  if (name != NULL && name[0] != '\0') return name;
  const Motcua__Dossier *d = h->dossier;
  if (d->unit_code && d->unit_name && d->unit_name[0] && strcmp(d->unit_code, code) == 0)
    return d->unit_name;
  if (strcmp(info->unit_code, code) == 0 && info->unit_name[0]) return info->unit_name;
  const mc_client_unit *u = mc_client_unit_find(info, code);
  return u != NULL && u->name[0] ? u->name : code;
}

/* Index of the last step with this action, or -1 (none). */
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

static void slip_steps(const Motcua__HistoryReply *h, const mc_client_info *info,
                       mc_slip_step *out) {
  for (size_t i = 0; i < h->n_steps; i++) {
    const Motcua__ProgressStep *p = h->steps[i];
    int handover = p->from_unit && p->from_unit[0] && p->to_unit && p->to_unit[0];
    out[i] = (mc_slip_step){
        .at_ms = p->at_ms,
        .from_unit_name = handover ? unit_label(h, info, p->from_unit_name, p->from_unit)
                                   : unit_label(h, info, p->unit_name, p->unit_code),
        .to_unit_name = handover ? unit_label(h, info, p->to_unit_name, p->to_unit) : "",
        .officer = str_or_empty(p->officer),
        .action = str_or_empty(p->action),
        .status_after = (int)p->status_after,
        .step_due_ms = p->step_due_ms,
        .result = str_or_empty(p->result),
        .detail = str_or_empty(p->detail)};
  }
}

/* The letterhead: the issuing unit (the caller), its centre, the province,
 * all from the hello; an older server sends no units: the hello's unit
 * name, no centre, no province line. */
static void letterhead(const Motcua__HistoryReply *h, const mc_client_info *info,
                       mc_slip_data *sd) {
  const mc_client_unit *me = mc_client_unit_find(info, info->unit_code);
  const mc_client_unit *parent = me != NULL ? mc_client_unit_find(info, me->parent) : NULL;
  sd->unit_name = me != NULL && me->name[0] ? me->name
                  : info->unit_name[0]      ? info->unit_name
                                            : unit_label(h, info, h->dossier->unit_name,
                                                         h->dossier->unit_code);
  sd->parent_name = parent != NULL ? parent->name : "";
  sd->province = me != NULL ? me->province : "";
}

static void dossier_fields(const Motcua__Dossier *d, mc_slip_data *sd) {
  const Motcua__Applicant *a = d->applicant;
  sd->code = d->code;
  sd->procedure_code = str_or_empty(d->procedure_code);
  sd->procedure_name = str_or_empty(d->procedure_name);
  sd->applicant_name = a ? str_or_empty(a->name) : "";
  sd->applicant_id = a ? str_or_empty(a->id_number) : "";
  sd->applicant_phone = a ? str_or_empty(a->phone) : "";
  sd->status = (int)d->status;
  sd->received_at_ms = d->received_at_ms;
  sd->due_at_ms = d->due_at_ms;
}

static const Motcua__Procedure *find_procedure(const Motcua__ProceduresReply *r,
                                              const char *code) {
  for (size_t i = 0; r != NULL && code != NULL && i < r->n_procedures; i++)
    if (r->procedures[i]->code != NULL && strcmp(r->procedures[i]->code, code) == 0)
      return r->procedures[i];
  return NULL;
}

static const Motcua__ProcedureComponent *find_component(const Motcua__Procedure *p,
                                                        uint32_t ordinal) {
  for (size_t i = 0; p != NULL && i < p->n_components; i++)
    if (p->components[i]->ordinal == ordinal) return p->components[i];
  return NULL;
}

void mc_slip_intake(const Motcua__Dossier *d, const Motcua__ProceduresReply *procs,
                    mc_slip_data *sd, mc_slip_doc *docs, size_t cap) {
  const Motcua__Procedure *p = find_procedure(procs, d->procedure_code);
  sd->applicant_address = str_or_empty(d->applicant_address);
  sd->applicant_email = str_or_empty(d->applicant_email);
  sd->missing_reason = str_or_empty(d->missing_reason);
  sd->sets = (int)(d->sets < 1000 ? d->sets : 0);
  sd->year_seq = d->register_no;
  sd->time_limit = p != NULL ? str_or_empty(p->limit_text) : "";
  size_t n = 0;
  for (size_t i = 0; docs != NULL && i < d->n_components_received && n < cap; i++) {
    const Motcua__ReceivedComponent *rc = d->components_received[i];
    const Motcua__ProcedureComponent *pc = find_component(p, rc->ordinal);
    int form = rc->form != 0 ? (int)rc->form : pc != NULL ? (int)pc->form : 0;
    docs[n++] = (mc_slip_doc){.name = pc != NULL ? str_or_empty(pc->name) : "",
                              .kind = form >= 1 && form <= 5 ? form : 0,
                              .count = (int)(rc->count < 1000 ? rc->count : 0)};
  }
  sd->docs = n > 0 ? docs : NULL;
  sd->ndocs = n;
}

void mc_slip_register_row(const Motcua__Dossier *d, const mc_client_info *info, int lang,
                          mc_slip_reg_row *out) {
  const mc_client_unit *u = mc_client_unit_find(info, d->unit_code);
  const mc_client_unit *centre = u != NULL ? mc_client_unit_find(info, u->parent) : NULL;
  const char *handler = u != NULL && u->name[0] ? u->name : str_or_empty(d->unit_name);
  if (d->level == MOTCUA__LEVEL__LEVEL_DISTRICT)
    handler = centre != NULL && centre->name[0] ? centre->name : str_or_empty(d->forwarded_to);
  int closed = d->status == 3 || d->status == 7 || d->status == 8;
  const Motcua__Applicant *a = d->applicant;
  *out = (mc_slip_reg_row){
      .code = str_or_empty(d->code),
      .year_seq = d->register_no,
      .procedure_name = str_or_empty(d->procedure_name),
      .sets = (int)(d->sets < 1000 ? d->sets : 0),
      .applicant_name = a != NULL ? str_or_empty(a->name) : "",
      .applicant_address = str_or_empty(d->applicant_address),
      .applicant_phone = a != NULL ? str_or_empty(a->phone) : "",
      .handler = handler,
      .received_at_ms = d->received_at_ms,
      .due_at_ms = d->due_at_ms,
      .forwarded_at_ms = d->forwarded_at_ms,
      .result_at_ms = d->status == 9 || d->status == 10 ? d->finished_at_ms : 0,
      .returned_at_ms = d->returned_at_ms,
      .note = closed ? mc_status_name(lang, d->status) : ""};
}

void mc_slip_register_data(const mc_client_info *info, const char *province, int64_t from_ms,
                           int64_t to_ms, int64_t now_ms, const mc_slip_reg_row *rows,
                           size_t n, mc_slip_data *sd) {
  Motcua__HistoryReply h = MOTCUA__HISTORY_REPLY__INIT;
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  memset(sd, 0, sizeof *sd);
  d.unit_code = (char *)info->unit_code;
  d.unit_name = (char *)info->unit_name;
  h.dossier = &d;
  letterhead(&h, info, sd);
  if (province != NULL) sd->province = province;
  sd->code = "";
  sd->procedure_code = sd->procedure_name = sd->applicant_name = "";
  sd->utc_offset_min = mc_render_utc_offset();
  sd->period_from_ms = from_ms;
  sd->period_to_ms = to_ms;
  sd->issued_at_ms = now_ms;
  sd->received_at_ms = now_ms;
  sd->rows = rows;
  sd->nrows = n;
}

int mc_slip_from_outbox(const Motcua__Envelope *req, const char *provisional,
                        int64_t created_ms, const mc_client_info *info,
                        const char *province, mc_slip_data *sd) {
  Motcua__HistoryReply h = MOTCUA__HISTORY_REPLY__INIT;
  Motcua__Dossier d = MOTCUA__DOSSIER__INIT;
  const Motcua__ReceiveRequest *r;
  memset(sd, 0, sizeof *sd);
  if (req == NULL || provisional == NULL ||
      req->body_case != MOTCUA__ENVELOPE__BODY_RECEIVE || req->receive == NULL)
    return MC_EINVAL;
  r = req->receive;
  /* offline there was no hello: "TAM-18499-000123" still names the unit */
  char unit[32] = "";
  const char *u = provisional + strlen(MC_SLIP_PROVISIONAL_PREFIX), *dash = strchr(u, '-');
  if (strncmp(provisional, MC_SLIP_PROVISIONAL_PREFIX, strlen(MC_SLIP_PROVISIONAL_PREFIX)) == 0 &&
      dash != NULL && (size_t)(dash - u) < sizeof unit)
    memcpy(unit, u, (size_t)(dash - u));
  d.unit_code = info->unit_code[0] ? (char *)info->unit_code : unit;
  d.unit_name = (char *)info->unit_name;
  h.dossier = &d;
  letterhead(&h, info, sd);
  if (province != NULL) sd->province = province;
  sd->code = provisional;
  sd->provisional = 1;
  sd->procedure_code = str_or_empty(r->procedure_code);
  sd->procedure_name = "";   /* the name comes with the real receipt */
  sd->applicant_name = r->applicant ? str_or_empty(r->applicant->name) : "";
  sd->applicant_id = r->applicant ? str_or_empty(r->applicant->id_number) : "";
  sd->applicant_phone = r->applicant ? str_or_empty(r->applicant->phone) : "";
  sd->officer = str_or_empty(r->officer);
  sd->status = 2;
  sd->received_at_ms = created_ms;
  sd->utc_offset_min = mc_render_utc_offset();
  return MC_OK;
}

int mc_slip_from_history(const Motcua__HistoryReply *h, const mc_client_info *info,
                         const char *form, const char *officer, const char *province,
                         int64_t now_ms, mc_slip_data *sd, mc_slip_step **steps) {
  *steps = NULL;
  memset(sd, 0, sizeof *sd);
  if (h == NULL || h->dossier == NULL || form == NULL) return MC_EINVAL;
  if (h->n_steps > 0 && (*steps = calloc(h->n_steps, sizeof **steps)) == NULL) return MC_ENOMEM;
  letterhead(h, info, sd);
  if (province != NULL) sd->province = province;
  dossier_fields(h->dossier, sd);
  sd->officer = str_or_empty(officer);
  /* 01 names the officer who received it (the progress log's receive
   * step), not whoever prints it or the desk's account name */
  long rcv = strcmp(form, "01") == 0 ? last_step(h, "receive") : -1;
  if (rcv >= 0 && h->steps[rcv]->officer && h->steps[rcv]->officer[0])
    sd->officer = h->steps[rcv]->officer;
  sd->utc_offset_min = mc_render_utc_offset();
  /* 01 and 05 are dated at reception; 02, 03, 04 are issued now */
  sd->issued_at_ms = strcmp(form, "01") == 0 || strcmp(form, "05") == 0 ? 0 : now_ms;
  slip_reason(h, form, sd);
  slip_steps(h, info, *steps);
  sd->steps = *steps;
  sd->nsteps = h->n_steps;
  return MC_OK;
}
