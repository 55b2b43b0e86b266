/* The dossier transition table (national status codes 1..10). Pure: no
 * I/O, no clock; docs/WORKFLOW.md explains every row. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "actions.h"

#define S(x) (1u << (x))
#define R(x) (1u << (x))
#define DESK (R(MC_ROLE_COMMUNE) | R(MC_ROLE_DISTRICT))
/* Open statuses but 1 (registered online, not yet received: no due time
 * to move). */
#define OPEN_RECEIVED (MC_STATUS_OPEN_SET & ~S(MC_ST_REGISTERED))

enum who {
  WHO_HOLDER,           /* the unit holding the dossier now */
  WHO_HOLDER_OR_RECEIVER,
  WHO_RECEIVER_HOLDING, /* the receiving unit, with the dossier back in hand */
  WHO_RECEIVER_ANY,     /* the receiving unit */
  WHO_HOLDER_FORWARDED  /* the unit it was forwarded to, holding it */
};
enum clock { CLK_NONE, CLK_PAUSE, CLK_RESUME };
enum move { MOVE_NONE, MOVE_UP, MOVE_BACK };

static const struct rule {
  int action;
  const char *name;
  unsigned from;   /* allowed statuses */
  unsigned roles;
  enum who who;
  int to;          /* 0 = status unchanged */
  enum clock clk;
  enum move move;
  int finishes;
} rules[] = {
    {MC_ACT_ACCEPT, "accept", S(2), DESK, WHO_HOLDER, 4, CLK_NONE, MOVE_NONE, 0},
    {MC_ACT_ASSIGN, "assign", S(2) | S(4), R(MC_ROLE_DISTRICT), WHO_HOLDER, 4, CLK_NONE, MOVE_NONE, 0},
    {MC_ACT_RESULT, "result", S(4), DESK, WHO_HOLDER, 9, CLK_NONE, MOVE_NONE, 1},
    {MC_ACT_SEND_BACK, "send_back", S(3) | S(7) | S(8) | S(9), R(MC_ROLE_DISTRICT),
     WHO_HOLDER_FORWARDED, 0, CLK_NONE, MOVE_BACK, 0},
    {MC_ACT_SUPPLEMENT_REQUEST, "supplement_request", S(2) | S(4), DESK, WHO_HOLDER, 5,
     CLK_PAUSE, MOVE_NONE, 0},
    {MC_ACT_SUPPLEMENT, "supplement", S(5), DESK, WHO_HOLDER_OR_RECEIVER, 4, CLK_RESUME,
     MOVE_NONE, 0},
    {MC_ACT_FEE_REQUEST, "fee_request", S(4), DESK, WHO_HOLDER, 6, CLK_PAUSE, MOVE_NONE, 0},
    {MC_ACT_FEE_PAID, "fee_paid", S(6), DESK, WHO_HOLDER_OR_RECEIVER, 4, CLK_RESUME,
     MOVE_NONE, 0},
    {MC_ACT_REFUSE, "refuse", S(1) | S(2), DESK, WHO_HOLDER, 3, CLK_NONE, MOVE_NONE, 1},
    {MC_ACT_STOP, "stop", S(4) | S(5) | S(6), DESK, WHO_HOLDER, 8, CLK_RESUME, MOVE_NONE, 1},
    {MC_ACT_WITHDRAW, "withdraw", MC_STATUS_OPEN_SET, DESK, WHO_HOLDER_OR_RECEIVER, 7,
     CLK_RESUME, MOVE_NONE, 1},
    {MC_ACT_RESCHEDULE, "reschedule", OPEN_RECEIVED, DESK, WHO_HOLDER, 0, CLK_NONE, MOVE_NONE, 0},
    {MC_ACT_RETURN, "return", S(9), DESK, WHO_RECEIVER_HOLDING, 10, CLK_NONE, MOVE_NONE, 0},
    {MC_ACT_RATE, "rate", S(10), DESK, WHO_RECEIVER_ANY, 0, CLK_NONE, MOVE_NONE, 0},
    {MC_ACT_FORWARD, "forward", S(2), R(MC_ROLE_COMMUNE), WHO_RECEIVER_HOLDING, 0, CLK_NONE,
     MOVE_UP, 0},
};

static const struct rule *find_rule(int action) {
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    if (rules[i].action == action) return &rules[i];
  return NULL;
}

