/* The workflow actions (actions.c), pure like the rest of rules/. The
 * transition table: rows of (action, unit role, officer-role mask, actor =
 * receiving unit / centre, holding or not, procedure level, phase = intake /
 * at centre / sent back, allowed statuses) with the status each leads to,
 * its hand-over and its effect on the clock (docs/WORKFLOW.md). */
#ifndef MC_ACTIONS_H
#define MC_ACTIONS_H

#include <stdint.h>

#include "model.h"
#include "workflow.h"

typedef struct mc_action_args {
  int action;          /* enum mc_action */
  int64_t now_ms;
  int64_t new_due_ms;  /* reschedule */
  int rating;          /* rate */
} mc_action_args;

/* Decide an action. On success fills *out and returns 0. Otherwise returns
 * MC_EFORBIDDEN (who), MC_EBADSTATE (status or once-only rule),
 * MC_EWRONGLEVEL (the other level's business) or MC_EINVAL, and *rule names
 * the rule: "rule.<id>: <English>" (ids in docs/WORKFLOW.md "Refusals";
 * argument checks have no id), under 128 bytes. */
int mc_wf_decide(const mc_calendar *cal, const mc_dossier *d, const char *parent_unit,
                 const mc_actor *who, const mc_action_args *in, mc_change *out,
                 const char **rule);

/* Requests that are not transitions, by the officer roles that may send
 * them: 0, or MC_EFORBIDDEN with *rule ("rule.officer_role: ..."). */
enum mc_wf_op {
  MC_OP_RECEIVE = 1,
  MC_OP_UPLOAD_SCAN,
  MC_OP_UPLOAD_RESULT,
  MC_OP_CALENDAR,  /* holidays, working hours */
  MC_OP_OFFICERS   /* officer accounts of the unit */
};
int mc_wf_officer_may(int op, unsigned officer_roles, const char **rule);

/* "accept", "send_back", ... (NULL for an unknown action). */
const char *mc_action_name(int action);
/* The CLI command of the action: "accept", "send-back", ... (NULL for an
 * unknown action). */
const char *mc_action_command(int action);

/* The actions (enum mc_action, ascending) who may take on d now: those
 * mc_wf_decide would allow by the table, the officer roles and the
 * once-only rules, whatever the request's arguments (a reschedule's new
 * date, a rating). At most cap; returns how many. No officer roles
 * (no session): none. */
size_t mc_wf_actions_now(const mc_dossier *d, const char *parent_unit, const mc_actor *who,
                         int *out, size_t cap);

/* Derived, never stored: mc_dom_overdue (proto/domain.h, the one place the
 * rule is written) applied to the dossier's clock. */
int mc_wf_overdue(const mc_dossier *d, int64_t now_ms);

/* Classify a step at at_ms against due_ms and the dossier's standing
 * after the step: "late" when the dossier is overdue by mc_dom_overdue
 * (past due_ms, or a second supplement request: supplement_count >= 2),
 * else "early" before the due day and "on_time" on it. */
const char *mc_wf_step_result(const mc_calendar *cal, int64_t at_ms, int64_t due_ms,
                              int supplement_count);

/* The due time after a pause from paused_at_ms to resumed_ms: moved by
 * exactly the working time the pause lasted (the unit's sessions on
 * working days), so a wait over a weekend or Tết counts only its working
 * hours. */
int64_t mc_wf_extend_due(const mc_calendar *cal, int64_t due_ms, int64_t paused_at_ms,
                         int64_t resumed_ms);

#endif
