/* Reports: the typed call, checks, labels and JSON (report.h). */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "messages.h"

static const char *const by_words[] = {"unit", "sector", "procedure", "channel"};

int mc_report_by_parse(const char *s, int *by) {
  for (int i = 0; s != NULL && i < 4; i++)
    if (strcmp(s, by_words[i]) == 0) return *by = i, MC_OK;
  return MC_EINVAL;
}

const char *mc_report_by_word(int by) { return by >= 0 && by < 4 ? by_words[by] : "unit"; }

int mc_client_report(mc_client *c, const mc_report_params *p, Motcua__Envelope **reply,
                     mc_client_error *err) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ReportRequest body = MOTCUA__REPORT_REQUEST__INIT;
  body.from_date = (char *)p->from;
  body.to_date = (char *)p->to;
  body.by = (Motcua__ReportBy)p->by;
  body.unit = (char *)(p->unit != NULL ? p->unit : "");
  req.body_case = MOTCUA__ENVELOPE__BODY_REPORT;
  req.report = &body;
  int rc = mc_client_call(c, &req, reply, err);
  if (rc != MC_OK) return rc;
  if ((*reply)->body_case == MOTCUA__ENVELOPE__BODY_REPORT_REPLY &&
      (*reply)->report_reply->total != NULL)
    return MC_OK;
  mc_envelope_free(*reply);
  *reply = NULL;
  return mc_client_error_set(err, MC_EPROTO, NULL, NULL, "unexpected reply to a report");
}

/* ---- the layout ------------------------------------------------------------ */

void mc_report_row_cols(const Motcua__ReportRow *r, int64_t o[MC_REPORT_COLS]) {
  int64_t in_period = r->received_direct + r->received_online + r->received_postal;
  o[0] = r->carried_over + in_period;
  o[1] = r->carried_over;
  o[2] = r->received_direct;
  o[3] = r->received_online;
  o[4] = r->received_postal;
  o[5] = r->resolved_early + r->resolved_on_time + r->resolved_late;
  o[6] = r->resolved_early;
  o[7] = r->resolved_on_time;
  o[8] = r->resolved_late;
  o[9] = r->pending_within + r->pending_overdue;
  o[10] = r->pending_within;
  o[11] = r->pending_overdue;
  o[12] = r->returned;
  o[13] = r->withdrawn;
  o[14] = r->refused;
  o[15] = r->stopped;
  o[16] = r->supplement_requested;
}

static const enum mc_msg col_msgs[MC_REPORT_COLS] = {
    MSG_REPORT_C_TOTAL,    MSG_REPORT_C_CARRIED,   MSG_REPORT_C_DIRECT,  MSG_REPORT_C_ONLINE,
    MSG_REPORT_C_POSTAL,   MSG_REPORT_C_TOTAL,     MSG_REPORT_C_EARLY,   MSG_REPORT_C_ON_TIME,
    MSG_REPORT_C_LATE,     MSG_REPORT_C_TOTAL,     MSG_REPORT_C_WITHIN,  MSG_REPORT_C_OVERDUE,
    MSG_REPORT_C_RETURNED, MSG_REPORT_C_WITHDRAWN, MSG_REPORT_C_REFUSED, MSG_REPORT_C_STOPPED,
    MSG_REPORT_C_SUPPLEMENT};

const char *mc_report_col_label(int lang, int col) {
  return col >= 0 && col < MC_REPORT_COLS ? mc_msg(lang, col_msgs[col]) : "";
}

const mc_report_group *mc_report_groups(int *n) {
  static const mc_report_group g[] = {{0, 5, MSG_REPORT_G_RECEIVED},
                                      {5, 4, MSG_REPORT_G_RESOLVED},
                                      {9, 3, MSG_REPORT_G_PENDING},
                                      {12, 5, MSG_REPORT_G_OTHER}};
  *n = 4;
  return g;
}

static const struct {
  const char *name;
  enum mc_msg msg;
} figure_msgs[] = {
    {"on_time_ratio", MSG_REPORT_F_ON_TIME},       {"overdue_pct", MSG_REPORT_F_OVERDUE},
    {"unsatisfied_pct", MSG_REPORT_F_UNSATISFIED}, {"satisfaction", MSG_REPORT_F_SATISFACTION},
    {"avg_resolution_days", MSG_REPORT_F_AVG_DAYS}, {"online_ratio", MSG_REPORT_F_ONLINE},
    {"direct_ratio", MSG_REPORT_F_DIRECT},         {"postal_ratio", MSG_REPORT_F_POSTAL},
    {"digitised_ratio", MSG_REPORT_F_DIGITISED},
};

const char *mc_report_figure_label(int lang, const char *name) {
  for (size_t i = 0; i < sizeof figure_msgs / sizeof figure_msgs[0]; i++)
    if (strcmp(figure_msgs[i].name, name) == 0) return mc_msg(lang, figure_msgs[i].msg);
  return name;
}

