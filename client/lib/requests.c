/* Request rules shared by the front-ends (requests.h). */
#include "requests.h"

#include <stddef.h>
#include <stdlib.h>

#include "fields.h"
#include "find.h"
#include "frame.h"

#define ACT(x) MOTCUA__ACTION__ACTION_##x
#define R(x) MC_REQ_##x
static const mc_req_action_spec specs[] = {
    {ACT(ACCEPT), 0, 0},
    {ACT(ASSIGN), R(ASSIGNEE) | R(DEPT), R(ASSIGNEE)},
    {ACT(RESULT), 0, 0},
    {ACT(SEND_BACK), 0, 0},
    {ACT(SUPPLEMENT_REQUEST), R(REASON), R(REASON)},
    {ACT(SUPPLEMENT), R(NOTE), 0},
    {ACT(FEE_REQUEST), R(AMOUNT), R(AMOUNT)},
    {ACT(FEE_PAID), 0, 0},
    {ACT(REFUSE), R(REASON), R(REASON)},
    {ACT(STOP), R(REASON), R(REASON)},
    {ACT(WITHDRAW), R(REASON), 0},
    {ACT(RESCHEDULE), R(DUE) | R(REASON), R(DUE) | R(REASON)},
    {ACT(RETURN), R(COLLECTOR), R(COLLECTOR)},
    {ACT(RATE), R(RATING), R(RATING)},
    {ACT(PROPOSE), R(NOTE), 0},
};
#undef R
#undef ACT

const mc_req_action_spec *mc_req_action_spec_of(int action) {
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
    if (specs[i].action == action) return &specs[i];
  return NULL;
}

const char *mc_req_opt_name(unsigned opt) {
  static const char *const names[MC_REQ_OPTS] = {"reason", "note", "to_officer", "department",
                                                 "amount", "new_due", "collected_by", "rating"};
  for (unsigned b = 0; b < MC_REQ_OPTS; b++)
    if (opt == 1u << b) return names[b];
  return "";
}

enum mc_msg mc_req_action_opt(unsigned opt, const char *value, int offset_min,
                              mc_req_action_vals *v) {
  switch (opt) {
  case MC_REQ_REASON: return mc_fields_check_reason(value);
  case MC_REQ_NOTE: return mc_fields_check_note(value);
  case MC_REQ_ASSIGNEE: return mc_fields_check_assignee(value);
  case MC_REQ_DEPT: return mc_fields_check_department(value);
  case MC_REQ_COLLECTOR: return mc_fields_check_collector(value);
  case MC_REQ_AMOUNT:
    return value != NULL && mc_fields_parse_amount(value, &v->amount) == 0 ? MSG_NONE : MSG_ERR_AMOUNT;
  case MC_REQ_DUE:
    return value != NULL && mc_fields_parse_due(value, offset_min, &v->new_due_ms) == 0
               ? MSG_NONE : MSG_ERR_DUE_DATE;
  case MC_REQ_RATING:
    return value != NULL && mc_fields_parse_uint(value, 1, 3, &v->rating) == 0 ? MSG_NONE
                                                                               : MSG_ERR_RATING;
  }
  return MSG_ERR_UNKNOWN_OPTION;
}

long mc_req_procedures_rank(const Motcua__ProceduresReply *r, const char *q, size_t **order) {
  size_t n = r->n_procedures < MC_FIND_ITEMS_MAX ? r->n_procedures : MC_FIND_ITEMS_MAX;
  mc_find_item *items = calloc(n + 1, sizeof *items);
  long m = -1;
  *order = calloc(n + 1, sizeof **order);
  if (items == NULL || *order == NULL) goto out;
  for (size_t i = 0; i < n; i++) {
    items[i] = (mc_find_item){r->procedures[i]->code, r->procedures[i]->name,
                              r->procedures[i]->sector};
    (*order)[i] = i;
  }
  m = q == NULL ? (long)n : (long)mc_find_rank(q, items, n, *order);
out:
  free(items);
  return m;
}
