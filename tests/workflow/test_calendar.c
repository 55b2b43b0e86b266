/* Issue 14: time counted as the law counts it, on fixed dates. Office
 * hours in two sessions with a summer and a winter schedule; pauses move
 * the due time by the working time they lasted; hour limits skip the lunch
 * break; a new appointment must be a working day inside office hours. The
 * expected values are worked out by hand in the comments. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "error.h"
#include "actions.h"
#include "workflow.h"

#define H(x) ((int64_t)(x) * 3600000LL)
#define M(x) ((int64_t)(x) * 60000LL)

static int64_t vn(int y, int mo, int d, int h, int mi) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
  return ((int64_t)timegm(&tm) - 7 * 3600) * 1000;
}

static int32_t vday(int y, int mo, int d) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
  return (int32_t)(timegm(&tm) / 86400);
}

/* The seed of migration 014: summer from 15/04 07:00-11:30 13:30-17:00,
 * winter from 15/10 07:30-11:30 13:30-17:00. */
static const mc_work_hours SEASONS[] = {
    {.valid_from = 415, .am_start = 420, .am_end = 690, .pm_start = 810, .pm_end = 1020},
    {.valid_from = 1015, .am_start = 450, .am_end = 690, .pm_start = 810, .pm_end = 1020},
};

/* Tết 2027 as seeded in 004: Thu 4 - Wed 10 February off. */
static int32_t TET[5];

static mc_calendar cal_hours(void) {
  TET[0] = vday(2027, 2, 4);
  TET[1] = vday(2027, 2, 5);
  TET[2] = vday(2027, 2, 8);
  TET[3] = vday(2027, 2, 9);
  TET[4] = vday(2027, 2, 10);
  return (mc_calendar){.utc_offset_min = 420, .cutoff_min = 900, .day_start_min = 450,
                       .day_end_min = 1020, .holidays = TET, .nholidays = 5,
                       .hours = SEASONS, .nhours = 2};
}

static void test_sessions(void) {
  mc_calendar c = cal_hours();
  int s[4];
  mc_cal_sessions(&c, vday(2026, 12, 1), s); /* winter */
  CHECK(s[0] == 450 && s[1] == 690 && s[2] == 810 && s[3] == 1020);
  mc_cal_sessions(&c, vday(2027, 1, 5), s); /* still winter: wraps over the new year */
  CHECK_EQ(s[0], 450);
  mc_cal_sessions(&c, vday(2027, 4, 14), s);
  CHECK_EQ(s[0], 450);
  mc_cal_sessions(&c, vday(2027, 4, 15), s); /* change-over day: summer */
  CHECK_EQ(s[0], 420);
  mc_cal_sessions(&c, vday(2027, 10, 14), s);
  CHECK_EQ(s[0], 420);
  mc_cal_sessions(&c, vday(2027, 10, 15), s);
  CHECK_EQ(s[0], 450);
  /* in hours: sessions only, both ends included; lunch and days off are not */
  CHECK(mc_cal_in_hours(&c, vn(2026, 12, 1, 7, 30)));
  CHECK(!mc_cal_in_hours(&c, vn(2026, 12, 1, 7, 29)));
  CHECK(mc_cal_in_hours(&c, vn(2026, 12, 1, 11, 30)));
  CHECK(!mc_cal_in_hours(&c, vn(2026, 12, 1, 12, 0)));
  CHECK(mc_cal_in_hours(&c, vn(2026, 12, 1, 17, 0)));
  CHECK(!mc_cal_in_hours(&c, vn(2026, 12, 1, 17, 1)));
  CHECK(!mc_cal_in_hours(&c, vn(2027, 1, 9, 10, 0)));  /* Saturday */
  CHECK(!mc_cal_in_hours(&c, vn(2027, 2, 8, 10, 0)));  /* Tết */
  CHECK(mc_cal_in_hours(&c, vn(2027, 6, 1, 7, 0)));    /* summer opens at 07:00 */
  /* schedule checks */
  mc_work_hours bad = SEASONS[0];
  CHECK_EQ(mc_cal_check_hours(&bad), 0);
  bad.pm_start = 600; /* afternoon before the morning ends */
  CHECK_EQ(mc_cal_check_hours(&bad), MC_EINVAL);
  bad = SEASONS[0];
  bad.valid_from = 230;
  CHECK_EQ(mc_cal_check_hours(&bad), MC_EINVAL);
  bad.valid_from = 229;
  CHECK_EQ(mc_cal_check_hours(&bad), 0);
  bad.pm_end = 1441;
  CHECK_EQ(mc_cal_check_hours(&bad), MC_EINVAL);
}

