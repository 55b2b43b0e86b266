/* The dossier transition table (national status codes 1..10). Pure: no
 * I/O, no clock; docs/WORKFLOW.md explains every row. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "actions.h"

#define S(x) (1u << (x))
#define R(x) (1u << (x))
#define COM R(MC_ROLE_COMMUNE)
#define DIS R(MC_ROLE_DISTRICT)
/* Open statuses but 1 (registered online, not yet received: no due time
 * to move). */
#define OPEN_RECEIVED (MC_STATUS_OPEN_SET & ~S(MC_ST_REGISTERED))
/* Officer roles (issue 15; docs/WORKFLOW.md "Officer roles"): the
 * receiving and returning officer takes dossiers in and hands results out,
 * the processing officer examines, asks for fees and proposes the result,
 * the leader signs it, refuses or stops after examination, approves a new
 * appointment and assigns; the unit administrator keeps the calendar and
 * the officers. */
#define RCV MC_OFF_RECEIVING
#define PRC MC_OFF_PROCESSING
#define LEAD MC_OFF_LEADER
#define ADM MC_OFF_UNIT_ADMIN

/* How the acting unit stands to the dossier. */
enum actor { RECEIVER, CENTRE }; /* the receiving unit / the unit it was forwarded to */
enum hold { NOT_HOLDING, HOLDING };
#define LV_C (1u << MC_LEVEL_COMMUNE)
#define LV_D (1u << MC_LEVEL_DISTRICT)
/* Where a dossier is in the inter-level flow. */
enum phase { PH_INTAKE = 0, PH_AT_CENTRE = 1, PH_BACK = 2 };
#define P_IN (1u << PH_INTAKE)     /* never forwarded ("before forward") */
#define P_UP (1u << PH_AT_CENTRE)  /* forwarded, the centre holds it */
#define P_BK (1u << PH_BACK)       /* sent back to the receiving unit */
enum clock { CLK_NONE, CLK_PAUSE, CLK_RESUME };
enum move { MOVE_NONE, MOVE_UP, MOVE_BACK };

/* One row: `action` may be taken by a unit of a role in `roles` (and an
 * officer role in `officers`), standing as `actor` to the dossier and
 * holding it or not, on a procedure of a level in `levels`, in a phase in
 * `phases`, from a status in `from`. An action is allowed when one row
 * matches; docs/WORKFLOW.md prints this table. */
