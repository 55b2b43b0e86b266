/* ListRequest (filters, order, page, capped total) and SummaryRequest
 * (the desk's "today" counts of the session's unit), issue 16. Reads: the
 * certificate's unit decides what is seen (mc_wf_can_see's rule, written
 * as the store's "received by or forwarded to" scans). */
#include <stdlib.h>

#include "convert.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "workflow.h"

/* ---- list ------------------------------------------------------------------ */

static void list_query(mc_session *s, const mc_list_fields *f, mc_list_query *q) {
  *q = (mc_list_query){
      .viewer_unit = s->peer.unit, .status = f->status, .limit = f->limit,
      .offset = f->offset, .sort = f->sort, .desc = f->desc, .overdue = f->overdue,
      .due_within_ms = f->due_within_ms, .now_ms = mc_server_now_ms(),
      .assigned_to = f->mine && s->who != NULL ? s->who->officer.id : 0,
      .awaiting_signature = f->awaiting_signature, .procedure = f->procedure,
      .sector = f->sector, .holder_unit = f->holder_unit,
      .received_from_ms = f->received_from_ms, .received_to_ms = f->received_to_ms,
      .due_from_ms = f->due_from_ms, .due_to_ms = f->due_to_ms,
      .total_cap = MC_LIM_LIST_TOTAL, .after = f->after};
}

int mc_handle_list(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const char *field = NULL;
  mc_list_fields f;
  int rc = mc_val_list(env->list, s->srv->cfg.list_limit_max, &f, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  mc_list_query q;
  list_query(s, &f, &q); /* the strings point into f: storage copies them at submit */
  mc_req *r;
  if ((rc = handlers__start(s, env->request_id, &r)) != 0) return rc;
  return handlers__submitted(r, mc_store_list(s->srv->store, &q, handlers__page_cb, r));
}

/* ---- summary --------------------------------------------------------------- */

typedef struct summary_req {
  mc_req *r;
  int64_t at_ms;
} summary_req;

static void summary_cb(void *arg, int err, const mc_summary *sum) {
  summary_req *q = arg;
  if (err != 0) {
    mc_req_fail(q->r, err, NULL);
  } else {
    Motcua__SummaryReply sr = MOTCUA__SUMMARY_REPLY__INIT;
    sr.to_receive = sum->to_receive;
    sr.to_return = sum->to_return;
    sr.due_soon = sum->due_soon;
    sr.overdue = sum->overdue;
    sr.in_progress = sum->in_progress;
    sr.received_today = sum->received_today;
    sr.at_ms = q->at_ms;
    ENV_INIT(out, q->r->id, summary_reply, &sr, MOTCUA__ENVELOPE__BODY_SUMMARY_REPLY);
    mc_req_finish(q->r, &out);
  }
  free(q);
}

/* The unit's own calendar (holidays, office hours) dates "due soon" and
 * "today". */
int mc_handle_summary(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  summary_req *q = calloc(1, sizeof *q);
  if (q == NULL) return MC_ENOMEM;
  q->at_ms = mc_server_now_ms();
  mc_calendar cal;
  mc_server_calendar(s->srv, s->unit->code, &cal);
  mc_summary_query sq = {.unit = s->unit->code, .now_ms = q->at_ms,
                         .soon_until_ms = mc_wf_due_soon_until(&cal, q->at_ms, MC_WF_DUE_SOON_DAYS)};
  mc_wf_local_day_span(&cal, q->at_ms, &sq.day_from_ms, &sq.day_to_ms);
  int rc = handlers__start(s, env->request_id, &q->r);
  if (rc == 0) rc = mc_store_summary(s->srv->store, &sq, summary_cb, q);
  if (rc != 0) {
    if (q->r != NULL) mc_req_finish(q->r, NULL);
    free(q);
  }
  return rc;
}
