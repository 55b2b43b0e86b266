/* JSON and human renderings of protocol messages for the motcua CLI. */
#include <string.h>
#include <time.h>

#include "cli.h"
#include "error.h"

/* ---- times ------------------------------------------------------------ */

static int local_tm(int64_t ms, int offset_min, struct tm *tm) {
  if (ms <= 0) return -1;
  time_t t = (time_t)(ms / 1000) + (time_t)offset_min * 60;
  return gmtime_r(&t, tm) != NULL ? 0 : -1;
}

int mc_cli_rfc3339(int64_t ms, int offset_min, char *buf, size_t size) {
  struct tm tm;
  int off = offset_min < 0 ? -offset_min : offset_min;
  if (local_tm(ms, offset_min, &tm) != 0) return -1;
  int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec, offset_min < 0 ? '-' : '+', off / 60,
                   off % 60);
  return n > 0 && (size_t)n < size ? 0 : -1;
}

int mc_cli_human_time(int64_t ms, int offset_min, int lang, char *buf, size_t size) {
  struct tm tm;
  int n;
  if (local_tm(ms, offset_min, &tm) != 0) return -1;
  if (lang == MC_LANG_EN)
    n = snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
  else
    n = snprintf(buf, size, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
  return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ---- enum names (stable JSON vocabulary) ------------------------------- */

const char *mc_cli_level_name(int level) {
  switch (level) {
  case MOTCUA__LEVEL__LEVEL_COMMUNE: return "commune";
  case MOTCUA__LEVEL__LEVEL_DISTRICT: return "district";
  default: return NULL;
  }
}

static const char *const channel_names[] = {NULL, "direct", "online", "postal"};

const char *mc_cli_channel_name(int channel) {
  return channel >= 1 && channel <= 3 ? channel_names[channel] : NULL;
}

int mc_cli_channel_parse(const char *s) {
  for (int i = 1; i <= 3; i++)
    if (strcmp(s, channel_names[i]) == 0) return i;
  return -1;
}

const char *mc_cli_limit_unit_name(int unit) {
  switch (unit) {
  case MOTCUA__LIMIT_UNIT__LIMIT_HOURS: return "hours";
  case MOTCUA__LIMIT_UNIT__LIMIT_WORKING_DAYS: return "working_days";
  case MOTCUA__LIMIT_UNIT__LIMIT_CALENDAR_DAYS: return "calendar_days";
  case MOTCUA__LIMIT_UNIT__LIMIT_MONTHS: return "months";
  default: return NULL;
  }
}

const char *mc_cli_role_name(int role) {
  switch (role) {
  case MOTCUA__ROLE__ROLE_COMMUNE: return "commune";
  case MOTCUA__ROLE__ROLE_DISTRICT: return "district";
  case MOTCUA__ROLE__ROLE_ADMIN: return "admin";
  default: return NULL;
  }
}

/* ---- workflow actions ------------------------------------------------- */

#define A(x) MOTCUA__ACTION__ACTION_##x
static const mc_cli_action_def actions[] = {
    {"receive", NULL, 0, MSG_ACT_RECEIVE, MSG_NONE},
    {"forward", NULL, 0, MSG_ACT_FORWARD, MSG_NONE},
    {"accept", "accept", A(ACCEPT), MSG_ACT_ACCEPT, MSG_DONE_ACCEPT},
    {"assign", "assign", A(ASSIGN), MSG_ACT_ASSIGN, MSG_DONE_ASSIGN},
    {"supplement_request", "supplement-request", A(SUPPLEMENT_REQUEST),
     MSG_ACT_SUPPLEMENT_REQUEST, MSG_DONE_SUPPLEMENT_REQUEST},
    {"supplement", "supplement", A(SUPPLEMENT), MSG_ACT_SUPPLEMENT, MSG_DONE_SUPPLEMENT},
    {"fee_request", "fee-request", A(FEE_REQUEST), MSG_ACT_FEE_REQUEST, MSG_DONE_FEE_REQUEST},
    {"fee_paid", "fee-paid", A(FEE_PAID), MSG_ACT_FEE_PAID, MSG_DONE_FEE_PAID},
    {"refuse", "refuse", A(REFUSE), MSG_ACT_REFUSE, MSG_DONE_REFUSE},
    {"stop", "stop", A(STOP), MSG_ACT_STOP, MSG_DONE_STOP},
    {"withdraw", "withdraw", A(WITHDRAW), MSG_ACT_WITHDRAW, MSG_DONE_WITHDRAW},
    {"reschedule", "reschedule", A(RESCHEDULE), MSG_ACT_RESCHEDULE, MSG_DONE_RESCHEDULE},
    {"result", "result", A(RESULT), MSG_ACT_RESULT, MSG_DONE_RESULT},
    {"send_back", "send-back", A(SEND_BACK), MSG_ACT_SEND_BACK, MSG_DONE_SEND_BACK},
    {"return", "return", A(RETURN), MSG_ACT_RETURN, MSG_DONE_RETURN},
    {"rate", "rate", A(RATE), MSG_ACT_RATE, MSG_DONE_RATE},
};
#undef A

const mc_cli_action_def *mc_cli_actions(size_t *n) {
  *n = sizeof actions / sizeof actions[0];
  return actions;
}

const mc_cli_action_def *mc_cli_action_by_name(const char *name) {
  if (name == NULL) return NULL;
  if (strcmp(name, "forwarded") == 0) name = "forward"; /* early servers' event kind */
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (strcmp(actions[i].name, name) == 0) return &actions[i];
  return NULL;
}

const mc_cli_action_def *mc_cli_action_by_command(const char *command) {
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (actions[i].command != NULL && strcmp(actions[i].command, command) == 0)
      return &actions[i];
  return NULL;
}

const char *mc_cli_action_label(int lang, const char *name) {
  const mc_cli_action_def *a = mc_cli_action_by_name(name);
  return a != NULL ? mc_msg(lang, a->label) : name != NULL ? name : "";
}

const char *mc_cli_result_label(int lang, const char *result) {
  if (result == NULL) return "";
  if (strcmp(result, "early") == 0) return mc_msg(lang, MSG_RESULT_EARLY);
  if (strcmp(result, "on_time") == 0) return mc_msg(lang, MSG_RESULT_ON_TIME);
  if (strcmp(result, "late") == 0) return mc_msg(lang, MSG_RESULT_LATE);
  return result;
}

static enum mc_msg level_msg(int level) {
  return level == MOTCUA__LEVEL__LEVEL_COMMUNE    ? MSG_LEVEL_COMMUNE
         : level == MOTCUA__LEVEL__LEVEL_DISTRICT ? MSG_LEVEL_DISTRICT
                                                  : MSG_UNKNOWN;
}

static enum mc_msg channel_msg(int ch) {
  return ch >= 1 && ch <= 3 ? (enum mc_msg)(MSG_CHANNEL_DIRECT + ch - 1) : MSG_UNKNOWN;
}

static enum mc_msg unit_msg(int unit) {
  return unit >= 1 && unit <= 4 ? (enum mc_msg)(MSG_UNIT_HOURS + unit - 1) : MSG_UNKNOWN;
}

/* ---- JSON ------------------------------------------------------------- */

static json_t *jstr_or_null(const char *s) {
  return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *jtime(int64_t ms) {
  char buf[40];
  if (mc_cli_rfc3339(ms, MC_CLI_UTC_OFFSET_MIN, buf, sizeof buf) != 0)
    return json_null();
  return json_string(buf);
}

static const char *forwarded_to(const Motcua__Dossier *d) {
  return d->forwarded_to != NULL && d->forwarded_to[0] ? d->forwarded_to : NULL;
}

static json_t *applicant_json(const Motcua__Applicant *a) {
  if (a == NULL) return json_null();
  return json_pack("{s:o, s:o, s:o}", "name", jstr_or_null(a->name), "id",
                   jstr_or_null(a->id_number), "phone", jstr_or_null(a->phone));
}

json_t *mc_cli_dossier_json(const Motcua__Dossier *d, int lang) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "code", jstr_or_null(d->code));
  json_object_set_new(o, "status", json_integer(d->status));
  json_object_set_new(o, "status_name", json_string(mc_status_name(lang, d->status)));
  json_object_set_new(o, "unit", jstr_or_null(d->unit_code));
  json_object_set_new(o, "unit_name", jstr_or_null(d->unit_name));
  json_object_set_new(o, "procedure", jstr_or_null(d->procedure_code));
  json_object_set_new(o, "procedure_name", jstr_or_null(d->procedure_name));
  json_object_set_new(o, "level", jstr_or_null(mc_cli_level_name(d->level)));
  json_object_set_new(o, "applicant", applicant_json(d->applicant));
  json_object_set_new(o, "channel", jstr_or_null(mc_cli_channel_name(d->channel)));
  json_object_set_new(o, "received_at", jtime(d->received_at_ms));
  json_object_set_new(o, "due_at", jtime(d->due_at_ms));
  json_object_set_new(o, "holder_unit", jstr_or_null(d->holder_unit));
  json_object_set_new(o, "forwarded_to", jstr_or_null(forwarded_to(d)));
  json_object_set_new(o, "forwarded_at", jtime(d->forwarded_at_ms));
  json_object_set_new(o, "overdue", json_boolean(d->overdue));
  json_object_set_new(o, "assigned_officer", jstr_or_null(d->assigned_officer));
  json_object_set_new(o, "department", jstr_or_null(d->department));
  json_object_set_new(o, "rating", json_integer(d->rating));
  json_object_set_new(o, "supplement_count", json_integer(d->supplement_count));
  json_object_set_new(o, "rescheduled", json_boolean(d->rescheduled));
  json_object_set_new(o, "finished_at", jtime(d->finished_at_ms));
  json_object_set_new(o, "paused_at", jtime(d->paused_at_ms));
  json_object_set_new(o, "returned_at", jtime(d->returned_at_ms));
  json_object_set_new(o, "collected_by", jstr_or_null(d->collected_by));
  json_object_set_new(o, "fee_amount", json_integer(d->fee_amount));
  return o;
}

json_t *mc_cli_procedure_json(const Motcua__Procedure *p) {
  return json_pack("{s:o, s:o, s:o, s:o, s:I, s:o}", "code", jstr_or_null(p->code),
                   "name", jstr_or_null(p->name), "level",
                   jstr_or_null(mc_cli_level_name(p->level)), "sector",
                   jstr_or_null(p->sector), "limit_value", (json_int_t)p->limit_value,
                   "limit_unit", jstr_or_null(mc_cli_limit_unit_name(p->limit_unit)));
}

json_t *mc_cli_error_json(int err, const char *message, const char *detail) {
  json_t *o = json_pack("{s:s, s:s}", "code", mc_errname(err), "message",
                        message != NULL ? message : "");
  if (o != NULL && detail != NULL && detail[0] != '\0')
    json_object_set_new(o, "detail", json_string(detail));
  return o != NULL ? json_pack("{s:o}", "error", o) : NULL;
}

static json_t *jstatus(uint32_t st) { return st != 0 ? json_integer(st) : json_null(); }

json_t *mc_cli_step_json(const Motcua__ProgressStep *s) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "at", jtime(s->at_ms));
  json_object_set_new(o, "unit", jstr_or_null(s->unit_code));
  json_object_set_new(o, "unit_name", jstr_or_null(s->unit_name));
  json_object_set_new(o, "officer", jstr_or_null(s->officer));
  json_object_set_new(o, "role", jstr_or_null(mc_cli_role_name(s->role)));
  json_object_set_new(o, "action", jstr_or_null(s->action));
  json_object_set_new(o, "status_before", jstatus(s->status_before));
  json_object_set_new(o, "status_after", jstatus(s->status_after));
  json_object_set_new(o, "from_unit", jstr_or_null(s->from_unit));
  json_object_set_new(o, "to_unit", jstr_or_null(s->to_unit));
  json_object_set_new(o, "from_unit_name", jstr_or_null(s->from_unit_name));
  json_object_set_new(o, "to_unit_name", jstr_or_null(s->to_unit_name));
  json_object_set_new(o, "step_due", jtime(s->step_due_ms));
  json_object_set_new(o, "result", jstr_or_null(s->result));
  json_object_set_new(o, "detail", jstr_or_null(s->detail));
  return o;
}

