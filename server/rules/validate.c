#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "error.h"
#include "workflow.h"

#define FAIL(name) return (*field = (name), MC_EINVAL)

/* UTF-8, controls and lengths: proto/domain.h, the one place those rules
 * are written (PostgreSQL would refuse bad UTF-8; refusing here names the
 * field, and keeps one bad request out of a batch of receives). */
int mc_val_str(char *dst, size_t cap, const char *src, int required) {
  if (src == NULL) src = "";
  size_t n = strnlen(src, cap);
  if (n >= cap || (required && n == 0) || !mc_dom_utf8(src, n)) return MC_EINVAL;
  memcpy(dst, src, n + 1);
  return 0;
}

int mc_val_text(char *dst, size_t cap, const char *src, int required) {
  unsigned flags = MC_TEXT_NEWLINES | (required ? MC_TEXT_REQUIRED : 0u);
  if (cap == 0 || mc_dom_text(src, cap - 1, flags) != MC_DOM_OK) return MC_EINVAL;
  return mc_val_str(dst, cap, src, required);
}

int mc_val_line(char *dst, size_t cap, const char *src, int required) {
  unsigned flags = required ? MC_TEXT_REQUIRED : 0u;
  if (cap == 0 || mc_dom_text(src, cap - 1, flags) != MC_DOM_OK) return MC_EINVAL;
  return mc_val_str(dst, cap, src, required);
}

int mc_val_client_version(char *dst, size_t cap, const char *src) {
  if (src == NULL) src = "";
  size_t n = strnlen(src, MC_LIM_CLIENT_VERSION + 1);
  if (n > MC_LIM_CLIENT_VERSION || n >= cap) return MC_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (src[i] < 0x20 || src[i] > 0x7e) return MC_EINVAL;
  memcpy(dst, src, n);
  dst[n] = '\0';
  return 0;
}

int mc_val_date(const char *d) {
  int y, m, day;
  char tail;
  if (d == NULL || strnlen(d, 11) != 10 || sscanf(d, "%4d-%2d-%2d%c", &y, &m, &day, &tail) != 3)
    return 0;
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || day < 1 || day > 31) return 0;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = day, .tm_hour = 12};
  time_t t = timegm(&tm);
  struct tm back;
  gmtime_r(&t, &back);
  return back.tm_mday == day && back.tm_mon == m - 1 ? y : 0;
}

/* ---- receive ------------------------------------------------------------ */

static int val_applicant(const Motcua__Applicant *in, mc_applicant *a, const char **field) {
  memset(a, 0, sizeof *a);
  if (in == NULL) FAIL("applicant");
  if (mc_val_line(a->name, sizeof a->name, in->name, 1) != 0) FAIL("name");
  if (mc_val_str(a->id_number, sizeof a->id_number, in->id_number, 1) != 0) FAIL("id_number");
  if (mc_val_str(a->phone, sizeof a->phone, in->phone, 0) != 0) FAIL("phone");
  return mc_wf_check_applicant(a, field);
}

/* "local@domain": printable ASCII without spaces, one '@', both sides
 * non-empty; "" allowed (the e-mail is optional). */
static int val_email(char *dst, size_t cap, const char *src) {
  if (mc_val_str(dst, cap, src, 0) != 0) return MC_EINVAL;
  if (dst[0] == '\0') return 0;
  const char *at = strchr(dst, '@');
  if (at == NULL || at == dst || at[1] == '\0' || strchr(at + 1, '@') != NULL) return MC_EINVAL;
  for (const char *p = dst; *p != '\0'; p++)
    if (*p <= 0x20 || *p >= 0x7f) return MC_EINVAL;
  return 0;
}

/* Components: at most MC_LIM_COMPONENTS, ordinals 1..MC_LIM_COMPONENTS
 * and distinct, counts 1..MC_LIM_COMPONENT_COUNT (0 = 1), a known form. */