static const struct rule {
  int action;
  unsigned roles;
  unsigned officers;
  enum actor actor;
  enum hold hold;
  unsigned levels;
  unsigned phases;
  unsigned from;   /* allowed statuses */
  int to;          /* 0 = status unchanged */
  enum clock clk;
  enum move move;
  int finishes;
} rules[] = {
    /* A commune-level dossier at its commune, or a district-level one the
     * centre received itself: the receiving unit does everything. */
#define OWN(act, roles, off, from, to, clk, fin)                                                   \
  {act, roles, off, RECEIVER, HOLDING, LV_C, P_IN, from, to, clk, MOVE_NONE, fin},                \
  {act, DIS, off, RECEIVER, HOLDING, LV_D, P_IN, from, to, clk, MOVE_NONE, fin}
    OWN(MC_ACT_ACCEPT, COM, RCV, S(2), 4, CLK_NONE, 0),
    OWN(MC_ACT_PROPOSE, COM, PRC, S(4), 0, CLK_NONE, 0),
    OWN(MC_ACT_RESULT, COM, LEAD, S(4), 9, CLK_NONE, 1),
    OWN(MC_ACT_SUPPLEMENT_REQUEST, COM, RCV, S(2), 5, CLK_PAUSE, 0),
    OWN(MC_ACT_SUPPLEMENT_REQUEST, COM, PRC, S(4), 5, CLK_PAUSE, 0),
    OWN(MC_ACT_SUPPLEMENT, COM, RCV, S(5), 4, CLK_RESUME, 0),
    OWN(MC_ACT_FEE_REQUEST, COM, PRC, S(4), 6, CLK_PAUSE, 0),
    OWN(MC_ACT_FEE_PAID, COM, RCV, S(6), 4, CLK_RESUME, 0),
    OWN(MC_ACT_REFUSE, COM, RCV | LEAD, S(1) | S(2), 3, CLK_NONE, 1),
    OWN(MC_ACT_STOP, COM, LEAD, S(4) | S(5) | S(6), 8, CLK_RESUME, 1),
    OWN(MC_ACT_WITHDRAW, COM, RCV, MC_STATUS_OPEN_SET, 7, CLK_RESUME, 1),
    OWN(MC_ACT_RESCHEDULE, COM, LEAD, OPEN_RECEIVED, 0, CLK_NONE, 0),
    OWN(MC_ACT_RETURN, COM, RCV, S(9), 10, CLK_NONE, 0),
    OWN(MC_ACT_RATE, COM, RCV, S(10), 0, CLK_NONE, 0),
#undef OWN
    {MC_ACT_ASSIGN, DIS, LEAD, RECEIVER, HOLDING, LV_D, P_IN, S(2) | S(4), 4, CLK_NONE, MOVE_NONE, 0},

    /* A district-level dossier at its commune before the forward: intake
     * only. The intake supplement (slip 02) resumes to 2, so that it can
     * still be forwarded. */
    {MC_ACT_FORWARD, COM, RCV, RECEIVER, HOLDING, LV_D, P_IN, S(2), 0, CLK_NONE, MOVE_UP, 0},
    {MC_ACT_REFUSE, COM, RCV | LEAD, RECEIVER, HOLDING, LV_D, P_IN, S(1) | S(2), 3, CLK_NONE, MOVE_NONE, 1},
    {MC_ACT_WITHDRAW, COM, RCV, RECEIVER, HOLDING, LV_D, P_IN, S(1) | S(2) | S(5), 7, CLK_RESUME, MOVE_NONE, 1},
    {MC_ACT_SUPPLEMENT_REQUEST, COM, RCV, RECEIVER, HOLDING, LV_D, P_IN, S(2), 5, CLK_PAUSE, MOVE_NONE, 0},
    {MC_ACT_SUPPLEMENT, COM, RCV, RECEIVER, HOLDING, LV_D, P_IN, S(5), 2, CLK_RESUME, MOVE_NONE, 0},

    /* Forwarded: the centre, holding it, processes it and sends it back. */
#define UP(act, off, from, to, clk, move, fin)                                                   \
  {act, DIS, off, CENTRE, HOLDING, LV_D, P_UP, from, to, clk, move, fin}
    UP(MC_ACT_ACCEPT, RCV, S(2), 4, CLK_NONE, MOVE_NONE, 0),
    UP(MC_ACT_ASSIGN, LEAD, S(2) | S(4), 4, CLK_NONE, MOVE_NONE, 0),
    UP(MC_ACT_PROPOSE, PRC, S(4), 0, CLK_NONE, MOVE_NONE, 0),
    UP(MC_ACT_RESULT, LEAD, S(4), 9, CLK_NONE, MOVE_NONE, 1),
    UP(MC_ACT_SUPPLEMENT_REQUEST, RCV, S(2), 5, CLK_PAUSE, MOVE_NONE, 0),
    UP(MC_ACT_SUPPLEMENT_REQUEST, PRC, S(4), 5, CLK_PAUSE, MOVE_NONE, 0),
    UP(MC_ACT_SUPPLEMENT, RCV, S(5), 4, CLK_RESUME, MOVE_NONE, 0),
    UP(MC_ACT_FEE_REQUEST, PRC, S(4), 6, CLK_PAUSE, MOVE_NONE, 0),
    UP(MC_ACT_FEE_PAID, RCV, S(6), 4, CLK_RESUME, MOVE_NONE, 0),
    UP(MC_ACT_REFUSE, LEAD, S(1) | S(2), 3, CLK_NONE, MOVE_NONE, 1),
    UP(MC_ACT_STOP, LEAD, S(4) | S(5) | S(6), 8, CLK_RESUME, MOVE_NONE, 1),
    UP(MC_ACT_WITHDRAW, RCV, MC_STATUS_OPEN_SET, 7, CLK_RESUME, MOVE_NONE, 1),
    UP(MC_ACT_RESCHEDULE, LEAD, OPEN_RECEIVED, 0, CLK_NONE, MOVE_NONE, 0),
    UP(MC_ACT_SEND_BACK, RCV, S(3) | S(7) | S(8) | S(9), 0, CLK_NONE, MOVE_BACK, 0),
#undef UP
    /* ... while the commune, not holding it, takes in what the citizen
     * brings to its desk. */
    {MC_ACT_SUPPLEMENT, COM, RCV, RECEIVER, NOT_HOLDING, LV_D, P_UP, S(5), 4, CLK_RESUME, MOVE_NONE, 0},
    {MC_ACT_FEE_PAID, COM, RCV, RECEIVER, NOT_HOLDING, LV_D, P_UP, S(6), 4, CLK_RESUME, MOVE_NONE, 0},
    {MC_ACT_WITHDRAW, COM, RCV, RECEIVER, NOT_HOLDING, LV_D, P_UP, MC_STATUS_OPEN_SET, 7, CLK_RESUME, MOVE_NONE, 1},

    /* Sent back: the commune returns the result and records the rating. */
    {MC_ACT_RETURN, COM, RCV, RECEIVER, HOLDING, LV_D, P_BK, S(9), 10, CLK_NONE, MOVE_NONE, 0},
    {MC_ACT_RATE, COM, RCV, RECEIVER, HOLDING, LV_D, P_BK, S(10), 0, CLK_NONE, MOVE_NONE, 0},
};

