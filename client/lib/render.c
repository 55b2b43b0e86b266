/* Renderings every front-end needs: times, names, amounts, JSON. */
#include <string.h>
#include <time.h>

#include "render.h"
#include "error.h"

/* ---- times ------------------------------------------------------------ */

static int local_tm(int64_t ms, int offset_min, struct tm *tm) {
  if (ms <= 0) return MC_EINVAL;
  time_t t = (time_t)(ms / 1000) + (time_t)offset_min * 60;
  return gmtime_r(&t, tm) != NULL ? 0 : MC_EINVAL;
}

int mc_render_rfc3339(int64_t ms, int offset_min, char *buf, size_t size) {
  struct tm tm;
  int off = offset_min < 0 ? -offset_min : offset_min;
  if (local_tm(ms, offset_min, &tm) != 0) return MC_EINVAL;
  int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec, offset_min < 0 ? '-' : '+', off / 60,
                   off % 60);
  return n > 0 && (size_t)n < size ? 0 : MC_EINVAL;
}

int mc_render_human_time(int64_t ms, int offset_min, int lang, char *buf, size_t size) {
  struct tm tm;
  int n;
  if (local_tm(ms, offset_min, &tm) != 0) return MC_EINVAL;
  if (lang == MC_LANG_EN)
    n = snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
  else
    n = snprintf(buf, size, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
  return n > 0 && (size_t)n < size ? 0 : MC_EINVAL;
}

/* ---- time zone -------------------------------------------------------- */

static int utc_offset_min = MC_RENDER_FALLBACK_UTC_OFFSET_MIN;

int mc_render_utc_offset(void) { return utc_offset_min; }

void mc_render_set_utc_offset(int offset_min) { utc_offset_min = offset_min; }

/* ---- enum names (stable JSON vocabulary) ------------------------------- */

const char *mc_render_level_name(int level) {
  switch (level) {
  case MOTCUA__LEVEL__LEVEL_COMMUNE: return "commune";
  case MOTCUA__LEVEL__LEVEL_DISTRICT: return "district";
  default: return NULL;
  }
}

static const char *const channel_names[] = {NULL, "direct", "online", "postal"};

const char *mc_render_channel_name(int channel) {
  return channel >= 1 && channel <= 3 ? channel_names[channel] : NULL;
}

int mc_render_channel_parse(const char *s) {
  for (int i = 1; i <= 3; i++)
    if (strcmp(s, channel_names[i]) == 0) return i;
  return MC_EINVAL;
}

const char *mc_render_limit_unit_name(int unit) {
  switch (unit) {
  case MOTCUA__LIMIT_UNIT__LIMIT_HOURS: return "hours";
  case MOTCUA__LIMIT_UNIT__LIMIT_WORKING_DAYS: return "working_days";
  case MOTCUA__LIMIT_UNIT__LIMIT_CALENDAR_DAYS: return "calendar_days";
  case MOTCUA__LIMIT_UNIT__LIMIT_MONTHS: return "months";
  default: return NULL;
  }
}

enum mc_msg mc_render_role_msg(int role) {
  return role == 1 ? MSG_ROLE_COMMUNE : role == 2 ? MSG_ROLE_DISTRICT
                                    : role == 3   ? MSG_ROLE_ADMIN
                                                  : MSG_UNKNOWN;
}

const char *mc_render_role_name(int role) {
  switch (role) {
  case MOTCUA__ROLE__ROLE_COMMUNE: return "commune";
  case MOTCUA__ROLE__ROLE_DISTRICT: return "district";
  case MOTCUA__ROLE__ROLE_ADMIN: return "admin";
  default: return NULL;
  }
}

/* ---- workflow actions ------------------------------------------------- */

#define A(x) MOTCUA__ACTION__ACTION_##x
static const mc_render_action_def actions[] = {
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
    {"propose", "propose", A(PROPOSE), MSG_ACT_PROPOSE, MSG_DONE_PROPOSE},
};
#undef A

const mc_render_action_def *mc_render_actions(size_t *n) {
  *n = sizeof actions / sizeof actions[0];
  return actions;
}

const mc_render_action_def *mc_render_action_by_name(const char *name) {
  if (name == NULL) return NULL;
  if (strcmp(name, "forwarded") == 0) name = "forward"; /* early servers' event kind */
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (strcmp(actions[i].name, name) == 0) return &actions[i];
  return NULL;
}

const mc_render_action_def *mc_render_action_by_command(const char *command) {
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (actions[i].command != NULL && strcmp(actions[i].command, command) == 0)
      return &actions[i];
  return NULL;
}

const char *mc_render_action_label(int lang, const char *name) {
  const mc_render_action_def *a = mc_render_action_by_name(name);
  return a != NULL ? mc_msg(lang, a->label) : name != NULL ? name : "";
}

const char *mc_render_result_label(int lang, const char *result) {
  if (result == NULL) return "";
  if (strcmp(result, "early") == 0) return mc_msg(lang, MSG_RESULT_EARLY);
  if (strcmp(result, "on_time") == 0) return mc_msg(lang, MSG_RESULT_ON_TIME);
  if (strcmp(result, "late") == 0) return mc_msg(lang, MSG_RESULT_LATE);
  return result;
}

enum mc_msg mc_render_level_msg(int level) {
  return level == MOTCUA__LEVEL__LEVEL_COMMUNE    ? MSG_LEVEL_COMMUNE
         : level == MOTCUA__LEVEL__LEVEL_DISTRICT ? MSG_LEVEL_DISTRICT
                                                  : MSG_UNKNOWN;
}

enum mc_msg mc_render_channel_msg(int ch) {
  return ch >= 1 && ch <= 3 ? (enum mc_msg)(MSG_CHANNEL_DIRECT + ch - 1) : MSG_UNKNOWN;
}

enum mc_msg mc_render_limit_unit_msg(int unit) {
  return unit >= 1 && unit <= 4 ? (enum mc_msg)(MSG_UNIT_HOURS + unit - 1) : MSG_UNKNOWN;
}

static const char *const form_names[] = {"original", "copy", "certified", "original_or_copy",
                                         "present_only"};

const char *mc_render_form_name(int form) {
  return form >= 1 && form <= 5 ? form_names[form - 1] : NULL;
}

enum mc_msg mc_render_form_msg(int form) {
  return form >= 1 && form <= 5 ? (enum mc_msg)(MSG_FORM_ORIGINAL + form - 1) : MSG_UNKNOWN;
}

/* ---- JSON ------------------------------------------------------------- */

static json_t *jstr_or_null(const char *s) {
  return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *mc_render_time_json(int64_t ms) {
  char buf[40];
  if (mc_render_rfc3339(ms, mc_render_utc_offset(), buf, sizeof buf) != 0)
    return json_null();
  return json_string(buf);
}

const char *mc_render_forwarded_to(const Motcua__Dossier *d) {
  return d->forwarded_to != NULL && d->forwarded_to[0] ? d->forwarded_to : NULL;
}

static json_t *applicant_json(const Motcua__Applicant *a) {
  if (a == NULL) return json_null();
  return json_pack("{s:o, s:o, s:o}", "name", jstr_or_null(a->name), "id",
                   jstr_or_null(a->id_number), "phone", jstr_or_null(a->phone));
}

/* The intake (issue 14), only in a show reply: address, e-mail, sets,
 * components handed in (by the procedure's numbering), missing reason. */
static void intake_json(json_t *o, const Motcua__Dossier *d) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < d->n_components_received; i++) {
    const Motcua__ReceivedComponent *c = d->components_received[i];
    json_array_append_new(a, json_pack("{s:I, s:I, s:o}", "ordinal", (json_int_t)c->ordinal,
                                       "count", (json_int_t)c->count, "form",
                                       jstr_or_null(mc_render_form_name(c->form))));
  }
  json_object_set_new(o, "address", jstr_or_null(d->applicant_address));
  json_object_set_new(o, "email", jstr_or_null(d->applicant_email));
  json_object_set_new(o, "sets", json_integer(d->sets));
  json_object_set_new(o, "components_received", a != NULL ? a : json_null());
  json_object_set_new(o, "missing_reason", jstr_or_null(d->missing_reason));
}

