/* Workflow rules: pure functions over plain structs. No sockets, no SQL,
 * no clock reads: the caller passes "now". Tested with fixed dates. */
#ifndef MC_WORKFLOW_H
#define MC_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Working-day calendar of one unit. Days are local day numbers (days
 * since 1970-01-01 in local time). holidays must be sorted ascending; they
 * include official compensatory days off. Working time is the sessions of
 * `hours` (one unit's schedules, sorted by valid_from) on working days;
 * with no hours, one session day_start_min..day_end_min. */
typedef struct mc_calendar {
  int utc_offset_min;      /* Vietnam: 420 */
  int cutoff_min;          /* 900 = 15:00 */
  int day_start_min;       /* 450 = 07:30, office opening when no hours are given */
  int day_end_min;         /* 1020 = 17:00: latest time a day-based limit falls due */
  const int32_t *holidays; /* sorted local day numbers */
  size_t nholidays;
  const int32_t *workdays; /* sorted weekend days made working days */
  size_t nworkdays;
  const mc_work_hours *hours; /* sorted by valid_from; NULL = day_start..day_end */
  size_t nhours;
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

/* The sessions of local day `day` (working day or not): s[0..3] =
 * morning start/end, afternoon start/end, local minutes. */
void mc_cal_sessions(const mc_calendar *c, int32_t day, int s[4]);
/* 1 if ms is on a working day inside a session (both ends included). */
int mc_cal_in_hours(const mc_calendar *c, int64_t ms);
/* Working time (ms inside sessions on working days) between a and b;
 * 0 if b <= a. */
int64_t mc_cal_work_between(const mc_calendar *c, int64_t a, int64_t b);
/* The instant at which `work` ms of working time after t have elapsed;
 * t itself if work <= 0. Ends at a session's close rather than the next
 * opening when the time runs out exactly there. */
int64_t mc_cal_add_work(const mc_calendar *c, int64_t t, int64_t work);
/* Local time a day-based limit falls due on `day`: the close of the day's
 * afternoon session, or day_end_min if that is earlier. */
int mc_cal_due_minute(const mc_calendar *c, int32_t day);
/* Checks of a parsed schedule (bounds and order): 0 or MC_EINVAL. */
int mc_cal_check_hours(const mc_work_hours *h);

/* When an officer session opened at now_ms ends: the close of the unit's
 * working day (today's afternoon session, when today is a working day),
 * but never sooner than min_ms after now_ms (a login after hours, on a
 * day off or just before the close gets that span: overtime). */
int64_t mc_wf_session_expiry(const mc_calendar *c, int64_t now_ms, int64_t min_ms);

/* The desk's "due soon" horizon (SummaryReply.due_soon): the close
 * (mc_cal_due_minute) of the days-th working day counting from now's local
 * day, today included when it is a working day. days >= 1; at most 400
 * days are searched (then now_ms). */
#define MC_WF_DUE_SOON_DAYS 2
int64_t mc_wf_due_soon_until(const mc_calendar *c, int64_t now_ms, int days);
/* The local day of now_ms as [*from, *to) in ms (received_today). */
void mc_wf_local_day_span(const mc_calendar *c, int64_t now_ms, int64_t *from, int64_t *to);

/* "yymmdd" of the local date of ms (out has room for 7 bytes). */
void mc_local_yymmdd(const mc_calendar *c, int64_t ms, char out[7]);

/* Who may see a dossier: the receiving unit, and the unit it was
 * forwarded to. Admins see no citizen data. */
int mc_wf_can_see(const mc_dossier *d, const mc_actor *who);

/* The units a peer may name or see, in catalogue order: a commune itself
 * and its parent centre; a centre itself and every unit under it; admin
 * every unit. Fills out[0..cap) with pointers into all; returns how many. */
size_t mc_wf_units_visible(const mc_unit *all, size_t n, const mc_actor *who,
                           const mc_unit **out, size_t cap);

/* Field checks for a receive request (lengths, digits, channel). Returns 0
 * or MC_EINVAL with the offending field's name in *field. */
int mc_wf_check_applicant(const mc_applicant *a, const char **field);
int mc_wf_check_channel(int channel);

/* Vietnamese national name of a status code 1..10, or NULL. */
const char *mc_status_name_vi(int status);

#endif
