/* Workflow actions (and forward, which is one of them): idempotency lookup
 * -> load the dossier -> the transition table decides (pure) -> storage
 * applies the change guarded by the "before" values -> reply, push the
 * event to the other party. A refused action is logged and audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "auth.h"
#include "convert.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"

typedef struct action_ctx {
  mc_req *r;
  mc_action_fields f;  /* validated request */
  char canon[MC_VAL_CANON_MAX]; /* its canonical text: the idempotency fingerprint */
  mc_change change;
  mc_auth_who who;     /* the officer session (copied from the gate) */
  char assignee[MC_LIM_LOGIN + 1]; /* assign: the processing officer's login */
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
  mc_session_push(srv, c->notify_unit, &out);
}

static void action_stored_cb(void *arg, int err, const mc_dossier *d) {
  action_ctx *a = arg;
  mc_session *s = a->r->s;
  if (err == 0) {
    char q[MC_OFFICER_MAX];
    mc_log_info(s->id, "dossier action=%s code=%s status=%d->%d unit=%s login=%s officer=\"%s\"",
                a->change.action_name, d->code, a->change.status_before,
                a->change.status_after, s->peer.unit, a->who.officer.login,
                mc_log_quote(q, sizeof q, a->who.officer.full_name));
    push_event(s->srv, &a->change, s->peer.unit, a->f.detail, d);
  }
  /* storage refuses: an unknown or moved dossier, or a value it cannot hold
   * (assign: no processing officer of the unit by that login) */
  action_finish(a, err, d,
                err == MC_EINVAL ? (a->assignee[0] ? "to_officer" : "value out of range") : "code");
}

static void refused(action_ctx *a, int err, const char *rule) {
  mc_session *s = a->r->s;
  const char *name = mc_action_name(a->f.action);
  char q[MC_OFFICER_MAX];
  mc_log_info(s->id, "action refused action=%s code=%s unit=%s login=%s officer=\"%s\" rule=\"%s\"",
              name ? name : "?", a->f.code, s->peer.unit, a->who.officer.login,
              mc_log_quote(q, sizeof q, a->who.officer.full_name), rule);
  mc_store_log_refusal(s->srv->store, s->peer.unit, a->who.officer.login, a->f.code,
                       name ? name : "?", rule, NULL, NULL);
  action_finish(a, err, NULL, rule);
}

static void action_loaded_cb(void *arg, int err, const mc_dossier *d) {
  action_ctx *a = arg;
  mc_session *s = a->r->s;
  if (err == 0 && !mc_wf_can_see(d, &s->actor)) err = MC_ENOTFOUND;
  if (err != 0) return action_finish(a, err, NULL, "code");
  const char *rule = NULL;
  const mc_action_fields *f = &a->f;
  mc_action_args args = {.action = f->action, .now_ms = mc_server_now_ms(),
                         .new_due_ms = f->new_due_ms, .rating = f->rating};
  mc_calendar cal; /* the receiving unit's: it gave the appointment */
  mc_server_calendar(s->srv, d->unit_code, &cal);
  mc_actor who = s->actor;
  who.officer_roles = a->who.officer.roles;
  err = mc_wf_decide(&cal, d, s->unit->parent, &who, &args, &a->change, &rule);
  if (err != 0) return refused(a, err, rule);
  mc_action_rec rec = {
      .idem_key = f->key, .unit_code = s->unit->code, .role = s->peer.role,
      .officer = a->who.officer.full_name, .officer_id = a->who.officer.id,
      .officer_title = a->who.officer.title, .code = f->code, .change = &a->change,
      .detail = f->detail, .assigned_login = a->assignee[0] ? a->assignee : NULL,
      .department = f->department[0] ? f->department : NULL, .rating = f->rating,
      .fee_amount = f->amount, .collected_by = f->collected_by[0] ? f->collected_by : NULL,
      .fingerprint = a->canon};
  err = mc_store_action(s->srv->store, &rec, action_stored_cb, a);
  if (err != 0) action_finish(a, err, NULL, "storage");
}

static void action_idem_cb(void *arg, int err, const char *action, const mc_dossier *d) {
  action_ctx *a = arg;
  const char *name = mc_action_name(a->f.action);
  if (err == 0 && (strcmp(action, name) != 0 || strcmp(d->code, a->f.code) != 0))
    err = MC_ECONFLICT;
  if (err == 0) return action_finish(a, 0, d, NULL); /* replay the first answer */
  if (err != MC_ENOTFOUND) return action_finish(a, err, NULL, "idempotency_key");
  err = mc_store_show(a->r->s->srv->store, a->f.code, action_loaded_cb, a);
  if (err != 0) action_finish(a, err, NULL, "storage");
}

