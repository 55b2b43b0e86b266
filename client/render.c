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
  return o;
}

json_t *mc_cli_procedure_json(const Motcua__Procedure *p) {
  return json_pack("{s:o, s:o, s:o, s:o, s:I, s:o}", "code", jstr_or_null(p->code),
                   "name", jstr_or_null(p->name), "level",
                   jstr_or_null(mc_cli_level_name(p->level)), "sector",
                   jstr_or_null(p->sector), "limit_value", (json_int_t)p->limit_value,
                   "limit_unit", jstr_or_null(mc_cli_limit_unit_name(p->limit_unit)));
}

json_t *mc_cli_error_json(int err, const char *message) {
  return json_pack("{s:{s:s, s:s}}", "error", "code", mc_errname(err), "message",
                   message != NULL ? message : "");
}

/* ---- human ------------------------------------------------------------ */

static const char *or_dash(const char *s) { return s != NULL && s[0] ? s : "—"; }

static void print_time_field(FILE *f, int lang, enum mc_msg label, int64_t ms) {
  char buf[40];
  if (mc_cli_human_time(ms, MC_CLI_UTC_OFFSET_MIN, lang, buf, sizeof buf) != 0)
    snprintf(buf, sizeof buf, "%s", mc_msg(lang, MSG_NONE_YET));
  fprintf(f, "%s: %s\n", mc_msg(lang, label), buf);
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