static int val_components(const Motcua__ReceiveRequest *q, mc_receive_fields *out) {
  if (q->n_components > MC_LIM_COMPONENTS) return MC_EINVAL;
  for (size_t i = 0; i < q->n_components; i++) {
    const Motcua__ReceivedComponent *c = q->components[i];
    if (c == NULL || c->ordinal < 1 || c->ordinal > MC_LIM_COMPONENTS ||
        c->count > MC_LIM_COMPONENT_COUNT || (int)c->form < 0 ||
        (int)c->form > MC_FORM_PRESENT_ONLY)
      return MC_EINVAL;
    for (size_t j = 0; j < i; j++)
      if (out->components[j].ordinal == (int)c->ordinal) return MC_EINVAL;
    out->components[i] = (mc_received){(int)c->ordinal, c->count == 0 ? 1 : (int)c->count,
                                       (int)c->form};
  }
  out->ncomponents = q->n_components;
  return 0;
}

static int val_intake(const Motcua__ReceiveRequest *q, mc_receive_fields *out,
                      const char **field) {
  if (mc_val_line(out->address, sizeof out->address, q->address, 0) != 0) FAIL("address");
  if (val_email(out->email, sizeof out->email, q->email) != 0) FAIL("email");
  if (q->sets > MC_LIM_SETS) FAIL("sets");
  out->sets = q->sets == 0 ? 1 : (int)q->sets;
  if (val_components(q, out) != 0) FAIL("components");
  if (mc_val_text(out->missing_reason, sizeof out->missing_reason, q->missing_reason, 0) != 0)
    FAIL("missing_reason");
  return 0;
}

int mc_val_receive(const Motcua__ReceiveRequest *q, mc_receive_fields *out, const char **field) {
  memset(out, 0, sizeof *out);
  if (mc_dom_idem_key(q->idempotency_key) != MC_DOM_OK) FAIL("idempotency_key");
  int rc = val_applicant(q->applicant, &out->applicant, field);
  if (rc != 0) return rc;
  if (mc_dom_proc_code(q->procedure_code) != MC_DOM_OK ||
      mc_val_str(out->procedure_code, sizeof out->procedure_code, q->procedure_code, 1) != 0)
    FAIL("procedure_code");
  if (mc_val_line(out->officer, sizeof out->officer, q->officer, 0) != 0) FAIL("officer");
  out->channel = q->channel == 0 ? MC_CH_DIRECT : (int)q->channel;
  if (mc_wf_check_channel(out->channel) != 0) FAIL("channel");
  return val_intake(q, out, field);
}

/* ---- actions ------------------------------------------------------------ */

static int needs_reason(int action) {
  return action == MC_ACT_SUPPLEMENT_REQUEST || action == MC_ACT_REFUSE ||
         action == MC_ACT_STOP || action == MC_ACT_RESCHEDULE;
}

static int val_action_args(const Motcua__ActionRequest *q, mc_action_fields *a,
                           const char **field) {
  int act = a->action;
  if (mc_val_text(a->detail, sizeof a->detail, q->reason, needs_reason(act)) != 0) FAIL("reason");
  if (a->detail[0] == '\0' && mc_val_text(a->detail, sizeof a->detail, q->note, 0) != 0)
    FAIL("note");
  if (mc_val_line(a->to_officer, sizeof a->to_officer, q->to_officer, act == MC_ACT_ASSIGN) != 0)
    FAIL("to_officer");
  if (mc_val_line(a->department, sizeof a->department, q->department, 0) != 0) FAIL("department");
  if (mc_val_line(a->collected_by, sizeof a->collected_by, q->collected_by,
                  act == MC_ACT_RETURN) != 0)
    FAIL("collected_by");
  if (act == MC_ACT_FEE_REQUEST && (q->amount <= 0 || q->amount > MC_LIM_AMOUNT)) FAIL("amount");
  if (act == MC_ACT_RESCHEDULE && (q->new_due_ms <= 0 || q->new_due_ms > MC_LIM_TIME_MAX_MS))
    FAIL("new_due");
  a->amount = act == MC_ACT_FEE_REQUEST ? q->amount : 0;
  a->new_due_ms = q->new_due_ms;
  a->rating = act == MC_ACT_RATE ? (int)(q->rating > 3 ? 99 : q->rating) : 0;
  return 0;
}