json_t *mc_cli_history_json(const Motcua__HistoryReply *h, int lang) {
  json_t *steps = json_array();
  for (size_t i = 0; steps != NULL && i < h->n_steps; i++)
    json_array_append_new(steps, mc_cli_step_json(h->steps[i]));
  return json_pack("{s:o, s:o}", "dossier",
                   h->dossier ? mc_cli_dossier_json(h->dossier, lang) : json_null(), "steps",
                   steps);
}

json_t *mc_cli_event_json(const Motcua__DossierEvent *e, int lang) {
  return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)e->event_id, "kind",
                   jstr_or_null(e->kind), "at", jtime(e->at_ms), "from_unit",
                   jstr_or_null(e->from_unit), "detail", jstr_or_null(e->detail), "dossier",
                   e->dossier ? mc_cli_dossier_json(e->dossier, lang) : json_null());
}

json_t *mc_cli_holiday_json(const Motcua__Holiday *h) {
  return json_pack("{s:o, s:o, s:o}", "date", jstr_or_null(h->date), "kind",
                   jstr_or_null(h->kind), "name", jstr_or_null(h->name));
}

/* ---- human ------------------------------------------------------------ */

static const char *or_dash(const char *s) { return s != NULL && s[0] ? s : "—"; }

static void print_time_field(FILE *f, int lang, enum mc_msg label, int64_t ms) {
  char buf[40];
  if (mc_cli_human_time(ms, MC_CLI_UTC_OFFSET_MIN, lang, buf, sizeof buf) != 0)
    snprintf(buf, sizeof buf, "%s", mc_msg(lang, MSG_NONE_YET));
  fprintf(f, "%s: %s\n", mc_msg(lang, label), buf);
}