static const char *const action_names[MC_ACT_MAX + 1] = {
    [MC_ACT_ACCEPT] = "accept", [MC_ACT_ASSIGN] = "assign", [MC_ACT_RESULT] = "result",
    [MC_ACT_SEND_BACK] = "send_back", [MC_ACT_SUPPLEMENT_REQUEST] = "supplement_request",
    [MC_ACT_SUPPLEMENT] = "supplement", [MC_ACT_FEE_REQUEST] = "fee_request",
    [MC_ACT_FEE_PAID] = "fee_paid", [MC_ACT_REFUSE] = "refuse", [MC_ACT_STOP] = "stop",
    [MC_ACT_WITHDRAW] = "withdraw", [MC_ACT_RESCHEDULE] = "reschedule",
    [MC_ACT_RETURN] = "return", [MC_ACT_RATE] = "rate", [MC_ACT_PROPOSE] = "propose",
    [MC_ACT_FORWARD] = "forward",
};

const char *mc_action_name(int action) {
  return action >= 1 && action <= MC_ACT_MAX ? action_names[action] : NULL;
}

/* The motcua command of each action (client/cli/commands.c). */
static const char *const action_commands[MC_ACT_MAX + 1] = {
    [MC_ACT_ACCEPT] = "accept", [MC_ACT_ASSIGN] = "assign", [MC_ACT_RESULT] = "result",
    [MC_ACT_SEND_BACK] = "send-back", [MC_ACT_SUPPLEMENT_REQUEST] = "supplement-request",
    [MC_ACT_SUPPLEMENT] = "supplement", [MC_ACT_FEE_REQUEST] = "fee-request",
    [MC_ACT_FEE_PAID] = "fee-paid", [MC_ACT_REFUSE] = "refuse", [MC_ACT_STOP] = "stop",
    [MC_ACT_WITHDRAW] = "withdraw", [MC_ACT_RESCHEDULE] = "reschedule",
    [MC_ACT_RETURN] = "return", [MC_ACT_RATE] = "rate", [MC_ACT_PROPOSE] = "propose",
    [MC_ACT_FORWARD] = "forward",
};

const char *mc_action_command(int action) {
  return action >= 1 && action <= MC_ACT_MAX ? action_commands[action] : NULL;
}