static void test_work_between(void) {
  mc_calendar c = cal_hours();
  /* a winter working day is 4 h + 3.5 h */
  CHECK_EQ(mc_cal_work_between(&c, vn(2026, 12, 1, 0, 0), vn(2026, 12, 2, 0, 0)), H(7) + M(30));
  /* across lunch: 11:00-14:00 is 30 + 30 minutes */
  CHECK_EQ(mc_cal_work_between(&c, vn(2026, 12, 1, 11, 0), vn(2026, 12, 1, 14, 0)), H(1));
  /* across the weekend: Fri 10:00 - Mon 10:00 = 1.5 + 3.5 + 2.5 h */
  CHECK_EQ(mc_cal_work_between(&c, vn(2026, 11, 27, 10, 0), vn(2026, 11, 30, 10, 0)),
           H(7) + M(30));
  /* a weekend alone is no working time */
  CHECK_EQ(mc_cal_work_between(&c, vn(2026, 11, 28, 8, 0), vn(2026, 11, 29, 16, 0)), 0);
  /* across Tết: Wed 3 Feb 10:00 - Thu 11 Feb 10:00 = 5 h + 2.5 h */
  CHECK_EQ(mc_cal_work_between(&c, vn(2027, 2, 3, 10, 0), vn(2027, 2, 11, 10, 0)),
           H(7) + M(30));
  CHECK_EQ(mc_cal_work_between(&c, vn(2027, 2, 3, 10, 0), vn(2027, 2, 3, 9, 0)), 0);
  /* summer/winter switch: Wed 14 Oct 2026 (summer, opens 07:00) 07:00 to
   * Thu 15 Oct (winter, opens 07:30) 09:00 = 4.5 + 3.5 + 1.5 h */
  CHECK_EQ(mc_cal_work_between(&c, vn(2026, 10, 14, 7, 0), vn(2026, 10, 15, 9, 0)), H(9) + M(30));
}

static void test_add_work(void) {
  mc_calendar c = cal_hours();
  /* 1 h from 11:00: 30 min before lunch, 30 after -> 14:00 */
  CHECK_EQ(mc_cal_add_work(&c, vn(2026, 12, 1, 11, 0), H(1)), vn(2026, 12, 1, 14, 0));
  /* exactly to the close: ends at 17:00, not at the next opening */
  CHECK_EQ(mc_cal_add_work(&c, vn(2026, 12, 1, 13, 30), H(3) + M(30)), vn(2026, 12, 1, 17, 0));
  /* from a close, one working day: the next day's close */
  CHECK_EQ(mc_cal_add_work(&c, vn(2026, 12, 1, 17, 0), H(7) + M(30)), vn(2026, 12, 2, 17, 0));
  /* Friday close + 1 min: Monday 07:31 */
  CHECK_EQ(mc_cal_add_work(&c, vn(2026, 11, 27, 17, 0), M(1)), vn(2026, 11, 30, 7, 31));
  CHECK_EQ(mc_cal_add_work(&c, vn(2026, 11, 27, 17, 0), 0), vn(2026, 11, 27, 17, 0));
  /* into Tết: Wed 3 Feb 17:00 + 1 h -> Thu 11 Feb 08:30 */
  CHECK_EQ(mc_cal_add_work(&c, vn(2027, 2, 3, 17, 0), H(1)), vn(2027, 2, 11, 8, 30));
}

static int64_t due(const mc_calendar *c, int64_t at, int v, int unit) {
  int64_t d = 0;
  CHECK_EQ(mc_deadline(c, at, v, unit, &d), 0);
  return d;
}