/* A short description for the progress log when no reason or note came. */
static void describe(mc_action_fields *a) {
  if (a->detail[0] != '\0') return;
  size_t n = sizeof a->detail;
  switch (a->action) {
  case MC_ACT_ASSIGN:
    snprintf(a->detail, n, "%s%s%.*s", a->to_officer, a->department[0] ? " – " : "", 200,
             a->department);
    break;
  case MC_ACT_FEE_REQUEST: snprintf(a->detail, n, "%lld VND", (long long)a->amount); break;
  case MC_ACT_RETURN: snprintf(a->detail, n, "%s", a->collected_by); break;
  case MC_ACT_RATE: snprintf(a->detail, n, "%d", a->rating); break;
  default: break;
  }
}

static int val_common(const char *key, const char *code, const char *officer,
                      mc_action_fields *out, const char **field) {
  if (mc_dom_idem_key(key) != MC_DOM_OK) FAIL("idempotency_key");
  if (mc_dom_dossier_code(code) != MC_DOM_OK) FAIL("code");
  if (mc_val_line(out->officer, sizeof out->officer, officer, 0) != 0) FAIL("officer");
  snprintf(out->key, sizeof out->key, "%s", key);
  snprintf(out->code, sizeof out->code, "%s", code);
  return 0;
}

int mc_val_action(const Motcua__ActionRequest *q, mc_action_fields *out, const char **field) {
  memset(out, 0, sizeof *out);
  int rc = val_common(q->idempotency_key, q->code, q->officer, out, field);
  if (rc != 0) return rc;
  if ((int)q->action < 1 || (int)q->action >= MC_ACT_FORWARD) FAIL("action");
  out->action = (int)q->action;
  if ((rc = val_action_args(q, out, field)) != 0) return rc;
  describe(out);
  return 0;
}

int mc_val_forward(const Motcua__ForwardRequest *q, mc_action_fields *out, const char **field) {
  memset(out, 0, sizeof *out);
  out->action = MC_ACT_FORWARD;
  return val_common(q->idempotency_key, q->code, q->officer, out, field);
}

/* ---- idempotency fingerprints ------------------------------------------- */

typedef struct canon {
  char *out;
  size_t cap, len;
  int over;
} canon;

static void canon_put(canon *c, const char *s) {
  size_t n = strlen(s);
  int m = snprintf(c->out + c->len, c->cap - c->len, "%zu:", n);
  if (m < 0 || (size_t)m + n + 1 >= c->cap - c->len) {
    c->over = 1;
    return;
  }
  c->len += (size_t)m;
  memcpy(c->out + c->len, s, n);
  c->len += n;
  c->out[c->len++] = ';';
  c->out[c->len] = '\0';
}

static void canon_int(canon *c, long long v) {
  char b[24];
  snprintf(b, sizeof b, "%lld", v);
  canon_put(c, b);
}

static int canon_end(const canon *c) { return c->over ? MC_ETOOBIG : (int)c->len; }

int mc_val_receive_canon(const mc_receive_fields *f, char *out, size_t cap) {
  canon c = {out, cap, 0, cap == 0};
  if (cap > 0) out[0] = '\0';
  canon_put(&c, "receive");
  canon_put(&c, f->procedure_code);
  canon_put(&c, f->applicant.name);
  canon_put(&c, f->applicant.id_number);
  canon_put(&c, f->applicant.phone);
  canon_int(&c, f->channel);
  canon_put(&c, f->officer);
  canon_put(&c, f->address);
  canon_put(&c, f->email);
  canon_int(&c, f->sets);
  canon_int(&c, (int64_t)f->ncomponents);
  for (size_t i = 0; i < f->ncomponents; i++) {
    canon_int(&c, f->components[i].ordinal);
    canon_int(&c, f->components[i].count);
    canon_int(&c, f->components[i].form);
  }
  canon_put(&c, f->missing_reason);
  return canon_end(&c);
}