static int same(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* The acting unit's standing, computed once from the dossier. */
typedef struct standing {
  unsigned role;   /* R(role) */
  int relation;    /* RECEIVER, CENTRE, or -1 (neither) */
  enum hold hold;
  unsigned level;  /* LV_C or LV_D */
  enum phase phase;
} standing;

static standing stand(const mc_dossier *d, const mc_actor *who) {
  standing s = {.role = who->role >= 0 && who->role < 16 ? R(who->role) : 0};
  s.relation = same(d->unit_code, who->unit) ? RECEIVER
               : d->forwarded_to[0] && same(d->forwarded_to, who->unit) ? CENTRE : -1;
  s.hold = same(d->holder_unit, who->unit) ? HOLDING : NOT_HOLDING;
  s.level = d->level == MC_LEVEL_COMMUNE ? LV_C : d->level == MC_LEVEL_DISTRICT ? LV_D : 0;
  s.phase = d->forwarded_to[0] == '\0'                ? PH_INTAKE
            : same(d->holder_unit, d->forwarded_to) ? PH_AT_CENTRE
                                                      : PH_BACK;
  return s;
}

static int fits(const struct rule *r, const standing *s) {
  return (r->roles & s->role) && (int)r->actor == s->relation && r->hold == s->hold &&
         (r->levels & s->level) && (r->phases & (1u << s->phase));
}

/* Every text here fits the client's 128-byte detail (test_workflow checks).
 * Why no row fits the actor's standing: a rule id the client's catalogue
 * renders (client/lib/messages.c, "rule.*"), then the English text. */
static int refuse_standing(int action, const standing *s, const char **rule) {
  if (s->relation < 0)
    return *rule = "rule.not_party: only the receiving unit and the unit it was forwarded to may "
                   "act on it",
           MC_EFORBIDDEN;
  if (action == MC_ACT_FORWARD && s->level != LV_D)
    return *rule = "rule.forward_level: only district-level procedures are forwarded",
           MC_EWRONGLEVEL;
  if (action == MC_ACT_FORWARD && s->phase != PH_INTAKE)
    return *rule = "rule.forward_once: the dossier was already forwarded", MC_EBADSTATE;
  if (s->relation == RECEIVER && s->level == LV_D && s->phase == PH_INTAKE &&
      s->role == COM)
    return *rule = "rule.before_forward: before the forward the commune may only forward, refuse, "
                   "withdraw or ask for a supplement",
           MC_EWRONGLEVEL;
  if (s->relation == RECEIVER && s->phase == PH_AT_CENTRE)
    return *rule = "rule.at_centre: the district holds it; the commune may only take in a "
                   "supplement, a fee or a withdrawal",
           MC_EFORBIDDEN;
  if (s->relation == RECEIVER && s->phase == PH_BACK)
    return *rule = "rule.after_send_back: sent back; the commune may only return the result and "
                   "record the rating",
           MC_EFORBIDDEN;
  if (s->relation == CENTRE && s->phase == PH_BACK)
    return *rule = "rule.sent_back: the dossier was sent back to the receiving unit", MC_EFORBIDDEN;
  if (action == MC_ACT_SEND_BACK)
    return *rule = "rule.send_back: only the unit it was forwarded to, holding it, may send it "
                   "back",
           MC_EFORBIDDEN;
  if (action == MC_ACT_RETURN || action == MC_ACT_RATE)
    return *rule = "rule.receiver_only: only the receiving unit, with the dossier in hand, may "
                   "do this",
           MC_EFORBIDDEN;
  return *rule = "rule.holder: only the unit holding the dossier may do this", MC_EFORBIDDEN;
}

/* Rules beyond the table that depend on the dossier only: once-only
 * actions, and a forward needs a unit above. */
static int state_rules(const struct rule *r, const mc_dossier *d, const char *parent_unit,
                       const char **rule) {
  if (r->move == MOVE_UP && (parent_unit == NULL || parent_unit[0] == '\0'))
    return *rule = "the unit has no parent to forward to", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && d->rescheduled)
    return *rule = "rule.reschedule_once: a dossier may be rescheduled only once", MC_EBADSTATE;
  if (r->action == MC_ACT_RATE && d->rating != 0)
    return *rule = "rule.rate_once: the citizen's rating is recorded once", MC_EBADSTATE;
  return 0;
}

/* Rules beyond the table: the request's arguments. */
static int extra_rules(const mc_calendar *cal, const struct rule *r, const mc_dossier *d,
                       const mc_action_args *in, const char **rule) {
  if (r->action == MC_ACT_RESCHEDULE && (in->new_due_ms <= d->due_at_ms || in->new_due_ms <= in->now_ms))
    return *rule = "the new appointment must be later than the current one and than now", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && in->new_due_ms - in->now_ms > MC_LIM_RESCHEDULE_AHEAD_MS)
    return *rule = "the new appointment must be within 5 years from now", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && !mc_is_working_day(cal, mc_local_day(cal, in->new_due_ms)))
    return *rule = "the new appointment must be on a working day of the unit's calendar", MC_EINVAL;
  if (r->action == MC_ACT_RESCHEDULE && !mc_cal_in_hours(cal, in->new_due_ms))
    return *rule = "the new appointment must be within the unit's office hours", MC_EINVAL;
  if (r->action == MC_ACT_RATE && (in->rating < 1 || in->rating > 3))
    return *rule = "rating must be 1, 2 or 3", MC_EINVAL;
  return 0;
}

