/* Issue 17: the pure report rules (server/rules/report.c): dates, who
 * sees which units, the balance and sum checks, and each figure with its
 * numerator and denominator, on hand-made counts. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "report.h"

static void test_dates(void) {
  int32_t d;
  CHECK_EQ(mc_report_parse_date("1970-01-01", &d), MC_EINVAL); /* before 2000 */
  CHECK_EQ(mc_report_parse_date("2028-03-01", &d), 0);
  CHECK_EQ(d, 21244); /* days since 1970-01-01 */
  CHECK_EQ(mc_report_parse_date("2028-02-29", &d), 0);
  CHECK_EQ(d, 21243);
  CHECK_EQ(mc_report_parse_date("2027-02-29", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date("2100-02-29", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date("2000-02-29", &d), 0);
  CHECK_EQ(mc_report_parse_date("2028-13-01", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date("2028-3-01", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date("01/03/2028", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date("2028-03-01x", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date("", &d), MC_EINVAL);
  CHECK_EQ(mc_report_parse_date(NULL, &d), MC_EINVAL);
}

static const mc_unit UNITS[] = {
    {.code = "444", .role = MC_ROLE_DISTRICT},
    {.code = "18496", .parent = "444", .role = MC_ROLE_COMMUNE},
    {.code = "18499", .parent = "444", .role = MC_ROLE_COMMUNE},
    {.code = "999", .role = MC_ROLE_DISTRICT}, /* another centre */
    {.code = "99901", .parent = "999", .role = MC_ROLE_COMMUNE},
};
#define NU (sizeof UNITS / sizeof UNITS[0])

static size_t scope(const char *unit, mc_role role, const char *only, int *rc,
                    const mc_unit **out) {
  mc_actor a = {.role = role};
  snprintf(a.unit, sizeof a.unit, "%s", unit);
  size_t n = 0;
  *rc = mc_report_scope(UNITS, NU, &a, only, out, NU, &n);
  return n;
}

static void test_scope(void) {
  const mc_unit *out[NU];
  int rc;
  CHECK_EQ(scope("18496", MC_ROLE_COMMUNE, NULL, &rc, out), 1);
  CHECK_STREQ(out[0]->code, "18496");
  scope("18496", MC_ROLE_COMMUNE, "18499", &rc, out);
  CHECK_EQ(rc, MC_EFORBIDDEN);
  scope("18496", MC_ROLE_COMMUNE, "444", &rc, out); /* not even its centre */
  CHECK_EQ(rc, MC_EFORBIDDEN);
  CHECK_EQ(scope("444", MC_ROLE_DISTRICT, "", &rc, out), 3);
  CHECK_EQ(rc, 0);
  CHECK_STREQ(out[2]->code, "18499");
  scope("444", MC_ROLE_DISTRICT, "99901", &rc, out);
  CHECK_EQ(rc, MC_EFORBIDDEN);
  CHECK_EQ(scope("444", MC_ROLE_DISTRICT, "18499", &rc, out), 1);
  CHECK_EQ(scope("admin", MC_ROLE_ADMIN, NULL, &rc, out), NU);
  CHECK_EQ(scope("admin", MC_ROLE_ADMIN, "99901", &rc, out), 1);
  scope("admin", MC_ROLE_ADMIN, "12345", &rc, out);
  CHECK_EQ(rc, MC_EFORBIDDEN);
}

/* 3 carried + 7 received = 2 early + 1 on time + 1 late + 1 within +
 * 2 overdue + 1 withdrawn + 1 refused + 1 stopped */
static mc_report_row sample(void) {
  mc_report_row r = {0};
  int64_t *c = r.c;
  c[MC_RC_CARRIED] = 3;
  c[MC_RC_RECV_DIRECT] = 4, c[MC_RC_RECV_ONLINE] = 2, c[MC_RC_RECV_POSTAL] = 1;
  c[MC_RC_EARLY] = 2, c[MC_RC_ON_TIME] = 1, c[MC_RC_LATE] = 1;
  c[MC_RC_PENDING_WITHIN] = 1, c[MC_RC_PENDING_OVERDUE] = 2;
  c[MC_RC_WITHDRAWN] = 1, c[MC_RC_REFUSED] = 1, c[MC_RC_STOPPED] = 1;
  c[MC_RC_ENDED_IN_TIME] = 1; /* the refusal */
  c[MC_RC_RETURNED] = 4, c[MC_RC_UNSATISFIED] = 1;
  c[MC_RC_WITH_SCANS] = 3, c[MC_RC_RESOLVE_SECONDS] = 4 * 86400;
  mc_report_derive(&r);
  return r;
}

static void test_check(void) {
  const char *why = NULL;
  mc_report_row rows[2] = {sample(), sample()}, total = sample();
  for (int k = 0; k < MC_RC__COUNT; k++) total.c[k] = rows[0].c[k] + rows[1].c[k];
  total.total = 1;
  CHECK_EQ(rows[0].c[MC_RC_HANDLED], 9); /* withdrawn not judged */
  CHECK_EQ(mc_report_check(rows, 2, &total, &why), 0);
  total.c[MC_RC_SUPPLEMENT] = 1; /* a count the rows do not add up to */
  CHECK_EQ(mc_report_check(rows, 2, &total, &why), MC_EINTERNAL);
  CHECK_STREQ(why, "supplement_requested");
  total.c[MC_RC_SUPPLEMENT] = 0;
  rows[1].c[MC_RC_CARRIED]++; /* a row that does not balance */
  total.c[MC_RC_CARRIED]++;
  CHECK_EQ(mc_report_check(rows, 2, &total, &why), MC_EINTERNAL);
  CHECK_STREQ(why, "row balance");
  CHECK_EQ(mc_report_check(NULL, 0, &(mc_report_row){.total = 1}, &why), 0);
}

static const mc_report_figure *find(const mc_report_figure *f, const char *name) {
  for (int i = 0; i < MC_RF__COUNT; i++)
    if (strcmp(f[i].name, name) == 0) return &f[i];
  return NULL;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

static void test_figures(void) {
  mc_report_row r = sample();
  mc_report_figure f[MC_RF__COUNT];
  mc_report_figures(&r, f);
  const mc_report_figure *x = find(f, "on_time_ratio");
  CHECK(x != NULL && x->num == 5 && x->den == 9 && NEAR(x->value, 500.0 / 9));
  x = find(f, "overdue_pct");
  CHECK(x != NULL && x->num == 4 && x->den == 9 && NEAR(x->value, 400.0 / 9));
  x = find(f, "unsatisfied_pct");
  CHECK(x != NULL && x->num == 1 && x->den == 4 && NEAR(x->value, 25.0));
  x = find(f, "satisfaction");
  CHECK(x != NULL && x->den == 1 && NEAR(x->value, 100.0 - 400.0 / 9 - 25.0));
  x = find(f, "avg_resolution_days");
  CHECK(x != NULL && x->num == 4 * 86400 && x->den == 4 && NEAR(x->value, 1.0));
  x = find(f, "online_ratio");
  CHECK(x != NULL && x->num == 2 && x->den == 7 && NEAR(x->value, 200.0 / 7));
  x = find(f, "digitised_ratio");
  CHECK(x != NULL && x->num == 3 && x->den == 7);
  for (int i = 0; i < MC_RF__COUNT; i++) CHECK(f[i].formula != NULL && f[i].formula[0]);
  /* nothing handled, nothing returned: undefined, satisfaction too */
  mc_report_row z = {0};
  mc_report_derive(&z);
  mc_report_figures(&z, f);
  for (int i = 0; i < MC_RF__COUNT; i++) CHECK(f[i].den == 0 && f[i].value == 0.0);
  /* overdue and unsatisfied above 100 together: satisfaction floors at 0 */
  z.c[MC_RC_PENDING_OVERDUE] = 1, z.c[MC_RC_RETURNED] = 1, z.c[MC_RC_UNSATISFIED] = 1;
  mc_report_derive(&z);
  mc_report_figures(&z, f);
  CHECK(NEAR(find(f, "satisfaction")->value, 0.0));
}

int main(void) {
  test_dates();
  test_scope();
  test_check();
  test_figures();
  return check_result();
}
