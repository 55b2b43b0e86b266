/* Catalogue (units, procedures) and the working-day calendar. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_internal.h"

/* ------------------------------------------------------------ catalogue */

static mc_role role_of(const char *s) {
  return strcmp(s, "district") == 0 ? MC_ROLE_DISTRICT : MC_ROLE_COMMUNE;
}

static void row_to_unit(const PGresult *r, int row, mc_unit *u) {
  store__copy_str(u->code, sizeof u->code, PQgetvalue(r, row, 0));
  store__copy_str(u->name, sizeof u->name, PQgetvalue(r, row, 1));
  store__copy_str(u->agency_id, sizeof u->agency_id, PQgetvalue(r, row, 2));
  store__copy_str(u->parent, sizeof u->parent, PQgetvalue(r, row, 3));
  u->role = role_of(PQgetvalue(r, row, 4));
}

static void row_to_proc(const PGresult *r, int row, mc_procedure *p) {
  store__copy_str(p->code, sizeof p->code, PQgetvalue(r, row, 0));
  store__copy_str(p->name, sizeof p->name, PQgetvalue(r, row, 1));
  store__copy_str(p->sector, sizeof p->sector, PQgetvalue(r, row, 2));
  p->level = (int)store__parse_i64(PQgetvalue(r, row, 3));
  p->limit_value = (int)store__parse_i64(PQgetvalue(r, row, 4));
  p->limit_unit = (int)store__parse_i64(PQgetvalue(r, row, 5));
  p->verified = strcmp(PQgetvalue(r, row, 6), "t") == 0;
  p->sets = (int)store__parse_i64(PQgetvalue(r, row, 7));
  store__copy_str(p->limit_text, sizeof p->limit_text, PQgetvalue(r, row, 8));
  store__copy_str(p->fee, sizeof p->fee, PQgetvalue(r, row, 9));
  store__copy_str(p->source, sizeof p->source, PQgetvalue(r, row, 10));
  store__copy_str(p->note, sizeof p->note, PQgetvalue(r, row, 11));
}

static int form_of(const char *s) {
  static const char *const names[] = {"original", "copy", "certified", "original_or_copy",
                                      "present_only"};
  for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (strcmp(s, names[i]) == 0) return MC_FORM_ORIGINAL + i;
  return 0;
}

/* Row: procedure_code, ordinal, name, form, count, required, verified, note;
 * sorted by procedure and ordinal. A procedure past MC_LIM_COMPONENTS keeps
 * the first ones (the table's CHECK allows no more). */
static void row_to_component(const PGresult *r, int row, mc_procedure *ps, int np) {
  const char *code = PQgetvalue(r, row, 0);
  for (int i = 0; i < np; i++) {
    mc_procedure *p = &ps[i];
    if (strcmp(p->code, code) != 0 || p->ncomponents >= MC_LIM_COMPONENTS) continue;
    mc_component *c = &p->components[p->ncomponents++];
    c->ordinal = (int)store__parse_i64(PQgetvalue(r, row, 1));
    store__copy_str(c->name, sizeof c->name, PQgetvalue(r, row, 2));
    c->form = form_of(PQgetvalue(r, row, 3));
    c->count = (int)store__parse_i64(PQgetvalue(r, row, 4));
    c->required = strcmp(PQgetvalue(r, row, 5), "t") == 0;
    c->verified = strcmp(PQgetvalue(r, row, 6), "t") == 0;
    store__copy_str(c->note, sizeof c->note, PQgetvalue(r, row, 7));
    return;
  }
}

