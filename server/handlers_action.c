/* Workflow actions (and forward, which is one of them): idempotency lookup
 * -> load the dossier -> the transition table decides (pure) -> storage
 * applies the change guarded by the "before" values -> reply, push the
 * event to the other party. A refused action is logged and audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"

#define MC_REASON_MAX 512

typedef struct action_ctx {
  mc_req *r;
  mc_action_args args;
  char key[MC_IDEM_KEY_MAX];
  char code[MC_DOSSIER_CODE_MAX];
  char officer[MC_OFFICER_MAX];
  char to_officer[MC_OFFICER_MAX];
  char department[MC_SECTOR_MAX];
  char collected_by[MC_PERSON_NAME_MAX];
  char detail[MC_REASON_MAX];
  int64_t amount;
  mc_change change;
} action_ctx;

static void action_finish(action_ctx *a, int err, const mc_dossier *d, const char *detail) {
  if (err != 0) mc_req_fail(a->r, err, detail);
  else handlers__reply_dossier(a->r, d);
  free(a);
}

static void push_event(mc_server *srv, const mc_change *c, const char *from,
                       const char *detail, const mc_dossier *d) {
  if (c->notify_unit[0] == '\0') return;
  mc_pb_dossier pb;
  mc_pb_from_dossier(&pb, d, c->at_ms);
  Motcua__DossierEvent ev = MOTCUA__DOSSIER_EVENT__INIT;
  ev.kind = (char *)c->action_name;
  ev.dossier = &pb.d;
  ev.at_ms = c->at_ms;
  ev.from_unit = (char *)from;
  ev.detail = (char *)detail;
  ENV_INIT(out, 0, dossier_event, &ev, MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT);
  mc_server_push(srv, c->notify_unit, &out);
}

static void action_stored_cb(void *arg, int err, const mc_dossier *d) {
  action_ctx *a = arg;
  mc_session *s = a->r->s;
  if (err == 0) {
    mc_log_info(s->id, "dossier action=%s code=%s status=%d->%d unit=%s officer=\"%s\"",
                a->change.action_name, d->code, a->change.status_before,
                a->change.status_after, s->peer.unit, a->officer);
    push_event(s->srv, &a->change, s->peer.unit, a->detail, d);
  }
  action_finish(a, err, d, "code");
}

static void refused(action_ctx *a, int err, const char *rule) {
  mc_session *s = a->r->s;
  const char *name = mc_action_name(a->args.action);
  mc_log_info(s->id, "action refused action=%s code=%s unit=%s officer=\"%s\" rule=\"%s\"",
              name ? name : "?", a->code, s->peer.unit, a->officer, rule);
  mc_store_log_refusal(s->srv->store, s->peer.unit, a->officer, a->code, name ? name : "?",
                       rule, NULL, NULL);
  action_finish(a, err, NULL, rule);
}

static void action_loaded_cb(void *arg, int err, const mc_dossier *d) {
  action_ctx *a = arg;
  mc_session *s = a->r->s;
  if (err == 0 && !mc_wf_can_see(d, &s->peer)) err = MC_ENOTFOUND;
  if (err != 0) return action_finish(a, err, NULL, "code");
  const char *rule = NULL;
  a->args.now_ms = mc_server_now_ms();
  err = mc_wf_decide(&s->srv->cal, d, s->unit->parent, &s->peer, &a->args, &a->change, &rule);
  if (err != 0) return refused(a, err, rule);
  mc_action_rec rec = {
      .idem_key = a->key, .unit_code = s->unit->code, .role = s->peer.role,
      .officer = a->officer, .code = a->code, .change = &a->change, .detail = a->detail,
      .assigned_officer = a->to_officer[0] ? a->to_officer : NULL,
      .department = a->department[0] ? a->department : NULL, .rating = a->args.rating,
      .fee_amount = a->amount, .collected_by = a->collected_by[0] ? a->collected_by : NULL};
  err = mc_store_action(s->srv->store, &rec, action_stored_cb, a);
  if (err != 0) action_finish(a, err, NULL, "storage");
}

static void action_idem_cb(void *arg, int err, const char *action, const mc_dossier *d) {
  action_ctx *a = arg;
  const char *name = mc_action_name(a->args.action);
  if (err == 0 && (strcmp(action, name) != 0 || strcmp(d->code, a->code) != 0))
    err = MC_ECONFLICT;
  if (err == 0) return action_finish(a, 0, d, NULL); /* replay the first answer */
  if (err != MC_ENOTFOUND) return action_finish(a, err, NULL, "idempotency_key");
  err = mc_store_show(a->r->s->srv->store, a->code, action_loaded_cb, a);
  if (err != 0) action_finish(a, err, NULL, "storage");
}