int mc_val_action_canon(const mc_action_fields *f, char *out, size_t cap) {
  canon c = {out, cap, 0, cap == 0};
  if (cap > 0) out[0] = '\0';
  canon_int(&c, f->action);
  canon_put(&c, f->code);
  canon_put(&c, f->officer);
  canon_put(&c, f->detail);
  canon_put(&c, f->to_officer);
  canon_put(&c, f->department);
  canon_put(&c, f->collected_by);
  canon_int(&c, f->amount);
  canon_int(&c, f->new_due_ms);
  canon_int(&c, f->rating);
  return canon_end(&c);
}

/* ---- reads -------------------------------------------------------------- */

int mc_val_search(const Motcua__SearchRequest *q, char text[MC_SEARCH_MAX], int *limit,
                  mc_cursor *after, const char **field) {
  if (mc_dom_text(q->text, MC_LIM_SEARCH, MC_TEXT_REQUIRED) != MC_DOM_OK ||
      mc_val_str(text, MC_SEARCH_MAX, q->text, 1) != 0)
    FAIL("text");
  if (mc_cursor_decode(q->after, after) != 0 ||
      (after->kind != 0 && after->kind != MC_CURSOR_SEARCH))
    FAIL("after");
  *limit = q->limit == 0 ? 50 : (q->limit > 500 ? 500 : (int)q->limit);
  return 0;
}

int mc_val_inbox(const Motcua__InboxRequest *q, int *limit, mc_cursor *after,
                 const char **field) {
  if (mc_cursor_decode(q->after, after) != 0 ||
      (after->kind != 0 && (after->kind != MC_CURSOR_INBOX || q->mark_read)))
    FAIL("after");
  *limit = q->limit == 0 ? 200 : q->limit > MC_LIM_LIST ? MC_LIM_LIST : (int)q->limit;
  return 0;
}

/* "" (none) or a unit code (mc_dom_unit_code), copied. */
static int unit_code_ok(char dst[MC_LIM_UNIT_CODE + 1], const char *src) {
  if (src == NULL || src[0] == '\0') return dst[0] = '\0', 1;
  if (mc_dom_unit_code(src) != MC_DOM_OK) return 0;
  snprintf(dst, MC_LIM_UNIT_CODE + 1, "%s", src);
  return 1;
}

/* [from, to): each 0 (none) or within the calendar's years; from < to. */
static int range_ok(int64_t from, int64_t to) {
  if (from < 0 || from > MC_LIM_TIME_MAX_MS || to < 0 || to > MC_LIM_TIME_MAX_MS) return 0;
  return from == 0 || to == 0 || from < to;
}

static int list_texts(const Motcua__ListRequest *q, mc_list_fields *f, const char **field) {
  const char *proc = q->procedure != NULL ? q->procedure : "";
  if (proc[0] != '\0' && mc_dom_proc_code(proc) != MC_DOM_OK) FAIL("procedure");
  snprintf(f->procedure, sizeof f->procedure, "%s", proc);
  if (mc_val_line(f->sector, sizeof f->sector, q->sector, 0) != 0) FAIL("sector");
  if (!unit_code_ok(f->holder_unit, q->holder_unit)) FAIL("holder_unit");
  return 0;
}

