/* Checks of typed values before anything is sent: the rule is
 * proto/domain.h's (the server enforces the same one); this file only maps
 * a fault to the field's own message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "fields.h"
#include "outbox.h"

#define DUE_HOUR 17 /* a bare date means 17:00 local */
#define SPAN_MAX_MS (366LL * 24 * 3600 * 1000)

static int missing(const char *s) { return s == NULL || s[0] == '\0'; }

/* MSG_NONE if s is required, clean one-line text of at most max bytes. */
static enum mc_msg line_ok(const char *s, size_t max, enum mc_msg bad) {
  return mc_dom_text(s, max, MC_TEXT_REQUIRED) == MC_DOM_OK ? MSG_NONE : bad;
}

enum mc_msg mc_fields_check_name(const char *s) {
  if (missing(s)) return MSG_ERR_NEED_NAME;
  enum mc_dom_fault f = mc_dom_text(s, MC_LIM_PERSON_NAME, MC_TEXT_REQUIRED);
  return f == MC_DOM_OK ? MSG_NONE : f == MC_DOM_TOO_LONG ? MSG_ERR_NAME_TOO_LONG
                                                           : MSG_ERR_NAME_INVALID;
}

enum mc_msg mc_fields_check_citizen_id(const char *s) {
  if (missing(s)) return MSG_ERR_NEED_ID;
  return mc_dom_citizen_id(s) == MC_DOM_OK ? MSG_NONE : MSG_ERR_ID_FORMAT;
}

enum mc_msg mc_fields_check_phone(const char *s) {
  return mc_dom_phone(s) == MC_DOM_OK ? MSG_NONE : MSG_ERR_PHONE_FORMAT;
}

enum mc_msg mc_fields_check_procedure(const char *s) {
  if (missing(s)) return MSG_ERR_NEED_PROCEDURE;
  return mc_dom_proc_code(s) == MC_DOM_OK ? MSG_NONE : MSG_ERR_PROCEDURE_FORMAT;
}

/* A provisional number of the outbox (TAM-<unit>-NNNNNN) stands for a
 * dossier code until its receive is delivered. */
static int provisional_ok(const char *s) {
  size_t n = strnlen(s, MC_LIM_DOSSIER_CODE + 1);
  if (!mc_outbox_is_provisional(s) || n > MC_LIM_DOSSIER_CODE) return 0;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

enum mc_msg mc_fields_check_dossier_code(const char *s) {
  if (missing(s)) return MSG_ERR_NEED_CODE;
  if (provisional_ok(s)) return MSG_NONE;
  return mc_dom_dossier_code(s) == MC_DOM_OK ? MSG_NONE : MSG_ERR_CODE_FORMAT;
}

enum mc_msg mc_fields_check_officer(const char *s) {
  if (missing(s)) return MSG_ERR_NO_OFFICER;
  return line_ok(s, MC_LIM_OFFICER, MSG_ERR_OFFICER_TOO_LONG);
}

enum mc_msg mc_fields_check_officer_opt(const char *s) {
  return missing(s) ? MSG_NONE : mc_fields_check_officer(s);
}

enum mc_msg mc_fields_check_reason(const char *s) {
  return mc_dom_text(s, MC_LIM_TEXT, MC_TEXT_REQUIRED | MC_TEXT_NEWLINES) == MC_DOM_OK
             ? MSG_NONE : MSG_ERR_REASON_INVALID;
}

enum mc_msg mc_fields_check_note(const char *s) {
  return mc_fields_check_reason(s) == MSG_NONE ? MSG_NONE : MSG_ERR_NOTE_INVALID;
}

enum mc_msg mc_fields_check_assignee(const char *s) {
  return line_ok(s, MC_LIM_OFFICER, MSG_ERR_ASSIGNEE_INVALID);
}

enum mc_msg mc_fields_check_department(const char *s) {
  return line_ok(s, MC_LIM_SECTOR, MSG_ERR_DEPT_INVALID);
}

enum mc_msg mc_fields_check_collector(const char *s) {
  return line_ok(s, MC_LIM_PERSON_NAME, MSG_ERR_COLLECTOR_INVALID);
}

enum mc_msg mc_fields_check_holiday_name(const char *s) {
  return line_ok(s, MC_FIELDS_HOLIDAY_NAME_MAX, MSG_ERR_HOLIDAY_NAME);
}

enum mc_msg mc_fields_check_search(const char *s) {
  return line_ok(s, MC_LIM_SEARCH, MSG_ERR_SEARCH_TEXT);
}

int mc_fields_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out) {
  char *end;
  if (s == NULL || s[0] < '0' || s[0] > '9') return MC_EINVAL;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return MC_EINVAL;
  *out = (unsigned)v;
  return 0;
}

