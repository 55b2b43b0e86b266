#include "workflow.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int32_t mc_local_day(const mc_calendar *c, int64_t ms) {
  return (int32_t)floor_div(ms + c->utc_offset_min * MIN_MS, DAY_MS);
}

int mc_local_minute(const mc_calendar *c, int64_t ms) {
  int64_t local = ms + c->utc_offset_min * MIN_MS;
  return (int)((local - floor_div(local, DAY_MS) * DAY_MS) / MIN_MS);
}

int64_t mc_local_ms(const mc_calendar *c, int32_t day, int min) {
  return (int64_t)day * DAY_MS + (int64_t)min * MIN_MS - c->utc_offset_min * MIN_MS;
}

static int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d[m - 1] + (m == 2 && leap);
}

static int in_sorted(const int32_t *v, size_t n, int32_t x) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] == x) return 1;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

int mc_is_working_day(const mc_calendar *c, int32_t day) {
  int wd = (int)((day % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
  if (in_sorted(c->holidays, c->nholidays, day)) return 0;
  if (wd == 0 || wd == 6) return in_sorted(c->workdays, c->nworkdays, day);
  return 1;
}

static int32_t next_working_day(const mc_calendar *c, int32_t day) {
  do day++;
  while (!mc_is_working_day(c, day));
  return day;
}

/* First working day that counts for a dossier received at ms. */
static int32_t first_counted_day(const mc_calendar *c, int64_t ms) {
  int32_t day = mc_local_day(c, ms);
  if (mc_is_working_day(c, day) && mc_local_minute(c, ms) < c->cutoff_min) return day;
  return next_working_day(c, day);
}

static int32_t settle_on_working_day(const mc_calendar *c, int32_t day) {
  return mc_is_working_day(c, day) ? day : next_working_day(c, day);
}

/* ---- office hours --------------------------------------------------------- */

#define WORK_GUARD_DAYS 40000 /* ~110 years: bounds every walk over days */

static int month_day(int32_t day) {
  time_t t = (time_t)day * 86400;
  struct tm tm;
  gmtime_r(&t, &tm);
  return (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

void mc_cal_sessions(const mc_calendar *c, int32_t day, int s[4]) {
  if (c->hours == NULL || c->nhours == 0) {
    s[0] = c->day_start_min;
    s[1] = s[2] = s[3] = c->day_end_min;
    return;
  }
  int md = month_day(day);
  const mc_work_hours *h = &c->hours[c->nhours - 1]; /* wraps from last year */
  for (size_t i = 0; i < c->nhours; i++)
    if (c->hours[i].valid_from <= md) h = &c->hours[i];
  s[0] = h->am_start;
  s[1] = h->am_end;
  s[2] = h->pm_start;
  s[3] = h->pm_end;
}

int mc_cal_check_hours(const mc_work_hours *h) {
  int m = h->valid_from / 100, d = h->valid_from % 100;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(2024, m)) return MC_EINVAL;
  if (h->am_start < 0 || h->am_start >= h->am_end || h->am_end > h->pm_start ||
      h->pm_start >= h->pm_end || h->pm_end > 1440)
    return MC_EINVAL;
  return 0;
}

int mc_cal_due_minute(const mc_calendar *c, int32_t day) {
  int s[4];
  mc_cal_sessions(c, day, s);
  return s[3] < c->day_end_min ? s[3] : c->day_end_min;
}

int mc_cal_in_hours(const mc_calendar *c, int64_t ms) {
  int32_t day = mc_local_day(c, ms);
  if (!mc_is_working_day(c, day)) return 0;
  int s[4];
  mc_cal_sessions(c, day, s);
  int64_t t = ms - mc_local_ms(c, day, 0);
  for (int k = 0; k < 4; k += 2)
    if (s[k] < s[k + 1] && t >= s[k] * MIN_MS && t <= s[k + 1] * MIN_MS) return 1;
  return 0;
}

/* Working time of local day `day` inside [a, b]. */
static int64_t work_in_day(const mc_calendar *c, int32_t day, int64_t a, int64_t b) {
  if (!mc_is_working_day(c, day)) return 0;
  int s[4];
  int64_t sum = 0;
  mc_cal_sessions(c, day, s);
  for (int k = 0; k < 4; k += 2) {
    int64_t lo = mc_local_ms(c, day, s[k]), hi = mc_local_ms(c, day, s[k + 1]);
    if (lo < a) lo = a;
    if (hi > b) hi = b;
    if (hi > lo) sum += hi - lo;
  }
  return sum;
}

int64_t mc_cal_work_between(const mc_calendar *c, int64_t a, int64_t b) {
  if (b <= a) return 0;
  int32_t first = mc_local_day(c, a), last = mc_local_day(c, b);
  if (last - first > WORK_GUARD_DAYS) last = first + WORK_GUARD_DAYS;
  int64_t sum = 0;
  for (int32_t day = first; day <= last; day++) sum += work_in_day(c, day, a, b);
  return sum;
}

int64_t mc_cal_add_work(const mc_calendar *c, int64_t t, int64_t work) {
  if (work <= 0) return t;
  int32_t day = mc_local_day(c, t);
  for (int guard = 0; guard < WORK_GUARD_DAYS; guard++, day++) {
    if (!mc_is_working_day(c, day)) continue;
    int s[4];
    mc_cal_sessions(c, day, s);
    for (int k = 0; k < 4; k += 2) {
      int64_t lo = mc_local_ms(c, day, s[k]), hi = mc_local_ms(c, day, s[k + 1]);
      if (lo < t) lo = t;
      if (hi <= lo) continue;
      if (work <= hi - lo) return lo + work;
      work -= hi - lo;
    }
  }
  return mc_local_ms(c, day, c->day_end_min);
}

/* ---- limits --------------------------------------------------------------- */

static int64_t day_due(const mc_calendar *c, int32_t day) {
  return mc_local_ms(c, day, mc_cal_due_minute(c, day));
}

static int64_t add_working_days(const mc_calendar *c, int64_t ms, int n) {
  int32_t day = first_counted_day(c, ms);
  for (int i = 1; i < n; i++) day = next_working_day(c, day);
  return day_due(c, day);
}

static int64_t add_calendar_days(const mc_calendar *c, int64_t ms, int n) {
  int32_t day = first_counted_day(c, ms) + (n > 0 ? n - 1 : 0);
  return day_due(c, settle_on_working_day(c, day));
}

static int64_t add_months(const mc_calendar *c, int64_t ms, int n) {
  time_t t = (time_t)(mc_local_ms(c, first_counted_day(c, ms), 0) / 1000 +
                      c->utc_offset_min * 60);
  struct tm tm;
  gmtime_r(&t, &tm);
  int y = tm.tm_year + 1900, m = tm.tm_mon + 1 + n, d = tm.tm_mday;
  y += (m - 1) / 12;
  m = (m - 1) % 12 + 1;
  if (d > days_in_month(y, m)) d = days_in_month(y, m);
  struct tm due = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
  int32_t day = (int32_t)(timegm(&due) / 86400) - 1; /* the day before the same date */
  if (day < first_counted_day(c, ms)) day = first_counted_day(c, ms);
  return day_due(c, settle_on_working_day(c, day));
}

/* Office hours (the sessions) on working days, from received_ms. */
static int64_t add_hours(const mc_calendar *c, int64_t ms, int n) {
  return mc_cal_add_work(c, ms, (int64_t)n * 60 * MIN_MS);
}

int mc_deadline(const mc_calendar *c, int64_t received_ms, int limit_value,
                int limit_unit, int64_t *due_ms) {
  if (limit_value < 0 || limit_value > 3660) return MC_EINVAL;
  switch (limit_unit) {
  case MC_LIMIT_HOURS: *due_ms = add_hours(c, received_ms, limit_value); return 0;
  case MC_LIMIT_WORKING_DAYS: *due_ms = add_working_days(c, received_ms, limit_value); return 0;
  case MC_LIMIT_CALENDAR_DAYS: *due_ms = add_calendar_days(c, received_ms, limit_value); return 0;
  case MC_LIMIT_MONTHS: *due_ms = add_months(c, received_ms, limit_value); return 0;
  default: return MC_EINVAL;
  }
}

void mc_local_yymmdd(const mc_calendar *c, int64_t ms, char out[7]) {
  time_t t = (time_t)floor_div(ms + c->utc_offset_min * MIN_MS, 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, 7, "%02u%02u%02u", (unsigned)tm.tm_year % 100u,
           (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

int mc_wf_can_see(const mc_dossier *d, const mc_actor *who) {
  if (who->role != MC_ROLE_COMMUNE && who->role != MC_ROLE_DISTRICT) return 0;
  return strcmp(d->unit_code, who->unit) == 0 ||
         (d->forwarded_to[0] != '\0' && strcmp(d->forwarded_to, who->unit) == 0);
}

static const mc_unit *unit_find(const mc_unit *all, size_t n, const char *code) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(all[i].code, code) == 0) return &all[i];
  return NULL;
}

/* u is centre or under it (parent chain, at most n steps). */
static int under(const mc_unit *all, size_t n, const mc_unit *u, const char *centre) {
  for (size_t depth = 0; u != NULL && depth <= n; depth++) {
    if (strcmp(u->code, centre) == 0) return 1;
    u = u->parent[0] ? unit_find(all, n, u->parent) : NULL;
  }
  return 0;
}

static int visible(const mc_unit *all, size_t n, const mc_actor *who, const mc_unit *u) {
  const mc_unit *self = unit_find(all, n, who->unit);
  switch (who->role) {
  case MC_ROLE_ADMIN: return 1;
  case MC_ROLE_DISTRICT: return self != NULL && under(all, n, u, self->code);
  case MC_ROLE_COMMUNE:
    return self != NULL && (u == self || strcmp(u->code, self->parent) == 0);
  default: return 0;
  }
}

size_t mc_wf_units_visible(const mc_unit *all, size_t n, const mc_actor *who,
                           const mc_unit **out, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < n && k < cap; i++)
    if (visible(all, n, who, &all[i])) out[k++] = &all[i];
  return k;
}

int mc_wf_check_applicant(const mc_applicant *a, const char **field) {
  if (mc_dom_text(a->name, MC_LIM_PERSON_NAME, MC_TEXT_REQUIRED) != MC_DOM_OK)
    return *field = "name", MC_EINVAL;
  if (mc_dom_citizen_id(a->id_number) != MC_DOM_OK) return *field = "id_number", MC_EINVAL;
  if (mc_dom_phone(a->phone) != MC_DOM_OK) return *field = "phone", MC_EINVAL;
  return 0;
}

int mc_wf_check_channel(int channel) {
  return channel >= MC_CH_DIRECT && channel <= MC_CH_POSTAL ? 0 : MC_EINVAL;
}

const char *mc_status_name_vi(int status) {
  static const char *const names[] = {
      NULL,
      "Mới đăng ký",
      "Được tiếp nhận",
      "Không được tiếp nhận",
      "Đang xử lý",
      "Yêu cầu bổ sung giấy tờ",
      "Yêu cầu thực hiện nghĩa vụ tài chính",
      "Công dân yêu cầu rút hồ sơ",
      "Dừng xử lý",
      "Đã xử lý xong",
      "Đã trả kết quả",
  };
  return status >= 1 && status <= 10 ? names[status] : NULL;
}

int64_t mc_wf_session_expiry(const mc_calendar *c, int64_t now_ms, int64_t min_ms) {
  int64_t end = now_ms + min_ms;
  int32_t day = mc_local_day(c, now_ms);
  if (mc_is_working_day(c, day)) {
    int sess[4];
    mc_cal_sessions(c, day, sess);
    int64_t close = mc_local_ms(c, day, sess[3]);
    if (close > end) end = close;
  }
  return end;
}

int64_t mc_wf_due_soon_until(const mc_calendar *c, int64_t now_ms, int days) {
  int32_t day = mc_local_day(c, now_ms);
  for (int i = 0; i < 400 && days >= 1; i++, day++)
    if (mc_is_working_day(c, day) && --days == 0)
      return mc_local_ms(c, day, mc_cal_due_minute(c, day));
  return now_ms;
}

void mc_wf_local_day_span(const mc_calendar *c, int64_t now_ms, int64_t *from, int64_t *to) {
  int32_t day = mc_local_day(c, now_ms);
  *from = mc_local_ms(c, day, 0);
  *to = mc_local_ms(c, day + 1, 0);
}