static int list_times(const Motcua__ListRequest *q, mc_list_fields *f, const char **field) {
  if (q->due_within_ms < 0 || q->due_within_ms > 366LL * 86400000) FAIL("due_within");
  if (!range_ok(q->received_from_ms, q->received_to_ms))
    FAIL(q->received_from_ms < 0 || q->received_from_ms > MC_LIM_TIME_MAX_MS ? "received_from"
                                                                             : "received_to");
  if (!range_ok(q->due_from_ms, q->due_to_ms))
    FAIL(q->due_from_ms < 0 || q->due_from_ms > MC_LIM_TIME_MAX_MS ? "due_from" : "due_to");
  f->due_within_ms = q->due_within_ms;
  f->received_from_ms = q->received_from_ms;
  f->received_to_ms = q->received_to_ms;
  f->due_from_ms = q->due_from_ms;
  f->due_to_ms = q->due_to_ms;
  return 0;
}

int mc_val_list(const Motcua__ListRequest *q, long limit_max, mc_list_fields *f,
                const char **field) {
  memset(f, 0, sizeof *f);
  if (q->status > 10) FAIL("status");
  if (q->offset > MC_LIM_LIST_OFFSET) FAIL("offset");
  if (mc_dom_list_sort(q->sort, &f->sort, &f->desc) != MC_DOM_OK) FAIL("sort");
  int rc = list_texts(q, f, field);
  if (rc == 0) rc = list_times(q, f, field);
  if (rc != 0) return rc;
  if (mc_cursor_decode(q->after, &f->after) != 0 ||
      (f->after.kind != 0 && (f->after.kind != MC_CURSOR_LIST || f->after.sort != f->sort ||
                              f->after.desc != f->desc)))
    FAIL("after");
  f->status = (int)q->status;
  f->limit = q->limit == 0 ? 100 : (q->limit > (uint32_t)limit_max ? (int)limit_max : (int)q->limit);
  f->offset = (int)q->offset;
  f->overdue = q->overdue;
  f->mine = q->mine;
  f->awaiting_signature = q->awaiting_signature;
  return 0;
}

int mc_val_holidays(const Motcua__HolidaysRequest *q, mc_calday *day, int *year,
                    const char **field) {
  memset(day, 0, sizeof *day);
  *year = (int)q->year;
  if (q->op == MOTCUA__HOLIDAYS_REQUEST__OP__LIST) {
    if (*year != 0 && (*year < 2000 || *year > 2100)) FAIL("year");
    return 0;
  }
  if (q->op != MOTCUA__HOLIDAYS_REQUEST__OP__ADD && q->op != MOTCUA__HOLIDAYS_REQUEST__OP__REMOVE)
    FAIL("op");
  const Motcua__Holiday *h = q->holiday;
  if (h == NULL || (*year = mc_val_date(h->date)) == 0) FAIL("date");
  memcpy(day->date, h->date, 11);
  if (q->op == MOTCUA__HOLIDAYS_REQUEST__OP__REMOVE) return 0;
  const char *kind = h->kind != NULL ? h->kind : "";
  if (strcmp(kind, "workday") != 0 && strcmp(kind, "holiday") != 0 && kind[0] != '\0')
    FAIL("kind");
  day->workday = strcmp(kind, "workday") == 0;
  if (mc_val_text(day->name, sizeof day->name, h->name, 1) != 0) FAIL("name");
  return 0;
}

/* ---- register (form 06) ------------------------------------------------- */