const char *mc_report_by_label(int lang, int by) {
  static const enum mc_msg m[] = {MSG_REPORT_BY_UNIT, MSG_REPORT_BY_SECTOR,
                                  MSG_REPORT_BY_PROCEDURE, MSG_REPORT_BY_CHANNEL};
  return mc_msg(lang, m[by >= 0 && by < 4 ? by : 0]);
}

const char *mc_report_row_label(int lang, int by, const Motcua__ReportRow *r) {
  static const enum mc_msg ch[] = {MSG_REPORT_C_DIRECT, MSG_REPORT_C_ONLINE,
                                   MSG_REPORT_C_POSTAL};
  if (r->total) return mc_msg(lang, MSG_REPORT_TOTAL);
  if (by == MOTCUA__REPORT_BY__REPORT_BY_CHANNEL && r->key[0] >= '1' && r->key[0] <= '3' &&
      r->key[1] == '\0')
    return mc_msg(lang, ch[r->key[0] - '1']);
  return r->name[0] != '\0' ? r->name : r->key;
}

/* ---- checks ------------------------------------------------------------------ */

static int balanced(const Motcua__ReportRow *r) {
  int64_t c[MC_REPORT_COLS];
  mc_report_row_cols(r, c);
  return c[0] == c[5] + c[9] + r->withdrawn + r->refused + r->stopped;
}

int mc_report_check(const Motcua__ReportReply *r) {
  int64_t sum[MC_REPORT_COLS] = {0}, t[MC_REPORT_COLS], c[MC_REPORT_COLS];
  if (r->total == NULL || !balanced(r->total)) return MC_EPROTO;
  for (size_t i = 0; i < r->n_rows; i++) {
    if (!balanced(r->rows[i])) return MC_EPROTO;
    mc_report_row_cols(r->rows[i], c);
    for (int k = 0; k < MC_REPORT_COLS; k++) sum[k] += c[k];
  }
  mc_report_row_cols(r->total, t);
  for (int k = 0; k < MC_REPORT_COLS; k++)
    if (sum[k] != t[k]) return MC_EPROTO;
  return MC_OK;
}

/* ---- JSON ------------------------------------------------------------------- */

static json_t *figure_json(const Motcua__ReportFigure *f) {
  return json_pack("{s:s, s:s, s:I, s:I, s:o}", "name", f->name, "formula", f->formula,
                   "numerator", (json_int_t)f->numerator, "denominator",
                   (json_int_t)f->denominator,
                   "value", f->denominator > 0 ? json_real(f->value) : json_null());
}

#define JI(o, r, f) json_object_set_new(o, #f, json_integer((json_int_t)(r)->f))

static json_t *row_json(const Motcua__ReportRow *r) {
  json_t *o = json_pack("{s:s, s:s, s:b}", "key", r->key, "name", r->name, "total", r->total);
  if (o == NULL) return NULL;
  JI(o, r, carried_over);
  JI(o, r, received_direct);
  JI(o, r, received_online);
  JI(o, r, received_postal);
  json_object_set_new(o, "received", json_integer((json_int_t)(r->received_direct +
                                                               r->received_online +
                                                               r->received_postal)));
  JI(o, r, resolved_early);
  JI(o, r, resolved_on_time);
  JI(o, r, resolved_late);
  JI(o, r, pending_within);
  JI(o, r, pending_overdue);
  JI(o, r, returned);
  JI(o, r, withdrawn);
  JI(o, r, refused);
  JI(o, r, stopped);
  JI(o, r, supplement_requested);
  JI(o, r, ended_in_time);
  JI(o, r, with_scans);
  JI(o, r, unsatisfied);
  JI(o, r, resolve_seconds);
  JI(o, r, handled);
  json_t *figs = json_array();
  for (size_t i = 0; i < r->n_figures; i++) json_array_append_new(figs, figure_json(r->figures[i]));
  json_object_set_new(o, "figures", figs);
  return o;
}

json_t *mc_report_json(const Motcua__ReportReply *r) {
  json_t *rows = json_array(), *units = json_array();
  for (size_t i = 0; i < r->n_rows; i++) json_array_append_new(rows, row_json(r->rows[i]));
  for (size_t i = 0; i < r->n_units; i++) json_array_append_new(units, json_string(r->units[i]));
  return json_pack("{s:s, s:s, s:s, s:o, s:I, s:o, s:o}", "from", r->from_date, "to",
                   r->to_date, "by", mc_report_by_word(r->by), "units", units,
                   "server_time_ms", (json_int_t)r->server_time_ms, "rows", rows, "total",
                   row_json(r->total));
}

void mc_report_date_text(const char *iso, char *out, size_t size) {
  int y, m, d;
  char tail;
  if (size == 0) return;
  if (iso != NULL && strlen(iso) == 10 && sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
    snprintf(out, size, "%02d/%02d/%04d", d, m, y);
  else
    snprintf(out, size, "%s", iso != NULL ? iso : "");
}