int mc_fields_parse_component(const char *s, unsigned *ordinal, unsigned *count, int *form) {
  static const char *const forms[] = {"original", "copy", "certified", "original_or_copy",
                                      "present_only"};
  char buf[48];
  if (s == NULL || strlen(s) >= sizeof buf) return MC_EINVAL;
  memcpy(buf, s, strlen(s) + 1);
  char *c1 = strchr(buf, ':'), *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
  if (c1 != NULL) *c1 = '\0';
  if (c2 != NULL) *c2 = '\0';
  *count = 1;
  *form = 0;
  if (mc_fields_parse_uint(buf, 1, MC_LIM_COMPONENTS, ordinal) != 0) return MC_EINVAL;
  if (c1 != NULL && mc_fields_parse_uint(c1 + 1, 1, MC_LIM_COMPONENT_COUNT, count) != 0)
    return MC_EINVAL;
  if (c2 == NULL) return 0;
  for (int i = 0; i < 5; i++)
    if (strcmp(c2 + 1, forms[i]) == 0) *form = i + 1;
  return *form != 0 ? 0 : MC_EINVAL;
}

int mc_fields_parse_amount(const char *s, int64_t *vnd) {
  char *end;
  if (s == NULL || s[0] < '1' || s[0] > '9') return MC_EINVAL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < 1 || v > MC_LIM_AMOUNT) return MC_EINVAL;
  *vnd = (int64_t)v;
  return 0;
}

/* n digits at s into *out; 0 on success. */
static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return MC_EINVAL;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

static int days_in_month(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dm[m - 1];
}

static int date_ok(int y, int m, int d) {
  if (y < 2000 || y > 2100 || m < 1 || m > 12) return MC_EINVAL;
  return d >= 1 && d <= days_in_month(y, m) ? 0 : MC_EINVAL;
}

/* The 10-byte date at the start of s: "YYYY-MM-DD" (ISO) or "DD/MM/YYYY"
 * (the form clerks write); no check of what follows. */
static int date_prefix(const char *s, int *y, int *m, int *d) {
  if (strnlen(s, 10) < 10) return MC_EINVAL;
  if (s[4] == '-' && s[7] == '-') {
    if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d)) return MC_EINVAL;
  } else if (s[2] == '/' && s[5] == '/') {
    if (digits(s, 2, d) || digits(s + 3, 2, m) || digits(s + 6, 4, y)) return MC_EINVAL;
  } else {
    return MC_EINVAL;
  }
  return date_ok(*y, *m, *d);
}

int mc_fields_parse_date(const char *s, int *year, int *month, int *day) {
  if (s == NULL || strlen(s) != 10) return MC_EINVAL;
  return date_prefix(s, year, month, day);
}

int mc_fields_iso_date(const char *s, char out[11]) {
  int y, m, d;
  if (mc_fields_parse_date(s, &y, &m, &d) != 0) return MC_EINVAL;
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
  return 0;
}

int mc_fields_parse_due(const char *s, int offset_min, int64_t *ms) {
  int y, mo, d, h = DUE_HOUR, mi = 0;
  if (s == NULL || date_prefix(s, &y, &mo, &d) != 0) return MC_EINVAL;
  size_t n = strlen(s);
  if (n == 16) {
    if ((s[10] != 'T' && s[10] != ' ') || s[13] != ':') return MC_EINVAL;
    if (s[10] == 'T' && s[2] == '/') return MC_EINVAL; /* "T" only after an ISO date */
    if (digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || h > 23 || mi > 59) return MC_EINVAL;
  } else if (n != 10) {
    return MC_EINVAL;
  }
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                  .tm_min = mi};
  *ms = ((int64_t)timegm(&tm) - (int64_t)offset_min * 60) * 1000;
  return 0;
}