/* Local day number of a valid "YYYY-MM-DD" (mc_val_date). */
static int32_t date_day(const char *d) {
  struct tm tm = {0};
  if (sscanf(d, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (int32_t)(timegm(&tm) / 86400);
}

/* "" or "YYYY:N" (N 1..999999999). */
static int parse_cursor(const char *c, int *year, int *no) {
  *year = *no = 0;
  if (c == NULL || c[0] == '\0') return 0;
  size_t n = strnlen(c, 16);
  if (n < 6 || n > 14 || c[4] != ':') return -1;
  for (size_t i = 0; i < n; i++)
    if (i != 4 && (c[i] < '0' || c[i] > '9')) return -1;
  if (sscanf(c, "%4d:%9d", year, no) != 2 || *year < 2000 || *year > 2099 || *no < 1) return -1;
  return 0;
}

int mc_val_register(const Motcua__RegisterRequest *q, mc_register_query *out,
                    const char **field) {
  memset(out, 0, sizeof *out);
  if (mc_val_date(q->from) == 0) FAIL("from");
  if (mc_val_date(q->to) == 0) FAIL("to");
  out->from_day = date_day(q->from);
  out->to_day = date_day(q->to);
  if (out->to_day < out->from_day || out->to_day - out->from_day >= MC_VAL_REGISTER_DAYS)
    FAIL("to");
  if (parse_cursor(q->cursor, &out->after_year, &out->after_no) != 0) FAIL("cursor");
  if (q->limit > MC_VAL_REGISTER_PAGE_MAX) FAIL("limit");
  out->limit = q->limit == 0 ? MC_VAL_REGISTER_PAGE : (int)q->limit;
  return 0;
}

/* ---- office hours ------------------------------------------------------- */

/* "MM-DD" of a real day (29 February allowed) -> month * 100 + day, else 0. */
static int month_day(const char *s) {
  static const int mdays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (s == NULL || strnlen(s, 6) != 5 || s[2] != '-') return 0;
  for (int i = 0; i < 5; i++)
    if (i != 2 && (s[i] < '0' || s[i] > '9')) return 0;
  int m = (s[0] - '0') * 10 + (s[1] - '0'), d = (s[3] - '0') * 10 + (s[4] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m] ? m * 100 + d : 0;
}

/* "HH:MM" -> minutes 0..1439, else -1. */
static int minutes(const char *s) {
  if (s == NULL || strnlen(s, 6) != 5 || s[2] != ':') return -1;
  for (int i = 0; i < 5; i++)
    if (i != 2 && (s[i] < '0' || s[i] > '9')) return -1;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  return h < 24 && m < 60 ? h * 60 + m : -1;
}

static int val_schedule(const Motcua__OfficeHours *in, mc_work_hours *h, const char **field) {
  memset(h, 0, sizeof *h);
  if (in == NULL || (h->valid_from = month_day(in->valid_from)) == 0) FAIL("valid_from");
  if ((h->am_start = minutes(in->am_start)) < 0) FAIL("am_start");
  if ((h->am_end = minutes(in->am_end)) < 0) FAIL("am_end");
  if ((h->pm_start = minutes(in->pm_start)) < 0) FAIL("pm_start");
  if ((h->pm_end = minutes(in->pm_end)) < 0) FAIL("pm_end");
  if (mc_cal_check_hours(h) != 0) FAIL("hours order");
  if (mc_val_line(h->name, sizeof h->name, in->name, 0) != 0) FAIL("name");
  return 0;
}

static int cmp_from(const void *a, const void *b) {
  const mc_work_hours *x = a, *y = b;
  return (x->valid_from > y->valid_from) - (x->valid_from < y->valid_from);
}

int mc_val_hours(const Motcua__HoursRequest *q, char unit[MC_UNIT_CODE_MAX],
                 mc_work_hours rows[MC_HOURS_SCHEDULES], size_t *n, const char **field) {
  *n = 0;
  unit[0] = '\0';
  if (q->op != MOTCUA__HOURS_REQUEST__OP__LIST && q->op != MOTCUA__HOURS_REQUEST__OP__SET)
    FAIL("op");
  if (q->unit_code != NULL && q->unit_code[0] != '\0' &&
      (mc_val_str(unit, MC_UNIT_CODE_MAX, q->unit_code, 1) != 0 ||
       strspn(unit, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
           strlen(unit)))
    FAIL("unit_code");
  if (q->op == MOTCUA__HOURS_REQUEST__OP__LIST) {
    if (q->n_hours != 0) FAIL("hours");
    return 0;
  }
  if (q->n_hours > MC_HOURS_SCHEDULES) FAIL("hours");
  for (size_t i = 0; i < q->n_hours; i++) {
    int rc = val_schedule(q->hours[i], &rows[i], field);
    if (rc != 0) return rc;
  }
  qsort(rows, q->n_hours, sizeof *rows, cmp_from);
  for (size_t i = 1; i < q->n_hours; i++)
    if (rows[i].valid_from == rows[i - 1].valid_from) FAIL("valid_from");
  *n = q->n_hours;
  return 0;
}

/* ---- officer accounts ------------------------------------------------------ */

int mc_val_login_name(char out[MC_LIM_LOGIN + 1], const char *in) {
  size_t n = in != NULL ? strnlen(in, MC_LIM_LOGIN + 1) : 0;
  if (n > MC_LIM_LOGIN) return MC_EINVAL;
  for (size_t i = 0; i < n; i++)
    out[i] = in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] - 'A' + 'a') : in[i];
  out[n] = '\0';
  return mc_off_login_ok(out) ? 0 : MC_EINVAL;
}

static int password_len_ok(const char *pw) {
  size_t n = pw != NULL ? strnlen(pw, MC_LIM_PASSWORD + 1) : 0;
  return n >= 1 && n <= MC_LIM_PASSWORD;
}

int mc_val_login(const Motcua__LoginRequest *q, char login[MC_LIM_LOGIN + 1], const char **field) {
  if (mc_val_login_name(login, q->login) != 0 || !password_len_ok(q->password))
    return *field = "login", MC_EBADLOGIN;
  return 0;
}

int mc_val_password(const Motcua__PasswordRequest *q, const char **field) {
  if (!password_len_ok(q->old_password)) return *field = "old_password", MC_EBADLOGIN;
  return mc_off_password_check(q->new_password, &(mc_off_pw_ctx){0}, field);
}

static int officer_fields(const Motcua__Officer *o, mc_officers_fields *out, int op,
                          const char **field) {
  if (o == NULL) FAIL("officer");
  if (mc_val_login_name(out->login, o->login) != 0) FAIL("officer.login");
  int add = op == MOTCUA__OFFICERS_REQUEST__OP__ADD;
  int roles = add || op == MOTCUA__OFFICERS_REQUEST__OP__SET_ROLES;
  if (mc_val_line(out->full_name, sizeof out->full_name, o->full_name, add) != 0)
    FAIL("officer.full_name");
  if (mc_val_line(out->title, sizeof out->title, o->title, 0) != 0) FAIL("officer.title");
  if (o->n_roles > 4) FAIL("officer.roles");
  for (size_t i = 0; i < o->n_roles; i++) {
    if (o->roles[i] < 1 || o->roles[i] > 4) FAIL("officer.roles");
    out->roles |= 1u << o->roles[i];
  }
  if (roles && out->roles == 0) FAIL("officer.roles");
  return 0;
}

int mc_val_officers(const Motcua__OfficersRequest *q, mc_officers_fields *out,
                    const char **field) {
  memset(out, 0, sizeof *out);
  out->op = (int)q->op;
  if (out->op < MOTCUA__OFFICERS_REQUEST__OP__LIST ||
      out->op > MOTCUA__OFFICERS_REQUEST__OP__SET_ROLES)
    FAIL("op");
  const char *u = q->unit_code != NULL ? q->unit_code : "";
  if (u[0] != '\0' && strcmp(u, "admin") != 0 && mc_dom_proc_code(u) != MC_DOM_OK) FAIL("unit_code");
  if (strnlen(u, MC_UNIT_CODE_MAX) >= MC_UNIT_CODE_MAX) FAIL("unit_code");
  snprintf(out->unit, sizeof out->unit, "%s", u);
  if (out->op == MOTCUA__OFFICERS_REQUEST__OP__LIST) {
    if ((int)q->role_filter < 0 || (int)q->role_filter > 4) FAIL("role_filter");
    out->role_filter = (int)q->role_filter;
    return 0;
  }
  if (mc_dom_idem_key(q->idempotency_key) != MC_DOM_OK) FAIL("idempotency_key");
  snprintf(out->key, sizeof out->key, "%s", q->idempotency_key);
  return officer_fields(q->officer, out, out->op, field);
}
