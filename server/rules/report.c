/* Reports: pure rules over the database's counts (report.h). */
#include "report.h"

#include <string.h>

#include "error.h"

static const char *const count_names[MC_RC__COUNT] = {
    [MC_RC_CARRIED] = "carried_over",
    [MC_RC_RECV_DIRECT] = "received_direct",
    [MC_RC_RECV_ONLINE] = "received_online",
    [MC_RC_RECV_POSTAL] = "received_postal",
    [MC_RC_EARLY] = "resolved_early",
    [MC_RC_ON_TIME] = "resolved_on_time",
    [MC_RC_LATE] = "resolved_late",
    [MC_RC_PENDING_WITHIN] = "pending_within",
    [MC_RC_PENDING_OVERDUE] = "pending_overdue",
    [MC_RC_RETURNED] = "returned",
    [MC_RC_WITHDRAWN] = "withdrawn",
    [MC_RC_REFUSED] = "refused",
    [MC_RC_STOPPED] = "stopped",
    [MC_RC_SUPPLEMENT] = "supplement_requested",
    [MC_RC_ENDED_IN_TIME] = "ended_in_time",
    [MC_RC_WITH_SCANS] = "with_scans",
    [MC_RC_UNSATISFIED] = "unsatisfied",
    [MC_RC_RESOLVE_SECONDS] = "resolve_seconds",
    [MC_RC_HANDLED] = "handled",
};

const char *mc_report_count_name(int rc) {
  return rc >= 0 && rc < MC_RC__COUNT ? count_names[rc] : NULL;
}

const char *mc_report_by_name(int by) {
  static const char *const names[] = {"unit", "sector", "procedure", "channel"};
  return by >= 0 && by <= MC_REPORT_CHANNEL ? names[by] : NULL;
}

void mc_report_derive(mc_report_row *r) {
  const int64_t *c = r->c;
  r->c[MC_RC_HANDLED] = c[MC_RC_EARLY] + c[MC_RC_ON_TIME] + c[MC_RC_LATE] + c[MC_RC_REFUSED] +
                        c[MC_RC_STOPPED] + c[MC_RC_PENDING_WITHIN] + c[MC_RC_PENDING_OVERDUE];
}

static int64_t received(const mc_report_row *r) {
  return r->c[MC_RC_RECV_DIRECT] + r->c[MC_RC_RECV_ONLINE] + r->c[MC_RC_RECV_POSTAL];
}

/* carried + received = resolved + pending + withdrawn + refused + stopped */
static int balanced(const mc_report_row *r) {
  const int64_t *c = r->c;
  int64_t out = c[MC_RC_EARLY] + c[MC_RC_ON_TIME] + c[MC_RC_LATE] + c[MC_RC_PENDING_WITHIN] +
                c[MC_RC_PENDING_OVERDUE] + c[MC_RC_WITHDRAWN] + c[MC_RC_REFUSED] +
                c[MC_RC_STOPPED];
  return c[MC_RC_CARRIED] + received(r) == out;
}

int mc_report_check(const mc_report_row *rows, size_t n, const mc_report_row *total,
                    const char **why) {
  for (size_t i = 0; i < n; i++)
    if (!balanced(&rows[i])) return *why = "row balance", MC_EINTERNAL;
  if (!balanced(total)) return *why = "total balance", MC_EINTERNAL;
  for (int k = 0; k < MC_RC__COUNT; k++) {
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += rows[i].c[k];
    if (sum != total->c[k]) return *why = count_names[k], MC_EINTERNAL;
  }
  return 0;
}

static void fig(mc_report_figure *f, const char *name, const char *formula, int64_t num,
                int64_t den, double scale) {
  f->name = name;
  f->formula = formula;
  f->num = num;
  f->den = den;
  f->value = den > 0 ? (double)num * scale / (double)den : 0.0;
}