json_t *mc_render_dossier_json(const Motcua__Dossier *d, int lang) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "code", jstr_or_null(d->code));
  json_object_set_new(o, "status", json_integer(d->status));
  json_object_set_new(o, "status_name", json_string(mc_status_name(lang, d->status)));
  json_object_set_new(o, "unit", jstr_or_null(d->unit_code));
  json_object_set_new(o, "unit_name", jstr_or_null(d->unit_name));
  json_object_set_new(o, "procedure", jstr_or_null(d->procedure_code));
  json_object_set_new(o, "procedure_name", jstr_or_null(d->procedure_name));
  json_object_set_new(o, "level", jstr_or_null(mc_render_level_name(d->level)));
  json_object_set_new(o, "applicant", applicant_json(d->applicant));
  json_object_set_new(o, "channel", jstr_or_null(mc_render_channel_name(d->channel)));
  json_object_set_new(o, "received_at", mc_render_time_json(d->received_at_ms));
  json_object_set_new(o, "due_at", mc_render_time_json(d->due_at_ms));
  json_object_set_new(o, "holder_unit", jstr_or_null(d->holder_unit));
  json_object_set_new(o, "forwarded_to", jstr_or_null(mc_render_forwarded_to(d)));
  json_object_set_new(o, "forwarded_at", mc_render_time_json(d->forwarded_at_ms));
  json_object_set_new(o, "overdue", json_boolean(d->overdue));
  json_object_set_new(o, "assigned_officer", jstr_or_null(d->assigned_officer));
  json_object_set_new(o, "assigned_login", jstr_or_null(d->assigned_login));
  json_object_set_new(o, "awaiting_signature", json_boolean(d->awaiting_signature));
  json_object_set_new(o, "department", jstr_or_null(d->department));
  json_object_set_new(o, "rating", json_integer(d->rating));
  json_object_set_new(o, "supplement_count", json_integer(d->supplement_count));
  json_object_set_new(o, "rescheduled", json_boolean(d->rescheduled));
  json_object_set_new(o, "finished_at", mc_render_time_json(d->finished_at_ms));
  json_object_set_new(o, "paused_at", mc_render_time_json(d->paused_at_ms));
  json_object_set_new(o, "returned_at", mc_render_time_json(d->returned_at_ms));
  json_object_set_new(o, "collected_by", jstr_or_null(d->collected_by));
  json_object_set_new(o, "fee_amount", json_integer(d->fee_amount));
  if (d->sets > 0) intake_json(o, d);
  return o;
}

