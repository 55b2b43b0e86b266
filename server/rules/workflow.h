/* Workflow rules: pure functions over plain structs. No sockets, no SQL,
 * no clock reads: the caller passes "now". Tested with fixed dates. */
#ifndef MC_WORKFLOW_H
#define MC_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Working-day calendar. Days are local day numbers (days since
 * 1970-01-01 in local time). holidays must be sorted ascending; they
 * include official compensatory days off. */
typedef struct mc_calendar {
  int utc_offset_min;      /* Vietnam: 420 */
  int cutoff_min;          /* 900 = 15:00 */
  int day_start_min;       /* 450 = 07:30, start of office hours */
  int day_end_min;         /* 1020 = 17:00 */
  const int32_t *holidays; /* sorted local day numbers */
  size_t nholidays;
  const int32_t *workdays; /* sorted weekend days made working days */
  size_t nworkdays;
} mc_calendar;

int32_t mc_local_day(const mc_calendar *c, int64_t ms);
int mc_local_minute(const mc_calendar *c, int64_t ms); /* 0..1439 */
int mc_is_working_day(const mc_calendar *c, int32_t day);
/* Local-time instant of minute `min` on local day `day`, in ms. */
int64_t mc_local_ms(const mc_calendar *c, int32_t day, int min);

/* Due instant for a limit starting at received_ms. Working-day limits
 * count the receipt day as day 1 when it is a working day and the dossier
 * arrived before the cutoff; otherwise counting starts on the next working
 * day. Calendar-day and month limits that end on a day off move to the
 * next working day. Hour limits count office hours on working days.
 * Returns MC_EINVAL for an unknown unit or a negative value. */
int mc_deadline(const mc_calendar *c, int64_t received_ms, int limit_value,
                int limit_unit, int64_t *due_ms);

/* "yymmdd" of the local date of ms (out has room for 7 bytes). */
void mc_local_yymmdd(const mc_calendar *c, int64_t ms, char out[7]);

/* Who may see a dossier: the receiving unit, and the unit it was
 * forwarded to. Admins see no citizen data. */
int mc_wf_can_see(const mc_dossier *d, const mc_actor *who);

/* Field checks for a receive request (lengths, digits, channel). Returns 0
 * or MC_EINVAL with the offending field's name in *field. */
int mc_wf_check_applicant(const mc_applicant *a, const char **field);
int mc_wf_check_channel(int channel);

/* Vietnamese national name of a status code 1..10, or NULL. */
const char *mc_status_name_vi(int status);

#endif

/* ---- actions (server/actions.c) ------------------------------------------
 * The transition table: for each action, the statuses it may start from,
 * the roles and the relation to the dossier (holder, receiving unit) it
 * needs, the status it leads to and its effect on the clock. */

typedef struct mc_action_args {
  int action;          /* enum mc_action */
  int64_t now_ms;
  int64_t new_due_ms;  /* reschedule */
  int rating;          /* rate */
} mc_action_args;

/* Decide an action. On success fills *out and returns 0. Otherwise returns
 * MC_EFORBIDDEN (who), MC_EBADSTATE (status or once-only rule),
 * MC_EWRONGLEVEL or MC_EINVAL, and *rule names the rule in English. */
int mc_wf_decide(const mc_calendar *cal, const mc_dossier *d, const char *parent_unit,
                 const mc_actor *who, const mc_action_args *in, mc_change *out,
                 const char **rule);

/* "accept", "send_back", ... (NULL for an unknown action). */
const char *mc_action_name(int action);
int mc_action_parse(const char *name); /* 0 if unknown */

/* Derived, never stored: mc_dom_overdue (proto/domain.h, the one place the
 * rule is written) applied to the dossier's clock. */
int mc_wf_overdue(const mc_dossier *d, int64_t now_ms);

/* Classify finishing at at_ms against due_ms: before the due day is
 * "early", on the due day up to the due time "on_time", else "late". */
const char *mc_wf_step_result(const mc_calendar *cal, int64_t at_ms, int64_t due_ms);

/* Push a due time forward by a pause of paused_ms, settling on a working day. */
int64_t mc_wf_extend_due(const mc_calendar *cal, int64_t due_ms, int64_t paused_ms);