static void print_if(FILE *f, int lang, enum mc_msg label, const char *s) {
  if (s != NULL && s[0] != '\0') fprintf(f, "%s: %s\n", mc_msg(lang, label), s);
}

static void print_time_if(FILE *f, int lang, enum mc_msg label, int64_t ms) {
  if (ms > 0) print_time_field(f, lang, label, ms);
}

/* Whole VND with '.' thousands separators (Vietnamese style). */
static void format_vnd(int64_t v, char *buf, size_t size) {
  char digits[32], out[48];
  int n = snprintf(digits, sizeof digits, "%lld", (long long)v), k = 0;
  for (int i = 0; i < n && k < (int)sizeof out - 2; i++) {
    if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0) out[k++] = '.';
    out[k++] = digits[i];
  }
  out[k] = '\0';
  snprintf(buf, size, "%s", out);
}

/* The workflow fields, only those that are set (overdue always). */
static void print_workflow_fields(FILE *f, const Motcua__Dossier *d, int lang) {
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_OVERDUE), mc_msg(lang, d->overdue ? MSG_YES : MSG_NO));
  print_if(f, lang, MSG_F_ASSIGNED, d->assigned_officer);
  print_if(f, lang, MSG_F_DEPARTMENT, d->department);
  if (d->supplement_count > 0)
    fprintf(f, "%s: %u\n", mc_msg(lang, MSG_F_SUPPLEMENTS), d->supplement_count);
  if (d->fee_amount > 0) {
    char vnd[48];
    format_vnd(d->fee_amount, vnd, sizeof vnd);
    fprintf(f, "%s: %s VND\n", mc_msg(lang, MSG_F_FEE), vnd);
  }
  if (d->rescheduled) fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_RESCHEDULED), mc_msg(lang, MSG_YES));
  print_time_if(f, lang, MSG_F_PAUSED, d->paused_at_ms);
  print_time_if(f, lang, MSG_F_FINISHED, d->finished_at_ms);
  print_time_if(f, lang, MSG_F_RETURNED, d->returned_at_ms);
  print_if(f, lang, MSG_F_COLLECTED_BY, d->collected_by);
  if (d->rating >= 1 && d->rating <= 3)
    fprintf(f, "%s: %u – %s\n", mc_msg(lang, MSG_F_RATING), d->rating,
            mc_msg(lang, (enum mc_msg)(MSG_RATING_1 + (int)d->rating - 1)));
}