int mc_fields_parse_span(const char *s, int64_t *ms) {
  char *end;
  if (s == NULL || s[0] < '0' || s[0] > '9') return MC_EINVAL;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || end[0] == '\0' || end[1] != '\0' || v == 0 || v > 366UL * 24 * 60)
    return MC_EINVAL;
  int64_t unit = end[0] == 'd' ? 86400000LL : end[0] == 'h' ? 3600000LL
                 : end[0] == 'm' ? 60000LL : 0;
  if (unit == 0 || (int64_t)v * unit > SPAN_MAX_MS) return MC_EINVAL;
  *ms = (int64_t)v * unit;
  return 0;
}

/* "H:MM" or "HH:MM" (a time of day) at s[0..n) into out "HH:MM". */
static int clock_time(const char *s, size_t n, char out[6]) {
  int h, m;
  if (n == 4 && s[1] == ':' && digits(s, 1, &h) == 0 && digits(s + 2, 2, &m) == 0) {
  } else if (n == 5 && s[2] == ':' && digits(s, 2, &h) == 0 && digits(s + 3, 2, &m) == 0) {
  } else {
    return MC_EINVAL;
  }
  if (h > 23 || m > 59) return MC_EINVAL;
  snprintf(out, 6, "%02d:%02d", h, m);
  return 0;
}

/* "T1-T2" at s[0..n) into a, b. */
static int session(const char *s, size_t n, char a[6], char b[6]) {
  const char *dash = memchr(s, '-', n);
  if (dash == NULL) return MC_EINVAL;
  size_t k = (size_t)(dash - s);
  return clock_time(s, k, a) || clock_time(dash + 1, n - k - 1, b) ? MC_EINVAL : 0;
}

/* "DD/MM" or "MM-DD" into "MM-DD" (29 February allowed). */
static int year_day(const char *s, size_t n, char out[6]) {
  int d, m;
  if (n != 5) return MC_EINVAL;
  if (s[2] == '/' && digits(s, 2, &d) == 0 && digits(s + 3, 2, &m) == 0) {
  } else if (s[2] == '-' && digits(s, 2, &m) == 0 && digits(s + 3, 2, &d) == 0) {
  } else {
    return MC_EINVAL;
  }
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(2024, m)) return MC_EINVAL;
  snprintf(out, 6, "%02u-%02u", (unsigned)m % 100u, (unsigned)d % 100u); /* bounded above; the modulo tells the compiler */
  return 0;
}

int mc_fields_parse_schedule(const char *s, mc_fields_schedule *out) {
  memset(out, 0, sizeof *out);
  if (s == NULL) return MC_EINVAL;
  const char *p[4] = {s, NULL, NULL, NULL};
  size_t len[4] = {0};
  int k = 0;
  for (const char *c = s;; c++) {
    if (*c == ',' && k < 3) {
      len[k] = (size_t)(c - p[k]);
      p[++k] = c + 1;
    } else if (*c == '\0') {
      len[k] = (size_t)(c - p[k]);
      break;
    }
  }
  if (k < 2 || year_day(p[0], len[0], out->from) ||
      session(p[1], len[1], out->am_start, out->am_end) ||
      session(p[2], len[2], out->pm_start, out->pm_end))
    return MC_EINVAL;
  if (k == 3 && (len[3] >= sizeof out->name ||
                 mc_dom_text(p[3], sizeof out->name - 1, 0) != MC_DOM_OK))
    return MC_EINVAL;
  if (k == 3) memcpy(out->name, p[3], len[3] + 1);
  return 0;
}

int mc_fields_parse_component_ref(const char *s, char *name, size_t name_size,
                                  unsigned *ordinal, unsigned *count, int *form) {
  char buf[64];
  name[0] = '\0';
  if (s == NULL) return MC_EINVAL;
  const char *colon = strchr(s, ':');
  size_t n = colon != NULL ? (size_t)(colon - s) : strlen(s);
  int numeric = n > 0 && strspn(s, "0123456789") >= n;
  if (numeric) return mc_fields_parse_component(s, ordinal, count, form);
  if (n == 0 || n >= name_size) return MC_EINVAL;
  memcpy(name, s, n);
  name[n] = '\0';
  if (mc_dom_text(name, name_size - 1, MC_TEXT_REQUIRED) != MC_DOM_OK) return name[0] = '\0', MC_EINVAL;
  /* the count and form as for a number: "1" stands in for the name */
  if (snprintf(buf, sizeof buf, "1%s", colon != NULL ? colon : "") >= (int)sizeof buf ||
      mc_fields_parse_component(buf, ordinal, count, form) != 0)
    return name[0] = '\0', MC_EINVAL;
  *ordinal = 0;
  return 0;
}