static int start_action(mc_session *s, uint64_t rid, action_ctx *a) {
  int rc = mc_val_action_canon(&a->f, a->canon, sizeof a->canon) < 0 ? MC_ETOOBIG : 0;
  if (rc == 0) rc = handlers__start(s, rid, &a->r);
  if (rc == 0)
    rc = mc_store_idem_lookup(s->srv->store, s->unit->code, a->f.key, a->canon, action_idem_cb,
                              a);
  if (rc != 0) {
    if (a->r != NULL) mc_req_finish(a->r, NULL);
    free(a);
  }
  return rc;
}

/* assign --to LOGIN: the login as typed, ASCII lower-cased (the rule that
 * it names a processing officer of the unit is checked in the same
 * transaction as the change, sql/016_officers.sql mc_assignee). */
static int take_assignee(action_ctx *a) {
  if (a->f.action != MC_ACT_ASSIGN) return 0;
  return mc_val_login_name(a->assignee, a->f.to_officer);
}

/* Validate (pure, validate.c), then run the shared action flow with the
 * session's officer (the free-text officer of the request is ignored). */
static int handle_validated(mc_session *s, uint64_t rid, action_ctx *a, int rc,
                            const char *field, mc_fault *fault) {
  if (rc == 0 && s->who == NULL) rc = MC_ELOGIN, field = "session_token";
  if (rc == 0 && take_assignee(a) != 0) rc = MC_EINVAL, field = "to_officer";
  if (rc != 0) {
    free(a);
    return handlers__refuse(fault, rc, field);
  }
  a->who = *s->who;
  return start_action(s, rid, a);
}

int mc_handle_action(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const char *field = NULL;
  action_ctx *a = calloc(1, sizeof *a);
  if (a == NULL) return MC_ENOMEM;
  int rc = mc_val_action(env->action, &a->f, &field);
  return handle_validated(s, env->request_id, a, rc, field, fault);
}

int mc_handle_forward(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const char *field = NULL;
  action_ctx *a = calloc(1, sizeof *a);
  if (a == NULL) return MC_ENOMEM;
  int rc = mc_val_forward(env->forward, &a->f, &field);
  return handle_validated(s, env->request_id, a, rc, field, fault);
}

/* ---- history ------------------------------------------------------------ */

static char *unit_name(const mc_server *srv, const char *code) {
  const mc_unit *u = code[0] ? mc_server_unit(srv, code) : NULL;
  return u != NULL ? (char *)u->name : "";
}

static void history_done_cb(void *arg, int err, const mc_dossier *d, const mc_step *steps,
                            size_t n) {
  mc_req *r = arg;
  if (err == 0 && !mc_wf_can_see(d, &r->s->actor)) err = MC_ENOTFOUND;
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

int mc_handle_history(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  if (!handlers__code_ok(env->history->code)) return handlers__refuse(fault, MC_EINVAL, "code");
  mc_req *r;
  int rc = handlers__start(s, env->request_id, &r);
  if (rc != 0) return rc;
  return handlers__submitted(r, mc_store_history(s->srv->store, env->history->code,
                                                 history_done_cb, r));
}

/* ---- refusals by role --------------------------------------------------- */

/* The rule a refusal names: who may send the message (allowed, a mask of
 * 1 << mc_role), not who the caller is; a rule id the client renders. */
static const char *role_rule(mc_role caller, unsigned allowed) {
  if (allowed == 1u << MC_ROLE_ADMIN) return "rule.role: only IT staff (admin) may do this";
  if (caller == MC_ROLE_ADMIN) return "rule.admin: IT staff (admin) have no access to dossiers";
  if (allowed == 1u << MC_ROLE_COMMUNE) return "rule.role: only commune desks may do this";
  if (allowed == 1u << MC_ROLE_DISTRICT) return "rule.role: only district staff may do this";
  return "rule.role: this role may not do this";
}

int mc_handle_role_refused(mc_session *s, const Motcua__Envelope *env, unsigned allowed,
                           mc_fault *fault) {
  const char *rule = role_rule(s->peer.role, allowed);
  const char *action = NULL, *code = "";
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ACTION) {
    action = mc_action_name((int)env->action->action);
    code = env->action->code != NULL ? env->action->code : "";
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_FORWARD) {
    action = "forward";
    code = env->forward->code != NULL ? env->forward->code : "";
  }
  if (action != NULL) {
    char safe[MC_DOSSIER_CODE_MAX];
    if (!handlers__code_ok(code)) code = ""; /* never log or store peer garbage */
    snprintf(safe, sizeof safe, "%s", code);
    mc_log_info(s->id, "action refused action=%s code=%s unit=%s role=%s rule=\"%s\"", action,
                safe, s->peer.unit, mc_role_name(s->peer.role), rule);
    mc_store_log_refusal(s->srv->store, s->peer.unit, "", safe, action, rule, NULL, NULL);
  }
  return handlers__refuse_rule(fault, MC_EFORBIDDEN, rule);
}