static void test_hour_limits(void) {
  mc_calendar c = cal_hours();
  /* 8 office hours from Wed 25 Nov 10:00: 1.5 h + 3.5 h Wed, 3 h Thu from
   * 07:30 -> Thu 10:30 (straight through 07:30-17:00 would say 08:30) */
  CHECK_EQ(due(&c, vn(2026, 11, 25, 10, 0), 8, MC_LIMIT_HOURS), vn(2026, 11, 26, 10, 30));
  /* 2 h from 10:30 crosses lunch: 1 h + 1 h -> 14:30 */
  CHECK_EQ(due(&c, vn(2026, 11, 25, 10, 30), 2, MC_LIMIT_HOURS), vn(2026, 11, 25, 14, 30));
  /* received during lunch: counts from 13:30 */
  CHECK_EQ(due(&c, vn(2026, 11, 25, 12, 15), 1, MC_LIMIT_HOURS), vn(2026, 11, 25, 14, 30));
  /* summer: from 06:30, 1 h -> 08:00 (opens 07:00) */
  CHECK_EQ(due(&c, vn(2027, 6, 1, 6, 30), 1, MC_LIMIT_HOURS), vn(2027, 6, 1, 8, 0));
  /* day-based limits still fall due at 17:00 (day_end_minutes) */
  CHECK_EQ(due(&c, vn(2026, 11, 27, 9, 0), 3, MC_LIMIT_WORKING_DAYS), vn(2026, 12, 1, 17, 0));
  /* a schedule closing at 16:30 brings them forward to its close */
  mc_work_hours early = SEASONS[1];
  early.pm_start = 780;
  early.pm_end = 990;
  c.hours = &early;
  c.nhours = 1;
  CHECK_EQ(due(&c, vn(2026, 11, 27, 9, 0), 3, MC_LIMIT_WORKING_DAYS), vn(2026, 12, 1, 16, 30));
  /* and day_end_minutes earlier than the close wins */
  c = cal_hours();
  c.day_end_min = 960;
  CHECK_EQ(due(&c, vn(2026, 11, 27, 9, 0), 3, MC_LIMIT_WORKING_DAYS), vn(2026, 12, 1, 16, 0));
}

static mc_dossier paused_dossier(int64_t due_ms, int64_t paused_ms) {
  mc_dossier d;
  memset(&d, 0, sizeof d);
  snprintf(d.code, sizeof d.code, "H15.50.05.13-261126-0001");
  snprintf(d.unit_code, sizeof d.unit_code, "18499");
  snprintf(d.holder_unit, sizeof d.holder_unit, "18499");
  d.level = MC_LEVEL_COMMUNE;
  d.status = MC_ST_SUPPLEMENT;
  d.due_at_ms = due_ms;
  d.paused_at_ms = paused_ms;
  d.supplement_count = 1;
  return d;
}

static int64_t resume(const mc_calendar *c, mc_dossier *d, int64_t at) {
  mc_actor a = {.unit = "18499", .role = MC_ROLE_COMMUNE, .officer_roles = MC_OFF_ALL_ROLES};
  mc_action_args in = {.action = MC_ACT_SUPPLEMENT, .now_ms = at};
  mc_change ch;
  const char *rule = NULL;
  CHECK_EQ(mc_wf_decide(c, d, "444", &a, &in, &ch, &rule), 0);
  CHECK_EQ(ch.paused_at_after_ms, 0);
  return ch.due_after_ms;
}