void mc_report_figures(const mc_report_row *r, mc_report_figure out[MC_RF__COUNT]) {
  const int64_t *c = r->c;
  int64_t handled = c[MC_RC_HANDLED], recv = received(r);
  int64_t in_time = c[MC_RC_EARLY] + c[MC_RC_ON_TIME] + c[MC_RC_ENDED_IN_TIME] +
                    c[MC_RC_PENDING_WITHIN];
  int64_t resolved = c[MC_RC_EARLY] + c[MC_RC_ON_TIME] + c[MC_RC_LATE];
  fig(&out[MC_RF_ON_TIME], "on_time_ratio",
      "(resolved_early + resolved_on_time + ended_in_time + pending_within) / handled * 100",
      in_time, handled, 100.0);
  fig(&out[MC_RF_OVERDUE], "overdue_pct",
      "(handled - resolved_early - resolved_on_time - ended_in_time - pending_within)"
      " / handled * 100",
      handled - in_time, handled, 100.0);
  fig(&out[MC_RF_UNSATISFIED], "unsatisfied_pct", "unsatisfied / returned * 100",
      c[MC_RC_UNSATISFIED], c[MC_RC_RETURNED], 100.0);
  mc_report_figure *s = &out[MC_RF_SATISFACTION];
  s->name = "satisfaction";
  s->formula = "100 - overdue_pct - unsatisfied_pct";
  s->num = s->den = 0;
  s->value = 100.0 - out[MC_RF_OVERDUE].value - out[MC_RF_UNSATISFIED].value;
  if (s->value < 0) s->value = 0;
  if (handled > 0 || c[MC_RC_RETURNED] > 0) s->den = 1; /* defined */
  else s->value = 0;
  fig(&out[MC_RF_AVG_DAYS], "avg_resolution_days",
      "resolve_seconds / (resolved_early + resolved_on_time + resolved_late) / 86400",
      c[MC_RC_RESOLVE_SECONDS], resolved, 1.0 / 86400.0);
  fig(&out[MC_RF_ONLINE], "online_ratio",
      "received_online / (received_direct + received_online + received_postal) * 100",
      c[MC_RC_RECV_ONLINE], recv, 100.0);
  fig(&out[MC_RF_DIRECT], "direct_ratio",
      "received_direct / (received_direct + received_online + received_postal) * 100",
      c[MC_RC_RECV_DIRECT], recv, 100.0);
  fig(&out[MC_RF_POSTAL], "postal_ratio",
      "received_postal / (received_direct + received_online + received_postal) * 100",
      c[MC_RC_RECV_POSTAL], recv, 100.0);
  fig(&out[MC_RF_DIGITISED], "digitised_ratio",
      "with_scans / (received_direct + received_online + received_postal) * 100",
      c[MC_RC_WITH_SCANS], recv, 100.0);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = y / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int mc_report_parse_date(const char *s, int32_t *day) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, m, d;
  if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return MC_EINVAL;
  if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d)) return MC_EINVAL;
  if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return MC_EINVAL;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return MC_EINVAL;
  *day = days_from_civil(y, m, d);
  return 0;
}

static int in_scope(const mc_unit *u, const mc_actor *who) {
  if (who->role == MC_ROLE_ADMIN) return 1;
  if (strcmp(u->code, who->unit) == 0) return 1;
  return who->role == MC_ROLE_DISTRICT && strcmp(u->parent, who->unit) == 0;
}

int mc_report_scope(const mc_unit *all, size_t nall, const mc_actor *who, const char *only,
                    const mc_unit **out, size_t cap, size_t *n) {
  int one = only != NULL && only[0] != '\0', found = 0;
  *n = 0;
  for (size_t i = 0; i < nall; i++) {
    if (!in_scope(&all[i], who)) continue;
    if (one && strcmp(all[i].code, only) != 0) continue;
    found = 1;
    if (*n < cap) out[(*n)++] = &all[i];
  }
  return one && !found ? MC_EFORBIDDEN : 0;
}