const char *mc_action_name(int action) {
  const struct rule *r = find_rule(action);
  return r != NULL ? r->name : NULL;
}

static int same(const char *a, const char *b) { return strcmp(a, b) == 0; }

static int who_ok(enum who w, const mc_dossier *d, const char *unit) {
  int holder = same(d->holder_unit, unit), receiver = same(d->unit_code, unit);
  switch (w) {
  case WHO_HOLDER: return holder;
  case WHO_HOLDER_OR_RECEIVER: return holder || receiver;
  case WHO_RECEIVER_HOLDING: return holder && receiver;
  case WHO_RECEIVER_ANY: return receiver;
  case WHO_HOLDER_FORWARDED: return holder && !receiver && same(d->forwarded_to, unit);
  }
  return 0;
}

static const char *who_text(enum who w) {
  static const char *const t[] = {
      "only the unit holding the dossier may do this",
      "only the unit holding the dossier or the unit that received it may do this",
      "only the receiving unit, with the dossier back in hand, may do this",
      "only the unit that received the dossier may do this",
      "only the unit the dossier was forwarded to, while holding it, may do this",
  };
  return t[w];
}

/* Rules beyond the table: level, once-only actions, argument checks. */
static int extra_rules(const mc_calendar *cal, const struct rule *r, const mc_dossier *d,
                       const mc_action_args *in, const char **rule) {
  if (r->action == MC_ACT_FORWARD && d->level != MC_LEVEL_DISTRICT)
    return *rule = "only district-level procedures are forwarded", MC_EWRONGLEVEL;
  if (r->action == MC_ACT_FORWARD && d->forwarded_to[0] != '\0')
    return *rule = "the dossier was already forwarded", MC_EBADSTATE;
  if (r->action == MC_ACT_RESCHEDULE && d->rescheduled)
    return *rule = "a dossier may be rescheduled only once", MC_EBADSTATE;
  if (r->action == MC_ACT_RESCHEDULE && (in->new_due_ms <= d->due_at_ms || in->new_due_ms <= in->now_ms))
    return *rule = "the new appointment must be later than the current one and than now", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && in->new_due_ms - in->now_ms > MC_LIM_RESCHEDULE_AHEAD_MS)
    return *rule = "the new appointment must be within 5 years from now", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && !mc_is_working_day(cal, mc_local_day(cal, in->new_due_ms)))
    return *rule = "the new appointment must be on a working day of the unit's calendar", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && !mc_cal_in_hours(cal, in->new_due_ms))
    return *rule = "the new appointment must be within the unit's office hours", MC_EINVAL;
  if (r->action == MC_ACT_RATE && d->rating != 0)
    return *rule = "the citizen's rating is recorded once", MC_EBADSTATE;
  if (r->action == MC_ACT_RATE && (in->rating < 1 || in->rating > 3))
    return *rule = "rating must be 1, 2 or 3", MC_EINVAL;
  return 0;
}

static int check(const mc_calendar *cal, const struct rule *r, const mc_dossier *d,
                 const mc_actor *who, const mc_action_args *in, const char **rule) {
  static char text[96];
  if (!(r->roles & R(who->role)))
    return *rule = r->roles == R(MC_ROLE_DISTRICT) ? "only district staff may do this"
                                                   : "only commune desks may do this",
           MC_EFORBIDDEN;
  /* A dossier already forwarded is the receiver's business in one way only. */
  if (r->action == MC_ACT_FORWARD && same(d->unit_code, who->unit) && d->forwarded_to[0])
    return *rule = "the dossier was already forwarded", MC_EBADSTATE;
  if (!who_ok(r->who, d, who->unit)) return *rule = who_text(r->who), MC_EFORBIDDEN;
  if (d->status < 1 || d->status > 10 || !(r->from & S(d->status))) {
    snprintf(text, sizeof text, "%s is not allowed in status %d (%s)", r->name, d->status,
             mc_status_name_vi(d->status) ? mc_status_name_vi(d->status) : "?");
    return *rule = text, MC_EBADSTATE;
  }
  return extra_rules(cal, r, d, in, rule);
}