static void test_pauses(void) {
  mc_calendar c = cal_hours();
  /* Received Thu 26 Nov 09:00, 3 working days: due Mon 30 Nov 17:00.
   * Paused Fri 10:00, resumed Mon 10:00: one working day (7.5 h) ->
   * Tue 1 Dec 17:00 (the wall-clock rule gave Thu 3 Dec). */
  mc_dossier d = paused_dossier(vn(2026, 11, 30, 17, 0), vn(2026, 11, 27, 10, 0));
  CHECK_EQ(resume(&c, &d, vn(2026, 11, 30, 10, 0)), vn(2026, 12, 1, 17, 0));
  /* Across Tết: due Fri 12 Feb 2027 17:00, paused Wed 3 Feb 10:00,
   * resumed Thu 11 Feb 10:00: 7.5 h -> Mon 15 Feb 17:00 (wall clock: 22 Feb) */
  d = paused_dossier(vn(2027, 2, 12, 17, 0), vn(2027, 2, 3, 10, 0));
  CHECK_EQ(resume(&c, &d, vn(2027, 2, 11, 10, 0)), vn(2027, 2, 15, 17, 0));
  /* Across lunch: paused 11:00, resumed 14:00 the same day: 1 h; due
   * Tue 17:00 -> Wed 08:30 */
  d = paused_dossier(vn(2026, 12, 1, 17, 0), vn(2026, 12, 1, 11, 0));
  CHECK_EQ(resume(&c, &d, vn(2026, 12, 1, 14, 0)), vn(2026, 12, 2, 8, 30));
  /* A pause inside the lunch break or the weekend moves nothing */
  d = paused_dossier(vn(2026, 12, 1, 17, 0), vn(2026, 12, 1, 11, 45));
  CHECK_EQ(resume(&c, &d, vn(2026, 12, 1, 13, 15)), vn(2026, 12, 1, 17, 0));
  d = paused_dossier(vn(2026, 12, 1, 17, 0), vn(2026, 11, 28, 9, 0));
  CHECK_EQ(resume(&c, &d, vn(2026, 11, 29, 9, 0)), vn(2026, 12, 1, 17, 0));
  /* Across the summer/winter switch: paused Wed 14 Oct 2026 07:00 (summer)
   * to Thu 15 Oct 09:00 (winter): 4.5 + 3.5 + 1.5 h = 9.5 h; due Fri 16
   * Oct 17:00 -> Mon 19 Oct (winter 7.5 h) 17:00 + 2 h -> Tue 20 Oct 09:30 */
  d = paused_dossier(vn(2026, 10, 16, 17, 0), vn(2026, 10, 14, 7, 0));
  CHECK_EQ(resume(&c, &d, vn(2026, 10, 15, 9, 0)), vn(2026, 10, 20, 9, 30));
  /* the new due time is always inside office hours on a working day */
  for (int h = 0; h < 24 * 9; h += 5) {
    d = paused_dossier(vn(2027, 2, 2, 17, 0), vn(2027, 1, 29, 10, 0));
    int64_t nd = resume(&c, &d, vn(2027, 1, 29, 10, 0) + H(h));
    CHECK(mc_cal_in_hours(&c, nd));
  }
}

static int reschedule(const mc_calendar *c, int64_t to, const char **rule) {
  mc_dossier d = paused_dossier(vn(2026, 12, 9, 17, 0), 0);
  d.status = MC_ST_PROCESSING;
  mc_actor a = {.unit = "18499", .role = MC_ROLE_COMMUNE, .officer_roles = MC_OFF_ALL_ROLES};
  mc_action_args in = {.action = MC_ACT_RESCHEDULE, .now_ms = vn(2026, 12, 7, 9, 0),
                       .new_due_ms = to};
  mc_change ch;
  return mc_wf_decide(c, &d, "444", &a, &in, &ch, rule);
}

static void test_appointments(void) {
  mc_calendar c = cal_hours();
  const char *rule = NULL;
  CHECK_EQ(reschedule(&c, vn(2027, 1, 8, 17, 0), &rule), 0);          /* Friday 17:00 */
  CHECK_EQ(reschedule(&c, vn(2027, 1, 9, 17, 0), &rule), MC_EINVAL);  /* Saturday */
  CHECK(rule != NULL && strstr(rule, "working day") != NULL);
  CHECK_EQ(reschedule(&c, vn(2027, 2, 8, 10, 0), &rule), MC_EINVAL);  /* Tết */
  CHECK(rule != NULL && strstr(rule, "working day") != NULL);
  CHECK_EQ(reschedule(&c, vn(2027, 1, 8, 12, 0), &rule), MC_EINVAL);  /* lunch */
  CHECK(rule != NULL && strstr(rule, "office hours") != NULL);
  CHECK_EQ(reschedule(&c, vn(2027, 1, 8, 18, 0), &rule), MC_EINVAL);  /* after the close */
  CHECK_EQ(reschedule(&c, vn(2026, 12, 9, 16, 0), &rule), MC_EINVAL); /* not later */
}

int main(void) {
  test_sessions();
  test_work_between();
  test_add_work();
  test_hour_limits();
  test_pauses();
  test_appointments();
  return check_result();
}