static int start_action(mc_session *s, uint64_t rid, action_ctx *a) {
  int rc = handlers__start(s, rid, &a->r);
  if (rc == 0) rc = mc_store_idem_lookup(s->srv->store, s->unit->code, a->key, action_idem_cb, a);
  if (rc != 0) {
    if (a->r != NULL) mc_req_finish(a->r, NULL);
    free(a);
  }
  return rc;
}

/* ---- request fields ----------------------------------------------------- */

/* Free text from a desk: bounded, no control characters but newlines. */
static int take_text(char *dst, size_t cap, const char *src, int required) {
  if (handlers__take_str(dst, cap, src, required) != 0) return MC_EINVAL;
  for (const unsigned char *p = (const unsigned char *)dst; *p; p++)
    if (*p < 0x20 && *p != '\n') return MC_EINVAL;
  return 0;
}

static int needs_reason(int action) {
  return action == MC_ACT_SUPPLEMENT_REQUEST || action == MC_ACT_REFUSE ||
         action == MC_ACT_STOP || action == MC_ACT_RESCHEDULE;
}

/* Per-action required arguments; fills a->detail for the progress log. */
static int parse_action_args(const Motcua__ActionRequest *q, action_ctx *a, const char **field) {
  int act = a->args.action;
  if (take_text(a->detail, sizeof a->detail, q->reason, needs_reason(act)) != 0)
    return *field = "reason", MC_EINVAL;
  if (a->detail[0] == '\0' && take_text(a->detail, sizeof a->detail, q->note, 0) != 0)
    return *field = "note", MC_EINVAL;
  if (take_text(a->to_officer, sizeof a->to_officer, q->to_officer, act == MC_ACT_ASSIGN) != 0)
    return *field = "to_officer", MC_EINVAL;
  if (take_text(a->department, sizeof a->department, q->department, 0) != 0)
    return *field = "department", MC_EINVAL;
  if (take_text(a->collected_by, sizeof a->collected_by, q->collected_by, act == MC_ACT_RETURN) != 0)
    return *field = "collected_by", MC_EINVAL;
  if (act == MC_ACT_FEE_REQUEST && (q->amount <= 0 || q->amount > 1000000000000LL))
    return *field = "amount", MC_EINVAL;
  if (act == MC_ACT_RESCHEDULE && q->new_due_ms <= 0) return *field = "new_due", MC_EINVAL;
  a->amount = act == MC_ACT_FEE_REQUEST ? q->amount : 0;
  a->args.new_due_ms = q->new_due_ms;
  a->args.rating = act == MC_ACT_RATE ? (int)(q->rating > 3 ? 99 : q->rating) : 0;
  return 0;
}

static void describe(action_ctx *a) {
  char extra[MC_REASON_MAX];
  int act = a->args.action;
  if (act == MC_ACT_ASSIGN)
    snprintf(extra, sizeof extra, "%s%s%s", a->to_officer, a->department[0] ? " – " : "",
             a->department);
  else if (act == MC_ACT_FEE_REQUEST)
    snprintf(extra, sizeof extra, "%lld VND", (long long)a->amount);
  else if (act == MC_ACT_RETURN)
    snprintf(extra, sizeof extra, "%s", a->collected_by);
  else if (act == MC_ACT_RATE)
    snprintf(extra, sizeof extra, "%d", a->args.rating);
  else
    return;
  if (a->detail[0] == '\0') snprintf(a->detail, sizeof a->detail, "%s", extra);
}