void mc_cli_print_dossier(FILE *f, const Motcua__Dossier *d, int lang) {
  const Motcua__Applicant *a = d->applicant;
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_CODE), or_dash(d->code));
  fprintf(f, "%s: %u – %s\n", mc_msg(lang, MSG_F_STATUS), d->status,
          mc_status_name(lang, d->status));
  fprintf(f, "%s: %s %s\n", mc_msg(lang, MSG_F_UNIT), or_dash(d->unit_code),
          d->unit_name ? d->unit_name : "");
  fprintf(f, "%s: %s %s\n", mc_msg(lang, MSG_F_PROCEDURE), or_dash(d->procedure_code),
          d->procedure_name ? d->procedure_name : "");
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_LEVEL), mc_msg(lang, level_msg(d->level)));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_APPLICANT), or_dash(a ? a->name : NULL));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_ID), or_dash(a ? a->id_number : NULL));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_PHONE), or_dash(a ? a->phone : NULL));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_CHANNEL), mc_msg(lang, channel_msg(d->channel)));
  print_time_field(f, lang, MSG_F_RECEIVED, d->received_at_ms);
  print_time_field(f, lang, MSG_F_DUE, d->due_at_ms);
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_HOLDER), or_dash(d->holder_unit));
  if (d->forwarded_at_ms > 0) {
    char buf[40];
    mc_cli_human_time(d->forwarded_at_ms, MC_CLI_UTC_OFFSET_MIN, lang, buf, sizeof buf);
    fprintf(f, "%s: %s → %s\n", mc_msg(lang, MSG_F_FORWARDED), buf,
            or_dash(forwarded_to(d)));
  }
  print_workflow_fields(f, d, lang);
}

