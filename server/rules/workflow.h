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