int mc_handle_action(mc_session *s, const Motcua__Envelope *env) {
  const Motcua__ActionRequest *q = env->action;
  const char *field = NULL;
  if (handlers__check_idem_key(q->idempotency_key) != 0)
    return handlers__refuse(s, MC_EINVAL, "idempotency_key");
  if (handlers__check_code(q->code) != 0) return handlers__refuse(s, MC_EINVAL, "code");
  if ((int)q->action < 1 || (int)q->action >= MC_ACT_FORWARD) return handlers__refuse(s, MC_EINVAL, "action");
  action_ctx *a = calloc(1, sizeof *a);
  if (a == NULL) return MC_ENOMEM;
  a->args.action = (int)q->action;
  int rc = take_text(a->officer, sizeof a->officer, q->officer, 0) != 0 ? (field = "officer", MC_EINVAL)
                                                                        : parse_action_args(q, a, &field);
  if (rc != 0) {
    free(a);
    return handlers__refuse(s, rc, field);
  }
  describe(a);
  snprintf(a->key, sizeof a->key, "%s", q->idempotency_key);
  snprintf(a->code, sizeof a->code, "%s", q->code);
  return start_action(s, env->request_id, a);
}

int mc_handle_forward(mc_session *s, const Motcua__Envelope *env) {
  const Motcua__ForwardRequest *q = env->forward;
  if (handlers__check_idem_key(q->idempotency_key) != 0)
    return handlers__refuse(s, MC_EINVAL, "idempotency_key");
  if (handlers__check_code(q->code) != 0) return handlers__refuse(s, MC_EINVAL, "code");
  action_ctx *a = calloc(1, sizeof *a);
  if (a == NULL) return MC_ENOMEM;
  if (take_text(a->officer, sizeof a->officer, q->officer, 0) != 0) {
    free(a);
    return handlers__refuse(s, MC_EINVAL, "officer");
  }
  a->args.action = MC_ACT_FORWARD;
  snprintf(a->key, sizeof a->key, "%s", q->idempotency_key);
  snprintf(a->code, sizeof a->code, "%s", q->code);
  return start_action(s, env->request_id, a);
}

/* ---- history ------------------------------------------------------------ */

static char *unit_name(const mc_server *srv, const char *code) {
  const mc_unit *u = code[0] ? mc_server_unit(srv, code) : NULL;
  return u != NULL ? (char *)u->name : "";
}

static void history_done_cb(void *arg, int err, const mc_dossier *d, const mc_step *steps,
                            size_t n) {
  mc_req *r = arg;
  if (err == 0 && !mc_wf_can_see(d, &r->s->peer)) err = MC_ENOTFOUND;
  Motcua__ProgressStep *sv = err == 0 && n ? calloc(n, sizeof *sv) : NULL;
  Motcua__ProgressStep **sp = err == 0 && n ? calloc(n, sizeof *sp) : NULL;
  if (err == 0 && n > 0 && (sv == NULL || sp == NULL)) err = MC_ENOMEM;
  if (err != 0) {
    free(sv);
    free(sp);
    return mc_req_fail(r, err, "code");
  }
  for (size_t i = 0; i < n; i++) {
    mc_pb_from_step(&sv[i], &steps[i]);
    sv[i].unit_name = unit_name(r->s->srv, steps[i].unit_code);
    sv[i].from_unit_name = unit_name(r->s->srv, steps[i].from_unit);
    sv[i].to_unit_name = unit_name(r->s->srv, steps[i].to_unit);
    sp[i] = &sv[i];
  }
  mc_pb_dossier pb;
  mc_pb_from_dossier(&pb, d, mc_server_now_ms());
  Motcua__HistoryReply h = MOTCUA__HISTORY_REPLY__INIT;
  h.dossier = &pb.d;
  h.n_steps = n;
  h.steps = sp;
  ENV_INIT(out, r->id, history_reply, &h, MOTCUA__ENVELOPE__BODY_HISTORY_REPLY);
  mc_req_finish(r, &out);
  free(sp);
  free(sv);
}

int mc_handle_history(mc_session *s, const Motcua__Envelope *env) {
  if (handlers__check_code(env->history->code) != 0) return handlers__refuse(s, MC_EINVAL, "code");
  mc_req *r;
  int rc = handlers__start(s, env->request_id, &r);
  if (rc != 0) return rc;
  return handlers__submitted(r, mc_store_history(s->srv->store, env->history->code,
                                                 history_done_cb, r));
}