int64_t mc_wf_extend_due(const mc_calendar *cal, int64_t due_ms, int64_t paused_at_ms,
                         int64_t resumed_ms) {
  return mc_cal_add_work(cal, due_ms, mc_cal_work_between(cal, paused_at_ms, resumed_ms));
}

const char *mc_wf_step_result(const mc_calendar *cal, int64_t at_ms, int64_t due_ms,
                              int supplement_count) {
  if (due_ms <= 0) return "";
  mc_dom_clock clk = {.due_ms = due_ms, .supplement_count = supplement_count};
  if (mc_dom_overdue(&clk, at_ms)) return "late";
  return mc_local_day(cal, at_ms) < mc_local_day(cal, due_ms) ? "early" : "on_time";
}

int mc_wf_overdue(const mc_dossier *d, int64_t now_ms) {
  mc_dom_clock c = {.due_ms = d->due_at_ms, .finished_ms = d->finished_at_ms,
                    .paused_ms = d->paused_at_ms, .supplement_count = d->supplement_count};
  return mc_dom_overdue(&c, now_ms);
}

static void apply_clock(const struct rule *r, const mc_calendar *cal, const mc_dossier *d,
                        int64_t now, mc_change *c) {
  c->due_after_ms = d->due_at_ms;
  c->paused_at_after_ms = d->paused_at_ms;
  if (r->clk == CLK_PAUSE && d->paused_at_ms == 0) c->paused_at_after_ms = now;
  if (r->clk == CLK_RESUME && d->paused_at_ms != 0) {
    c->due_after_ms = mc_wf_extend_due(cal, d->due_at_ms, d->paused_at_ms, now);
    c->paused_at_after_ms = 0;
  }
}

static void apply_move(const struct rule *r, const mc_dossier *d, const char *parent,
                       mc_change *c) {
  snprintf(c->holder_after, sizeof c->holder_after, "%s", d->holder_unit);
  if (r->move == MOVE_NONE) return;
  const char *to = r->move == MOVE_UP ? parent : d->unit_code;
  snprintf(c->from_unit, sizeof c->from_unit, "%s", d->holder_unit);
  snprintf(c->to_unit, sizeof c->to_unit, "%s", to);
  snprintf(c->holder_after, sizeof c->holder_after, "%s", to);
}

/* The other party: whoever of receiver and holder is not the actor. */
static void pick_notify(const mc_dossier *d, const mc_actor *who, mc_change *c) {
  const char *n = "";
  if (!same(c->holder_after, who->unit)) n = c->holder_after;
  else if (!same(d->unit_code, who->unit)) n = d->unit_code;
  else if (!same(d->holder_unit, who->unit)) n = d->holder_unit;
  snprintf(c->notify_unit, sizeof c->notify_unit, "%s", n);
}

int mc_wf_decide(const mc_calendar *cal, const mc_dossier *d, const char *parent_unit,
                 const mc_actor *who, const mc_action_args *in, mc_change *out,
                 const char **rule) {
  const struct rule *r = find_rule(in->action);
  if (r == NULL) return *rule = "unknown action", MC_EINVAL;
  if (r->move == MOVE_UP && (parent_unit == NULL || parent_unit[0] == '\0'))
    return *rule = "the unit has no parent to forward to", MC_EINVAL;
  int rc = check(cal, r, d, who, in, rule);
  if (rc != 0) return rc;
  memset(out, 0, sizeof *out);
  out->action = r->action;
  out->action_name = r->name;
  out->at_ms = in->now_ms;
  out->status_before = d->status;
  out->status_after = r->to ? r->to : d->status;
  snprintf(out->holder_before, sizeof out->holder_before, "%s", d->holder_unit);
  apply_clock(r, cal, d, in->now_ms, out);
  apply_move(r, d, parent_unit, out);
  pick_notify(d, who, out);
  if (r->action == MC_ACT_RESCHEDULE) out->due_after_ms = in->new_due_ms;
  out->supplement_inc = r->action == MC_ACT_SUPPLEMENT_REQUEST;
  out->set_finished = r->finishes;
  out->set_rescheduled = r->action == MC_ACT_RESCHEDULE;
  out->set_returned = r->action == MC_ACT_RETURN;
  out->step_due_ms = out->due_after_ms;
  out->result = mc_wf_step_result(cal, in->now_ms, out->due_after_ms,
                                  d->supplement_count + out->supplement_inc);
  return 0;
}