static void catalog_done(store_op *o, int err) {
  mc_unit *us = NULL;
  mc_procedure *ps = NULL;
  if (err == 0 &&
      (o->nres != 3 || !store__shape_ok(o->res[0], 5) || !store__shape_ok(o->res[1], 12) ||
       !store__shape_ok(o->res[2], 8)))
    err = MC_EINTERNAL;
  int nu = err == 0 ? PQntuples(o->res[0]) : 0;
  int np = err == 0 ? PQntuples(o->res[1]) : 0;
  if (err == 0 && ((nu > 0 && (us = calloc((size_t)nu, sizeof *us)) == NULL) ||
                   (np > 0 && (ps = calloc((size_t)np, sizeof *ps)) == NULL)))
    err = MC_ENOMEM;
  if (err != 0) {
    ((mc_store_catalog_cb)o->cb)(o->arg, err, NULL, 0, NULL, 0);
    goto out;
  }
  for (int i = 0; i < nu; i++) row_to_unit(o->res[0], i, &us[i]);
  for (int i = 0; i < np; i++) row_to_proc(o->res[1], i, &ps[i]);
  for (int i = 0; i < PQntuples(o->res[2]); i++) row_to_component(o->res[2], i, ps, np);
  ((mc_store_catalog_cb)o->cb)(o->arg, 0, us, (size_t)nu, ps, (size_t)np);
out:
  free(us);
  free(ps);
}
/* ------------------------------------------------------ public queries */

static const char SQL_CATALOG[] =
    "SELECT code, name, agency_id, coalesce(parent, ''), role FROM units"
    " WHERE valid_from <= current_date"
    " AND (valid_to IS NULL OR valid_to >= current_date) ORDER BY code;"
    "SELECT code, name, sector, level, limit_value, limit_unit, verified, sets, limit_text,"
    " fee, source, note FROM procedures ORDER BY level, sector, code;"
    "SELECT procedure_code, ordinal, name, form, count, requirement = 'required', verified,"
    " note FROM procedure_components ORDER BY procedure_code, ordinal";

int mc_store_load_catalog(mc_store *s, mc_store_catalog_cb cb, void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("load_catalog", SQL_CATALOG, catalog_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, 0);
}
/* ------------------------------------------------------------- calendar */

static const char SQL_CALENDAR[] =
    "SELECT to_char(day, 'YYYY-MM-DD'), workday::int, name FROM calendar_days"
    " WHERE $1::int = 0 OR extract(year FROM day) = $1::int ORDER BY day";

static void calendar_done(store_op *o, int err) {
  mc_calday *days = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !store__shape_ok(o->res[0], 3)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (days = calloc((size_t)n, sizeof *days)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    ((mc_store_calendar_cb)o->cb)(o->arg, err, NULL, 0);
    return;
  }
  for (int i = 0; i < n; i++) {
    store__copy_str(days[i].date, sizeof days[i].date, PQgetvalue(o->res[0], i, 0));
    days[i].workday = (int)store__parse_i64(PQgetvalue(o->res[0], i, 1));
    store__copy_str(days[i].name, sizeof days[i].name, PQgetvalue(o->res[0], i, 2));
  }
  ((mc_store_calendar_cb)o->cb)(o->arg, 0, days, (size_t)n);
  free(days);
}

int mc_store_load_calendar(mc_store *s, int year, mc_store_calendar_cb cb, void *arg) {
  if (s == NULL || cb == NULL || year < 0 || year > 9999) return MC_EINVAL;
  store_op *o = store__op_new("load_calendar", SQL_CALENDAR, calendar_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, store__param_i64(o, year, 0));
}

static const char SQL_CALENDAR_PUT[] =
    "INSERT INTO calendar_days (day, workday, name) VALUES ($1::date, $2::boolean, $3)"
    " ON CONFLICT (day) DO UPDATE SET workday = EXCLUDED.workday, name = EXCLUDED.name";

