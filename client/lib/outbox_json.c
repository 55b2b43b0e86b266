/* The JSON form of outbox items and delivery outcomes (outbox.h): the CLI's
 * --json output and the desk's API. */
#include "outbox.h"
#include "render.h"

static json_t *jstr_or_null(const char *s) {
  return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *mc_outbox_item_json(const mc_outbox_item *it) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:i, s:s}", "item", (json_int_t)it->id,
                        "kind", it->kind, "state", mc_outbox_state_name(it->state), "dossier",
                        it->dossier, "summary", it->summary, "created_at",
                        mc_render_time_json(it->created_at_ms), "attempts", (int)it->attempts, "last_error",
                        it->last_error);
  if (o == NULL) return NULL;
  json_object_set_new(o, "provisional", jstr_or_null(it->provisional));
  json_object_set_new(o, "officer", jstr_or_null(it->officer));
  json_object_set_new(o, "depends_on", it->depends_on ? json_integer(it->depends_on) : json_null());
  json_object_set_new(o, "next_attempt_at", it->state == MC_OUTBOX_PENDING
                                                ? mc_render_time_json(it->next_attempt_ms) : json_null());
  json_object_set_new(o, "code", jstr_or_null(it->real_code));
  json_object_set_new(o, "status", it->result_status ? json_integer(it->result_status)
                                                     : json_null());
  json_object_set_new(o, "delivered_at", it->delivered_at_ms ? mc_render_time_json(it->delivered_at_ms)
                                                             : json_null());
  return o;
}

const char *mc_outbox_outcome_name(mc_outbox_outcome out) {
  return out == MC_OUTBOX_OUT_DELIVERED  ? "delivered"
         : out == MC_OUTBOX_OUT_REJECTED ? "rejected"
         : out == MC_OUTBOX_OUT_RETRY    ? "retry"
                                         : "waiting";
}

json_t *mc_outbox_outcome_json(const mc_outbox_item *it, mc_outbox_outcome out) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i}", "item", (json_int_t)it->id, "kind",
                        it->kind, "outcome", mc_outbox_outcome_name(out), "dossier", it->dossier,
                        "attempts", (int)it->attempts);
  if (o == NULL) return NULL;
  json_object_set_new(o, "provisional", jstr_or_null(it->provisional));
  json_object_set_new(o, "code", jstr_or_null(it->real_code));
  json_object_set_new(o, "status", it->result_status ? json_integer(it->result_status)
                                                     : json_null());
  json_object_set_new(o, "error", out == MC_OUTBOX_OUT_DELIVERED ? json_null()
                                                                 : jstr_or_null(it->last_error));
  return o;
}