static json_t *component_json(const Motcua__ProcedureComponent *c) {
  return json_pack("{s:I, s:o, s:o, s:I, s:b, s:b, s:o}", "ordinal", (json_int_t)c->ordinal,
                   "name", jstr_or_null(c->name), "form",
                   jstr_or_null(mc_render_form_name(c->form)), "count", (json_int_t)c->count,
                   "required", c->required, "verified", c->verified, "note",
                   jstr_or_null(c->note));
}

json_t *mc_render_procedure_json(const Motcua__Procedure *p) {
  json_t *comps = json_array();
  for (size_t i = 0; comps != NULL && i < p->n_components; i++)
    json_array_append_new(comps, component_json(p->components[i]));
  json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:I, s:o}", "code", jstr_or_null(p->code),
                        "name", jstr_or_null(p->name), "level",
                        jstr_or_null(mc_render_level_name(p->level)), "sector",
                        jstr_or_null(p->sector), "limit_value", (json_int_t)p->limit_value,
                        "limit_unit", jstr_or_null(mc_render_limit_unit_name(p->limit_unit)));
  if (o == NULL || comps == NULL) {
    json_decref(o);
    json_decref(comps);
    return NULL;
  }
  json_object_set_new(o, "limit_text", jstr_or_null(p->limit_text));
  json_object_set_new(o, "verified", json_boolean(p->verified));
  json_object_set_new(o, "note", jstr_or_null(p->note));
  json_object_set_new(o, "fee", jstr_or_null(p->fee));
  json_object_set_new(o, "sets", json_integer(p->sets));
  json_object_set_new(o, "source", jstr_or_null(p->source));
  json_object_set_new(o, "components", comps);
  return o;
}

json_t *mc_render_error_json(int err, const char *message, const char *detail) {
  json_t *o = json_pack("{s:s, s:s}", "code", mc_errname(err), "message",
                        message != NULL ? message : "");
  if (o != NULL && detail != NULL && detail[0] != '\0')
    json_object_set_new(o, "detail", json_string(detail));
  return o != NULL ? json_pack("{s:o}", "error", o) : NULL;
}

static json_t *jstatus(uint32_t st) { return st != 0 ? json_integer(st) : json_null(); }