int mc_store_calendar_put(mc_store *s, const mc_calday *day, mc_store_done_cb cb, void *arg) {
  if (s == NULL || day == NULL || cb == NULL || strnlen(day->date, sizeof day->date) != 10 ||
      strnlen(day->name, sizeof day->name) == sizeof day->name)
    return MC_EINVAL;
  store_op *o = store__done_op("calendar_put", SQL_CALENDAR_PUT, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  int rc = store__param(o, day->date);
  if (rc == 0) rc = store__param(o, (day->workday ? "t" : "f"));
  if (rc == 0) rc = store__param(o, day->name);
  return store__submit(s, o, rc);
}

static const char SQL_CALENDAR_REMOVE[] =
    "DELETE FROM calendar_days WHERE day = $1::date RETURNING day";

int mc_store_calendar_remove(mc_store *s, const char *date, mc_store_done_cb cb, void *arg) {
  if (s == NULL || date == NULL || cb == NULL || strlen(date) != 10) return MC_EINVAL;
  store_op *o = store__done_op("calendar_remove", SQL_CALENDAR_REMOVE, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  o->need_row = 1;
  return store__submit(s, o, store__param(o, date));
}

/* ---------------------------------------------------------- office hours */

static const char SQL_HOURS[] =
    "SELECT coalesce(unit_code, ''),"
    " (split_part(valid_from, '-', 1)::int * 100 + split_part(valid_from, '-', 2)::int),"
    " (extract(epoch FROM am_start) / 60)::int, (extract(epoch FROM am_end) / 60)::int,"
    " (extract(epoch FROM pm_start) / 60)::int, (extract(epoch FROM pm_end) / 60)::int,"
    " name FROM working_hours ORDER BY coalesce(unit_code, ''), valid_from";

static void hours_done(store_op *o, int err) {
  mc_work_hours *h = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !store__shape_ok(o->res[0], 7)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (h = calloc((size_t)n, sizeof *h)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    ((mc_store_hours_cb)o->cb)(o->arg, err, NULL, 0);
    return;
  }
  for (int i = 0; i < n; i++) {
    store__copy_str(h[i].unit, sizeof h[i].unit, PQgetvalue(o->res[0], i, 0));
    h[i].valid_from = (int)store__parse_i64(PQgetvalue(o->res[0], i, 1));
    h[i].am_start = (int)store__parse_i64(PQgetvalue(o->res[0], i, 2));
    h[i].am_end = (int)store__parse_i64(PQgetvalue(o->res[0], i, 3));
    h[i].pm_start = (int)store__parse_i64(PQgetvalue(o->res[0], i, 4));
    h[i].pm_end = (int)store__parse_i64(PQgetvalue(o->res[0], i, 5));
    store__copy_str(h[i].name, sizeof h[i].name, PQgetvalue(o->res[0], i, 6));
  }
  ((mc_store_hours_cb)o->cb)(o->arg, 0, h, (size_t)n);
  free(h);
}

int mc_store_load_hours(mc_store *s, mc_store_hours_cb cb, void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("load_hours", SQL_HOURS, hours_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, 0);
}

/* HoursRequest SET (017 mc_hours_set): the unit's own schedules replaced. */
static const char SQL_HOURS_SET[] = "SELECT mc_hours_set($1, $2::jsonb)";

static json_t *hours_json(const mc_work_hours *rows, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < n; i++) {
    const mc_work_hours *h = &rows[i];
    char from[8], t[4][8];
    const int v[4] = {h->am_start, h->am_end, h->pm_start, h->pm_end};
    snprintf(from, sizeof from, "%02d-%02d", (h->valid_from / 100) % 100, h->valid_from % 100);
    for (int k = 0; k < 4; k++) snprintf(t[k], sizeof t[k], "%02d:%02d", (v[k] / 60) % 24, v[k] % 60);
    json_t *row = json_pack("[s,s,s,s,s,s]", from, t[0], t[1], t[2], t[3], h->name);
    if (row == NULL || json_array_append_new(a, row) != 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

int mc_store_hours_set(mc_store *s, const char *unit, const mc_work_hours *rows, size_t n,
                       mc_store_done_cb cb, void *arg) {
  if (s == NULL || unit == NULL || unit[0] == '\0' || cb == NULL || n > MC_HOURS_SCHEDULES)
    return MC_EINVAL;
  json_t *a = hours_json(rows, n);
  char *text = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
  json_decref(a);
  if (text == NULL) return MC_ENOMEM;
  store_op *o = store__done_op("hours_set", SQL_HOURS_SET, cb, arg);
  int rc = o == NULL ? MC_ENOMEM : store__param(o, unit);
  if (rc == 0) rc = store__param(o, text);
  free(text);
  if (o == NULL) return rc;
  return store__submit(s, o, rc);
}