/* The row that allows the action, or NULL with the refusal in rc and rule. */
static const struct rule *find_row(const mc_dossier *d, const mc_actor *who, int action,
                                   int *rc, const char **rule) {
  static char text[128];
  standing s = stand(d, who);
  unsigned roles = 0;
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    if (rules[i].action == action) roles |= rules[i].roles;
  if (!(roles & s.role)) {
    *rule = roles == DIS ? "rule.role: only district staff may do this"
                         : "rule.role: only commune desks may do this";
    return *rc = MC_EFORBIDDEN, NULL;
  }
  int fitted = 0;
  unsigned officers = 0; /* officer roles of the rows that fit and allow the status */
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    const struct rule *r = &rules[i];
    if (r->action != action || !fits(r, &s)) continue;
    fitted = 1;
    if (!(d->status >= 1 && d->status <= 10 && (r->from & S(d->status)))) continue;
    if (r->officers & who->officer_roles) return r;
    officers |= r->officers;
  }
  if (!fitted) return *rc = refuse_standing(action, &s, rule), NULL;
  if (officers != 0) {
    char names[64];
    snprintf(text, sizeof text, "rule.officer_role: %s needs the officer role %s",
             mc_action_name(action), mc_off_roles_text(officers, names, sizeof names));
    return *rule = text, *rc = MC_EFORBIDDEN, NULL;
  }
  const char *vi = mc_status_name_vi(d->status);
  snprintf(text, sizeof text, "rule.status: %s is not allowed in status %d (%s)",
           mc_action_name(action), d->status, vi ? vi : "?");
  return *rule = text, *rc = MC_EBADSTATE, NULL;
}

/* Requests that are not dossier transitions, by the officer roles that may
 * send them (the same table's last part; docs/WORKFLOW.md). */
static const struct {
  int op;
  unsigned officers;
  const char *rule;
} op_rules[] = {
    {MC_OP_RECEIVE, RCV, "rule.officer_role: receive needs the officer role receiving"},
    {MC_OP_UPLOAD_SCAN, RCV | PRC,
     "rule.officer_role: attaching scans needs the officer role receiving or processing"},
    {MC_OP_UPLOAD_RESULT, PRC | LEAD,
     "rule.officer_role: attaching a result needs the officer role processing or leader"},
    {MC_OP_CALENDAR, ADM, "rule.officer_role: the calendar needs the officer role unit_admin"},
    {MC_OP_OFFICERS, ADM, "rule.officer_role: managing officers needs the officer role unit_admin"},
};

int mc_wf_officer_may(int op, unsigned officer_roles, const char **rule) {
  for (size_t i = 0; i < sizeof op_rules / sizeof op_rules[0]; i++)
    if (op_rules[i].op == op)
      return (op_rules[i].officers & officer_roles) ? 0 : (*rule = op_rules[i].rule, MC_EFORBIDDEN);
  return *rule = "unknown operation", MC_EINVAL;
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
  if (mc_action_name(in->action) == NULL) return *rule = "unknown action", MC_EINVAL;
  int rc = 0;
  const struct rule *r = find_row(d, who, in->action, &rc, rule);
  if (r == NULL) return rc;
  if ((rc = state_rules(r, d, parent_unit, rule)) != 0) return rc;
  if ((rc = extra_rules(cal, r, d, in, rule)) != 0) return rc;
  memset(out, 0, sizeof *out);
  out->action = r->action;
  out->action_name = mc_action_name(r->action);
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

size_t mc_wf_actions_now(const mc_dossier *d, const char *parent_unit, const mc_actor *who,
                         int *out, size_t cap) {
  size_t n = 0;
  for (int a = 1; a <= MC_ACT_MAX && n < cap; a++) {
    int rc = 0;
    const char *rule = NULL;
    const struct rule *r = find_row(d, who, a, &rc, &rule);
    if (r != NULL && state_rules(r, d, parent_unit, &rule) == 0) out[n++] = a;
  }
  return n;
}