json_t *mc_render_step_json(const Motcua__ProgressStep *s) {
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "at", mc_render_time_json(s->at_ms));
  json_object_set_new(o, "unit", jstr_or_null(s->unit_code));
  json_object_set_new(o, "unit_name", jstr_or_null(s->unit_name));
  json_object_set_new(o, "officer", jstr_or_null(s->officer));
  json_object_set_new(o, "officer_login", jstr_or_null(s->officer_login));
  json_object_set_new(o, "officer_verified", json_boolean(s->officer_verified));
  json_object_set_new(o, "officer_title", jstr_or_null(s->officer_title));
  json_object_set_new(o, "role", jstr_or_null(mc_render_role_name(s->role)));
  json_object_set_new(o, "action", jstr_or_null(s->action));
  json_object_set_new(o, "status_before", jstatus(s->status_before));
  json_object_set_new(o, "status_after", jstatus(s->status_after));
  json_object_set_new(o, "from_unit", jstr_or_null(s->from_unit));
  json_object_set_new(o, "to_unit", jstr_or_null(s->to_unit));
  json_object_set_new(o, "from_unit_name", jstr_or_null(s->from_unit_name));
  json_object_set_new(o, "to_unit_name", jstr_or_null(s->to_unit_name));
  json_object_set_new(o, "step_due", mc_render_time_json(s->step_due_ms));
  json_object_set_new(o, "result", jstr_or_null(s->result));
  json_object_set_new(o, "detail", jstr_or_null(s->detail));
  return o;
}

json_t *mc_render_history_json(const Motcua__HistoryReply *h, int lang) {
  json_t *steps = json_array();
  for (size_t i = 0; steps != NULL && i < h->n_steps; i++)
    json_array_append_new(steps, mc_render_step_json(h->steps[i]));
  return json_pack("{s:o, s:o}", "dossier",
                   h->dossier ? mc_render_dossier_json(h->dossier, lang) : json_null(), "steps",
                   steps);
}

json_t *mc_render_event_json(const Motcua__DossierEvent *e, int lang) {
  return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)e->event_id, "kind",
                   jstr_or_null(e->kind), "at", mc_render_time_json(e->at_ms), "from_unit",
                   jstr_or_null(e->from_unit), "detail", jstr_or_null(e->detail), "dossier",
                   e->dossier ? mc_render_dossier_json(e->dossier, lang) : json_null());
}

json_t *mc_render_holiday_json(const Motcua__Holiday *h) {
  return json_pack("{s:o, s:o, s:o}", "date", jstr_or_null(h->date), "kind",
                   jstr_or_null(h->kind), "name", jstr_or_null(h->name));
}

/* ---- amounts and sizes ------------------------------------------------- */

/* Whole VND with '.' thousands separators (Vietnamese style). */
void mc_render_format_vnd(int64_t v, char *buf, size_t size) {
  char digits[32], out[48];
  int n = snprintf(digits, sizeof digits, "%lld", (long long)v), k = 0;
  for (int i = 0; i < n && k < (int)sizeof out - 2; i++) {
    if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0) out[k++] = '.';
    out[k++] = digits[i];
  }
  out[k] = '\0';
  snprintf(buf, size, "%s", out);
}

void mc_render_size(uint64_t n, int lang, char *buf, size_t size) {
  static const char *const units[] = {"KB", "MB", "GB"};
  double v = (double)n / 1024;
  size_t u = 0;
  while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) v /= 1024, u++;
  snprintf(buf, size, "%.1f %s", v, units[u]);
  char *dot = strchr(buf, '.');
  if (dot != NULL && lang == MC_LANG_VI) *dot = ',';
}

void mc_render_format_size(uint64_t n, char *buf, size_t size) {
  mc_render_size(n, MC_LANG_EN, buf, size);
}

enum mc_msg mc_render_kind_msg(const char *kind) {
  if (kind != NULL && strcmp(kind, "scan") == 0) return MSG_KIND_SCAN;
  if (kind != NULL && strcmp(kind, "result") == 0) return MSG_KIND_RESULT;
  return MSG_KIND_OTHER;
}

enum mc_msg mc_render_mime_msg(const char *mime) {
  static const struct {
    const char *mime;
    enum mc_msg msg;
  } types[] = {{"application/pdf", MSG_MIME_PDF}, {"image/jpeg", MSG_MIME_JPEG},
               {"image/png", MSG_MIME_PNG},       {"image/tiff", MSG_MIME_TIFF}};
  for (size_t i = 0; mime != NULL && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(mime, types[i].mime) == 0) return types[i].msg;
  return MSG_MIME_OTHER;
}