void mc_cli_print_dossier_line(FILE *f, const Motcua__Dossier *d, int lang) {
  char due[40];
  if (mc_cli_human_time(d->due_at_ms, MC_CLI_UTC_OFFSET_MIN, lang, due, sizeof due) != 0)
    snprintf(due, sizeof due, "—");
  fprintf(f, "%s  %s  %s  %s  %s: %s\n", or_dash(d->code),
          mc_status_name(lang, d->status), or_dash(d->procedure_code),
          or_dash(d->applicant ? d->applicant->name : NULL),
          mc_msg(lang, MSG_F_DUE), due);
}

void mc_cli_print_procedure(FILE *f, const Motcua__Procedure *p, int lang) {
  fprintf(f, "%s  [%s]  %s\n    %s: %s; %s: %u %s\n", or_dash(p->code),
          mc_msg(lang, level_msg(p->level)), or_dash(p->name),
          mc_msg(lang, MSG_F_SECTOR), or_dash(p->sector), mc_msg(lang, MSG_F_LIMIT),
          p->limit_value, mc_msg(lang, unit_msg(p->limit_unit)));
}

/* ---- history, events, holidays ----------------------------------------- */

/* Print s left-aligned in width columns (one column per code point; the
 * Vietnamese alphabet is precomposed in NFC). */
static void cell(FILE *f, const char *s, int width) {
  int cols = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80) cols++;
  fputs(s, f);
  for (int i = cols; i < width; i++) fputc(' ', f);
  fputs("  ", f);
}

static void human_or_dash(int64_t ms, int lang, char *buf, size_t size) {
  if (mc_cli_human_time(ms, MC_CLI_UTC_OFFSET_MIN, lang, buf, size) != 0)
    snprintf(buf, size, "—");
}

enum { W_TIME = 16, W_ACTION = 20, W_STATUS = 7, W_RESULT = 9 };

/* A unit's catalogue name, else its code (older servers send no names). */
static const char *unit_label(const char *name, const char *code) {
  return name != NULL && name[0] != '\0' ? name : or_dash(code);
}

