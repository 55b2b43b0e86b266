/* Client-side checks of command arguments, mirroring the server's limits so
 * that a clerk gets a clear message before anything is sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

/* Length of the UTF-8 sequence starting at p (strict: no overlongs, no
 * surrogates, <= U+10FFFF), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p) {
  if (p[0] < 0x80) return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF) return (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (p[0] >= 0xE0 && p[0] <= 0xEF) {
    if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (p[0] == 0xE0 && p[1] < 0xA0) return 0;
    if (p[0] == 0xED && p[1] >= 0xA0) return 0;
    return 3;
  }
  if (p[0] >= 0xF0 && p[0] <= 0xF4) {
    if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    if (p[0] == 0xF0 && p[1] < 0x90) return 0;
    if (p[0] == 0xF4 && p[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/* Valid UTF-8 without C0/C1 controls or DEL (newline allowed when
 * newlines), and not only blanks. */
static int clean_text_nl(const char *s, int newlines) {
  const unsigned char *p = (const unsigned char *)s;
  int visible = 0;
  while (*p) {
    size_t n = utf8_seq(p);
    int nl = newlines && *p == '\n';
    if (n == 0 || (*p < 0x20 && !nl) || *p == 0x7F) return 0;
    if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) return 0; /* C1 controls */
    if (*p != ' ' && *p != '\n') visible = 1;
    p += n;
  }
  return visible;
}

static int clean_text(const char *s) { return clean_text_nl(s, 0); }

/* MSG_NONE if s is clean text of at most max bytes, else bad. */
static enum mc_msg text_ok(const char *s, size_t max, int newlines, enum mc_msg bad) {
  if (s == NULL || strlen(s) > max || !clean_text_nl(s, newlines)) return bad;
  return MSG_NONE;
}

enum mc_msg mc_cli_check_name(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_NAME;
  if (strlen(s) > MC_CLI_NAME_MAX) return MSG_ERR_NAME_TOO_LONG;
  return clean_text(s) ? MSG_NONE : MSG_ERR_NAME_INVALID;
}

enum mc_msg mc_cli_check_citizen_id(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_ID;
  size_t n = strlen(s);
  return (n == 9 || n == 12) && all_digits(s, n) ? MSG_NONE : MSG_ERR_ID_FORMAT;
}

enum mc_msg mc_cli_check_phone(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_NONE;
  size_t n = strlen(s);
  return n <= MC_CLI_PHONE_MAX && all_digits(s, n) ? MSG_NONE : MSG_ERR_PHONE_FORMAT;
}

static int code_chars(const char *s, const char *extra) {
  for (; *s; s++) {
    char ch = *s;
    int ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
             (ch >= 'a' && ch <= 'z') || strchr(extra, ch) != NULL;
    if (!ok) return 0;
  }
  return 1;
}

enum mc_msg mc_cli_check_procedure(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_PROCEDURE;
  if (strlen(s) > MC_CLI_PROC_CODE_MAX || !code_chars(s, ".-_"))
    return MSG_ERR_PROCEDURE_FORMAT;
  return MSG_NONE;
}

enum mc_msg mc_cli_check_dossier_code(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NEED_CODE;
  if (strlen(s) > MC_CLI_DOSSIER_CODE_MAX || !code_chars(s, ".-"))
    return MSG_ERR_CODE_FORMAT;
  return MSG_NONE;
}

enum mc_msg mc_cli_check_officer(const char *s) {
  if (s == NULL || s[0] == '\0') return MSG_ERR_NO_OFFICER;
  if (strlen(s) > MC_CLI_OFFICER_MAX || !clean_text(s)) return MSG_ERR_OFFICER_TOO_LONG;
  return MSG_NONE;
}

enum mc_msg mc_cli_check_reason(const char *s) {
  return text_ok(s, MC_CLI_REASON_MAX, 1, MSG_ERR_REASON_INVALID);
}

enum mc_msg mc_cli_check_note(const char *s) {
  return text_ok(s, MC_CLI_REASON_MAX, 1, MSG_ERR_NOTE_INVALID);
}

enum mc_msg mc_cli_check_assignee(const char *s) {
  return text_ok(s, MC_CLI_OFFICER_MAX, 0, MSG_ERR_ASSIGNEE_INVALID);
}

enum mc_msg mc_cli_check_department(const char *s) {
  return text_ok(s, MC_CLI_DEPT_MAX, 0, MSG_ERR_DEPT_INVALID);
}

enum mc_msg mc_cli_check_collector(const char *s) {
  return text_ok(s, MC_CLI_NAME_MAX, 0, MSG_ERR_COLLECTOR_INVALID);
}

enum mc_msg mc_cli_check_holiday_name(const char *s) {
  return text_ok(s, MC_CLI_HOLIDAY_NAME_MAX, 0, MSG_ERR_HOLIDAY_NAME);
}

enum mc_msg mc_cli_check_search(const char *s) {
  return text_ok(s, MC_CLI_SEARCH_MAX, 0, MSG_ERR_SEARCH_TEXT);
}

int mc_cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out) {
  char *end;
  if (s == NULL || s[0] < '0' || s[0] > '9') return -1;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return -1;
  *out = (unsigned)v;
  return 0;
}

int mc_cli_parse_amount(const char *s, int64_t *vnd) {
  char *end;
  if (s == NULL || s[0] < '1' || s[0] > '9') return -1;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < 1 || v > MC_CLI_AMOUNT_MAX) return -1;
  *vnd = (int64_t)v;
  return 0;
}

/* n digits at s into *out; 0 on success. */
static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
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

/* "YYYY-MM-DD" prefix of s (no check of what follows). */
static int date_prefix(const char *s, int *y, int *m, int *d) {
  if (strlen(s) < 10 || s[4] != '-' || s[7] != '-') return -1;
  if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d)) return -1;
  if (*y < 2000 || *y > 2100 || *m < 1 || *m > 12) return -1;
  return *d >= 1 && *d <= days_in_month(*y, *m) ? 0 : -1;
}

int mc_cli_parse_date(const char *s, int *year, int *month, int *day) {
  if (s == NULL || strlen(s) != 10) return -1;
  return date_prefix(s, year, month, day);
}

int mc_cli_parse_due(const char *s, int offset_min, int64_t *ms) {
  int y, mo, d, h = MC_CLI_DUE_HOUR, mi = 0;
  if (s == NULL || date_prefix(s, &y, &mo, &d) != 0) return -1;
  size_t n = strlen(s);
  if (n == 16) {
    if ((s[10] != 'T' && s[10] != ' ') || s[13] != ':') return -1;
    if (digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || h > 23 || mi > 59) return -1;
  } else if (n != 10) {
    return -1;
  }
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                  .tm_min = mi};
  *ms = ((int64_t)timegm(&tm) - (int64_t)offset_min * 60) * 1000;
  return 0;
}

int mc_cli_parse_span(const char *s, int64_t *ms) {
  char *end;
  if (s == NULL || s[0] < '0' || s[0] > '9') return -1;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno != 0 || end[0] == '\0' || end[1] != '\0' || v == 0 || v > 366UL * 24 * 60)
    return -1;
  int64_t unit = end[0] == 'd' ? 86400000LL : end[0] == 'h' ? 3600000LL
                 : end[0] == 'm' ? 60000LL : 0;
  if (unit == 0 || (int64_t)v * unit > MC_CLI_SPAN_MAX_MS) return -1;
  *ms = (int64_t)v * unit;
  return 0;
}