/* The unit column comes last: names ("Trung tâm Hành chính công huyện
 * Hương Khê") are too long for a fixed-width column. */
static void print_step(FILE *f, const Motcua__ProgressStep *s, int lang) {
  char at[40], due[40], st[32];
  human_or_dash(s->at_ms, lang, at, sizeof at);
  human_or_dash(s->step_due_ms, lang, due, sizeof due);
  if (s->status_before != 0 && s->status_before != s->status_after)
    snprintf(st, sizeof st, "%u→%u", s->status_before, s->status_after);
  else
    snprintf(st, sizeof st, "%u", s->status_after);
  cell(f, at, W_TIME);
  cell(f, mc_cli_action_label(lang, s->action), W_ACTION);
  cell(f, st, W_STATUS);
  cell(f, due, W_TIME);
  cell(f, or_dash(mc_cli_result_label(lang, s->result)), W_RESULT);
  if (s->from_unit && s->from_unit[0] && s->to_unit && s->to_unit[0])
    fprintf(f, "%s → %s\n", unit_label(s->from_unit_name, s->from_unit),
            unit_label(s->to_unit_name, s->to_unit));
  else
    fprintf(f, "%s\n", unit_label(s->unit_name, s->unit_code));
  if ((s->officer && s->officer[0]) || (s->detail && s->detail[0])) {
    fprintf(f, "%*s%s%s", W_TIME + 2, "", s->officer ? s->officer : "",
            s->officer && s->officer[0] && s->detail && s->detail[0] ? ": " : "");
    for (const char *p = s->detail ? s->detail : ""; *p; p++) /* keep continuation lines indented */
      if (*p == '\n') fprintf(f, "\n%*s", W_TIME + 4, "");
      else fputc(*p, f);
    fputc('\n', f);
  }
}

void mc_cli_print_history(FILE *f, const Motcua__HistoryReply *h, int lang) {
  if (h->dossier != NULL) mc_cli_print_dossier_line(f, h->dossier, lang);
  if (h->n_steps == 0) {
    fprintf(f, "%s\n", mc_msg(lang, MSG_HISTORY_EMPTY));
    return;
  }
  fputc('\n', f);
  cell(f, mc_msg(lang, MSG_H_TIME), W_TIME);
  cell(f, mc_msg(lang, MSG_H_ACTION), W_ACTION);
  cell(f, mc_msg(lang, MSG_H_STATUS), W_STATUS);
  cell(f, mc_msg(lang, MSG_H_STEP_DUE), W_TIME);
  cell(f, mc_msg(lang, MSG_H_RESULT), W_RESULT);
  fprintf(f, "%s\n", mc_msg(lang, MSG_H_UNIT));
  for (size_t i = 0; i < h->n_steps; i++) print_step(f, h->steps[i], lang);
  fprintf(f, "%zu %s\n", h->n_steps, mc_msg(lang, MSG_HISTORY_COUNT));
}

void mc_cli_print_event(FILE *f, const Motcua__DossierEvent *e, int lang) {
  char at[40];
  const Motcua__Dossier *d = e->dossier;
  human_or_dash(e->at_ms, lang, at, sizeof at);
  fprintf(f, "%s  %s  %s  %s %s", at, d ? or_dash(d->code) : "—",
          mc_cli_action_label(lang, e->kind), mc_msg(lang, MSG_EV_FROM), or_dash(e->from_unit));
  if (d != NULL) fprintf(f, "  [%u %s]", d->status, mc_status_name(lang, d->status));
  if (e->detail != NULL && e->detail[0] != '\0') fprintf(f, ": %s", e->detail);
  fputc('\n', f);
}

void mc_cli_print_holiday(FILE *f, const Motcua__Holiday *h, int lang) {
  int workday = h->kind != NULL && strcmp(h->kind, "workday") == 0;
  fprintf(f, "%s  ", or_dash(h->date));
  cell(f, mc_msg(lang, workday ? MSG_HOLIDAY_KIND_WORKDAY : MSG_HOLIDAY_KIND_HOLIDAY), 18);
  fprintf(f, "%s\n", or_dash(h->name));
}
